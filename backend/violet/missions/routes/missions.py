"""`/missions`: missions, their members, categories and scenarios.

Every route under `/missions/{mission_id}` answers 404 when the caller may not see the mission
(service/access.py); changes need its lead or `mission.manage_all` (403 otherwise).
"""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import require_auth, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db
from violet.missions.routes.access import (
    allowed_while_archived,
    locks_mission,
    managed_mission,
    mission_access,
    mission_rule,
    mission_scoped,
)
from violet.missions.schemas import (
    CategoryCreate,
    CategoryOut,
    CategoryUpdate,
    IncludeDeletedQuery,
    MemberCandidateOut,
    MemberCandidateQuery,
    MissionCreate,
    MissionMemberIn,
    MissionMemberOut,
    MissionOut,
    MissionQuery,
    MissionScenarioOut,
    MissionUpdate,
    ScenarioIn,
)
from violet.missions.service import missions
from violet.missions.service import tests as mission_tests
from violet.missions.service.access import (
    LEAD,
    check_include_deleted_in_mission,
    check_manages,
    usable_role,
)

blp = Blueprint(
    "missions",
    __name__,
    description="Missions: members and roles, categories, scenarios copied from the library.",
)


@blp.route("")
class Missions(MethodView):
    @require_auth
    @list_response(blp, MissionQuery, MissionOut)
    def get(self, query):
        """The caller's missions (every mission with `mission.read_all`), with progress.

        Each carries `progress` (`tests_total`, `tests_by_state`, `score`) and the caller's
        `my_role`. `include_deleted=true` adds the deleted missions the caller may restore: those
        they lead, every one with `mission.manage_all`.
        """
        return missions.list_missions(query)

    @require_perm("mission.create")
    @blp.arguments(MissionCreate)
    @blp.response(201, MissionOut)
    @versioned
    def post(self, payload):
        """Create a mission; the creator becomes its lead."""
        mission = missions.create_mission(payload)
        db.session.commit()
        # As the caller will see it: an API token's mission access caps even this lead role.
        return missions.annotate(mission, usable_role(LEAD))


@blp.route("/<uuid:mission_id>")
class MissionById(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, MissionOut)
    @versioned
    def get(self, query, mission_id: UUID):
        """One mission with its progress and the caller's role."""
        access = mission_access(mission_id, include_deleted=query["include_deleted"])
        check_include_deleted_in_mission(access, query["include_deleted"])
        return missions.annotate(access.mission, access.role)

    @require_auth
    @mission_scoped
    @locks_mission
    @allowed_while_archived
    @mission_rule(check_manages)
    @blp.arguments(MissionUpdate)
    @blp.response(200, MissionOut)
    @blp.alt_response(
        409, description="Archived: a field other than `status` would change (named)."
    )
    @versioned
    def patch(self, payload, mission_id: UUID):
        """Change the mission (lead or `mission.manage_all`); If-Match: stale → 412.

        An archived mission is read-only: changing its `status` reopens it (other fields may
        change in the same request); any other change while it stays archived is 409 naming
        the fields."""
        access = mission_access(mission_id)
        mission = missions.update_mission(access, payload)
        db.session.commit()
        return missions.annotate(mission, access.role)

    @require_auth
    @mission_scoped
    @locks_mission
    @allowed_while_archived
    @blp.response(204)
    @versioned
    def delete(self, mission_id: UUID):
        """Delete the mission (soft; lead or `mission.manage_all`), archived or not."""
        missions.delete_mission(managed_mission(mission_id))
        db.session.commit()


@blp.route("/<uuid:mission_id>/restore")
class MissionRestore(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @allowed_while_archived
    @blp.response(200, MissionOut)
    @versioned
    def post(self, mission_id: UUID):
        """Bring a deleted mission back (lead or `mission.manage_all`)."""
        access = managed_mission(mission_id, include_deleted=True)
        mission = missions.restore_mission(access)
        db.session.commit()
        return missions.annotate(mission, access.role)


@blp.route("/<uuid:mission_id>/members")
class MissionMembers(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(200, MissionMemberOut(many=True))
    def get(self, mission_id: UUID):
        """The mission's members and their roles (lead, red, blue, viewer)."""
        return missions.list_members(mission_access(mission_id).mission.id)

    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.arguments(MissionMemberIn(many=True))
    @blp.response(200, MissionMemberOut(many=True))
    def put(self, payload, mission_id: UUID):
        """Replace the member list (lead or `mission.manage_all`); at least one lead.

        Each new member is announced with the `mission.member_added` event. A deleted member
        (listed with `deleted: true`) sent back keeps their role; left out, they are removed.
        """
        members = missions.replace_members(mission_access(mission_id), payload)
        db.session.commit()
        return members


@blp.route("/<uuid:mission_id>/member-candidates")
class MemberCandidates(MethodView):
    @require_auth
    @mission_scoped
    @mission_rule(check_manages)
    @blp.arguments(MemberCandidateQuery, location="query")
    @blp.response(200, MemberCandidateOut(many=True))
    @blp.alt_response(403, description="The caller does not manage the mission.")
    def get(self, query, mission_id: UUID):
        """Active users matching `q` (email or name), for the lead choosing members (max 20)."""
        return missions.member_candidates(query["q"])


@blp.route("/<uuid:mission_id>/categories")
class MissionCategories(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, CategoryOut(many=True))
    def get(self, query, mission_id: UUID):
        """The mission's categories, by name."""
        access = mission_access(mission_id)
        check_include_deleted_in_mission(access, query["include_deleted"])
        return missions.list_categories(mission_id, include_deleted=query["include_deleted"])

    @require_auth
    @mission_scoped
    @mission_rule(check_manages)
    @blp.arguments(CategoryCreate)
    @blp.response(201, CategoryOut)
    def post(self, payload, mission_id: UUID):
        """Add a category (name unique in the mission)."""
        category = missions.create_category(mission_access(mission_id), payload)
        db.session.commit()
        return category


@blp.route("/<uuid:mission_id>/categories/<uuid:category_id>")
class MissionCategoryById(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(200, CategoryOut)
    def get(self, mission_id: UUID, category_id: UUID):
        """One category."""
        mission_access(mission_id)
        return missions.get_category(mission_id, category_id)

    @require_auth
    @mission_scoped
    @mission_rule(check_manages)
    @blp.arguments(CategoryUpdate)
    @blp.response(200, CategoryOut)
    def patch(self, payload, mission_id: UUID, category_id: UUID):
        """Rename or recolour a category."""
        category = missions.update_category(missions.get_category(mission_id, category_id), payload)
        db.session.commit()
        return category

    @require_auth
    @mission_scoped
    @mission_rule(check_manages)
    @blp.response(204)
    def delete(self, mission_id: UUID, category_id: UUID):
        """Delete a category (soft); its tests keep pointing at it."""
        missions.delete_category(missions.get_category(mission_id, category_id))
        db.session.commit()


@blp.route("/<uuid:mission_id>/categories/<uuid:category_id>/restore")
class MissionCategoryRestore(MethodView):
    @require_auth
    @mission_scoped
    @mission_rule(check_manages)
    @blp.response(200, CategoryOut)
    def post(self, mission_id: UUID, category_id: UUID):
        """Bring a deleted category back."""
        category = missions.restore_category(
            missions.get_category(mission_id, category_id, include_deleted=True)
        )
        db.session.commit()
        return category


@blp.route("/<uuid:mission_id>/scenarios")
class MissionScenarios(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(mission_tests.check_may_add_scenario)
    @blp.arguments(ScenarioIn)
    @blp.response(201, MissionScenarioOut)
    def post(self, payload, mission_id: UUID):
        """Copy a scenario template and all its live tests (fields and ATT&CK tags) into the
        mission, in one transaction, after its existing tests. Needs `scenario_template.read`."""
        added = mission_tests.add_scenario(
            mission_access(mission_id), payload["scenario_template_id"], payload["category_id"]
        )
        db.session.commit()
        return added
