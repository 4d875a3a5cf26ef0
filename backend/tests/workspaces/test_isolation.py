"""The cross-workspace sweep, generated from the URL map (docs/architecture.md, "Workspaces").

For every API route that names a tenant-owned object (or a workspace) by id, an object created
in workspace A is 404 from workspace B, for every method; it is absent from every list B can
read; and B cannot reference it by id (422). Run three ways: a member of B only, a member of both
acting in B, and an API token bound to B. A route added later joins by itself; one whose id
argument is not registered in `sweep.py` fails the first test.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests import tenant_probe
from tests.conftest import make_app
from tests.workspaces.sweep import (
    BODIES,
    INSTANCE_WIDE_ARGUMENTS,
    MEMBERSHIP_ARGUMENTS,
    TENANT_RESOURCES,
)
from violet.core import tenancy
from violet.core.domain import declared_permissions
from violet.core.models import DEFAULT_CRITERIA
from violet.extensions import db

UUID_ARGUMENT = re.compile(r"<uuid:(\w+)>")
WRITES = {"POST", "PUT", "PATCH"}


def permissions_but_read_all() -> list[str]:
    """Every permission but read_all, which shows every workspace in lists by design."""
    return sorted(set(declared_permissions()) - {"workspace.read_all"})


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    id_arguments: tuple[str, ...]

    def path(self, ids: dict[str, uuid.UUID]) -> str:
        def value(match: re.Match[str]) -> str:
            return str(ids.get(match.group(1), uuid.uuid4()))

        return UUID_ARGUMENT.sub(value, self.rule)


def api_routes(app) -> list[Route]:
    return [
        Route(method, rule.rule, tuple(UUID_ARGUMENT.findall(rule.rule)))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/openapi")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


@pytest.fixture(scope="module")
def sweep_app(database_url):
    """The real app plus the test-only tenant resource (so the sweep has something to catch)."""
    app = make_app(database_url)
    app.register_blueprint(tenant_probe.blp, url_prefix="/api/v1/probe-notes")

    @app.before_request
    def start_like_a_fresh_session() -> None:
        db.session.expire_all()

    return app


@pytest.fixture
def sweep_client(sweep_app):
    return sweep_app.test_client()


@dataclass
class World:
    a: uuid.UUID
    b: uuid.UUID
    in_a: dict[str, uuid.UUID]
    in_b: dict[str, uuid.UUID]


@pytest.fixture
def world(make_workspace) -> World:
    """Workspaces A and B, one of every registered object in each."""
    a, b = make_workspace("sweep-a"), make_workspace("sweep-b")
    in_a, in_b = {"workspace_id": a.id}, {"workspace_id": b.id}
    for resource in TENANT_RESOURCES.values():
        in_a |= resource.create(a.id)
        in_b |= resource.create(b.id)
    return World(a.id, b.id, in_a, in_b)


def add_member(workspace_id, user) -> None:
    from violet.workspaces.models import WorkspaceMember

    db.session.add(WorkspaceMember(workspace_id=workspace_id, user_id=user.id))
    db.session.commit()


def sweep(
    client, app, headers, world: World, arguments: set[str], *, acting_in_b: bool = True
) -> list[str]:
    """Everything that leaks A's objects (named by `arguments`) to `headers`; [] when sealed.

    `acting_in_b=False`: the caller names A and must be refused outright, so B's objects need
    not show and references may be 404 rather than 422.
    """
    failures = []
    # Lists and references first, deletes last: a leaking DELETE must not hide other leaks.
    routes = sorted(api_routes(app), key=lambda route: route.method == "DELETE")
    hidden = {str(world.in_a[name]) for name in arguments}
    seen_in_lists = ""
    for route in routes:
        if route.method != "GET" or route.id_arguments:
            continue
        response = client.get(route.rule, headers=headers)
        if response.status_code >= 500:
            failures.append(f"GET {route.rule}: {response.status_code}")
        text = response.get_data(as_text=True)
        seen_in_lists += text
        failures += [
            f"GET {route.rule} lists {object_id}" for object_id in hidden if object_id in text
        ]
    if acting_in_b:
        # Lists under a parent (a mission's tests) show B's children: read them under B's parent.
        children_lists = [
            route
            for route in routes
            if route.method == "GET"
            and route.id_arguments
            and route.rule.endswith(("s", "/evidence"))
            and set(route.id_arguments) <= set(world.in_b)
        ]
        for route in children_lists:
            listed = client.get(route.path(world.in_b), headers=headers)
            seen_in_lists += listed.get_data(as_text=True)
        # The control: B's own objects do show, so an empty list cannot pass for a sealed one.
        failures += [
            f"B's {name} is in no list: the sweep cannot see anything"
            for name in arguments
            if str(world.in_b[name]) not in seen_in_lists
        ]

    for name, resource in TENANT_RESOURCES.items():
        if name not in arguments:
            continue
        for reference in resource.references:
            method, url, body = reference.prepare(world.b, world.in_a)
            response = getattr(client, method.lower())(url, json=body, headers=headers)
            if response.status_code not in ((422,) if acting_in_b else (404, 422)):
                failures.append(f"{method} {url} referencing A's {name}: {response.status_code}")

    for route in routes:
        if not set(route.id_arguments) & arguments:
            continue
        body = BODIES.get((route.method, route.rule), {} if route.method in WRITES else None)
        call = getattr(client, route.method.lower())
        response = call(route.path(world.in_a), json=body, headers=headers)
        if response.status_code != 404:
            hint = " (add a valid body to sweep.BODIES)" if response.status_code == 422 else ""
            failures.append(f"{route.method} {route.rule}: {response.status_code}{hint}")
    return failures


TENANT_ARGUMENTS = set(TENANT_RESOURCES)


def test_every_id_in_an_api_url_is_registered_for_the_sweep(sweep_app):
    registered = TENANT_ARGUMENTS | MEMBERSHIP_ARGUMENTS | INSTANCE_WIDE_ARGUMENTS
    routes = api_routes(sweep_app)
    unknown = {
        f"{route.rule} <{name}>"
        for route in routes
        for name in route.id_arguments
        if name not in registered
    }
    assert not unknown, f"register these URL arguments in tests/workspaces/sweep.py: {unknown}"
    swept = [
        route for route in routes if set(route.id_arguments) & registered - INSTANCE_WIDE_ARGUMENTS
    ]
    assert len(swept) >= 10


def test_a_member_of_b_only_sees_nothing_of_a(
    sweep_client, sweep_app, world, make_user, auth_header
):
    outsider = make_user(perms=permissions_but_read_all())
    add_member(world.b, outsider)
    headers = {**auth_header(outsider), "X-Violet-Workspace": "sweep-b"}
    arguments = TENANT_ARGUMENTS | MEMBERSHIP_ARGUMENTS
    assert sweep(sweep_client, sweep_app, headers, world, arguments) == []


def test_a_member_of_both_acting_in_b_sees_nothing_of_a(
    sweep_client, sweep_app, world, make_user, auth_header
):
    insider = make_user(perms=permissions_but_read_all())
    add_member(world.a, insider)
    add_member(world.b, insider)
    headers = {**auth_header(insider), "X-Violet-Workspace": str(world.b)}
    assert sweep(sweep_client, sweep_app, headers, world, TENANT_ARGUMENTS) == []


@pytest.fixture
def token_bound_to_b(client, world, make_user, auth_header) -> dict[str, str]:
    """An API token bound to B, with every permission but read_all, of a member of A and B."""
    owner = make_user(perms=permissions_but_read_all())
    add_member(world.a, owner)
    add_member(world.b, owner)
    created = client.post(
        "/api/v1/auth/tokens",
        json={
            "name": "bound",
            "permissions": permissions_but_read_all(),
            # Its owner's memberships count in full, so the sweep would see them leak from A.
            "mission_access": "write",
            "workspace_id": str(world.b),
        },
        headers=auth_header(owner),
    )
    assert created.status_code == 201
    return {"Authorization": f"Bearer {created.json['token']}"}


def test_a_token_bound_to_b_sees_nothing_of_a(sweep_client, sweep_app, world, token_bound_to_b):
    arguments = TENANT_ARGUMENTS | MEMBERSHIP_ARGUMENTS
    assert sweep(sweep_client, sweep_app, token_bound_to_b, world, arguments) == []


def test_a_token_bound_to_b_cannot_act_in_a_even_when_naming_it(
    sweep_client, sweep_app, world, token_bound_to_b
):
    headers = {**token_bound_to_b, "X-Violet-Workspace": "sweep-a"}
    arguments = TENANT_ARGUMENTS | MEMBERSHIP_ARGUMENTS
    failures = sweep(sweep_client, sweep_app, headers, world, arguments, acting_in_b=False)
    assert failures == []
    listed = sweep_client.get("/api/v1/probe-notes", headers=headers)
    assert listed.status_code == 404


@pytest.fixture
def scoping_switched_off() -> Iterator[None]:
    DEFAULT_CRITERIA.remove(tenancy.workspace_criteria)
    try:
        yield
    finally:
        DEFAULT_CRITERIA.append(tenancy.workspace_criteria)


def test_the_sweep_fails_when_the_core_scoping_is_off(
    sweep_client, sweep_app, world, make_user, auth_header, scoping_switched_off
):
    insider = make_user(perms=permissions_but_read_all())
    add_member(world.a, insider)
    add_member(world.b, insider)
    headers = {**auth_header(insider), "X-Violet-Workspace": "sweep-b"}
    failures = sweep(sweep_client, sweep_app, headers, world, TENANT_ARGUMENTS)
    note = "/api/v1/probe-notes/<uuid:probe_note_id>"
    assert f"GET {note}: 200" in failures
    assert f"DELETE {note}: 204" in failures
    assert any(failure.startswith("GET /api/v1/probe-notes lists") for failure in failures)
    assert any("referencing A's probe_note_id: 200" in failure for failure in failures)
