"""Detection levels and defense tools: the instance catalogues blue results point at."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, func, or_, select

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
    (its version bumped, in the audit trail)."""
    affected = select(MissionTestDetection.mission_test_id).where(
        MissionTestDetection.detection_level_id == level_id
    )
    outcomes = db.session.execute(
        select(
            MissionTestDetection.mission_test_id,
            MissionTestDetection.detection_level_id,
            DetectionLevel.score,
        )
        .join(DetectionLevel, DetectionLevel.id == MissionTestDetection.detection_level_id)
        .where(MissionTestDetection.mission_test_id.in_(affected))
        .order_by(
            MissionTestDetection.mission_test_id,
            MissionTestDetection.created_at,
            MissionTestDetection.id,
        )
    )
    best: dict[uuid.UUID, tuple[tuple[bool, float], uuid.UUID]] = {}
    for outcome in outcomes:
        # As `replace_detections` ranks them: a scored level before an unscored one.
        rank = (outcome.score is not None, outcome.score or 0)
        current = best.get(outcome.mission_test_id)
        if current is None or rank > current[0]:
            best[outcome.mission_test_id] = (rank, outcome.detection_level_id)
    if not best:
        return
    tests = including_deleted(select(MissionTest).where(MissionTest.id.in_(best)), True)
    for test in db.session.scalars(tests):
        level = best[test.id][1]
        if test.detection_level_id != level:
            test.detection_level_id = level
    db.session.flush()


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
