from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.mitre.bundle import build_bundle, encode
from violet.mitre.sync.service import SyncResult, SyncSettings, SyncSource, sync_catalogue


@pytest.fixture
def sync_settings(app: Flask) -> SyncSettings:
    return SyncSettings.from_config(app.config)


@pytest.fixture
def sync_bytes(sync_settings: SyncSettings) -> Callable[..., SyncResult]:
    """Sync from bytes in hand (like an upload); unverified unless a hash is given."""

    def sync(
        content: bytes | None = None,
        *,
        expected_sha256: str | None = None,
        allow_unverified: bool | None = None,
        label: str = "upload:test-bundle.json",
        **settings_changes: Any,
    ) -> SyncResult:
        settings = sync_settings
        if settings_changes:
            settings = SyncSettings(**{**settings.__dict__, **settings_changes})
        return sync_catalogue(
            SyncSource(content=encode(build_bundle()) if content is None else content, label=label),
            expected_sha256=expected_sha256,
            allow_unverified=expected_sha256 is None
            if allow_unverified is None
            else allow_unverified,
            started_by=None,
            settings=settings,
        )

    return sync


@pytest.fixture(scope="session")
def https_server(tmp_path_factory: pytest.TempPathFactory):
    """A real HTTPS server on localhost (skipped where openssl is missing)."""
    from tests.mitre.https_server import serve_https

    try:
        with serve_https(tmp_path_factory.mktemp("tls")) as server:
            yield server
    except RuntimeError as exc:
        pytest.skip(f"no local HTTPS server: {exc}")
