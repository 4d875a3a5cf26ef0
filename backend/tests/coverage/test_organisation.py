"""The organisation's latest outcome per technique across missions, and how it covers a
threat group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.missions.conftest import sync
from tests.mitre.bundle import (
    build_bundle,
    find,
    group,
    retired_groups,
    revoked_by,
    subtechnique_of,
    technique,
    uses,
)
from violet.coverage.navigator import layer_problems

# A threat group using a technique, a sub-technique and a sub-technique of another technique.
APT29 = [
    group("G0016", "APT29", ["Cozy Bear"]),
    uses("G0016", "T1059"),
    uses("G0016", "T1078.001"),
    uses("G0016", "T1566.001"),
]


@pytest.fixture
def two_missions(client, team, catalogue, make_mission, run):
    """Q1 then Q2; T1059 detected later in Q2 (Prevented) than in Q1 (Logged)."""
    first, second = make_mission("Q1"), make_mission("Q2")
    outcomes = [
        (first, "T1059.001", "Logged", "2026-01-10T10:00:00+00:00"),
        (first, "T1078", "Alerted", "2026-01-11T10:00:00+00:00"),
        (second, "T1059", "Prevented", "2026-04-02T10:00:00+00:00"),
        (second, "T1566.001", "Not detected", "2026-04-03T10:00:00+00:00"),
    ]
    for mission, attack_id, level, detected_at in outcomes:
        test = run(mission, attack_id, [attack_id], state="waiting_blue")
        url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}"
        # Executed then too: a detection is never before its execution.
        response = client.patch(
            url,
            json={"executed_at": detected_at, "detected_at": detected_at},
            headers=team.lead,
        )
        assert response.status_code == 200, response.json
        run(mission, attack_id, [], level, test=test, already="waiting_blue")
    return first, second


def test_latest_outcome_per_technique_across_missions(client, team, two_missions, levels):
    first, second = two_missions

    response = client.get("/api/v1/coverage", headers=team.viewer)

    assert response.status_code == 200, response.json
    latest = {item["external_id"]: item for item in response.json["techniques"]}
    assert {key: (item["mission_name"], item["score"]) for key, item in latest.items()} == {
        "T1059": ("Q2", 100.0),  # Q2's run is later than Q1's T1059.001 run
        "T1059.001": ("Q1", 40.0),
        "T1078": ("Q1", 75.0),
        "T1566": ("Q2", 0.0),
        "T1566.001": ("Q2", 0.0),
    }
    assert latest["T1059"]["detection_level_id"] == levels["Prevented"]
    assert response.json["score"] == 58.3  # techniques: (100 + 75 + 0) / 3


def test_mission_ids_narrow_and_a_hidden_one_is_404(client, team, two_missions, make_mission):
    first, _ = two_missions
    theirs = make_mission("Theirs", headers=team.outsider)

    only_first = client.get(
        "/api/v1/coverage", query_string={"mission_ids": first["id"]}, headers=team.lead
    )
    hidden = client.get(
        "/api/v1/coverage",
        query_string={"mission_ids": f"{first['id']},{theirs['id']}"},
        headers=team.lead,
    )
    bad = client.get("/api/v1/coverage", query_string={"mission_ids": "nope"}, headers=team.lead)

    assert {item["external_id"] for item in only_first.json["techniques"]} == {
        "T1059",
        "T1059.001",
        "T1078",
    }
    assert hidden.status_code == 404
    assert bad.status_code == 422
    outsider = client.get("/api/v1/coverage", headers=team.outsider).json
    assert outsider["techniques"] == []  # sees only their own (empty) mission


def test_a_hidden_or_deleted_mission_among_several_is_named(
    client, team, two_missions, make_mission
):
    # A saved link or a script's list of ids: the 404 says which one to drop.
    first, second = two_missions
    theirs = make_mission("Theirs", headers=team.outsider)
    url = f"/api/v1/missions/{second['id']}"
    assert client.delete(url, headers={**team.lead, "If-Match": "*"}).status_code == 204
    ids = f"{first['id']},{theirs['id']},{second['id']}"

    for path in ("/api/v1/coverage", "/api/v1/coverage/navigator-layer"):
        response = client.get(path, query_string={"mission_ids": ids}, headers=team.lead)

        assert response.status_code == 404
        message = f"No such mission: {theirs['id']}, {second['id']}."
        assert response.json["detail"] == message
        assert response.json["errors"] == {"mission_ids": [message]}


def test_mission_ids_given_twice_are_422_not_the_first_alone(client, team, two_missions):
    """Clients that send a list by repeating its key got the first mission's coverage, as if it
    were across both."""
    first, second = two_missions
    twice = f"mission_ids={first['id']}&mission_ids={second['id']}"

    for url in ("/api/v1/coverage", "/api/v1/coverage/navigator-layer"):
        response = client.get(f"{url}?{twice}", headers=team.lead)
        assert response.status_code == 422, response.json
        assert response.mimetype == "application/problem+json"
        assert "commas" in response.json["errors"]["mission_ids"][0]
    both = client.get(
        f"/api/v1/coverage?mission_ids={first['id']},{second['id']}", headers=team.lead
    )
    assert both.status_code == 200 and len(both.json["mission_ids"]) == 2
    listed = client.get("/api/v1/missions?q=Q1&q=Q2", headers=team.lead)
    assert listed.status_code == 422 and "q" in listed.json["errors"]


def test_group_coverage(app, client, team, two_missions):
    sync(app, build_bundle(extra_objects=APT29))

    response = client.get("/api/v1/coverage/groups/g0016", headers=team.viewer)
    unknown = client.get("/api/v1/coverage/groups/G9999", headers=team.viewer)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["group"]["name"] == "APT29"
    assert (body["techniques_total"], body["techniques_tested"]) == (3, 2)
    assert [
        (item["external_id"], item["tested"], item["score"]) for item in body["techniques"]
    ] == [
        ("T1059", True, 100.0),
        ("T1078.001", False, None),
        ("T1566.001", True, 0.0),
    ]
    assert body["score"] == 33.3 and body["tested_score"] == 50.0
    assert unknown.status_code == 404


def test_group_coverage_of_a_retired_group_is_404_saying_why(app, client, team, two_missions):
    # As an unknown group is; it was a 200 with no technique and no score.
    sync(app, build_bundle(extra_objects=retired_groups()))

    revoked = client.get("/api/v1/coverage/groups/G0074", headers=team.viewer)
    deprecated = client.get("/api/v1/coverage/groups/G0014", headers=team.viewer)

    assert revoked.status_code == 404
    assert revoked.json["detail"] == (
        "ATT&CK group G0074 (Dragonfly 2.0) is revoked in the synced ATT&CK release: it was "
        "replaced by G0035 (Dragonfly); use that group."
    )
    assert deprecated.status_code == 404 and "deprecated" in deprecated.json["detail"]
    replacement = client.get("/api/v1/coverage/groups/G0035", headers=team.viewer)
    assert replacement.status_code == 200 and replacement.json["techniques_total"] == 1


def test_group_score_leaves_out_a_technique_whose_latest_outcome_is_not_applicable(
    app, client, team, two_missions, make_mission, run
):
    sync(app, build_bundle(extra_objects=APT29))
    run(make_mission("Q3"), "T1078.001", ["T1078.001"], "Not applicable")

    body = client.get("/api/v1/coverage/groups/G0016", headers=team.viewer).json

    scores = {item["external_id"]: (item["tested"], item["score"]) for item in body["techniques"]}
    assert scores["T1078.001"] == (True, None)
    assert (body["techniques_total"], body["techniques_tested"]) == (3, 3)
    # T1059 100 and T1566.001 0; T1078.001 (Not applicable) in neither mean (it was 33.3).
    assert body["score"] == 50.0 and body["tested_score"] == 50.0


def test_the_cross_mission_layer_carries_the_latest_outcomes(client, team, two_missions):
    first, _ = two_missions

    response = client.get("/api/v1/coverage/navigator-layer", headers=team.viewer)
    narrowed = client.get(
        "/api/v1/coverage/navigator-layer",
        query_string={"mission_ids": first["id"]},
        headers=team.viewer,
    )

    assert response.status_code == 200, response.json
    assert "attachment" in response.headers["Content-Disposition"]
    layer = response.json
    shortnames = {"initial-access", "execution", "persistence"}
    with_subtechniques = {"T1059", "T1078", "T1566"}  # every technique of the test catalogue
    assert (
        layer_problems(layer, tactic_shortnames=shortnames, with_subtechniques=with_subtechniques)
        == []
    )
    assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
    entries = {(item["techniqueID"], item["tactic"]): item for item in layer["techniques"]}
    assert {key: item.get("score") for key, item in entries.items()} == {
        ("T1059", "execution"): 100.0,  # Q2's later run
        ("T1059.001", "execution"): 40.0,
        ("T1078", "initial-access"): 75.0,
        ("T1078", "persistence"): 75.0,
        ("T1566", "initial-access"): 0.0,
        ("T1566.001", "initial-access"): 0.0,
    }
    assert entries[("T1059", "execution")]["comment"] == "1 test: 1 Prevented"
    assert entries[("T1059", "execution")]["showSubtechniques"] is True
    assert {item["techniqueID"] for item in narrowed.json["techniques"]} == {
        "T1059",
        "T1059.001",
        "T1078",
    }
    # Whether a technique's latest outcome is one of its sub-techniques' (planning skips it).
    rolled_up = {"name": "Rolled up from", "value": "T1566.001"}
    assert rolled_up in entries[("T1566", "initial-access")]["metadata"]
    assert not any(
        item["name"] == "Rolled up from" for item in entries[("T1059", "execution")]["metadata"]
    )
    narrowed_parent = next(
        item for item in narrowed.json["techniques"] if item["techniqueID"] == "T1059"
    )
    assert {"name": "Rolled up from", "value": "T1059.001"} in narrowed_parent["metadata"]


def test_the_cross_mission_layer_colours_a_technique_by_its_latest_outcomes_level(
    client, team, two_missions, admin_header, run
):
    """Two levels may share a score. The layer across missions carries the colour of the latest
    outcome's level (docs/coverage.md, as the Coverage page draws it), not that of another
    level of the same score: "Alerted by the SOC" was drawn in Alerted's blue."""
    _, second = two_missions
    created = client.post(
        "/api/v1/detection-levels",
        json={"name": "Alerted by the SOC", "score": 75, "color": "#7048e8"},
        headers=admin_header,
    )
    assert created.status_code == 201, created.json
    soc = run(second, "SOC", ["T1078.001"], state="waiting_blue")
    url = f"/api/v1/missions/{second['id']}/tests/{soc['id']}"
    body = {"state": "completed", "detection_level_id": created.json["id"]}
    assert client.patch(url, json=body, headers=team.lead).status_code == 200

    coverage = client.get("/api/v1/coverage", headers=team.viewer).json
    layer = client.get("/api/v1/coverage/navigator-layer", headers=team.viewer).json

    latest = {item["external_id"]: item for item in coverage["techniques"]}
    assert latest["T1078.001"]["detection_level_id"] == created.json["id"]
    entries = {(item["techniqueID"], item["tactic"]): item for item in layer["techniques"]}
    for tactic in ("initial-access", "persistence"):
        entry = entries[("T1078.001", tactic)]
        assert (entry["score"], entry["color"]) == (75.0, "#7048e8")
        assert entry["comment"] == "1 test: 1 Alerted by the SOC"
        # T1078's latest outcome is the same run.
        assert entries[("T1078", tactic)]["color"] == "#7048e8"
    # Levels of distinct scores keep their own colours.
    assert entries[("T1059", "execution")]["color"] == "#2b8a3e"  # Prevented


def test_the_cross_mission_layer_refuses_hidden_and_malformed_missions(
    client, team, two_missions, make_mission
):
    theirs = make_mission("Theirs", headers=team.outsider)
    url = "/api/v1/coverage/navigator-layer"

    hidden = client.get(url, query_string={"mission_ids": theirs["id"]}, headers=team.lead)
    bad = client.get(url, query_string={"mission_ids": "nope"}, headers=team.lead)

    assert hidden.status_code == 404
    assert bad.status_code == 422 and "mission_ids.0" in bad.json["errors"]
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("path", ["", "/navigator-layer"])
def test_cross_mission_coverage_is_a_constant_number_of_statements(
    client, team, two_missions, make_mission, run, count_statements, path
):
    url = f"/api/v1/coverage{path}"
    with count_statements() as few:
        assert client.get(url, headers=team.lead).status_code == 200
    for number in range(6):
        run(make_mission(f"More {number}"), f"more {number}", ["T1078", "T1566.001"], "Alerted")
    with count_statements() as many:
        assert client.get(url, headers=team.lead).status_code == 200

    assert many.count == few.count


def test_a_retest_chain_counts_by_its_latest_completed_run_across_missions(
    client, team, catalogue, make_mission, run
):
    """A completed retest replaces its run; a pending one leaves the completed run counting.
    Either way the chain's run is compared with the single runs of other missions."""
    first, second = make_mission("First"), make_mission("Second")

    def retest(mission, test):
        url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}/retest"
        response = client.post(url, headers=team.red)
        assert response.status_code == 201, response.json
        return response.json

    run(second, "T1059 elsewhere", ["T1059"], "Not detected")
    logged = run(first, "T1059 first run", ["T1059.001"], state="waiting_blue")
    # Detected later than anything else (minutes ahead, as far as a clock may run ahead): still
    # replaced by its completed retest.
    url = f"/api/v1/missions/{first['id']}/tests/{logged['id']}"
    later = {"detected_at": (datetime.now(UTC) + timedelta(minutes=4)).isoformat()}
    assert client.patch(url, json=later, headers=team.blue).status_code == 200
    run(first, "", [], "Logged", test=logged, already="waiting_blue")
    replaced = run(first, "T1059 retest", [], "Prevented", test=retest(first, logged))
    alerted = run(second, "T1078 run", ["T1078"], "Alerted")
    retest(second, alerted)  # left pending

    response = client.get("/api/v1/coverage", headers=team.viewer)

    assert response.status_code == 200, response.json
    latest = {item["external_id"]: item for item in response.json["techniques"]}
    assert {key: (item["test_id"], item["score"]) for key, item in latest.items()} == {
        "T1059": (replaced["id"], 100.0),  # the retest, completed after Second's run
        "T1059.001": (replaced["id"], 100.0),
        "T1078": (alerted["id"], 75.0),  # its retest is pending
    }


# Groups of the release that revoked T1086 (PowerShell) for T1059.001 and deprecated T1064
# (Scripting): one uses the replacement, one its technique, one neither.
GROUPS_AFTER_RETIREMENT = [
    group("G0016", "APT29", ["Cozy Bear"]),
    uses("G0016", "T1059.001"),
    uses("G0016", "T1078"),
    uses("G0016", "T1566.001"),
    group("G0007", "APT28", ["Fancy Bear"]),
    uses("G0007", "T1059"),
    group("G0008", "Carbanak", ["Anunak"]),
    uses("G0008", "T1078"),
    uses("G0008", "T1566.001"),
]


def release_before_retirement() -> dict:
    """The test bundle as an older release had it: T1086 and T1064 live."""
    bundle = build_bundle()
    del find(bundle, "T1086")["revoked"]
    del find(bundle, "T1064")["x_mitre_deprecated"]
    bundle["objects"] = [
        item for item in bundle["objects"] if item.get("relationship_type") != "revoked-by"
    ]
    return bundle


def group_rows(client, team, group_id):
    response = client.get(f"/api/v1/coverage/groups/{group_id}", headers=team.viewer)
    assert response.status_code == 200, response.json
    body = response.json
    rows = {
        item["external_id"]: (
            item["score"],
            item["test_id"],
            item["revoked_ids"],
            item["outcome_revoked_id"],
        )
        for item in body["techniques"]
    }
    return body, rows


def test_group_coverage_counts_a_revoked_techniques_tests_for_its_replacement(
    app, client, team, make_mission, outcome
):
    """A team that tested T1086 (PowerShell) before ATT&CK revoked it for T1059.001 has
    covered T1059.001: APT29's T1059.001 showed as untested, or as an older outcome."""
    sync(app, release_before_retirement())
    old, recent = make_mission("2019 exercise"), make_mission("2026 Q1")
    own = outcome(old, ["T1059.001"], "Prevented", "2018-05-01T10:00:00+00:00")
    powershell = outcome(old, ["T1086"], "Alerted", "2019-06-01T10:00:00+00:00")
    # Scripting, deprecated since: counts for nothing, however recent.
    outcome(recent, ["T1064"], "Prevented", "2025-01-01T10:00:00+00:00")
    accounts = outcome(recent, ["T1078"], "Logged", "2026-01-11T10:00:00+00:00")
    sync(app, build_bundle(extra_objects=GROUPS_AFTER_RETIREMENT))

    body, rows = group_rows(client, team, "G0016")

    # T1086's run (2019, Alerted) is later than T1059.001's own (2018, Prevented).
    assert rows == {
        "T1059.001": (75.0, powershell["id"], ["T1086"], "T1086"),
        "T1078": (40.0, accounts["id"], [], None),
        "T1566.001": (None, None, [], None),
    }
    assert (body["techniques_tested"], body["techniques_total"]) == (2, 3)
    assert body["score"] == 38.3 and body["tested_score"] == 57.5  # (75 + 40 + 0) / 3
    # T1059 rolls its sub-technique up, replacement included; T1064 is not T1059's.
    _, rows = group_rows(client, team, "G0007")
    assert rows == {"T1059": (75.0, powershell["id"], ["T1086"], "T1086")}
    # A group using neither the replacement nor its technique is as it was.
    body, rows = group_rows(client, team, "G0008")
    assert rows == {
        "T1078": (40.0, accounts["id"], [], None),
        "T1566.001": (None, None, [], None),
    }
    assert body["score"] == 20.0
    # The same outcome as the cross-mission layer gives the replacement.
    layer = client.get("/api/v1/coverage/navigator-layer", headers=team.viewer).json
    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert entries["T1059.001"]["score"] == 75 and entries["T1059"]["score"] == 75
    assert own["id"] != powershell["id"]

    # A later test of T1059.001 itself is the latest of them all.
    latest = outcome(
        make_mission("2026 Q2"), ["T1059.001"], "Not detected", "2026-04-01T10:00:00+00:00"
    )

    body, rows = group_rows(client, team, "G0016")
    assert rows["T1059.001"] == (0.0, latest["id"], ["T1086"], None)
    assert body["score"] == 13.3 and body["tested_score"] == 20.0
    _, rows = group_rows(client, team, "G0007")
    assert rows["T1059"] == (0.0, latest["id"], ["T1086"], None)


def test_group_coverage_breaks_a_tie_of_a_revoked_technique_and_its_replacement_by_test_id(
    app, client, team, make_mission, outcome
):
    """Two outcomes known at the same moment: the same rule as for any two runs (the greater
    test id, as text), whichever of the two ids the run is tagged with."""
    sync(app, release_before_retirement())
    mission = make_mission("Same minute")
    at = "2026-02-01T10:00:00+00:00"
    revoked = outcome(mission, ["T1086"], "Alerted", at)
    live = outcome(mission, ["T1059.001"], "Logged", at)
    both = outcome(mission, ["T1086", "T1059.001"], "Prevented", "2019-01-01T10:00:00+00:00")
    sync(app, build_bundle(extra_objects=GROUPS_AFTER_RETIREMENT))

    _, rows = group_rows(client, team, "G0016")

    winner = max((revoked, live), key=lambda test: test["id"])
    expected = (
        (75.0, revoked["id"], ["T1086"], "T1086")
        if winner is revoked
        else (40.0, live["id"], ["T1086"], None)
    )
    assert rows["T1059.001"] == expected
    # A run tagged with both is the replacement's own: it came through no revoked id alone.
    # (Tagged while T1086 was live: a new test is not given a revoked tag.)
    sync(app, release_before_retirement())
    mission_two = make_mission("Later")
    later = outcome(mission_two, ["T1086", "T1059.001"], "Prevented", "2026-03-01T10:00:00+00:00")
    sync(app, build_bundle(extra_objects=GROUPS_AFTER_RETIREMENT))
    _, rows = group_rows(client, team, "G0016")
    assert rows["T1059.001"] == (100.0, later["id"], ["T1086"], None)
    assert both["id"] not in {row[1] for row in rows.values()}


def test_group_coverage_with_revoked_techniques_is_a_constant_number_of_statements(
    app, client, team, make_mission, outcome, count_statements
):
    sync(app, release_before_retirement())
    first = make_mission("First")
    outcome(first, ["T1086"], "Alerted", "2019-06-01T10:00:00+00:00")
    outcome(first, ["T1059.001"], "Logged", "2018-06-01T10:00:00+00:00")
    sync(app, build_bundle(extra_objects=GROUPS_AFTER_RETIREMENT))
    url = "/api/v1/coverage/groups/G0016"
    with count_statements() as few:
        assert client.get(url, headers=team.viewer).status_code == 200
    for number in range(6):
        mission = make_mission(f"More {number}")
        outcome(mission, ["T1059.001"], "Logged", f"2026-0{number + 1}-01T10:00:00+00:00")
        outcome(mission, ["T1078", "T1566.001"], "Alerted", f"2026-0{number + 1}-02T10:00:00+00:00")
    with count_statements() as many:
        assert client.get(url, headers=team.viewer).status_code == 200

    assert many.count == few.count


def plist_release(*, revoked: bool) -> dict:
    """The test bundle with T1547 (Boot or Logon Autostart Execution) and its sub-techniques
    T1547.001 and T1547.011 (Plist Modification); with `revoked`, as ATT&CK v18.1 has it:
    T1547.011 revoked by T1647 (Plist File Modification), a technique of its own, which APT29
    uses and APT28 not (the test catalogue has three tactics: T1647 is placed in persistence)."""
    objects = [
        technique("T1547", "Boot or Logon Autostart Execution", ["persistence"]),
        technique("T1547.001", "Registry Run Keys / Startup Folder", ["persistence"]),
        technique("T1547.011", "Plist Modification", ["persistence"], revoked=revoked),
        subtechnique_of("T1547.001", "T1547"),
        subtechnique_of("T1547.011", "T1547"),
    ]
    if revoked:
        objects += [
            technique("T1647", "Plist File Modification", ["persistence"]),
            revoked_by("attack-pattern", "T1547.011", "T1647"),
            group("G0016", "APT29", ["Cozy Bear"]),
            uses("G0016", "T1647"),
            uses("G0016", "T1547"),
            group("G0007", "APT28", ["Fancy Bear"]),
            uses("G0007", "T1547"),
        ]
    return build_bundle(extra_objects=objects)


def layer_entries(client, team) -> dict:
    response = client.get("/api/v1/coverage/navigator-layer", headers=team.viewer)
    assert response.status_code == 200, response.json
    return {item["techniqueID"]: item for item in response.json["techniques"]}


def test_a_revoked_subtechnique_replaced_elsewhere_counts_for_its_replacement_only(
    app, client, team, make_mission, outcome
):
    """T1547.011 was revoked for T1647, no sub-technique of T1547: a test of T1547.011 covers
    T1647, and no longer T1547 (it counted for T1547 across missions and for groups, while a
    mission's own layer counted it for T1647 alone)."""
    sync(app, plist_release(revoked=False))
    mission = make_mission("2021 macOS")
    plist = outcome(mission, ["T1547.011"], "Alerted", "2021-03-01T10:00:00+00:00")
    sync(app, plist_release(revoked=True))

    entries = layer_entries(client, team)

    assert {key: entries[key]["score"] for key in entries} == {"T1647": 75.0}
    assert entries["T1647"]["comment"] == "1 test: 1 Alerted"
    _, rows = group_rows(client, team, "G0016")
    assert rows == {
        "T1647": (75.0, plist["id"], ["T1547.011"], "T1547.011"),
        "T1547": (None, None, [], None),
    }
    _, rows = group_rows(client, team, "G0007")
    assert rows == {"T1547": (None, None, [], None)}


def test_the_old_parent_of_a_revoked_subtechnique_keeps_its_own_latest_run(
    app, client, team, make_mission, outcome
):
    """T1547's latest run is the latest of those that count for it (its other sub-technique's
    older run), not T1547.011's later one, which counts for T1647."""
    sync(app, plist_release(revoked=False))
    first, second = make_mission("2019 Windows"), make_mission("2021 macOS")
    run_keys = outcome(first, ["T1547.001"], "Logged", "2019-05-01T10:00:00+00:00")
    plist = outcome(second, ["T1547.011"], "Alerted", "2021-03-01T10:00:00+00:00")
    sync(app, plist_release(revoked=True))

    entries = layer_entries(client, team)

    assert {key: entries[key]["score"] for key in entries} == {
        "T1547": 40.0,
        "T1547.001": 40.0,
        "T1647": 75.0,
    }
    assert entries["T1547"]["comment"] == "1 test: 1 Logged"
    assert {"name": "Rolled up from", "value": "T1547.001"} in entries["T1547"]["metadata"]
    _, rows = group_rows(client, team, "G0016")
    assert rows == {
        "T1647": (75.0, plist["id"], ["T1547.011"], "T1547.011"),
        "T1547": (40.0, run_keys["id"], [], None),
    }
    _, rows = group_rows(client, team, "G0007")
    assert rows == {"T1547": (40.0, run_keys["id"], [], None)}

    # T1547's own test, older still, is not its latest either.
    outcome(first, ["T1547"], "Not detected", "2018-01-01T10:00:00+00:00")
    _, rows = group_rows(client, team, "G0007")
    assert rows == {"T1547": (40.0, run_keys["id"], [], None)}


def test_a_revoked_subtechnique_in_a_retest_chain_counts_for_its_replacement_only(
    app, client, team, make_mission, outcome, run
):
    """The same for a run of a retest chain (read whole, not picked by SQL): its completed
    retest counts for T1647; T1547 keeps the other mission's older run."""
    sync(app, plist_release(revoked=False))
    first, second = make_mission("2019 Windows"), make_mission("2021 macOS")
    run_keys = outcome(first, ["T1547.001"], "Logged", "2019-05-01T10:00:00+00:00")
    plist = outcome(second, ["T1547.011"], "Not detected", "2021-03-01T10:00:00+00:00")
    url = f"/api/v1/missions/{second['id']}/tests/{plist['id']}/retest"
    response = client.post(url, headers=team.red)
    assert response.status_code == 201, response.json
    retest = run(second, "Plist retest", [], "Prevented", test=response.json)
    sync(app, plist_release(revoked=True))

    entries = layer_entries(client, team)

    assert {key: entries[key]["score"] for key in entries} == {
        "T1547": 40.0,
        "T1547.001": 40.0,
        "T1647": 100.0,
    }
    _, rows = group_rows(client, team, "G0016")
    assert rows == {
        "T1647": (100.0, retest["id"], ["T1547.011"], "T1547.011"),
        "T1547": (40.0, run_keys["id"], [], None),
    }


def test_a_deprecated_subtechniques_runs_still_count_for_its_technique_across_missions(
    app, client, team, catalogue, make_mission, outcome
):
    """T1059.999 is deprecated: its run is left out of the layer but still counts for T1059,
    the latest of T1059's runs."""
    mission = make_mission("Shells")
    outcome(mission, ["T1059.001"], "Logged", "2025-01-01T10:00:00+00:00")
    # Tagged while T1059.999 was live (a new test is not given a deprecated tag), then the
    # release that deprecated it is synced.
    live_old_shell = build_bundle()
    del find(live_old_shell, "T1059.999")["x_mitre_deprecated"]
    sync(app, live_old_shell)
    old_shell = outcome(mission, ["T1059.999"], "Prevented", "2026-01-01T10:00:00+00:00")
    sync(app, build_bundle())

    entries = layer_entries(client, team)

    assert {key: entries[key]["score"] for key in entries} == {"T1059": 100.0, "T1059.001": 40.0}
    sync(app, build_bundle(extra_objects=[group("G0007", "APT28", []), uses("G0007", "T1059")]))
    _, rows = group_rows(client, team, "G0007")
    assert rows == {"T1059": (100.0, old_shell["id"], [], None)}


def test_mission_ids_typed_with_spaces_after_the_commas(client, team, two_missions):
    """`?mission_ids=A, B` (a space after the comma, as people type a list) was 422 "Not a
    valid UUID." for B: the spaces around each id are not part of it."""
    first, second = two_missions
    spaced = f" {first['id']} ,  {second['id']} "

    for url in ("/api/v1/coverage", "/api/v1/coverage/navigator-layer"):
        response = client.get(url, query_string={"mission_ids": spaced}, headers=team.lead)
        assert response.status_code == 200, response.json
    coverage = client.get(
        "/api/v1/coverage", query_string={"mission_ids": spaced}, headers=team.lead
    ).json
    assert sorted(coverage["mission_ids"]) == sorted([first["id"], second["id"]])
    # An empty item is still no id.
    empty = client.get(
        "/api/v1/coverage", query_string={"mission_ids": f"{first['id']}, ,"}, headers=team.lead
    )
    assert empty.status_code == 422 and "mission_ids" in str(empty.json["errors"])
