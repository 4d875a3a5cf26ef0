"""The list contract, checked on every list operation the OpenAPI spec describes.

A list operation is a GET whose 200 body is the page envelope `{items, total, limit, offset}`
(core/pagination.py). Each one is checked for: limit bounds, offset, unknown query parameters,
allowed and unknown sort fields, several sort fields at once and one given twice, `total` (also
past the last page), a stable order when sort values tie, and the same number of SQL statements
for `limit=1` and `limit=200`. A new list endpoint is tested by existing; give it rows in
`rows_for_every_list` so the checks have something to order.
"""

from __future__ import annotations

import io
import json
import re

import flask
import pytest

from tests.mitre.bundle import build_bundle, encode, group
from violet.core import pagination
from violet.core.storage import LocalBlobStore
from violet.extensions import db
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

ENVELOPE = {"items", "total", "limit", "offset"}
# Lists with path parameters need a real value for them here.
PATH_SAMPLES: dict[str, str] = {}
ALLOWED_SORT = re.compile(r"Allowed: (.+)\.$")


def list_paths(spec: dict) -> list[str]:
    schemas = spec["components"]["schemas"]
    paths = []
    for path, operations in spec["paths"].items():
        response = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        if set(schema.get("properties", {})) >= ENVELOPE:
            paths.append(path)
    return paths


@pytest.fixture
def rows_for_every_list(
    app,
    client,
    make_user,
    auth_header,
    admin,
    admin_header,
    make_workspace,
    default_workspace,
    monkeypatch,
    tmp_path,
):
    """Enough rows that every list has ties to break (rows made in one transaction share
    `created_at`)."""
    for _ in range(3):
        make_user(display_name="Same Name")
    # Every user made above joined the default workspace.
    for name in ("Same Name", "Same Name"):
        make_workspace(name=name)
    PATH_SAMPLES["/api/v1/workspaces/{workspace_id}/members"] = (
        f"/api/v1/workspaces/{default_workspace.id}/members"
    )
    for email in ("one@example.test", "two@example.test", "three@example.test"):
        client.post("/api/v1/invitations", json={"email": email}, headers=admin_header)
    for _ in range(3):  # the caller's API tokens, under one name
        token = {"name": "Same token", "permissions": []}
        assert (
            client.post("/api/v1/auth/tokens", json=token, headers=admin_header).status_code == 201
        )
    sync_catalogue(
        SyncSource(
            content=encode(
                build_bundle(
                    extra_objects=[
                        group(f"G000{number}", "Same Group", [f"Alias {number}"])
                        for number in (1, 2, 3)
                    ]
                )
            ),
            label="upload:contract.json",
        ),
        expected_sha256=None,
        allow_unverified=True,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    for name in ("Same name", "Same name", "Other name"):
        template = client.post("/api/v1/test-templates", json={"name": name}, headers=admin_header)
        client.post(
            "/api/v1/scenario-templates",
            json={"name": name, "test_template_ids": [template.json["id"]]},
            headers=admin_header,
        )
    for name in ("EDR", "NDR", "SIEM"):
        client.post(
            "/api/v1/defense-tools", json={"name": name, "layer": "edr"}, headers=admin_header
        )
    missions = [
        client.post("/api/v1/missions", json={"name": "Same"}, headers=admin_header).json
        for _ in range(3)
    ]
    for _ in range(3):
        client.post(
            f"/api/v1/missions/{missions[0]['id']}/tests", json={"name": "T"}, headers=admin_header
        )
    monkeypatch.setitem(app.extensions, "violet.blob_store", LocalBlobStore(tmp_path))
    tests = client.get(f"/api/v1/missions/{missions[0]['id']}/tests", headers=admin_header).json
    mission_base = f"/api/v1/missions/{missions[0]['id']}"
    test_base = f"{mission_base}/tests/{tests['items'][0]['id']}"
    for index in range(3):
        client.post(f"{mission_base}/notes", json={"content": "Same"}, headers=admin_header)
        client.post(f"{test_base}/notes", json={"content": "Same"}, headers=admin_header)
        client.post(
            f"{test_base}/evidence",
            data={"file": (io.BytesIO(b"same log line\n"), f"e{index}.log")},
            content_type="multipart/form-data",
            headers=admin_header,
        )
    # Three missions of another lead who adds the admin: three notifications for the admin.
    lead = make_user(perms=["mission.create"])
    other_lead = auth_header(lead)
    for _ in range(3):
        other = client.post("/api/v1/missions", json={"name": "Same"}, headers=other_lead).json
        client.put(
            f"/api/v1/missions/{other['id']}/members",
            json=[
                {"user_id": str(lead.id), "role": "lead"},
                {"user_id": str(admin.id), "role": "viewer"},
            ],
            headers=other_lead,
        )
    for template, path in (
        ("/api/v1/missions/{mission_id}/tests", f"{mission_base}/tests"),
        ("/api/v1/missions/{mission_id}/notes", f"{mission_base}/notes"),
        ("/api/v1/missions/{mission_id}/tests/{test_id}/notes", f"{test_base}/notes"),
        ("/api/v1/missions/{mission_id}/tests/{test_id}/evidence", f"{test_base}/evidence"),
    ):
        monkeypatch.setitem(PATH_SAMPLES, template, path)
    db.session.commit()  # kept when a request of the test fails and rolls its own work back


def test_the_spec_lists_every_known_list(client):
    paths = list_paths(client.get("/api/v1/openapi.json").json)
    assert {"/api/v1/users", "/api/v1/groups", "/api/v1/mitre/techniques"} <= set(paths)


def item_keys(response) -> list[str]:
    return [json.dumps(item, sort_keys=True) for item in response.json["items"]]


def test_every_list_keeps_the_contract(
    app, client, admin_header, rows_for_every_list, count_statements
):
    failures: list[str] = []
    for template in list_paths(client.get("/api/v1/openapi.json").json):
        path = PATH_SAMPLES.get(template, template)
        assert "{" not in path, f"{template}: add a sample value to PATH_SAMPLES"

        def get(path=path, **query):
            return client.get(path, query_string=query, headers=admin_header)

        for query, field in (
            ({"limit": 0}, "limit"),
            ({"limit": 501}, "limit"),
            ({"offset": -1}, "offset"),
            ({"offset": 10**19}, "offset"),
            ({"per_page": 5}, "per_page"),
        ):
            response = get(**query)
            if response.status_code != 422 or field not in response.json.get("errors", {}):
                failures.append(f"{path}?{query}: {response.status_code} {response.json}")

        unknown = get(sort="-no_such_field")
        message = unknown.json.get("errors", {}).get("sort", [""])[0]
        allowed = ALLOWED_SORT.search(message)
        if unknown.status_code != 422 or allowed is None:
            failures.append(f"{path}: unknown sort answered {unknown.status_code} {unknown.json}")
            continue

        # Several fields, comma-separated, in every list alike (docs/api.md); each field once.
        fields = allowed.group(1).split(", ")
        first, last = fields[0], fields[-1]
        if len(fields) > 1:
            several = get(sort=f"-{first},{last}")
            if several.status_code != 200:
                failures.append(f"{path}?sort=-{first},{last}: {several.status_code}")
        second_unknown = get(sort=f"{first},-no_such_field")
        if second_unknown.json.get("errors", {}).get("sort") != [message]:
            failures.append(f"{path}?sort={first},-no_such_field: {second_unknown.json}")
        twice = get(sort=f"{first},-{first}")
        expected = f"Sort field '{first}' is given twice; give each field once."
        if twice.status_code != 422 or twice.json.get("errors", {}).get("sort") != [expected]:
            failures.append(f"{path}?sort={first},-{first}: {twice.status_code} {twice.json}")

        everything = get(limit=500)
        if everything.status_code != 200 or everything.json["limit"] != 500:
            failures.append(f"{path}?limit=500: {everything.status_code}")
            continue
        total = everything.json["total"]
        if total < 3:
            failures.append(f"{path}: only {total} rows; add some in rows_for_every_list")
        if total != len(everything.json["items"]):
            failures.append(f"{path}: total {total} but {len(everything.json['items'])} items")

        for field in fields:
            for sort in (field, f"-{field}"):
                whole = get(limit=500, sort=sort)
                if whole.status_code != 200:
                    failures.append(f"{path}?sort={sort}: {whole.status_code} {whole.json}")
                    continue
                paged = []
                for offset in range(0, total, 2):
                    page = get(limit=2, offset=offset, sort=sort)
                    assert page.json["total"] == total and page.json["offset"] == offset
                    paged += item_keys(page)
                if paged != item_keys(whole):
                    failures.append(f"{path}?sort={sort}: pages of 2 disagree with one page")

        # Past the end no row carries the window's count: the total must still be right.
        beyond = get(limit=2, offset=total + 5)
        if beyond.json.get("items") != [] or beyond.json.get("total") != total:
            failures.append(f"{path}?offset={total + 5}: {beyond.status_code} {beyond.json}")

        counts = []
        for limit in (1, 200):
            with count_statements() as counter:
                assert get(limit=limit).status_code == 200
            counts.append(counter.count)
        if counts[0] != counts[1]:
            failures.append(f"{path}: {counts[0]} statements for limit=1, {counts[1]} for 200")
    assert not failures, "\n".join(failures)


def test_every_list_answers_alike_on_the_sessions_connection(
    client, admin_header, rows_for_every_list, make_workspace, admin, monkeypatch
):
    """A prepared list of columns runs straight on the driver, with the criteria the Session
    would add (core/pagination.py, `execute_select`; core/database.py, `fetch_rows`): every
    list, in every sort order, answers what the Session's own execution answers, with
    soft-deleted rows and another workspace's rows around for the criteria to hide."""
    elsewhere = {**admin_header, "X-Violet-Workspace": make_workspace(members=[admin]).slug}
    for headers in (admin_header, elsewhere):  # one of each is removed in the default workspace
        for _ in range(2):
            template = client.post("/api/v1/test-templates", json={"name": "T"}, headers=headers)
            mission = client.post("/api/v1/missions", json={"name": "M"}, headers=headers)
        client.delete(f"/api/v1/test-templates/{template.json['id']}", headers=admin_header)
        client.delete(f"/api/v1/missions/{mission.json['id']}", headers=admin_header)
    paths = [
        PATH_SAMPLES.get(template, template)
        for template in list_paths(client.get("/api/v1/openapi.json").json)
    ]
    queries = [{"limit": 500}]
    queries += [{"limit": 500, "fields": "name"}, {"limit": 500, "fields": "tactics,platforms"}]

    def answers() -> dict[str, object]:
        found = {}
        for path in paths:
            sorts = ALLOWED_SORT.search(
                client.get(path, query_string={"sort": "-none"}, headers=admin_header).json[
                    "errors"
                ]["sort"][0]
            ).group(1)
            for sort in [None, *sorts.split(", ")]:
                for query in queries if path.endswith("/techniques") else queries[:1]:
                    query = {**query, "sort": sort} if sort else query
                    response = client.get(path, query_string=query, headers=admin_header)
                    assert response.status_code == 200, (path, query, response.json)
                    found[f"{path} {query}"] = response.json
        return found

    ran_on_connection: set[str] = set()
    execute_columns = pagination.execute_columns

    def spy(session, statement, parameters):
        ran_on_connection.add(flask.request.path)
        return execute_columns(session, statement, parameters)

    monkeypatch.setattr(pagination, "execute_columns", spy)
    on_the_connection = answers()
    assert {"/api/v1/mitre/techniques", "/api/v1/users", "/api/v1/notifications"} <= (
        ran_on_connection
    )
    assert {"/api/v1/test-templates", "/api/v1/missions"} <= ran_on_connection
    monkeypatch.setattr(
        pagination,
        "execute_columns",
        lambda session, statement, parameters: session.execute(statement, parameters).all(),
    )
    assert answers() == on_the_connection
