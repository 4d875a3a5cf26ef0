"""`/scenario-templates`: ordered lists of test templates, replaced as a whole."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import check_include_deleted, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.tenancy import current_workspace_id
from violet.core.versioning import versioned
from violet.extensions import db
from violet.library.schemas import (
    SCENARIO_EXAMPLE,
    SCENARIO_TESTS_EXAMPLE,
    IncludeDeletedQuery,
    ScenarioTemplateCreate,
    ScenarioTemplateDetailOut,
    ScenarioTemplateOut,
    ScenarioTemplateQuery,
    ScenarioTemplateUpdate,
    ScenarioTestsIn,
)
from violet.library.service import scenarios

blp = Blueprint(
    "scenario-templates",
    __name__,
    description="Scenario templates: ordered test templates to copy into missions.",
)


@blp.route("")
class ScenarioTemplates(MethodView):
    @require_perm("scenario_template.read")
    @list_response(blp, ScenarioTemplateQuery, ScenarioTemplateOut)
    def get(self, query):
        """List scenarios (with their number of tests); filter by text (`q`)."""
        check_include_deleted(query["include_deleted"], "scenario_template.delete")
        return scenarios.list_scenarios(query)

    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTemplateCreate, example=SCENARIO_EXAMPLE)
    @blp.response(201, ScenarioTemplateDetailOut)
    @blp.alt_response(422, description="Invalid field or unknown test template id.")
    @versioned
    def post(self, payload):
        """Create a scenario, optionally with its tests in order."""
        scenario = scenarios.create_scenario(current_workspace_id(), payload)
        db.session.commit()
        return scenarios.get_scenario(scenario.id)


@blp.route("/<uuid:scenario_id>")
class ScenarioTemplateById(MethodView):
    @require_perm("scenario_template.read")
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, ScenarioTemplateDetailOut)
    @versioned
    def get(self, query, scenario_id: UUID):
        """One scenario with its ordered tests; a deleted template shows `deleted: true`."""
        check_include_deleted(query["include_deleted"], "scenario_template.delete")
        return scenarios.get_scenario(scenario_id, include_deleted=query["include_deleted"])

    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTemplateUpdate, example={"description": None})
    @blp.response(200, ScenarioTemplateDetailOut)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @versioned
    def patch(self, payload, scenario_id: UUID):
        """Rename or describe a scenario: an absent key is unchanged, `null` clears."""
        scenarios.update_scenario(scenarios.get_scenario(scenario_id, for_update=True), payload)
        db.session.commit()
        return scenarios.get_scenario(scenario_id)

    @require_perm("scenario_template.delete")
    @blp.response(204)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @versioned
    def delete(self, scenario_id: UUID):
        """Delete a scenario (soft: restorable)."""
        scenarios.delete_scenario(scenarios.get_scenario(scenario_id, for_update=True))
        db.session.commit()


@blp.route("/<uuid:scenario_id>/restore")
class ScenarioTemplateRestore(MethodView):
    @require_perm("scenario_template.delete")
    @blp.response(200, ScenarioTemplateDetailOut)
    @versioned
    def post(self, scenario_id: UUID):
        """Bring a deleted scenario back."""
        scenarios.restore_scenario(
            scenarios.get_scenario(scenario_id, include_deleted=True, for_update=True)
        )
        db.session.commit()
        return scenarios.get_scenario(scenario_id)


@blp.route("/<uuid:scenario_id>/tests")
class ScenarioTemplateTests(MethodView):
    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTestsIn, example=SCENARIO_TESTS_EXAMPLE)
    @blp.response(200, ScenarioTemplateDetailOut)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @blp.alt_response(422, description="An unknown test template id; nothing changed.")
    @versioned
    def put(self, payload, scenario_id: UUID):
        """Replace the ordered tests in one transaction (a template may appear several times).

        Ids must be live templates or templates already in the scenario (a deleted template
        keeps its place when the rest is reordered).
        """
        scenarios.replace_tests(scenario_id, payload["test_template_ids"])
        db.session.commit()
        return scenarios.get_scenario(scenario_id)
