"""Input and output schemas of coverage, layers and exports."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from violet.core.json_types import CommaList, Moment
from violet.core.names import Name
from violet.missions.models import (
    CAPTION_MAX,
    EMAIL_MAX,
    EVIDENCE_CATEGORIES,
    EXECUTION_RESULTS,
    MISSION_STATUSES,
    MITRE_KINDS,
    NOTE_MAX,
    OPSEC_LEVELS,
    TEST_STATES,
)
from violet.mitre.models import DOMAINS


class CoverageQuery(Schema):
    by = fields.String(
        validate=validate.OneOf(("tool",)),
        metadata={"description": "`tool`: the same figures per defense tool as well."},
    )


def _domains_field(of: str = "tested techniques") -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(DOMAINS)),
        required=True,
        metadata={
            "description": f"The ATT&CK domains of the {of}, the one holding most first (on a "
            "tie Enterprise, then Mobile, then ICS).",
            "example": ["enterprise-attack", "mobile-attack"],
        },
    )


class LayerQuery(Schema):
    domain = fields.String(
        validate=validate.OneOf(DOMAINS),
        metadata={
            "description": "The layer's ATT&CK domain (a layer has one); default: the domain "
            "holding most of the tested techniques (on a tie `enterprise-attack`), the first "
            "of the coverage's `domains`."
        },
    )


class MissionLayerQuery(LayerQuery):
    tool = fields.UUID(
        metadata={
            "description": "A defense tool: the layer of its own outcomes (its coverage in "
            "`?by=tool`), named after the mission and the tool. 404 for a tool of another "
            "workspace, or one deleted with no outcome in the mission."
        },
    )


class ExportQuery(Schema):
    format = fields.String(
        required=True,
        validate=validate.OneOf(("csv", "json", "zip")),
        metadata={
            "description": "`csv` (spreadsheet-safe, UTF-8 with BOM), `json`, or `zip` (the "
            "mission archive)."
        },
    )


class LevelOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    score = fields.Integer(allow_none=True, required=True)
    color = fields.String(required=True)


def _cell_fields() -> dict[str, fields.Field]:
    return {
        "score": fields.Float(
            allow_none=True,
            required=True,
            metadata={"description": "Mean detection score (0–100) of the counted runs."},
        ),
        "tests": fields.Integer(required=True, metadata={"description": "Counted runs."}),
        "scored_tests": fields.Integer(
            required=True, metadata={"description": "Counted runs with a scored level."}
        ),
        "outcomes": fields.Dict(
            keys=fields.String(),
            values=fields.Integer(),
            required=True,
            metadata={"description": "Detection level id → counted runs."},
        ),
    }


TacticCoverageOut = Schema.from_dict(
    {
        "external_id": fields.String(required=True),
        "name": fields.String(required=True),
        "shortname": fields.String(allow_none=True, required=True),
        **_cell_fields(),
    },
    name="TacticCoverageOut",
)
TechniqueCoverageOut = Schema.from_dict(
    {
        "external_id": fields.String(required=True),
        "kind": fields.String(required=True),
        "name": fields.String(required=True),
        "tactics": fields.List(fields.String(), required=True),
        **_cell_fields(),
        "test_ids": fields.List(fields.UUID(), required=True),
    },
    name="TechniqueCoverageOut",
)


def _coverage_fields() -> dict[str, fields.Field]:
    return {
        **_cell_fields(),
        "tactics": fields.List(fields.Nested(TacticCoverageOut), required=True),
        "techniques": fields.List(fields.Nested(TechniqueCoverageOut), required=True),
    }


ToolCoverageOut = Schema.from_dict(
    {
        "tool_id": fields.UUID(required=True),
        "name": fields.String(required=True),
        "layer": fields.String(required=True),
        "deleted": fields.Boolean(
            required=True,
            metadata={
                "description": "The tool was deleted since; its outcomes still count here (a "
                "live tool may have taken its name)."
            },
        ),
        **_coverage_fields(),
    },
    name="ToolCoverageOut",
)
MissionCoverageOut = Schema.from_dict(
    {
        "mission_id": fields.UUID(required=True),
        "levels": fields.List(fields.Nested(LevelOut), required=True),
        "domains": _domains_field(),
        **_coverage_fields(),
        "tools": fields.List(
            fields.Nested(ToolCoverageOut),
            metadata={
                "description": "With `by=tool`: per defense tool with an outcome on a counted run."
            },
        ),
    },
    name="MissionCoverageOut",
)


MAX_LAYERS = 100


LAYER_LIST = (
    "`layer` takes one layer (a JSON object); this is a list of layers, as the Navigator's "
    '"download all layers" saves them: send it as `layers` to plan them together.'
)


class FromLayerIn(Schema):
    layer = fields.Dict(
        metadata={
            "description": "An ATT&CK Navigator layer (any format version), e.g. a threat actor's."
        },
    )
    layers = fields.List(
        fields.Dict(),
        validate=validate.Length(min=1, max=MAX_LAYERS),
        metadata={
            "description": "Instead of `layer`: several layers, as in a file the Navigator opens "
            "as several; their techniques are planned together, in order, without repeats."
        },
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Report what would be added; add nothing."}
    )
    min_score = fields.Float(
        allow_none=True,
        metadata={
            "description": "Plan only entries scoring at least this (an entry without a score is "
            "then left out). E.g. 1 for a usage layer whose unused techniques score 0, as "
            "mitreattack-python writes them.",
            "example": 1,
        },
    )
    max_score = fields.Float(
        allow_none=True,
        metadata={
            "description": "Plan only entries scoring at most this, e.g. the gaps of a coverage "
            "layer.",
            "example": 40,
        },
    )

    @pre_load
    def a_list_is_layers(self, data, **kwargs):
        # The Navigator's "download all layers" saves a JSON list of layers: sent as `layer`,
        # it was only "Not a valid mapping type.", which does not say where a list goes.
        if isinstance(data, dict) and isinstance(data.get("layer"), list):
            raise ValidationError({"layer": [LAYER_LIST]})
        return data

    @validates_schema
    def one_source(self, data, **kwargs):
        if ("layer" in data) == ("layers" in data):
            message = "Send either `layer` or `layers`."
            raise ValidationError({"layer": [message], "layers": [message]})

    @validates_schema
    def a_range(self, data, **kwargs):
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_score": ["max_score must be at least min_score."]})


class FromGroupIn(Schema):
    group = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "ATT&CK group id.", "example": "G0016"},
    )
    domain = fields.String(
        validate=validate.OneOf(DOMAINS),
        metadata={
            "description": "Only the group's techniques of this ATT&CK domain (the others are "
            "skipped, saying so); default: those of every domain."
        },
    )
    dry_run = fields.Boolean(load_default=False)


class PlannedTestOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    test_template_id = fields.UUID(
        allow_none=True, required=True, metadata={"description": "null: a bare test."}
    )
    test_id = fields.UUID(
        allow_none=True, required=True, metadata={"description": "null on a dry run."}
    )


class SkippedOut(Schema):
    external_id = fields.String(required=True)
    reason = fields.String(required=True)


class PlanOut(Schema):
    dry_run = fields.Boolean(required=True)
    added = fields.List(fields.Nested(PlannedTestOut), required=True)
    from_library = fields.Integer(required=True)
    bare = fields.Integer(required=True)
    skipped = fields.List(fields.Nested(SkippedOut), required=True)


class CompareQuery(Schema):
    from_ = fields.UUID(
        required=True, data_key="from", metadata={"description": "The earlier mission."}
    )
    to = fields.UUID(required=True, metadata={"description": "The later mission."})


class ComparedMissionOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    score = fields.Float(allow_none=True, required=True)


class ComparedTechniqueOut(Schema):
    external_id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    from_score = fields.Float(allow_none=True, required=True)
    to_score = fields.Float(allow_none=True, required=True)
    change = fields.String(
        required=True,
        validate=validate.OneOf(("improved", "regressed", "unchanged", "new", "dropped")),
    )


class CompareOut(Schema):
    from_ = fields.Nested(ComparedMissionOut, required=True, data_key="from", attribute="from")
    to = fields.Nested(ComparedMissionOut, required=True)
    domains = _domains_field("techniques tested in either mission")
    summary = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Change → number of techniques."},
    )
    techniques = fields.List(fields.Nested(ComparedTechniqueOut), required=True)


class OrgCoverageQuery(Schema):
    mission_ids = CommaList(
        fields.UUID(),
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Comma-separated mission ids; default every visible mission."},
    )


class OrgLayerQuery(OrgCoverageQuery, LayerQuery):
    pass


class LatestOutcomeOut(Schema):
    external_id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    tactics = fields.List(fields.String(), required=True)
    detection_level_id = fields.UUID(allow_none=True, required=True)
    score = fields.Float(allow_none=True, required=True)
    mission_id = fields.UUID(required=True)
    mission_name = fields.String(required=True)
    test_id = fields.UUID(required=True)
    at = fields.DateTime(required=True, metadata={"description": "When the outcome was known."})


class OrgCoverageOut(Schema):
    mission_ids = fields.List(fields.UUID(), required=True)
    levels = fields.List(fields.Nested(LevelOut), required=True)
    domains = _domains_field()
    score = fields.Float(
        allow_none=True, required=True, metadata={"description": "Mean over techniques."}
    )
    techniques = fields.List(fields.Nested(LatestOutcomeOut), required=True)


class ThreatGroupRefOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)


class GroupTechniqueCoverageOut(Schema):
    external_id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    tactics = fields.List(fields.String(), required=True)
    tested = fields.Boolean(required=True)
    detection_level_id = fields.UUID(allow_none=True, required=True)
    score = fields.Float(allow_none=True, required=True)
    mission_id = fields.UUID(allow_none=True, required=True)
    test_id = fields.UUID(allow_none=True, required=True)
    revoked_ids = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Techniques the synced ATT&CK release revoked, tagged on tests, "
            "whose runs count for this one: it replaced them, or one of its sub-techniques "
            "did (T1086 for T1059.001). Empty when none."
        },
    )
    outcome_revoked_id = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "The revoked technique the latest outcome's test is tagged with, "
            "when that outcome counts only through it; else null."
        },
    )


class GroupCoverageOut(Schema):
    group = fields.Nested(ThreatGroupRefOut, required=True)
    domains = _domains_field("group's techniques")
    techniques_total = fields.Integer(required=True)
    techniques_tested = fields.Integer(required=True)
    score = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Mean over the group's techniques, untested ones as 0."},
    )
    tested_score = fields.Float(
        allow_none=True, required=True, metadata={"description": "Mean over the tested ones."}
    )
    techniques = fields.List(fields.Nested(GroupTechniqueCoverageOut), required=True)


class SaveAsScenarioIn(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(
        allow_none=True, validate=validate.Length(max=20_000), metadata={"description": "Optional."}
    )


class UnknownTagsOut(Schema):
    test = fields.String(required=True, metadata={"description": "The test's name."})
    external_ids = fields.List(fields.String(), required=True)


class ScenarioPreviewOut(Schema):
    tests = fields.Integer(
        required=True, metadata={"description": "The tests the scenario would hold (no retests)."}
    )
    new_templates = fields.Integer(
        required=True,
        metadata={
            "description": "Tests not from a live library template, copied into the library."
        },
    )
    needs = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The permissions the save needs for this mission."},
    )
    allowed = fields.Boolean(
        required=True, metadata={"description": "Whether the caller has them."}
    )
    unknown_tags = fields.List(
        fields.Nested(UnknownTagsOut),
        required=True,
        metadata={
            "description": "Tests to copy whose ATT&CK tags this catalogue does not know (an "
            "archive of another instance's): the save is 422 naming them until they are removed."
        },
    )


class SavedScenarioOut(Schema):
    id = fields.UUID(required=True, metadata={"description": "The new scenario template."})
    name = fields.String(required=True)
    test_template_ids = fields.List(
        fields.UUID(), required=True, metadata={"description": "Its tests, in the mission's order."}
    )
    new_templates = fields.Integer(
        required=True,
        metadata={"description": "Library templates created from tests that had none."},
    )


# --- mission archives (docs/coverage.md, "Mission archives") ------------------------------------

_TEXT_MAX = 100_000


def _text(**kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=_TEXT_MAX), **kwargs
    )


class ArchiveTagIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MITRE_KINDS))
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(max=256))
    url = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=512))


class ArchiveDetectionIn(Schema):
    tool = fields.String(required=True, validate=validate.Length(min=1, max=100))
    detection_level = fields.String(required=True, validate=validate.Length(min=1, max=100))
    detected_at = Moment(allow_none=True, load_default=None)
    rule_ref = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    notes = _text()


class ArchiveNoteIn(Schema):
    """A note as written: its Markdown, its author's email and when (unknown fields refused)."""

    content = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_MAX))
    author = fields.String(required=True, validate=validate.Length(min=1, max=EMAIL_MAX))
    created_at = Moment(required=True)


def _notes() -> fields.List:
    # Optional: archives written before notes were carried have none.
    return fields.List(
        fields.Nested(ArchiveNoteIn), load_default=list, validate=validate.Length(max=10_000)
    )


class ArchiveTestIn(Schema):
    ref = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    retest_of = fields.Integer(allow_none=True, load_default=None)
    category = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text()
    procedure = _text()
    cleanup = _text()
    prerequisites = _text()
    expected_detection = _text()
    platforms = fields.List(
        fields.String(validate=validate.Length(max=50)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    opsec_level = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(OPSEC_LEVELS)
    )
    state = fields.String(
        required=True,
        validate=validate.OneOf(TEST_STATES),
    )
    executed_at = Moment(allow_none=True, load_default=None)
    source_host = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=255)
    )
    target_host = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=255)
    )
    command_executed = _text()
    red_notes = _text()
    execution_result = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(EXECUTION_RESULTS)
    )
    detection_level = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=100)
    )
    detected_at = Moment(allow_none=True, load_default=None)
    detection_notes = _text()
    detection_refs = fields.List(
        fields.String(validate=validate.Length(max=2000)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    expected_tools = fields.List(
        fields.String(validate=validate.Length(max=100)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    mitre = fields.List(
        fields.Nested(ArchiveTagIn), load_default=list, validate=validate.Length(max=200)
    )
    detections = fields.List(
        fields.Nested(ArchiveDetectionIn), load_default=list, validate=validate.Length(max=100)
    )
    notes = _notes()


class ArchiveCategoryIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    color = fields.String(
        allow_none=True, load_default=None, validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$")
    )
    # A category deleted in the mission exported while tests still pointed at it.
    deleted = fields.Boolean(load_default=False)


class ArchiveMissionIn(Schema):
    """mission.json: the mission, its categories and its tests (unknown fields refused)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text()
    status = fields.String(required=True, validate=validate.OneOf(MISSION_STATUSES))
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    environment = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=200)
    )
    exported_at = Moment(allow_none=True, load_default=None)
    categories = fields.List(
        fields.Nested(ArchiveCategoryIn), load_default=list, validate=validate.Length(max=500)
    )
    tests = fields.List(
        fields.Nested(ArchiveTestIn), load_default=list, validate=validate.Length(max=20_000)
    )
    notes = _notes()


class ArchiveEvidenceIn(Schema):
    """An entry of manifest.json's `evidence` list (unknown fields refused)."""

    path = fields.String(required=True, validate=validate.Regexp(r"^evidence/[^/]{1,300}$"))
    test = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "The `ref` of its test in mission.json."},
    )
    filename = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    content_type = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "As exported; the import sniffs the bytes again."},
    )
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=2**53))
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    category = fields.String(required=True, validate=validate.OneOf(EVIDENCE_CATEGORIES))
    caption = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=CAPTION_MAX)
    )
    uploaded_at = Moment(allow_none=True, load_default=None)


class ArchiveUploadDoc(Schema):
    """The multipart form of an import (documentation only)."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "The mission archive."},
    )


class ImportedMissionOut(Schema):
    id = fields.UUID(required=True, metadata={"description": "The new mission."})
    name = fields.String(required=True)
    tests = fields.Integer(required=True)
    evidence_files = fields.Integer(
        required=True,
        metadata={"description": "Evidence files restored from the archive."},
    )
    notes = fields.Integer(
        required=True,
        metadata={"description": "Notes restored (the mission's and its tests')."},
    )
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What could not be matched (levels or tools by name)."},
    )


# The documents below are not marshmallow output (a layer is MITRE's format, an export a file),
# so their OpenAPI content is written by hand: without it a generated client sees no body at all.
LAYER_JSON_SCHEMA = {
    "type": "object",
    "description": "An ATT&CK Navigator layer, format 4.5 (MITRE's attack-navigator layers "
    "specification); the fields below are the ones Violet always writes.",
    "required": ["name", "versions", "domain", "description", "techniques", "gradient"],
    "properties": {
        "name": {"type": "string"},
        "versions": {
            "type": "object",
            "required": ["layer", "navigator"],
            "properties": {
                "layer": {"type": "string"},
                "navigator": {"type": "string"},
                "attack": {"type": "string"},
            },
        },
        "domain": {"type": "string", "example": "enterprise-attack"},
        "description": {"type": "string"},
        "techniques": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["techniqueID"],
                "properties": {
                    "techniqueID": {"type": "string"},
                    "tactic": {"type": "string"},
                    "score": {"type": "number"},
                    "color": {"type": "string"},
                    "comment": {"type": "string"},
                    "enabled": {"type": "boolean"},
                    "showSubtechniques": {"type": "boolean"},
                    "metadata": {"type": "array", "items": {"type": "object"}},
                },
                "additionalProperties": True,
            },
        },
        "gradient": {"type": "object"},
        "legendItems": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,  # the format's display settings (`layout`, `sorting`, …)
}
LAYER_CONTENT = {"application/json": {"schema": LAYER_JSON_SCHEMA}}
EXPORT_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["mission", "tests"],
            "properties": {
                "mission": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "name": {"type": "string"},
                    },
                },
                "tests": {
                    "type": "array",
                    "description": "Every test, with the fields of the CSV's columns; the "
                    "per-tool outcomes in `tool_detections` (each with `tool_id`, `tool`, "
                    "`tool_layer`, `tool_deleted`, `detection_level`, `detected_at`, "
                    "`rule_ref`, `notes`).",
                    "items": {"type": "object"},
                },
            },
        }
    },
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}
REPORT_CONTENT = {"text/html": {"schema": {"type": "string"}}}
