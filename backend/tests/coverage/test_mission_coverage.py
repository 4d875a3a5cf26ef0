"""GET /missions/{id}/coverage, /navigator-layer and /export against a real mission built
through the API: the worked example of docs/coverage.md, per tool, layers, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.coverage.conftest import tags
from tests.missions.conftest import PNG, evidence_dir, sync
from tests.mitre.bundle import build_bundle, revoked_by, technique
from violet.coverage.navigator import layer_problems

API = "/api/v1/missions"
__all__ = ["evidence_dir"]  # the fixture, for the report's evidence files


def retest(client, team, mission, test):
    response = client.post(f"{API}/{mission['id']}/tests/{test['id']}/retest", headers=team.lead)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def worked_example(client, team, catalogue, mission, run):
    """The runs of docs/coverage.md's worked example; returns their ids by letter."""
    ids = {}
    ids["A"] = run(mission, "A", ["T1059.001"], "Alerted")
    ids["B"] = run(mission, "B", ["T1059.001"], "Not detected")
    ids["B2"] = run(mission, "B2", [], "Prevented", test=retest(client, team, mission, ids["B"]))
    ids["C"] = run(mission, "C", ["T1059.003"], "Not applicable")
    ids["D"] = run(mission, "D", ["T1059", "T1059.001"], "Alerted")
    ids["E"] = run(mission, "E", ["T1078"], "Logged")
    ids["E2"] = retest(client, team, mission, ids["E"])
    ids["F"] = run(mission, "F", ["T1566"], state="in_progress")
    ids["G"] = run(mission, "G", ["T1566.001"])
    return {letter: test["id"] for letter, test in ids.items()}


def test_the_worked_example_through_the_api(client, team, mission, worked_example, levels):
    response = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer)

    assert response.status_code == 200
    body = response.json
    assert (body["score"], body["tests"], body["scored_tests"]) == (72.5, 6, 4)
    assert body["outcomes"] == {
        levels["Alerted"]: 2,
        levels["Prevented"]: 1,
        levels["Not applicable"]: 1,
        levels["Logged"]: 1,
    }
    techniques = {item["external_id"]: item for item in body["techniques"]}
    assert {key: value["score"] for key, value in techniques.items()} == {
        "T1059": 83.3,
        "T1059.001": 83.3,
        "T1059.003": None,
        "T1078": 40.0,
        "T1566": None,
        "T1566.001": None,
    }
    letters = {test_id: letter for letter, test_id in worked_example.items()}
    assert sorted(letters[i] for i in techniques["T1059"]["test_ids"]) == ["A", "B2", "C", "D"]
    assert techniques["T1078"]["tactics"] == ["TA0001", "TA0003"]
    assert [
        (tactic["external_id"], tactic["shortname"], tactic["score"], tactic["tests"])
        for tactic in body["tactics"]
    ] == [
        ("TA0001", "initial-access", 40.0, 2),
        ("TA0002", "execution", 83.3, 4),
        ("TA0003", "persistence", 40.0, 1),
    ]
    assert [level["name"] for level in body["levels"]][:2] == ["Prevented", "Alerted"]


def test_a_technique_counted_through_its_sub_technique_is_named_from_the_catalogue(
    client, team, catalogue, mission, make_mission, run
):
    # Only T1059.003 is tagged: T1059 has no tag of its own to take its name from.
    run(mission, "cmd", ["T1059.003"], "Alerted")
    other = make_mission()
    run(other, "cmd again", ["T1059.003"], "Prevented")

    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json
    across = client.get(f"/api/v1/coverage?mission_ids={mission['id']}", headers=team.lead).json
    compared = client.get(
        f"/api/v1/coverage/compare?from={mission['id']}&to={other['id']}", headers=team.lead
    ).json
    report = client.get(f"{API}/{mission['id']}/report", headers=team.viewer).get_data(True)

    for body in (coverage, across, compared):
        names = {item["external_id"]: item["name"] for item in body["techniques"]}
        assert names == {
            "T1059": "Command and Scripting Interpreter",
            "T1059.003": "Windows Command Shell",
        }
    assert "T1059 Command and Scripting Interpreter — 75" in report


def test_a_tactic_tagged_directly_has_its_shortname_and_place_in_the_matrix(
    client, team, catalogue, mission, add_test, run
):
    # TA0001 (Initial Access) is the matrix's first column; tagged only directly, it came back
    # without its shortname and sorted after TA0002.
    tactic_only = add_test(
        mission["id"], "Phish", mitre=[{"kind": "tactic", "external_id": "TA0001"}]
    )
    run(mission, "Phish", [], "Logged", test=tactic_only)
    run(mission, "Script", ["T1059"], "Alerted")

    body = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json

    assert [
        (tactic["external_id"], tactic["name"], tactic["shortname"], tactic["score"])
        for tactic in body["tactics"]
    ] == [
        ("TA0001", "Initial Access", "initial-access", 40.0),
        ("TA0002", "Execution", "execution", 75.0),
    ]


def test_coverage_by_tool_uses_each_tools_outcomes(
    client, team, catalogue, mission, run, record_outcomes
):
    first = run(mission, "one", ["T1059"], state="waiting_blue")
    second = run(mission, "two", ["T1078"], state="waiting_blue")
    record_outcomes(mission, first, {"EDR": "Prevented", "SIEM": "Logged"})
    record_outcomes(mission, second, {"SIEM": "Not detected"})

    body = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.red
    ).json

    assert body["score"] == 50.0  # the tests' derived levels: Prevented (best of two), Not detected
    by_tool = {tool["name"]: tool for tool in body["tools"]}
    assert set(by_tool) == {"EDR", "SIEM"}  # NDR recorded nothing
    assert (by_tool["EDR"]["score"], by_tool["EDR"]["tests"]) == (100.0, 1)
    assert (by_tool["SIEM"]["score"], by_tool["SIEM"]["tests"]) == (20.0, 2)
    siem = {item["external_id"]: item["score"] for item in by_tool["SIEM"]["techniques"]}
    assert siem == {"T1059": 40.0, "T1078": 0.0}


def test_per_tool_a_completed_retest_replaces_the_run_even_without_the_tools_outcome(
    client, team, catalogue, mission, run, record_outcomes, levels
):
    """Per tool the mission's counted runs are scored (docs/coverage.md, rules 1 and 6): B's
    retest replaced B, so EDR's Not detected on B no longer counts, though EDR recorded
    nothing on the retest (SIEM prevented it). EDR's figures kept B's stale 0."""
    a = run(mission, "A", ["T1078"], state="waiting_blue")
    record_outcomes(mission, a, {"EDR": "Alerted"})
    b = run(mission, "B", ["T1059.001"], state="waiting_blue")
    record_outcomes(mission, b, {"EDR": "Not detected"})
    b2 = run(mission, "B", [], state="waiting_blue", test=retest(client, team, mission, b))
    record_outcomes(mission, b2, {"SIEM": "Prevented"})

    body = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.red
    ).json

    by_tool = {tool["name"]: tool for tool in body["tools"]}
    edr = by_tool["EDR"]
    assert (edr["score"], edr["tests"], edr["scored_tests"]) == (75.0, 1, 1)
    assert [item["external_id"] for item in edr["techniques"]] == ["T1078"]
    assert edr["outcomes"] == {levels["Alerted"]: 1}
    siem = by_tool["SIEM"]
    assert (siem["score"], siem["tests"]) == (100.0, 1)
    assert siem["techniques"][0]["test_ids"] == [b2["id"]]
    # The mission's own figures count the retest, not B.
    assert (body["score"], body["tests"]) == (87.5, 2)


def test_per_tool_a_tool_whose_outcomes_were_all_replaced_is_not_listed(
    client, team, catalogue, mission, run, record_outcomes
):
    b = run(mission, "B", ["T1059"], state="waiting_blue")
    record_outcomes(mission, b, {"NDR": "Logged"})
    run(mission, "B", [], "Alerted", test=retest(client, team, mission, b))

    body = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.red
    ).json

    assert body["tools"] == []  # NDR's only outcome is on a replaced run
    assert (body["score"], body["tests"]) == (75.0, 1)


def test_a_deleted_tool_keeps_its_figures_in_the_mission(
    client, team, catalogue, mission, run, tools, levels, admin_header
):
    """A deleted tool stays on the outcomes recorded with it (docs/api.md), so the mission's
    coverage per tool still shows it."""
    test = run(mission, "one", ["T1059"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    body = [{"tool_id": tools["NDR"], "detection_level_id": levels["Logged"]}]
    assert client.put(f"{url}/detections", json=body, headers=team.blue).status_code == 200
    assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    headers = {**admin_header, "If-Match": ndr.headers["ETag"]}
    assert (
        client.delete(f"/api/v1/defense-tools/{tools['NDR']}", headers=headers).status_code == 204
    )

    body = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.red
    ).json

    assert [(tool["name"], tool["score"], tool["tests"]) for tool in body["tools"]] == [
        ("NDR", 40.0, 1)
    ]


def test_per_tool_a_deleted_tool_is_told_from_the_live_one_that_took_its_name(
    client, team, catalogue, mission, run, tools, levels, admin_header
):
    """An admin retired the NDR and added a new tool under the same name: `?by=tool` listed two
    "NDR" the lead could not tell apart (nor choose between on the coverage page). Each says
    whether it was deleted, the live one first."""
    first = run(mission, "one", ["T1059"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{first['id']}"
    body = [{"tool_id": tools["NDR"], "detection_level_id": levels["Logged"]}]
    assert client.put(f"{url}/detections", json=body, headers=team.blue).status_code == 200
    assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    headers = {**admin_header, "If-Match": ndr.headers["ETag"]}
    assert (
        client.delete(f"/api/v1/defense-tools/{tools['NDR']}", headers=headers).status_code == 204
    )
    new_ndr = client.post(
        "/api/v1/defense-tools", json={"name": "NDR", "layer": "ndr"}, headers=admin_header
    ).json["id"]
    second = run(mission, "two", ["T1078"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{second['id']}"
    body = [{"tool_id": new_ndr, "detection_level_id": levels["Prevented"]}]
    assert client.put(f"{url}/detections", json=body, headers=team.blue).status_code == 200
    assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200

    body = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.viewer
    ).json

    assert [(t["tool_id"], t["name"], t["deleted"], t["score"]) for t in body["tools"]] == [
        (new_ndr, "NDR", False, 100.0),
        (tools["NDR"], "NDR", True, 40.0),
    ]


def test_a_tool_s_layer_carries_its_own_scores_as_coverage_by_tool_does(
    client, team, catalogue, mission, run, record_outcomes
):
    """The coverage page recoloured the matrix for one tool, but the layer it downloaded was
    the mission's. `?tool=` gives that tool's layer: by hand, EDR scored T1059.001 on A (100)
    and D2 (75; its Not detected on D was replaced by the retest), T1059.003 on B (0), and
    T1059 rolls the three up: 58.3; it recorded nothing on C, so T1078 is not in its layer."""
    a = run(mission, "A", ["T1059.001"], state="waiting_blue")
    record_outcomes(mission, a, {"EDR": "Prevented", "SIEM": "Logged"})
    b = run(mission, "B", ["T1059.003"], state="waiting_blue")
    record_outcomes(mission, b, {"EDR": "Not detected"})
    c = run(mission, "C", ["T1078"], state="waiting_blue")
    record_outcomes(mission, c, {"SIEM": "Alerted"})
    d = run(mission, "D", ["T1059.001"], state="waiting_blue")
    record_outcomes(mission, d, {"EDR": "Not detected"})
    d2 = run(mission, "D", [], state="waiting_blue", test=retest(client, team, mission, d))
    record_outcomes(mission, d2, {"EDR": "Alerted", "SIEM": "Not applicable"})
    coverage = client.get(
        f"{API}/{mission['id']}/coverage", query_string={"by": "tool"}, headers=team.viewer
    ).json

    for tool in coverage["tools"]:
        response = client.get(
            f"{API}/{mission['id']}/navigator-layer",
            query_string={"tool": tool["tool_id"]},
            headers=team.viewer,
        )
        assert response.status_code == 200, response.json
        layer = response.json
        assert (
            layer_problems(layer, tactic_shortnames={"execution", "initial-access", "persistence"})
            == []
        )
        assert layer["name"] == f"Purple week — {tool['name']}"
        assert f"Purple-week-{tool['name']}-layer.json" in response.headers["Content-Disposition"]
        scores = {item["techniqueID"]: item.get("score") for item in layer["techniques"]}
        assert scores == {item["external_id"]: item["score"] for item in tool["techniques"]}
        if tool["name"] == "EDR":
            assert scores == {"T1059": 58.3, "T1059.001": 87.5, "T1059.003": 0.0}
        else:  # SIEM: Logged on A, Alerted on C, Not applicable on D2 (counted, not scored)
            assert scores == {"T1059": 40.0, "T1059.001": 40.0, "T1078": 75.0}
    assert {tool["name"] for tool in coverage["tools"]} == {"EDR", "SIEM"}


def test_a_tool_s_layer_of_an_unknown_or_deleted_tool(
    client, team, catalogue, mission, make_mission, run, record_outcomes, tools, admin_header
):
    """An unknown tool is 404 naming it; a deleted tool's layer is there while the mission has
    its outcomes (the coverage page lists it), named "(deleted)"; a live tool without any
    outcome has an empty layer."""
    test = run(mission, "A", ["T1059"], state="waiting_blue")
    record_outcomes(mission, test, {"NDR": "Logged"})
    other = make_mission("Other week")
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    headers = {**admin_header, "If-Match": ndr.headers["ETag"]}
    assert (
        client.delete(f"/api/v1/defense-tools/{tools['NDR']}", headers=headers).status_code == 204
    )

    def layer_of(mission, tool):
        return client.get(
            f"{API}/{mission['id']}/navigator-layer", query_string={"tool": tool}, headers=team.lead
        )

    deleted = layer_of(mission, tools["NDR"])
    assert deleted.status_code == 200
    assert deleted.json["name"] == "Purple week — NDR (deleted)"
    assert [(item["techniqueID"], item["score"]) for item in deleted.json["techniques"]] == [
        ("T1059", 40.0)
    ]
    elsewhere = layer_of(other, tools["NDR"])
    assert elsewhere.status_code == 404
    assert tools["NDR"] in elsewhere.json["detail"] and "deleted" in elsewhere.json["detail"]
    unknown = "00000000-0000-4000-8000-000000000000"
    missing = layer_of(mission, unknown)
    assert missing.status_code == 404 and unknown in missing.json["detail"]
    assert layer_of(mission, "EDR").status_code == 422
    silent = layer_of(mission, tools["EDR"])
    assert silent.status_code == 200 and silent.json["techniques"] == []


def test_a_level_on_a_deleted_test_is_not_deleted_so_a_restored_test_keeps_its_score(
    client, team, catalogue, mission, run, admin_header
):
    """A deleted test can be restored, so it still uses its level (docs/api.md: a level used by
    any mission test is not deleted). Deleting the level went through, and the restored test
    then counted as unscored: the mission's 50.0 fell to 40.0 with nothing shown as changed."""
    created = client.post(
        "/api/v1/detection-levels",
        json={"name": "Partly blocked", "score": 60, "color": "#5c940d"},
        headers=admin_header,
    )
    assert created.status_code == 201, created.json
    partly = run(mission, "A", ["T1059"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{partly['id']}"
    completed = client.patch(
        url,
        json={"state": "completed", "detection_level_id": created.json["id"]},
        headers=team.lead,
    )
    assert completed.status_code == 200, completed.json
    run(mission, "B", ["T1078"], "Logged")
    assert client.delete(url, headers=team.lead).status_code == 204

    refused = client.delete(f"/api/v1/detection-levels/{created.json['id']}", headers=admin_header)

    assert refused.status_code == 409, refused.data
    assert refused.mimetype == "application/problem+json"
    assert "deleted" in refused.json["detail"] and "restored" in refused.json["detail"]
    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200
    body = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json
    assert (body["score"], body["tests"], body["scored_tests"]) == (50.0, 2, 2)
    assert created.json["id"] in [level["id"] for level in body["levels"]]


def test_removing_every_outcome_removes_the_level_they_gave(
    client, team, catalogue, mission, run, tools, levels
):
    derived = run(mission, "one", ["T1059"], state="waiting_blue")
    by_hand = run(mission, "two", ["T1078"], "Logged")
    url = f"{API}/{mission['id']}/tests/{derived['id']}"
    edr = [{"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}]
    assert client.put(f"{url}/detections", json=edr, headers=team.blue).status_code == 200
    assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200

    def coverage():
        return client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json

    assert (coverage()["score"], coverage()["scored_tests"]) == (57.5, 2)

    cleared = client.put(f"{url}/detections", json=[], headers=team.blue)

    assert cleared.status_code == 200, cleared.json
    assert (cleared.json["detections"], cleared.json["detection_level_id"]) == ([], None)
    after = coverage()
    assert (after["score"], after["tests"], after["scored_tests"]) == (40.0, 2, 1)
    assert after["outcomes"] == {levels["Logged"]: 1}
    [listed] = client.get(f"{API}?q=Purple", headers=team.lead).json["items"]
    assert listed["progress"]["score"] == 40.0
    # With no outcomes left, blue may set the level by hand again.
    direct = client.patch(url, json={"detection_level_id": levels["Logged"]}, headers=team.blue)
    assert direct.status_code == 200, direct.json
    # A level set by hand came from no outcome: saving no outcomes keeps it.
    hand_url = f"{API}/{mission['id']}/tests/{by_hand['id']}/detections"
    kept = client.put(hand_url, json=[], headers=team.blue)
    assert kept.status_code == 200 and kept.json["detection_level_id"] == levels["Logged"]


class Steps:
    """What a team does to a mission's runs, through the API; each step returns the run."""

    def __init__(self, client, team, mission, run):
        self.client, self.team, self.mission, self.run = client, team, mission, run

    def url(self, test):
        return f"{API}/{self.mission['id']}/tests/{test['id']}"

    def retest(self, test):
        return retest(self.client, self.team, self.mission, test)

    def complete(self, test, level):
        return self.run(self.mission, test["name"], [], level, test=test)

    def cancel(self, test):
        response = self.client.patch(
            self.url(test), json={"state": "cancelled"}, headers=self.team.lead
        )
        assert response.status_code == 200, response.json
        return test

    def delete(self, test):
        assert self.client.delete(self.url(test), headers=self.team.lead).status_code == 204
        return test

    def restore(self, test):
        response = self.client.post(f"{self.url(test)}/restore", headers=self.team.lead)
        assert response.status_code == 200, response.json
        return test


def pending_retest(steps, b):
    steps.retest(b)


def completed_retest(steps, b):
    steps.complete(steps.retest(b), "Alerted")


def cancelled_retest(steps, b):
    steps.cancel(steps.retest(b))


def deleted_retest(steps, b):
    steps.delete(steps.complete(steps.retest(b), "Alerted"))


def completed_then_pending_retest(steps, b):
    steps.retest(steps.complete(steps.retest(b), "Alerted"))


def cancelled_then_completed_retest(steps, b):
    steps.complete(steps.retest(steps.cancel(steps.retest(b))), "Logged")


def two_retests_the_latest_deleted(steps, b):
    steps.delete(steps.complete(steps.retest(steps.complete(steps.retest(b), "Alerted")), "Logged"))


def two_retests_the_first_deleted(steps, b):
    # Refused (409): the first retest has a newer run. Before, the second then retested a
    # deleted run, started a chain of its own, and B counted again beside it (46.7).
    first = steps.complete(steps.retest(b), "Alerted")
    steps.complete(steps.retest(first), "Logged")
    refused = steps.client.delete(steps.url(first), headers=steps.team.lead)
    assert refused.status_code == 409


def two_retests_of_one_run(steps, b):
    # A retest deleted, B retested again, the first restored: refused (409), as it would give B
    # two latest runs, so the second retest counts. (Rows made so before the refusal are still
    # scored: of B's two retests, the first by position counts.)
    first = steps.delete(steps.complete(steps.retest(b), "Alerted"))
    steps.complete(steps.retest(b), "Logged")
    refused = steps.client.post(f"{steps.url(first)}/restore", headers=steps.team.lead)
    assert refused.status_code == 409


def test_a_tests_level_follows_its_tools_outcomes_when_an_administrator_rescores_the_levels(
    client, team, catalogue, mission, run, record_outcomes, levels, admin_header
):
    """The EDR alerted, the SIEM logged: the test is Alerted (75, the best). The team then
    decides that an alert counts for nothing unless triaged (Alerted: no score): the best of
    the test's outcomes is Logged, and the mission scores 40, not "nothing scored"."""
    test = run(mission, "one", ["T1059"], state="waiting_blue")
    record_outcomes(mission, test, {"EDR": "Alerted", "SIEM": "Logged"})
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    before = client.get(url, headers=team.viewer).json
    assert before["detection_level_id"] == levels["Alerted"]

    def rescore(level, score):
        response = client.patch(
            f"/api/v1/detection-levels/{levels[level]}", json={"score": score}, headers=admin_header
        )
        assert response.status_code == 200, response.json

    rescore("Alerted", None)

    after = client.get(url, headers=team.viewer).json
    assert after["detection_level_id"] == levels["Logged"]
    assert after["version"] == before["version"] + 1  # a change of the test: If-Match sees it
    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json
    assert (coverage["score"], coverage["scored_tests"]) == (40.0, 1)
    assert coverage["outcomes"] == {levels["Logged"]: 1}

    # Scored again, above Logged: the test is Alerted again; a level set by hand (no tool
    # outcomes) is the blue team's own choice and stays.
    by_hand = run(mission, "two", ["T1078"], "Logged")
    rescore("Alerted", 90)

    assert client.get(url, headers=team.viewer).json["detection_level_id"] == levels["Alerted"]
    hand = client.get(f"{API}/{mission['id']}/tests/{by_hand['id']}", headers=team.viewer).json
    assert hand["detection_level_id"] == levels["Logged"]
    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json
    assert coverage["score"] == 65.0  # (90 + 40) / 2


def test_rescoring_a_level_records_each_rederived_test_as_an_ordinary_write(
    client, team, catalogue, mission, run, record_outcomes, levels, admin, admin_header
):
    """What re-scoring Alerted leaves in the trail and on the tests, pinned: each test whose
    level changes (a deleted one too) gets one `mission_test.update` naming its old and new
    level, by the administrator, under its mission, and its version bumped by one; a test whose
    level stays, and a level set by hand, get neither. Of two unscored outcomes the first sent
    wins (Not applicable, sent before Alerted)."""
    from sqlalchemy import text

    from violet.extensions import db

    alerted, logged, not_applicable = (
        levels["Alerted"],
        levels["Logged"],
        levels["Not applicable"],
    )
    tests = {}
    for name, outcomes in [
        ("siem logged", {"EDR": "Alerted", "SIEM": "Logged"}),
        ("only alerted", {"EDR": "Alerted"}),
        ("n/a first", {"NDR": "Not applicable", "EDR": "Alerted"}),
        ("deleted", {"SIEM": "Logged", "EDR": "Alerted"}),
    ]:
        tests[name] = run(mission, name, ["T1059"], state="waiting_blue")
        record_outcomes(mission, tests[name], outcomes)
    tests["by hand"] = run(mission, "by hand", ["T1078"], "Alerted")
    url = f"{API}/{mission['id']}/tests/{tests['deleted']['id']}"
    assert client.delete(url, headers=team.lead).status_code == 204

    def state():
        rows = db.session.execute(
            text(
                "SELECT id, version, detection_level_id, updated_by, workspace_id"
                " FROM mission_tests"
            )
        )
        return {str(row.id): row for row in rows}

    before = state()
    response = client.patch(
        f"/api/v1/detection-levels/{alerted}", json={"score": None}, headers=admin_header
    )
    assert response.status_code == 200, response.json
    after = state()

    changed = {"siem logged": logged, "n/a first": not_applicable, "deleted": logged}
    for name, test in tests.items():
        old, new = before[test["id"]], after[test["id"]]
        assert str(old.detection_level_id) == alerted, name
        if name in changed:
            assert str(new.detection_level_id) == changed[name], name
            assert new.version == old.version + 1, name
            assert new.updated_by == admin.id, name
        else:
            assert (new.detection_level_id, new.version) == (old.detection_level_id, old.version)
    events = client.get(
        "/api/v1/audit-events",
        query_string={"action": "mission_test.update", "actor_id": str(admin.id), "limit": 100},
        headers=admin_header,
    ).json["items"]
    recorded = sorted(
        (
            {
                key: event[key]
                for key in (
                    "action",
                    "object_type",
                    "object_id",
                    "object_label",
                    "mission_id",
                    "changes",
                    "token_id",
                    "token_name",
                    "actor_id",
                )
            }
            for event in events
        ),
        key=lambda event: event["object_label"],
    )
    assert recorded == [
        {
            "action": "mission_test.update",
            "object_type": "mission_test",
            "object_id": tests[name]["id"],
            "object_label": name,
            "mission_id": mission["id"],
            "changes": {"detection_level_id": {"from": alerted, "to": changed[name]}},
            "token_id": None,
            "token_name": None,
            "actor_id": str(admin.id),
        }
        for name in sorted(changed)
    ]
    assert len({event["request_id"] for event in events}) == 1
    assert {event["workspace_id"] for event in events} == {
        str(after[tests[name]["id"]].workspace_id) for name in changed
    }


@pytest.mark.parametrize(
    ("situation", "score"),
    [
        (None, 50.0),
        (pending_retest, 50.0),
        (completed_retest, 87.5),
        (cancelled_retest, 50.0),
        (deleted_retest, 50.0),
        (completed_then_pending_retest, 87.5),
        (cancelled_then_completed_retest, 70.0),
        (two_retests_the_latest_deleted, 87.5),
        (two_retests_the_first_deleted, 70.0),
        (two_retests_of_one_run, 70.0),
    ],
)
def test_the_missions_score_is_its_coverage_score_whatever_the_retests(
    client, team, catalogue, mission, run, situation, score
):
    """The score shown with the mission (its page, the mission list, and so "Score over time")
    is its coverage's score: Prevented A, Not detected B, then B's retests."""
    run(mission, "A", ["T1059"], "Prevented")
    b = run(mission, "B", ["T1059"], "Not detected")
    if situation:
        situation(Steps(client, team, mission, run), b)

    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.lead).json
    page = client.get(f"{API}/{mission['id']}", headers=team.lead).json
    listed = client.get(API, headers=team.lead).json["items"]

    assert coverage["score"] == score
    assert page["progress"]["score"] == score
    assert [item["progress"]["score"] for item in listed if item["id"] == mission["id"]] == [score]


def test_a_mean_ending_in_five_hundredths_rounds_up_wherever_it_is_shown(
    client, team, catalogue, mission, run
):
    """75, 100, 75, 75: 81.25 is 81.3 in the coverage and in the mission list
    (docs/coverage.md rule 5), not Python's round-half-to-even 81.2."""
    for name, level in [("A", "Alerted"), ("B", "Prevented"), ("C", "Alerted"), ("D", "Alerted")]:
        run(mission, name, ["T1059.001"], level)

    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.lead).json
    listed = client.get(API, headers=team.lead).json["items"]

    assert coverage["score"] == 81.3
    assert [item["score"] for item in coverage["techniques"]] == [81.3, 81.3]
    assert [item["progress"]["score"] for item in listed if item["id"] == mission["id"]] == [81.3]


def test_coverage_is_a_constant_number_of_statements(
    client, team, catalogue, mission, add_test, count_statements
):
    url = f"{API}/{mission['id']}/coverage?by=tool"
    add_test(mission["id"], "one", mitre=tags("T1059.001"))
    with count_statements() as few:
        assert client.get(url, headers=team.lead).status_code == 200
    for number in range(12):
        mitre = [*tags("T1078", "T1566.001"), {"kind": "tactic", "external_id": "TA0003"}]
        add_test(mission["id"], f"more {number}", mitre=mitre)
    with count_statements() as many:
        assert client.get(url, headers=team.lead).status_code == 200

    assert many.count == few.count


@pytest.mark.parametrize("path", ["/coverage", "/navigator-layer", "/export?format=csv"])
def test_outsiders_get_404_and_anonymous_401(client, team, mission, path):
    assert client.get(f"{API}/{mission['id']}{path}", headers=team.outsider).status_code == 404
    assert client.get(f"{API}/{mission['id']}{path}").status_code == 401


def test_bad_query_values_are_422(client, team, mission):
    by = client.get(f"{API}/{mission['id']}/coverage?by=team", headers=team.lead)
    export = client.get(f"{API}/{mission['id']}/export?format=xlsx", headers=team.lead)

    assert by.status_code == 422 and "by" in by.json["errors"]
    assert export.status_code == 422 and "format" in export.json["errors"]


def test_the_navigator_layer_is_valid_and_carries_the_scores(
    client, team, mission, worked_example, levels
):
    response = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.blue)

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    layer = response.json
    shortnames = {"initial-access", "execution", "persistence"}
    with_subtechniques = {"T1059", "T1078", "T1566"}  # every technique of the test catalogue
    assert (
        layer_problems(layer, tactic_shortnames=shortnames, with_subtechniques=with_subtechniques)
        == []
    )
    assert layer["versions"]["layer"] == "4.5" and layer["versions"]["attack"] == "18.1"
    assert layer["domain"] == "enterprise-attack"
    entries = {(item["techniqueID"], item["tactic"]): item for item in layer["techniques"]}
    assert set(entries) == {
        ("T1059", "execution"),
        ("T1059.001", "execution"),
        ("T1059.003", "execution"),
        ("T1078", "initial-access"),
        ("T1078", "persistence"),
        ("T1566", "initial-access"),
        ("T1566.001", "initial-access"),
    }
    assert entries[("T1059", "execution")]["score"] == 83.3
    assert entries[("T1059", "execution")]["showSubtechniques"] is True
    assert (
        entries[("T1059", "execution")]["comment"]
        == "4 tests: 1 Prevented, 2 Alerted, 1 Not applicable"
    )
    assert "score" not in entries[("T1566", "initial-access")]
    # Every run of T1059 (A, B2, C, D) is counted under a sub-technique too: a roll-up.
    assert entries[("T1059", "execution")]["metadata"][-1] == {
        "name": "Rolled up from",
        "value": "T1059.001, T1059.003",
    }
    assert [item["name"] for item in entries[("T1078", "persistence")]["metadata"]] == [
        "Tests",
        "Logged",
    ]
    assert [item["label"] for item in layer["legendItems"]] == [
        "Prevented",
        "Alerted",
        "Logged",
        "Not detected",
        "Tested, no score",  # T1566: its one run is Not applicable
    ]


def test_show_subtechniques_is_only_on_techniques_the_catalogue_gives_sub_techniques(
    app, client, team, mission, run
):
    # T1047 (Windows Management Instrumentation) has no sub-techniques in ATT&CK: the format
    # allows no showSubtechniques on its entry, which was written as false.
    wmi = technique("T1047", "Windows Management Instrumentation", ["execution"])
    sync(app, build_bundle(extra_objects=[wmi]))
    run(mission, "WMI", ["T1047"], "Alerted")
    run(mission, "Accounts", ["T1078"], "Logged")
    run(mission, "PowerShell", ["T1059.001"], "Prevented")

    layer = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.blue).json

    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert "showSubtechniques" not in entries["T1047"]
    assert "showSubtechniques" not in entries["T1059.001"]
    assert entries["T1078"]["showSubtechniques"] is False  # has some, none tested
    assert entries["T1059"]["showSubtechniques"] is True
    catalogue_with_subtechniques = {"T1059", "T1078", "T1566"}
    assert layer_problems(layer, with_subtechniques=catalogue_with_subtechniques) == []


def test_show_subtechniques_follows_the_catalogue_after_a_release_without_any(
    app, client, team, catalogue, mission, run
):
    # Tests tagged with sub-techniques, then a re-sync with a release from before ATT&CK had
    # sub-techniques (v6): T1059 has none there, so its entry may not say whether they show.
    run(mission, "PowerShell", ["T1059.001"], "Prevented")
    run(mission, "Accounts", ["T1078"], "Logged")
    older = build_bundle(version="6.3")
    older["objects"] = [
        stix_object
        for stix_object in older["objects"]
        if not stix_object.get("x_mitre_is_subtechnique")
        and stix_object.get("relationship_type") != "subtechnique-of"
    ]
    sync(app, older)

    layer = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.blue).json

    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    # T1059.001 is not in that release (so not in its Navigator): its run counts for T1059.
    assert set(entries) == {"T1059", "T1078"}
    assert entries["T1059"]["score"] == 100
    assert layer["description"].endswith(
        "T1059.001 (deprecated) is left out, its tests counted for T1059."
    )
    assert "showSubtechniques" not in entries["T1059"]
    assert "showSubtechniques" not in entries["T1078"]
    assert layer_problems(layer, with_subtechniques=set()) == []


def test_csv_export_neutralises_formulas_and_opens_with_a_bom(
    client, team, catalogue, mission, run
):
    run(mission, "=cmd|' /C calc'!A0", ["T1059.001"], "Alerted")

    response = client.get(f"{API}/{mission['id']}/export?format=csv", headers=team.viewer)

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["mitre"] == "T1059.001 PowerShell"
    assert rows[0]["detection_level"] == "Alerted" and rows[0]["state"] == "completed"


def test_json_export_has_red_and_blue_fields_and_tags(client, team, catalogue, mission, run):
    test = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    content = {
        "prerequisites": "PowerShell 5",
        "cleanup": "Remove-Item $env:TEMP\\x.ps1",
        "expected_detection": "EDR: encoded command line",
        "opsec_level": "high",
    }
    assert client.patch(url, json=content, headers=team.lead).status_code == 200
    client.patch(
        url,
        json={"source_host": "ws-01", "command_executed": "powershell -enc …"},
        headers=team.red,
    )
    client.patch(
        url, json={"detection_notes": "EDR alert 42", "detection_refs": ["R-42"]}, headers=team.blue
    )

    response = client.get(f"{API}/{mission['id']}/export?format=json", headers=team.lead)

    assert response.status_code == 200
    document = json.loads(response.data)
    assert document["mission"]["name"] == mission["name"]
    (exported,) = document["tests"]
    assert (
        exported["source_host"] == "ws-01" and exported["command_executed"] == "powershell -enc …"
    )
    assert exported["detection_notes"] == "EDR alert 42" and exported["detection_refs"] == ["R-42"]
    assert exported["mitre"] == [
        {"kind": "subtechnique", "external_id": "T1059.001", "name": "PowerShell"}
    ]
    assert exported["executed_by"] is not None and exported["state"] == "waiting_blue"
    # The test's content too, not only what red and blue recorded: a spreadsheet of the
    # mission is read without the library at hand.
    assert {key: exported[key] for key in content} == content
    csv_export = client.get(f"{API}/{mission['id']}/export?format=csv", headers=team.lead)
    (row,) = csv.DictReader(io.StringIO(csv_export.data.decode("utf-8-sig")))
    assert {key: row[key] for key in content} == content


def test_exports_carry_the_category_expected_tools_and_each_tools_outcome_in_full(
    client, team, catalogue, mission, run, tools, levels, admin_header
):
    """The blue fields and per-tool outcomes (time, rule, notes), a deleted tool's too
    (docs/api.md: a deleted tool stays on recorded outcomes)."""
    category = client.post(
        f"{API}/{mission['id']}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    test = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    content = {"category_id": category["id"], "executed_at": "2026-11-30T10:00:00+00:00"}
    assert client.patch(url, json=content, headers=team.lead).status_code == 200
    expected = {"expected_tool_ids": [tools["SIEM"], tools["NDR"]]}
    assert client.patch(url, json=expected, headers=team.blue).status_code == 200
    outcomes = [
        {
            "tool_id": tools["SIEM"],
            "detection_level_id": levels["Alerted"],
            "detected_at": "2026-11-30T10:04:00+00:00",
            "rule_ref": "SIEM-77",
            "notes": "fired after 4 min",
        },
        {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
    ]
    assert client.put(f"{url}/detections", json=outcomes, headers=team.blue).status_code == 200
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    deleted = client.delete(
        f"/api/v1/defense-tools/{tools['NDR']}",
        headers={**admin_header, "If-Match": ndr.headers["ETag"]},
    )
    assert deleted.status_code == 204

    document = client.get(f"{API}/{mission['id']}/export?format=json", headers=team.lead).json
    table = client.get(f"{API}/{mission['id']}/export?format=csv", headers=team.lead)

    (exported,) = document["tests"]
    assert exported["category"] == "Day 1"
    assert exported["expected_tools"] == ["SIEM", "NDR (deleted)"]
    assert exported["tool_detections"] == [
        {
            "tool_id": tools["NDR"],
            "tool": "NDR",
            "tool_layer": "ndr",
            "tool_deleted": True,
            "detection_level": "Not detected",
            "detected_at": None,
            "rule_ref": None,
            "notes": None,
        },
        {
            "tool_id": tools["SIEM"],
            "tool": "SIEM",
            "tool_layer": "siem",
            "tool_deleted": False,
            "detection_level": "Alerted",
            "detected_at": "2026-11-30T10:04:00+00:00",
            "rule_ref": "SIEM-77",
            "notes": "fired after 4 min",
        },
    ]
    (row,) = csv.DictReader(io.StringIO(table.data.decode("utf-8-sig")))
    assert (row["category"], row["expected_tools"]) == ("Day 1", "SIEM; NDR (deleted)")
    outcomes = {key: value for key, value in row.items() if key.startswith(("NDR", "SIEM"))}
    assert outcomes == {
        "NDR (deleted) level": "Not detected",
        "NDR (deleted) detected_at": "",
        "NDR (deleted) rule": "",
        "NDR (deleted) notes": "",
        "SIEM level": "Alerted",
        "SIEM detected_at": "2026-11-30T10:04:00+00:00",
        "SIEM rule": "SIEM-77",
        "SIEM notes": "fired after 4 min",
    }
    # The printed report names the deleted tool as the SPA does.
    html = client.get(f"{API}/{mission['id']}/report", headers=team.lead).get_data(as_text=True)
    assert "<br>NDR (deleted): Not detected" in html


def test_the_csv_gives_each_tool_s_outcome_back_field_by_field(
    client, team, catalogue, mission, run, tools, levels, admin_header
):
    """The CSV joined a test's outcomes into one cell with "; ", so notes holding ";" (or
    commas, quotes, newlines) could not be split back. Each tool now has its column group:
    Python's csv module reads every outcome's fields back as recorded; a cell a spreadsheet
    would run as a formula still starts with an apostrophe, and a deleted tool and the live
    one that took its name keep their own columns."""
    first = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    second = run(mission, "Valid accounts", ["T1078"], state="waiting_blue")
    executed = {"executed_at": "2026-11-30T10:00:00+00:00"}
    url = f"{API}/{mission['id']}/tests/{first['id']}"
    assert client.patch(url, json=executed, headers=team.lead).status_code == 200
    edr_notes = 'Alert "EDR-4104"; triaged, closed\nSecond line; with, commas'
    recorded = {
        first["id"]: [
            {
                "tool_id": tools["EDR"],
                "detection_level_id": levels["Alerted"],
                "detected_at": "2026-11-30T10:04:00+00:00",
                "rule_ref": "EDR-4104; v2",
                "notes": edr_notes,
            },
            {
                "tool_id": tools["NDR"],
                "detection_level_id": levels["Logged"],
                "notes": '=HYPERLINK("http://x"); seen',
            },
        ],
        second["id"]: [
            {"tool_id": tools["SIEM"], "detection_level_id": levels["Not detected"]},
            {"tool_id": tools["NDR"], "detection_level_id": levels["Prevented"], "notes": ";"},
        ],
    }
    for test_id, outcomes in recorded.items():
        url = f"{API}/{mission['id']}/tests/{test_id}/detections"
        assert client.put(url, json=outcomes, headers=team.blue).status_code == 200
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    deleted = client.delete(
        f"/api/v1/defense-tools/{tools['NDR']}",
        headers={**admin_header, "If-Match": ndr.headers["ETag"]},
    )
    assert deleted.status_code == 204
    client.post("/api/v1/defense-tools", json={"name": "NDR", "layer": "ndr"}, headers=admin_header)

    table = client.get(f"{API}/{mission['id']}/export?format=csv", headers=team.lead)

    reader = csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"), newline=""))
    rows = {row["name"]: row for row in reader}
    assert [name for name in reader.fieldnames if name.endswith(" level")] == [
        "EDR level",
        "NDR (deleted) level",
        "SIEM level",
    ]
    assert {key: value for key, value in rows["Encoded PowerShell"].items() if " " in key} == {
        "EDR level": "Alerted",
        "EDR detected_at": "2026-11-30T10:04:00+00:00",
        "EDR rule": "EDR-4104; v2",
        "EDR notes": edr_notes,
        "NDR (deleted) level": "Logged",
        "NDR (deleted) detected_at": "",
        "NDR (deleted) rule": "",
        "NDR (deleted) notes": '\'=HYPERLINK("http://x"); seen',
        "SIEM level": "",
        "SIEM detected_at": "",
        "SIEM rule": "",
        "SIEM notes": "",
    }
    valid_accounts = rows["Valid accounts"]
    assert (valid_accounts["NDR (deleted) level"], valid_accounts["NDR (deleted) notes"]) == (
        "Prevented",
        ";",
    )
    assert (valid_accounts["SIEM level"], valid_accounts["EDR level"]) == ("Not detected", "")


def test_the_report_lists_the_evidence_files_of_each_test(
    client, team, catalogue, mission, run, add_test, evidence_dir
):
    """The printed report is what an auditor keeps: it names each live evidence file (its
    test, name, category, caption, size, uploader and SHA-256, to match the file kept
    elsewhere), never its content; a file deleted since is not listed."""
    first = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    second = add_test(mission["id"], "Valid accounts", mitre=tags("T1078"))

    def attach(test, headers, content, filename, **form):
        response = client.post(
            f"{API}/{mission['id']}/tests/{test['id']}/evidence",
            data={"file": (io.BytesIO(content), filename), **form},
            content_type="multipart/form-data",
            headers=headers,
        )
        assert response.status_code == 201, response.json
        return response.json

    shot = attach(second, team.red, PNG, "console.png", caption="EDR console <b>")
    log = attach(first, team.blue, b"4104 ScriptBlock logged\n" * 20, "edr.log", category="blue")
    gone = attach(first, team.blue, b"old\n", "old.log")
    deleted = client.delete(f"{API}/{mission['id']}/evidence/{gone['id']}", headers=team.blue)
    assert deleted.status_code == 204

    html = client.get(f"{API}/{mission['id']}/report", headers=team.viewer).get_data(as_text=True)

    assert "<h2>Evidence</h2>" in html
    evidence = html.split("<h2>Evidence</h2>", 1)[1]
    # In the tests' order (numbered as in the Tests table), each file once.
    assert evidence.index("edr.log") < evidence.index("console.png")
    assert "1 Encoded PowerShell" in evidence and "2 Valid accounts" in evidence
    assert log["sha256"] in evidence and shot["sha256"] in evidence
    assert "EDR console &lt;b&gt;" in evidence  # the caption is text
    assert f"{shot['size']} bytes" in evidence
    assert team_email(client, team.red) in evidence
    assert "old.log" not in html


def team_email(client, headers):
    return client.get("/api/v1/auth/me", headers=headers).json["email"]


def test_the_report_shows_each_tool_s_outcome_in_full(
    client, team, catalogue, mission, run, tools, levels
):
    """Each tool's rule reference, time of detection and notes (Markdown) are in the printed
    report, as in the CSV and JSON exports; it showed only "SIEM: Alerted"."""
    test = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    executed = {"executed_at": "2026-11-30T10:00:00+00:00"}
    assert client.patch(url, json=executed, headers=team.lead).status_code == 200
    outcomes = [
        {
            "tool_id": tools["SIEM"],
            "detection_level_id": levels["Alerted"],
            "detected_at": "2026-11-30T11:04:00+01:00",
            "rule_ref": "SIEM-77 <b>",
            "notes": "Fired after **4 min**; <script>x</script>",
        },
        {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
    ]
    response = client.put(f"{url}/detections", json=outcomes, headers=team.blue)
    assert response.status_code == 200, response.json

    html = client.get(f"{API}/{mission['id']}/report", headers=team.viewer).get_data(as_text=True)

    assert "NDR: Not detected<br>" in html
    assert "SIEM: Alerted, rule SIEM-77 &lt;b&gt;, detected 2026-11-30 10:04 UTC" in html
    assert "<strong>4 min</strong>" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html


def test_the_report_is_printable_html_with_user_text_escaped(client, team, mission, worked_example):
    test_id = worked_example["A"]
    client.patch(
        f"{API}/{mission['id']}/tests/{test_id}",
        json={
            "detection_notes": "<script>alert(1)</script>",
            "executed_at": "2026-11-30T09:15:42.123456+01:00",
            "detected_at": "2026-11-30T08:20:00Z",
            "source_host": "KALI-01",
            "target_host": "WS-042",
        },
        headers=team.lead,
    )

    response = client.get(f"{API}/{mission['id']}/report", headers=team.viewer)

    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="score">72.5</span>' in html
    assert "TA0002 Execution</td><td>83.3</td>" in html
    assert "T1059 Command and Scripting Interpreter — 83.3" in html  # a heatmap cell
    # Times as a reader wants them, in UTC; where the test ran from and to.
    assert "2026-11-30 08:15 UTC" in html and "2026-11-30 08:20 UTC<br>" in html
    assert "KALI-01 → WS-042<br>" in html
    assert "break-inside: avoid" in html and "<script" not in html
    assert client.get(f"{API}/{mission['id']}/report", headers=team.outsider).status_code == 404


def test_the_report_renders_markdown_fields_as_the_mission_page_does_and_safely(
    client, team, mission, worked_example
):
    # They were shown as their raw text ("**Scope**: …", "| Tool | Alert |").
    description = "**Scope**: the *finance* VLAN, ~~not~~ the DMZ.\n\n- ws-042\n- ws-043"
    red = "\n".join(
        [
            "Ran `whoami` first. <script>alert('red')</script>",
            "",
            "[runbook](https://wiki.example/runbook?a=1&b=2) and [click](javascript:alert(1))",
            'and [mixed](JaVaScRiPt:alert(1)) and <img src=x onerror="alert(1)">',
            "",
            "![the console](https://tracker.example/pixel.png)",
        ]
    )
    blue = "| Tool | Alert |\n|---|---|\n| EDR | <b>yes</b> |"
    mission_url = f"{API}/{mission['id']}"
    response = client.patch(mission_url, json={"description": description}, headers=team.lead)
    assert response.status_code == 200, response.json
    response = client.patch(
        f"{mission_url}/tests/{worked_example['A']}",
        json={"red_notes": red, "detection_notes": blue},
        headers=team.lead,
    )
    assert response.status_code == 200, response.json

    html = client.get(f"{mission_url}/report", headers=team.viewer).get_data(as_text=True)

    assert "<strong>Scope</strong>: the <em>finance</em> VLAN, <s>not</s> the DMZ." in html
    assert "<li>ws-042</li>" in html
    assert "<code>whoami</code>" in html
    assert (
        '<a href="https://wiki.example/runbook?a=1&amp;b=2" rel="noopener noreferrer">runbook</a>'
        in html
    )
    assert "<th>Tool</th>" in html and "<td>EDR</td>" in html
    # Raw HTML is text, unsafe links stay their Markdown, an image is a link (nothing fetched).
    assert "&lt;script&gt;alert('red')&lt;/script&gt;" in html
    assert "&lt;b&gt;yes&lt;/b&gt;" in html
    assert "[click](javascript:alert(1))" in html and "[mixed](JaVaScRiPt:alert(1))" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert (
        '<a href="https://tracker.example/pixel.png" rel="noopener noreferrer">'
        "Image: the console</a>" in html
    )
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered
    assert 'href="javascript' not in lowered


def test_the_report_numbers_tests_from_1_as_the_mission_page_does(
    client, team, mission, worked_example
):
    tests = client.get(f"{API}/{mission['id']}/tests", headers=team.viewer).json["items"]
    first = min(tests, key=lambda test: test["position"])
    assert first["position"] == 0

    html = client.get(f"{API}/{mission['id']}/report", headers=team.viewer).get_data(as_text=True)

    # The mission page shows position + 1: the first test is #1, the last #len(tests).
    assert f"<tr>\n<td>1</td>\n<td>{first['name']}" in html
    assert f"<tr>\n<td>{len(tests)}</td>\n<td>" in html
    assert "<tr>\n<td>0</td>" not in html


def test_the_report_names_the_organisation_of_its_setting(
    client, team, mission, worked_example, admin_header
):
    """docs/api.md says `organisation_name` is shown in reports; the report never read it."""
    url = f"{API}/{mission['id']}/report"
    unnamed = client.get(url, headers=team.viewer).get_data(as_text=True)
    response = client.put(
        "/api/v1/settings/organisation_name",
        json={"value": "ACME <b>Red</b> & Co"},
        headers=admin_header,
    )
    assert response.status_code == 200, response.json

    html = client.get(url, headers=team.viewer).get_data(as_text=True)

    name = "ACME &lt;b&gt;Red&lt;/b&gt; &amp; Co"
    assert f"<title>Purple week — coverage report — {name}</title>" in html
    assert f'<p class="meta">{name}</p><h1>Purple week</h1>' in html
    # Without a name (the default ""), nothing stands for it.
    assert "<title>Purple week — coverage report</title>" in unnamed
    assert "<body>\n<h1>Purple week</h1>" in unnamed


def test_the_report_names_states_as_the_mission_page_does(client, team, mission, worked_example):
    html = client.get(f"{API}/{mission['id']}/report", headers=team.viewer).get_data(as_text=True)

    assert "<td>Completed</td>" in html
    assert "<td>completed</td>" not in html


def test_the_report_counts_in_words_that_agree_with_the_numbers(
    client, team, catalogue, mission, run
):
    run(mission, "Valid accounts", ["T1078"], "Alerted")
    url = f"{API}/{mission['id']}/report"

    html = client.get(url, headers=team.viewer).get_data(as_text=True)

    assert "1 test counted (1 scored) out of\n1 run; 1 technique or sub-technique covered." in html
    assert f"Status: {mission['status'].capitalize()}" in html
    # A sub-technique's run covers its technique too: three covered.
    run(mission, "Encoded PowerShell", ["T1059.001"], "Prevented")
    html = client.get(url, headers=team.viewer).get_data(as_text=True)
    summary = "2 tests counted (2 scored) out of\n2 runs; 3 techniques and sub-techniques covered."
    assert summary in html


def retire_after_testing(app, run, mission):
    """Tests of T1047 and T1048, then a sync of a release that revokes T1047 (replaced by
    T1059.001) and deprecates T1048: the Navigator of that release knows neither."""
    live = [
        technique("T1047", "Windows Management Instrumentation", ["execution"]),
        technique("T1048", "Exfiltration Over Alternative Protocol", ["execution"]),
    ]
    sync(app, build_bundle(extra_objects=live))
    run(mission, "PowerShell", ["T1059.001"], "Alerted")  # 75
    run(mission, "WMI", ["T1047"], "Prevented")  # 100, counted as T1059.001
    run(mission, "Both", ["T1047", "T1059.001"], "Logged")  # 40, counted once
    run(mission, "Exfiltration", ["T1048"], "Not detected")  # left out
    retired = [
        technique("T1047", "Windows Management Instrumentation", ["execution"], revoked=True),
        revoked_by("attack-pattern", "T1047", "T1059.001"),
        technique("T1048", "Exfiltration", ["execution"], x_mitre_deprecated=True),
    ]
    sync(app, build_bundle(extra_objects=retired))


RETIRED_NOTE = (
    ". Tested techniques the synced ATT&CK release retired: T1047 (revoked) is counted as "
    "T1059.001; T1048 (deprecated) is left out."
)


def test_a_layer_lists_a_revoked_technique_under_its_replacement_and_leaves_deprecated_out(
    app, client, team, catalogue, mission, run
):
    retire_after_testing(app, run, mission)

    layer = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.blue).json

    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert set(entries) == {"T1059", "T1059.001"}
    # The three runs, scored as the mission's rules score them: (75 + 100 + 40) / 3.
    for attack_id in ("T1059.001", "T1059"):
        assert entries[attack_id]["score"] == 71.7
        assert entries[attack_id]["comment"] == "3 tests: 1 Prevented, 1 Alerted, 1 Logged"
    assert layer["description"] == f"Violet coverage of the mission {mission['name']}{RETIRED_NOTE}"
    assert layer_problems(layer, with_subtechniques={"T1059", "T1078", "T1566"}) == []
    # The API's own numbers are kept as tested (docs/coverage.md).
    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.blue).json
    assert {item["external_id"] for item in coverage["techniques"]} >= {"T1047", "T1048"}


def test_the_cross_mission_layer_takes_the_latest_of_a_revoked_technique_and_its_replacement(
    app, client, team, catalogue, mission, run
):
    retire_after_testing(app, run, mission)

    layer = client.get(
        "/api/v1/coverage/navigator-layer",
        query_string={"mission_ids": mission["id"]},
        headers=team.blue,
    ).json

    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert set(entries) == {"T1059", "T1059.001"}
    # The latest outcome of T1059.001 and T1047 together: "Both", completed last (Logged).
    assert entries["T1059.001"]["score"] == 40 and entries["T1059"]["score"] == 40
    assert layer["description"].endswith(RETIRED_NOTE)


def test_the_exports_tell_a_deleted_expected_tool_from_the_live_one_that_took_its_name(
    client, team, catalogue, mission, run, tools, levels, admin_header
):
    """A test expected NDR; NDR was retired and the new tool took its name, and only the new
    one saw the test. The CSV read "expected_tools: NDR" beside "NDR level: Alerted" (the new
    tool's) and "NDR (deleted) level" empty: the expected tool seemed to have alerted. An
    expected tool deleted since is named as its column group and the drawer name it."""
    test = run(mission, "Encoded PowerShell", ["T1059.001"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    expected = {"expected_tool_ids": [tools["NDR"], tools["SIEM"]]}
    assert client.patch(url, json=expected, headers=team.blue).status_code == 200
    ndr = client.get(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    deleted = client.delete(
        f"/api/v1/defense-tools/{tools['NDR']}",
        headers={**admin_header, "If-Match": ndr.headers["ETag"]},
    )
    assert deleted.status_code == 204
    new_ndr = client.post(
        "/api/v1/defense-tools", json={"name": "NDR", "layer": "ndr"}, headers=admin_header
    ).json["id"]
    outcome = [{"tool_id": new_ndr, "detection_level_id": levels["Alerted"]}]
    assert client.put(f"{url}/detections", json=outcome, headers=team.blue).status_code == 200

    document = client.get(f"{API}/{mission['id']}/export?format=json", headers=team.lead).json
    table = client.get(f"{API}/{mission['id']}/export?format=csv", headers=team.lead)

    assert document["tests"][0]["expected_tools"] == ["NDR (deleted)", "SIEM"]
    (row,) = csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"), newline=""))
    assert row["expected_tools"] == "NDR (deleted); SIEM"
    assert row["NDR level"] == "Alerted"
