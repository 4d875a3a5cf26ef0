"""Optimistic concurrency for resources with a `version`: ETag on reads, If-Match on writes.

A model that mixes in `VersionMixin` (core/models.py) and whose views carry `@versioned` gets
the whole mechanism (docs/domains.md, "Versioning"):

- every response of the view that returns the resource carries `ETag: "<version>"`;
- a write sent with `If-Match: <version>` (quoted or bare), or a comma-separated list of them
  (`"2", "3"`), that does not name the current version answers 412 and changes nothing. The
  check runs at flush (`check_if_match`, called by the flush hook in core/models.py) on the row
  the URL names (its last path parameter), so a view cannot forget it; a write that changes
  nothing is checked when the view returns;
- SQLAlchemy's version counter adds `WHERE version = <old>` to the UPDATE, so two writers racing
  past the check still cannot both win (StaleDataError → 412 in core/errors.py).

A write sent with `If-Match` to a view without `@versioned` (a resource with no version: a
mission category, a detection level) answers 412 and changes nothing: the client asked for a
condition that cannot hold, and doing the write anyway would hide that its guard is gone
(`check_if_match_header`, called by the auth decorators).

A malformed `If-Match` (neither `*` nor a list of versions) is 422 naming the header wherever the
header is evaluated: on every view of a versioned resource, and on writes to the others. It is
bad input, as a malformed body field is, whether or not the resource has a version; only a
well-formed condition can be met (200) or not (412).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import has_request_context, request

from violet.core.errors import PROBLEM_JSON, PreconditionFailed, Unprocessable
from violet.core.serialization import declared_statuses

View = TypeVar("View", bound=Callable[..., Any])

# Per request, in the WSGI environ (never shared between requests): the If-Match version, and
# whether the flush hook already compared it with the row.
IF_MATCH_KEY = "violet.if_match"
CHECKED_KEY = "violet.if_match_checked"
# Set on `@versioned` views; functools.wraps carries it up to the auth decorator.
VERSIONED_MARKER = "_violet_versioned"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def parse_if_match(header: str | None) -> frozenset[int] | None:
    """The versions an `If-Match` accepts: `3`, `"3"` or `W/"3"`, or a comma-separated list of
    them (`"2", "3"`), any of which may match; absent, blank or `*` → None (the write is
    unconditional). Anything else is 422 naming the header.

    A weak tag counts as the same version: Violet only sends strong tags, and a proxy that
    compresses a response may weaken the tag the client then sends back.
    """
    if header is None or header.strip() in ("", "*"):
        return None
    versions = set()
    # An empty list element (`"2", , "3"`) is allowed in HTTP lists and ignored.
    for tag in filter(None, (part.strip() for part in header.split(","))):
        value = tag.removeprefix("W/")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        versions.add(_version_of(value))
    if not versions:
        raise _malformed()
    return frozenset(versions)


def _version_of(value: str) -> int:
    # isdigit() alone also accepts digits int() refuses ("²"); a value past int()'s digit limit
    # is refused too, rather than a 500.
    if not (value.isascii() and value.isdigit()):
        raise _malformed()
    try:
        return int(value)
    except ValueError as exc:
        raise _malformed() from exc


def _malformed() -> Unprocessable:
    return Unprocessable(
        'If-Match must be the resource version, e.g. If-Match: "3", or a list of versions '
        '("2", "3"), or *.',
        errors={"If-Match": ["Must be integer versions, quoted or bare, separated by commas."]},
    )


def is_versioned(view: Callable[..., Any]) -> bool:
    return getattr(view, VERSIONED_MARKER, False)


ETAG_HEADER_DOC = {
    "description": 'The resource\'s `version`, quoted (`"3"`): send it back as `If-Match`.',
    "schema": {"type": "string"},
}
PRECONDITION_FAILED_DOC = {
    "description": "If-Match names another version than the current one; nothing changed.",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def versioned_doc(apidoc: dict[str, Any]) -> dict[str, Any]:
    """What the OpenAPI operation of a `@versioned` view (`apidoc`: flask-smorest's record of
    its decorators) must add, since every such view may send it: the `ETag` header on each
    success with a body, 412 for a stale If-Match (reads too) and 422 for a malformed one.
    The auth decorators merge it in, being outermost: they see every response declared."""
    declared = declared_statuses(apidoc)
    responses: dict[Any, Any] = {
        # The key as flask-smorest has it (an int), so the header joins its answer.
        code: {"headers": {"ETag": ETAG_HEADER_DOC}}
        for code in apidoc.get("success_status_codes", [])
        if int(code) != 204
    }
    if "412" not in declared:
        responses["412"] = PRECONDITION_FAILED_DOC
    if "422" not in declared:
        responses["422"] = "UNPROCESSABLE_ENTITY"
    return {"responses": responses}


def check_if_match_header(versioned: bool) -> None:
    """422 for a malformed If-Match wherever it is evaluated (versioned views, writes); then 412
    for a write that carries one (other than `*`) to a view without `@versioned`."""
    if not versioned and request.method not in WRITE_METHODS:
        return
    if parse_if_match(request.headers.get("If-Match")) is None or versioned:
        return
    raise PreconditionFailed(
        "This operation takes no If-Match (it has no version of its own to match), so nothing "
        "was changed. Send it without If-Match; If-Match guards PATCH, DELETE and restore of a "
        "resource that carries a version."
    )


def _refuse_stale(current: int, expected: frozenset[int]) -> None:
    if current not in expected:
        named = ", ".join(str(version) for version in sorted(expected))
        word = "version" if len(expected) == 1 else "versions"
        raise PreconditionFailed(
            f"If-Match names {word} {named}, but the resource is at version {current}. "
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
