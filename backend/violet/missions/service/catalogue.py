"""Detection levels and defense tools: the instance catalogues blue results point at."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import UUID, Table, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on

from violet.core import audit
from violet.core.auth import current_user_id
from violet.core.errors import Conflict, NotFound
from violet.core.models import including_deleted
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.core.tenancy import acting_in, scope_workspace_id
from violet.extensions import db
from violet.missions.models import DefenseTool, DetectionLevel, MissionTest, MissionTestDetection
from violet.workspaces import service as workspace_service

# The defaults every workspace starts with (seeded by the migration and `seed_detection_levels`).
DEFAULT_LEVELS = (
    ("Prevented", 100, "#2b8a3e"),
    ("Alerted", 75, "#1864ab"),
    ("Logged", 40, "#e67700"),
    ("Not detected", 0, "#c92a2a"),
    ("Not applicable", None, "#495057"),
)


def seed_detection_levels() -> None:
    """Write the default levels into every live workspace that has none (idempotent)."""
    for workspace_id in workspace_service.live_workspace_ids():
        seed_workspace_levels(workspace_id)


def seed_workspace_levels(workspace_id: uuid.UUID) -> None:
    """The default levels of one workspace, unless it has levels already (a new workspace)."""
    with acting_in(workspace_id):
        if db.session.scalar(including_deleted(select(func.count(DetectionLevel.id)))):
            return
        for position, (name, score, color) in enumerate(DEFAULT_LEVELS):
            db.session.add(
                DetectionLevel(
                    workspace_id=workspace_id,
                    name=name,
                    score=score,
                    color=color,
                    position=position,
                )
            )
        db.session.flush()


# --- detection levels ----------------------------------------------------------------------------

LEVEL_SORTABLE = {
    "position": DetectionLevel.position,
    "name": DetectionLevel.name,
    "score": DetectionLevel.score,
}


def list_levels(query: dict[str, Any]) -> dict[str, Any]:
    statement = including_deleted(select(DetectionLevel), query["include_deleted"])
    return paginate(
        statement,
        query,
        sortable=LEVEL_SORTABLE,
        default_sort="position",
        tiebreaker=DetectionLevel.id,
    )


def get_level(level_id: uuid.UUID, *, include_deleted: bool = False) -> DetectionLevel:
    statement = select(DetectionLevel).where(DetectionLevel.id == level_id)
    level = db.session.scalar(including_deleted(statement, include_deleted))
    if level is None:
        raise NotFound("No such detection level.")
    return level


def _check_level_name_free(name: str, level_id: uuid.UUID | None) -> None:
    statement = select(DetectionLevel.id).where(func.lower(DetectionLevel.name) == name.lower())
    if level_id is not None:
        statement = statement.where(DetectionLevel.id != level_id)
    if db.session.scalar(statement) is not None:
        # `errors` names the field, as every other taken name does (docs/api.md, Conventions).
        raise Conflict(
            f"A detection level named {name!r} already exists.",
            errors={"name": ["A detection level with this name already exists."]},
        )


def create_level(values: dict[str, Any]) -> DetectionLevel:
    _check_level_name_free(values["name"], None)
    if "position" not in values:
        values["position"] = db.session.scalar(
            select(func.coalesce(func.max(DetectionLevel.position) + 1, 0))
        )
    level = DetectionLevel(workspace_id=scope_workspace_id(), **values)
    db.session.add(level)
    db.session.flush()
    return level


def update_level(level: DetectionLevel, values: dict[str, Any]) -> DetectionLevel:
    if "name" in values:
        _check_level_name_free(values["name"], level.id)
    rescored = "score" in values and values["score"] != level.score
    for key, value in values.items():
        setattr(level, key, value)
    db.session.flush()
    if rescored:
        _rederive_test_levels(level.id)
    return level


def _rederive_test_levels(level_id: uuid.UUID) -> None:
    """A test with per-tool outcomes takes the best-scoring of them as its level (`PUT
    …/detections`, docs/api.md). A level's new score can change which one that is (Alerted
    no longer scored: the SIEM's Logged is the best), so the tests with an outcome at this
    level take theirs again, as a save of their outcomes would, the first sent winning a tie.
    Deleted tests too: restored, they show what their outcomes give. A level set by hand
    (no outcomes) is the blue team's choice and stays. Each test changed is an ordinary write
    (its version bumped, in the audit trail).

    Set-based, in four statements whatever the number of tests (a level on 13,494 outcomes
    took 7–9 s as ORM objects, one UPDATE and one audit row each: docs/performance.md): lock
    the affected tests; read those whose level changes, with their level before and after;
    update them in one UPDATE; record their `mission_test.update` events in one INSERT. The
    tables are used directly (no ORM entity), so the default criteria do not apply: deleted
    tests are included on purpose, and the workspace is named explicitly."""
    workspace_id = scope_workspace_id()
    tests = cast(Table, MissionTest.__table__)  # a Table, which mypy only knows as a FromClause
    outcomes = MissionTestDetection.__table__
    levels = DetectionLevel.__table__
    affected = select(outcomes.c.mission_test_id).where(
        outcomes.c.detection_level_id == level_id, outcomes.c.workspace_id == workspace_id
    )
    # Each affected test's best outcome, ranked as `replace_detections` ranks them: a scored
    # level before an unscored one, then the higher score, then the first sent (the rows are
    # created in the order sent).
    best = (
        select(outcomes.c.mission_test_id, outcomes.c.detection_level_id)
        .ext(distinct_on(outcomes.c.mission_test_id))
        # A deleted level ranks nothing, as the ORM's default criteria had it (none is in use).
        .join(
            levels,
            (levels.c.id == outcomes.c.detection_level_id) & levels.c.deleted_at.is_(None),
        )
        .where(outcomes.c.mission_test_id.in_(affected))
        .order_by(
            outcomes.c.mission_test_id,
            levels.c.score.is_(None),
            levels.c.score.desc(),
            outcomes.c.created_at,
            outcomes.c.id,
        )
        .subquery("best")
    )
    # The affected tests are locked first, and read by the next statement: a test that another
    # request changes meanwhile (blue saving its outcomes) is read as that request left it, its
    # outcomes too, rather than overwritten with a level derived from what it had before. The
    # ORM's per-row `WHERE version = …` answered 412 to the whole re-scoring then.
    db.session.execute(
        select(tests.c.id)
        .where(tests.c.id.in_(affected), tests.c.workspace_id == workspace_id)
        .order_by(tests.c.id)
        .with_for_update()
    ).all()
    changed = db.session.execute(
        select(
            tests.c.id,
            tests.c.name,
            tests.c.workspace_id,
            tests.c.mission_id,
            tests.c.detection_level_id.label("old_level_id"),
            best.c.detection_level_id.label("new_level_id"),
        )
        .join(best, best.c.mission_test_id == tests.c.id)
        .where(
            tests.c.workspace_id == workspace_id,
            tests.c.detection_level_id.is_distinct_from(best.c.detection_level_id),
        )
        .order_by(tests.c.id)
    ).all()
    if not changed:
        return
    # The ids and new levels as two arrays (two parameters, however many tests).
    rederived = (
        func.unnest(
            bindparam("ids", [row.id for row in changed], type_=ARRAY(UUID(as_uuid=True))),
            bindparam(
                "levels", [row.new_level_id for row in changed], type_=ARRAY(UUID(as_uuid=True))
            ),
        )
        .table_valued("id", "level_id", name="rederived")
        .render_derived()
    )
    db.session.execute(
        update(tests)
        .where(tests.c.id == rederived.c.id)
        .values(
            detection_level_id=rederived.c.level_id,
            # What a flush of each test would write (core/models.py): the version the next
            # If-Match must name, when, and by whom (kept when no one is signed in).
            version=tests.c.version + 1,
            updated_at=func.now(),
            updated_by=func.coalesce(
                bindparam("actor", current_user_id(), type_=UUID(as_uuid=True)), tests.c.updated_by
            ),
        )
    )
    audit.record_updated(
        MissionTest,
        [
            {
                "id": row.id,
                "name": row.name,
                "workspace_id": row.workspace_id,
                "mission_id": row.mission_id,
                "changes": {"detection_level_id": (row.old_level_id, row.new_level_id)},
            }
            for row in changed
        ],
    )
    # A test this session holds would show its level before the UPDATE: read it again.
    ids = {row.id for row in changed}
    for held in list(db.session.identity_map.values()):
        if isinstance(held, MissionTest) and held.id in ids:
            db.session.expire(held)


def delete_level(level: DetectionLevel) -> None:
    """Soft delete, refused (409) while any test or per-tool record uses the level. A deleted
    test counts too: it can be restored, and would then point at a level that coverage no
    longer reads, counting as unscored (docs/api.md, "Detection levels and defense tools")."""
    live_use = select(
        or_(
            exists().where(MissionTest.detection_level_id == level.id),
            exists().where(MissionTestDetection.detection_level_id == level.id),
        )
    )
    if db.session.scalar(live_use):
        raise Conflict(
            f"The detection level {level.name!r} is in use by mission tests; rename, recolour "
            "or reorder it instead."
        )
    deleted_use = including_deleted(
        select(MissionTest.id)
        .where(MissionTest.detection_level_id == level.id, MissionTest.deleted_at.is_not(None))
        .limit(1)
    )
    if db.session.scalar(deleted_use) is not None:
        raise Conflict(
            f"The detection level {level.name!r} is in use by deleted mission tests, which can "
            "be restored; rename, recolour or reorder it instead."
        )
    level.soft_delete()
    db.session.flush()


def restore_level(level: DetectionLevel) -> DetectionLevel:
    _check_level_name_free(level.name, level.id)
    level.restore()
    db.session.flush()
    return level


def level_scores(level_ids: set[uuid.UUID]) -> dict[uuid.UUID, DetectionLevel]:
    """The live levels among `level_ids`, by id (one statement)."""
    if not level_ids:
        return {}
    statement = select(DetectionLevel).where(DetectionLevel.id.in_(level_ids))
    return {level.id: level for level in db.session.scalars(statement)}


# --- defense tools -------------------------------------------------------------------------------

TOOL_SORTABLE = {
    "name": DefenseTool.name,
    "layer": DefenseTool.layer,
    "vendor": DefenseTool.vendor,
    "created_at": DefenseTool.created_at,
}


def list_tools(query: dict[str, Any]) -> dict[str, Any]:
    statement = including_deleted(select(DefenseTool), query["include_deleted"])
    if query.get("q"):
        statement = statement.where(contains_any(query["q"], DefenseTool.name, DefenseTool.vendor))
    if query.get("layer"):
        statement = statement.where(DefenseTool.layer == query["layer"])
    return paginate(
        statement, query, sortable=TOOL_SORTABLE, default_sort="name", tiebreaker=DefenseTool.id
    )


def get_tool(
    tool_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> DefenseTool:
    """The tool; `for_update` for a write: its row is locked until the transaction ends and
    read as it is then, so two changes at once apply one after the other instead of the second
    failing on the version it read (412 without If-Match). FOR NO KEY UPDATE: outcomes naming
    the tool are still recorded meanwhile."""
    statement = select(DefenseTool).where(DefenseTool.id == tool_id)
    if for_update:
        statement = statement.with_for_update(key_share=True).execution_options(
            populate_existing=True
        )
    tool = db.session.scalar(including_deleted(statement, include_deleted))
    if tool is None:
        raise NotFound("No such defense tool.")
    return tool


def _check_tool_name_free(name: str, tool_id: uuid.UUID | None) -> None:
    statement = select(DefenseTool.id).where(func.lower(DefenseTool.name) == name.lower())
    if tool_id is not None:
        statement = statement.where(DefenseTool.id != tool_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(
            f"A defense tool named {name!r} already exists.",
            errors={"name": ["A defense tool with this name already exists."]},
        )


def create_tool(values: dict[str, Any]) -> DefenseTool:
    _check_tool_name_free(values["name"], None)
    tool = DefenseTool(workspace_id=scope_workspace_id(), **values)
    db.session.add(tool)
    db.session.flush()
    return tool


def update_tool(tool: DefenseTool, values: dict[str, Any]) -> DefenseTool:
    if "name" in values:
        _check_tool_name_free(values["name"], tool.id)
    for key, value in values.items():
        setattr(tool, key, value)
    db.session.flush()
    return tool


def delete_tool(tool: DefenseTool) -> None:
    """Soft delete: recorded outcomes keep pointing at the tool, new ones cannot name it."""
    tool.soft_delete()
    db.session.flush()


def restore_tool(tool: DefenseTool) -> DefenseTool:
    _check_tool_name_free(tool.name, tool.id)
    tool.restore()
    db.session.flush()
    return tool


def live_tool_ids(tool_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not tool_ids:
        return set()
    return set(db.session.scalars(select(DefenseTool.id).where(DefenseTool.id.in_(tool_ids))))
