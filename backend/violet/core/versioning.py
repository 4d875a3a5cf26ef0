"""Optimistic concurrency for resources with a `version`: ETag on reads, If-Match on writes.

A model that mixes in `VersionMixin` (core/models.py) and whose views carry `@versioned` gets
the whole mechanism (docs/domains.md, "Versioning"):

- every response of the view that returns the resource carries `ETag: "<version>"`;
- a write sent with `If-Match: <version>` (quoted or bare) that is stale answers 412 and changes
  nothing. The check runs at flush (`check_if_match`, called by the flush hook in core/models.py)
  on the row the URL names (its last path parameter), so a view cannot forget it; a write that
  changes nothing is checked when the view returns;
- SQLAlchemy's version counter adds `WHERE version = <old>` to the UPDATE, so two writers racing
  past the check still cannot both win (StaleDataError → 412 in core/errors.py).

A write sent with `If-Match` to a view without `@versioned` (a resource with no version: a
mission category, a detection level) answers 412 and changes nothing: the client asked for a
condition that cannot hold, and doing the write anyway would hide that its guard is gone
(`refuse_if_match_without_version`, called by the auth decorators).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import has_request_context, request

from violet.core.errors import PreconditionFailed, Unprocessable

View = TypeVar("View", bound=Callable[..., Any])

# Per request, in the WSGI environ (never shared between requests): the If-Match version, and
# whether the flush hook already compared it with the row.
IF_MATCH_KEY = "violet.if_match"
CHECKED_KEY = "violet.if_match_checked"
# Set on `@versioned` views; functools.wraps carries it up to the auth decorator.
VERSIONED_MARKER = "_violet_versioned"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def parse_if_match(header: str | None) -> int | None:
    """`If-Match: 3`, `"3"` or `W/"3"` → 3; absent → None (the write is unconditional)."""
    if header is None or header.strip() in ("", "*"):
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Unprocessable(
            'If-Match must be the resource version, e.g. If-Match: "3".',
            errors={"If-Match": ["Must be an integer version, quoted or bare."]},
        )
    return int(value)


def is_versioned(view: Callable[..., Any]) -> bool:
    return getattr(view, VERSIONED_MARKER, False)


def refuse_if_match_without_version(versioned: bool) -> None:
    """412 for a write that carries If-Match (other than `*`) to a view without `@versioned`."""
    if versioned or request.method not in WRITE_METHODS:
        return
    header = request.headers.get("If-Match")
    if header is None or header.strip() in ("", "*"):
        return
    raise PreconditionFailed(
        "This resource has no version for If-Match to match, so nothing was changed. "
        "Send the write without If-Match."
    )


def _refuse_stale(current: int, expected: int) -> None:
    if expected != current:
        raise PreconditionFailed(
            f"Version {expected} is stale; the resource is at version {current}. "
            "Reload it and apply your change again."
        )


def check_if_match(row: Any) -> None:
    """412 when the request's If-Match names another version of `row` than the stored one.

    Only the resource the URL names (its last path parameter) is compared: a write may touch
    other versioned rows on the way.
    """
    if not has_request_context() or request.environ.get(IF_MATCH_KEY) is None:
        return
    # Compared once, at the first flush that changes the row: a later flush of the same request
    # (a write in several steps, e.g. deleting a user then ending their sessions) sees the
    # version this request's own first write produced.
    if request.environ.get(CHECKED_KEY):
        return
    view_args = list((request.view_args or {}).values())
    if not view_args or view_args[-1] != row.id:
        return
    request.environ[CHECKED_KEY] = True
    _refuse_stale(row.version, request.environ[IF_MATCH_KEY])


def versioned(view: View) -> View:
    """On the views of a versioned resource, right above `def` (under `@blp.response`)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        expected = parse_if_match(request.headers.get("If-Match"))
        request.environ[IF_MATCH_KEY] = expected
        result = view(*args, **kwargs)
        version = getattr(result, "version", None)
        if not isinstance(version, int):
            return result
        if expected is not None and not request.environ.get(CHECKED_KEY):
            _refuse_stale(version, expected)  # a read, or a write that changed nothing
        return result, {"ETag": f'"{version}"'}

    setattr(wrapper, VERSIONED_MARKER, True)
    return cast(View, wrapper)  # wraps() is typed as returning its own wrapper type
