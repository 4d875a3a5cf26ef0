"""Scenario templates over HTTP: CRUD, the ordered test list, replace, deleted templates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from violet.extensions import db
from violet.library.models import ScenarioTemplateTest

URL = "/api/v1/scenario-templates"


@pytest.fixture
def three(make_template) -> list[dict]:
    return [
        make_template("Alpha", mitre=[("technique", "T1059")]),
        make_template("Bravo", mitre=[("subtechnique", "T1566.001")]),
        make_template("Charlie"),
    ]


def order(body) -> list[str]:
    return [test["name"] for test in body["tests"]]


def test_create_with_ordered_tests_and_duplicates(client, lead, three):
    alpha, bravo, charlie = three

    response = client.post(
        URL,
        json={
            "name": "Precursors",
            "description": "Discovery, then staging.",
            "test_template_ids": [bravo["id"], alpha["id"], bravo["id"], charlie["id"]],
        },
        headers=lead,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["ETag"] == '"1"'
    assert order(body) == ["Bravo", "Alpha", "Bravo", "Charlie"]
    assert [test["position"] for test in body["tests"]] == [0, 1, 2, 3]
    assert len({test["id"] for test in body["tests"]}) == 4, "each position is its own row"
    assert body["tests"][0]["mitre"][0]["external_id"] == "T1566.001"
    assert body["tests"][0]["deleted"] is False
    assert body["test_count"] == 4
    fetched = client.get(f"{URL}/{body['id']}", headers=lead)
    assert fetched.json == body


def test_list_scenarios_with_counts_and_text_filter(client, lead, three):
    client.post(URL, json={"name": "Empty one"}, headers=lead)
    client.post(
        URL, json={"name": "Full one", "test_template_ids": [three[0]["id"]] * 3}, headers=lead
    )

    listed = client.get(f"{URL}?sort=-name", headers=lead).json
    found = client.get(f"{URL}?q=FULL", headers=lead).json

    assert [(s["name"], s["test_count"]) for s in listed["items"]] == [
        ("Full one", 3),
        ("Empty one", 0),
    ]
    assert [s["name"] for s in found["items"]] == ["Full one"]


def test_put_tests_replaces_the_order(client, lead, three):
    alpha, bravo, charlie = three
    scenario = client.post(
        URL, json={"name": "S", "test_template_ids": [alpha["id"], bravo["id"]]}, headers=lead
    ).json

    response = client.put(
        f"{URL}/{scenario['id']}/tests",
        json={"test_template_ids": [charlie["id"], alpha["id"], charlie["id"]]},
        headers={**lead, "If-Match": '"1"'},
    )

    assert response.status_code == 200, response.json
    assert order(response.json) == ["Charlie", "Alpha", "Charlie"]
    assert response.json["version"] == 2 and response.headers["ETag"] == '"2"'
    rows = db.session.scalars(
        select(ScenarioTemplateTest.position).where(
            ScenarioTemplateTest.scenario_id == scenario["id"]
        )
    ).all()
    assert sorted(rows) == [0, 1, 2]


def test_an_unknown_id_is_422_and_nothing_changes(client, lead, three):
    alpha, bravo, _ = three
    scenario = client.post(
        URL, json={"name": "S", "test_template_ids": [alpha["id"], bravo["id"]]}, headers=lead
    ).json
    unknown = "00000000-0000-4000-8000-000000000000"

    response = client.put(
        f"{URL}/{scenario['id']}/tests",
        json={"test_template_ids": [bravo["id"], unknown]},
        headers=lead,
    )

    assert response.status_code == 422
    assert response.json["errors"] == {"test_template_ids": [f"Unknown test template: {unknown}."]}
    after = client.get(f"{URL}/{scenario['id']}", headers=lead).json
    assert order(after) == ["Alpha", "Bravo"] and after["version"] == 1


def test_a_stale_if_match_on_replace_is_412(client, lead, three):
    scenario = client.post(URL, json={"name": "S"}, headers=lead).json
    client.patch(f"{URL}/{scenario['id']}", json={"name": "Renamed"}, headers=lead)

    response = client.put(
        f"{URL}/{scenario['id']}/tests",
        json={"test_template_ids": [three[0]["id"]]},
        headers={**lead, "If-Match": "1"},
    )

    assert response.status_code == 412
    assert client.get(f"{URL}/{scenario['id']}", headers=lead).json["tests"] == []


def test_a_deleted_template_stays_marked_and_comes_back_on_restore(client, lead, three):
    alpha, bravo, charlie = three
    scenario = client.post(
        URL,
        json={"name": "S", "test_template_ids": [alpha["id"], bravo["id"], charlie["id"]]},
        headers=lead,
    ).json

    client.delete(f"/api/v1/test-templates/{bravo['id']}", headers=lead)
    with_deleted = client.get(f"{URL}/{scenario['id']}", headers=lead).json
    # Reordering keeps the deleted template's place, though it cannot be added anew elsewhere.
    reordered = client.put(
        f"{URL}/{scenario['id']}/tests",
        json={"test_template_ids": [bravo["id"], charlie["id"], alpha["id"]]},
        headers=lead,
    )
    other = client.post(URL, json={"name": "T", "test_template_ids": [bravo["id"]]}, headers=lead)
    client.post(f"/api/v1/test-templates/{bravo['id']}/restore", headers=lead)
    restored = client.get(f"{URL}/{scenario['id']}", headers=lead).json

    assert order(with_deleted) == ["Alpha", "Bravo", "Charlie"]
    assert [t["deleted"] for t in with_deleted["tests"]] == [False, True, False]
    assert reordered.status_code == 200
    assert [t["deleted"] for t in reordered.json["tests"]] == [True, False, False]
    assert other.status_code == 422
    assert [t["deleted"] for t in restored["tests"]] == [False, False, False]


def test_patch_soft_delete_and_restore_a_scenario(client, lead):
    scenario = client.post(URL, json={"name": "S", "description": "d"}, headers=lead).json

    patched = client.patch(f"{URL}/{scenario['id']}", json={"description": None}, headers=lead)
    deleted = client.delete(f"{URL}/{scenario['id']}", headers=lead)
    hidden = client.get(f"{URL}/{scenario['id']}", headers=lead)
    listed = client.get(f"{URL}?include_deleted=true", headers=lead).json
    restored = client.post(f"{URL}/{scenario['id']}/restore", headers=lead)

    assert patched.json["description"] is None and patched.json["name"] == "S"
    assert deleted.status_code == 204 and hidden.status_code == 404
    assert listed["items"][0]["deleted_at"] is not None
    assert restored.status_code == 200 and restored.json["deleted_at"] is None


def test_reading_scenarios_needs_its_own_permission(client, make_user, auth_header):
    templates_only = auth_header(make_user(perms=["test_template.read"]))
    assert client.get(URL, headers=templates_only).status_code == 403


def test_the_scenario_list_runs_a_constant_number_of_statements(
    client, lead, three, count_statements
):
    client.post(URL, json={"name": "one", "test_template_ids": [three[0]["id"]]}, headers=lead)
    with count_statements() as few:
        client.get(f"{URL}?limit=500", headers=lead)
    for index in range(5):
        ids = [template["id"] for template in three] * (index + 1)
        client.post(URL, json={"name": f"more {index}", "test_template_ids": ids}, headers=lead)
    with count_statements() as many:
        response = client.get(f"{URL}?limit=500", headers=lead)
    assert response.json["total"] == 6
    assert many.count == few.count


def test_the_scenario_detail_runs_a_constant_number_of_statements(
    client, lead, three, count_statements
):
    short = client.post(
        URL, json={"name": "a", "test_template_ids": [three[0]["id"]]}, headers=lead
    )
    long = client.post(
        URL, json={"name": "b", "test_template_ids": [t["id"] for t in three] * 4}, headers=lead
    )
    with count_statements() as few:
        client.get(f"{URL}/{short.json['id']}", headers=lead)
    with count_statements() as many:
        client.get(f"{URL}/{long.json['id']}", headers=lead)
    assert many.count == few.count
