"""Deny by default: every operation of the app is either on a public allow-list or protected,
the protection is the outermost decorator, and it really answers 401 / 403 / pass (never a 5xx)
for every protected operation (docs/architecture.md, "Authorization").

The tests enumerate every rule of `app.url_map`, so a new route that forgets its decorator, or
puts another one above it, fails here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.conftest import make_app
from violet.core.auth import AUTH_GUARD, AUTH_MARKER
from violet.core.domain import declared_permissions

# Anonymous callers may use exactly these operations (docs/api.md).
PUBLIC_OPERATIONS = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/login/mfa"),
    ("POST", "/api/v1/auth/refresh"),
    ("GET", "/api/v1/invitations/lookup"),
    ("POST", "/api/v1/invitations/accept"),
    ("GET", "/api/v1/diag/health"),
    # Exists only with VIOLET_ENABLE_DIAG_RESET=1 (the e2e suite), never in production.
    ("POST", "/api/v1/diag/reset"),
}
# Served to anyone without our decorators: the spec document and its docs page (flask-smorest),
# the SPA's static files, and the problem+json 404 for unknown API paths.
UNDECORATED_PUBLIC = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/assets/<path:filename>"),
    ("GET", "/"),
    ("GET", "/<path:path>"),
    *(
        (method, rule)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        for rule in ("/api", "/api/<path:path>")
    ),
}
# Above the auth decorator on purpose: it turns a database outage during the permission check
# into the documented `503 {reachable: false}` (diag/routes.py); it parses no input.
OUTER_DECORATOR_ALLOWED = {("GET", "/api/v1/diag/db")}

UNMARKED = object()


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    path: str
    required: tuple[str, ...] | None | object  # codes; () = any user; None = public
    outermost: bool  # the auth decorator is the last one applied

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def sample_value(argument: str) -> str:
    """A well-formed value for a path argument: ids are UUIDs, the rest ATT&CK-like ids."""
    return str(uuid.uuid4()) if argument.endswith("_id") else "T1059"


def all_operations(app) -> list[Operation]:
    urls = app.url_map.bind("localhost")
    operations = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        path = urls.build(rule.endpoint, {name: sample_value(name) for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(view, "view_class", None)
            function = getattr(handler, method.lower()) if handler else view
            required = getattr(function, AUTH_MARKER, UNMARKED)
            outermost = getattr(function, AUTH_GUARD, None) is function
            operations.append(Operation(method, rule.rule, path, required, outermost))
    return operations


@pytest.fixture(scope="module")
def full_app(database_url):
    """The app with every optional route switched on, so all of them are checked."""
    return make_app(database_url, VIOLET_ENABLE_DIAG_RESET=True)


def test_every_operation_is_protected_or_on_a_public_allow_list(full_app):
    operations = all_operations(full_app)
    assert len(operations) > 40

    unmarked = {(op.method, op.rule) for op in operations if op.required is UNMARKED}
    assert unmarked == UNDECORATED_PUBLIC, "routes without @require_auth/@require_perm/@public"

    public = {(op.method, op.rule) for op in operations if op.required is None}
    assert public == PUBLIC_OPERATIONS


def test_the_auth_decorator_is_the_outermost(full_app):
    """So the caller is authenticated and authorised before any input is parsed."""
    inner = {
        (op.method, op.rule)
        for op in all_operations(full_app)
        if op.required is not UNMARKED and not op.outermost
    }
    assert inner == OUTER_DECORATOR_ALLOWED


def protected_operations(app) -> list[Operation]:
    return [op for op in all_operations(app) if op.required not in (None, UNMARKED)]


def test_authorization_matrix(app, client, make_user, auth_header):
    """No token → 401 (even with a malformed body); every permission but a needed one → 403;
    with the permissions → neither; never a 5xx."""
    everything = set(declared_permissions(app))
    holders = {}

    def header_for(permissions: frozenset[str]) -> dict[str, str]:
        if permissions not in holders:
            holders[permissions] = make_user(perms=sorted(permissions))
        # A fresh token per call: an earlier POST /auth/logout-all by the same user refuses
        # tokens issued before that second, and on a loaded machine a second may have passed.
        return auth_header(holders[permissions])

    failures = []
    operations = protected_operations(app)
    assert operations
    for op in operations:
        call = getattr(client, op.method.lower())
        anonymous = call(op.path, data="{not json", content_type="application/json")
        if anonymous.status_code != 401:
            failures.append(f"{op}: anonymous got {anonymous.status_code}")
        for code in op.required:
            lacking = call(op.path, headers=header_for(frozenset(everything - {code})))
            if lacking.status_code != 403:
                failures.append(f"{op}: without {code} got {lacking.status_code}")
        allowed = call(op.path, headers=header_for(frozenset(op.required)))
        if allowed.status_code in (401, 403) or allowed.status_code >= 500:
            failures.append(f"{op}: with {op.required} got {allowed.status_code}")
        if op.rule == "/api/v1/auth/logout-all":
            # That call ended every session of its caller: later calls need fresh users.
            holders.clear()
    assert not failures, "\n".join(failures)


def test_spec_documents_security_and_permissions_of_every_operation(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for op in protected_operations(app):
        path = op.rule.replace("<uuid:", "{").replace("<string:", "{").replace("<", "{")
        path = path.replace(">", "}")
        operation = spec["paths"][path][op.method.lower()]
        assert operation["security"] == [{"bearerAuth": []}], op
        assert "401" in operation["responses"], op
        if op.required:
            assert operation["x-permissions"] == list(op.required), op
            assert "403" in operation["responses"], op
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
