"""Two requests changing one mission's test list at once, on two connections.

These tests commit for real (each thread has its own session and connection, as gunicorn's
workers do), so they build and remove their own rows instead of relying on the rolled-back test
transaction. The first request is held just before its commit while the second one runs: the
interleaving that let both read the same list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select

from tests.concurrency import run_interleaved
from violet.auth.models import User
from violet.core.audit import AuditEvent
from violet.core.errors import Conflict
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.missions.models import DefenseTool, Mission, MissionMember, MissionTest
from violet.missions.schemas import MissionMemberOut
from violet.missions.service import catalogue as catalogue_service
from violet.missions.service import missions as missions_service
from violet.missions.service import tests as tests_service
from violet.missions.service.access import MissionAccess
from violet.notifications.models import Notification
from violet.workspaces.models import WorkspaceMember


@pytest.fixture
def committed_mission(real_sessions, default_workspace):
    """A committed mission with one test; removed (with whatever the test added) afterwards."""
    workspace_id = default_workspace.id
    with acting_in(workspace_id):
        mission = Mission(workspace_id=workspace_id, name=f"concurrency {uuid.uuid4()}")
        real_sessions.add(mission)
        real_sessions.flush()
        test = MissionTest(
            workspace_id=workspace_id, mission_id=mission.id, name="Kerberoasting", position=0
        )
        real_sessions.add(test)
        real_sessions.commit()
        ids = mission.id, test.id
    yield workspace_id, *ids
    with acting_in(workspace_id):
        real_sessions.rollback()
        added = list(
            real_sessions.scalars(select(MissionTest.id).where(MissionTest.mission_id == ids[0]))
        )
        real_sessions.execute(
            delete(MissionTest).where(
                MissionTest.mission_id == ids[0], MissionTest.retest_of_id.isnot(None)
            )
        )
        real_sessions.execute(delete(MissionTest).where(MissionTest.mission_id == ids[0]))
        real_sessions.execute(delete(Mission).where(Mission.id == ids[0]))
        real_sessions.execute(delete(AuditEvent).where(AuditEvent.object_id.in_([ids[0], *added])))
        real_sessions.commit()


def as_lead(mission_id: uuid.UUID) -> MissionAccess:
    return MissionAccess(mission=db.session.get(Mission, mission_id), role="lead", can_manage=True)


def test_two_retests_of_one_run_at_once_make_one_latest_run(app, committed_mission):
    workspace_id, mission_id, test_id = committed_mission

    def retest() -> None:
        test = tests_service.get_test(mission_id, test_id)
        tests_service.retest(as_lead(mission_id), test)

    outcomes = run_interleaved(app, workspace_id, retest, retest)

    assert outcomes["first"] == "ok"
    assert isinstance(outcomes["second"], Conflict), outcomes
    with acting_in(workspace_id):
        runs = db.session.scalars(
            select(MissionTest).where(MissionTest.mission_id == mission_id)
        ).all()
        assert len(runs) == 2
        assert [run.is_latest for run in runs if run.retest_of_id == test_id] == [True]


def test_two_tests_added_at_once_take_different_positions(app, committed_mission):
    workspace_id, mission_id, _ = committed_mission

    def add(name: str) -> Callable[[], None]:
        return lambda: tests_service.add_test(as_lead(mission_id), {"name": name})

    outcomes = run_interleaved(app, workspace_id, add("Pass the hash"), add("DCSync"))

    assert outcomes == {"first": "ok", "second": "ok"}
    with acting_in(workspace_id):
        positions = db.session.execute(
            select(MissionTest.name, MissionTest.position)
            .where(MissionTest.mission_id == mission_id)
            .order_by(MissionTest.position)
        ).all()
    assert [tuple(row) for row in positions] == [
        ("Kerberoasting", 0),
        ("Pass the hash", 1),
        ("DCSync", 2),
    ]


@pytest.fixture
def three_committed_users(real_sessions, default_workspace):
    """Three committed users of the default workspace; removed afterwards."""
    users = [
        User(
            email=f"member-{uuid.uuid4().hex[:8]}@example.test",
            display_name=name,
            password_hash="not a hash: nobody signs in",
        )
        for name in ("Xavier", "Yasmin", "Zoe")
    ]
    real_sessions.add_all(users)
    real_sessions.flush()
    real_sessions.add_all(
        WorkspaceMember(workspace_id=default_workspace.id, user_id=user.id) for user in users
    )
    real_sessions.commit()
    ids, workspace_id = [user.id for user in users], default_workspace.id
    yield ids
    real_sessions.rollback()
    with acting_in(workspace_id):
        real_sessions.execute(delete(MissionMember).where(MissionMember.user_id.in_(ids)))
        real_sessions.execute(delete(Notification).where(Notification.user_id.in_(ids)))
        real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id.in_(ids)))
        real_sessions.execute(delete(AuditEvent).where(AuditEvent.object_id.in_(ids)))
        real_sessions.execute(delete(User).where(User.id.in_(ids)))
        real_sessions.commit()


def test_two_member_lists_saved_at_once_never_leave_the_mission_without_a_lead(
    app, committed_mission, three_committed_users
):
    workspace_id, mission_id, _ = committed_mission
    x, y, z = three_committed_users
    with app.app_context(), acting_in(workspace_id):
        missions_service.replace_members(
            as_lead(mission_id), [{"user_id": x, "role": "lead"}, {"user_id": y, "role": "red"}]
        )
        db.session.commit()
        db.session.remove()

    # Two leads' browsers, each sending back the list it showed with one change: one hands the
    # lead to Yasmin (Xavier leaves), the other adds Zoe (Yasmin leaves, Xavier stays lead).
    def save(members: list[dict[str, Any]]) -> Callable[[], Any]:
        return lambda: missions_service.replace_members(as_lead(mission_id), members)

    outcomes = run_interleaved(
        app,
        workspace_id,
        save([{"user_id": y, "role": "lead"}]),
        save([{"user_id": x, "role": "lead"}, {"user_id": z, "role": "red"}]),
    )

    assert outcomes == {"first": "ok", "second": "ok"}
    with acting_in(workspace_id):
        roles = dict(
            db.session.execute(
                select(MissionMember.user_id, MissionMember.role).where(
                    MissionMember.mission_id == mission_id
                )
            ).all()
        )
    # Before the lock: only Zoe, as red, and no lead.
    assert roles == {x: "lead", z: "red"}, "the second list, as it was sent"


def test_two_edits_of_one_test_at_once_both_apply(app, committed_mission):
    workspace_id, mission_id, test_id = committed_mission

    # Red writes what was run while the lead fixes the target, neither sending If-Match.
    def edit(values: dict[str, Any]) -> Callable[[], Any]:
        return lambda: tests_service.update_test(
            as_lead(mission_id),
            tests_service.get_test(mission_id, test_id, for_update=True),
            values,
        )

    outcomes = run_interleaved(
        app,
        workspace_id,
        edit({"command_executed": "rubeus.exe kerberoast"}),
        edit({"target_host": "DC-01"}),
    )

    # Before: the second failed on the version it had read (StaleDataError, 412).
    assert outcomes == {"first": "ok", "second": "ok"}
    with acting_in(workspace_id):
        test = tests_service.get_test(mission_id, test_id)
        assert (test.command_executed, test.target_host, test.version) == (
            "rubeus.exe kerberoast",
            "DC-01",
            3,
        )


def test_two_edits_of_one_mission_at_once_both_apply(app, committed_mission):
    workspace_id, mission_id, _ = committed_mission

    def edit(values: dict[str, Any]) -> Callable[[], Any]:
        return lambda: missions_service.update_mission(as_lead(mission_id), values)

    outcomes = run_interleaved(
        app, workspace_id, edit({"environment": "Prod EU"}), edit({"status": "active"})
    )

    assert outcomes == {"first": "ok", "second": "ok"}
    with acting_in(workspace_id):
        db.session.expire_all()  # this session loaded the mission when it made it
        mission = db.session.get(Mission, mission_id)
        assert (mission.environment, mission.status, mission.version) == ("Prod EU", "active", 3)


def test_a_member_list_answered_after_another_request_removed_someone(
    app, committed_mission, three_committed_users
):
    workspace_id, mission_id, _ = committed_mission
    x, y, _ = three_committed_users
    with app.app_context(), acting_in(workspace_id):
        # What PUT /members does: replace, commit, then answer what was set.
        answer = missions_service.replace_members(
            as_lead(mission_id), [{"user_id": x, "role": "lead"}, {"user_id": y, "role": "red"}]
        )
        db.session.commit()
        # Between that commit and the answer, another lead's request removes Yasmin.
        with db.engine.begin() as other_request:
            other_request.execute(delete(MissionMember).where(MissionMember.user_id == y))

        # Before: the answer's rows were reloaded after the commit, and Yasmin's was gone
        # (ObjectDeletedError, a 500).
        body = MissionMemberOut(many=True).dump(answer)
        db.session.remove()

    assert {(member["user_id"], member["role"]) for member in body} == {
        (str(x), "lead"),
        (str(y), "red"),
    }


def test_two_edits_of_one_defense_tool_at_once_both_apply(app, real_sessions, default_workspace):
    workspace_id = default_workspace.id
    with acting_in(workspace_id):
        tool = DefenseTool(workspace_id=workspace_id, name=f"EDR {uuid.uuid4()}", layer="edr")
        real_sessions.add(tool)
        real_sessions.commit()
        tool_id = tool.id

    def edit(values: dict[str, Any]) -> Callable[[], Any]:
        return lambda: catalogue_service.update_tool(
            catalogue_service.get_tool(tool_id, for_update=True), values
        )

    try:
        outcomes = run_interleaved(
            app, workspace_id, edit({"vendor": "CrowdStrike"}), edit({"layer": "av"})
        )

        # Before: the second failed on the version it had read (StaleDataError, 412).
        assert outcomes == {"first": "ok", "second": "ok"}
        with acting_in(workspace_id):
            db.session.expire_all()
            tool = db.session.get(DefenseTool, tool_id)
            assert (tool.vendor, tool.layer, tool.version) == ("CrowdStrike", "av", 3)
    finally:
        with acting_in(workspace_id):
            db.session.rollback()
            db.session.execute(delete(AuditEvent).where(AuditEvent.object_id == tool_id))
            db.session.execute(delete(DefenseTool).where(DefenseTool.id == tool_id))
            db.session.commit()


def test_a_retest_of_a_run_removed_meanwhile_is_refused(app, committed_mission):
    """Run A, retest B. B removed while B is retested: the retest read B live, waited for the
    removal's lock, then retested the removed B; A (its retest gone) and the new retest were
    both latest runs."""
    workspace_id, mission_id, first_run = committed_mission
    with app.app_context(), acting_in(workspace_id):
        b = tests_service.retest(as_lead(mission_id), tests_service.get_test(mission_id, first_run))
        b_id = b.id
        db.session.commit()

    def remove() -> None:
        tests_service.delete_test(mission_id, b_id)

    def retest() -> None:
        tests_service.retest(as_lead(mission_id), tests_service.get_test(mission_id, b_id))

    outcomes = run_interleaved(app, workspace_id, remove, retest)

    assert outcomes["first"] == "ok"
    assert isinstance(outcomes["second"], Conflict), outcomes
    with acting_in(workspace_id):
        latest = db.session.scalars(
            select(MissionTest.id).where(
                MissionTest.mission_id == mission_id,
                MissionTest.is_latest,  # type: ignore[attr-defined]
            )
        ).all()
        assert latest == [first_run]
