"""Reference data every instance needs, written idempotently.

`seed_all()` runs on every start (`flask seed`, `make run`) and after `/diag/reset`. Each domain's
seed step is called here explicitly, in dependency order, and must be safe to run again on a
seeded database. The caller commits.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from violet.auth.service.directory import ensure_first_admin, seed_permissions_and_groups
from violet.extensions import db

# Replicas that start together all seed: the lock makes them take turns, and each later one finds
# the rows the first committed (the lock is held until the caller's commit).
SEED_LOCK_KEY = int.from_bytes(b"vioSEEDS", "big")


def seed_all() -> str | None:
    """Seed reference data in the current transaction.

    Returns the first administrator's generated password when one was just created (the caller
    prints it once), else None.
    """
    db.session.execute(select(func.pg_advisory_xact_lock(SEED_LOCK_KEY)))
    seed_permissions_and_groups()
    return ensure_first_admin(
        current_app.config["ADMIN_EMAIL"], current_app.config["ADMIN_PASSWORD"] or None
    )
