"""The fast dump emits the same JSON as marshmallow's own `Schema.dump`, for every schema of
the API and for real catalogue and user pages; the orjson provider encodes the same JSON values
as Flask's standard one."""

from __future__ import annotations

import importlib
import importlib.util
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema, fields, post_dump

from tests.mitre.bundle import build_bundle, encode
from violet.auth.schemas import UserOut, UserQuery
from violet.auth.service import directory
from violet.core.pagination import page_of
from violet.core.serialization import Blueprint, CompiledSchema, Extended, dumper_of
from violet.mitre import service as mitre_service
from violet.mitre.schemas import (
    MatrixOut,
    SubtechniqueOut,
    SubtechniqueQuery,
    TacticOut,
    TechniqueOut,
    TechniqueQuery,
)
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

NOW = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def marshmallow_dump(schema: Schema, obj: Any, many: bool = False) -> Any:
    return as_json(Schema.dump(schema, obj, many=many))


def fast_dump(schema: Schema, obj: Any, many: bool = False) -> Any:
    """What the fast dump's output is once encoded, as the responses encode it (the fast dump
    leaves UUIDs to the encoder)."""
    return as_json(dumper_of(schema)(obj, many))


def outcome(dump: Any, schema: Schema, obj: Any, many: bool = False) -> tuple[str, Any]:
    """The dump, or the error it raised (both paths must fail alike, e.g. `{}` as a page:
    marshmallow then reads the dict's own `items` method)."""
    try:
        return "dumped", dump(schema, obj, many)
    except Exception as exc:
        return "raised", type(exc)


def sample(field: fields.Field, depth: int) -> Any:
    """A plausible value for `field` (nested schemas sampled `depth` levels deep)."""
    if isinstance(field, fields.Nested):
        if depth == 0:
            return None
        schema = field.schema
        one = lambda: sample_object(schema, depth - 1)  # noqa: E731
        return [one(), one()] if schema.many or field.many else one()
    if isinstance(field, fields.List):
        return [sample(field.inner, depth), sample(field.inner, depth)]
    if isinstance(field, fields.Dict) and field.value_field is not None:
        return {"field": sample(field.value_field, depth)}
    for kind, value in (
        (fields.UUID, uuid.UUID("12345678-1234-5678-1234-567812345678")),
        (fields.String, "Ünïcode ✓ text"),
        (fields.Boolean, True),
        (fields.Integer, 7),
        (fields.Float, 1.5),
        (fields.DateTime, NOW),
        (fields.Date, date(2025, 3, 4)),
        (fields.Dict, {"tactics": 3, "techniques": 4}),
    ):
        if isinstance(field, kind):
            return value
    return {"raw": [1, "two"]}


def sample_object(schema: Schema, depth: int) -> SimpleNamespace:
    return SimpleNamespace(
        **{
            field.attribute or name: sample(field, depth)
            for name, field in schema.dump_fields.items()
        }
    )


def all_api_schemas() -> list[type[Schema]]:
    """Every schema class of the application's domains (input and output), page envelopes
    included: a new domain's schemas are covered without touching this test."""
    from violet.domains import DOMAINS

    for domain in DOMAINS:
        package = f"violet.{domain.name}"
        if importlib.util.find_spec(package) and importlib.util.find_spec(f"{package}.schemas"):
            importlib.import_module(f"{package}.schemas")

    found: list[type[Schema]] = []
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("violet.") and cls is not CompiledSchema:
            found.append(cls)
    for cls in list(found):
        if cls.__name__.endswith("Out"):
            found.append(page_of(cls))
    return sorted(set(found), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("schema_class", all_api_schemas(), ids=lambda cls: cls.__name__)
def test_fast_dump_equals_marshmallow_for_every_schema(schema_class):
    schema = schema_class()
    full = sample_object(schema, depth=3)
    as_dict = vars(sample_object(schema, depth=3))
    nones = SimpleNamespace(**{name: None for name in vars(full)})
    for obj in (full, as_dict, nones, SimpleNamespace(), {}):
        assert outcome(fast_dump, schema, obj) == outcome(marshmallow_dump, schema, obj)
    items = [full, as_dict, nones]
    assert outcome(fast_dump, schema, items, many=True) == outcome(
        marshmallow_dump, schema, items, many=True
    )
    assert outcome(fast_dump, schema, [full], many=True)[0] == "dumped"


class Tricky(Schema):
    renamed = fields.String(data_key="shown_as")
    from_attribute = fields.Integer(attribute="stored")
    dotted = fields.String(attribute="inner.name")
    defaulted = fields.String(dump_default="default")
    computed = fields.Method("compute")
    constant = fields.Constant(42)
    as_text = fields.Integer(as_string=True)
    decimal = fields.Decimal()
    nested_many = fields.Nested(TacticOut, many=True)
    nested_only = fields.Nested(TechniqueOut, only=("external_id", "tactics"))
    pluck = fields.Pluck(TacticOut, "name")
    tuple_ = fields.Tuple((fields.String(), fields.Integer()))
    ratio = fields.Float()
    day = fields.Date()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    plain_dict = fields.Dict()
    loaded_only = fields.String(load_only=True)

    def compute(self, obj: Any) -> str:
        return f"computed from {type(obj).__name__}"


class WithHook(Schema):
    name = fields.String()

    @post_dump
    def shout(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value.upper() for key, value in data.items()}


class Hooked(CompiledSchema):
    name = fields.String()
    child = fields.Nested(WithHook)


@dataclass
class Row:
    """Has __getitem__ (like a SQLAlchemy Row): marshmallow tries obj[key] first."""

    name: str

    def __getitem__(self, key: str) -> Any:
        if key == "name":
            return "from getitem"
        raise KeyError(key)


def test_fast_dump_equals_marshmallow_for_unusual_fields():
    tactic = SimpleNamespace(
        id=uuid.uuid4(),
        external_id="TA0002",
        stix_id="x",
        name="Execution",
        description="",
        url=None,
        domain="enterprise-attack",
        deprecated=False,
        revoked=False,
        shortname="execution",
        position=1,
    )
    obj = SimpleNamespace(
        renamed=b"bytes",
        stored=True,
        inner=SimpleNamespace(name="deep"),
        as_text=12,
        decimal=Decimal("1.50"),
        nested_many=[tactic, tactic],
        nested_only={"external_id": "T1059", "tactics": [tactic], "name": "hidden"},
        pluck=tactic,
        tuple_=("a", 1),
        ratio=Decimal("2.5"),
        day=NOW,  # a datetime given to a Date field: its date
        counts={uuid.UUID(int=1): "3", "b": 4.0},
        plain_dict={"a": [1]},
        loaded_only="never shown",
    )
    schema = Tricky()
    assert fast_dump(schema, obj) == marshmallow_dump(schema, obj)
    assert fast_dump(schema, {"renamed": None}) == marshmallow_dump(schema, {"renamed": None})
    assert "loaded_only" not in fast_dump(schema, obj)

    hooked = Hooked()
    value = {"name": "x", "child": {"name": "child"}}
    assert hooked.dump(value) == marshmallow_dump(hooked, value)
    assert hooked.dump(value)["child"] == {"name": "CHILD"}

    extended = Extended(tactic, position=None)
    assert fast_dump(TacticOut(), extended) == marshmallow_dump(TacticOut(), extended)
    row_schema = Schema.from_dict({"name": fields.String()})()
    assert fast_dump(row_schema, Row("attr")) == marshmallow_dump(row_schema, Row("attr"))


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def test_real_pages_are_dumped_as_marshmallow_would(app, client, make_user, auth_header):
    sync_catalogue(
        SyncSource(content=encode(build_bundle()), label="upload:test.json"),
        expected_sha256=None,
        allow_unverified=True,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    reader = auth_header(make_user(perms=["user.read"]))
    cases = [
        (
            "/api/v1/mitre/techniques",
            page_of(TechniqueOut),
            lambda: mitre_service.list_techniques(TechniqueQuery().load({})),
        ),
        (
            "/api/v1/mitre/subtechniques",
            page_of(SubtechniqueOut),
            lambda: mitre_service.list_subtechniques(SubtechniqueQuery().load({})),
        ),
        (
            "/api/v1/users",
            page_of(UserOut),
            lambda: directory.list_users(UserQuery().load({})),
        ),
        ("/api/v1/mitre/matrix", MatrixOut, lambda: mitre_service.matrix("enterprise-attack")),
    ]
    for path, schema_class, fetch in cases:
        response = client.get(path, headers=reader)
        assert response.status_code == 200
        expected = as_json(marshmallow_dump(schema_class(), fetch()))
        assert response.json == expected, path
        assert expected.get("items", expected.get("tactics")), f"{path}: nothing compared"


def test_every_response_is_dumped_by_the_compiled_plan(client, make_user, auth_header, monkeypatch):
    """Single objects too, not only list pages: marshmallow's own dump is never called."""
    from violet.domains import DOMAINS

    for domain in DOMAINS:
        for mount in domain.blueprints:
            assert isinstance(mount.blueprint, Blueprint), mount.blueprint.name

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("marshmallow's Schema.dump was called")

    monkeypatch.setattr(Schema, "dump", refuse)
    response = client.get("/api/v1/auth/me", headers=auth_header(make_user(perms=["user.read"])))
    assert response.status_code == 200
    assert response.json["permissions"] == ["user.read"]


def test_orjson_provider_encodes_the_same_values_as_flasks_standard_one(app):
    standard = DefaultJSONProvider(app)
    standard.sort_keys = False  # as create_app sets it

    @dataclass
    class Point:
        x: int

    values = [
        {"text": 'Ünïcode ✓ \u2028 "quoted" \\ </script>', "n": [1, 2.5, None, True]},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "at": NOW, "day": NOW.date()},
        {"money": Decimal("1.10"), "point": Point(3), 1: "int key"},
        {"huge": 2**70},
    ]
    for value in values:
        assert json.loads(app.json.dumps(value)) == json.loads(standard.dumps(value))
    with app.test_request_context():
        response = app.json.response({"text": "é"})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"text":"é"}\n'.encode()
