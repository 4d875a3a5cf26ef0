"""The notifications domain: per-user notifications built from mission events."""

from __future__ import annotations

from violet.core.domain import Domain, Mount
from violet.notifications.routes import blp
from violet.notifications.service import HANDLERS

domain = Domain(
    name="notifications",
    blueprints=[Mount(blp, "/api/v1/notifications")],
    handlers=HANDLERS,
)
