"""A whole mission over the API, and the events it publishes for notifications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from violet.core.events import _events
from violet.missions import events

ALL_EVENTS = (
    events.MEMBER_ADDED,
    events.TEST_HANDED_TO_BLUE,
    events.DETECTION_RECORDED,
    events.MISSION_COMPLETED,
)


@pytest.fixture
def published(app) -> Iterator[list[tuple[str, dict]]]:
    """Every mission event the app publishes during the test, in order."""
    seen: list[tuple[str, dict]] = []
    receivers = {}
    for name in ALL_EVENTS:

        def receive(sender, _name=name, **data):
            seen.append((_name, data))

        receivers[name] = receive
        _events.signal(name).connect(receive, sender=app)
    yield seen
    for name, receive in receivers.items():
        _events.signal(name).disconnect(receive, sender=app)


def test_a_whole_mission(client, team, tools, levels, published, catalogue):
    # The lead creates the mission, adds red and blue, and a test.
    mission = client.post("/api/v1/missions", json={"name": "Full run"}, headers=team.lead).json
    base = f"/api/v1/missions/{mission['id']}"
    members = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": team.ids["red"], "role": "red"},
        {"user_id": team.ids["blue"], "role": "blue"},
    ]
    assert client.put(f"{base}/members", json=members, headers=team.lead).status_code == 200
    client.patch(base, json={"status": "active"}, headers=team.lead)
    test = client.post(
        f"{base}/tests",
        json={"name": "Mimikatz", "mitre": [{"kind": "technique", "external_id": "T1078"}]},
        headers=team.lead,
    ).json
    url = f"{base}/tests/{test['id']}"

    # Red executes and hands it to blue.
    client.patch(url, json={"state": "in_progress"}, headers=team.red)
    handed = client.patch(
        url,
        json={
            "state": "waiting_blue",
            "command_executed": "sekurlsa::logonpasswords",
            "execution_result": "success",
            "target_host": "WS-042",
        },
        headers=team.red,
    )
    assert handed.status_code == 200
    waiting = client.get(f"{base}/tests?state=waiting_blue", headers=team.blue).json
    assert [t["id"] for t in waiting["items"]] == [test["id"]]

    # Blue records the EDR alert and the NDR miss.
    recorded = client.put(
        f"{url}/detections",
        json=[
            {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"], "rule_ref": "R-1"},
            {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
        ],
        headers=team.blue,
    )
    assert recorded.json["detection_level_id"] == levels["Alerted"]

    # The lead completes the test and the mission.
    client.patch(url, json={"state": "completed"}, headers=team.lead)
    done = client.patch(base, json={"status": "completed"}, headers=team.lead)
    assert done.json["status"] == "completed"
    assert done.json["progress"]["score"] == 75.0
    assert done.json["progress"]["tests_by_state"]["completed"] == 1

    names = [name for name, _ in published]
    assert names == [
        events.MEMBER_ADDED,
        events.MEMBER_ADDED,
        events.TEST_HANDED_TO_BLUE,
        events.DETECTION_RECORDED,
        events.MISSION_COMPLETED,
    ]
    added = {data["user_id"] for name, data in published if name == events.MEMBER_ADDED}
    assert {str(user_id) for user_id in added} == {team.ids["red"], team.ids["blue"]}
    handed_data = published[2][1]
    assert str(handed_data["test_id"]) == test["id"]
    assert str(handed_data["mission_id"]) == mission["id"]


def test_no_event_for_a_refused_change(client, team, mission, add_test, published):
    test = add_test(mission["id"])
    client.patch(
        f"/api/v1/missions/{mission['id']}/tests/{test['id']}",
        json={"state": "waiting_blue"},
        headers=team.red,
    )
    assert published == []
