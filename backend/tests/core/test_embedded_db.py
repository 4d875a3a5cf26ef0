"""The embedded PostgreSQL: the test suites' server skips flushing to disk; `make run`'s does
not."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from violet.core import embedded_db

NOT_DURABLE = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def settings(connection: Connection) -> dict[str, str]:
    return {name: connection.execute(text(f"SHOW {name}")).scalar_one() for name in NOT_DURABLE}


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a server of one's own")
def test_the_test_suites_server_does_not_flush_to_disk(db_connection: Connection):
    assert settings(db_connection) == NOT_DURABLE


def test_a_server_started_without_asking_stays_durable(tmp_path: Path):
    url = embedded_db.database_url(tmp_path / "pgdata", "violet_durable")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        shown = {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in NOT_DURABLE}
    assert shown == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
