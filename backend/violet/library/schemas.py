"""Input and output schemas of the library (separate classes per direction)."""

from __future__ import annotations

import math
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from violet.core.names import Name
from violet.core.pagination import PageQuery
from violet.library.models import (
    MITRE_KINDS,
    NAME_MAX,
    OPSEC_LEVELS,
    PLATFORMS,
    SOURCE_MAX,
    SOURCE_REF_MAX,
    TAG_MAX,
    TEXT_MAX,
)

LIST_MAX = 100
URL_MAX = 2048
IMPORT_FORMATS = ("atomic-red-team", "violet")
SCENARIO_TESTS_MAX = 500


def text_field(**kwargs) -> fields.String:
    """A Markdown text field: optional, `null` clears it."""
    return fields.String(validate=validate.Length(max=TEXT_MAX), allow_none=True, **kwargs)


# --- MITRE tags ----------------------------------------------------------------------------------


class MitreTagIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MITRE_KINDS))
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


class MitreTagOut(Schema):
    # Output validators only document the values (an enum in the spec); a dump never runs them.
    kind = fields.String(
        required=True, validate=validate.OneOf(MITRE_KINDS), metadata={"example": "subtechnique"}
    )
    external_id = fields.String(required=True, metadata={"example": "T1059.001"})
    name = fields.String(required=True, metadata={"example": "PowerShell"})
    url = fields.String(
        allow_none=True, metadata={"example": "https://attack.mitre.org/techniques/T1059/001"}
    )


def finite(value: Any) -> None:
    """Refuses NaN and infinity, which Python's JSON and YAML parsers read but JSON (and so a
    JSONB column) cannot hold: the write would fail with a 500."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("Not a finite number (JSON has no NaN or infinity).")


def plain_default(value: Any) -> None:
    """A default is what a command line can take: text, a number or a boolean. A list or an
    object was stored as given, and then shown in the procedure's table as Python's repr."""
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValidationError("Must be a string, a number or a boolean.")
    finite(value)


def unique_argument_names(arguments: list[dict[str, Any]]) -> None:
    """The procedure refers to an argument as `#{name}`: two of one name make that ambiguous
    (an Atomic file cannot have them: its arguments are a mapping)."""
    names = [argument["name"] for argument in arguments]
    repeated = list(dict.fromkeys(name for name in names if names.count(name) > 1))
    if repeated:
        listed = ", ".join(repeated)
        raise ValidationError(f"Each argument name must be unique; given more than once: {listed}.")


class InputArgumentSchema(Schema):
    """An Atomic Red Team input argument; the procedure refers to it as `#{name}`."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    type = fields.String(load_default="string", validate=validate.Length(max=50))
    default = fields.Raw(
        load_default=None,
        allow_none=True,
        validate=plain_default,
        metadata={"description": "String, number or boolean."},
    )
    description = fields.String(load_default="", validate=validate.Length(max=2000))


# --- test templates ------------------------------------------------------------------------------

TEMPLATE_EXAMPLE = {
    "name": "Encoded PowerShell download cradle",
    "description": "Downloads and runs a script with `IEX` from an encoded command.",
    "procedure": "```powershell\npowershell -enc #{encoded}\n```",
    "cleanup": None,
    "prerequisites": "PowerShell 5 or later.",
    "expected_detection": "EDR alert on encoded PowerShell; 4104 script block logging.",
    "platforms": ["windows"],
    "opsec_level": "medium",
    "tags": ["initial-access", "living-off-the-land"],
    "references": ["https://attack.mitre.org/techniques/T1059/001/"],
    "mitre": [
        {"kind": "tactic", "external_id": "TA0002"},
        {"kind": "subtechnique", "external_id": "T1059.001"},
    ],
}


class TestTemplateFields(Schema):
    """The writable fields; the create schema requires `name`, the update schema nothing."""

    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    description = text_field()
    procedure = text_field(metadata={"description": "The command or steps (Markdown)."})
    cleanup = text_field()
    prerequisites = text_field()
    expected_detection = text_field()
    platforms = fields.List(fields.String(validate=validate.OneOf(PLATFORMS)))
    opsec_level = fields.String(validate=validate.OneOf(OPSEC_LEVELS), allow_none=True)
    # A tag is picked from a list and filtered on exactly: " lolbin " was a tag of its own that
    # `tag=lolbin` missed, and " " an empty one.
    tags = fields.List(
        Name(validate=validate.Length(min=1, max=TAG_MAX)),
        validate=validate.Length(max=LIST_MAX),
    )
    references = fields.List(
        fields.Url(
            schemes={"http", "https"},
            validate=validate.Length(max=URL_MAX),
            # JSON Schema's name for the format (apispec would write marshmallow's, `url`).
            metadata={"format": "uri", "description": "An http or https URL."},
        ),
        validate=validate.Length(max=LIST_MAX),
    )
    source = fields.String(
        validate=validate.Length(min=1, max=SOURCE_MAX),
        allow_none=True,
        metadata={"example": "atomic-red-team"},
    )
    source_ref = fields.String(
        validate=validate.Length(min=1, max=SOURCE_REF_MAX),
        allow_none=True,
        metadata={"description": "The item's id in its source, e.g. the atomic's GUID."},
    )
    input_arguments = fields.List(
        fields.Nested(InputArgumentSchema),
        validate=[validate.Length(max=LIST_MAX), unique_argument_names],
        metadata={"description": "Each name once (the procedure's `#{name}`)."},
    )
    mitre = fields.List(
        fields.Nested(MitreTagIn),
        validate=validate.Length(max=LIST_MAX),
        metadata={"description": "Sending it replaces the template's whole tag set."},
    )


class TestTemplateCreate(TestTemplateFields):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))


class TestTemplateUpdate(TestTemplateFields):
    """PATCH: an absent key is unchanged, `null` clears a nullable field."""


TEMPLATE_UPDATE_EXAMPLE = {"opsec_level": "high", "cleanup": None}
TEMPLATE_OUT_EXAMPLE = {
    "id": "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11",
    **TEMPLATE_EXAMPLE,
    "mitre": [
        {
            "kind": "tactic",
            "external_id": "TA0002",
            "name": "Execution",
            "url": "https://attack.mitre.org/tactics/TA0002",
        },
        {
            "kind": "subtechnique",
            "external_id": "T1059.001",
            "name": "PowerShell",
            "url": "https://attack.mitre.org/techniques/T1059/001",
        },
    ],
    "source": None,
    "source_ref": None,
    "input_arguments": [],
    "version": 1,
    "created_at": "2026-11-30T09:00:00+00:00",
    "created_by": "5f1d8f7e-2a43-4c8e-9d1a-0b3c4d5e6f70",
    "updated_at": "2026-11-30T09:00:00+00:00",
    "updated_by": "5f1d8f7e-2a43-4c8e-9d1a-0b3c4d5e6f70",
    "deleted_at": None,
}


class TestTemplateOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    procedure = fields.String(allow_none=True)
    cleanup = fields.String(allow_none=True)
    prerequisites = fields.String(allow_none=True)
    expected_detection = fields.String(allow_none=True)
    platforms = fields.List(fields.String(), required=True)
    opsec_level = fields.String(allow_none=True, validate=validate.OneOf(OPSEC_LEVELS))
    tags = fields.List(fields.String(), required=True)
    references = fields.List(fields.String(), required=True)
    source = fields.String(allow_none=True)
    source_ref = fields.String(allow_none=True)
    input_arguments = fields.List(fields.Nested(InputArgumentSchema), required=True)
    mitre = fields.List(fields.Nested(MitreTagOut), attribute="mitre_tags", required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.UUID(allow_none=True)
    updated_at = fields.DateTime(required=True)
    updated_by = fields.UUID(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


class TestTemplateQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Text in the name, description or procedure."},
    )
    tactic = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "`TA0002`: tagged with the tactic or a technique in it."},
    )
    technique = fields.String(
        validate=validate.Length(max=32),
        metadata={
            "description": "`T1059`: tagged with the technique or a sub-technique of it; "
            "`T1059.001`: tagged with that sub-technique (as `subtechnique`)."
        },
    )
    subtechnique = fields.String(validate=validate.Length(max=32))
    opsec = fields.String(validate=validate.OneOf(OPSEC_LEVELS))
    tag = fields.String(validate=validate.Length(max=TAG_MAX))
    platform = fields.String(validate=validate.OneOf(PLATFORMS))
    include_deleted = fields.Boolean(load_default=False)


class IncludeDeletedQuery(Schema):
    include_deleted = fields.Boolean(load_default=False)


# --- import and export ---------------------------------------------------------------------------


class ImportQuery(Schema):
    format = fields.String(
        validate=validate.OneOf(IMPORT_FORMATS),
        metadata={
            "description": "May also come as a form field of a multipart upload. Without it, "
            "the body's media type (application/yaml: atomic-red-team; application/json: "
            "violet) or the uploaded file's name (.yaml/.yml, .json) says which."
        },
    )


class ImportUploadDoc(Schema):
    """Documents the multipart form (the route reads it itself)."""

    file = fields.Raw(metadata={"type": "string", "format": "binary"})
    format = fields.String(validate=validate.OneOf(IMPORT_FORMATS))


class ImportErrorOut(Schema):
    path = fields.String(required=True, metadata={"example": "atomic_tests.2"})
    name = fields.String(allow_none=True)
    message = fields.String(
        required=True, metadata={"example": "mitre: Unknown technique: T1059.009."}
    )


IMPORT_RESULT_EXAMPLE = {
    "created": 3,
    "updated": 1,
    "skipped": 0,
    "errors": [
        {
            "path": "atomic_tests.4",
            "name": "Enumerate devices",
            "message": "mitre: Unknown technique: T1082.",
        }
    ],
    "warnings": [
        {
            "path": "atomic_tests.0",
            "name": "PowerShell download cradle",
            "message": "mitre: Technique T1086 (PowerShell) is revoked in ATT&CK: tag "
            "T1059.001, which replaced it.",
        }
    ],
}


class ImportResultOut(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(
        required=True, metadata={"description": "Existing templates whose content changed."}
    )
    skipped = fields.Integer(
        required=True,
        metadata={
            "description": "Existing templates already identical, and those deleted in this "
            "library (left deleted: see warnings)."
        },
    )
    errors = fields.List(
        fields.Nested(ImportErrorOut),
        required=True,
        metadata={"description": "Items not imported, and why."},
    )
    warnings = fields.List(
        fields.Nested(ImportErrorOut),
        required=True,
        metadata={
            "description": "Items imported with a tag ATT&CK has revoked (and its replacement "
            "when known) or deprecated, and items not imported because their template was "
            "deleted in this library (restoring it lets the next import update it)."
        },
    )


class LibraryExportOut(Schema):
    """Violet's portable library format (what `import?format=violet` reads)."""

    format = fields.String(required=True, metadata={"example": "violet-library"})
    format_version = fields.Integer(required=True, metadata={"example": 1})
    exported_at = fields.String(required=True)
    test_templates = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "Each template's writable fields, its `id` and `mitre` pairs."},
    )


# --- scenario templates --------------------------------------------------------------------------


class ScenarioTemplateFields(Schema):
    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    description = text_field()


SCENARIO_EXAMPLE = {
    "name": "Ransomware precursors",
    "description": "Discovery, then staging.",
    "test_template_ids": ["0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11"],
}


class ScenarioTemplateCreate(ScenarioTemplateFields):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    test_template_ids = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=SCENARIO_TESTS_MAX),
        metadata={"description": "The tests in order (duplicates allowed)."},
    )


class ScenarioTemplateUpdate(ScenarioTemplateFields):
    pass


SCENARIO_TESTS_EXAMPLE = {
    "test_template_ids": [
        "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11",
        "6a1e1f0c-8d35-4a43-a4f9-3b4b77d2b7e2",
        "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11",
    ]
}


class ScenarioTestsIn(Schema):
    test_template_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(max=SCENARIO_TESTS_MAX)
    )


class ScenarioTestOut(Schema):
    """One position of a scenario, with a summary of its template."""

    id = fields.UUID(required=True)
    position = fields.Integer(required=True)
    test_template_id = fields.UUID(required=True)
    name = fields.String(attribute="test_template.name", required=True)
    platforms = fields.List(fields.String(), attribute="test_template.platforms", required=True)
    opsec_level = fields.String(
        attribute="test_template.opsec_level",
        allow_none=True,
        validate=validate.OneOf(OPSEC_LEVELS),
    )
    mitre = fields.List(
        fields.Nested(MitreTagOut), attribute="test_template.mitre_tags", required=True
    )
    deleted = fields.Boolean(
        attribute="test_template.is_deleted",
        required=True,
        metadata={"description": "The template was deleted; restoring it brings it back."},
    )


class ScenarioTemplateOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    test_count = fields.Integer(required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.UUID(allow_none=True)
    updated_at = fields.DateTime(required=True)
    updated_by = fields.UUID(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


class ScenarioTemplateDetailOut(ScenarioTemplateOut):
    tests = fields.List(fields.Nested(ScenarioTestOut), required=True)


class ScenarioTemplateQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))
    include_deleted = fields.Boolean(load_default=False)


# --- summary (home page) -------------------------------------------------------------------------


class LibrarySummaryOut(Schema):
    test_templates = fields.Integer(required=True)
    scenario_templates = fields.Integer(required=True)
    techniques_covered = fields.Integer(
        required=True,
        metadata={"description": "Distinct techniques tagged directly or via a sub-technique."},
    )
