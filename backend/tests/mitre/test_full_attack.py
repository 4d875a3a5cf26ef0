"""The real ATT&CK Enterprise v18.1 bundle from ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from violet.config import REPO_ROOT
from violet.extensions import db
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

# ATTACK_BUNDLE points elsewhere (e.g. from a git worktree one level deeper).
BUNDLE = Path(
    os.environ.get(
        "ATTACK_BUNDLE", REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"
    )
)
# `gunzip -c enterprise-attack-v18.1.json.gz | sha256sum` of the shared copy.
BUNDLE_JSON_SHA256 = "5c8a1178581a28d6080dfa715cad6ac69d9927ece5ec921241ecec8e4085a793"


def sync_real_bundle(app: Flask) -> None:
    """Sync the real bundle, its hash pinned, and commit: for other domains' tests of it (mark
    them to skip when BUNDLE is absent)."""
    sync_catalogue(
        SyncSource(content=BUNDLE.read_bytes(), label=f"file:{BUNDLE}"),
        expected_sha256=BUNDLE_JSON_SHA256,
        allow_unverified=False,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    db.session.commit()


pytestmark = [
    pytest.mark.full_attack,
    pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})"),
]

LIVE = {"tactics": 14, "techniques": 216, "subtechniques": 475}


def test_real_bundle_syncs_then_resyncs_without_writes(sync_bytes):
    content = BUNDLE.read_bytes()

    first = sync_bytes(content, expected_sha256=BUNDLE_JSON_SHA256, label=f"file:{BUNDLE}")
    again = sync_bytes(content, expected_sha256=BUNDLE_JSON_SHA256, label=f"file:{BUNDLE}")

    assert first.counts == LIVE
    assert first.domain == "enterprise-attack"
    assert first.version == "18.1"  # from the file name
    assert first.verified
    assert first.changes["added"] == 14 + 356 + 479
    assert again.changes["unchanged"] == 14 + 356 + 479
    assert again.rows_written == 0
