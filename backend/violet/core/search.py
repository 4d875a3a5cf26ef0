"""Text search `q`: case-insensitive substring match with LIKE wildcards escaped.

The rule is part of the API contract (docs/api.md, "Conventions").

A user who types `100%` or `log_in` finds exactly that text instead of a wildcard pattern.
`contains(column, q)` filters one column, `contains_any(q, col1, col2, …)` several (OR).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    r"""Make `%`, `_` and `\` match themselves in a LIKE pattern (escape character `\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column ILIKE '%text%'`, with `text` taken literally."""
    return column.ilike(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def contains_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """`col1 ILIKE '%text%' OR col2 ILIKE '%text%' …` with `text` taken literally."""
    if not columns:
        raise ValueError("contains_any needs at least one column")
    return or_(*(contains(column, text) for column in columns))
