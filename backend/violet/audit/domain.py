"""The audit domain: reading the trail that the core records (core/audit.py)."""

from __future__ import annotations

from violet.audit.cli import audit_cli
from violet.audit.routes import blp
from violet.core.domain import Domain, Mount, PermissionCode

domain = Domain(
    name="audit",
    blueprints=[Mount(blp, "/api/v1/audit-events")],
    permissions=[PermissionCode("audit.read", "Read the audit trail")],
    cli=[audit_cli],
)
