"""Reference data every instance needs, written idempotently.

`seed_all()` runs on every start (`flask seed`, `make run`) and after `/diag/reset`. Each domain's
seed step is called here explicitly, in dependency order, and must be safe to run again on a
seeded database. The caller commits.
"""

from __future__ import annotations


def seed_all() -> None:
    """Seed reference data in the current transaction (nothing yet before the auth domain)."""
