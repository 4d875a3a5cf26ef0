"""bench/api_floor.py's floor still answers Violet's bytes for every endpoint it measures.

The floor rebuilds each endpoint's JSON from the captured rows by hand, so a change to what an
endpoint answers leaves it behind, and the bench then stops before measuring. This runs the
bench's own check (`--check`: fill its database, capture, compare) on a database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import fresh_database_url
from tests.mitre.test_full_attack import BUNDLE
from violet.config import REPO_ROOT

pytestmark = [
    pytest.mark.full_attack,
    pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})"),
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="the bench needs a database of its own (embedded PostgreSQL only)",
    ),
]


def test_the_floor_answers_violets_bytes_for_every_endpoint():
    database_url = fresh_database_url("violet_bench_check")
    finished = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "api_floor.py"),
            "--check",
            "--bundle",
            str(BUNDLE),
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "The floor answers Violet's bytes for all 12 endpoints." in finished.stdout
