import pytest

from violet.config import ConfigError, load_config, normalise_database_url

URL = "postgresql+psycopg://u@localhost/violet"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "JWT_SECRET_KEY",
        "MFA_ENCRYPTION_KEY",
        "VIOLET_ENV",
        "VIOLET_ENABLE_DIAG_RESET",
        "DATABASE_URL",
        "VIOLET_APP_DIR",
        "MIGRATIONS_DIR",
        "FRONTEND_DIST",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def set_strong_secrets(env) -> None:
    env.setenv("SECRET_KEY", "s" * 40)
    env.setenv("JWT_SECRET_KEY", "j" * 40)
    env.setenv("MFA_ENCRYPTION_KEY", "m" * 40)


def test_production_refuses_to_start_without_secrets(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY, JWT_SECRET_KEY, MFA_ENCRYPTION_KEY"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


def test_without_violet_env_the_mode_is_production_and_dev_secrets_are_never_used(clean_env):
    with pytest.raises(ConfigError, match="VIOLET_ENV=production needs"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


@pytest.mark.parametrize(
    "weak",
    ["", "x" * 31, "dev-only-jwt-secret-key-do-not-use-in-production"],
    ids=["empty", "31 bytes", "the development value"],
)
def test_production_refuses_weak_secrets(clean_env, weak):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    clean_env.setenv("JWT_SECRET_KEY", weak)
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


def test_production_starts_with_secrets_and_never_uses_dev_defaults(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["SECRET_KEY"] == "s" * 40
    assert "dev-only" not in config["JWT_SECRET_KEY"]


def test_production_refuses_the_test_reset_route(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    clean_env.setenv("VIOLET_ENABLE_DIAG_RESET", "1")
    with pytest.raises(ConfigError, match="VIOLET_ENABLE_DIAG_RESET"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


def test_development_has_throwaway_secrets(clean_env):
    clean_env.setenv("VIOLET_ENV", "development")
    config = load_config({"SQLALCHEMY_DATABASE_URI": URL})
    assert config["VIOLET_ENV"] == "development"
    assert config["SECRET_KEY"].startswith("dev-only")


def test_missing_database_url_says_what_to_do(clean_env):
    clean_env.setenv("VIOLET_ENV", "development")
    with pytest.raises(ConfigError, match="make run"):
        load_config()


def test_unknown_mode_is_refused(clean_env):
    clean_env.setenv("VIOLET_ENV", "staging")
    with pytest.raises(ConfigError, match="VIOLET_ENV"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


@pytest.mark.parametrize("url", ["postgres://u:p@h:5432/d", "postgresql://u:p@h:5432/d"])
def test_database_urls_use_psycopg3(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u:p@h:5432/d"


def test_the_application_directory_holds_migrations_and_the_spa(clean_env, tmp_path):
    clean_env.setenv("VIOLET_APP_DIR", str(tmp_path))
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["MIGRATIONS_DIR"] == str(tmp_path / "migrations")
    assert config["FRONTEND_DIST"] == str(tmp_path / "frontend" / "dist")


def test_each_path_can_be_set_on_its_own(clean_env, tmp_path):
    clean_env.setenv("MIGRATIONS_DIR", str(tmp_path / "history"))
    clean_env.setenv("FRONTEND_DIST", str(tmp_path / "spa"))
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["MIGRATIONS_DIR"] == str(tmp_path / "history")
    assert config["FRONTEND_DIST"] == str(tmp_path / "spa")
