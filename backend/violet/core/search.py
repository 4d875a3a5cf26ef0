"""Text search `q` (SPEC §0): a case-insensitive substring match with LIKE wildcards escaped.

Every list endpoint with a `q` filter uses `contains_any(q, column, ...)`, so a user who types
`100%` or `log_in` finds exactly that text instead of a wildcard pattern.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` with `\\`, `%` and `_` escaped for a LIKE/ILIKE pattern using `ESCAPE '\\'`."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """The ILIKE pattern matching `text` anywhere in a value."""
    return f"%{escape_like(text)}%"


def contains_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """`col1 ILIKE '%text%' OR col2 ILIKE '%text%' …` with `text` taken literally."""
    if not columns:
        raise ValueError("contains_any needs at least one column")
    pattern = contains_pattern(text)
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))
