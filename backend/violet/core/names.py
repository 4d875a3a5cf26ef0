"""`Name`: the text field for what names something a person picks from a list.

A name of spaces passed a length check and was saved empty: a nameless group (an unlabelled
checkbox), a workspace switcher reading "Workspace: ". So a name loses its surrounding
whitespace when it is read, and nothing left is a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

BLANK = "May not be blank."


class Name(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError(BLANK)
        return text
