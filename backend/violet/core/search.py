"""Text search `q`: case-insensitive substring match with LIKE wildcards escaped.

The rule is part of the API contract (docs/api.md, "Conventions").

A user who types `100%` or `log_in` finds exactly that text instead of a wildcard pattern.
`contains(column, q)` filters one column, `contains_any(q, col1, col2, …)` several (OR).
A statement built once takes the pattern as a parameter: `contains_any_parameter(name, …)`
in the statement, `like_pattern(q)` its value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, or_

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    r"""Make `%`, `_` and `\` match themselves in a LIKE pattern (escape character `\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column ILIKE '%text%'`, with `text` taken literally."""
    return column.ilike(like_pattern(text), escape=LIKE_ESCAPE)


def contains_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """`col1 ILIKE '%text%' OR col2 ILIKE '%text%' …` with `text` taken literally."""
    if not columns:
        raise ValueError("contains_any needs at least one column")
    return or_(*(contains(column, text) for column in columns))


def like_pattern(text: str) -> str:
    """The pattern `contains` matches `text` with, for a parameter of a statement built once."""
    return f"%{escape_like(text)}%"


def contains_any_parameter(name: str, *columns: Any) -> ColumnElement[bool]:
    """`contains_any` with its pattern the bind parameter `name` (value: `like_pattern(q)`)."""
    pattern: BindParameter[str] = bindparam(name)
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))
