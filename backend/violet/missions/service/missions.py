"""Missions, their members and categories; the mission list with its progress."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from violet.auth.models import User
from violet.core import audit
from violet.core.auth import current_principal_or_none, current_user_id, has_permission
from violet.core.errors import Conflict, NotFound, Unprocessable
from violet.core.events import publish
from violet.core.models import including_deleted, prepared
from violet.core.pagination import execute_select, given, paginate
from violet.core.search import contains_any, contains_any_parameter, like_pattern
from violet.core.tenancy import ALL_WORKSPACES, acting_in, scope_workspace_id
from violet.coverage.scoring import Run, chain_start, latest_completed_runs, mean
from violet.extensions import db
from violet.missions import events
from violet.missions.models import (
    TEST_STATES,
    DetectionLevel,
    Mission,
    MissionCategory,
    MissionMember,
    MissionTest,
)
from violet.missions.service.access import (
    ARCHIVED,
    LEAD,
    MissionAccess,
    archived_detail,
    check_not_shared,
    mission_reach,
    usable_role_column,
)
from violet.workspaces import service as workspace_service

SORTABLE = {
    "name": Mission.name,
    "status": Mission.status,
    "start_date": Mission.start_date,
    "created_at": Mission.created_at,
    "updated_at": Mission.updated_at,
}
CANDIDATES_MAX = 20


# What a mission list item shows (MissionOut), selected as columns: no Mission objects to build.
MISSION_LIST_COLUMNS = (
    Mission.id,
    Mission.name,
    Mission.description,
    Mission.status,
    Mission.start_date,
    Mission.end_date,
    Mission.environment,
    Mission.version,
    Mission.created_at,
    Mission.created_by,
    Mission.updated_at,
    Mission.deleted_at,
)


def list_missions(query: dict[str, Any]) -> dict[str, Any]:
    """A page of the missions the caller may see, each with its progress and the caller's role.

    Three statements whatever the page size: the page (its columns, the caller's role and the
    total), then the progress of its missions (two).
    """
    sees_all = has_permission("mission.read_all") or has_permission("mission.manage_all")
    filters = {
        "status": query.get("status") or None,
        "q": like_pattern(query["q"]) if query.get("q") else None,
    }
    parameters = given(filters)
    include_deleted = query["include_deleted"]
    statement = _list_statement(
        frozenset(parameters),
        members_only=bool(query["mine"] or not sees_all),
        include_deleted=include_deleted,
        # Who may restore a deleted mission may see it: its lead, or mission.manage_all.
        deleted_led_only=include_deleted and not has_permission("mission.manage_all"),
        reach=mission_reach(),
    )
    page = paginate(
        statement,
        query,
        sortable=SORTABLE,
        default_sort="-created_at",
        tiebreaker=Mission.id,
        parameters={**parameters, "caller_id": current_user_id()},
    )
    progress = progress_of([item["id"] for item in page["items"]])
    for item in page["items"]:
        item["can_manage"] = can_manage(item["my_role"])
        item["progress"] = progress[item["id"]]
    return page


@lru_cache(maxsize=64)
def _list_statement(
    filters: frozenset[str],
    *,
    members_only: bool,
    include_deleted: bool,
    deleted_led_only: bool,
    reach: str,
) -> Select[Any]:
    """The list's statement for one shape, built once: the caller is the parameter
    `caller_id`, the filters' values `status` and `q` (a `like_pattern`). The caller's role is
    the one their mission access `reach` lets them use (service/access.py)."""
    caller_role = usable_role_column(reach).label("my_role")
    # Typed per column; the filters and the pagination take any Select.
    statement = cast(
        Select[Any],
        select(*MISSION_LIST_COLUMNS, caller_role).outerjoin(
            MissionMember,
            and_(
                MissionMember.mission_id == Mission.id,
                MissionMember.user_id == bindparam("caller_id"),
            ),
        ),
    )
    statement = including_deleted(statement, include_deleted)
    if members_only:
        statement = statement.where(caller_role.is_not(None))
    if deleted_led_only:
        statement = statement.where(or_(Mission.deleted_at.is_(None), caller_role == LEAD))
    if "status" in filters:
        statement = statement.where(Mission.status == bindparam("status"))
    if "q" in filters:
        statement = statement.where(
            contains_any_parameter("q", Mission.name, Mission.description, Mission.environment)
        )
    return prepared(statement)


def annotate(mission: Mission, role: str | None) -> Mission:
    """`mission` with what the list shows besides its columns, for a caller of member `role`
    (None: not a member): `my_role`, `can_manage` and `progress` (two statements)."""
    mission.my_role = role  # type: ignore[attr-defined]
    mission.can_manage = can_manage(role)  # type: ignore[attr-defined]
    mission.progress = progress_of([mission.id])[mission.id]  # type: ignore[attr-defined]
    return mission


def can_manage(role: str | None) -> bool:
    """Whether a caller with this member role (None: not a member) may change the mission."""
    return role == LEAD or has_permission("mission.manage_all")


def progress_of(mission_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Tests per state and the score of each mission, in two statements (run as the lists run
    theirs, `execute_select`).

    The score is the mission's coverage score (docs/coverage.md): the mean detection score of
    each test's latest completed run; levels with no score (Not applicable) and tests without a
    level are left out.
    """
    totals = dict.fromkeys(mission_ids, 0)
    by_state = {mission_id: dict.fromkeys(TEST_STATES, 0) for mission_id in mission_ids}
    score_sums = dict.fromkeys(mission_ids, 0)
    score_counts = dict.fromkeys(mission_ids, 0)
    if mission_ids:
        statements = _progress_statements()
        parameters = {"mission_ids": mission_ids}
        _, states = execute_select(statements.states, parameters)
        for mission_id, state, count, score_sum, score_count in states:
            totals[mission_id] += count
            by_state[mission_id][state] = count
            score_sums[mission_id] += score_sum or 0
            score_counts[mission_id] += score_count
        # The runs of retest chains count as coverage counts them: the latest completed run of
        # each chain, whatever the later runs are (pending, cancelled, deleted).
        chain_runs = [
            ChainRun(*row) for row in execute_select(statements.chain_runs, parameters)[1]
        ]
        retest_of = {run.id: run.retest_of_id for run in chain_runs}
        runs = []
        for run in chain_runs:
            chain_id, sequence = chain_start(run.id, retest_of)
            runs.append(
                Run(
                    id=run.id,
                    chain_id=chain_id,
                    sequence=sequence,
                    state=run.state,
                    detection_level_id=run.detection_level_id,
                    attack_ids=(),
                )
            )
        by_id = {run.id: run for run in chain_runs}
        for latest in latest_completed_runs(runs):
            run = by_id[latest.id]
            if run.score is not None:
                score_sums[run.mission_id] += run.score
                score_counts[run.mission_id] += 1
    return {
        mission_id: {
            "tests_total": totals[mission_id],
            "tests_by_state": by_state[mission_id],
            "score": (
                mean(score_sums[mission_id], score_counts[mission_id])
                if score_counts[mission_id]
                else None
            ),
        }
        for mission_id in mission_ids
    }


class ProgressStatements(NamedTuple):
    # Per mission and state: the tests, and the score sum and count of the completed runs
    # outside any retest chain.
    states: Select[Any]
    # The runs of the missions' retest chains, in the order coverage reads them.
    chain_runs: Select[Any]


class ChainRun(NamedTuple):
    """A run of a retest chain, as `_progress_statements` selects it."""

    id: uuid.UUID
    mission_id: uuid.UUID
    retest_of_id: uuid.UUID | None
    state: str
    detection_level_id: uuid.UUID | None
    score: int | None


@cache
def _progress_statements() -> ProgressStatements:
    """`progress_of`'s statements, built once (building them cost more CPU than running them);
    the missions' ids are one array parameter.

    A completed run outside any retest chain (no live retest, not a retest) always counts, so
    SQL sums those; the runs of chains are read and followed in Python. The chains are found
    from the retests of the page's missions (a retest is in its run's mission), joined rather
    than tested with NOT EXISTS inside the aggregates' FILTER: PostgreSQL then hashed every
    test of every mission, and a page of missions took 50 ms over the reference dataset
    (docs/performance.md, "Scale")."""
    ids = bindparam("mission_ids", type_=ARRAY(MissionTest.mission_id.type))
    newer = aliased(MissionTest)
    retests = (
        newer.mission_id == any_(ids),
        newer.retest_of_id.is_not(None),
        newer.deleted_at.is_(None),
    )
    # Every live retest and every run it retests (a union: each id once).
    in_chain = union(
        select(newer.id).where(*retests), select(newer.retest_of_id).where(*retests)
    ).subquery("in_chain")
    scored = and_(MissionTest.state == "completed", in_chain.c.id.is_(None))
    states = cast(
        Select[Any],
        select(
            MissionTest.mission_id,
            MissionTest.state,
            func.count(MissionTest.id),
            func.sum(DetectionLevel.score).filter(scored),
            func.count(DetectionLevel.score).filter(scored),
        )
        .outerjoin(DetectionLevel, DetectionLevel.id == MissionTest.detection_level_id)
        .outerjoin(in_chain, in_chain.c.id == MissionTest.id)
        .where(MissionTest.mission_id == any_(ids))
        .group_by(MissionTest.mission_id, MissionTest.state),
    )
    chain_runs = cast(
        Select[Any],
        select(
            MissionTest.id,
            MissionTest.mission_id,
            MissionTest.retest_of_id,
            MissionTest.state,
            MissionTest.detection_level_id,
            DetectionLevel.score,
        )
        .outerjoin(DetectionLevel, DetectionLevel.id == MissionTest.detection_level_id)
        .join(in_chain, in_chain.c.id == MissionTest.id)
        .where(MissionTest.mission_id == any_(ids))
        # Coverage's order: of two retests of one run, the first by position counts.
        .order_by(MissionTest.position, MissionTest.id),
    )
    return ProgressStatements(prepared(states), prepared(chain_runs))


def create_mission(values: dict[str, Any]) -> Mission:
    """The creator becomes the mission's lead."""
    _check_dates(values.get("start_date"), values.get("end_date"))
    workspace_id = scope_workspace_id()
    mission = Mission(workspace_id=workspace_id, **values)
    mission.members = [
        MissionMember(workspace_id=workspace_id, user_id=current_user_id(), role=LEAD)
    ]
    db.session.add(mission)
    db.session.flush()
    return mission


def update_mission(access: MissionAccess, values: dict[str, Any]) -> Mission:
    mission = access.mission
    # Locked and read again: two edits at once apply one after the other, instead of the
    # second failing on the version it read (412 to a PATCH sent without If-Match).
    check_not_shared(mission.id)
    db.session.refresh(mission, with_for_update={"key_share": True})
    _check_still_archived(mission, values)
    _check_dates(
        values.get("start_date", mission.start_date), values.get("end_date", mission.end_date)
    )
    # Leaving the archive for `completed` reopens a closed record, it completes nothing: the
    # members heard of the completion when it happened.
    completed_now = values.get("status") == "completed" and mission.status not in (
        "completed",
        ARCHIVED,
    )
    for key, value in values.items():
        setattr(mission, key, value)
    db.session.flush()
    if completed_now:
        publish(events.MISSION_COMPLETED, mission_id=mission.id, actor_id=current_user_id())
    return mission


def _check_still_archived(mission: Mission, values: dict[str, Any]) -> None:
    """An archived mission is read-only (`check_writable`), its own fields too: a PATCH that
    leaves it archived may change nothing else (409 naming what it would change). Changing its
    status reopens it, and the other fields may change in the same request. A field sent with
    its current value changes nothing, so a form that sends every field back is not refused."""
    if mission.status != ARCHIVED or values.get("status", ARCHIVED) != ARCHIVED:
        return
    changed = sorted(
        key for key, value in values.items() if key != "status" and getattr(mission, key) != value
    )
    if changed:
        raise Conflict(
            f"{archived_detail(mission)} Not changed: {', '.join(changed)}.",
            errors={
                key: ["The mission is archived: reopen it (change its status) to change this."]
                for key in changed
            },
        )


def _check_dates(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable(
            "The end date is before the start date.",
            # The form shows it under the end date: words, not the API's field names.
            errors={"end_date": ["The end date must be on or after the start date."]},
        )


def delete_mission(access: MissionAccess) -> None:
    check_not_shared(access.mission.id)
    access.mission.soft_delete()
    db.session.flush()


def restore_mission(access: MissionAccess) -> Mission:
    check_not_shared(access.mission.id)
    access.mission.restore()
    db.session.flush()
    return access.mission


# --- members -------------------------------------------------------------------------------------


def list_members(mission_id: uuid.UUID) -> list[MissionMember]:
    """Every member, deleted users included (`user.is_deleted`): a deleted member keeps their
    place until the lead removes them, so the lead must see them to remove them."""
    statement = including_deleted(
        select(MissionMember)
        .join(User, User.id == MissionMember.user_id)
        .where(MissionMember.mission_id == mission_id)
        .order_by(MissionMember.role, User.email)
    )
    return list(db.session.scalars(statement))


def lock_mission(mission_id: uuid.UUID) -> None:
    """Lock the mission's row until the transaction ends, before its test list or member list
    is read to be changed. Without it, two requests at once read the same list: tests added
    together (two scenarios copied, a script and a browser) took the same positions, two
    retests of one run both found it the latest run, and two member lists saved together could
    leave the mission without a lead. FOR NO KEY UPDATE: rows that merely reference the
    mission (a note, an evidence file) are still written meanwhile; the view has it locked
    so already (`@locks_mission`), this keeps the service safe on its own."""
    check_not_shared(mission_id)
    db.session.execute(
        select(Mission.id).where(Mission.id == mission_id).with_for_update(key_share=True)
    )


def replace_members(access: MissionAccess, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set the whole member list. It keeps at least one active lead, names live users of the
    mission's workspace once each (a current member who was deactivated or deleted may stay, at
    the same role; left out, they are removed, as anyone is)."""
    user_ids = [member["user_id"] for member in members]
    duplicated = sorted({str(user_id) for user_id in user_ids if user_ids.count(user_id) > 1})
    if duplicated:
        raise Unprocessable(
            "A user is listed twice.",
            errors={"user_id": [f"Listed twice: {', '.join(duplicated)}."]},
        )
    if not any(member["role"] == LEAD for member in members):
        raise Unprocessable(
            "A mission needs at least one lead.", errors={"role": ["No member has the lead role."]}
        )
    # A user joins from the mission's workspace only, as the member picker offers; a user of
    # another workspace is unknown here, as any of its objects is. Leaving the workspace ends
    # one's missions there (`leave_workspace_missions`); a member who left it before that rule
    # may stay on the list: removing them is the lead's call.
    mission = access.mission
    lock_mission(mission.id)  # the current members read below are still current at the end
    may_be_listed = or_(
        User.id.in_(workspace_service.member_user_ids(mission.workspace_id)),
        User.id.in_(select(MissionMember.user_id).where(MissionMember.mission_id == mission.id)),
    )
    # Every membership, deleted users' included: the member list shows them (marked), so the
    # list the lead sends back keeps them, and one without them removes them, as anyone.
    current = {
        member.user_id: member
        for member in db.session.scalars(
            including_deleted(select(MissionMember).where(MissionMember.mission_id == mission.id))
        )
    }
    wanted = {member["user_id"]: member["role"] for member in members}
    users = {
        row.id: row
        for row in db.session.execute(
            including_deleted(
                select(User.id, User.email, User.is_active, User.deleted_at).where(
                    User.id.in_(user_ids), may_be_listed
                )
            )
        )
    }
    # A deactivated or deleted member stays on the list as they are: the browser sends the
    # whole list back whenever the lead changes anyone's role. Neither joins a mission, though.
    unknown = [
        str(user_id)
        for user_id in user_ids
        if user_id not in users or (not _can_sign_in(users[user_id]) and user_id not in current)
    ]
    if unknown:
        raise Unprocessable(
            f"Unknown or inactive user, or not of this workspace: {', '.join(unknown)}.",
            errors={
                "user_id": [
                    f"No active user of this workspace with id {user_id}." for user_id in unknown
                ]
            },
        )
    # Nor takes a new role: a deactivated or deleted lead could not lead.
    recast = sorted(
        (_why_not_signing_in(users[user_id]), f"{users[user_id].email} ({current[user_id].role})")
        for user_id in user_ids
        if not _can_sign_in(users[user_id]) and current[user_id].role != wanted[user_id]
    )
    if recast:
        kinds = " or ".join(sorted({why for why, _ in recast}))
        raise Unprocessable(
            f"A {kinds} member keeps their role or is removed: "
            f"{', '.join(member for _, member in recast)}.",
            errors={
                "role": [
                    f"{why.capitalize()}, keeps their role: {member}." for why, member in recast
                ]
            },
        )
    # Someone must be able to sign in and manage it: a list led only by deactivated (or
    # deleted) users, the only active lead stepping down beside one, leaves that to
    # administrators alone.
    if not any(role == LEAD and _can_sign_in(users[user_id]) for user_id, role in wanted.items()):
        leads = sorted(
            f"{users[user_id].email} ({_why_not_signing_in(users[user_id])})"
            for user_id, role in wanted.items()
            if role == LEAD
        )
        message = (
            f"A mission needs an active lead: {', '.join(leads)} cannot sign in. "
            "Make an active member lead."
        )
        raise Unprocessable(message, errors={"role": [message]})
    # The listed users' emails name them in the audit trail; a current member's comes with it
    # (`user` is loaded with the membership, deleted or not, as the statement opted in).
    emails = {user_id: row.email for user_id, row in users.items()}
    before = {
        f"{member.user.email if member.user else user_id} ({member.role})"
        for user_id, member in current.items()
    }
    after = {f"{emails[user_id]} ({role})" for user_id, role in wanted.items()}
    if before != after:
        audit.record(
            "mission.members_replaced",
            object_type="mission",
            object_id=access.mission.id,
            label=access.mission.name,
            workspace_id=access.mission.workspace_id,
            mission_id=access.mission.id,
            changes={
                "members": {"added": sorted(after - before), "removed": sorted(before - after)}
            },
        )
    for user_id, member in current.items():
        if user_id not in wanted:
            db.session.delete(member)
        elif member.role != wanted[user_id]:
            member.role = wanted[user_id]
    added = [user_id for user_id in user_ids if user_id not in current]
    for user_id in added:
        db.session.add(
            MissionMember(
                workspace_id=access.mission.workspace_id,
                mission_id=access.mission.id,
                user_id=user_id,
                role=wanted[user_id],
            )
        )
    db.session.flush()
    for user_id in added:
        publish(
            events.MEMBER_ADDED,
            mission_id=access.mission.id,
            user_id=user_id,
            role=wanted[user_id],
            actor_id=current_user_id(),
        )
    # Plain values, not rows: the route answers them after its commit, which expires loaded
    # rows, and a member another request removed meanwhile could no longer be loaded (a 500).
    return [
        {
            "user_id": member.user_id,
            "role": member.role,
            "user": {
                "email": member.user.email,
                "display_name": member.user.display_name,
                "is_active": member.user.is_active,
                "is_deleted": member.user.is_deleted,
            },
        }
        for member in list_members(access.mission.id)
    ]


def _can_sign_in(user: Any) -> bool:
    """Whether a user row (`is_active`, `deleted_at`) may sign in, and so act in a role."""
    return bool(user.is_active) and user.deleted_at is None


def _why_not_signing_in(user: Any) -> str:
    return "deleted" if user.deleted_at is not None else "deactivated"


def leave_workspace_missions(workspace_id: uuid.UUID, user_ids: list[uuid.UUID], **_: Any) -> None:
    """Handler of the workspaces domain's `workspace.members_removed`: who leaves a workspace
    leaves its missions, deleted ones included, so joining it again gives none of them back.
    Each mission's trail records it as `replace_members` does (`mission.members_replaced`).

    A mission keeps a lead (`replace_members`): the only leads of a live mission cannot leave
    it this way, and the whole change is 409 naming the mission; it needs another lead first.
    A deleted mission loses them all the same: whoever restores it (`mission.manage_all`) names
    its lead. Three statements and the trail's insert, whatever the number of users and missions.
    """
    # The workspace whose members change need not be the one the request acts in.
    with acting_in(workspace_id):
        memberships = db.session.execute(
            including_deleted(
                select(
                    MissionMember.id,
                    MissionMember.mission_id,
                    MissionMember.role,
                    User.email,
                    Mission.name,
                    Mission.status,
                    Mission.deleted_at,
                    workspace_service.is_live(Mission.workspace_id).label("workspace_live"),
                    _in_a_workspace_the_caller_sees(Mission.workspace_id).label("visible"),
                )
                .join(Mission, Mission.id == MissionMember.mission_id)
                .join(User, User.id == MissionMember.user_id)
                .where(MissionMember.user_id.in_(user_ids))
                .order_by(Mission.name, Mission.id, User.email)
            )
        ).all()
        if not memberships:
            return
        led = {m.mission_id for m in memberships if m.role == LEAD and m.deleted_at is None}
        still_led: set[uuid.UUID] = set()
        if led:
            # As `replace_members` locks them (in one order, so two such changes cannot wait
            # for each other): a member list saved meanwhile cannot take away the other lead
            # counted here.
            db.session.execute(
                select(Mission.id)
                .where(Mission.id.in_(led))
                .order_by(Mission.id)
                .with_for_update(key_share=True)
            )
            still_led = _led_by_others(led, user_ids)
        _refuse_leaving_missions_without_a_lead(
            [m for m in memberships if m.mission_id in led - still_led and m.role == LEAD]
        )
        db.session.execute(
            delete(MissionMember).where(MissionMember.id.in_([m.id for m in memberships]))
        )
        removed: dict[uuid.UUID, list[str]] = {}
        for membership in memberships:
            removed.setdefault(membership.mission_id, []).append(
                f"{membership.email} ({membership.role})"
            )
        names = {membership.mission_id: membership.name for membership in memberships}
        for mission_id, members in removed.items():
            audit.record(
                "mission.members_replaced",
                object_type="mission",
                object_id=mission_id,
                label=names[mission_id],
                workspace_id=workspace_id,
                mission_id=mission_id,
                changes={"members": {"added": [], "removed": sorted(members)}},
            )
        db.session.flush()


def refuse_deleting_an_only_lead(user_id: uuid.UUID, **_: Any) -> None:
    """Handler of the auth domain's `user.deleted`: a mission keeps a lead, so deleting the only
    lead of a live mission (archived ones included) is 409 naming the missions, as leaving its
    workspace is (`leave_workspace_missions`), and the deletion is rolled back with it. A
    deleted user cannot sign in, so the mission would have no lead who can act and only a
    `mission.manage_all` holder could change it (or reopen it, archived). A lead who was
    deleted before does not count as another lead; a deleted mission's leads are no obstacle:
    whoever restores it (`mission.manage_all`) names its lead."""
    statement = (
        select(Mission.id)
        .join(MissionMember, MissionMember.mission_id == Mission.id)
        .where(MissionMember.user_id == user_id, MissionMember.role == LEAD)
        .order_by(Mission.id)
        # As `leave_workspace_missions` locks them: a member list saved meanwhile cannot take
        # away the other lead counted below.
        .with_for_update(of=Mission, key_share=True)
        .execution_options(**{ALL_WORKSPACES: True})
    )
    led = list(db.session.scalars(statement))
    if not led:
        return
    still_led = _led_by_others(led, [user_id])
    # The user is deleted already (in this transaction), so the rows are read deleted or not:
    # the missions are the live ones of `led`.
    leads = db.session.execute(
        including_deleted(
            select(
                MissionMember.mission_id,
                Mission.name,
                Mission.status,
                User.email,
                workspace_service.is_live(Mission.workspace_id).label("workspace_live"),
                _in_a_workspace_the_caller_sees(Mission.workspace_id).label("visible"),
            )
        )
        .join(Mission, Mission.id == MissionMember.mission_id)
        .join(User, User.id == MissionMember.user_id)
        .where(
            MissionMember.mission_id.in_(set(led) - still_led),
            MissionMember.user_id == user_id,
        )
        .order_by(Mission.name, Mission.id)
        .execution_options(**{ALL_WORKSPACES: True})
    ).all()
    _refuse_leaving_missions_without_a_lead(list(leads))


def _led_by_others(mission_ids: Iterable[uuid.UUID], leaving: list[uuid.UUID]) -> set[uuid.UUID]:
    """The missions of `mission_ids` with a lead who can sign in besides `leaving`, as a member
    list keeps (`replace_members`): a lead deleted before or deactivated leads
    nobody."""
    statement = (
        select(MissionMember.mission_id)
        .join(User, and_(User.id == MissionMember.user_id, User.deleted_at.is_(None)))
        .where(
            MissionMember.mission_id.in_(mission_ids),
            MissionMember.role == LEAD,
            MissionMember.user_id.not_in(leaving),
            User.is_active.is_(True),
        )
        .execution_options(**{ALL_WORKSPACES: True})
    )
    return set(db.session.scalars(statement))


def _in_a_workspace_the_caller_sees(workspace_id: Any) -> ColumnElement[bool]:
    """Whether the caller may see the workspace's work, as a member (always, for the CLI): a
    user administrator deleting a lead, or an administrator managing a workspace's members, may
    not be a member of it, and `workspace.read_all` opens no workspace's data."""
    principal = current_principal_or_none()
    if principal is None:
        return true()
    return workspace_id.in_(workspace_service.visible_workspace_ids(principal, mine=True))


def _refuse_leaving_missions_without_a_lead(leads: list[Any]) -> None:
    """409 naming the missions of `leads` (rows with `mission_id`, `name`, `status`, `email`,
    `workspace_live` and `visible`: the only active leads of live missions, who are leaving), if
    any. An archived one takes no new member until it is reopened (`check_writable`), and nobody
    reaches one of a deleted workspace until it is restored, so the detail says so rather than
    send the administrator to a member list that refuses them too. A mission of a workspace
    the caller cannot see is counted, never named: one client's work is not shown to another."""
    if not leads:
        return
    by_mission: dict[uuid.UUID, tuple[str, list[str]]] = {}
    reopen: dict[uuid.UUID, str] = {}
    hidden: set[uuid.UUID] = set()
    for lead in leads:
        if not lead.visible:
            hidden.add(lead.mission_id)
            continue
        by_mission.setdefault(lead.mission_id, (lead.name, []))[1].append(lead.email)
        if not lead.workspace_live:
            reopen[lead.mission_id] = " (its workspace is deleted: restore it first)"
        elif lead.status == ARCHIVED:
            reopen[lead.mission_id] = " (archived: reopen it first)"
        else:
            reopen[lead.mission_id] = ""
    # The browser shows the detail alone: it names the missions too.
    named = [
        f"{name} by {', '.join(emails)}{reopen[mission_id]}"
        for mission_id, (name, emails) in by_mission.items()
    ]
    errors = [
        f"{name} ({mission_id}) is led only by {', '.join(emails)}.{reopen[mission_id]}"
        for mission_id, (name, emails) in by_mission.items()
    ]
    if hidden:
        missions = "mission" if len(hidden) == 1 else "missions"
        named.append(f"{len(hidden)} {missions} in workspaces you cannot see")
        errors.append(
            f"{len(hidden)} {missions} in workspaces you cannot see: their workspaces' "
            "managers give each another lead."
        )
    raise Conflict(
        "A mission keeps a lead who can sign in, and these have none but people you are "
        f"removing: {'; '.join(named)}. Give each another lead first (its members).",
        errors={"members": errors},
    )


def member_candidates(q: str) -> list[User]:
    """Active users of the workspace matching `q` (email or name), for the member picker."""
    statement = select(User).where(
        User.is_active.is_(True),
        User.id.in_(workspace_service.member_user_ids(scope_workspace_id())),
    )
    if q:
        statement = statement.where(contains_any(q, User.email, User.display_name))
    return list(db.session.scalars(statement.order_by(User.email).limit(CANDIDATES_MAX)))


# --- categories ----------------------------------------------------------------------------------


def list_categories(mission_id: uuid.UUID, *, include_deleted: bool = False) -> list[Any]:
    statement = (
        select(MissionCategory)
        .where(MissionCategory.mission_id == mission_id)
        .order_by(MissionCategory.name, MissionCategory.id)
    )
    return list(db.session.scalars(including_deleted(statement, include_deleted)))


def get_category(
    mission_id: uuid.UUID, category_id: uuid.UUID, *, include_deleted: bool = False
) -> MissionCategory:
    statement = select(MissionCategory).where(
        MissionCategory.id == category_id, MissionCategory.mission_id == mission_id
    )
    category = db.session.scalar(including_deleted(statement, include_deleted))
    if category is None:
        raise NotFound("No such category in this mission.")
    return category


def _check_category_name_free(mission_id: uuid.UUID, name: str, category_id: Any) -> None:
    statement = select(MissionCategory.id).where(
        MissionCategory.mission_id == mission_id,
        func.lower(MissionCategory.name) == name.lower(),
        MissionCategory.id != category_id,
    )
    if db.session.scalar(statement) is not None:
        # `errors` names the field, as every other taken name does (docs/api.md, Conventions).
        raise Conflict(
            f"The mission already has a category named {name!r}.",
            errors={"name": ["The mission already has a category with this name."]},
        )


def create_category(access: MissionAccess, values: dict[str, Any]) -> MissionCategory:
    _check_category_name_free(access.mission.id, values["name"], None)
    category = MissionCategory(
        workspace_id=access.mission.workspace_id, mission_id=access.mission.id, **values
    )
    db.session.add(category)
    db.session.flush()
    return category


def update_category(category: MissionCategory, values: dict[str, Any]) -> MissionCategory:
    if "name" in values:
        _check_category_name_free(category.mission_id, values["name"], category.id)
    for key, value in values.items():
        setattr(category, key, value)
    db.session.flush()
    return category


def delete_category(category: MissionCategory) -> None:
    """Soft delete; the tests keep their category id (restoring it brings the grouping back)."""
    category.soft_delete()
    db.session.flush()


def restore_category(category: MissionCategory) -> MissionCategory:
    _check_category_name_free(category.mission_id, category.name, category.id)
    category.restore()
    db.session.flush()
    return category


def category_in_mission(mission_id: uuid.UUID, category_id: uuid.UUID | None) -> None:
    """422 unless `category_id` is None or a live category of the mission."""
    if category_id is None:
        return
    found = db.session.scalar(
        select(MissionCategory.id).where(
            MissionCategory.id == category_id, MissionCategory.mission_id == mission_id
        )
    )
    if found is None:
        raise Unprocessable(
            "No such category in this mission.",
            errors={"category_id": [f"No live category {category_id} in this mission."]},
        )


# --- for other domains (notifications) -----------------------------------------------------------


def member_ids(mission_id: uuid.UUID, roles: Sequence[str]) -> list[uuid.UUID]:
    """The users who hold one of `roles` in the mission."""
    statement = select(MissionMember.user_id).where(
        MissionMember.mission_id == mission_id, MissionMember.role.in_(roles)
    )
    return list(db.session.scalars(statement))


def workspace_of(mission_id: uuid.UUID) -> uuid.UUID:
    statement = select(Mission.workspace_id).where(Mission.id == mission_id)
    return db.session.execute(including_deleted(statement)).scalar_one()


def is_live(mission_id: Any) -> ColumnElement[bool]:
    """Whether the mission `mission_id` (another domain's column, e.g. a notification's) is not
    deleted, as a condition for that domain's statement. It reads the table, not the mapped
    class, so the default criteria (the current workspace) are not added: a user's
    notifications are theirs in every workspace."""
    missions = Mission.__table__
    return exists().where(missions.c.id == mission_id, missions.c.deleted_at.is_(None))


def is_member(mission_id: Any, user_id: Any) -> ColumnElement[bool]:
    """Whether `user_id` is a member of the mission `mission_id` (another domain's columns, e.g.
    a notification's), as `is_live` reads it: from the table, in any workspace. The pair is
    the table's unique key, so it is one index lookup."""
    members = MissionMember.__table__
    return exists().where(members.c.mission_id == mission_id, members.c.user_id == user_id)


def test_is_live(test_id: Any) -> ColumnElement[bool]:
    """Whether the test `test_id` (another domain's column, e.g. a notification's; null when
    it names no test) is not removed, as `is_live` reads it: from the table, in any workspace."""
    tests = MissionTest.__table__
    return or_(
        test_id.is_(None),
        exists().where(tests.c.id == test_id, tests.c.deleted_at.is_(None)),
    )


def names(mission_id: uuid.UUID, test_id: uuid.UUID | None) -> tuple[str, str | None]:
    """The mission's name and, when given, its test's (deleted or not)."""
    mission_name = db.session.execute(
        including_deleted(select(Mission.name).where(Mission.id == mission_id))
    ).scalar_one()
    if test_id is None:
        return mission_name, None
    test_name = db.session.execute(
        including_deleted(select(MissionTest.name).where(MissionTest.id == test_id))
    ).scalar_one()
    return mission_name, test_name
