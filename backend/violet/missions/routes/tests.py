"""`/missions/{mission_id}/tests`: the mission's tests, worked by red and blue.

Members read them; who writes which field depends on the caller's role in the mission
(service/tests.py). A test of a mission the caller may not see is 404.
"""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import require_auth
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db
from violet.missions.routes.access import (
    locks_mission,
    mission_access,
    mission_rule,
    mission_scoped,
)
from violet.missions.schemas import (
    DetectionIn,
    IncludeDeletedQuery,
    MissionTestCreate,
    MissionTestOut,
    MissionTestQuery,
    MissionTestUpdate,
    TestOrderIn,
)
from violet.missions.service import tests as mission_tests
from violet.missions.service.access import check_include_deleted_in_mission, check_manages

blp = Blueprint(
    "mission-tests",
    __name__,
    description="Mission tests: state machine, red and blue fields, per-tool detections, retests.",
)


@blp.route("")
class MissionTests(MethodView):
    @require_auth
    @mission_scoped
    @list_response(blp, MissionTestQuery, MissionTestOut)
    def get(self, query, mission_id: UUID):
        """The mission's tests in order; filter by state, tactic, technique (with its
        sub-techniques), detection level, category, scenario, text (`q`) and `latest` run."""
        access = mission_access(mission_id)
        check_include_deleted_in_mission(access, query["include_deleted"])
        return mission_tests.list_tests(mission_id, query)

    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.arguments(MissionTestCreate)
    @blp.response(201, MissionTestOut)
    @versioned
    def post(self, payload, mission_id: UUID):
        """Add one test at the end: from `test_template_id` (needs `test_template.read`; other
        fields override the copy) or ad hoc (`name`, fields, `mitre` tags from the catalogue)."""
        test = mission_tests.add_test(mission_access(mission_id), payload)
        db.session.commit()
        return test


@blp.route("/order")
class MissionTestOrder(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.arguments(TestOrderIn)
    @blp.response(204)
    def put(self, payload, mission_id: UUID):
        """Reorder the tests: `test_ids` lists every live test of the mission once."""
        mission_tests.reorder_tests(mission_access(mission_id), payload["test_ids"])
        db.session.commit()


@blp.route("/<uuid:test_id>")
class MissionTestById(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, MissionTestOut)
    @versioned
    def get(self, query, mission_id: UUID, test_id: UUID):
        """One test with its tags, detections and `ETag: "<version>"`."""
        access = mission_access(mission_id)
        check_include_deleted_in_mission(access, query["include_deleted"])
        return mission_tests.get_test(mission_id, test_id, include_deleted=query["include_deleted"])

    @require_auth
    @mission_scoped
    @mission_rule(mission_tests.check_may_edit)
    @blp.arguments(MissionTestUpdate)
    @blp.response(200, MissionTestOut)
    @blp.alt_response(403, description="A field the caller's role may not change (named).")
    @blp.alt_response(409, description="A transition the state machine forbids (both named).")
    @blp.alt_response(412, description="If-Match names a stale version.")
    @versioned
    def patch(self, payload, mission_id: UUID, test_id: UUID):
        """Change a test. Red writes the red fields and moves the state, blue the blue fields,
        the lead everything; a forbidden field → 403 naming it, nothing changed.

        Moving to `waiting_blue` fills `executed_at`/`executed_by` unless red gave them.
        """
        access = mission_access(mission_id)
        test = mission_tests.update_test(
            access, mission_tests.get_test(mission_id, test_id, for_update=True), payload
        )
        db.session.commit()
        return test

    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.response(204)
    @blp.alt_response(409, description="The run has a newer run (a retest): remove that first.")
    @versioned
    def delete(self, mission_id: UUID, test_id: UUID):
        """Remove a test from the mission (soft; the lead).

        A run that has a newer run (its retest) is removed after it: 409 naming it."""
        mission_tests.delete_test(mission_id, test_id)
        db.session.commit()


@blp.route("/<uuid:test_id>/restore")
class MissionTestRestore(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.response(200, MissionTestOut)
    @versioned
    def post(self, mission_id: UUID, test_id: UUID):
        """Bring a removed test back (the lead)."""
        test = mission_tests.restore_test(mission_id, test_id)
        db.session.commit()
        return test


@blp.route("/<uuid:test_id>/detections")
class MissionTestDetections(MethodView):
    @require_auth
    @mission_scoped
    @mission_rule(mission_tests.check_may_record_detections)
    @blp.arguments(DetectionIn(many=True))
    @blp.response(200, MissionTestOut)
    @versioned
    def put(self, payload, mission_id: UUID, test_id: UUID):
        """Replace the test's per-tool outcomes (blue or lead), one per tool.

        The test's `detection_level_id` becomes the best-scoring of them (a level without a
        score counts only when no tool has a scored one).
        """
        access = mission_access(mission_id)
        test = mission_tests.replace_detections(
            access, mission_tests.get_test(mission_id, test_id, for_update=True), payload
        )
        db.session.commit()
        return test


@blp.route("/<uuid:test_id>/retest")
class MissionTestRetest(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(mission_tests.check_may_retest)
    @blp.response(201, MissionTestOut)
    def post(self, mission_id: UUID, test_id: UUID):
        """A new pending run of the test, linked by `retest_of_id` (red or lead); the earlier
        run keeps its results, and coverage uses the latest run."""
        access = mission_access(mission_id)
        test = mission_tests.retest(access, mission_tests.get_test(mission_id, test_id))
        db.session.commit()
        return test
