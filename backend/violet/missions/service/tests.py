"""Mission tests: copied from the library or written ad hoc, worked by red and blue.

The rules live here: the state machine, which role may write which field, the per-tool
detections and the level derived from them, retests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import BindParameter, Select, and_, bindparam, func, or_, select, text
from sqlalchemy.orm import selectinload

from violet.core import audit
from violet.core.auth import current_user_id, has_permission
from violet.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from violet.core.events import publish
from violet.core.models import including_deleted, prepared, utcnow
from violet.core.pagination import attach_related, given, paginate
from violet.core.search import (
    LIKE_ESCAPE,
    contains_any_parameter,
    escape_like,
    like_pattern,
)
from violet.core.tenancy import scope_workspace_id
from violet.extensions import db
from violet.library.models import ScenarioTemplate, ScenarioTemplateTest, TestTemplate
from violet.library.service import mitre_tags
from violet.library.service.templates import with_tags
from violet.missions import events
from violet.missions.models import (
    MissionScenario,
    MissionTest,
    MissionTestDetection,
    MissionTestMitreTag,
    silent_tools,
    time_to_detect,
)
from violet.missions.service import catalogue
from violet.missions.service.access import LEAD, MissionAccess, check_manages
from violet.missions.service.missions import category_in_mission, lock_mission
from violet.mitre.models import MitreTactic, MitreTechnique, MitreTechniqueTactic

# What a test carries from its template; the lead's to change.
CONTENT_FIELDS = (
    "name",
    "description",
    "procedure",
    "cleanup",
    "prerequisites",
    "expected_detection",
    "platforms",
    "opsec_level",
)
RED_FIELDS = frozenset(
    {
        "state",
        "executed_at",
        "source_host",
        "target_host",
        "command_executed",
        "red_notes",
        "execution_result",
    }
)
BLUE_FIELDS = frozenset(
    {"detection_level_id", "detected_at", "detection_notes", "detection_refs", "expected_tool_ids"}
)
FIELDS_BY_ROLE = {
    LEAD: RED_FIELDS | BLUE_FIELDS | {*CONTENT_FIELDS, "category_id"},
    "red": RED_FIELDS,
    "blue": BLUE_FIELDS,
    "viewer": frozenset(),
}
# pending → in_progress → waiting_blue → completed; any → cancelled; completed → in_progress.
TRANSITIONS = {
    "pending": {"in_progress", "cancelled"},
    "in_progress": {"waiting_blue", "cancelled"},
    "waiting_blue": {"completed", "cancelled"},
    "completed": {"in_progress", "cancelled"},
    "cancelled": set(),
}
SORTABLE = {
    "position": MissionTest.position,
    "name": MissionTest.name,
    "state": MissionTest.state,
    "executed_at": MissionTest.executed_at,
    "updated_at": MissionTest.updated_at,
}


def with_details(statement: Select[Any]) -> Select[Any]:
    """Tags and per-tool detections in one more statement each, whatever the number of tests."""
    return statement.options(
        selectinload(MissionTest.mitre_tags), selectinload(MissionTest.detections)
    )


# What a test list item shows (MissionTestOut), selected as columns: no MissionTest objects.
TEST_LIST_COLUMNS = (
    MissionTest.id,
    MissionTest.mission_id,
    MissionTest.mission_scenario_id,
    MissionTest.test_template_id,
    MissionTest.category_id,
    MissionTest.retest_of_id,
    MissionTest.is_latest.label("is_latest"),  # type: ignore[attr-defined]
    MissionTest.position,
    *(getattr(MissionTest, name) for name in CONTENT_FIELDS),
    MissionTest.state,
    *(getattr(MissionTest, name) for name in sorted(RED_FIELDS - {"state"})),
    MissionTest.detection_level_id,
    MissionTest.detected_at,
    MissionTest.detection_notes,
    MissionTest.detection_refs,
    MissionTest.expected_tool_ids,
    MissionTest.executed_by,
    MissionTest.version,
    MissionTest.created_at,
    MissionTest.updated_at,
    MissionTest.updated_by,
    MissionTest.deleted_at,
)
# A list item's tags and per-tool outcomes, as MissionTestOut shows them (each in the order of
# the model's relationship).
TEST_TAGS = prepared(
    cast(
        Select[Any],
        select(
            MissionTestMitreTag.kind,
            MissionTestMitreTag.external_id,
            MissionTestMitreTag.name,
            MissionTestMitreTag.url,
            MissionTestMitreTag.catalogue_state.label("catalogue_state"),  # type: ignore[attr-defined]
        ).order_by(MissionTestMitreTag.kind, MissionTestMitreTag.external_id),
    )
)
TEST_DETECTIONS = prepared(
    cast(
        Select[Any],
        select(
            MissionTestDetection.tool_id,
            MissionTestDetection.detection_level_id,
            MissionTestDetection.detected_at,
            MissionTestDetection.rule_ref,
            MissionTestDetection.notes,
            MissionTestDetection.level_score.label("level_score"),  # type: ignore[attr-defined]
            MissionTestDetection.tool_name.label("tool_name"),  # type: ignore[attr-defined]
            MissionTestDetection.tool_layer.label("tool_layer"),  # type: ignore[attr-defined]
            MissionTestDetection.tool_deleted.label("tool_deleted"),  # type: ignore[attr-defined]
        ).order_by(MissionTestDetection.created_at, MissionTestDetection.id),
    )
)


def list_tests(mission_id: uuid.UUID, query: dict[str, Any]) -> dict[str, Any]:
    """Three statements: page (its columns and total), tags, detections; rows, not objects."""
    filters = {
        name: query.get(name) or None
        for name in ("state", "detection_level", "category", "scenario")
    }
    if query.get("q"):
        filters["q"] = like_pattern(query["q"])
    if query.get("technique"):
        technique = query["technique"].strip().upper()
        filters["technique"] = technique
        filters["technique_prefix"] = escape_like(f"{technique}.") + "%"
    if query.get("tactic"):
        filters["tactic"] = query["tactic"].strip().upper()
    parameters = given(filters)
    statement = _list_statement(
        frozenset(parameters), latest=query.get("latest"), include_deleted=query["include_deleted"]
    )
    page = paginate(
        statement,
        query,
        sortable=SORTABLE,
        default_sort="position",
        tiebreaker=MissionTest.id,
        parameters={**parameters, "mission_id": mission_id},
    )
    items = page["items"]
    attach_related(items, "mitre_tags", TEST_TAGS, MissionTestMitreTag.mission_test_id)
    attach_related(items, "detections", TEST_DETECTIONS, MissionTestDetection.mission_test_id)
    for item in items:  # what MissionTest's properties compute for an object
        item["time_to_detect_s"] = time_to_detect(item["executed_at"], item["detected_at"])
        outcomes = [(d["tool_id"], d["level_score"]) for d in item["detections"]]
        item["silent_tool_ids"] = silent_tools(item["expected_tool_ids"], outcomes)
    return page


@lru_cache(maxsize=256)
def _list_statement(
    filters: frozenset[str], *, latest: bool | None, include_deleted: bool
) -> Select[Any]:
    """The list's statement for one shape (the filters used), built once: the mission is the
    parameter `mission_id`, the filters' values the parameters of their names (`q` a
    `like_pattern`, ATT&CK ids in capitals, `technique_prefix` the LIKE pattern of its
    sub-techniques)."""
    statement = including_deleted(
        cast(Select[Any], select(*TEST_LIST_COLUMNS)).where(
            MissionTest.mission_id == bindparam("mission_id")
        ),
        include_deleted,
    )
    for name, column in (
        ("state", MissionTest.state),
        ("detection_level", MissionTest.detection_level_id),
        ("category", MissionTest.category_id),
        ("scenario", MissionTest.mission_scenario_id),
    ):
        if name in filters:
            statement = statement.where(column == bindparam(name))
    if latest is not None:
        is_latest = MissionTest.is_latest  # type: ignore[attr-defined]
        statement = statement.where(is_latest if latest else ~is_latest)
    if "q" in filters:
        statement = statement.where(
            contains_any_parameter(
                "q", MissionTest.name, MissionTest.description, MissionTest.procedure
            )
        )
    if "technique" in filters:
        statement = statement.where(MissionTest.id.in_(_tagged_with_technique()))
    if "tactic" in filters:
        statement = statement.where(MissionTest.id.in_(_tagged_with_tactic()))
    return prepared(statement)


def _tagged_with_technique() -> Select[Any]:
    """Tests tagged with the technique `technique` or any of its sub-techniques (those whose
    id matches `technique_prefix`)."""
    return select(MissionTestMitreTag.mission_test_id).where(
        MissionTestMitreTag.kind.in_(("technique", "subtechnique")),
        or_(
            MissionTestMitreTag.external_id == bindparam("technique"),
            MissionTestMitreTag.external_id.like(bindparam("technique_prefix"), escape=LIKE_ESCAPE),
        ),
    )


def _tagged_with_tactic() -> Select[Any]:
    """Tests tagged with the tactic `tactic`, or with a (sub-)technique that today's catalogue
    puts in it."""
    tactic: BindParameter[str] = bindparam("tactic")
    techniques_in_tactic = (
        select(MitreTechnique.external_id)
        .join(MitreTechniqueTactic, MitreTechniqueTactic.technique_id == MitreTechnique.id)
        .join(MitreTactic, MitreTactic.id == MitreTechniqueTactic.tactic_id)
        .where(MitreTactic.external_id == tactic)
    )
    return select(MissionTestMitreTag.mission_test_id).where(
        or_(
            and_(
                MissionTestMitreTag.kind == "tactic",
                MissionTestMitreTag.external_id == tactic,
            ),
            and_(
                MissionTestMitreTag.kind.in_(("technique", "subtechnique")),
                func.split_part(MissionTestMitreTag.external_id, ".", 1).in_(techniques_in_tactic),
            ),
        )
    )


def get_test(
    mission_id: uuid.UUID,
    test_id: uuid.UUID,
    *,
    include_deleted: bool = False,
    for_update: bool = False,
) -> MissionTest:
    """The test with its tags and detections; `for_update` for a write: its row is locked
    until the transaction ends and read as it is then, so two writes at once (red and blue on
    one test, a script and a browser) apply one after the other instead of the second failing
    on the version it read (412 to a write sent without If-Match). FOR NO KEY UPDATE: a retest
    or a note referencing the test is still written meanwhile."""
    statement = with_details(
        select(MissionTest).where(MissionTest.id == test_id, MissionTest.mission_id == mission_id)
    ).execution_options(populate_existing=True)
    if for_update:
        statement = statement.with_for_update(of=MissionTest, key_share=True)
    test = db.session.scalar(including_deleted(statement, include_deleted))
    if test is None:
        raise NotFound("No such test in this mission.")
    return test


# --- building the mission ------------------------------------------------------------------------


def _next_position(mission_id: uuid.UUID) -> int:
    lock_mission(mission_id)
    statement = select(func.coalesce(func.max(MissionTest.position) + 1, 0)).where(
        MissionTest.mission_id == mission_id
    )
    return int(db.session.scalar(including_deleted(statement)) or 0)


def _tag_copy(tag: Any) -> MissionTestMitreTag:
    """A copy of a tag (a template's or another run's) in the acting workspace."""
    return MissionTestMitreTag(
        workspace_id=scope_workspace_id(),
        kind=tag.kind,
        external_id=tag.external_id,
        name=tag.name,
        url=tag.url,
    )


def _copy_of(template: TestTemplate) -> dict[str, Any]:
    return {
        "test_template_id": template.id,
        **{field: getattr(template, field) for field in CONTENT_FIELDS},
        "mitre_tags": [_tag_copy(tag) for tag in template.mitre_tags],
    }


def _require_library_read(permission: str) -> None:
    if not has_permission(permission):
        raise Forbidden(f"Adding from the library needs the {permission} permission.")


def add_scenario(
    access: MissionAccess, scenario_template_id: uuid.UUID, category_id: uuid.UUID | None
) -> dict[str, Any]:
    """Copy the scenario and each of its live tests, with their tags, in the caller's
    transaction; the scenario's order becomes the tests' order at the end of the mission."""
    check_may_add_scenario(access)
    mission_id = access.mission.id
    category_in_mission(mission_id, category_id)
    scenario = db.session.scalar(
        select(ScenarioTemplate).where(ScenarioTemplate.id == scenario_template_id)
    )
    if scenario is None:
        raise Unprocessable(
            "No such scenario template.",
            errors={"scenario_template_id": [f"No live scenario template {scenario_template_id}."]},
        )
    template_ids = list(
        db.session.scalars(
            select(ScenarioTemplateTest.test_template_id)
            .where(ScenarioTemplateTest.scenario_id == scenario.id)
            .order_by(ScenarioTemplateTest.position)
        )
    )
    live_templates = {
        template.id: template
        for template in db.session.scalars(
            with_tags(select(TestTemplate)).where(TestTemplate.id.in_(template_ids))
        )
    }
    mission_scenario = MissionScenario(
        workspace_id=access.mission.workspace_id,
        mission_id=mission_id,
        scenario_template_id=scenario.id,
        name=scenario.name,
        description=scenario.description,
    )
    db.session.add(mission_scenario)
    db.session.flush()
    position = _next_position(mission_id)
    added = 0
    for template_id in template_ids:
        template = live_templates.get(template_id)
        if template is None:  # deleted from the library since it joined the scenario
            continue
        db.session.add(
            MissionTest(
                workspace_id=access.mission.workspace_id,
                mission_id=mission_id,
                mission_scenario_id=mission_scenario.id,
                category_id=category_id,
                position=position + added,
                **_copy_of(template),
            )
        )
        added += 1
    db.session.flush()
    return {
        "id": mission_scenario.id,
        "scenario_template_id": scenario.id,
        "name": mission_scenario.name,
        "tests_added": added,
    }


def add_test(access: MissionAccess, values: dict[str, Any]) -> MissionTest:
    """One test from a template (`test_template_id`, its fields overridable) or ad hoc."""
    mission_id = access.mission.id
    category_in_mission(mission_id, values.get("category_id"))
    if "expected_tool_ids" in values:
        values["expected_tool_ids"] = _checked_tools(values["expected_tool_ids"])
    template_id = values.pop("test_template_id", None)
    tags = values.pop("mitre", None)
    if template_id is not None:
        _require_library_read("test_template.read")
        if tags is not None:
            raise Unprocessable(
                "A test from a template takes the template's tags.",
                errors={"mitre": ["Not allowed with test_template_id."]},
            )
        template = db.session.scalar(
            with_tags(select(TestTemplate)).where(TestTemplate.id == template_id)
        )
        if template is None:
            raise Unprocessable(
                "No such test template.",
                errors={"test_template_id": [f"No live test template {template_id}."]},
            )
        fields = {**_copy_of(template), **values}
    else:
        if not values.get("name"):
            raise Unprocessable(
                "An ad hoc test needs a name.",
                errors={"name": ["Missing data for required field."]},
            )
        fields = {**values, "mitre_tags": _resolved_tags(tags or [])}
    test = MissionTest(
        workspace_id=access.mission.workspace_id,
        mission_id=mission_id,
        position=_next_position(mission_id),
        **fields,
    )
    db.session.add(test)
    db.session.flush()
    return get_test(mission_id, test.id)


def _resolved_tags(tags: list[dict[str, str]]) -> list[MissionTestMitreTag]:
    """Copies of catalogue objects named by (kind, external_id); an unknown one → 422, and so
    is one ATT&CK has revoked or deprecated, naming the replacement of a revoked one (the rule
    templates follow): a new test tagged T1086 would be counted as what ATT&CK no longer calls
    it. Tags copied with a template, a scenario or a retest are not typed by the user and are
    not checked here (`_copy_of`): a template tagged before a sync retired its tag still
    plans and copies as it did."""
    keys = mitre_tags.tag_keys(tags)
    found = mitre_tags.lookup(keys)
    problems = mitre_tags.problems(keys, found) + mitre_tags.retired(keys, found)
    if problems:
        raise Unprocessable("; ".join(problems), errors={"mitre": problems})
    return [
        MissionTestMitreTag(
            workspace_id=scope_workspace_id(),
            kind=kind,
            external_id=target.external_id,
            name=target.name,
            url=target.url,
        )
        for (kind, _), target in found.items()
    ]


def reorder_tests(access: MissionAccess, test_ids: list[uuid.UUID]) -> None:
    """Positions 0…n−1 in the given order; the list must hold every live test once."""
    mission_id = access.mission.id
    lock_mission(mission_id)  # a test added meanwhile must not escape the check below
    live = set(
        db.session.scalars(select(MissionTest.id).where(MissionTest.mission_id == mission_id))
    )
    missing = live - set(test_ids)
    extra = [str(test_id) for test_id in test_ids if test_id not in live]
    if missing or extra or len(test_ids) != len(live):
        problems = []
        if missing:
            problems.append(f"missing: {', '.join(sorted(map(str, missing)))}")
        if extra:
            problems.append(f"not live tests of this mission: {', '.join(extra)}")
        if len(test_ids) != len(set(test_ids)):
            problems.append("a test is listed twice")
        raise Unprocessable(
            "The order must list every live test of the mission once.",
            errors={"test_ids": problems},
        )
    # One statement; a new order is not an edit of any test, so versions stay.
    db.session.execute(
        text(
            "UPDATE mission_tests AS t SET position = o.position - 1 "
            "FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS o(id, position) "
            "WHERE t.id = o.id"
        ),
        {"ids": [str(test_id) for test_id in test_ids]},
    )


# --- red and blue --------------------------------------------------------------------------------


def check_may_edit(access: MissionAccess) -> None:
    """403 for a role that writes no field of a test (a viewer, a `mission.read_all` outsider),
    whatever fields it sent; the fields of the others are checked once read
    (`check_field_rights`)."""
    role = access.acting_role
    if not FIELDS_BY_ROLE[role]:
        raise Forbidden(f"Your role in this mission ({role}) may not change its tests.")


def check_may_record_detections(access: MissionAccess) -> None:
    """403 unless the caller records blue's per-tool outcomes: blue, or the lead."""
    if access.acting_role not in (LEAD, "blue"):
        raise Forbidden(
            f"Your role in this mission ({access.acting_role}) may not record detections."
        )


def check_may_retest(access: MissionAccess) -> None:
    """403 unless the caller may run a test again: red, or the lead."""
    if access.acting_role not in (LEAD, "red"):
        raise Forbidden(f"Your role in this mission ({access.acting_role}) may not retest.")


def check_may_add_scenario(access: MissionAccess) -> None:
    """403 unless the caller may copy a scenario into the mission: the lead (or
    `mission.manage_all`) holding `scenario_template.read`, whichever scenario they name."""
    check_manages(access)
    _require_library_read("scenario_template.read")


def check_field_rights(access: MissionAccess, fields: set[str]) -> None:
    """403 naming every field the caller's role may not write (before anything changes)."""
    role = access.acting_role
    forbidden = sorted(fields - FIELDS_BY_ROLE[role])
    if forbidden:
        raise Forbidden(
            f"Your role in this mission ({role}) may not change: {', '.join(forbidden)}.",
            errors={field: [f"Not writable by the {role} role."] for field in forbidden},
        )


def update_test(access: MissionAccess, test: MissionTest, values: dict[str, Any]) -> MissionTest:
    check_field_rights(access, set(values))
    if "category_id" in values:
        category_in_mission(test.mission_id, values["category_id"])
    if "detection_level_id" in values:
        _check_level_settable(test, values["detection_level_id"])
    if "expected_tool_ids" in values:
        values["expected_tool_ids"] = _checked_tools(
            values["expected_tool_ids"], kept=set(test.expected_tool_ids)
        )
    _check_times(
        values.get("executed_at", test.executed_at),
        values.get("detected_at", test.detected_at),
        written=set(values) & {"executed_at", "detected_at"},
        role=access.acting_role,
    )
    new_state = values.pop("state", test.state)
    handed_to_blue = new_state != test.state and new_state == "waiting_blue"
    if new_state != test.state:
        _move(test, new_state, values)
    for key, value in values.items():
        setattr(test, key, value)
    if values.get("executed_at") is not None:
        test.executed_by = current_user_id()
    db.session.flush()
    event_data = {"mission_id": test.mission_id, "test_id": test.id, "actor_id": current_user_id()}
    if handed_to_blue:
        publish(events.TEST_HANDED_TO_BLUE, **event_data)
    if values.get("detection_level_id") is not None:
        publish(events.DETECTION_RECORDED, **event_data)
    return get_test(test.mission_id, test.id)


def _move(test: MissionTest, new_state: str, values: dict[str, Any]) -> None:
    """Apply a state transition (409 naming both states when the machine forbids it)."""
    if new_state not in TRANSITIONS[test.state]:
        allowed = ", ".join(sorted(TRANSITIONS[test.state])) or "none"
        raise Conflict(
            f"A test cannot move from {test.state} to {new_state} (from {test.state}: {allowed})."
        )
    test.state = new_state
    # Red has executed the test: when and by whom, unless red said when.
    executed_now = values.get("executed_at") is None and test.executed_at is None
    if new_state == "waiting_blue" and executed_now:
        test.executed_at = utcnow()
        test.executed_by = current_user_id()


# A clock a little ahead (a browser's, a script's) is not a mistake; a time beyond it is.
FUTURE_LEEWAY = timedelta(minutes=5)


def _check_times(
    executed_at: datetime | None,
    detected_at: datetime | None,
    *,
    written: set[str],
    role: str,
) -> None:
    """The times a request writes (`written`): none in the future, and no detection before the
    execution (422 naming the field, nothing written). A future time would stay a technique's
    latest outcome across missions until then (docs/coverage.md, "Across missions"): 2036 typed
    for 2026 hides ten years of retests; a detection before the execution is a negative time to
    detect. When the execution time is the wrong one and the caller's `role` may not change it
    (blue: red's time, often stamped when red handed the test over), the message says who can."""
    problems: dict[str, list[str]] = {}
    limit = utcnow() + FUTURE_LEEWAY
    for field, moment in (("executed_at", executed_at), ("detected_at", detected_at)):
        if field in written and moment is not None and moment > limit:
            problems[field] = [f"{_readable(moment)} is in the future."]
    if (
        not problems
        and written
        and executed_at is not None
        and detected_at is not None
        and detected_at < executed_at
    ):
        field = "detected_at" if "detected_at" in written else "executed_at"
        remedy = "correct the time that is wrong."
        if "executed_at" not in FIELDS_BY_ROLE[role]:
            remedy = (
                "if the execution time is the wrong one (it is stamped when red hands the test "
                "over, unless red gives it), red or the mission's lead can correct it."
            )
        # Within one second both would read alike: then the milliseconds say which is first.
        precise = _readable(detected_at) == _readable(executed_at)
        problems[field] = [
            f"The detection ({_readable(detected_at, precise=precise)}) is before the execution "
            f"({_readable(executed_at, precise=precise)}); {remedy}"
        ]
    if problems:
        raise Unprocessable(next(iter(problems.values()))[0], errors=problems)


def _readable(moment: datetime, *, precise: bool = False) -> str:
    """A time in a message as people read it, in UTC and saying so: `2026-12-03 09:12:44 UTC`
    (with `precise`, `09:12:44.123 UTC`), not the microseconds of `isoformat()`. The SPA shows
    such a time in the browser's time zone (`localTimesIn`, frontend/src/app/format.ts)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if precise:
        text += f".{moment.microsecond // 1000:03d}"
    return f"{text} UTC"


def _check_level_settable(test: MissionTest, level_id: uuid.UUID | None) -> None:
    if test.detections:
        raise Conflict(
            "This test's level is derived from its per-tool detections; change those instead "
            "(PUT …/detections)."
        )
    if level_id is not None and not catalogue.level_scores({level_id}):
        raise Unprocessable(
            "No such detection level.",
            errors={"detection_level_id": [f"No live detection level {level_id}."]},
        )


def _checked_tools(
    tool_ids: list[uuid.UUID], kept: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset()
) -> list[uuid.UUID]:
    """The expected tools, once each: live ones, or ones the test already expects (`kept`). A
    tool deleted since stays expected, as its outcomes stay recorded (docs/api.md): the drawer
    sends the list back with every save of the blue fields, which must not be refused for it."""
    unique = list(dict.fromkeys(tool_ids))
    usable = catalogue.live_tool_ids(set(unique)) | kept
    unknown = [str(tool_id) for tool_id in unique if tool_id not in usable]
    if unknown:
        raise Unprocessable(
            f"Unknown defense tool: {', '.join(unknown)}.",
            errors={
                "expected_tool_ids": [f"No live defense tool {tool_id}." for tool_id in unknown]
            },
        )
    return unique


def replace_detections(
    access: MissionAccess, test: MissionTest, detections: list[dict[str, Any]]
) -> MissionTest:
    """Replace the test's per-tool outcomes; its level becomes the best-scoring of them.

    Levels with no score count only when no tool has a scored level. The test's `detected_at`
    becomes the earliest tool time when it has none. Removing every outcome removes the level
    they gave (docs/api.md): the test has no level until blue records one again.
    """
    check_may_record_detections(access)
    tool_ids = [detection["tool_id"] for detection in detections]
    problems: dict[str, list[str]] = {}
    duplicated = sorted({str(tool_id) for tool_id in tool_ids if tool_ids.count(tool_id) > 1})
    if duplicated:
        problems["tool_id"] = [f"One outcome per tool; listed twice: {', '.join(duplicated)}."]
    # A deleted tool stays on the outcomes recorded with it (docs/api.md): the list blue sends
    # back keeps such an outcome, as it keeps every other; only a new outcome needs a live tool.
    recorded_tools = {row.tool_id for row in test.detections}
    usable_tools = catalogue.live_tool_ids(set(tool_ids)) | recorded_tools
    unknown_tools = sorted({str(tool_id) for tool_id in tool_ids if tool_id not in usable_tools})
    if unknown_tools:
        problems.setdefault("tool_id", []).append(
            f"No live defense tool {', '.join(unknown_tools)}."
        )
    levels = catalogue.level_scores({detection["detection_level_id"] for detection in detections})
    unknown_levels = sorted(
        {str(d["detection_level_id"]) for d in detections if d["detection_level_id"] not in levels}
    )
    if unknown_levels:
        problems["detection_level_id"] = [f"No live detection level {', '.join(unknown_levels)}."]
    for index, detection in enumerate(detections):
        if detection.get("detected_at") is None:
            continue
        try:
            _check_times(
                test.executed_at,
                detection["detected_at"],
                written={"detected_at"},
                role=access.acting_role,
            )
        except Unprocessable as error:
            problems[f"{index}.detected_at"] = [str(error.detail)]
    if problems:
        raise Unprocessable("Invalid detections.", errors=problems)

    before = {str(row.tool_id): str(row.detection_level_id) for row in test.detections}
    after = {str(d["tool_id"]): str(d["detection_level_id"]) for d in detections}
    # What blue recorded, tool by tool: a save that changes none of it is no news for red.
    recorded = _outcomes(
        {
            "tool_id": row.tool_id,
            "detection_level_id": row.detection_level_id,
            "detected_at": row.detected_at,
            "rule_ref": row.rule_ref,
            "notes": row.notes,
        }
        for row in test.detections
    ) != _outcomes(detections)
    if before != after:  # the detection rows are replaced, so the trail records the outcome
        audit.record(
            "mission_test.detections_replaced",
            object_type="mission_test",
            object_id=test.id,
            label=test.name,
            workspace_id=test.workspace_id,
            mission_id=test.mission_id,
            changes={"detections": {"from": before, "to": after}},
        )
    # Old rows go first: the unit of work would insert before deleting (one row per tool).
    test.detections.clear()
    db.session.flush()
    # In the order sent: rows saved together would otherwise share their creation time and come
    # back in their random ids' order, and blue's rows would swap places after each save.
    saved_at = utcnow()
    test.detections = [
        MissionTestDetection(
            workspace_id=test.workspace_id,
            created_at=saved_at + timedelta(microseconds=position),
            **detection,
        )
        for position, detection in enumerate(detections)
    ]
    if detections:
        best = max(
            detections,
            key=lambda d: (
                levels[d["detection_level_id"]].score is not None,
                levels[d["detection_level_id"]].score or 0,
            ),
        )
        test.detection_level_id = best["detection_level_id"]
        times = [d["detected_at"] for d in detections if d["detected_at"] is not None]
        if times and test.detected_at is None:
            test.detected_at = min(times)
    elif before:
        # The level came from the outcomes just removed (a level set by hand is refused while
        # there are outcomes, and replaced by theirs when they come): none is left to keep.
        test.detection_level_id = None
    test.updated_at = func.now()  # every write bumps the version, even an unchanged level
    db.session.flush()
    if recorded:
        publish(
            events.DETECTION_RECORDED,
            mission_id=test.mission_id,
            test_id=test.id,
            actor_id=current_user_id(),
        )
    return get_test(test.mission_id, test.id)


def _outcomes(detections: Iterable[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Per-tool outcomes keyed by tool, to tell whether a replacement changed any of them."""
    return {
        str(d["tool_id"]): (
            str(d["detection_level_id"]),
            d.get("detected_at"),
            d.get("rule_ref") or None,
            d.get("notes") or None,
        )
        for d in detections
    }


def retest(access: MissionAccess, test: MissionTest) -> MissionTest:
    """A new pending run of the test (same content, tags, category and expected tools), linked
    by `retest_of_id`; the old run and its results stay."""
    check_may_retest(access)
    # Asked again once the list is locked: the run loaded with the request may have been
    # retested by a request that committed since.
    lock_mission(test.mission_id)
    if db.session.scalar(_live_retest_of(test.id)):
        raise Conflict("This run already has a retest; retest the latest run instead.")
    # Removed by a request that committed since: a retest of it would be a latest run beside
    # the run before it (the latest again).
    if db.session.scalar(_removed(test.id)):
        raise Conflict("This run has been removed meanwhile; retest the latest run instead.")
    run = MissionTest(
        workspace_id=test.workspace_id,
        mission_id=test.mission_id,
        mission_scenario_id=test.mission_scenario_id,
        test_template_id=test.test_template_id,
        category_id=test.category_id,
        retest_of_id=test.id,
        position=_next_position(test.mission_id),
        expected_tool_ids=list(test.expected_tool_ids),
        **{field: getattr(test, field) for field in CONTENT_FIELDS},
        mitre_tags=[_tag_copy(tag) for tag in test.mitre_tags],
    )
    db.session.add(run)
    db.session.flush()
    return get_test(test.mission_id, run.id)


def _live_retest_of(test_id: uuid.UUID) -> Select[Any]:
    """Whether the run has a live retest (then it is not the latest run)."""
    return select(select(MissionTest.id).where(MissionTest.retest_of_id == test_id).exists())


def _removed(test_id: uuid.UUID) -> Select[Any]:
    """Whether the run is deleted (soft)."""
    return including_deleted(
        select(MissionTest.deleted_at.is_not(None)).where(MissionTest.id == test_id)
    )


def delete_test(mission_id: uuid.UUID, test_id: uuid.UUID) -> None:
    """Remove a run; only the latest run of a test (none has a live retest). Removing a run
    between two live ones (run A, retest B, retest C: removing B) made A, whose retest was
    gone, a latest run again beside C: two latest runs of one test, both counted. Removing
    the latest run first keeps one latest run per test, and lets any run removed be restored
    in the reverse order (`restore_test`).

    The mission is locked before the test, as `restore_test` and `retest` take them: a retest
    of this run committing meanwhile is seen here, or sees this run removed."""
    lock_mission(mission_id)
    test = get_test(mission_id, test_id, for_update=True)
    newer = db.session.execute(
        select(MissionTest.id, MissionTest.name).where(MissionTest.retest_of_id == test.id)
    ).first()
    if newer is not None:
        raise Conflict(
            f'This run has a newer run (retest {newer.id}, "{newer.name}"); remove the '
            "latest run of the test first, then this one."
        )
    test.soft_delete()
    db.session.flush()


def restore_test(mission_id: uuid.UUID, test_id: uuid.UUID) -> MissionTest:
    """Bring a removed test back. The mission is locked before the test, the order every
    change of the test list takes them in (`reorder_tests`), so two such changes never wait
    for each other."""
    lock_mission(mission_id)
    test = get_test(mission_id, test_id, include_deleted=True, for_update=True)
    # A run has one retest at most (`retest`): the run this one retests may have been retested
    # again since this one was removed, and restoring it would make two latest runs of one test
    # (both counted, and an archive another instance refuses).
    if test.retest_of_id is not None and db.session.scalar(_live_retest_of(test.retest_of_id)):
        raise Conflict(
            "The run this one retests has been retested again since this one was removed; "
            "remove that newer retest first, or keep this one removed."
        )
    # Runs are removed latest first (`delete_test`), so they come back earliest first: a
    # retest restored while the run it retests stays removed would be a second latest run
    # beside the earlier run before it.
    if test.retest_of_id is not None and db.session.scalar(_removed(test.retest_of_id)):
        raise Conflict(
            f"The run this one retests ({test.retest_of_id}) is removed; restore it first."
        )
    test.restore()
    db.session.flush()
    return get_test(test.mission_id, test.id)
