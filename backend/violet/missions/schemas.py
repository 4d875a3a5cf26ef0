"""Input and output schemas of missions, mission tests, detection levels and defense tools."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from violet.core.json_types import Moment
from violet.core.names import Name
from violet.core.pagination import PageQuery
from violet.missions.models import (
    CAPTION_MAX,
    EVIDENCE_CATEGORIES,
    EXECUTION_RESULTS,
    HOST_MAX,
    MEMBER_ROLES,
    MISSION_STATUSES,
    MITRE_KINDS,
    NAME_MAX,
    NOTE_MAX,
    OPSEC_LEVELS,
    PLATFORMS,
    RULE_REF_MAX,
    SHORT_MAX,
    TEST_STATES,
    TEXT_MAX,
    TOOL_LAYERS,
)

LIST_MAX = 100
MEMBERS_MAX = 200
COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Must be a colour like #1c7ed6.")


def text_field(**kwargs) -> fields.String:
    """A Markdown text field: optional, `null` clears it."""
    return fields.String(validate=validate.Length(max=TEXT_MAX), allow_none=True, **kwargs)


class IncludeDeletedQuery(Schema):
    include_deleted = fields.Boolean(load_default=False)


# --- detection levels ----------------------------------------------------------------------------


class DetectionLevelFields(Schema):
    name = Name(validate=validate.Length(min=1, max=SHORT_MAX))
    score = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "0–100; `null` is not scored (e.g. Not applicable)."},
    )
    color = fields.String(validate=COLOR, metadata={"example": "#2f9e44"})
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class DetectionLevelCreate(DetectionLevelFields):
    name = Name(required=True, validate=validate.Length(min=1, max=SHORT_MAX))
    score = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0, max=100))
    color = fields.String(required=True, validate=COLOR)


class DetectionLevelUpdate(DetectionLevelFields):
    """PATCH: rename, rescore, recolour or move a level."""


class DetectionLevelOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    score = fields.Integer(required=True, allow_none=True)
    color = fields.String(required=True)
    position = fields.Integer(required=True)
    deleted_at = fields.DateTime(allow_none=True)


class DetectionLevelQuery(PageQuery):
    include_deleted = fields.Boolean(load_default=False)


# --- defense tools -------------------------------------------------------------------------------


class DefenseToolFields(Schema):
    name = Name(validate=validate.Length(min=1, max=SHORT_MAX))
    vendor = fields.String(allow_none=True, validate=validate.Length(max=SHORT_MAX))
    layer = fields.String(validate=validate.OneOf(TOOL_LAYERS))


class DefenseToolCreate(DefenseToolFields):
    name = Name(required=True, validate=validate.Length(min=1, max=SHORT_MAX))
    layer = fields.String(required=True, validate=validate.OneOf(TOOL_LAYERS))


class DefenseToolUpdate(DefenseToolFields):
    """PATCH: an absent key is unchanged."""


class DefenseToolOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    vendor = fields.String(allow_none=True)
    # On an output field a validator only documents the values (an enum in the spec, for
    # generated clients); a dump never runs it. The columns' check constraints hold them.
    layer = fields.String(required=True, validate=validate.OneOf(TOOL_LAYERS))
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(allow_none=True)


class DefenseToolQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))
    layer = fields.String(validate=validate.OneOf(TOOL_LAYERS))
    include_deleted = fields.Boolean(load_default=False)


# --- missions ------------------------------------------------------------------------------------


class MissionFields(Schema):
    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    description = text_field()
    status = fields.String(validate=validate.OneOf(MISSION_STATUSES))
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    environment = fields.String(allow_none=True, validate=validate.Length(max=NAME_MAX))


class MissionCreate(MissionFields):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))


class MissionUpdate(MissionFields):
    """PATCH: an absent key is unchanged, `null` clears a nullable field."""


class ProgressOut(Schema):
    tests_total = fields.Integer(required=True)
    tests_by_state = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"example": {"pending": 3, "waiting_blue": 1, "completed": 6}},
    )
    score = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Mean detection score of the latest completed runs (0–100); "
            "levels without a score are left out; null when nothing is scored yet."
        },
    )


class MissionOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(MISSION_STATUSES))
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    environment = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    my_role = fields.String(
        allow_none=True,
        validate=validate.OneOf(MEMBER_ROLES),
        metadata={"description": "The caller's role; null for a non-member."},
    )
    can_manage = fields.Boolean(
        metadata={"description": "Whether the caller may change the mission and its members."}
    )
    progress = fields.Nested(ProgressOut, required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.UUID(allow_none=True)
    updated_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(allow_none=True)


class MissionQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(MISSION_STATUSES))
    q = fields.String(validate=validate.Length(max=200))
    mine = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Only missions the caller is a member of (even with `mission.read_all`)."
        },
    )
    include_deleted = fields.Boolean(load_default=False)


# --- members -------------------------------------------------------------------------------------


class MissionMemberIn(Schema):
    user_id = fields.UUID(required=True)
    role = fields.String(required=True, validate=validate.OneOf(MEMBER_ROLES))


class MissionMemberOut(Schema):
    user_id = fields.UUID(required=True)
    email = fields.String(required=True, attribute="user.email")
    display_name = fields.String(allow_none=True, attribute="user.display_name")
    role = fields.String(required=True, validate=validate.OneOf(MEMBER_ROLES))
    is_active = fields.Boolean(
        required=True,
        attribute="user.is_active",
        metadata={
            "description": "False for a deactivated user: they keep their role, and cannot sign in."
        },
    )
    deleted = fields.Boolean(
        required=True,
        attribute="user.is_deleted",
        metadata={
            "description": "True for a deleted user: they keep their role until the lead removes "
            "them (a list without them), and cannot sign in."
        },
    )


class MemberCandidateQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))


class MemberCandidateOut(Schema):
    id = fields.UUID(required=True)
    email = fields.String(required=True)
    display_name = fields.String(allow_none=True)


# --- categories ----------------------------------------------------------------------------------


class CategoryFields(Schema):
    name = Name(validate=validate.Length(min=1, max=SHORT_MAX))
    color = fields.String(allow_none=True, validate=COLOR)


class CategoryCreate(CategoryFields):
    name = Name(required=True, validate=validate.Length(min=1, max=SHORT_MAX))


class CategoryUpdate(CategoryFields):
    """PATCH: an absent key is unchanged."""


class CategoryOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    color = fields.String(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


# --- scenarios and tests -------------------------------------------------------------------------


class ScenarioIn(Schema):
    scenario_template_id = fields.UUID(required=True)
    category_id = fields.UUID(allow_none=True, load_default=None)


class MissionScenarioOut(Schema):
    id = fields.UUID(required=True)
    scenario_template_id = fields.UUID(allow_none=True)
    name = fields.String(required=True)
    tests_added = fields.Integer(required=True)


class MissionTestTagIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MITRE_KINDS))
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


class MissionTestTagOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MITRE_KINDS))
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(allow_none=True)
    catalogue_state = fields.String(
        required=True,
        validate=validate.OneOf(("current", "deprecated", "revoked", "missing")),
        metadata={
            "description": "Where the technique stands in today's catalogue: current, "
            "deprecated, revoked or missing. The copy itself never changes."
        },
    )


class TestContentFields(Schema):
    """The fields a test carries from its template (the lead's to change)."""

    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    description = text_field()
    procedure = text_field()
    cleanup = text_field()
    prerequisites = text_field()
    expected_detection = text_field()
    platforms = fields.List(
        fields.String(validate=validate.OneOf(PLATFORMS)), validate=validate.Length(max=LIST_MAX)
    )
    opsec_level = fields.String(allow_none=True, validate=validate.OneOf(OPSEC_LEVELS))
    category_id = fields.UUID(allow_none=True)


class MissionTestCreate(TestContentFields):
    """From a library template (`test_template_id`), or ad hoc (`name` and the rest)."""

    test_template_id = fields.UUID(allow_none=True)
    expected_tool_ids = fields.List(fields.UUID(), validate=validate.Length(max=LIST_MAX))
    mitre = fields.List(
        fields.Nested(MissionTestTagIn),
        validate=validate.Length(max=LIST_MAX),
        metadata={"description": "Ad hoc tests only: tags resolved from the catalogue."},
    )


class MissionTestUpdate(TestContentFields):
    """PATCH: each field belongs to a role (red, blue, the lead's content fields)."""

    state = fields.String(validate=validate.OneOf(TEST_STATES))
    executed_at = Moment(allow_none=True)
    source_host = fields.String(allow_none=True, validate=validate.Length(max=HOST_MAX))
    target_host = fields.String(allow_none=True, validate=validate.Length(max=HOST_MAX))
    command_executed = text_field()
    red_notes = text_field()
    execution_result = fields.String(allow_none=True, validate=validate.OneOf(EXECUTION_RESULTS))
    detection_level_id = fields.UUID(allow_none=True)
    detected_at = Moment(allow_none=True)
    detection_notes = text_field()
    detection_refs = fields.List(
        fields.String(validate=validate.Length(min=1, max=RULE_REF_MAX)),
        validate=validate.Length(max=LIST_MAX),
    )
    expected_tool_ids = fields.List(fields.UUID(), validate=validate.Length(max=LIST_MAX))


class DetectionIn(Schema):
    tool_id = fields.UUID(required=True)
    detection_level_id = fields.UUID(required=True)
    detected_at = Moment(allow_none=True, load_default=None)
    rule_ref = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=RULE_REF_MAX)
    )
    notes = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=TEXT_MAX)
    )


class DetectionOut(Schema):
    tool_id = fields.UUID(required=True)
    # The tool as it is now, deleted or not: a tool deleted since keeps its outcomes, and the
    # SPA knows only the live tools.
    tool_name = fields.String(required=True)
    tool_layer = fields.String(required=True, validate=validate.OneOf(TOOL_LAYERS))
    tool_deleted = fields.Boolean(
        required=True,
        metadata={"description": "The tool was deleted since; its outcome stays recorded."},
    )
    detection_level_id = fields.UUID(required=True)
    detected_at = fields.DateTime(allow_none=True)
    rule_ref = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class TestOrderIn(Schema):
    test_ids = fields.List(
        fields.UUID(),
        required=True,
        validate=validate.Length(min=1, max=10_000),
        metadata={"description": "Every live test of the mission, once, in the new order."},
    )


class MissionTestOut(Schema):
    id = fields.UUID(required=True)
    mission_id = fields.UUID(required=True)
    mission_scenario_id = fields.UUID(allow_none=True)
    test_template_id = fields.UUID(allow_none=True)
    category_id = fields.UUID(allow_none=True)
    retest_of_id = fields.UUID(allow_none=True)
    is_latest = fields.Boolean(
        required=True, metadata={"description": "No retest supersedes this run."}
    )
    position = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    procedure = fields.String(allow_none=True)
    cleanup = fields.String(allow_none=True)
    prerequisites = fields.String(allow_none=True)
    expected_detection = fields.String(allow_none=True)
    platforms = fields.List(fields.String(), required=True)
    opsec_level = fields.String(allow_none=True, validate=validate.OneOf(OPSEC_LEVELS))
    mitre = fields.List(fields.Nested(MissionTestTagOut), required=True, attribute="mitre_tags")
    state = fields.String(required=True, validate=validate.OneOf(TEST_STATES))
    executed_at = fields.DateTime(allow_none=True)
    executed_by = fields.UUID(allow_none=True)
    source_host = fields.String(allow_none=True)
    target_host = fields.String(allow_none=True)
    command_executed = fields.String(allow_none=True)
    red_notes = fields.String(allow_none=True)
    execution_result = fields.String(allow_none=True, validate=validate.OneOf(EXECUTION_RESULTS))
    detection_level_id = fields.UUID(allow_none=True)
    detected_at = Moment(allow_none=True)
    detection_notes = fields.String(allow_none=True)
    detection_refs = fields.List(fields.String(), required=True)
    time_to_detect_s = fields.Integer(
        allow_none=True, metadata={"description": "detected_at − executed_at, in seconds."}
    )
    detections = fields.List(fields.Nested(DetectionOut), required=True)
    expected_tool_ids = fields.List(fields.UUID(), required=True)
    silent_tool_ids = fields.List(
        fields.UUID(),
        required=True,
        metadata={
            "description": "Expected tools with no detection, or one at a level "
            "scored 0 (they stayed silent)."
        },
    )
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    updated_by = fields.UUID(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


class MissionTestQuery(PageQuery):
    state = fields.String(validate=validate.OneOf(TEST_STATES))
    tactic = fields.String(validate=validate.Length(max=32), metadata={"example": "TA0002"})
    technique = fields.String(
        validate=validate.Length(max=32),
        metadata={
            "example": "T1059",
            "description": "Also matches its sub-techniques; a sub-technique's id (T1059.001) "
            "matches that sub-technique.",
        },
    )
    detection_level = fields.UUID()
    category = fields.UUID()
    scenario = fields.UUID()
    q = fields.String(validate=validate.Length(max=200))
    latest = fields.Boolean(
        metadata={"description": "true: only the latest run of each test (no superseded runs)."}
    )
    include_deleted = fields.Boolean(load_default=False)


# --- notes ---------------------------------------------------------------------------------------


class NoteIn(Schema):
    content = fields.String(
        required=True,
        validate=validate.Length(min=1, max=NOTE_MAX),
        metadata={"description": "Markdown, 1–10,000 characters."},
    )


class NoteOut(Schema):
    id = fields.UUID(required=True)
    mission_id = fields.UUID(required=True)
    mission_test_id = fields.UUID(required=True, allow_none=True)
    content = fields.String(required=True)
    created_by = fields.String(required=True, metadata={"description": "The author's email."})
    author_id = fields.UUID(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class NoteQuery(PageQuery):
    """Newest first by default."""


# --- evidence ------------------------------------------------------------------------------------


class EvidenceUploadDoc(Schema):
    """Documents the multipart upload (the route reads it itself, after raising the body cap)."""

    file = fields.String(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "The file (one part)."},
    )
    category = fields.String(
        validate=validate.OneOf(EVIDENCE_CATEGORIES),
        metadata={"description": "Defaults to the uploader's side (red or blue)."},
    )
    caption = fields.String(validate=validate.Length(max=CAPTION_MAX))


class EvidenceFields(Schema):
    """The form fields beside the file."""

    category = fields.String(validate=validate.OneOf(EVIDENCE_CATEGORIES))
    caption = fields.String(validate=validate.Length(max=CAPTION_MAX))


class EvidenceOut(Schema):
    id = fields.UUID(required=True)
    mission_id = fields.UUID(required=True)
    mission_test_id = fields.UUID(required=True)
    filename = fields.String(required=True, metadata={"description": "Sanitised: no directories."})
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "Sniffed from the bytes."})
    category = fields.String(required=True, validate=validate.OneOf(EVIDENCE_CATEGORIES))
    caption = fields.String(required=True, allow_none=True)
    created_by = fields.String(required=True, metadata={"description": "The uploader's email."})
    uploader_id = fields.UUID(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(required=True, allow_none=True)
    purged_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "When `flask evidence purge` removed the bytes of this deleted "
            "file; it can no longer be restored or downloaded."
        },
    )


class EvidenceQuery(PageQuery):
    include_deleted = fields.Boolean(load_default=False)
