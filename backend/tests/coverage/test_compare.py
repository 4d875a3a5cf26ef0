"""Comparing two missions per technique: improved, regressed, unchanged, new, dropped."""

from __future__ import annotations

import pytest

from violet.coverage.scoring import compare_scores


@pytest.mark.parametrize(
    ("before", "after", "in_before", "in_after", "change"),
    [
        (40.0, 75.0, True, True, "improved"),
        (75.0, 40.0, True, True, "regressed"),
        (75.0, 75.0, True, True, "unchanged"),
        (None, None, True, True, "unchanged"),
        (None, 40.0, False, True, "new"),
        (None, 0.0, True, True, "new"),
        (40.0, None, True, False, "dropped"),
        (40.0, None, True, True, "dropped"),
    ],
)
def test_the_compare_cases(before, after, in_before, in_after, change):
    assert compare_scores(before, after, in_before=in_before, in_after=in_after) == change


def test_compare_two_missions(client, team, catalogue, make_mission, run):
    first, second = make_mission("Q1"), make_mission("Q2")
    for mission, outcomes in (
        (
            first,
            {"T1059": "Logged", "T1078": "Prevented", "T1566": "Alerted", "T1059.001": "Alerted"},
        ),
        (
            second,
            {"T1059": "Prevented", "T1078": "Alerted", "T1566": "Alerted", "T1566.001": "Logged"},
        ),
    ):
        for attack_id, level in outcomes.items():
            run(mission, f"test {attack_id}", [attack_id], level)

    response = client.get(
        "/api/v1/coverage/compare",
        query_string={"from": first["id"], "to": second["id"]},
        headers=team.viewer,
    )

    assert response.status_code == 200, response.json
    body = response.json
    changes = {item["external_id"]: item["change"] for item in body["techniques"]}
    assert changes == {
        "T1059": "improved",  # (40 + 75) / 2 = 57.5 → 100
        "T1059.001": "dropped",
        "T1078": "regressed",
        "T1566": "regressed",  # 75 → (75 + 40) / 2 = 57.5: the sub-technique rolls up
        "T1566.001": "new",
    }
    t1059 = next(item for item in body["techniques"] if item["external_id"] == "T1059")
    assert (t1059["from_score"], t1059["to_score"]) == (57.5, 100.0)
    assert body["summary"] == {"improved": 1, "dropped": 1, "regressed": 2, "new": 1}
    assert body["from"]["name"] == "Q1" and body["to"]["name"] == "Q2"


def test_compare_needs_two_visible_missions(client, team, make_mission):
    mine = make_mission("Mine")
    theirs = make_mission("Theirs", headers=team.outsider)
    url = "/api/v1/coverage/compare"

    hidden = client.get(
        url, query_string={"from": mine["id"], "to": theirs["id"]}, headers=team.lead
    )
    missing = client.get(url, query_string={"from": mine["id"]}, headers=team.lead)

    assert hidden.status_code == 404
    # Which of the two is not found, as a 422 names the parameter at fault.
    assert list(hidden.json["errors"]) == ["to"] and f"to={theirs['id']}" in hidden.json["detail"]
    reversed_ = client.get(
        url, query_string={"from": theirs["id"], "to": mine["id"]}, headers=team.lead
    )
    assert reversed_.status_code == 404 and list(reversed_.json["errors"]) == ["from"]
    assert missing.status_code == 422 and "to" in missing.json["errors"]
    assert client.get(url, query_string={"from": mine["id"], "to": mine["id"]}).status_code == 401
