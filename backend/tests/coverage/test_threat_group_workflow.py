"""A purple team preparing for APT29 (G0016) and Lazarus (G0032) with the real ATT&CK v18.1
bundle, end to end over the API: find the group, plan a mission from it, run and score the
tests in two missions (one archived), then read the group's coverage and its Navigator layer
and plan from that layer. Every figure is computed by hand from the bundle (skipped when it is
absent)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.coverage.conftest import tags
from tests.mitre.test_full_attack import BUNDLE, sync_real_bundle
from violet.coverage.navigator import layer_problems, planned_techniques
from violet.extensions import db
from violet.mitre.models import MitreSubtechnique, MitreTactic, MitreTechnique

pytestmark = [
    pytest.mark.full_attack,
    pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})"),
]

API = "/api/v1/missions"
# ATT&CK v18.1's APT29: 17 techniques and 49 sub-techniques, through live `uses` relationships.
APT29 = [
    "T1003.002",
    "T1003.004",
    "T1005",
    "T1016.001",
    "T1021.007",
    "T1027.001",
    "T1027.002",
    "T1027.006",
    "T1036.005",
    "T1037",
    "T1037.004",
    "T1047",
    "T1053.005",
    "T1059.001",
    "T1059.006",
    "T1059.009",
    "T1068",
    "T1070.004",
    "T1070.006",
    "T1078",
    "T1078.003",
    "T1078.004",
    "T1087.004",
    "T1090.002",
    "T1090.003",
    "T1090.004",
    "T1098.002",
    "T1098.005",
    "T1105",
    "T1110.001",
    "T1110.003",
    "T1114.002",
    "T1133",
    "T1136.003",
    "T1190",
    "T1199",
    "T1203",
    "T1204.001",
    "T1204.002",
    "T1218.005",
    "T1505.003",
    "T1528",
    "T1546.003",
    "T1546.008",
    "T1547.001",
    "T1548.002",
    "T1550.003",
    "T1553.005",
    "T1556.007",
    "T1562.008",
    "T1566.001",
    "T1566.002",
    "T1566.003",
    "T1568",
    "T1573",
    "T1583.006",
    "T1586.002",
    "T1586.003",
    "T1587.001",
    "T1587.003",
    "T1588.002",
    "T1595.002",
    "T1621",
    "T1649",
    "T1651",
    "T1665",
]


@pytest.fixture
def attack(app) -> None:
    sync_real_bundle(app)


@pytest.fixture
def outcome(client, team, tools, levels):
    """`outcome(mission, test, at, level=… | tools={"EDR": level})`: red runs the test at `at`,
    blue records the level (directly or per tool, detected at `at`), the lead completes it."""

    def record(mission, test, at, level=None, tools_levels=None) -> dict[str, Any]:
        url = f"{API}/{mission['id']}/tests/{test['id']}"
        for body in ({"state": "in_progress"}, {"state": "waiting_blue"}):
            assert client.patch(url, json=body, headers=team.red).status_code == 200
        times = {"executed_at": at, "detected_at": at}
        assert client.patch(url, json=times, headers=team.lead).status_code == 200
        if tools_levels:
            body = [
                {"tool_id": tools[tool], "detection_level_id": levels[name], "detected_at": at}
                for tool, name in tools_levels.items()
            ]
            response = client.put(f"{url}/detections", json=body, headers=team.blue)
        else:
            body = {"detection_level_id": levels[level]}
            response = client.patch(url, json=body, headers=team.blue)
        assert response.status_code == 200, response.json
        response = client.patch(url, json={"state": "completed"}, headers=team.lead)
        assert response.status_code == 200, response.json
        return response.json

    return record


def layer_check(layer: dict) -> list[str]:
    """Violet's own strict check of what it writes, against the synced catalogue."""
    with_subtechniques = set(
        db.session.scalars(
            select(MitreTechnique.external_id).join(
                MitreSubtechnique, MitreSubtechnique.technique_id == MitreTechnique.id
            )
        )
    )
    return layer_problems(
        layer,
        tactic_shortnames=set(db.session.scalars(select(MitreTactic.shortname))),
        with_subtechniques=with_subtechniques,
    )


def test_finding_apt29_and_lazarus_in_the_catalogue(client, team, attack):
    def found(q: str) -> list[str]:
        response = client.get("/api/v1/mitre/groups", query_string={"q": q}, headers=team.viewer)
        assert response.status_code == 200, response.json
        return [group["external_id"] for group in response.json["items"]]

    for q in ("apt29", "COZY BEAR", "midnight blizzard", "g0016", "NOBELIUM"):
        assert found(q) == ["G0016"]
    for q in ("Lazarus", "hidden cobra", "Diamond Sleet", "G0032"):
        assert found(q) == ["G0032"]
    apt29 = client.get("/api/v1/mitre/groups/g0016", headers=team.viewer).json
    assert [item["external_id"] for item in apt29["techniques"]] == APT29
    # A sub-technique takes its technique's tactics: Cloud Accounts is in four.
    cloud = next(item for item in apt29["techniques"] if item["external_id"] == "T1078.004")
    assert [tactic["external_id"] for tactic in cloud["tactics"]] == [
        "TA0001",
        "TA0003",
        "TA0004",
        "TA0005",
    ]


def test_planning_scoring_and_the_layer_of_apt29(
    client, admin_header, team, attack, make_mission, add_test, outcome
):
    library = {}
    for name, attack_ids in (
        ("PowerShell cradle", ["T1059.001"]),
        ("WMI exec", ["T1047"]),
        ("Cradle then WMI", ["T1059.001", "T1047"]),
        ("Valid accounts", ["T1078"]),
        ("Cloud accounts", ["T1078.004"]),
        ("Spearphishing link", ["T1566.002"]),
        ("Interpreter", ["T1059"]),  # APT29 uses T1059.001, not T1059
    ):
        response = client.post(
            "/api/v1/test-templates",
            json={"name": name, "mitre": tags(*attack_ids)},
            headers=admin_header,
        )
        assert response.status_code == 201, response.json
        library[name] = response.json["id"]
    q1 = make_mission("APT29 Q1")
    url = f"{API}/{q1['id']}/tests"
    copied = {"test_template_id": library["WMI exec"]}
    assert client.post(url, json=copied, headers=team.lead).status_code == 201
    add_test(q1["id"], "Phishing attachment", mitre=tags("T1566.001"))

    preview = client.post(
        f"{url}/from-group", json={"group": "G0016", "dry_run": True}, headers=team.lead
    )
    done = client.post(f"{url}/from-group", json={"group": "G0016"}, headers=team.lead)
    again = client.post(f"{url}/from-group", json={"group": "G0016"}, headers=team.lead)

    # 66 ids: T1566.001 is covered already; T1047's WMI exec is in the mission, its other
    # template is added; 5 ids from the library, the other 60 as bare tests.
    assert (preview.json["from_library"], preview.json["bare"]) == (5, 60)
    assert [(item["external_id"], item["name"]) for item in preview.json["added"][:2]] == [
        ("T1003.002", "T1003.002 Security Account Manager"),
        ("T1003.004", "T1003.004 LSA Secrets"),
    ]
    assert preview.json["skipped"] == [
        {"external_id": "T1566.001", "reason": "A test of the mission already covers it."}
    ]
    assert done.json["added"] == [
        {**item, "test_id": added["test_id"]}
        for item, added in zip(preview.json["added"], done.json["added"], strict=True)
    ]
    assert (again.json["added"], len(again.json["skipped"])) == ([], 66)
    tests = client.get(url, query_string={"limit": 200}, headers=team.lead).json["items"]
    assert len(tests) == 67
    named = {test["name"]: test for test in tests}
    assert "Interpreter" not in named

    outcome(q1, named["PowerShell cradle"], "2026-01-10T10:00:00+00:00",
            tools_levels={"EDR": "Alerted", "SIEM": "Logged"})  # fmt: skip
    outcome(q1, named["Cradle then WMI"], "2026-01-11T10:00:00+00:00",
            tools_levels={"EDR": "Prevented"})  # fmt: skip
    wmi = outcome(q1, named["WMI exec"], "2026-01-12T10:00:00+00:00",
                  tools_levels={"EDR": "Not detected"})  # fmt: skip
    retest = client.post(f"{url}/{wmi['id']}/retest", headers=team.lead).json
    outcome(q1, named["Valid accounts"], "2026-01-13T10:00:00+00:00", "Not applicable")
    outcome(q1, named["Cloud accounts"], "2026-01-14T10:00:00+00:00", "Logged")
    phishing = outcome(q1, named["Phishing attachment"], "2026-01-15T10:00:00+00:00",
                       tools_levels={"EDR": "Alerted", "NDR": "Not detected"})  # fmt: skip
    # A retest not run yet: the Alerted run still counts.
    assert client.post(f"{url}/{phishing['id']}/retest", headers=team.lead).status_code == 201
    outcome(q1, named["T1003.002 Security Account Manager"], "2026-01-16T10:00:00+00:00",
            "Not detected")  # fmt: skip
    outcome(q1, retest, "2026-01-20T10:00:00+00:00", tools_levels={"EDR": "Logged"})
    started = {"state": "in_progress"}
    local = named["T1005 Data from Local System"]
    assert client.patch(f"{url}/{local['id']}", json=started, headers=team.red).status_code == 200
    q2 = make_mission("APT29 Q2")
    for name, attack_id, at, level in (
        ("PowerShell again", "T1059.001", "2026-04-01T10:00:00+00:00", "Not detected"),
        ("Valid accounts again", "T1078", "2026-04-02T10:00:00+00:00", "Prevented"),
        ("Interpreter", "T1059", "2026-04-03T10:00:00+00:00", "Prevented"),
        ("Local accounts", "T1078.003", "2026-04-06T10:00:00+00:00", "Not applicable"),
    ):
        outcome(q2, add_test(q2["id"], name, mitre=tags(attack_id)), at, level)
    archived = {"status": "archived"}
    assert client.patch(f"{API}/{q1['id']}", json=archived, headers=team.lead).status_code == 200

    def coverage(*missions):
        query = {"mission_ids": ",".join(mission["id"] for mission in missions)} if missions else {}
        response = client.get(
            "/api/v1/coverage/groups/G0016", query_string=query, headers=team.viewer
        )
        assert response.status_code == 200, response.json
        body = response.json
        tested = {
            item["external_id"]: item["score"] for item in body["techniques"] if item["tested"]
        }
        return body["techniques_total"], body["score"], body["tested_score"], tested

    # Across both: T1059.001's latest is Q2's Not detected; T1047's the retest's Logged; T1078's
    # the latest of its own and its sub-techniques' runs, T1078.003's Not applicable, so T1078
    # and T1078.003 are in neither mean: (0 + 40 + 0 + 40 + 75) / 64 and / 5. T1059 (Q2) is
    # not APT29's; T1005 is in progress.
    assert coverage() == (
        66,
        2.4,
        31.0,
        {
            "T1003.002": 0.0,
            "T1047": 40.0,
            "T1059.001": 0.0,
            "T1078": None,
            "T1078.003": None,
            "T1078.004": 40.0,
            "T1566.001": 75.0,
        },
    )
    # The archived Q1 alone: T1059.001 by its later run (Prevented), T1078 by T1078.004's
    # Logged, later than its own Not applicable: 295 / 66 and 295 / 6.
    assert coverage(q1) == (
        66,
        4.5,
        49.2,
        {
            "T1003.002": 0.0,
            "T1047": 40.0,
            "T1059.001": 100.0,
            "T1078": 40.0,
            "T1078.004": 40.0,
            "T1566.001": 75.0,
        },
    )

    response = client.get(
        "/api/v1/coverage/groups/G0016/navigator-layer",
        query_string={"mission_ids": q1["id"]},
        headers=team.viewer,
    )
    layer = response.json
    assert layer_check(layer) == []
    entries = [item for item in layer["techniques"] if "comment" in item]
    # One entry per technique and tactic of the group (89), tested or not.
    assert sorted({item["techniqueID"] for item in entries}) == APT29 and len(entries) == 89
    scored = {(item["techniqueID"], item.get("score"), item["color"]) for item in entries}
    assert {item for item in scored if item[1] is not None} == {
        ("T1003.002", 0.0, "#c92a2a"),
        ("T1047", 40.0, "#e67700"),
        ("T1059.001", 100.0, "#2b8a3e"),
        ("T1078", 40.0, "#e67700"),
        ("T1078.004", 40.0, "#e67700"),
        ("T1566.001", 75.0, "#1864ab"),
    }
    untested = [item for item in entries if "score" not in item]
    assert {(item["color"], item["comment"]) for item in untested} == {("#ffd8a8", "Not tested")}
    # The 30 techniques of sub-techniques APT29 uses without them only open expanded.
    expanded = {item["techniqueID"] for item in layer["techniques"] if "comment" not in item}
    assert expanded == {
        attack_id.split(".")[0] for attack_id in APT29 if attack_id.split(".")[0] not in APT29
    }
    assert len(expanded) == 30

    # Planning from the layer plans exactly the group's techniques, as planning from the group:
    # T1078, whose latest outcome in Q1 is T1078.004's, too (it was skipped as a roll-up).
    q3 = make_mission("APT29 Q3")

    def plan(path: str, **body: Any) -> list[tuple[str, str]]:
        response = client.post(
            f"{API}/{q3['id']}/tests/{path}", json={"dry_run": True, **body}, headers=team.lead
        )
        assert response.status_code == 200, response.json
        return [(item["external_id"], item["name"]) for item in response.json["added"]]

    from_group = plan("from-group", group="G0016")
    assert sorted(set(planned_techniques(layer))) == APT29
    assert plan("from-layer", layer=layer) == from_group
    assert ("T1078", "Valid accounts") in from_group
    # At most Logged: the ones to retest; untested ones have no score, so no bound keeps them.
    assert plan("from-layer", layer=layer, max_score=40) == [
        ("T1003.002", "T1003.002 Security Account Manager"),
        ("T1047", "Cradle then WMI"),
        ("T1047", "WMI exec"),
        ("T1078", "Valid accounts"),
        ("T1078.004", "Cloud accounts"),
    ]


def test_lazarus_counts_a_technique_and_its_sub_techniques_each(
    client, team, attack, make_mission, add_test, outcome
):
    """Lazarus uses T1070 and T1070.004 (not T1070.002), T1218 and T1218.011, T1560 and
    T1560.002, and not T1059 itself."""
    mission = make_mission("Lazarus week")
    for name, attack_ids, at, level in (
        ("Delete and clear", ["T1070", "T1070.004"], "2026-02-01T10:00:00+00:00", "Alerted"),
        ("Rundll32", ["T1218.011"], "2026-02-02T10:00:00+00:00", "Logged"),
        ("Archive", ["T1560"], "2026-02-03T10:00:00+00:00", "Prevented"),
        ("Archive via library", ["T1560.002"], "2026-02-04T10:00:00+00:00", "Not applicable"),
        ("Interpreter", ["T1059"], "2026-02-05T10:00:00+00:00", "Prevented"),
        ("Clear Linux logs", ["T1070.002"], "2026-02-06T10:00:00+00:00", "Not detected"),
    ):
        outcome(mission, add_test(mission["id"], name, mitre=tags(*attack_ids)), at, level)

    body = client.get("/api/v1/coverage/groups/G0032", headers=team.viewer).json

    tested = {item["external_id"]: item["score"] for item in body["techniques"] if item["tested"]}
    # T1070's latest is T1070.002's (not Lazarus's, but rolled up); T1560's is T1560.002's Not
    # applicable. Scored: 0 + 75 + 40 + 40 over 93 - 2 techniques, and over 4.
    assert tested == {
        "T1070": 0.0,
        "T1070.004": 75.0,
        "T1218": 40.0,
        "T1218.011": 40.0,
        "T1560": None,
        "T1560.002": None,
    }
    assert (body["techniques_total"], body["techniques_tested"]) == (93, 6)
    assert (body["score"], body["tested_score"]) == (1.7, 38.8)
    layer = client.get("/api/v1/coverage/groups/G0032/navigator-layer", headers=team.viewer).json
    assert layer_check(layer) == []
    url = f"{API}/{make_mission('Lazarus retest')['id']}/tests"
    from_group = client.post(
        f"{url}/from-group", json={"group": "G0032", "dry_run": True}, headers=team.lead
    ).json
    from_layer = client.post(
        f"{url}/from-layer", json={"layer": layer, "dry_run": True}, headers=team.lead
    ).json
    assert len(from_group["added"]) == 93
    assert from_layer["added"] == from_group["added"]
