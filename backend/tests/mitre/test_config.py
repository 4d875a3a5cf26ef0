import pytest

from violet.config import ConfigError, load_config
from violet.domains import DOMAINS
from violet.mitre.config import MITRE_DEFAULT_SHA256

URL = "postgresql+psycopg://u@localhost/violet"


def test_defaults_pin_the_enterprise_release(monkeypatch):
    for name in ("MITRE_DEFAULT_SHA256", "MITRE_ALLOWED_SOURCES", "MITRE_MAX_BYTES"):
        monkeypatch.delenv(name, raising=False)
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL}, DOMAINS)
    assert config["MITRE_DEFAULT_URL"].endswith("/enterprise-attack/enterprise-attack-18.1.json")
    assert config["MITRE_DEFAULT_VERSION"] == "18.1"
    assert config["MITRE_DEFAULT_SHA256"] == MITRE_DEFAULT_SHA256 == ""
    assert config["MITRE_ALLOWED_SOURCES"] == (
        "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/",
        "https://raw.githubusercontent.com/mitre/cti/",
    )
    assert config["MITRE_DEFAULT_URL"].startswith(config["MITRE_ALLOWED_SOURCES"][0])
    assert config["MITRE_MAX_BYTES"] == 200 * 1024 * 1024


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("MITRE_ALLOWED_SOURCES", " https://mirror.local/attack/ , https://x.org/a/,")
    monkeypatch.setenv("MITRE_DEFAULT_SHA256", "")
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL}, DOMAINS)
    assert config["MITRE_ALLOWED_SOURCES"] == ("https://mirror.local/attack/", "https://x.org/a/")
    assert config["MITRE_DEFAULT_SHA256"] == ""


def test_a_malformed_pin_is_refused(monkeypatch):
    monkeypatch.setenv("MITRE_DEFAULT_SHA256", "not-a-hash")
    with pytest.raises(ConfigError, match="MITRE_DEFAULT_SHA256"):
        load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL}, DOMAINS)


@pytest.mark.parametrize("name", ["MITRE_MAX_BYTES", "MITRE_FETCH_TIMEOUT"])
def test_a_cap_or_timeout_of_zero_is_refused(monkeypatch, name):
    monkeypatch.setenv(name, "0")
    with pytest.raises(ConfigError, match=f"{name} must be 1 or more, got 0"):
        load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL}, DOMAINS)
