"""Who may see and change a mission: members see it, the lead changes it.

A mission the caller may not see does not exist for them (404), and neither does anything under
it. `mission.read_all` sees every mission; `mission.manage_all` sees every one too and acts as
its lead. The views get a `MissionAccess` through routes/access.py, once per request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, and_, bindparam, select

from violet.core.auth import current_user_id, has_permission
from violet.core.errors import Forbidden, NotFound
from violet.core.models import including_deleted, prepared
from violet.extensions import db
from violet.missions.models import (
    EvidenceFile,
    Mission,
    MissionCategory,
    MissionMember,
    MissionNote,
    MissionTest,
)

LEAD = "lead"
# Path arguments naming an object under the mission, and the table it lives in.
SCOPED_OBJECTS: dict[str, Any] = {
    "test_id": MissionTest,
    "category_id": MissionCategory,
    "note_id": MissionNote,
    "evidence_id": EvidenceFile,
}


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


def load_access(mission_id: uuid.UUID) -> MissionAccess:
    """The mission (deleted or not) with the caller's rights on it; 404 when they may not see
    it."""
    parameters = {"mission_id": mission_id, "caller_id": current_user_id()}
    row = db.session.execute(_access_statement(), parameters).one_or_none()
    if row is None:
        raise NotFound("No such mission.")
    mission, role = row
    manage_all = has_permission("mission.manage_all")
    if role is None and not (manage_all or has_permission("mission.read_all")):
        raise NotFound("No such mission.")
    can_manage = role == LEAD or manage_all
    return MissionAccess(mission, role, can_manage)


@cache
def _access_statement() -> Select[Any]:
    """`load_access`' statement, built once (every mission-scoped request runs it): the mission
    `mission_id`, deleted or not, and the role of the caller `caller_id` in it."""
    statement = cast(
        Select[Any],
        select(Mission, MissionMember.role)
        .outerjoin(
            MissionMember,
            and_(
                MissionMember.mission_id == Mission.id,
                MissionMember.user_id == bindparam("caller_id"),
            ),
        )
        .where(Mission.id == bindparam("mission_id"))
        .execution_options(populate_existing=True),
    )
    return prepared(including_deleted(statement))


def check_under_mission(name: str, object_id: uuid.UUID, mission_id: uuid.UUID) -> None:
    """404 unless the object a path argument names belongs to the mission (deleted or not)."""
    model = SCOPED_OBJECTS.get(name)
    if model is None:
        raise RuntimeError(f"mission_scoped: add the path argument {name!r} to SCOPED_OBJECTS")
    statement = select(model.id).where(model.id == object_id, model.mission_id == mission_id)
    if db.session.scalar(including_deleted(statement)) is None:
        raise NotFound("Not found in this mission.")


def check_include_deleted_in_mission(access: MissionAccess, include_deleted: bool) -> None:
    """`include_deleted=true` under a mission needs its lead or `mission.manage_all` (403)."""
    if include_deleted and not access.can_manage:
        raise Forbidden("Seeing deleted items needs the mission's lead or mission.manage_all.")
