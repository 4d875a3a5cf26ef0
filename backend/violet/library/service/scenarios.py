"""Scenario templates: an ordered list of test templates, replaced as a whole.

Replacing the order locks the scenario row first (`SELECT … FOR UPDATE`), then deletes and
inserts its positions: two replaces at once run one after the other, so the final order is
exactly one of them, never a mix.

A soft-deleted template keeps its positions (the foreign key is RESTRICT and templates are never
removed); the scenario's reads load templates including deleted ones and mark them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from violet.core.errors import NotFound, Unprocessable
from violet.core.models import including_deleted
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.extensions import db
from violet.library.models import ScenarioTemplate, ScenarioTemplateTest, TestTemplate


def get_scenario(
    scenario_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> ScenarioTemplate:
    """The scenario with its ordered tests and their templates (deleted templates included)."""
    statement = (
        select(ScenarioTemplate)
        .where(ScenarioTemplate.id == scenario_id)
        .options(
            selectinload(ScenarioTemplate.tests)
            .selectinload(ScenarioTemplateTest.test_template)
            .selectinload(TestTemplate.mitre_links)
        )
        .execution_options(populate_existing=True)
    )
    # The automatic soft-delete filter would hide deleted templates from the loaded tests too,
    # so this statement opts out and filters the scenario itself.
    if not include_deleted:
        statement = statement.where(ScenarioTemplate.deleted_at.is_(None))
    if for_update:
        statement = statement.with_for_update(of=ScenarioTemplate)
    scenario = db.session.scalar(including_deleted(statement))
    if scenario is None:
        raise NotFound("No such scenario template.")
    return scenario


def list_scenarios(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of scenarios with their test counts; filters `q`, `include_deleted`."""
    statement = including_deleted(select(ScenarioTemplate), query["include_deleted"])
    if q := query.get("q"):
        statement = statement.where(
            contains_any(q, ScenarioTemplate.name, ScenarioTemplate.description)
        )
    return paginate(
        statement,
        query,
        sortable={
            "name": ScenarioTemplate.name,
            "created_at": ScenarioTemplate.created_at,
            "updated_at": ScenarioTemplate.updated_at,
        },
        default_sort="name",
        tiebreaker=ScenarioTemplate.id,
    )


def create_scenario(workspace_id: uuid.UUID, values: dict[str, Any]) -> ScenarioTemplate:
    scenario = ScenarioTemplate(
        workspace_id=workspace_id, name=values["name"], description=values.get("description")
    )
    db.session.add(scenario)
    db.session.flush()
    test_template_ids = values.get("test_template_ids") or []
    _check_templates(test_template_ids, allowed_deleted=set())
    _write_positions(scenario.id, test_template_ids)
    return scenario


def update_scenario(scenario: ScenarioTemplate, changes: dict[str, Any]) -> ScenarioTemplate:
    """PATCH: an absent key is unchanged, `null` clears the description."""
    if "name" in changes:
        if changes["name"] is None:
            raise Unprocessable(
                "A scenario needs a name.", errors={"name": ["Field may not be null."]}
            )
        scenario.name = changes["name"]
    if "description" in changes:
        scenario.description = changes["description"]
    db.session.flush()
    return scenario


def replace_tests(scenario_id: uuid.UUID, test_template_ids: list[uuid.UUID]) -> ScenarioTemplate:
    """Make the scenario's order exactly `test_template_ids` (duplicates allowed).

    Ids must be live templates, or templates already in the scenario (a deleted template keeps
    its place when the rest is reordered); any other id → 422 and nothing changes.
    """
    scenario = get_scenario(scenario_id, for_update=True)
    already_there = {test.test_template_id for test in scenario.tests}
    _check_templates(test_template_ids, allowed_deleted=already_there)
    db.session.execute(
        delete(ScenarioTemplateTest).where(ScenarioTemplateTest.scenario_id == scenario.id)
    )
    _write_positions(scenario.id, test_template_ids)
    # The positions are written with plain statements; changing the row itself makes the
    # write bump the scenario's version (and meet the If-Match check) like any other.
    scenario.updated_at = func.now()
    db.session.flush()
    return scenario


def _check_templates(
    test_template_ids: list[uuid.UUID], *, allowed_deleted: set[uuid.UUID]
) -> None:
    """422 naming every id that is neither a live template nor in `allowed_deleted`."""
    wanted = set(test_template_ids) - allowed_deleted
    if not wanted:
        return
    live = set(db.session.scalars(select(TestTemplate.id).where(TestTemplate.id.in_(wanted))))
    unknown = [str(i) for i in dict.fromkeys(test_template_ids) if i in wanted and i not in live]
    if unknown:
        raise Unprocessable(
            f"Unknown test template: {', '.join(unknown)}.",
            errors={"test_template_ids": [f"Unknown test template: {i}." for i in unknown]},
        )


def _write_positions(scenario_id: uuid.UUID, test_template_ids: list[uuid.UUID]) -> None:
    if not test_template_ids:
        return
    db.session.execute(
        insert(ScenarioTemplateTest),
        [
            {"scenario_id": scenario_id, "test_template_id": template_id, "position": position}
            for position, template_id in enumerate(test_template_ids)
        ],
    )


def delete_scenario(scenario: ScenarioTemplate) -> None:
    scenario.soft_delete()
    db.session.flush()


def restore_scenario(scenario: ScenarioTemplate) -> ScenarioTemplate:
    if scenario.is_deleted:
        scenario.restore()
        db.session.flush()
    return scenario
