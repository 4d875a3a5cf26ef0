"""Who may see and change a mission: members see it, the lead changes it.

A mission the caller may not see does not exist for them (404), and neither does anything under
it. `mission.read_all` sees every mission; `mission.manage_all` sees every one too and acts as
its lead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import request
from sqlalchemy import and_, select

from violet.core.auth import current_user_id, has_permission
from violet.core.errors import Forbidden, NotFound
from violet.core.models import including_deleted
from violet.extensions import db
from violet.missions.models import Mission, MissionCategory, MissionMember, MissionTest

LEAD = "lead"
# The request's MissionAccess, in the WSGI environ (never shared between requests).
ACCESS_KEY = "violet.mission_access"

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class MissionAccess:
    mission: Mission
    role: str | None  # the caller's member role; None for a read_all / manage_all outsider
    can_manage: bool

    @property
    def acting_role(self) -> str:
        """The role whose field rights apply: the lead's for a manager, viewer for outsiders."""
        if self.can_manage:
            return LEAD
        return self.role or "viewer"


def mission_access(mission_id: uuid.UUID, *, include_deleted: bool = False) -> MissionAccess:
    """The mission with the caller's rights on it, or 404 when they may not see it.

    Loaded once per request (deleted or not); a deleted mission is 404 unless asked for.
    """
    access = request.environ.get(ACCESS_KEY)
    if access is None or access.mission.id != mission_id:
        access = _load_access(mission_id)
        request.environ[ACCESS_KEY] = access
    if access.mission.deleted_at is not None and not include_deleted:
        raise NotFound("No such mission.")
    return access


def _load_access(mission_id: uuid.UUID) -> MissionAccess:
    statement = (
        select(Mission, MissionMember.role)
        .outerjoin(
            MissionMember,
            and_(
                MissionMember.mission_id == Mission.id, MissionMember.user_id == current_user_id()
            ),
        )
        .where(Mission.id == mission_id)
        .execution_options(populate_existing=True)
    )
    row = db.session.execute(including_deleted(statement)).one_or_none()
    if row is None:
        raise NotFound("No such mission.")
    mission, role = row
    manage_all = has_permission("mission.manage_all")
    if role is None and not (manage_all or has_permission("mission.read_all")):
        raise NotFound("No such mission.")
    can_manage = role == LEAD or manage_all
    return MissionAccess(mission, role, can_manage)


# Path arguments naming an object under the mission, and the table it lives in.
SCOPED_OBJECTS: dict[str, Any] = {"test_id": MissionTest, "category_id": MissionCategory}


def mission_scoped(view: View) -> View:
    """On every view under `/missions/{mission_id}`, right under `@require_auth`.

    A mission the caller may not see, or an object of the URL that is not under that mission,
    is 404 before any input is parsed or any right is checked, so nothing about it leaks.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mission_id = kwargs["mission_id"]
        mission_access(mission_id, include_deleted=True)
        for name, value in kwargs.items():
            if name != "mission_id":
                _check_under_mission(name, value, mission_id)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _check_under_mission(name: str, object_id: uuid.UUID, mission_id: uuid.UUID) -> None:
    model = SCOPED_OBJECTS.get(name)
    if model is None:
        raise RuntimeError(f"mission_scoped: add the path argument {name!r} to SCOPED_OBJECTS")
    statement = select(model.id).where(model.id == object_id, model.mission_id == mission_id)
    if db.session.scalar(including_deleted(statement)) is None:
        raise NotFound("Not found in this mission.")


def managed_mission(mission_id: uuid.UUID, *, include_deleted: bool = False) -> MissionAccess:
    """The mission, when the caller may change it: its lead or a `mission.manage_all` holder."""
    access = mission_access(mission_id, include_deleted=include_deleted)
    if not access.can_manage:
        raise Forbidden("Only the mission's lead (or mission.manage_all) may change the mission.")
    return access


def check_include_deleted_in_mission(access: MissionAccess, include_deleted: bool) -> None:
    """`include_deleted=true` under a mission needs its lead or `mission.manage_all` (403)."""
    if include_deleted and not access.can_manage:
        raise Forbidden("Seeing deleted items needs the mission's lead or mission.manage_all.")
