"""Replicas that start together: `db upgrade` and `seed` run at once in several processes.

The test holds the lock the commands take, starts two real `flask` processes, waits until both
are queued behind it, then lets them race: both must succeed and leave one schema and one set of
reference data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from tests.conftest import fresh_database_url, make_app
from violet.auth.permissions import DEFAULT_GROUPS
from violet.config import REPO_ROOT
from violet.core.domain import SEED_LOCK_KEY, declared_permissions

MIGRATION_LOCK_KEY = int.from_bytes(b"vioMIGRA", "big")  # migrations/env.py


@pytest.fixture
def replica_database() -> str:
    return fresh_database_url("violet_replicas")


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def start_flask(url: str, *arguments: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "VIOLET_ENV": "test",
        "ADMIN_EMAIL": "admin@replicas.test",
        "ADMIN_PASSWORD": "replica admin password",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def waiting_for(connection: Connection, key: int) -> int:
    """How many sessions wait for the advisory lock `key` (a bigint key is split in two)."""
    return connection.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :key"
        ),
        {"key": key},
    ).scalar_one()


def race_behind_lock(url: str, key: int, *arguments: str) -> list[str]:
    """Run two `flask <arguments>` released together from behind lock `key`; their outputs."""
    with connected(url) as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        processes = [start_flask(url, *arguments) for _ in range(2)]
        try:
            for _ in range(600):  # both replicas queue behind the lock within seconds
                if waiting_for(holder, key) == 2 or any(p.poll() is not None for p in processes):
                    break
                time.sleep(0.1)
            assert waiting_for(holder, key) == 2, "the two commands did not wait for the lock"
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
    return outputs


def test_two_upgrades_started_together_apply_one_schema(replica_database):
    """Without the lock one replica would fail creating tables the other just created."""
    race_behind_lock(replica_database, MIGRATION_LOCK_KEY, "db", "upgrade")

    with connected(replica_database) as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert len(list(versions)) == 1
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    assert {"users", "permissions", "mitre_techniques"} <= tables


def test_two_seeds_started_together_write_reference_data_once(replica_database):
    """Without the lock both would insert the permissions and one would fail on a duplicate."""
    app = make_app(replica_database)
    with app.app_context():
        upgrade()
    declared = declared_permissions(app)

    race_behind_lock(replica_database, SEED_LOCK_KEY, "seed")

    with connected(replica_database) as connection:
        count = connection.execute
        assert count(text("SELECT count(*) FROM permissions")).scalar_one() == len(declared)
        group_names = count(text("SELECT name FROM groups")).scalars().all()
        assert sorted(group_names) == sorted(DEFAULT_GROUPS)
        admins = count(text("SELECT email FROM users")).scalars().all()
        assert admins == ["admin@replicas.test"]
