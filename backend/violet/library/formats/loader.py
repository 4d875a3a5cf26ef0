"""Read an import document of either format into validated drafts (no database)."""

from __future__ import annotations

from marshmallow import ValidationError

from violet.core.errors import flatten_messages
from violet.library.formats import atomic_red_team, portable
from violet.library.formats.drafts import FormatError, TemplateDraft, TooManyItems
from violet.library.schemas import TestTemplateCreate

PARSERS = {"atomic-red-team": atomic_red_team.parse, "violet": portable.parse}


def load_document(format_name: str, content: str | bytes) -> list[TemplateDraft]:
    """The document's drafts, each checked against the create schema (bounds, enums).

    A document that cannot be read raises FormatError; a draft that fails the schema keeps
    its `problem` and is reported, not imported.
    """
    drafts = PARSERS[format_name](content)
    schema = TestTemplateCreate()  # one instance: building a schema costs more than a load
    for draft in drafts:
        try:
            draft.values = schema.load(draft.fields)
        except ValidationError as error:
            messages = flatten_messages(error.messages)
            draft.problem = "; ".join(f"{key}: {' '.join(m)}" for key, m in messages.items())
    return drafts


__all__ = ["FormatError", "TooManyItems", "load_document"]
