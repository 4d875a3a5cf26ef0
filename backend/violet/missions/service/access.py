"""Who may see and change a mission: members see it, the lead changes it.

A mission the caller may not see does not exist for them (404), and neither does anything under
it. `mission.read_all` sees every mission; `mission.manage_all` sees every one too and acts as
its lead. The views get a `MissionAccess` through routes/access.py, once per request.

An API token's `mission_access` caps what its owner's memberships give it (docs/security.md,
"API tokens and missions"): with `none` the owner is no member of any mission, with `read` a
viewer who changes nothing, with `write` their own role. Every membership the caller acts
through is read here (`usable_role`, `usable_role_column`, `member_mission_ids`), so the cap
holds on every mission-scoped route, the mission list and coverage across missions alike.
Permissions (`mission.read_all`, `mission.manage_all`) are the token's own and are not capped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, false, literal, null, select
from sqlalchemy.orm import InstrumentedAttribute

from violet.core.auth import (
    MISSION_ACCESS_NONE,
    MISSION_ACCESS_READ,
    MISSION_ACCESS_WRITE,
    current_principal_or_none,
    current_user_id,
    has_permission,
)
from violet.core.errors import Conflict, Forbidden, NotFound
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
VIEWER = "viewer"
# A mission with this status is read-only (`check_writable`): the team's closed record.
ARCHIVED = "archived"
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
    # The caller's member role as this request may use it (`usable_role`); None for a read_all /
    # manage_all outsider.
    role: str | None
    can_manage: bool
    # An API token with mission access `read` or `none` (and no `mission.manage_all`): every
    # write under the mission is refused (routes/access.py), even one its viewer role would
    # allow (a note), or its owner's authorship (deleting their own note or evidence file,
    # which a `none` token reaches through `mission.read_all`).
    read_only: bool = False

    @property
    def acting_role(self) -> str:
        """The role whose field rights apply: the lead's for a manager, viewer for outsiders."""
        if self.can_manage:
            return LEAD
        return self.role or "viewer"


# How a write under a mission locks the mission's row as it reads it (`load_access`), until its
# transaction ends. Saving the archive (`PATCH /missions/{id}`) updates that row, so it waits
# for every write in progress, and a write that starts meanwhile waits for it, then reads it
# archived (`check_writable`: 409). FOR SHARE, the lock of most writes (a test's fields, a
# note, a file), lets writes under one mission run side by side; FOR KEY SHARE would not do:
# it does not conflict with an update of the status. A write that goes on to lock or update
# the row itself (the mission's own PATCH, its test or member list: `lock_mission`) takes FOR
# NO KEY UPDATE from the start: two writes that each held FOR SHARE and then both asked for
# the stronger lock would wait for each other (a deadlock).
SHARE_LOCK = "share"
UPDATE_LOCK = "update"
# The mission rows the current transaction holds FOR SHARE only, in `Session.info`:
# (the transaction, their ids). `lock_mission` refuses to strengthen one of them.
SHARED_KEY = "violet.missions_locked_for_share"


def load_access(mission_id: uuid.UUID, *, lock: str | None = None) -> MissionAccess:
    """The mission (deleted or not) with the caller's rights on it; 404 when they may not see
    it. `lock` (`SHARE_LOCK`, `UPDATE_LOCK`) locks the mission's row as it is read: a write's
    check of the archive then holds until its transaction ends. Reads take no lock."""
    parameters = {"mission_id": mission_id, "caller_id": current_user_id()}
    row = db.session.execute(_access_statement(lock), parameters).one_or_none()
    if row is not None and lock == SHARE_LOCK:
        _remember_shared(mission_id)
    if row is None:
        raise no_such_mission("No such mission.")
    mission, member_role = row
    role = usable_role(member_role)
    manage_all = has_permission("mission.manage_all")
    if role is None and not (manage_all or has_permission("mission.read_all")):
        raise no_such_mission("No such mission.")
    can_manage = role == LEAD or manage_all
    # `none` writes no more than `read`: a token seeing the mission through `mission.read_all`
    # is no member, yet is still its owner, the author of notes and files it could delete.
    read_only = mission_reach() != MISSION_ACCESS_WRITE and not manage_all
    return MissionAccess(mission, role, can_manage, read_only)


# Said to a token with mission access `none` whatever the mission: it tells nothing of whether
# the mission exists, and spares the job's author a search for why their own mission is 404.
NONE_REACH_HINT = (
    " This API token has mission_access none, so its owner's missions are hidden from it: "
    "create a token with mission_access read or write."
)


def no_such_mission(detail: str) -> NotFound:
    """404 for a mission the caller may not see; for a token that sees no mission through its
    owner's memberships (and none through `mission.read_all`), saying so."""
    hidden = mission_reach() == MISSION_ACCESS_NONE and not (
        has_permission("mission.read_all") or has_permission("mission.manage_all")
    )
    return NotFound(detail + NONE_REACH_HINT if hidden else detail)


def mission_reach() -> str:
    """What the caller's memberships let this request do (core/auth.py, MISSION_ACCESS_LEVELS):
    an API token's `mission_access`; a session's, or outside a request, `write`."""
    principal = current_principal_or_none()
    return principal.mission_access if principal is not None else MISSION_ACCESS_WRITE


def usable_role(role: str | None) -> str | None:
    """The member `role` as this request may use it: none with mission access `none` (as if
    not a member), viewer with `read`, `role` itself with `write`."""
    reach = mission_reach()
    if role is None or reach == MISSION_ACCESS_WRITE:
        return role
    return VIEWER if reach == MISSION_ACCESS_READ else None


def usable_role_column(reach: str) -> ColumnElement[Any] | InstrumentedAttribute[str]:
    """`usable_role` in SQL, over an outer-joined `MissionMember.role` (the mission list), for
    mission access `reach`."""
    if reach == MISSION_ACCESS_WRITE:
        return MissionMember.role
    if reach == MISSION_ACCESS_READ:
        return case((MissionMember.role.is_not(None), literal(VIEWER)))
    return null()


def member_mission_ids() -> Select[Any]:
    """The ids of the missions the caller is a member of, as this request may use them (none
    with mission access `none`)."""
    statement = select(MissionMember.mission_id).where(MissionMember.user_id == current_user_id())
    if mission_reach() == MISSION_ACCESS_NONE:
        statement = statement.where(false())
    return statement


def _remember_shared(mission_id: uuid.UUID) -> None:
    session = db.session()  # the request's Session (the scoped proxy has no get_transaction)
    transaction = session.get_transaction()
    held = session.info.get(SHARED_KEY)
    if held is None or held[0] is not transaction:
        missions: set[uuid.UUID] = set()
        held = (transaction, missions)
        session.info[SHARED_KEY] = held
    held[1].add(mission_id)


def check_not_shared(mission_id: uuid.UUID) -> None:
    """Before the mission's row is locked FOR NO KEY UPDATE or updated: a RuntimeError when
    this transaction holds it FOR SHARE only (the view's `load_access`), since two such
    requests at once would deadlock. The view must lock it with `UPDATE_LOCK` from the start
    (routes/access.py, `@locks_mission`)."""
    session = db.session()
    held = session.info.get(SHARED_KEY)
    if held is not None and held[0] is session.get_transaction() and mission_id in held[1]:
        raise RuntimeError(
            "This write holds its mission FOR SHARE and now locks it for an update, which "
            "deadlocks with another such write: mark the view @locks_mission."
        )


@cache
def _access_statement(lock: str | None = None) -> Select[Any]:
    """`load_access`' statement, built once per `lock` (every mission-scoped request runs it):
    the mission `mission_id`, deleted or not, and the role of the caller `caller_id` in it."""
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
    # OF missions: the member row, outer-joined, is not locked (and could not be).
    if lock == SHARE_LOCK:
        statement = statement.with_for_update(of=Mission, read=True)
    elif lock == UPDATE_LOCK:
        statement = statement.with_for_update(of=Mission, key_share=True)
    return prepared(including_deleted(statement))


def check_under_mission(name: str, object_id: uuid.UUID, mission_id: uuid.UUID) -> None:
    """404 unless the object a path argument names belongs to the mission (deleted or not)."""
    model = SCOPED_OBJECTS.get(name)
    if model is None:
        raise RuntimeError(f"mission_scoped: add the path argument {name!r} to SCOPED_OBJECTS")
    statement = select(model.id).where(model.id == object_id, model.mission_id == mission_id)
    if db.session.scalar(including_deleted(statement)) is None:
        raise NotFound("Not found in this mission.")


def check_writable(mission: Mission) -> None:
    """409 for a write under an archived mission: its record is closed, and changing it months
    later by accident (a note, an outcome, a retest) would rewrite what the team reported.

    `@mission_scoped` calls it for every write view under a mission, before any input is read,
    so a write added later cannot forget it; the few writes an archived mission takes (its own
    PATCH, which reopens it, its delete and restore, saving it as a scenario, which only reads
    it) are marked on their views (routes/access.py, `allowed_while_archived`).
    """
    if mission.status == ARCHIVED:
        raise Conflict(archived_detail(mission))


def archived_detail(mission: Mission) -> str:
    """What a write refused on the archived `mission` is told: which mission, and how to reopen
    it."""
    return (
        f'The mission "{mission.name}" is archived, so it is read-only. To change it, its lead '
        "(or a mission.manage_all holder) reopens it first: PATCH /missions/"
        f'{mission.id} with "status" planned, active or completed.'
    )


def check_manages(access: MissionAccess) -> None:
    """403 unless the caller may change the mission: its lead or a `mission.manage_all` holder
    (the mission itself, its members, categories and test list, planning)."""
    if not access.can_manage:
        raise Forbidden("Only the mission's lead (or mission.manage_all) may change the mission.")


def check_include_deleted_in_mission(access: MissionAccess, include_deleted: bool) -> None:
    """`include_deleted=true` under a mission needs its lead or `mission.manage_all` (403)."""
    if include_deleted and not access.can_manage:
        raise Forbidden("Seeing deleted items needs the mission's lead or mission.manage_all.")
