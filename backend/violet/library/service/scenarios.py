"""Scenario templates: an ordered list of test templates, replaced as a whole.

Replacing the order locks the scenario row first (`SELECT … FOR UPDATE`), then deletes and
inserts its positions: two replaces at once run one after the other, so the final order is
exactly one of them, never a mix.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from violet.core.errors import NotFound, Unprocessable
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.core.versioning import check_version
from violet.extensions import db
from violet.library.models import ScenarioTemplate, ScenarioTemplateTest, TestTemplate


def get_scenario(
    scenario_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> ScenarioTemplate:
    """The scenario with its ordered tests and their templates (deleted templates included)."""
    statement = (
        ScenarioTemplate.select_active(include_deleted)
        .where(ScenarioTemplate.id == scenario_id)
        .options(
            selectinload(ScenarioTemplate.tests)
            .selectinload(ScenarioTemplateTest.test_template)
            .selectinload(TestTemplate.mitre_links)
        )
        .execution_options(populate_existing=True)
    )
    if for_update:
        statement = statement.with_for_update(of=ScenarioTemplate)
    scenario = db.session.scalar(statement)
    if scenario is None:
        raise NotFound("No such scenario template.")
    return scenario


def list_scenarios(
    *,
    q: str | None = None,
    include_deleted: bool = False,
    limit: int,
    offset: int,
    sort: str | None,
) -> dict[str, Any]:
    statement = ScenarioTemplate.select_active(include_deleted)
    if q:
        statement = statement.where(
            contains_any(q, ScenarioTemplate.name, ScenarioTemplate.description)
        )
    return paginate(
        db.session,
        statement,
        limit=limit,
        offset=offset,
        sort=sort,
        sortable={
            "name": ScenarioTemplate.name,
            "created_at": ScenarioTemplate.created_at,
            "updated_at": ScenarioTemplate.updated_at,
        },
        default_sort="name",
        tiebreaker=ScenarioTemplate.id,
    )


def create_scenario(values: dict[str, Any], *, by: uuid.UUID | None) -> ScenarioTemplate:
    scenario = ScenarioTemplate(
        name=values["name"],
        description=values.get("description"),
        created_by=by,
        updated_by=by,
    )
    db.session.add(scenario)
    db.session.flush()
    test_template_ids = values.get("test_template_ids") or []
    if test_template_ids:
        _check_templates(test_template_ids, allowed_deleted=set())
        _write_positions(scenario.id, test_template_ids)
    return scenario


def update_scenario(
    scenario: ScenarioTemplate,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    by: uuid.UUID | None,
) -> ScenarioTemplate:
    check_version(scenario.version, expected_version)
    if "name" in changes:
        if changes["name"] is None:
            raise Unprocessable(
                "A scenario needs a name.", errors={"name": ["Field may not be null."]}
            )
        scenario.name = changes["name"]
    if "description" in changes:
        scenario.description = changes["description"]
    _touch(scenario, by)
    db.session.flush()
    return scenario


def replace_tests(
    scenario_id: uuid.UUID,
    test_template_ids: list[uuid.UUID],
    *,
    expected_version: int | None,
    by: uuid.UUID | None,
) -> ScenarioTemplate:
    """Make the scenario's order exactly `test_template_ids` (duplicates allowed).

    Ids must be live templates, or templates already in the scenario (a deleted template keeps
    its place when the rest is reordered); any other id → 422 and nothing changes.
    """
    scenario = get_scenario(scenario_id, for_update=True)
    check_version(scenario.version, expected_version)
    already_there = {test.test_template_id for test in scenario.tests}
    _check_templates(test_template_ids, allowed_deleted=already_there)
    db.session.execute(
        delete(ScenarioTemplateTest).where(ScenarioTemplateTest.scenario_id == scenario.id)
    )
    _write_positions(scenario.id, test_template_ids)
    _touch(scenario, by)
    db.session.flush()
    return scenario


def _check_templates(
    test_template_ids: list[uuid.UUID], *, allowed_deleted: set[uuid.UUID]
) -> None:
    wanted = set(test_template_ids) - allowed_deleted
    if not wanted:
        return
    live = set(
        db.session.scalars(
            select(TestTemplate.id).where(
                TestTemplate.id.in_(wanted), TestTemplate.deleted_at.is_(None)
            )
        )
    )
    unknown = [
        str(template_id)
        for template_id in dict.fromkeys(test_template_ids)
        if template_id in wanted and template_id not in live
    ]
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


def _touch(scenario: ScenarioTemplate, by: uuid.UUID | None) -> None:
    """Record the writer; an SQL `updated_at` makes every write an UPDATE that bumps `version`."""
    scenario.updated_by = by
    scenario.updated_at = func.now()


def delete_scenario(
    scenario: ScenarioTemplate, *, expected_version: int | None, by: uuid.UUID | None
) -> None:
    check_version(scenario.version, expected_version)
    scenario.soft_delete(by)
    _touch(scenario, by)
    db.session.flush()


def restore_scenario(scenario: ScenarioTemplate, *, by: uuid.UUID | None) -> ScenarioTemplate:
    if scenario.is_deleted:
        scenario.restore()
        _touch(scenario, by)
        db.session.flush()
    return scenario
