"""Violet's own library format: the JSON that `GET /test-templates/export` writes.

    {"format": "violet-library", "format_version": 1, "exported_at": "…",
     "test_templates": [{"id": "…", "name": "…", …, "mitre": [{"kind", "external_id"}]}]}

Each template carries every writable field, and its MITRE tags as `(kind, external_id)` pairs,
which mean the same thing in every instance. The `id` lets a re-import into the same instance
update the templates it came from; another instance creates them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from violet.core.errors import flatten_messages
from violet.core.input_guard import UNSTORABLE_MESSAGE, unstorable_fields
from violet.library.formats.drafts import (
    MAX_ITEMS,
    FormatError,
    TemplateDraft,
    TooManyItems,
    undecodable,
)
from violet.library.schemas import TestTemplateCreate

FORMAT = "violet-library"
FORMAT_VERSION = 1
DOCUMENT = "Violet library export"  # in error messages
# The fields written per template, in this order (the create schema's, plus the id).
TEMPLATE_FIELDS = (
    "name",
    "description",
    "procedure",
    "cleanup",
    "prerequisites",
    "expected_detection",
    "platforms",
    "opsec_level",
    "tags",
    "references",
    "source",
    "source_ref",
    "input_arguments",
)


class PortableTemplate(TestTemplateCreate):
    id = fields.UUID(required=True)


class PortableDocument(Schema):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    format_version = fields.Integer(required=True, validate=validate.Equal(FORMAT_VERSION))
    exported_at = fields.String(load_default=None, allow_none=True)
    test_templates = fields.List(fields.Nested(PortableTemplate), required=True)


def export_document(templates: list[Any], exported_at: datetime) -> dict[str, Any]:
    """The portable JSON of `templates` (TestTemplate rows with their tags loaded)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at.isoformat(),
        "test_templates": [template_entry(template) for template in templates],
    }


def template_entry(template: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": str(template.id)}
    entry.update({name: getattr(template, name) for name in TEMPLATE_FIELDS})
    entry["mitre"] = [
        {"kind": tag.kind, "external_id": tag.external_id} for tag in template.mitre_tags
    ]
    return entry


def parse(text: str | bytes) -> list[TemplateDraft]:
    """The template drafts of a portable document (FormatError when unreadable)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise FormatError(f"Invalid JSON at {where}: {error.msg}.", {where: [error.msg]}) from error
    except UnicodeDecodeError as error:
        raise undecodable(error) from error
    except RecursionError as error:
        # json.loads recurses once per level: `[[[[…` a few thousand deep exhausts the stack.
        problem = "The JSON is nested too deeply."
        raise FormatError(problem, {"_schema": [problem]}) from error
    if not isinstance(document, dict):
        raise FormatError(
            f"Not a Violet library export: expected a JSON object with format {FORMAT!r}.",
            {"_schema": ["Expected a JSON object at the top level."]},
        )
    # A multipart upload is not a JSON body, so the request's input guard has not seen inside it.
    unstorable = {path: [UNSTORABLE_MESSAGE] for path in unstorable_fields(document)}
    if unstorable:
        raise FormatError.naming(DOCUMENT, unstorable)
    templates = document.get("test_templates")
    if isinstance(templates, list) and len(templates) > MAX_ITEMS:
        advice = "Split its test_templates into several documents."
        raise TooManyItems(len(templates), "templates", "test_templates", advice)
    try:
        loaded = PortableDocument().load(document)
    except ValidationError as error:
        errors = flatten_messages(error.messages)
        raise FormatError.naming(DOCUMENT, errors) from error
    drafts = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(loaded["test_templates"]):
        key = str(entry.pop("id"))
        earlier = first_index.setdefault(key, index)
        if earlier != index:
            # Both would update one template, the later silently overwriting the earlier.
            path = f"test_templates.{index}.id"
            problem = f"The id of test_templates.{earlier}: each template's id must be unique."
            raise FormatError.naming(DOCUMENT, {path: [problem]})
        drafts.append(TemplateDraft(path=f"test_templates.{index}", fields=entry, key=key))
    return drafts
