"""Text search `q` (SPEC §0): case-insensitive substring match with LIKE wildcards escaped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement


def escape_like(text: str) -> str:
    r"""Make `%`, `_` and `\` match themselves in a LIKE pattern (escape character `\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column ILIKE '%text%'`, with `text` taken literally."""
    return column.ilike(f"%{escape_like(text)}%", escape="\\")
