"""The library import as a CI job of a consultancy runs it: an API token, bound to one client's
workspace or sending X-Violet-Workspace. Deleted templates are a workspace's own, and the
warnings name only the caller's workspace's templates (docs/api.md, "API tokens")."""

from __future__ import annotations

import pytest

from tests.library.conftest import LIBRARY_PERMISSIONS
from tests.library.test_import_deleted import POWERSHELL, RESTORE_IT, delete, import_atomic, named
from tests.missions.test_api_token_access import bearer


def token(client, headers, permissions=LIBRARY_PERMISSIONS, **fields):
    response = client.post(
        "/api/v1/auth/tokens",
        json={"name": "atomic sync", "permissions": list(permissions), **fields},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return bearer(response.json["token"])


@pytest.fixture
def consultant(client, catalogue, make_user, auth_header, make_workspace):
    """A member of client A (the default workspace) and client B, holding the library
    permissions; client A renamed its Mimikatz test, then deleted it."""
    user = make_user(perms=LIBRARY_PERMISSIONS)
    workspace_b = make_workspace("client-b", members=[user])
    session = auth_header(user)
    assert import_atomic(client, session, POWERSHELL).status_code == 200
    mimikatz = named(client, session, "Mimikatz")
    renamed = client.patch(
        f"/api/v1/test-templates/{mimikatz['id']}",
        json={"name": "ACME credential dump runbook"},
        headers=session,
    )
    assert renamed.status_code == 200, renamed.json
    delete(client, session, renamed.json)
    return {"session": session, "workspace_b": workspace_b}


def test_a_token_bound_to_client_b_imports_what_client_a_deleted(client, consultant):
    bound = token(client, consultant["session"], workspace_id=str(consultant["workspace_b"].id))

    first = import_atomic(client, bound, POWERSHELL)
    mimikatz = named(client, bound, "Mimikatz")
    renamed = client.patch(
        f"/api/v1/test-templates/{mimikatz['id']}", json={"name": "B copy"}, headers=bound
    )
    delete(client, bound, renamed.json)
    again = import_atomic(client, bound, POWERSHELL)

    assert first.json == {"created": 4, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert again.json["warnings"] == [
        {
            "path": "atomic_tests.0",
            "name": "Mimikatz",
            "message": f"Deleted in this library as “B copy”: not imported again. {RESTORE_IT}",
        }
    ]
    assert "ACME" not in str(again.json)


def test_a_header_for_client_b_imports_there_and_names_nothing_of_client_a(client, consultant):
    unbound = token(client, consultant["session"])
    in_b = {**unbound, "X-Violet-Workspace": "client-b"}

    response = import_atomic(client, in_b, POWERSHELL)
    in_a = import_atomic(client, unbound, POWERSHELL)

    assert response.json == {"created": 4, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert in_a.json["skipped"] == 4
    assert "ACME credential dump runbook" in in_a.json["warnings"][0]["message"]


def test_refused_imports_write_nothing(client, consultant):
    """A token without `test_template.write` is 403; a token bound to B naming A is 404."""
    session = consultant["session"]
    reader = token(client, session, permissions=["test_template.read"])
    bound = token(client, session, workspace_id=str(consultant["workspace_b"].id))

    forbidden = import_atomic(client, {**reader, "X-Violet-Workspace": "client-b"}, POWERSHELL)
    elsewhere = import_atomic(client, {**bound, "X-Violet-Workspace": "default"}, POWERSHELL)

    assert forbidden.status_code == 403
    assert elsewhere.status_code == 404
    assert "bound to the workspace 'client-b'" in elsewhere.json["detail"]
    in_b = {**session, "X-Violet-Workspace": "client-b"}
    assert client.get("/api/v1/test-templates", headers=in_b).json["total"] == 0
