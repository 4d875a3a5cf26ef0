"""Unknown query parameters are refused (422), as unknown body fields are.

webargs ignores query parameters its schema does not name, and a view without a query schema
never looks at them, so `?per_page=5` would be silently ignored. The auth decorators (core/auth.py),
which every view carries outermost, call `check_query_parameters` once the caller is known, so
this holds for every endpoint without each one declaring it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from violet.core.errors import Unprocessable

QUERY_LOCATIONS = ("query", "querystring")


def accepted_query_parameters(view: Callable[..., Any]) -> frozenset[str]:
    """The names the view's query schemas (`@blp.arguments(..., location="query")`) load."""
    names: set[str] = set()
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    for parameter in parameters:
        if parameter.get("in") not in QUERY_LOCATIONS:
            continue
        schema = parameter["schema"]
        schema = schema() if isinstance(schema, type) else schema
        names |= {field.data_key or name for name, field in schema.load_fields.items()}
    return frozenset(names)


def check_query_parameters(accepted: frozenset[str]) -> None:
    unknown = sorted(set(request.args) - accepted)
    if unknown:
        raise Unprocessable(
            f"Unknown query parameter: {', '.join(unknown)}.",
            errors={name: ["Unknown field."] for name in unknown},
        )
