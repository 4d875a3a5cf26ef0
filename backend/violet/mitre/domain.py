"""The mitre domain: the ATT&CK catalogue and its sync."""

from __future__ import annotations

from violet.core.domain import Domain, Mount, PermissionCode
from violet.mitre import config
from violet.mitre.cli import mitre_cli
from violet.mitre.routes import blp

domain = Domain(
    name="mitre",
    blueprints=[Mount(blp, "/api/v1/mitre")],
    permissions=[PermissionCode("mitre.sync", "Synchronise the ATT&CK catalogue")],
    cli=[mitre_cli],
    config=config.config,
    check_config=config.check_config,
)
