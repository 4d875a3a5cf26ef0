"""Reference data every instance needs, written idempotently.

`seed_all()` runs on every start (`flask seed`, `make run`) and after `/diag/reset`. Each domain's
seed step is called here explicitly, in dependency order, and must be safe to run again on a
seeded database. The caller commits.
"""

from __future__ import annotations

from flask import current_app

from violet.auth.service.directory import ensure_first_admin, seed_permissions_and_groups
from violet.workspaces.service import ensure_default_workspace


def seed_all() -> str | None:
    """Seed reference data in the current transaction.

    Returns the first administrator's generated password when one was just created (the caller
    prints it once), else None.
    """
    seed_permissions_and_groups()
    # Before the first administrator, who then joins it like every new user.
    ensure_default_workspace()
    return ensure_first_admin(
        current_app.config["ADMIN_EMAIL"], current_app.config["ADMIN_PASSWORD"] or None
    )
