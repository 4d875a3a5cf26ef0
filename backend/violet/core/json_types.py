"""JSON bodies are held to the types the OpenAPI spec gives them.

marshmallow converts where a JSON API should refuse: `0` loads into a Boolean as false, `2.5`
into an Integer as 2, `"5"` into an Integer as 5. A client that sends those has a bug, and
silently reinterpreting its input hides it (`{"is_active": 0}` deactivating a user). So before a
JSON body reaches its schema, `StrictJsonParser` checks the JSON type of every boolean and
number field, nested ones included, and refuses the body with a 422 naming each field of the
wrong type. Query strings are left alone: there every value is text, and conversion is the point;
only a parameter given twice that takes one value is refused (`repeated_parameters`).

A query string asked again is not parsed again (`StrictJsonParser.parse`): every open tab's bell
polls one URL, and marshmallow's load is a measurable share of such a light request
(docs/performance.md, "Fourteenth look"). Only a signed-in caller's short query strings, of
schemas whose answer depends on the query string alone, are remembered, and each caller gets
its own copy.

extensions.py installs the parser for every flask-smorest blueprint, so a new domain gets it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import Request
from flask import request as flask_request
from marshmallow import Schema, ValidationError, fields
from webargs.fields import DelimitedList
from webargs.flaskparser import FlaskParser

from violet.core.auth import current_principal_or_none

JSON_LOCATIONS = {"json", "json_or_form"}


# Values a remembered answer may hold: none of them can be changed by the view that gets it.
IMMUTABLE = (str, int, float, bool, type(None), uuid.UUID, date, Decimal, Enum, tuple, frozenset)
MAX_REMEMBERED = 4096  # query strings per process, all schemas together
# Only a short query string is remembered: the ones asked again and again (the bell's
# `limit=20`, a list page with its filters) are a few dozen bytes, while one of up to 4 KB
# (input_guard's MAX_QUERY_BYTES) of ids, which any signed-in user may send, parses into
# ~17 KB of objects: 4,096 of them held ~70 MB in every worker for as long as it ran.
MAX_REMEMBERED_QUERY_BYTES = 256


class StrictJsonParser(FlaskParser):
    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[Schema, Any, bytes], dict[str, Any]] = {}
        self._pure: dict[Schema, bool] = {}

    def parse(self, argmap: Any, req: Request | None = None, **kwargs: Any) -> Any:
        """webargs' parse; a query string this view's schema parsed before gives the same
        arguments again (a copy: a list in them is the caller's own)."""
        query_string = (req or flask_request).query_string
        if (
            kwargs.get("location") != "query"
            or kwargs.get("validate")
            or len(query_string) > MAX_REMEMBERED_QUERY_BYTES
            # An anonymous caller (an invitation link's lookup) neither fills the memory nor
            # leaves its secrets in it: its `?token=` would stay in the worker, unhashed.
            or current_principal_or_none() is None
            or not self.pure(argmap)
        ):
            return super().parse(argmap, req, **kwargs)
        key = (argmap, kwargs.get("unknown"), query_string)
        remembered = self._parsed.get(key)
        if remembered is None:
            arguments = super().parse(argmap, req, **kwargs)  # a 422 is raised, never kept
            if not all(_immutable(value) for value in arguments.values()):
                return arguments
            if len(self._parsed) >= MAX_REMEMBERED:
                self._parsed.clear()
            self._parsed[key] = remembered = arguments
        return {name: _copy(value) for name, value in remembered.items()}

    def pure(self, schema: Any) -> bool:
        """Whether loading `schema` depends on its input alone: no hooks (which may read the
        request or the database), no nested schemas, no default computed at load time."""
        if not isinstance(schema, Schema):
            return False
        if schema not in self._pure:
            self._pure[schema] = not any(schema._hooks.values()) and not any(
                isinstance(field, fields.Nested) or callable(field.load_default)
                for field in schema.load_fields.values()
            )
        return self._pure[schema]

    def pre_load(
        self, location_data: Mapping, *, schema: Schema, req: Request, location: str
    ) -> Mapping:
        errors = {}
        if location in JSON_LOCATIONS:
            errors = wrong_types(schema, location_data)
        elif location == "query":
            errors = repeated_parameters(schema, req)
        if errors:
            raise ValidationError(errors)
        return location_data


def _immutable(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, IMMUTABLE) for item in value)
    return isinstance(value, IMMUTABLE)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


REPEATED = "Given more than once: give it once (a list takes commas: a,b)."


def repeated_parameters(schema: Schema, req: Request) -> dict[str, list[str]]:
    """Query parameters given twice that take one value. webargs would keep the first and drop
    the others: `mission_ids=A&mission_ids=B` (how many clients send a list) would answer for A
    alone as if it were "across missions"."""
    repeated = [key for key, values in req.args.lists() if len(values) > 1]
    if not repeated:
        return {}  # the usual case, without looking at the schema
    by_key = {field.data_key or name: field for name, field in schema.load_fields.items()}
    errors = {}
    for key in repeated:
        field = by_key.get(key)
        if field is not None and not getattr(field, "is_multiple", isinstance(field, fields.List)):
            errors[key] = [REPEATED]
    return errors


def wrong_types(schema: Schema, document: Any) -> dict[str, Any]:
    """marshmallow-style errors for the values of `document` whose JSON type `schema` refuses."""
    if not isinstance(document, Mapping):
        return {}  # the schema itself says "Invalid input type"
    errors: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in document:
            error = wrong_type(field, document[key])
            if error:
                errors[key] = error
    return errors


def wrong_type(field: fields.Field, value: Any) -> Any:
    if value is None:
        return None  # allow_none is the schema's call
    if isinstance(field, fields.Boolean) and not isinstance(value, bool):
        return ["Not a valid boolean."]
    if isinstance(field, fields.Integer) and (
        isinstance(value, bool) or not isinstance(value, int)
    ):
        return ["Not a valid integer."]
    if isinstance(field, fields.Number) and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        return ["Not a valid number."]
    if isinstance(field, fields.Nested):
        nested = field.schema
        if field.many and isinstance(value, list):
            errors = {i: e for i, item in enumerate(value) if (e := wrong_types(nested, item))}
            return errors or None
        return wrong_types(nested, value) or None
    if isinstance(field, fields.List) and isinstance(value, list):
        errors = {i: e for i, item in enumerate(value) if (e := wrong_type(field.inner, item))}
        return errors or None
    return None


class Moment(fields.AwareDateTime):
    """An input time: ISO 8601 with an offset (docs/api.md, Conventions), within the years
    Python can read back. A time without an offset is refused rather than guessed as UTC, and
    `0001-01-01T00:00:00+14:00` (the year 0 in UTC) would be stored by PostgreSQL and then
    fail every read of its row."""

    default_error_messages = {"out_of_range": "Not a time between the years 1 and 9999 in UTC."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise self.make_error("out_of_range") from exc


class CommaList(DelimitedList):
    """A query parameter's comma-separated list (`?mission_ids=A,B`). Each item is taken without
    the spaces around it: `A, B` is how people type a list (and how one pastes it from a
    spreadsheet), and the space is never part of an id or a field name."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = ",".join(item.strip() for item in value.split(","))
        return super()._deserialize(value, attr, data, **kwargs)
