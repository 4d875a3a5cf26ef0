"""One error shape for the whole API: RFC 9457 `application/problem+json`.

Every error source ends here: werkzeug HTTP errors, flask-smorest/webargs validation (422),
marshmallow errors raised by services, `ApiError` raised by services, database integrity and
concurrency errors, and anything unexpected (500, logged, no internals in the body).

A statement PostgreSQL refuses because of what the request asked for is the client's problem,
not a server fault: an integrity violation (SQLSTATE class 23: a unique or foreign key check a
concurrent change got past the service's own checks) is 409, a data exception (class 22: a
number out of range, a string too long) is 422. Services validate first, so these are the
safety net; the transaction is rolled back either way.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, json
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from violet.core.database import is_outage, is_timeout

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("violet.errors")


class ProblemSchema(Schema):
    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "The request body is invalid."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field name (validation errors only)."},
    )


class ApiError(Exception):
    """Raised by services for an outcome the client must hear about (4xx)."""

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        if status is not None:
            self.status = status


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Gone(ApiError):
    status = 410


class PreconditionFailed(ApiError):
    status = 412


class Unprocessable(ApiError):
    status = 422


class TooManyRequests(ApiError):
    status = 429


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
) -> Response:
    """Build a problem+json response."""
    try:
        default_title = HTTPStatus(status).phrase
    except ValueError:
        default_title = "Error"
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or default_title,
        "status": status,
        "detail": detail or default_title,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into `{"field.sub": ["msg"]}`.

    webargs nests them under the request location (`{"json": {"name": [...]}}`); the location
    is dropped so clients see the field name alone.
    """
    if isinstance(messages, dict):
        if not prefix and set(messages) <= {
            "json",
            "query",
            "querystring",
            "form",
            "files",
            "headers",
            "json_or_form",
            "view_args",
        }:
            merged: dict[str, list[str]] = {}
            for location_messages in messages.values():
                merged.update(flatten_messages(location_messages))
            return merged
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, name))
        return flat
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for index, item in enumerate(messages):
            flat.update(flatten_messages(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_schema": [str(messages)]}


def size_limit(max_bytes: int) -> str:
    """A size limit as a person reads it and exactly: `25 MB (26214400 bytes)` (MB of 2**20)."""
    megabytes = max_bytes / 2**20
    shown = f"{megabytes:.1f}".removesuffix(".0") if megabytes >= 0.1 else f"{megabytes:.2g}"
    return f"{shown} MB ({max_bytes} bytes)"


def validation_detail(errors: dict[str, list[str]]) -> str:
    names = ", ".join(sorted(errors))
    return f"Invalid input: {names}." if names else "Invalid input."


# Class 23 (integrity constraint violation), by SQLSTATE. The constraint's name is appended for
# whoever reads the report; the words are for the person who sent the request.
FOREIGN_KEY_VIOLATION = "23503"
UNIQUE_VIOLATION = "23505"
CHANGED_MEANWHILE = (
    "It was changed or removed by someone else meanwhile (or something it refers to was); "
    "reload and try again."
)
ALREADY_EXISTS = "It already exists (perhaps just made by someone else); reload and try again."
BREAKS_A_RULE = (
    "The change does not fit the stored data, which someone else may have changed meanwhile; "
    "reload and try again."
)
# Class 22 (data exception), by SQLSTATE; any other class 22 state: DATA_REFUSED.
DATA_PROBLEMS = {
    "22001": "A text value is longer than can be stored.",
    "22003": "A number is too large or too small to be stored.",
    "22007": "A date or time is not valid.",
    "22008": "A date or time is out of the range that can be stored.",
    "22P02": "A value is not in the form expected (a number, an id, a date).",
}
DATA_REFUSED = "A value cannot be stored as given."


def sqlstate_of(exc: Exception) -> str:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) or ""


def constraint_of(exc: Exception) -> str | None:
    return getattr(getattr(getattr(exc, "orig", None), "diag", None), "constraint_name", None)


def register_error_handlers(app: Flask) -> None:
    from violet.core.models import Base
    from violet.extensions import db

    def unique_field(constraint: str) -> str | None:
        """The field a unique constraint or index keeps unique, as the client names it: its
        last column that is not an id (`slug` of (slug), `name` of (workspace_id, name));
        None when it is unknown or made only of ids (a pair of references)."""
        for table in Base.metadata.tables.values():
            uniques: list[Index | UniqueConstraint] = [
                *(index for index in table.indexes if index.unique),
                *(c for c in table.constraints if isinstance(c, UniqueConstraint)),
            ]
            for unique in uniques:
                if unique.name == constraint:
                    columns = [column.name for column in unique.columns]
                    names = [name for name in columns if name != "id" and not name.endswith("_id")]
                    return names[-1] if names else None
        return None

    def rollback() -> None:
        # Nothing half-written: whatever the request flushed is discarded.
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the database may be the thing that failed
            log.warning("rollback failed", exc_info=True)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response:
        rollback()
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        headers = dict(data.get("headers") or {})
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        if "messages" in data:  # webargs / flask-smorest validation failure
            errors = flatten_messages(data["messages"])
            return problem(status, validation_detail(errors), errors=errors, headers=headers)
        detail = data.get("message") or exc.description
        if isinstance(exc, RequestEntityTooLarge):
            # Werkzeug's own words name no limit: the endpoint's (`allow_body_up_to`) or the
            # app's.
            detail = g.get("too_large_detail") or (
                "The request body is larger than the limit of "
                f"{size_limit(current_app.config['MAX_CONTENT_LENGTH'])}."
            )
        return problem(status, detail, headers=headers)

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> Response:
        rollback()
        return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)

    @app.errorhandler(ValidationError)
    def handle_validation_error(exc: ValidationError) -> Response:
        rollback()
        errors = flatten_messages(exc.messages)
        return problem(422, validation_detail(errors), errors=errors)

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError) -> Response:
        rollback()
        sqlstate, constraint = sqlstate_of(exc), constraint_of(exc)
        log.warning("integrity violation %s (%s)", sqlstate, constraint)
        errors = None
        if sqlstate == UNIQUE_VIOLATION:
            field = unique_field(constraint) if constraint else None
            detail = ALREADY_EXISTS
            if field:
                detail = (
                    f"That {field} is already taken (perhaps just now by someone else); "
                    "choose another, or reload and try again."
                )
                errors = {field: ["Already taken."]}
        elif sqlstate == FOREIGN_KEY_VIOLATION:
            detail = CHANGED_MEANWHILE
        else:
            detail = BREAKS_A_RULE
        if constraint:
            detail += f" (Constraint: {constraint}.)"
        return problem(409, detail, errors=errors)

    @app.errorhandler(DataError)
    def handle_data_error(exc: DataError) -> Response:
        rollback()
        sqlstate = sqlstate_of(exc)
        # Logged: a value the service's validation let through is a gap to close there.
        log.warning("data exception %s", sqlstate)
        return problem(422, DATA_PROBLEMS.get(sqlstate, DATA_REFUSED))

    @app.errorhandler(StaleDataError)
    def handle_stale_data(exc: StaleDataError) -> Response:
        rollback()
        return problem(412, "The resource was changed by someone else; reload and retry.")

    @app.errorhandler(OperationalError)
    def handle_database_down(exc: OperationalError) -> Response:
        if is_timeout(exc):
            rollback()
            log.warning("statement stopped by a time limit (%s)", sqlstate_of(exc))
            return problem(
                503,
                "The database did not finish in time (its statement_timeout or lock_timeout "
                "stopped the request); retry shortly, or ask for less at once.",
            )
        if not is_outage(exc):  # a statement that failed on its own: a bug, not an outage
            return handle_unexpected(exc)
        rollback()
        log.error("database error", exc_info=exc)
        return problem(503, "The database is unavailable; retry shortly.")

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        rollback()
        request_id = getattr(g, "request_id", None)
        log.exception("unhandled error", extra={"request_id": request_id})
        detail = "An unexpected error occurred."
        if request_id:
            detail += f" Quote request id {request_id} when reporting it."
        return problem(500, detail)
