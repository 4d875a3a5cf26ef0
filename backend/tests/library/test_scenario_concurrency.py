"""Two replaces of a scenario's order at once, on two connections: the result is one of them.

This test commits for real (each thread has its own session and connection), so it builds and
removes its own rows instead of relying on the rolled-back test transaction.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from tests.concurrency import waiting_on_locks
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.library.models import ScenarioTemplate, ScenarioTemplateTest, TestTemplate
from violet.library.service import scenarios

WAIT_LIMIT_S = 30  # how long to wait for both replaces to queue (a guard, not an assertion)


@pytest.fixture
def real_sessions(app, monkeypatch):
    """Thread-local sessions on the engine: each thread its own connection, commits are real."""
    sessions = scoped_session(sessionmaker(bind=db.engine))
    monkeypatch.setattr(db, "session", sessions)
    yield sessions
    sessions.remove()


@pytest.fixture
def committed_scenario(real_sessions, default_workspace):
    """A scenario over four committed templates in the default workspace; removed afterwards."""
    workspace_id = default_workspace.id
    with acting_in(workspace_id):
        templates = [
            TestTemplate(workspace_id=workspace_id, name=f"concurrency {letter}")
            for letter in "ABCD"
        ]
        scenario = ScenarioTemplate(workspace_id=workspace_id, name=f"concurrency {uuid.uuid4()}")
        real_sessions.add_all([*templates, scenario])
        real_sessions.commit()
        ids = scenario.id, [template.id for template in templates]
    yield workspace_id, *ids
    with acting_in(workspace_id):
        real_sessions.rollback()
        real_sessions.execute(delete(ScenarioTemplate).where(ScenarioTemplate.id == ids[0]))
        real_sessions.execute(delete(TestTemplate).where(TestTemplate.id.in_(ids[1])))
        real_sessions.commit()


def test_two_concurrent_replaces_never_leave_a_mixed_order(app, committed_scenario):
    workspace_id, scenario_id, (a, b, c, d) = committed_scenario
    first, second = [a, b, c, a], [d, c]
    outcomes: dict[str, object] = {}

    def replace(label: str, order: list[uuid.UUID]) -> None:
        with app.app_context(), acting_in(workspace_id):
            try:
                scenarios.replace_tests(scenario_id, order)
                db.session.commit()
                outcomes[label] = "ok"
            except Exception as error:  # reported by the assertion below
                db.session.rollback()
                outcomes[label] = error
            finally:
                db.session.remove()

    # A third connection holds the scenario row, so both replaces are in flight at once.
    with db.engine.connect() as blocker:
        transaction = blocker.begin()
        blocker.execute(
            text("SELECT id FROM scenario_templates WHERE id = :id FOR UPDATE"), {"id": scenario_id}
        )
        threads = [
            threading.Thread(target=replace, args=("first", first)),
            threading.Thread(target=replace, args=("second", second)),
        ]
        for thread in threads:
            thread.start()
        with db.engine.connect() as observer:
            deadline = time.monotonic() + WAIT_LIMIT_S
            while waiting_on_locks(observer) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            queued = waiting_on_locks(observer)
        transaction.rollback()
    for thread in threads:
        thread.join(WAIT_LIMIT_S)

    assert queued == 2, f"both replaces should have been waiting at the same time: {outcomes}"
    assert outcomes == {"first": "ok", "second": "ok"}
    with acting_in(workspace_id):
        final, version = replaced_order_and_version(scenario_id)
    assert final in (first, second)
    assert version == 3, "each replace bumped the version once"


def replaced_order_and_version(scenario_id: uuid.UUID) -> tuple[list[uuid.UUID], int]:
    final = list(
        db.session.scalars(
            select(ScenarioTemplateTest.test_template_id)
            .where(ScenarioTemplateTest.scenario_id == scenario_id)
            .order_by(ScenarioTemplateTest.position)
        )
    )
    version = db.session.scalar(
        select(ScenarioTemplate.version).where(ScenarioTemplate.id == scenario_id)
    )
    return final, version
