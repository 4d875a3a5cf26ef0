"""`flask mitre sync`."""

from __future__ import annotations

import hashlib

import pytest

from tests.mitre.bundle import build_bundle, encode
from violet.mitre import service


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["mitre", "sync", *args])

    return invoke


@pytest.fixture
def bundle_file(tmp_path):
    path = tmp_path / "enterprise-attack-17.1.json.gz"
    path.write_bytes(encode(build_bundle("2.0"), compress=True))
    return path


def test_sync_from_a_file_with_its_hash(run, bundle_file):
    digest = hashlib.sha256(bundle_file.read_bytes()).hexdigest()
    result = run("--file", str(bundle_file), "--sha256", digest)

    assert result.exit_code == 0, result.output
    assert "Synced enterprise-attack 17.1" in result.output and "verified" in result.output
    assert "3 tactics, 3 techniques, 4 sub-techniques" in result.output
    assert service.live_counts() == {"tactics": 3, "techniques": 3, "subtechniques": 4}


def test_if_empty_does_nothing_once_there_is_data(run, bundle_file):
    assert run("--file", str(bundle_file), "--allow-unverified").exit_code == 0
    again = run("--if-empty", "--file", str(bundle_file), "--allow-unverified")
    assert again.exit_code == 0 and "nothing to do" in again.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--file", "{bundle}"], "give --sha256 HASH, or --allow-unverified to accept it"),
        (["--file", "/nonexistent/bundle.json", "--allow-unverified"], "Cannot read"),
        (["--url", "http://raw.githubusercontent.com/x.json"], "Only https://"),
        (["--url", "https://x", "--file", "{bundle}"], "not both"),
    ],
)
def test_refusals_explain_themselves(run, bundle_file, args, message):
    result = run(*(arg.format(bundle=bundle_file) for arg in args))
    assert result.exit_code != 0
    assert message in result.output
    assert service.catalogue_is_empty()


def test_without_a_hash_the_options_are_named_as_the_command_spells_them(run, bundle_file):
    result = run("--file", str(bundle_file))

    assert result.exit_code == 1
    assert "--sha256" in result.output and "--allow-unverified" in result.output
    assert "expected_sha256" not in result.output and "allow_unverified" not in result.output


def test_offline_says_how_to_sync_later(run, app, monkeypatch):
    monkeypatch.setitem(app.config, "MITRE_ALLOWED_SOURCES", ("https://localhost:1/",))
    result = run("--url", "https://localhost:1/x.json", "--allow-unverified")
    assert result.exit_code == 1
    assert "Could not fetch the bundle" in result.output and "--file PATH" in result.output
