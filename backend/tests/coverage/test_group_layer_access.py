"""A threat group's Navigator layer under API tokens and workspaces, as a CI job and a
consultancy with several clients use it: it answers 401/404 as its neighbours (the
organisation's layer, the group's JSON coverage) do, and never shows, not even by name in its
description, a mission of another workspace or one a token's `mission_access` hides
(docs/api.md, "API tokens" and "Workspaces"; docs/coverage.md)."""

from __future__ import annotations

import pytest

from tests.coverage.test_group_layer import APT29
from tests.missions.conftest import sync
from tests.missions.test_api_token_access import bearer
from tests.mitre.bundle import build_bundle

GROUP_LAYER = "/api/v1/coverage/groups/G0016/navigator-layer"
NEIGHBOURS = ["/api/v1/coverage/navigator-layer", "/api/v1/coverage/groups/G0016", GROUP_LAYER]


def token(client, headers, **fields):
    response = client.post(
        "/api/v1/auth/tokens", json={"name": "ci", "permissions": [], **fields}, headers=headers
    )
    assert response.status_code == 201, response.json
    return bearer(response.json["token"])


@pytest.fixture
def clients(app, client, team, make_mission, make_user, auth_header, make_workspace, run):
    """Client A's mission (the team's, in the default workspace, T1059 tested) and client B's
    (its own workspace); `both`: a consultant member of both workspaces and of both missions."""
    sync(app, build_bundle(extra_objects=APT29))
    a = make_mission("Client A red week")
    run(a, "Encoded PowerShell", ["T1059"], "Alerted")
    consultant = make_user(perms=["mission.create"])
    workspace_b = make_workspace("client-b", members=[consultant])
    in_b = {**auth_header(consultant), "X-Violet-Workspace": "client-b"}
    b = client.post("/api/v1/missions", json={"name": "Client B tabletop"}, headers=in_b).json
    joined = client.put(
        f"/api/v1/missions/{a['id']}/members",
        json=[
            {"user_id": team.ids["lead"], "role": "lead"},
            {"user_id": str(consultant.id), "role": "viewer"},
        ],
        headers=team.lead,
    )
    assert joined.status_code == 200, joined.json
    return {"a": a, "b": b, "workspace_b": workspace_b, "session": auth_header(consultant)}


def answers(client, headers, **query):
    """Per neighbour: (status, detail) of a refusal."""
    found = []
    for url in NEIGHBOURS:
        response = client.get(url, headers=headers, query_string=query)
        found.append((response.status_code, (response.json or {}).get("detail")))
    return found


def test_refusals_are_the_neighbours(client, team, clients):
    """No credentials, a mistyped token, another workspace's mission id, a workspace one is not
    in, a mission a `none` token hides: the same status and detail as the organisation's layer
    and the group's JSON coverage."""
    cases = [
        ({}, {}),
        (bearer("vlt_mistyped"), {}),
        (team.lead, {"mission_ids": clients["b"]["id"]}),
        ({**team.lead, "X-Violet-Workspace": "client-b"}, {}),
        (token(client, team.lead), {"mission_ids": clients["a"]["id"]}),
    ]
    expected = [401, 401, 404, 404, 404]
    for (headers, query), status in zip(cases, expected, strict=True):
        found = answers(client, headers, **query)
        assert {answer for answer in found} == {found[0]}, found
        assert found[0][0] == status, found


def description(client, headers, **query):
    response = client.get(GROUP_LAYER, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return response.json["description"]


def test_the_layer_names_only_the_missions_the_caller_sees(client, team, clients):
    """The consultant sees both clients' missions, one workspace at a time; the description
    names the workspace's missions only."""
    session = clients["session"]

    assert description(client, session).endswith("across: Client A red week")
    in_b = {**session, "X-Violet-Workspace": "client-b"}
    assert description(client, in_b).endswith("across: Client B tabletop")
    assert description(client, team.outsider).endswith("across: no mission (none is visible)")


def test_a_token_bound_to_client_b_never_reaches_client_a(client, clients):
    bound = token(
        client,
        clients["session"],
        workspace_id=str(clients["workspace_b"].id),
        mission_access="read",
    )

    layer = client.get(GROUP_LAYER, headers=bound)
    asking_for_a = client.get(
        GROUP_LAYER, headers=bound, query_string={"mission_ids": clients["a"]["id"]}
    )
    with_a_header = client.get(GROUP_LAYER, headers={**bound, "X-Violet-Workspace": "default"})

    assert layer.status_code == 200
    assert layer.json["description"].endswith("across: Client B tabletop")
    assert "Client A" not in str(layer.json)
    assert asking_for_a.status_code == 404
    assert asking_for_a.json["errors"] == {"mission_ids": [asking_for_a.json["detail"]]}
    assert "Client A" not in str(asking_for_a.json)
    assert with_a_header.status_code == 404
    assert "bound to the workspace 'client-b'" in with_a_header.json["detail"]


def test_mission_access_decides_what_the_layer_counts(client, team, clients):
    """A `none` token: no mission, every technique Not tested; a `read` token: the owner's."""
    hidden = client.get(GROUP_LAYER, headers=token(client, team.lead)).json
    shown = client.get(GROUP_LAYER, headers=token(client, team.lead, mission_access="read")).json

    assert hidden["description"].endswith("across: no mission (none is visible)")
    assert {item.get("score") for item in hidden["techniques"]} == {None}
    assert shown["description"].endswith("across: Client A red week")
    assert any(item.get("score") is not None for item in shown["techniques"])


ACROSS_MISSIONS = [
    "/api/v1/coverage",
    "/api/v1/coverage/navigator-layer",
    "/api/v1/coverage/groups/{external_id}",
    "/api/v1/coverage/groups/{external_id}/navigator-layer",
]


def test_the_openapi_entries_declare_the_404_of_a_mission_id(client, team, clients):
    """Each coverage across missions answers 404 naming a mission of `mission_ids` the caller
    may not see (docs/api.md). The organisation's coverage and layer did not declare a 404 at
    all, and the group layer's 404 spoke of the group only: a client generated from the spec,
    or a CI job written from it, read a mission id of another client as a retired group."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    b_mission = clients["b"]["id"]

    for path in ACROSS_MISSIONS:
        url = path.replace("{external_id}", "G0016")
        response = client.get(url, headers=team.lead, query_string={"mission_ids": b_mission})
        assert response.status_code == 404, (path, response.json)
        assert response.json["errors"] == {"mission_ids": [f"No such mission: {b_mission}."]}
        operation = paths[path]["get"]
        assert operation["security"] == [{"bearerAuth": []}]
        declared = operation["responses"].get("404", {})
        assert "mission_ids" in declared.get("description", ""), (path, declared)
        assert declared["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }


def test_the_openapi_entry_declares_the_bearer_and_its_refusals(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][
        "/api/v1/coverage/groups/{external_id}/navigator-layer"
    ]["get"]

    assert operation["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
