"""Output helpers: objects with extra attributes, and a fast dump for marshmallow schemas.

The marshmallow schemas stay the one description of every response (they write the OpenAPI
spec). `CompiledSchema.dump` produces the same JSON as `Schema.dump` would, but from a plan built
once per schema instance: for each field its output key, the attribute it reads and a value
converter, so a 50-item page is not walked through marshmallow's generic per-field machinery
(accessor lookups, default handling, nested `dump` calls) 50 × N times. Field types whose
conversion is simple (strings, UUIDs, integers, booleans, ISO datetimes, lists, nested schemas)
are converted inline; any other field is handed to its own `_serialize`, and a schema with dump
hooks or a custom `get_attribute` is dumped by marshmallow itself. One difference before
encoding: a UUID stays a UUID (the JSON encoders write it as its string).
`tests/core/test_serialization.py` compares both dumps, encoded, for every response schema.

Every blueprint is this module's `Blueprint`, whose `response()` dumps through the compiled plan:
single objects as well as list pages, and whose `alt_response()` documents an error answer as what
core/errors.py sends: a problem+json body (and `Retry-After` on a 429).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import flask_smorest
import orjson
from flask.json.provider import DefaultJSONProvider
from flask_smorest.utils import resolve_schema_instance
from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, get_value

from violet.core.errors import PROBLEM_JSON, ProblemSchema

Convert = Callable[[Any, str, Any], Any]  # (value, attribute name, parent object) → output
DUMPER_ATTRIBUTE = "_violet_dumper"
# Key sets remembered per schema (rows come from a few fixed column lists; this only bounds it).
MAX_PLANS_BY_KEYS = 64
# Every 429 carries it (core/limits.py).
RETRY_AFTER_DOC = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 1},
}


class Extended:
    """`obj` seen with extra attributes: for an output schema that adds computed fields
    (a one-time secret, the caller's permissions) to what a model row already has."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON, encoded by orjson (several times faster on large bodies).

    Same values as the standard provider: dates, dataclasses and anything else orjson does not
    know go through Flask's own `default`; pretty-printing (debug) and dumps with options, or of
    what orjson refuses (integers beyond 64 bits), fall back to the standard encoder. Non-ASCII
    text is sent as UTF-8 rather than `\\u` escapes.
    """

    OPTIONS = (
        orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def encode(self, obj: Any) -> bytes | None:
        try:
            return orjson.dumps(obj, default=self.default, option=self.OPTIONS)
        except orjson.JSONEncodeError:
            return None

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        encoded = None if kwargs else self.encode(obj)
        return encoded.decode() if encoded is not None else super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        if self._app.debug:
            return super().response(*args, **kwargs)
        encoded = self.encode(self._prepare_response_obj(args, kwargs))
        if encoded is None:
            return super().response(*args, **kwargs)
        response_class: Any = self._app.response_class
        return response_class(encoded + b"\n", mimetype=self.mimetype)


class CompiledSchema(Schema):
    """A schema whose `dump` runs its compiled plan: same output, a fraction of the time."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return dumper_of(self)(obj, self.many if many is None else bool(many))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, with each response schema dumped by its compiled plan and
    each argument schema instantiated once (given a class, webargs would build one per request)."""

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)

    def response(self, status_code: Any, schema: Any = None, **kwargs: Any) -> Any:
        if schema is not None:
            schema = compiled(resolve_schema_instance(schema))
        return super().response(status_code, schema, **kwargs)

    def alt_response(self, status_code: Any, *args: Any, **kwargs: Any) -> Any:
        """An error answer declared with only a description still has a body: every error is
        problem+json (core/errors.py), and a client generated from the spec must know it."""
        is_error = int(status_code) >= 400
        if is_error and not args and kwargs.get("schema") is None and "response" not in kwargs:
            kwargs.update(schema=ProblemSchema, content_type=PROBLEM_JSON)
        if int(status_code) == 429 and "headers" not in kwargs:
            kwargs["headers"] = {"Retry-After": RETRY_AFTER_DOC}
        return super().alt_response(status_code, *args, **kwargs)


def declared_statuses(apidoc: dict[str, Any]) -> set[str]:
    """The statuses a view's own decorators documented (`apidoc`: flask-smorest's record of
    them, keyed by int or str), as strings."""
    return {str(code) for code in apidoc.get("response", {}).get("responses", {})}


def compiled(schema: Schema) -> Schema:
    """`schema` (an instance) with its `dump` running the compiled plan; the instance still
    documents the response in the OpenAPI spec."""
    if not isinstance(schema, CompiledSchema):
        dumper = dumper_of(schema)

        def dump(obj: Any, *, many: bool | None = None) -> Any:
            return dumper(obj, schema.many if many is None else bool(many))

        schema.dump = dump  # type: ignore[method-assign]
    return schema


def dumper_of(schema: Schema) -> Callable[[Any, bool], Any]:
    """`dump(obj, many)` for `schema`, compiled on first use and kept on the instance."""
    dumper = schema.__dict__.get(DUMPER_ATTRIBUTE)
    if dumper is None:
        dumper = _compile(schema)
        setattr(schema, DUMPER_ATTRIBUTE, dumper)
    return dumper


def _compile(schema: Schema) -> Callable[[Any, bool], Any]:
    custom_access = type(schema).get_attribute is not Schema.get_attribute
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or custom_access:
        return lambda obj, many: Schema.dump(schema, obj, many=many)

    plan = [_field_step(name, field) for name, field in schema.dump_fields.items()]

    def dump_one(obj: Any) -> dict[str, Any]:
        # marshmallow's accessor: obj[key] for mappings, else getattr (utils.get_value).
        if type(obj) is dict and not computed:
            return dump_dict(obj)
        if type(obj) is dict:
            read = _read_dict
        elif not hasattr(obj, "__getitem__"):
            read = _read_attribute
        else:
            read = get_value
        result: dict[str, Any] = {}
        for out_key, name, key, convert, field in plan:
            if field is not None:  # a field that computes its own value (Method, Function…)
                value = field.serialize(name, obj, accessor=schema.get_attribute)
                if value is not missing:
                    result[out_key] = value
                continue
            value = read(obj, key, missing)
            if value is missing:
                continue
            result[out_key] = convert(value, name, obj)
        return result

    computed = any(field is not None for *_, field in plan)
    # The common case of a list page: a dict per row, every field read by its key. The rows of
    # a page share their keys, so the plan is cut once per set of keys to the fields present
    # (a `fields=` page has few). A field the row lacks is still read as an attribute where a
    # dict has one of that name (`items`, `keys`…), as marshmallow would.
    read_plan = [(out_key, name, key, convert) for out_key, name, key, convert, _ in plan]
    plans_by_keys: dict[tuple[str, ...], list[tuple[str, str, str, Convert, bool]]] = {}

    def plan_for(keys: tuple[str, ...]) -> list[tuple[str, str, str, Convert, bool]]:
        present = set(keys)
        cut = [
            (out_key, name, key, convert, key not in present)
            for out_key, name, key, convert in read_plan
            if key in present or hasattr(dict, key)
        ]
        if len(plans_by_keys) < MAX_PLANS_BY_KEYS:
            plans_by_keys[keys] = cut
        return cut

    def dump_dict(obj: dict[str, Any]) -> dict[str, Any]:
        keys = tuple(obj)
        cut = plans_by_keys.get(keys) or plan_for(keys)
        result: dict[str, Any] = {}
        for out_key, name, key, convert, as_attribute in cut:
            value = getattr(obj, key) if as_attribute else obj[key]
            result[out_key] = convert(value, name, obj)
        return result

    def dump(obj: Any, many: bool) -> Any:
        if many and obj is not None:
            return [dump_one(item) for item in obj]
        return dump_one(obj)

    return dump


def _read_dict(obj: dict[str, Any], key: str, default: Any) -> Any:
    value = obj.get(key, missing)
    return getattr(obj, key, default) if value is missing else value


def _read_attribute(obj: Any, key: str, default: Any) -> Any:
    return getattr(obj, key, default)


def _field_step(
    name: str, field: fields.Field
) -> tuple[str, str, str, Convert, fields.Field | None]:
    """(output key, field name, attribute read, converter, the field if marshmallow reads it).

    Fields that compute their value (Method, Function), have a dump default or read a dotted
    path are left to the field's own `serialize`.
    """
    out_key = field.data_key if field.data_key is not None else name
    key = field.attribute if field.attribute is not None else name
    if not field._CHECK_ATTRIBUTE or field.dump_default is not missing or "." in key:
        return out_key, name, key, _identity, field
    return out_key, name, key, converter(field), None


def converter(field: fields.Field) -> Convert:
    """The function turning an attribute value into what `field._serialize` returns."""
    kind = type(field)
    if kind._serialize is fields.Field._serialize:  # Boolean, Raw: the value as it is
        return _identity
    if kind in (fields.String, fields.Email, fields.Url):
        return _string
    if kind is fields.UUID:
        return _uuid
    if kind is fields.Integer and not field.as_string:  # type: ignore[attr-defined]
        return _integer
    if kind is fields.DateTime and field.format in ("iso", "iso8601"):  # type: ignore[attr-defined]
        return _isoformat
    if kind is fields.Date and field.format in (None, "iso", "iso8601"):  # type: ignore[attr-defined]
        return _date_isoformat
    if kind is fields.Float and not field.as_string:  # type: ignore[attr-defined]
        return _float
    if kind is fields.Dict:
        return _mapping(field)  # type: ignore[arg-type]
    if kind is fields.List:
        return _list(converter(field.inner))  # type: ignore[attr-defined]
    if kind is fields.Nested:
        return _nested(field)  # type: ignore[arg-type]
    return _generic(field)


def _identity(value: Any, name: str, obj: Any) -> Any:
    return value


def _string(value: Any, name: str, obj: Any) -> Any:
    if value is None or type(value) is str:
        return value
    return ensure_text_type(value)


def _uuid(value: Any, name: str, obj: Any) -> Any:
    # A UUID is left to the JSON encoder: orjson writes it as `str()` would, in C, which saves
    # a page of IDs about 4% of its request's CPU (docs/performance.md, twelfth look).
    if value is None or type(value) is uuid.UUID:
        return value
    return str(value)


def _integer(value: Any, name: str, obj: Any) -> Any:
    if value is None or type(value) is int:
        return value
    return int(value)


def _isoformat(value: Any, name: str, obj: Any) -> Any:
    return None if value is None else value.isoformat()


def _date_isoformat(value: Any, name: str, obj: Any) -> Any:
    return None if value is None else date.isoformat(value)


def _float(value: Any, name: str, obj: Any) -> Any:
    return None if value is None else float(value)


def _mapping(field: fields.Dict) -> Convert:
    key = converter(field.key_field) if field.key_field is not None else _identity
    inner = converter(field.value_field) if field.value_field is not None else _identity

    def convert(value: Any, name: str, obj: Any) -> Any:
        if value is None:
            return None
        return {key(k, name, obj): inner(v, name, obj) for k, v in value.items()}

    return convert


def _list(inner: Convert) -> Convert:
    def convert(value: Any, name: str, obj: Any) -> Any:
        if value is None:
            return None
        return [inner(each, name, obj) for each in value]

    return convert


def _nested(field: fields.Nested) -> Convert:
    def convert(value: Any, name: str, obj: Any) -> Any:
        if value is None:
            return None
        schema = field.schema  # resolved lazily by marshmallow (it may name a later class)
        return dumper_of(schema)(value, bool(schema.many or field.many))

    return convert


def _generic(field: fields.Field) -> Convert:
    return lambda value, name, obj: field._serialize(value, name, obj)
