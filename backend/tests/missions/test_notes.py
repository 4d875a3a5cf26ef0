"""Notes on a mission and on its tests: members write, the author or the lead deletes, newest
first."""

from __future__ import annotations

import pytest


@pytest.fixture
def base(mission) -> str:
    return f"/api/v1/missions/{mission['id']}"


def test_every_member_writes_and_reads_the_mission_notes_newest_first(client, team, base):
    for role, text in (("lead", "Kick-off at 9"), ("red", "Payload *ready*"), ("viewer", "ok")):
        response = client.post(f"{base}/notes", json={"content": text}, headers=getattr(team, role))
        assert response.status_code == 201, response.json

    page = client.get(f"{base}/notes", headers=team.blue).json

    assert [note["content"] for note in page["items"]] == ["ok", "Payload *ready*", "Kick-off at 9"]
    assert page["total"] == 3
    first = page["items"][0]
    assert first["created_by"].endswith("@example.test")
    assert first["author_id"] == team.ids["viewer"] and first["mission_test_id"] is None
    oldest_first = client.get(f"{base}/notes?sort=created_at&limit=1", headers=team.blue).json
    assert [note["content"] for note in oldest_first["items"]] == ["Kick-off at 9"]


def test_test_notes_are_apart_from_the_mission_notes(client, team, base, mission, add_test):
    test = add_test(mission["id"])
    other = add_test(mission["id"], name="Other")
    client.post(f"{base}/notes", json={"content": "mission-wide"}, headers=team.lead)
    created = client.post(
        f"{base}/tests/{test['id']}/notes", json={"content": "seen in EDR"}, headers=team.blue
    )

    assert created.status_code == 201 and created.json["mission_test_id"] == test["id"]
    test_notes = client.get(f"{base}/tests/{test['id']}/notes", headers=team.red).json
    assert [note["content"] for note in test_notes["items"]] == ["seen in EDR"]
    assert client.get(f"{base}/tests/{other['id']}/notes", headers=team.red).json["total"] == 0
    mission_notes = client.get(f"{base}/notes", headers=team.red).json
    assert [note["content"] for note in mission_notes["items"]] == ["mission-wide"]


@pytest.mark.parametrize(
    "content, problem",
    [("", "content"), ("x" * 10_001, "content"), (None, "content"), (42, "content")],
)
def test_content_is_1_to_10000_characters(client, team, base, content, problem):
    response = client.post(f"{base}/notes", json={"content": content}, headers=team.red)

    assert response.status_code == 422
    assert problem in response.json["errors"]
    assert client.get(f"{base}/notes", headers=team.red).json["total"] == 0


def test_ten_thousand_characters_is_accepted(client, team, base):
    response = client.post(f"{base}/notes", json={"content": "x" * 10_000}, headers=team.red)
    assert response.status_code == 201


@pytest.mark.parametrize("deleter", ["author", "lead", "manage_all"])
def test_its_author_the_lead_or_a_manage_all_holder_deletes_a_note(
    client, team, base, user_header, deleter
):
    """A note with a pasted secret must go even when its author cannot act."""
    note = client.post(f"{base}/notes", json={"content": "pw hunter2"}, headers=team.blue).json
    headers = {
        "author": team.blue,
        "lead": team.lead,
        "manage_all": user_header(perms=["mission.manage_all"]),
    }[deleter]

    assert client.delete(f"{base}/notes/{note['id']}", headers=headers).status_code == 204
    assert client.get(f"{base}/notes", headers=team.blue).json["total"] == 0
    assert client.delete(f"{base}/notes/{note['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize("role", ["red", "blue", "viewer"])
def test_other_members_may_not_delete_someone_elses_note(client, team, base, role):
    note = client.post(f"{base}/notes", json={"content": "Kick-off"}, headers=team.lead).json

    refused = client.delete(f"{base}/notes/{note['id']}", headers=getattr(team, role))

    assert refused.status_code == 403
    assert "author, the mission's lead or a mission.manage_all holder" in refused.json["detail"]
    assert client.get(f"{base}/notes", headers=team.red).json["total"] == 1


def test_outsiders_do_not_see_a_note_to_delete_and_read_all_does_not_delete(
    client, team, base, user_header
):
    note = client.post(f"{base}/notes", json={"content": "Kick-off"}, headers=team.red).json
    url = f"{base}/notes/{note['id']}"

    assert client.delete(url, headers=team.outsider).status_code == 404
    assert client.delete(url, headers=user_header(perms=["mission.read_all"])).status_code == 403
    assert client.get(f"{base}/notes", headers=team.red).json["total"] == 1


def test_a_note_whose_author_was_deactivated_is_deleted_by_the_lead(
    client, team, base, db_connection
):
    from sqlalchemy import text

    note = client.post(f"{base}/notes", json={"content": "token abc"}, headers=team.red).json
    db_connection.execute(
        text("UPDATE users SET is_active = false WHERE id = :id"), {"id": team.ids["red"]}
    )

    assert client.delete(f"{base}/notes/{note['id']}", headers=team.lead).status_code == 204
    assert client.get(f"{base}/notes", headers=team.blue).json["total"] == 0


def test_a_missing_or_invisible_parent_is_404(client, team, base, mission, add_test):
    test = add_test(mission["id"])
    missing = "00000000-0000-0000-0000-000000000000"

    assert client.get(f"{base}/notes", headers=team.outsider).status_code == 404
    outsider_post = client.post(f"{base}/notes", json={"content": "hi"}, headers=team.outsider)
    assert outsider_post.status_code == 404
    assert client.get(f"{base}/tests/{missing}/notes", headers=team.red).status_code == 404
    assert client.get(f"/api/v1/missions/{missing}/notes", headers=team.red).status_code == 404

    client.delete(f"{base}/tests/{test['id']}", headers=team.lead)
    on_deleted = client.post(
        f"{base}/tests/{test['id']}/notes", json={"content": "late"}, headers=team.red
    )
    assert on_deleted.status_code == 404


def test_a_read_all_outsider_reads_but_does_not_write(client, user_header, base):
    auditor = user_header(perms=["mission.read_all"])

    assert client.get(f"{base}/notes", headers=auditor).status_code == 200
    assert client.post(f"{base}/notes", json={"content": "x"}, headers=auditor).status_code == 403


def test_notes_go_with_their_mission(client, team, base, mission, db_connection):
    from sqlalchemy import text

    client.post(f"{base}/notes", json={"content": "bye"}, headers=team.lead)
    db_connection.execute(text("DELETE FROM missions WHERE id = :id"), {"id": mission["id"]})

    remaining = db_connection.execute(
        text("SELECT count(*) FROM notes WHERE mission_id = :id"), {"id": mission["id"]}
    ).scalar_one()
    assert remaining == 0


def test_the_list_is_a_constant_number_of_statements(client, team, base, count_statements):
    for index in range(5):
        client.post(f"{base}/notes", json={"content": f"n{index}"}, headers=team.red)

    with count_statements() as one:
        client.get(f"{base}/notes?limit=1", headers=team.red)
    with count_statements() as five:
        client.get(f"{base}/notes?limit=5", headers=team.red)

    assert one.count == five.count


def test_a_deleted_tests_notes_cannot_be_deleted_until_the_test_is_restored(
    client, team, base, mission, add_test
):
    test = add_test(mission["id"])
    note = client.post(
        f"{base}/tests/{test['id']}/notes", json={"content": "seen in EDR"}, headers=team.blue
    ).json
    on_mission = client.post(f"{base}/notes", json={"content": "kick-off"}, headers=team.blue).json
    test_url = f"{base}/tests/{test['id']}"

    assert client.delete(test_url, headers=team.lead).status_code == 204
    assert client.delete(f"{base}/notes/{note['id']}", headers=team.blue).status_code == 404
    # The mission's own notes hang on no test: they stay deletable.
    assert client.delete(f"{base}/notes/{on_mission['id']}", headers=team.blue).status_code == 204

    assert client.post(f"{test_url}/restore", headers=team.lead).status_code == 200
    listed = client.get(f"{test_url}/notes", headers=team.blue).json
    assert [item["id"] for item in listed["items"]] == [note["id"]]
    assert client.delete(f"{base}/notes/{note['id']}", headers=team.blue).status_code == 204
