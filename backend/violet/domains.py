"""The domains this application is made of, in the order their parts are registered.

A new domain is one line here (its `Domain` declaration lives in its own package) plus the
migration that creates its tables and adds its permission codes (docs/domains.md).
"""

from __future__ import annotations

from violet.audit.domain import domain as audit
from violet.auth.domain import domain as auth
from violet.core.domain import Domain
from violet.coverage.domain import domain as coverage
from violet.diag.domain import domain as diag
from violet.library.domain import domain as library
from violet.missions.domain import domain as missions
from violet.mitre.domain import domain as mitre
from violet.notifications.domain import domain as notifications
from violet.settings.domain import domain as settings
from violet.workspaces.domain import domain as workspaces

DOMAINS: list[Domain] = [
    auth,
    workspaces,
    settings,
    mitre,
    library,
    missions,
    coverage,
    notifications,
    diag,
    audit,
]
