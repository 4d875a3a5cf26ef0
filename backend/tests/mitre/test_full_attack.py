"""The real ATT&CK Enterprise v18.1 bundle from ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from violet.config import MITRE_DEFAULT_SHA256, REPO_ROOT

BUNDLE = REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"

pytestmark = [
    pytest.mark.full_attack,
    pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})"),
]

LIVE = {"tactics": 14, "techniques": 216, "subtechniques": 475}


def test_the_pinned_hash_is_the_json_of_the_shared_bundle():
    assert hashlib.sha256(gzip.decompress(BUNDLE.read_bytes())).hexdigest() == MITRE_DEFAULT_SHA256


def test_real_bundle_syncs_then_resyncs_without_writes(sync_bytes):
    content = BUNDLE.read_bytes()

    first = sync_bytes(content, expected_sha256=MITRE_DEFAULT_SHA256, label=f"file:{BUNDLE}")
    again = sync_bytes(content, expected_sha256=MITRE_DEFAULT_SHA256, label=f"file:{BUNDLE}")

    assert first.counts == LIVE
    assert first.domain == "enterprise-attack"
    assert first.version == "18.1"  # the pinned release: its hash matched
    assert first.verified
    assert first.changes["added"] == 14 + 356 + 479
    assert again.changes["unchanged"] == 14 + 356 + 479
    assert again.rows_written == 0
