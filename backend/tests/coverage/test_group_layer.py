"""A threat group's coverage as an ATT&CK Navigator layer: `GET /coverage/groups/{id}/
navigator-layer` (docs/coverage.md, "ATT&CK Navigator layers")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.coverage.test_organisation import GROUPS_AFTER_RETIREMENT, release_before_retirement
from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, group, retired_groups, uses
from tests.mitre.test_full_attack import BUNDLE, sync_real_bundle
from violet.coverage.navigator import layer_problems, planned_techniques
from violet.extensions import db
from violet.mitre.models import MitreSubtechnique, MitreTactic, MitreTechnique

URL = "/api/v1/coverage/groups/{}/navigator-layer"
# APT29 as the test catalogue can hold it: T1059 and its T1059.001, T1078 (two tactics) and its
# T1078.001, and T1566.001 without T1566. It uses neither T1059.003 nor T1566 itself.
APT29 = [
    group("G0016", "APT29", ["APT29", "Cozy Bear", "The Dukes"]),
    *(uses("G0016", attack_id) for attack_id in ("T1059", "T1059.001", "T1078", "T1078.001")),
    uses("G0016", "T1566.001"),
    # A group using one technique, to count statements against.
    group("G0098", "Small", ["Small"]),
    uses("G0098", "T1078"),
]
SHORTNAMES = {"initial-access", "execution", "persistence"}
WITH_SUBTECHNIQUES = {"T1059", "T1078", "T1566"}  # every technique of the test catalogue
# The seeded levels' colours, and the colour of a technique not tested.
PREVENTED, ALERTED, LOGGED, NOT_DETECTED = "#2b8a3e", "#1864ab", "#e67700", "#c92a2a"
NOT_TESTED = "#ffd8a8"


@pytest.fixture
def quarters(app, catalogue, make_mission, outcome):
    """Q1 then Q2, and APT29 synced. T1059 is tested in Q2 (Prevented) after T1059.001 in Q1
    (Logged); T1078 in Q1 (Alerted), T1566.001 in Q2 (Not detected), T1566 (not APT29's) and
    T1059.003 (not APT29's) in Q2 too. T1078.001 is never tested."""
    sync(app, build_bundle(extra_objects=APT29))
    first, second = make_mission("Q1"), make_mission("Q2")
    outcome(first, ["T1059.001"], "Logged", "2026-01-10T10:00:00+00:00")
    outcome(first, ["T1078"], "Alerted", "2026-01-11T10:00:00+00:00")
    outcome(second, ["T1059"], "Prevented", "2026-04-02T10:00:00+00:00")
    outcome(second, ["T1566.001"], "Not detected", "2026-04-03T10:00:00+00:00")
    outcome(second, ["T1059.003"], "Alerted", "2026-03-01T10:00:00+00:00")
    return first, second


def download(client, headers, group_id="G0016", **query):
    response = client.get(URL.format(group_id), query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    layer = response.json
    assert (
        layer_problems(layer, tactic_shortnames=SHORTNAMES, with_subtechniques=WITH_SUBTECHNIQUES)
        == []
    )
    return response, layer


def entries_of(layer):
    """The group's techniques' entries, per tactic."""
    return {
        (item["techniqueID"], item["tactic"]): item
        for item in layer["techniques"]
        if "comment" in item
    }


def expanded_only(layer):
    """The entries that only open a technique expanded, its sub-techniques being the group's."""
    return [item for item in layer["techniques"] if "comment" not in item]


def test_the_group_layer_holds_its_techniques_tested_or_not(client, team, quarters):
    response, layer = download(client, team.viewer)

    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"violet-G0016-layer.json\"; filename*=UTF-8''violet-G0016-layer.json"
    )
    assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
    assert layer["name"] == "APT29 (G0016) — Violet coverage"
    assert "APT29 (G0016), also known as Cozy Bear, The Dukes" in layer["description"]
    # Missions created in one transaction share a creation time: either order.
    assert layer["description"].endswith(("across: Q1, Q2", "across: Q2, Q1"))
    entries = entries_of(layer)
    # Exactly the group's techniques, once per tactic: not T1566 nor T1059.003, tested as they
    # are; T1566.001 without its technique.
    assert {
        key: (item.get("score"), item["color"], item["comment"]) for key, item in entries.items()
    } == {
        ("T1059", "execution"): (100.0, PREVENTED, "1 test: 1 Prevented"),  # Q2's, later
        ("T1059.001", "execution"): (40.0, LOGGED, "1 test: 1 Logged"),
        ("T1078", "initial-access"): (75.0, ALERTED, "1 test: 1 Alerted"),
        ("T1078", "persistence"): (75.0, ALERTED, "1 test: 1 Alerted"),
        ("T1078.001", "initial-access"): (None, NOT_TESTED, "Not tested"),
        ("T1078.001", "persistence"): (None, NOT_TESTED, "Not tested"),
        ("T1566.001", "initial-access"): (0.0, NOT_DETECTED, "1 test: 1 Not detected"),
    }
    # T1566 is not the group's, but its T1566.001 is: T1566 only opens expanded, so that the
    # Navigator does not hide T1566.001 behind it; planning from the layer asks nothing of it.
    assert expanded_only(layer) == [
        {
            "techniqueID": "T1566",
            "tactic": "initial-access",
            "enabled": True,
            "showSubtechniques": True,
        }
    ]
    assert planned_techniques(layer) == ["T1059", "T1059.001", "T1078", "T1078.001", "T1566.001"]
    assert all(item["enabled"] is True for item in entries.values())
    assert "score" not in entries[("T1078.001", "persistence")]
    assert entries[("T1078.001", "persistence")]["metadata"] == [{"name": "Tests", "value": "0"}]
    # A technique some of whose sub-techniques are in the layer, tested or not, opens expanded;
    # a sub-technique says nothing of sub-techniques.
    assert entries[("T1059", "execution")]["showSubtechniques"] is True
    assert entries[("T1078", "persistence")]["showSubtechniques"] is True
    assert "showSubtechniques" not in entries[("T1566.001", "initial-access")]
    assert layer["legendItems"] == [
        {"label": "Prevented", "color": PREVENTED},
        {"label": "Alerted", "color": ALERTED},
        {"label": "Logged", "color": LOGGED},
        {"label": "Not detected", "color": NOT_DETECTED},
        {"label": "Not tested", "color": NOT_TESTED},
    ]
    # The same figures as the group's coverage in JSON.
    coverage = client.get("/api/v1/coverage/groups/G0016", headers=team.viewer).json
    for item in coverage["techniques"]:
        for (attack_id, _), entry in entries.items():
            if attack_id == item["external_id"]:
                assert entry.get("score") == item["score"]


def test_mission_ids_narrow_the_group_layer(client, team, quarters):
    first, _ = quarters

    _, layer = download(client, team.viewer, mission_ids=first["id"])

    entries = entries_of(layer)
    assert {key: item.get("score") for key, item in entries.items()} == {
        ("T1059", "execution"): 40.0,  # Q1's T1059.001 run, rolled up
        ("T1059.001", "execution"): 40.0,
        ("T1078", "initial-access"): 75.0,
        ("T1078", "persistence"): 75.0,
        ("T1078.001", "initial-access"): None,
        ("T1078.001", "persistence"): None,
        ("T1566.001", "initial-access"): None,  # tested in Q2 only
    }
    # T1059's latest outcome is its sub-technique's, yet APT29 uses T1059 itself: its entry is
    # not marked as a roll-up, which planning from the layer would skip.
    assert [item["name"] for item in entries[("T1059", "execution")]["metadata"]] == [
        "Tests",
        "Logged",
    ]
    assert layer["description"].endswith("across: Q1")


def test_planning_from_the_group_layer_plans_the_techniques_the_group_uses_itself(
    client, team, quarters, make_mission
):
    """Q1 tested T1059 only through T1059.001, which APT29 uses too: planning from Q1's layer
    of APT29 plans T1059 as planning from the group does (it skipped it as a roll-up)."""
    first, _ = quarters
    _, layer = download(client, team.viewer, mission_ids=first["id"])
    url = f"/api/v1/missions/{make_mission('Retest APT29')['id']}/tests"

    def planned(path, **body):
        response = client.post(f"{url}/{path}", json={"dry_run": True, **body}, headers=team.lead)
        assert response.status_code == 200, response.json
        return [item["external_id"] for item in response.json["added"]]

    from_group = planned("from-group", group="G0016")
    assert from_group == ["T1059", "T1059.001", "T1078", "T1078.001", "T1566.001"]
    assert planned("from-layer", layer=layer) == from_group
    # T1059 and T1059.001 were Logged (40) in Q1: both are retested.
    assert planned("from-layer", layer=layer, max_score=40) == ["T1059", "T1059.001"]


def test_a_caller_who_sees_no_mission_gets_every_technique_untested(client, team, quarters):
    _, layer = download(client, team.outsider)

    entries = entries_of(layer)
    assert len(entries) == 7 and len(expanded_only(layer)) == 1
    assert {(item["color"], item["comment"]) for item in entries.values()} == {
        (NOT_TESTED, "Not tested")
    }
    assert not any("score" in item for item in entries.values())
    assert layer["legendItems"][-1] == {"label": "Not tested", "color": NOT_TESTED}
    assert "no mission" in layer["description"]


def test_a_tested_but_unscored_technique_is_grey_beside_the_untested(
    client, team, quarters, make_mission, outcome
):
    outcome(make_mission("Q3"), ["T1078.001"], "Not applicable", "2026-05-01T10:00:00+00:00")

    _, layer = download(client, team.viewer)

    entries = entries_of(layer)
    unscored = entries[("T1078.001", "persistence")]
    assert (unscored.get("score"), unscored["color"]) == (None, "#d0d0d0")
    assert unscored["comment"] == "1 test: 1 Not applicable"
    # T1078's latest outcome is now T1078.001's (later than Q1's Alerted).
    assert "score" not in entries[("T1078", "persistence")]
    labels = [item["label"] for item in layer["legendItems"]]
    assert "Tested, no score" in labels and "Not tested" not in labels


def test_unknown_retired_groups_and_bad_queries(app, client, team, quarters, make_mission):
    sync(app, build_bundle(extra_objects=[*APT29, *retired_groups()]))
    theirs = make_mission("Theirs", headers=team.outsider)

    unknown = client.get(URL.format("G9999"), headers=team.viewer)
    revoked = client.get(URL.format("G0074"), headers=team.viewer)
    deprecated = client.get(URL.format("G0014"), headers=team.viewer)
    hidden = client.get(
        URL.format("G0016"), query_string={"mission_ids": theirs["id"]}, headers=team.lead
    )
    bad = client.get(URL.format("G0016"), query_string={"mission_ids": "nope"}, headers=team.lead)
    domain = client.get(
        URL.format("G0016"), query_string={"domain": "pre-attack"}, headers=team.lead
    )

    for response in (unknown, revoked, deprecated, hidden):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    # As the group's coverage in JSON says it.
    json_revoked = client.get("/api/v1/coverage/groups/G0074", headers=team.viewer)
    assert revoked.json["detail"] == json_revoked.json["detail"]
    assert "replaced by G0035 (Dragonfly)" in revoked.json["detail"]
    assert "deprecated" in deprecated.json["detail"]
    assert bad.status_code == 422 and "mission_ids.0" in bad.json["errors"]
    assert domain.status_code == 422 and "domain" in domain.json["errors"]
    assert client.get(URL.format("G0016")).status_code == 401
    # The id is read as the JSON endpoint reads it.
    assert client.get(URL.format("g0016"), headers=team.viewer).status_code == 200


def test_a_technique_tested_only_through_a_revoked_id_counts_for_the_group(
    app, client, team, catalogue, make_mission, outcome
):
    """T1086 (PowerShell), revoked for T1059.001 since it was tested: APT29's T1059.001 is
    covered, as the JSON says; T1064 (deprecated) is nothing of APT29's, and is not named."""
    sync(app, release_before_retirement())
    old = make_mission("2019 exercise")
    outcome(old, ["T1086"], "Alerted", "2019-06-01T10:00:00+00:00")
    outcome(old, ["T1064"], "Prevented", "2019-06-02T10:00:00+00:00")
    sync(app, build_bundle(extra_objects=GROUPS_AFTER_RETIREMENT))

    _, layer = download(client, team.viewer)

    entries = entries_of(layer)
    assert (entries[("T1059.001", "execution")]["score"]) == 75.0
    assert entries[("T1059.001", "execution")]["color"] == ALERTED
    assert entries[("T1078", "persistence")]["comment"] == "Not tested"
    assert "T1086 (revoked) is counted as T1059.001" in layer["description"]
    assert "T1064" not in layer["description"]
    assert {attack_id for attack_id, _ in entries} == {"T1059.001", "T1078", "T1566.001"}
    assert {item["techniqueID"] for item in expanded_only(layer)} == {"T1059", "T1566"}
    # Carbanak uses neither T1059.001 nor T1059: nothing to say of T1086.
    _, carbanak = download(client, team.viewer, group_id="G0008")
    assert "T1086" not in carbanak["description"]


@pytest.mark.parametrize("group_id", ["G0016", "G0098"])
def test_the_group_layer_is_a_constant_number_of_statements(
    client, team, quarters, make_mission, outcome, count_statements, group_id
):
    # Against the same missions, a group of five techniques and a group of one.
    with count_statements() as small:
        assert client.get(URL.format("G0098"), headers=team.lead).status_code == 200
    with count_statements() as large:
        assert client.get(URL.format(group_id), headers=team.lead).status_code == 200
    # More missions and tests: the same again.
    for number in range(4):
        outcome(
            make_mission(f"More {number}"),
            ["T1078.001", "T1566"],
            "Alerted",
            f"2026-0{number + 5}-01T10:00:00+00:00",
        )
    with count_statements() as more:
        assert client.get(URL.format(group_id), headers=team.lead).status_code == 200

    assert small.count == large.count == more.count


@pytest.mark.full_attack
@pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})")
def test_apt29s_layer_from_the_real_bundle_passes_the_strict_check(
    app, client, team, make_mission, run
):
    """ATT&CK v18.1's APT29: every technique it uses, in the matrix's tactics, sub-techniques
    under techniques that have them."""
    sync_real_bundle(app)
    mission = make_mission("Purple week")
    run(mission, "PowerShell", ["T1059.001"], "Alerted")

    response = client.get(URL.format("G0016"), headers=team.viewer)

    assert response.status_code == 200, response.json
    layer = response.json
    shortnames = set(db.session.scalars(select(MitreTactic.shortname)))
    with_subtechniques = set(
        db.session.scalars(
            select(MitreTechnique.external_id).join(
                MitreSubtechnique, MitreSubtechnique.technique_id == MitreTechnique.id
            )
        )
    )
    assert (
        layer_problems(layer, tactic_shortnames=shortnames, with_subtechniques=with_subtechniques)
        == []
    )
    coverage = client.get("/api/v1/coverage/groups/G0016", headers=team.viewer).json
    expected = {
        (item["external_id"], tactic)
        for item in coverage["techniques"]
        for tactic in item["tactics"]
    }
    tactic_ids = {
        tactic.shortname: tactic.external_id for tactic in db.session.scalars(select(MitreTactic))
    }
    listed = {(attack_id, tactic_ids[tactic]) for attack_id, tactic in entries_of(layer)}
    assert listed == expected
    # The techniques of the sub-techniques APT29 uses without them (46 of its 66) open expanded.
    used = {item["external_id"] for item in coverage["techniques"]}
    assert {item["techniqueID"] for item in expanded_only(layer)} == {
        attack_id.split(".")[0] for attack_id in used if attack_id.split(".")[0] not in used
    }
    scored = {item["techniqueID"] for item in layer["techniques"] if "score" in item}
    assert scored == {"T1059", "T1059.001"} & {
        item["external_id"] for item in coverage["techniques"]
    }
    assert layer["versions"]["attack"] == "18.1"
