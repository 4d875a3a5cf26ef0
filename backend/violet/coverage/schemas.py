"""Input and output schemas of coverage, layers and exports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList


class CoverageQuery(Schema):
    by = fields.String(
        validate=validate.OneOf(("tool",)),
        metadata={"description": "`tool`: the same figures per defense tool as well."},
    )


class ExportQuery(Schema):
    format = fields.String(
        required=True,
        validate=validate.OneOf(("csv", "json")),
        metadata={"description": "`csv` (spreadsheet-safe, UTF-8 with BOM) or `json`."},
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
        **_coverage_fields(),
    },
    name="ToolCoverageOut",
)
MissionCoverageOut = Schema.from_dict(
    {
        "mission_id": fields.UUID(required=True),
        "levels": fields.List(fields.Nested(LevelOut), required=True),
        **_coverage_fields(),
        "tools": fields.List(
            fields.Nested(ToolCoverageOut),
            metadata={"description": "With `by=tool`: per defense tool with outcomes."},
        ),
    },
    name="MissionCoverageOut",
)


class FromLayerIn(Schema):
    layer = fields.Dict(
        required=True,
        metadata={"description": "An ATT&CK Navigator layer (format 4.x), e.g. a threat actor's."},
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Report what would be added; add nothing."}
    )


class FromGroupIn(Schema):
    group = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "ATT&CK group id.", "example": "G0016"},
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
    summary = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Change → number of techniques."},
    )
    techniques = fields.List(fields.Nested(ComparedTechniqueOut), required=True)


class OrgCoverageQuery(Schema):
    mission_ids = DelimitedList(
        fields.UUID(),
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Comma-separated mission ids; default every visible mission."},
    )


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


class GroupCoverageOut(Schema):
    group = fields.Nested(ThreatGroupRefOut, required=True)
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
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(
        allow_none=True, validate=validate.Length(max=20_000), metadata={"description": "Optional."}
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
