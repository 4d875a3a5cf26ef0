"""A mission archived while a write under it is under way, through the API on two connections.

`@mission_scoped` locks the mission's row as it checks that the mission is not archived (FOR
SHARE, or FOR NO KEY UPDATE for the views that change the mission's row or lists), and saving
the archive updates that row: the archive waits for the writes in progress, and a write that
starts during an archive waits for it, then sees it (409).

These tests commit for real (each request thread has its own session and connection, as
gunicorn's workers do), so they build and remove their own rows.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import delete, or_, select

from tests.concurrency import waiting_on_locks
from violet.auth.models import User
from violet.core.audit import AuditEvent
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.missions.models import Mission, MissionMember, MissionNote, MissionTest
from violet.missions.routes import access as access_routes
from violet.missions.service import missions as missions_service
from violet.missions.service import tests as tests_service
from violet.notifications.models import Notification
from violet.workspaces.models import WorkspaceMember

WAIT_LIMIT_S = 20  # a guard against a hang, not an assertion
SECOND_WAITS_S = 3  # how long the first request holds when the second one does not wait


@pytest.fixture
def lead_mission(app, real_sessions, default_workspace):
    """A committed lead (their request header), their mission, its two tests and its
    workspace; removed afterwards with whatever the requests added."""
    workspace_id = default_workspace.id
    lead = User(
        email=f"lead-{uuid.uuid4().hex[:8]}@example.test",
        display_name="Lea",
        password_hash="not a hash: signs in by token",
    )
    real_sessions.add(lead)
    real_sessions.flush()
    real_sessions.add(WorkspaceMember(workspace_id=workspace_id, user_id=lead.id))
    with acting_in(workspace_id):
        mission = Mission(workspace_id=workspace_id, name=f"archive race {uuid.uuid4()}")
        real_sessions.add(mission)
        real_sessions.flush()
        real_sessions.add(
            MissionMember(
                workspace_id=workspace_id, mission_id=mission.id, user_id=lead.id, role="lead"
            )
        )
        tests = [
            MissionTest(workspace_id=workspace_id, mission_id=mission.id, name=name, position=n)
            for n, name in enumerate(("Kerberoasting", "DCSync"))
        ]
        real_sessions.add_all(tests)
        real_sessions.commit()
        ids = lead.id, mission.id, [test.id for test in tests]
    with app.app_context():
        header = {"Authorization": f"Bearer {create_access_token(identity=str(ids[0]))}"}
    yield header, ids[1], ids[2], workspace_id
    lead_id, mission_id, _ = ids
    real_sessions.rollback()
    with acting_in(workspace_id):
        test_ids = list(
            real_sessions.scalars(
                select(MissionTest.id).where(MissionTest.mission_id == mission_id)
            )
        )
        real_sessions.execute(delete(MissionNote).where(MissionNote.mission_id == mission_id))
        real_sessions.execute(
            delete(MissionTest).where(
                MissionTest.mission_id == mission_id, MissionTest.retest_of_id.isnot(None)
            )
        )
        real_sessions.execute(delete(MissionTest).where(MissionTest.mission_id == mission_id))
        real_sessions.execute(delete(MissionMember).where(MissionMember.mission_id == mission_id))
        real_sessions.execute(delete(Mission).where(Mission.id == mission_id))
        real_sessions.execute(
            delete(AuditEvent).where(
                or_(
                    AuditEvent.actor_id == lead_id,
                    AuditEvent.mission_id == mission_id,
                    AuditEvent.object_id.in_([mission_id, lead_id, *test_ids]),
                )
            )
        )
        real_sessions.execute(delete(Notification).where(Notification.user_id == lead_id))
        real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id == lead_id))
        real_sessions.execute(delete(User).where(User.id == lead_id))
        real_sessions.commit()


Request = tuple[str, str, dict[str, Any]]  # method, path under the mission, JSON body


def held_first_time(real: Callable[..., Any], holding: threading.Event, release: threading.Event):
    """`real`, except that its first call, once done, waits (inside its request's transaction)
    until `release` is set; `holding` says it got there."""
    first = threading.Lock()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if first.acquire(blocking=False):
            holding.set()
            release.wait(WAIT_LIMIT_S)
        return result

    return wrapper


def two_requests(
    app,
    header: dict[str, str],
    mission_id: uuid.UUID,
    first: Request,
    second: Request,
    holding: threading.Event,
    release: threading.Event,
) -> dict[str, Any]:
    """`first` runs until the patched call holds it (`held_first_time`); then `second` starts,
    and runs until it is done or waits for a lock; then `first` goes on. Each answer's status
    and body, and whether `second` waited."""
    answers: dict[str, Any] = {}

    def send(label: str, request: Request) -> None:
        method, path, body = request
        try:
            response = app.test_client().open(
                f"/api/v1/missions/{mission_id}{path}", method=method, json=body, headers=header
            )
            answers[label] = (response.status_code, response.json)
        finally:
            holding.set()  # a first request that failed early lets the other one go
            db.session.remove()

    one = threading.Thread(target=send, args=("first", first))
    one.start()
    holding.wait(WAIT_LIMIT_S)
    two = threading.Thread(target=send, args=("second", second))
    two.start()
    with db.engine.connect() as observer:
        deadline = time.monotonic() + SECOND_WAITS_S
        while two.is_alive() and waiting_on_locks(observer) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    answers["second_waited"] = two.is_alive()
    release.set()
    one.join(WAIT_LIMIT_S)
    two.join(WAIT_LIMIT_S)
    return answers


def saved(mission_id: uuid.UUID, test_id: uuid.UUID) -> tuple[str, str | None, int]:
    db.session.expire_all()
    mission = db.session.get(Mission, mission_id)
    test = db.session.get(MissionTest, test_id)
    return mission.status, test.target_host, mission.version


def test_an_archive_saved_while_a_test_is_being_changed_waits_for_it(
    app, lead_mission, monkeypatch
):
    """Blue saves a test's target; the lead archives the mission before that save commits.
    Before: the archive committed at once, and the test change landed after it, in a mission
    already archived (read-only). Now the archive waits for the save, then wins."""
    header, mission_id, (test_id, _), workspace_id = lead_mission
    holding, release = threading.Event(), threading.Event()
    monkeypatch.setattr(
        tests_service, "update_test", held_first_time(tests_service.update_test, holding, release)
    )

    answers = two_requests(
        app,
        header,
        mission_id,
        ("PATCH", f"/tests/{test_id}", {"target_host": "DC-01"}),
        ("PATCH", "", {"status": "archived"}),
        holding,
        release,
    )

    assert answers["first"][0] == 200, answers
    assert answers["second"][0] == 200, answers
    assert answers["second_waited"], "the archive did not wait for the write under way"
    # The write landed and the archive after it (not the order the answers came back in: the
    # write reads its test again after committing, so under load the archive may answer first).
    with acting_in(workspace_id):
        assert saved(mission_id, test_id) == ("archived", "DC-01", 2)


@pytest.mark.parametrize(
    "write",
    [
        ("PATCH", "/tests/{test_id}", {"target_host": "DC-01"}),
        ("POST", "/notes", {"content": "Seen by the SOC at 10:02."}),
        ("POST", "/tests", {"name": "Pass the hash"}),
        ("POST", "/tests/{test_id}/retest", {}),
    ],
    ids=["test change", "note", "new test", "retest"],
)
def test_a_write_started_while_the_archive_is_saved_is_refused(
    app, lead_mission, monkeypatch, write
):
    """The lead's archive is saved but not yet committed when a write arrives. Before: the
    write read the mission as it was (not archived) and landed in the archived mission. Now it
    waits for the archive, then is 409 and changes nothing."""
    header, mission_id, (test_id, _), workspace_id = lead_mission
    holding, release = threading.Event(), threading.Event()
    monkeypatch.setattr(
        missions_service,
        "update_mission",
        held_first_time(missions_service.update_mission, holding, release),
    )
    method, path, body = write

    answers = two_requests(
        app,
        header,
        mission_id,
        ("PATCH", "", {"status": "archived"}),
        (method, path.format(test_id=test_id), body),
        holding,
        release,
    )

    assert answers["first"][0] == 200, answers
    status, problem = answers["second"]
    assert status == 409, answers
    assert "is archived, so it is read-only" in problem["detail"]
    assert answers["second_waited"], "the write did not wait for the archive"
    with acting_in(workspace_id):
        assert saved(mission_id, test_id) == ("archived", None, 2)
        assert (
            db.session.scalar(select(MissionNote.id).where(MissionNote.mission_id == mission_id))
            is None
        )
        names = db.session.scalars(
            select(MissionTest.name).where(MissionTest.mission_id == mission_id)
        ).all()
        assert sorted(names) == ["DCSync", "Kerberoasting"]


@pytest.mark.parametrize(
    ("first", "second", "second_waits"),
    [
        # Two changes of two tests: both share the mission's lock, neither waits.
        (
            ("PATCH", "/tests/{one}", {"target_host": "DC-01"}),
            ("PATCH", "/tests/{two}", {"source_host": "WS-12"}),
            False,
        ),
        # A test change, then the mission's own PATCH (its version bumps): it waits.
        (
            ("PATCH", "/tests/{one}", {"target_host": "DC-01"}),
            ("PATCH", "", {"environment": "Prod EU"}),
            True,
        ),
        # The other way round.
        (
            ("PATCH", "", {"environment": "Prod EU"}),
            ("PATCH", "/tests/{one}", {"target_host": "DC-01"}),
            True,
        ),
        # Two new tests (each locks the test list): with a shared lock first, each waited for
        # the other's to lock the list: a deadlock.
        (
            ("POST", "/tests", {"name": "Pass the hash"}),
            ("POST", "/tests", {"name": "Golden ticket"}),
            True,
        ),
        (
            ("POST", "/tests/{one}/retest", {}),
            ("PATCH", "/tests/{two}", {"source_host": "WS-12"}),
            True,
        ),
    ],
    ids=["two test changes", "test change, mission", "mission, test change", "two new", "retest"],
)
def test_two_writes_under_one_mission_at_once_both_land(
    app, lead_mission, monkeypatch, first, second, second_waits
):
    """Each request is held right after `@mission_scoped` locked the mission, as the other
    one arrives: none waits for the other in a circle (a deadlock is a 503), both land."""
    header, mission_id, (one, two), _ = lead_mission
    holding, release = threading.Event(), threading.Event()
    monkeypatch.setattr(
        access_routes, "load_access", held_first_time(access_routes.load_access, holding, release)
    )

    def filled(request: Request) -> Request:
        method, path, body = request
        return method, path.format(one=one, two=two), body

    answers = two_requests(app, header, mission_id, filled(first), filled(second), holding, release)

    assert answers["first"][0] in (200, 201), answers
    assert answers["second"][0] in (200, 201), answers
    assert answers["second_waited"] == second_waits, answers
