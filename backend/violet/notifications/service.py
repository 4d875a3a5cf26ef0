"""Who hears about what, and the recipient's own list.

Handlers of the missions domain's events (core/events.py) run in the publisher's transaction:
a notification exists exactly when the change that caused it was committed. Nobody is notified
of their own action.

| event | recipients |
|---|---|
| mission.member_added | the member added |
| mission_test.handed_to_blue | the mission's blue members |
| mission_test.detection_recorded | its red members and its leads |
| mission.completed | every member |

Every notification is about a mission its recipient belongs to, so an API token with mission
access `none` (docs/security.md, "API tokens and missions") sees none of them: its list is
empty, each is 404, and the unread count is 0. A token bound to a workspace acts only there
(docs/api.md, "Workspaces"), so it sees only that workspace's notifications: the others' titles
name missions and tests of workspaces it may not read.

A deleted mission's notifications are hidden (not listed, counted or marked read) until it is
restored, and so are a removed test's and a deleted workspace's until they are restored: each
would link to a mission or a test that answers 404. So are those of a mission the recipient may
no longer read (removed from it, or from its workspace, which ends its missions there): they
are back as they were once the recipient is a member again. A `mission.read_all` (or
`mission.manage_all`) holder reads every mission of the workspaces they belong to, and keeps
those.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    update,
)

from violet.core.auth import MISSION_ACCESS_NONE, current_principal_or_none
from violet.core.errors import NotFound
from violet.core.events import Handler
from violet.core.models import prepared, utcnow
from violet.core.pagination import paginate
from violet.extensions import db
from violet.missions import events
from violet.missions.service import missions as mission_directory
from violet.notifications.models import TITLE_MAX, Notification
from violet.workspaces import service as workspace_directory


def _notify(
    kind: str,
    recipients: list[uuid.UUID],
    *,
    mission_id: uuid.UUID,
    test_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    title: str,
) -> None:
    workspace_id = mission_directory.workspace_of(mission_id)
    db.session.add_all(
        Notification(
            user_id=user_id,
            workspace_id=workspace_id,
            kind=kind,
            mission_id=mission_id,
            mission_test_id=test_id,
            actor_id=actor_id,
            title=title[:TITLE_MAX],
        )
        for user_id in dict.fromkeys(recipients)
        if user_id != actor_id
    )
    db.session.flush()


def on_member_added(
    mission_id: uuid.UUID, user_id: uuid.UUID, role: str, actor_id: uuid.UUID | None, **_: Any
) -> None:
    mission_name, _test = mission_directory.names(mission_id, None)
    _notify(
        events.MEMBER_ADDED,
        [user_id],
        mission_id=mission_id,
        test_id=None,
        actor_id=actor_id,
        title=f"You joined {mission_name} as {role}",
    )


def on_handed_to_blue(
    mission_id: uuid.UUID, test_id: uuid.UUID, actor_id: uuid.UUID | None, **_: Any
) -> None:
    mission_name, test_name = mission_directory.names(mission_id, test_id)
    _notify(
        events.TEST_HANDED_TO_BLUE,
        mission_directory.member_ids(mission_id, ("blue",)),
        mission_id=mission_id,
        test_id=test_id,
        actor_id=actor_id,
        title=f"{test_name} is waiting for blue ({mission_name})",
    )


def on_detection_recorded(
    mission_id: uuid.UUID, test_id: uuid.UUID, actor_id: uuid.UUID | None, **_: Any
) -> None:
    mission_name, test_name = mission_directory.names(mission_id, test_id)
    _notify(
        events.DETECTION_RECORDED,
        mission_directory.member_ids(mission_id, ("red", "lead")),
        mission_id=mission_id,
        test_id=test_id,
        actor_id=actor_id,
        title=f"Blue recorded the detection of {test_name} ({mission_name})",
    )


def on_mission_completed(mission_id: uuid.UUID, actor_id: uuid.UUID | None, **_: Any) -> None:
    mission_name, _test = mission_directory.names(mission_id, None)
    _notify(
        events.MISSION_COMPLETED,
        mission_directory.member_ids(mission_id, ("lead", "red", "blue", "viewer")),
        mission_id=mission_id,
        test_id=None,
        actor_id=actor_id,
        title=f"{mission_name} is completed",
    )


HANDLERS: dict[str, list[Handler]] = {
    events.MEMBER_ADDED: [on_member_added],
    events.TEST_HANDED_TO_BLUE: [on_handed_to_blue],
    events.DETECTION_RECORDED: [on_detection_recorded],
    events.MISSION_COMPLETED: [on_mission_completed],
}


# What a list item shows (NotificationOut), selected as columns: no Notification objects. The
# bell polls this list every few seconds in every open tab.
LIST_COLUMNS = (
    Notification.id,
    Notification.kind,
    Notification.title,
    Notification.workspace_id,
    Notification.mission_id,
    Notification.mission_test_id,
    Notification.actor_id,
    Notification.created_at,
    Notification.read_at,
)


def visible_to_caller() -> bool:
    """False for an API token with mission access `none`: it sees no notification."""
    principal = current_principal_or_none()
    return principal is None or principal.mission_access != MISSION_ACCESS_NONE


# The permissions that read every mission of one's workspaces (missions/service/access.py).
READS_EVERY_MISSION = ("mission.read_all", "mission.manage_all")


def reads_every_mission(permissions: Iterable[str] | None = None) -> bool:
    """Whether the caller (or one holding `permissions`) reads every mission of the workspaces
    they belong to, members or not: then a mission they left keeps its notifications."""
    if permissions is None:
        principal = current_principal_or_none()
        permissions = principal.permissions if principal is not None else ()
    return any(code in permissions for code in READS_EVERY_MISSION)


def bound_workspace() -> uuid.UUID | None:
    """The workspace an API token is bound to, whose notifications alone it sees; None for a
    session or an unbound token (all of the user's)."""
    principal = current_principal_or_none()
    return principal.workspace_id if principal is not None else None


def list_notifications(user_id: uuid.UUID, query: Mapping[str, Any]) -> dict[str, Any]:
    """The user's notifications, newest first; `unread` filters. One statement."""
    bound = bound_workspace()
    return paginate(
        _list_statement(
            query.get("unread"),
            visible=visible_to_caller(),
            bound=bound is not None,
            reads_all=reads_every_mission(),
        ),
        query,
        sortable={"created_at": Notification.created_at},
        default_sort="-created_at",
        tiebreaker=Notification.id,
        parameters={"user_id": user_id, "workspace_id": bound},
    )


@cache
def _list_statement(
    unread: bool | None, *, visible: bool, bound: bool = False, reads_all: bool = False
) -> Select[Any]:
    """The list's statement, built once per `unread` filter (the bell polls it); with
    `visible` false it finds nothing; `bound`, only the workspace `workspace_id`'s;
    `reads_all`, for a `mission.read_all` holder (`_reachable`)."""
    statement = cast(Select[Any], select(*LIST_COLUMNS)).where(
        Notification.user_id == bindparam("user_id"), _reachable(reads_all)
    )
    if not visible:
        statement = statement.where(false())
    if bound:
        statement = statement.where(Notification.workspace_id == bindparam("workspace_id"))
    if unread is not None:
        statement = statement.where(
            Notification.read_at.is_(None) if unread else Notification.read_at.isnot(None)
        )
    return prepared(statement)


def _reachable(reads_all: bool | ColumnElement[bool]) -> ColumnElement[bool]:
    """A deleted mission's notifications are hidden (listed, counted, marked read) until it is
    restored, and so are a removed test's until it is put back, and a deleted workspace's
    until it is restored: each would link to a mission or a test that answers 404. So are the
    notifications of a mission the recipient no longer reads: no member of it any more, unless
    `reads_all` (a `mission.read_all` holder, as a value or a bind parameter) and still a
    member of its workspace. The ids are primary or unique keys, so the unread count still
    reads the partial index and looks each mission, test, membership and workspace up once."""
    readable = mission_directory.is_member(Notification.mission_id, Notification.user_id)
    if reads_all is not False:  # True, or a bind parameter: the workspace's members too
        in_workspace = workspace_directory.is_member(
            Notification.workspace_id, Notification.user_id
        )
        readable = or_(
            readable, in_workspace if reads_all is True else and_(reads_all, in_workspace)
        )
    return and_(
        mission_directory.is_live(Notification.mission_id),
        mission_directory.test_is_live(Notification.mission_test_id),
        workspace_directory.is_live(Notification.workspace_id),
        readable,
    )


def mark_read(user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """Mark one of the user's notifications read (another user's, or one of a deleted mission,
    a removed test or a deleted workspace, is 404)."""
    if not visible_to_caller():
        raise NotFound("No such notification.")
    notification = db.session.scalar(
        _in_bound_workspace(
            select(Notification).where(
                Notification.id == notification_id,
                Notification.user_id == user_id,
                _reachable(reads_every_mission()),
            )
        )
    )
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read, in one statement; how many."""
    if not visible_to_caller():
        return 0
    result = db.session.execute(
        _in_bound_workspace(
            # Those hidden stay unread: once reachable again, they come back as they were.
            update(Notification).where(
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
                _reachable(reads_every_mission()),
            )
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def unread_count(user_id: uuid.UUID, permissions: Iterable[str] | None = None) -> int:
    """For the bell (/auth/me): one count over the partial index. `permissions`: the user's,
    outside a request's principal (signing in); default the caller's."""
    if not visible_to_caller():
        return 0
    statement = select(
        unread(user_id, bound_workspace(), reads_all=reads_every_mission(permissions))
    )
    return int(db.session.scalar(statement) or 0)


# The bind parameter of `unread` without `reads_all`: `reads_every_mission()` for the caller.
READS_ALL_PARAMETER = "reads_every_mission"


def unread(
    user_id: Any, workspace_id: uuid.UUID | None = None, *, reads_all: bool | None = None
) -> ScalarSelect[int]:
    """The count of `user_id`'s unread notifications, as a subquery (`user_id` a value or a
    column: /auth/me reads it with the user); of workspace `workspace_id` only, if given.
    Without `reads_all`, the statement takes it as the bind parameter `READS_ALL_PARAMETER`
    (a statement built once, /auth/me's)."""
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            _reachable(
                bindparam(READS_ALL_PARAMETER, type_=Boolean) if reads_all is None else reads_all
            ),
        )
    )
    if workspace_id is not None:
        statement = statement.where(Notification.workspace_id == workspace_id)
    return statement.scalar_subquery()


def _in_bound_workspace(statement: Any) -> Any:
    """`statement` over notifications, kept to the workspace a token is bound to, if any."""
    bound = bound_workspace()
    return statement if bound is None else statement.where(Notification.workspace_id == bound)
