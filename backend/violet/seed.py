"""Reference data every instance needs, written idempotently.

`seed_all()` runs on every start (`flask seed`, `make run`) and after `/diag/reset`. Each domain's
seed step is called here explicitly, in dependency order, and must be safe to run again on a
seeded database. The caller commits.
"""

from __future__ import annotations

from flask import current_app

from violet.auth.service.directory import ensure_first_admin, seed_permissions_and_groups
from violet.missions.service.catalogue import seed_detection_levels


def seed_all() -> str | None:
    """Seed reference data in the current transaction.

    Returns the first administrator's generated password when one was just created (the caller
    prints it once), else None.
    """
    seed_permissions_and_groups()
    seed_detection_levels()
    return ensure_first_admin(
        current_app.config["ADMIN_EMAIL"], current_app.config["ADMIN_PASSWORD"] or None
    )
