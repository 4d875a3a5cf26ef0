"""A query string asked again is answered from the parse remembered for it (core/json_types.py):
the same arguments as a fresh parse, never an error remembered as a success, never a value one
request changed leaking into the next."""

import uuid

import pytest
from flask import Flask
from marshmallow import Schema, fields, post_load
from webargs.flaskparser import FlaskParser

from violet.core.auth import PRINCIPAL_KEY, Principal
from violet.core.json_types import StrictJsonParser
from violet.extensions import Blueprint


def signed_in(app: Flask, url: str):
    """A request context of a signed-in caller: only theirs are remembered."""
    principal = Principal(user_id=uuid.uuid4(), permissions=frozenset())
    return app.test_request_context(url, environ_base={PRINCIPAL_KEY: principal})


def query_schemas(app: Flask) -> list[Schema]:
    """Every query-string schema of the API's views."""
    found: dict[int, Schema] = {}
    for view in app.view_functions.values():
        methods = [view]
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            methods = [
                getattr(view_class, name)
                for name in ("get", "post", "put", "patch", "delete")
                if hasattr(view_class, name)
            ]
        for method in methods:
            for parameter in (
                getattr(method, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            ):
                if parameter.get("in", parameter.get("location")) == "query" and isinstance(
                    parameter["schema"], Schema
                ):
                    found[id(parameter["schema"])] = parameter["schema"]
    return list(found.values())


def sample_queries(schema: Schema) -> list[str]:
    """Query strings for `schema`: nothing, each field with a value it takes, and with one it
    refuses (a 422 to raise twice)."""
    queries = [""]
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if isinstance(field, fields.Boolean):
            queries += [f"{key}=true", f"{key}=false", f"{key}=maybe"]
        elif isinstance(field, fields.Integer):
            queries += [f"{key}=3", f"{key}=-1", f"{key}=many"]
        elif isinstance(field, fields.UUID):
            queries += [f"{key}={uuid.uuid4()}", f"{key}=not-an-id"]
        elif isinstance(field, fields.DateTime):
            queries += [f"{key}=2026-01-02T03:04:05%2B00:00", f"{key}=yesterday"]
        else:
            queries += [f"{key}=T1059,T1003", f"{key}=name", f"{key}="]
    return queries


def parse(parser: FlaskParser, app: Flask, schema: Schema, query: str) -> object:
    with signed_in(app, f"/?{query}"):
        try:
            return parser.parse(schema, location="query", unknown=None)
        except Exception as error:  # the error itself: both parsers must raise the same
            return ("raised", type(error).__name__, str(getattr(error, "messages", error)))


def test_a_remembered_parse_equals_a_fresh_one_for_every_query_schema(app):
    remembering, fresh = StrictJsonParser(), FlaskParser()
    # webargs' own parser has none of StrictJsonParser's checks: compare on queries without a
    # repeated parameter, which is all these are.
    schemas = query_schemas(app)
    assert len(schemas) >= 20  # every list of the API has one

    for schema in schemas:
        for query in sample_queries(schema):
            expected = parse(fresh, app, schema, query)
            assert parse(remembering, app, schema, query) == expected, (schema, query)
            assert parse(remembering, app, schema, query) == expected, (schema, query)


def test_a_list_changed_by_one_caller_is_not_what_the_next_one_gets(app):
    class ListQuery(Schema):
        ids = fields.List(fields.String())

    parser, schema = StrictJsonParser(), ListQuery()
    with signed_in(app, "/?ids=a&ids=b"):
        first = parser.parse(schema, location="query", unknown=None)
        first["ids"].append("changed")
        first["extra"] = True
        second = parser.parse(schema, location="query", unknown=None)

    assert second == {"ids": ["a", "b"]}


def test_a_schema_with_hooks_is_parsed_every_time(app):
    calls = []

    class Hooked(Schema):
        q = fields.String()

        @post_load
        def count(self, data, **kwargs):
            calls.append(data)
            return data

    parser, schema = StrictJsonParser(), Hooked()
    for _ in range(2):
        with signed_in(app, "/?q=x"):
            parser.parse(schema, location="query", unknown=None)

    assert len(calls) == 2


def test_the_same_page_asked_again_and_a_changed_one(client, admin_header, make_user):
    for number in range(3):
        make_user(email=f"page{number}@example.com")

    def emails(query):
        response = client.get(f"/api/v1/users?{query}", headers=admin_header)
        assert response.status_code == 200, response.json
        return [user["email"] for user in response.json["items"]]

    assert len(emails("limit=2")) == 2
    assert len(emails("limit=3")) == 3
    assert len(emails("limit=2")) == 2
    assert emails("sort=email&limit=50") == sorted(emails("sort=email&limit=50"))
    assert emails("sort=-email&limit=50") == sorted(emails("sort=email&limit=50"), reverse=True)


@pytest.mark.parametrize("query", ["limit=0", "limit=many", "include_deleted=maybe"])
def test_a_refused_query_is_refused_every_time(client, admin_header, query):
    for _ in range(3):
        response = client.get(f"/api/v1/users?{query}", headers=admin_header)
        assert response.status_code == 422, response.json


def test_every_blueprint_parses_with_the_remembering_parser():
    assert isinstance(Blueprint.ARGUMENTS_PARSER, StrictJsonParser)


def test_long_query_strings_sent_by_anyone_do_not_fill_the_workers_memory(app):
    """An attacker's test: any signed-in user may send `GET /coverage?mission_ids=` with ~110
    ids (a 4 KB query string, the longest taken), each time new ones. Every such parse was
    remembered, up to 4,096 of them: ~70 MB per worker, held for as long as it ran (17 MB for the
    1,000 sent here). Only short query strings, the ones asked again, are remembered now."""
    import tracemalloc

    schema = next(s for s in query_schemas(app) if "mission_ids" in s.load_fields)
    parser = StrictJsonParser()
    tracemalloc.start()
    try:
        for _ in range(1000):
            query = "mission_ids=" + ",".join(str(uuid.uuid4()) for _ in range(110))
            assert len(query) <= 4096
            with signed_in(app, f"/?{query}"):
                arguments = parser.parse(schema, location="query", unknown=None)
            assert len(arguments["mission_ids"]) == 110
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert held < 4_000_000, f"{held / 1e6:.1f} MB held by the parser"
    # A short one is still answered as a fresh parse gives it.
    short = f"mission_ids={uuid.uuid4()}, {uuid.uuid4()}"
    assert parse(parser, app, schema, short) == parse(parser, app, schema, short)
    assert len(parse(parser, app, schema, short)["mission_ids"]) == 2


def test_an_anonymous_callers_query_string_is_not_kept(app):
    """An invitation link's lookup is anonymous: its `?token=` would stay in the worker's memory
    unhashed, and anyone could fill that memory."""
    schema = next(s for s in query_schemas(app) if set(s.load_fields) == {"token"})
    parser = StrictJsonParser()
    with app.test_request_context("/?token=secret-invitation-token"):
        assert parser.parse(schema, location="query", unknown=None) == {
            "token": "secret-invitation-token"
        }
    with signed_in(app, "/?token=kept"):
        parser.parse(schema, location="query", unknown=None)

    kept = [key[-1] for key in parser._parsed]
    assert kept == [b"token=kept"]
