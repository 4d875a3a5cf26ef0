"""`/scenario-templates`: ordered lists of test templates, replaced as a whole."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint

from violet.core.auth import check_include_deleted, current_user_id, require_perm
from violet.core.pagination import page_of
from violet.extensions import db
from violet.library.routes.common import IF_MATCH_DOC, if_match, with_etag
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
    @blp.arguments(ScenarioTemplateQuery, location="query")
    @blp.response(200, page_of(ScenarioTemplateOut))
    def get(self, query):
        """List scenarios (with their number of tests); filter by text (`q`)."""
        check_include_deleted(query["include_deleted"], "scenario_template.delete")
        return scenarios.list_scenarios(**query)

    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTemplateCreate, example=SCENARIO_EXAMPLE)
    @blp.response(201, ScenarioTemplateDetailOut)
    @blp.alt_response(422, description="Invalid field or unknown test template id.")
    def post(self, payload):
        """Create a scenario, optionally with its tests in order."""
        scenario = scenarios.create_scenario(payload, by=current_user_id())
        db.session.commit()
        return with_etag(scenarios.get_scenario(scenario.id), 201)


@blp.route("/<uuid:scenario_id>")
class ScenarioTemplateById(MethodView):
    @require_perm("scenario_template.read")
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, ScenarioTemplateDetailOut)
    def get(self, query, scenario_id: UUID):
        """One scenario with its ordered tests; a deleted template shows `deleted: true`."""
        check_include_deleted(query["include_deleted"], "scenario_template.delete")
        return with_etag(
            scenarios.get_scenario(scenario_id, include_deleted=query["include_deleted"])
        )

    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTemplateUpdate, example={"description": None})
    @blp.doc(**IF_MATCH_DOC)
    @blp.response(200, ScenarioTemplateDetailOut)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    def patch(self, payload, scenario_id: UUID):
        """Rename or describe a scenario: an absent key is unchanged, `null` clears."""
        expected = if_match()
        scenario = scenarios.update_scenario(
            scenarios.get_scenario(scenario_id, for_update=True),
            payload,
            expected_version=expected,
            by=current_user_id(),
        )
        db.session.commit()
        return with_etag(scenarios.get_scenario(scenario.id))

    @require_perm("scenario_template.delete")
    @blp.doc(**IF_MATCH_DOC)
    @blp.response(204)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    def delete(self, scenario_id: UUID):
        """Delete a scenario (soft: restorable)."""
        expected = if_match()
        scenarios.delete_scenario(
            scenarios.get_scenario(scenario_id, for_update=True),
            expected_version=expected,
            by=current_user_id(),
        )
        db.session.commit()


@blp.route("/<uuid:scenario_id>/restore")
class ScenarioTemplateRestore(MethodView):
    @require_perm("scenario_template.delete")
    @blp.response(200, ScenarioTemplateDetailOut)
    def post(self, scenario_id: UUID):
        """Bring a deleted scenario back."""
        scenario = scenarios.restore_scenario(
            scenarios.get_scenario(scenario_id, include_deleted=True, for_update=True),
            by=current_user_id(),
        )
        db.session.commit()
        return with_etag(scenarios.get_scenario(scenario.id))


@blp.route("/<uuid:scenario_id>/tests")
class ScenarioTemplateTests(MethodView):
    @require_perm("scenario_template.write")
    @blp.arguments(ScenarioTestsIn, example=SCENARIO_TESTS_EXAMPLE)
    @blp.doc(**IF_MATCH_DOC)
    @blp.response(200, ScenarioTemplateDetailOut)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @blp.alt_response(422, description="An unknown test template id; nothing changed.")
    def put(self, payload, scenario_id: UUID):
        """Replace the ordered tests in one transaction (a template may appear several times).

        Ids must be live templates or templates already in the scenario (a deleted template
        keeps its place when the rest is reordered).
        """
        expected = if_match()
        scenario = scenarios.replace_tests(
            scenario_id,
            payload["test_template_ids"],
            expected_version=expected,
            by=current_user_id(),
        )
        db.session.commit()
        return with_etag(scenarios.get_scenario(scenario.id))
