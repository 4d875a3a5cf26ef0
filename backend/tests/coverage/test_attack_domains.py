"""Coverage of missions that test techniques of several ATT&CK domains: each coverage answer
names the domains tested, and a layer (one domain) is asked for by domain, by default the one
holding most of the tested techniques."""

from __future__ import annotations

import pytest

from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, group, subtechnique_of, technique, uses
from violet.coverage.navigator import layer_problems

API = "/api/v1/missions"
ENTERPRISE, MOBILE, ICS = "enterprise-attack", "mobile-attack", "ics-attack"


@pytest.fixture
def domains(app, catalogue):
    """Enterprise (the `catalogue`), Mobile and ICS: the test bundle in each (the Mobile and ICS
    tactics are MTA0001…, ITA0001…) with, as in ATT&CK, Mobile's T1417 Input Capture (two
    tactics) and T1417.001 Keylogging, ICS's T0807 Command-Line Interface and T0886 Remote
    Services; APT38 (G0082) uses T1059 and T0807."""
    apt38 = group("G0082", "APT38", ["APT38"], x_mitre_domains=[ENTERPRISE, ICS])
    sync(app, build_bundle(extra_objects=[apt38, uses("G0082", "T1059")]))
    mobile = [
        technique("T1417", "Input Capture", ["initial-access", "persistence"], domain=MOBILE),
        technique("T1417.001", "Keylogging", ["initial-access", "persistence"], domain=MOBILE),
        subtechnique_of("T1417.001", "T1417"),
    ]
    sync(app, build_bundle(domain=MOBILE, extra_objects=mobile))
    ics = [
        technique("T0807", "Command-Line Interface", ["execution"], domain=ICS),
        technique("T0886", "Remote Services", ["initial-access", "persistence"], domain=ICS),
        apt38,
        uses("G0082", "T0807"),
    ]
    sync(app, build_bundle(domain=ICS, extra_objects=ics))


@pytest.fixture
def mixed(domains, mission, run):
    """Four tests of T1059.001 (Enterprise, one tactic) and one of T1417.001 (Mobile, two
    tactics): the tactic links counted, the layer was Mobile's, with only T1417."""
    for number in range(4):
        run(mission, f"PowerShell {number}", ["T1059.001"], "Alerted")
    run(mission, "Keylogger", ["T1417.001"], "Logged")
    return mission


def techniques_of(layer):
    return {(item["techniqueID"], item["tactic"]) for item in layer["techniques"]}


def test_a_mixed_missions_layer_is_of_the_domain_it_tests_most_and_names_the_other(
    client, team, mixed
):
    coverage = client.get(f"{API}/{mixed['id']}/coverage", headers=team.viewer).json
    layer = client.get(f"{API}/{mixed['id']}/navigator-layer", headers=team.viewer).json

    assert coverage["domains"] == [ENTERPRISE, MOBILE]  # one technique each: Enterprise first
    assert layer["domain"] == ENTERPRISE
    assert techniques_of(layer) == {("T1059", "execution"), ("T1059.001", "execution")}
    assert "other ATT&CK domains are in their own layers: mobile-attack" in layer["description"]
    assert layer_problems(layer, with_subtechniques={"T1059", "T1078", "T1566"}) == []


def test_the_layer_of_another_domain_is_complete(client, team, mixed):
    response = client.get(
        f"{API}/{mixed['id']}/navigator-layer",
        query_string={"domain": MOBILE},
        headers=team.viewer,
    )

    assert response.status_code == 200, response.json
    layer = response.json
    assert layer["domain"] == MOBILE and layer["versions"]["attack"] == "18.1"
    assert techniques_of(layer) == {
        ("T1417", "initial-access"),
        ("T1417", "persistence"),
        ("T1417.001", "initial-access"),
        ("T1417.001", "persistence"),
    }
    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert entries["T1417"]["comment"] == "1 test: 1 Logged"
    assert entries["T1417"]["showSubtechniques"] is True
    assert "enterprise-attack" in layer["description"]
    ics = client.get(
        f"{API}/{mixed['id']}/navigator-layer", query_string={"domain": ICS}, headers=team.viewer
    ).json
    assert ics["domain"] == ICS and ics["techniques"] == []


def test_the_default_domain_is_the_one_holding_most_tested_techniques(
    client, team, domains, mission, run
):
    run(mission, "Enterprise", ["T1059"], "Alerted")
    run(mission, "ICS one", ["T0807"], "Logged")
    run(mission, "ICS two", ["T0886"], "Logged")

    coverage = client.get(f"{API}/{mission['id']}/coverage", headers=team.viewer).json
    layer = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.viewer).json

    assert coverage["domains"] == [ICS, ENTERPRISE]
    assert layer["domain"] == ICS
    assert {technique for technique, _ in techniques_of(layer)} == {"T0807", "T0886"}


def test_an_unknown_domain_is_422(client, team, mixed):
    mission_layer = client.get(
        f"{API}/{mixed['id']}/navigator-layer?domain=pre-attack", headers=team.viewer
    )
    across = client.get("/api/v1/coverage/navigator-layer?domain=mobile", headers=team.viewer)

    for response in (mission_layer, across):
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        assert "domain" in response.json["errors"]


def test_across_missions_compared_and_for_a_group_the_domains_are_named(
    client, team, mixed, make_mission, run
):
    ics_only = make_mission("ICS plant")
    run(ics_only, "Valves", ["T0886"], "Prevented")

    across = client.get("/api/v1/coverage", headers=team.lead).json
    layer = client.get(
        "/api/v1/coverage/navigator-layer", query_string={"domain": ICS}, headers=team.lead
    ).json
    compared = client.get(
        "/api/v1/coverage/compare",
        query_string={"from": mixed["id"], "to": ics_only["id"]},
        headers=team.lead,
    ).json
    apt38 = client.get("/api/v1/coverage/groups/G0082", headers=team.lead).json

    assert across["domains"] == [ENTERPRISE, MOBILE, ICS]  # one technique each
    assert layer["domain"] == ICS
    assert techniques_of(layer) == {("T0886", "initial-access"), ("T0886", "persistence")}
    assert compared["domains"] == [ENTERPRISE, MOBILE, ICS]
    assert apt38["domains"] == [ENTERPRISE, ICS]
    ics_coverage = client.get(f"{API}/{ics_only['id']}/coverage", headers=team.lead).json
    assert ics_coverage["domains"] == [ICS]


def test_a_layer_plans_only_the_techniques_of_its_domain(client, team, domains, mission):
    url = f"{API}/{mission['id']}/tests/from-layer"

    def layer(domain, *attack_ids):
        entries = [{"techniqueID": attack_id} for attack_id in attack_ids]
        return {"name": "Plant", "domain": domain, "techniques": entries}

    def plan(**body):
        response = client.post(url, json={**body, "dry_run": True}, headers=team.lead)
        assert response.status_code == 200, response.json
        return [item["external_id"] for item in response.json["added"]], response.json["skipped"]

    # An ICS layer listing Mobile's T1417 and Enterprise's T1059.
    assert plan(layer=layer(ICS, "T0807", "T1417", "T1059")) == (
        ["T0807"],
        [
            {
                "external_id": "T1417",
                "reason": "A technique of mobile-attack, not of ics-attack.",
            },
            {
                "external_id": "T1059",
                "reason": "A technique of enterprise-attack, not of ics-attack.",
            },
        ],
    )
    # A format 1–3 layer's `mitre-mobile` is Mobile.
    added, skipped = plan(layer=layer("mitre-mobile", "T1417.001", "T0886"))
    assert added == ["T1417.001"] and [item["external_id"] for item in skipped] == ["T0886"]
    # Several layers: each id is planned when a layer of its domain lists it.
    added, skipped = plan(layers=[layer(ICS, "T1417", "T0807"), layer(MOBILE, "T1417")])
    assert added == ["T1417", "T0807"] and skipped == []
    # A layer without a domain is refused, as before.
    response = client.post(url, json={"layer": {"name": "No domain"}}, headers=team.lead)
    assert response.status_code == 422
    assert "layer.domain is required." in response.json["errors"]["layer"]
    assert client.get(f"{API}/{mission['id']}/tests", headers=team.lead).json["items"] == []


def test_a_group_is_planned_for_one_domain_when_asked(client, team, domains, mission):
    url = f"{API}/{mission['id']}/tests/from-group"

    def plan(**body):
        response = client.post(url, json={"group": "G0082", **body}, headers=team.lead)
        assert response.status_code == 200, response.json
        return [item["external_id"] for item in response.json["added"]], response.json["skipped"]

    # APT38 uses Enterprise's T1059 and ICS's T0807: both without a domain, as before.
    assert plan(dry_run=True) == (["T0807", "T1059"], [])
    assert plan(domain=ICS) == (
        ["T0807"],
        [
            {
                "external_id": "T1059",
                "reason": "A technique of enterprise-attack, not of ics-attack.",
            }
        ],
    )
    tests = client.get(f"{API}/{mission['id']}/tests", headers=team.lead).json["items"]
    assert [test["name"] for test in tests] == ["T0807 Command-Line Interface"]
    unknown = client.post(url, json={"group": "G0082", "domain": "ics"}, headers=team.lead)
    assert unknown.status_code == 422 and "domain" in unknown.json["errors"]


def test_a_groups_layer_is_of_its_domain_holding_most_techniques_or_the_one_asked(
    client, team, mixed
):
    """APT38 uses T1059 (Enterprise) and T0807 (ICS): its layer is Enterprise's (a tie), its
    ICS layer holds T0807, untested, and a domain it does not use holds nothing."""
    url = "/api/v1/coverage/groups/G0082/navigator-layer"

    default = client.get(url, headers=team.viewer).json
    ics = client.get(url, query_string={"domain": ICS}, headers=team.viewer).json
    mobile = client.get(url, query_string={"domain": MOBILE}, headers=team.viewer).json

    assert default["domain"] == ENTERPRISE
    assert [(item["techniqueID"], item.get("score")) for item in default["techniques"]] == [
        ("T1059", 75.0)  # its T1059.001 runs (Alerted), rolled up
    ]
    assert "other ATT&CK domains are in their own layers: ics-attack." in default["description"]
    assert ics["domain"] == ICS and layer_problems(ics) == []
    assert [
        (item["techniqueID"], item["tactic"], item["comment"]) for item in ics["techniques"]
    ] == [("T0807", "execution", "Not tested")]
    assert mobile["domain"] == MOBILE and mobile["techniques"] == []
    assert "in their own layers: enterprise-attack, ics-attack." in mobile["description"]
