"""Deny by default: every API operation is either on the public allow-list or protected, and
the protection really answers 401 / 403 / pass for every protected operation (GUIDE §4).

Both tests enumerate `app.url_map`, so a new route that forgets its decorator fails here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.conftest import make_app
from violet.auth.permissions import PERMISSIONS
from violet.core.auth import AUTH_MARKER

# Anonymous callers may use exactly these operations (SPEC §1 plus the spec document itself).
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
# flask-smorest's own document route; it carries no decorator of ours.
SPEC_DOCUMENT = ("GET", "/api/v1/openapi.json")

UNMARKED = object()


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    path: str
    required: tuple[str, ...] | None | object  # codes; () = any user; None = public

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def sample_value(argument: str) -> str:
    """A well-formed value for a path argument: ids are UUIDs, the rest ATT&CK-like ids."""
    return str(uuid.uuid4()) if argument.endswith("_id") else "T1059"


def api_operations(app) -> list[Operation]:
    urls = app.url_map.bind("localhost")
    operations = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        path = urls.build(rule.endpoint, {name: sample_value(name) for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(view, "view_class", None)
            function = getattr(handler, method.lower()) if handler else view
            required = getattr(function, AUTH_MARKER, UNMARKED)
            operations.append(Operation(method, rule.rule, path, required))
    return operations


@pytest.fixture(scope="module")
def full_app(database_url):
    """The app with every optional route switched on, so all of them are checked."""
    return make_app(database_url, VIOLET_ENABLE_DIAG_RESET=True)


def test_every_api_operation_is_protected_or_on_the_public_allow_list(full_app):
    operations = api_operations(full_app)
    assert len(operations) > 30

    unmarked = [
        str(op)
        for op in operations
        if op.required is UNMARKED and (op.method, op.rule) != SPEC_DOCUMENT
    ]
    assert not unmarked, f"routes without @require_auth/@require_perm/@public: {unmarked}"

    public = {(op.method, op.rule) for op in operations if op.required is None}
    assert public == PUBLIC_OPERATIONS


def protected_operations(app) -> list[Operation]:
    return [op for op in api_operations(app) if op.required not in (None, UNMARKED)]


def test_authorization_matrix(app, client, make_user, auth_header):
    """No token → 401; every permission but a needed one → 403; with the permissions → neither."""
    everything = set(PERMISSIONS)
    holders = {}

    def header_for(permissions: frozenset[str]) -> dict[str, str]:
        if permissions not in holders:
            holders[permissions] = auth_header(make_user(perms=sorted(permissions)))
        return holders[permissions]

    failures = []
    operations = protected_operations(app)
    assert operations
    for op in operations:
        call = getattr(client, op.method.lower())
        anonymous = call(op.path)
        if anonymous.status_code != 401:
            failures.append(f"{op}: anonymous got {anonymous.status_code}")
        for code in op.required:
            lacking = call(op.path, headers=header_for(frozenset(everything - {code})))
            if lacking.status_code != 403:
                failures.append(f"{op}: without {code} got {lacking.status_code}")
        allowed = call(op.path, headers=header_for(frozenset(op.required)))
        if allowed.status_code in (401, 403):
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
