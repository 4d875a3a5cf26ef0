"""Planning a mission from an ATT&CK Navigator layer or a threat group: library templates
tagged with each technique, a bare test where there is none, a preview that adds nothing."""

from __future__ import annotations

import pytest

from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, group, retired_groups, uses

API = "/api/v1/missions"


def make_library(client, admin_header) -> dict[str, str]:
    """One template tagged T1059.001, one tagged T1059 (the technique itself)."""
    ids = {}
    for name, kind, external_id in (
        ("Encoded PowerShell", "subtechnique", "T1059.001"),
        ("Script interpreter", "technique", "T1059"),
    ):
        response = client.post(
            "/api/v1/test-templates",
            json={"name": name, "mitre": [{"kind": kind, "external_id": external_id}]},
            headers=admin_header,
        )
        assert response.status_code == 201, response.json
        ids[name] = response.json["id"]
    return ids


@pytest.fixture
def library(client, admin_header, catalogue):
    return make_library(client, admin_header)


def layer(*techniques: dict) -> dict:
    return {
        "name": "APT layer",
        "versions": {"layer": "4.5", "navigator": "5.1.0", "attack": "18"},
        "domain": "enterprise-attack",
        "techniques": list(techniques),
    }


THREAT_LAYER = layer(
    {"techniqueID": "T1059.001", "tactic": "execution", "score": 50},
    {"techniqueID": "T1078", "color": "#ff6666"},
    {"techniqueID": "T1566", "score": 100, "enabled": False},
    {"techniqueID": "T1566.001", "showSubtechniques": True, "color": "", "comment": ""},
    {"techniqueID": "T9999", "score": 1},
)


def mission_tests(client, team, mission) -> list[dict]:
    return client.get(f"{API}/{mission['id']}/tests", headers=team.lead).json["items"]


def test_a_dry_run_previews_and_adds_nothing(client, team, catalogue, mission, library):
    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer",
        json={"layer": THREAT_LAYER, "dry_run": True},
        headers=team.lead,
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["dry_run"] is True
    assert [(item["external_id"], item["name"], item["test_id"]) for item in body["added"]] == [
        ("T1059.001", "Encoded PowerShell", None),
        ("T1078", "T1078 Valid Accounts", None),
    ]
    assert body["added"][0]["test_template_id"] == library["Encoded PowerShell"]
    assert (body["from_library"], body["bare"]) == (1, 1)
    assert body["skipped"] == [
        {"external_id": "T9999", "reason": "Not a technique of the synced ATT&CK catalogue."}
    ]
    assert mission_tests(client, team, mission) == []


def test_from_layer_adds_templates_and_bare_tests_once(client, team, catalogue, mission, library):
    url = f"{API}/{mission['id']}/tests/from-layer"

    first = client.post(url, json={"layer": THREAT_LAYER}, headers=team.lead)
    again = client.post(url, json={"layer": THREAT_LAYER}, headers=team.lead)

    assert first.status_code == 200 and (first.json["from_library"], first.json["bare"]) == (1, 1)
    tests = mission_tests(client, team, mission)
    assert [test["id"] for test in tests] == [item["test_id"] for item in first.json["added"]]
    assert [test["name"] for test in tests] == ["Encoded PowerShell", "T1078 Valid Accounts"]
    assert tests[1]["mitre"][0]["external_id"] == "T1078"
    assert again.json["added"] == [] and [
        item["external_id"] for item in again.json["skipped"]
    ] == [
        "T1059.001",
        "T1078",
        "T9999",
    ]
    assert len(mission_tests(client, team, mission)) == 2


@pytest.mark.parametrize(
    ("bad_layer", "problem"),
    [
        ({"techniques": []}, "layer.name is required."),
        (layer({"techniqueID": "T1059", "score": "high"}), "techniques[0].score must be a number."),
        ({**layer(), "domain": "pre-attack"}, "domain must be one of"),
    ],
)
def test_a_malformed_layer_is_422_and_adds_nothing(
    client, team, catalogue, mission, bad_layer, problem
):
    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer", json={"layer": bad_layer}, headers=team.lead
    )

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert any(item.startswith(problem) for item in response.json["errors"]["layer"])
    assert mission_tests(client, team, mission) == []


def test_every_enabled_entry_is_planned_but_a_display_state(client, team, catalogue, mission):
    plain = layer(
        {"techniqueID": "T1566.001"},  # no score, no colour: enabled all the same
        {"techniqueID": "T1078", "comment": "seen in the 2024 intrusion"},
        {"techniqueID": "T1059", "showSubtechniques": True},  # the Navigator's expand state
        {"techniqueID": "T1566", "enabled": False},
    )
    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer",
        json={"layer": plain, "dry_run": True},
        headers=team.lead,
    )

    assert response.status_code == 200, response.json
    assert [item["external_id"] for item in response.json["added"]] == ["T1566.001", "T1078"]
    assert response.json["skipped"] == []


def test_a_revoked_id_is_planned_as_its_replacement_and_others_say_why_not(
    client, team, catalogue, mission
):
    # An old layer: T1086 (PowerShell) was revoked by T1059.001 in the catalogue's bundle.
    old = layer(
        {"techniqueID": "T1086"},
        {"techniqueID": "T1064"},
        {"techniqueID": "T1999"},
        {"techniqueID": "T1059.001"},  # planned already, as T1086's replacement
    )
    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer",
        json={"layer": old, "dry_run": True},
        headers=team.lead,
    )

    assert [item["external_id"] for item in response.json["added"]] == ["T1059.001"]
    assert response.json["skipped"] == [
        {
            "external_id": "T1086",
            "reason": "Revoked in the synced ATT&CK release: planned as T1059.001, which "
            "replaced it.",
        },
        {"external_id": "T1064", "reason": "Deprecated in the synced ATT&CK release."},
        {"external_id": "T1999", "reason": "Not a technique of the synced ATT&CK catalogue."},
    ]


OLD_ATOMIC = """attack_technique: T1086
display_name: PowerShell
atomic_tests:
- name: Old PowerShell
  auto_generated_guid: 0c2e1a9e-3b7d-4f53-9d44-6a1f0e0f2b11
  description: Runs PowerShell.
  supported_platforms:
  - windows
  executor:
    command: powershell.exe -c whoami
    name: command_prompt
"""


def test_a_template_tagged_with_a_revoked_id_plans_for_its_replacement(
    client, team, admin_header, catalogue, mission
):
    # An Atomic file written before T1086 (PowerShell) was revoked by T1059.001 (imported with
    # a warning: a template created by hand with a revoked tag is 422).
    old = client.post(
        "/api/v1/test-templates/import?format=atomic-red-team",
        data=OLD_ATOMIC,
        headers={**admin_header, "Content-Type": "application/yaml"},
    )
    assert old.status_code == 200, old.json
    assert (old.json["created"], len(old.json["warnings"])) == (1, 1)

    for attack_id in ("T1059.001", "T1086"):
        response = client.post(
            f"{API}/{mission['id']}/tests/from-layer",
            json={"layer": layer({"techniqueID": attack_id}), "dry_run": True},
            headers=team.lead,
        )

        assert response.status_code == 200, response.json
        assert [(item["external_id"], item["name"]) for item in response.json["added"]] == [
            ("T1059.001", "Old PowerShell")
        ]
        assert response.json["bare"] == 0


def test_a_test_tagged_with_a_revoked_id_covers_its_replacement_when_planning(
    client, team, admin_header, catalogue, mission, run
):
    """A mission test tagged T1086 (from an old Atomic file whose template was deleted since)
    counts for T1059.001 in the mission's layer: a layer listing T1059.001 plans no bare test
    beside it."""
    old = client.post(
        "/api/v1/test-templates/import?format=atomic-red-team",
        data=OLD_ATOMIC,
        headers={**admin_header, "Content-Type": "application/yaml"},
    )
    assert old.status_code == 200, old.json
    found = client.get("/api/v1/test-templates?q=Old PowerShell", headers=admin_header)
    template_id = found.json["items"][0]["id"]
    added = client.post(
        f"{API}/{mission['id']}/tests", json={"test_template_id": template_id}, headers=team.lead
    )
    assert added.status_code == 201, added.json
    deleted = client.delete(f"/api/v1/test-templates/{template_id}", headers=admin_header)
    assert deleted.status_code == 204
    run(mission, "Old PowerShell", [], level="Alerted", test=added.json)
    own_layer = client.get(f"{API}/{mission['id']}/navigator-layer", headers=team.lead).json
    assert "T1059.001" in {entry["techniqueID"] for entry in own_layer["techniques"]}

    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer",
        json={"layer": layer({"techniqueID": "T1059.001", "score": 20})},
        headers=team.lead,
    )

    assert response.status_code == 200, response.json
    assert response.json["added"] == []
    assert response.json["skipped"] == [
        {"external_id": "T1059.001", "reason": "A test of the mission already covers it."}
    ]
    assert [test["name"] for test in mission_tests(client, team, mission)] == ["Old PowerShell"]


def test_a_score_range_plans_only_the_entries_scored_within_it(client, team, catalogue, mission):
    usage = layer(  # a usage layer as mitreattack-python writes it: 0 for what is not used
        {"techniqueID": "T1059.001", "tactic": "execution", "score": 1},
        {"techniqueID": "T1078", "tactic": "persistence", "score": 0},
        {"techniqueID": "T1566", "color": "#ff6666"},
    )
    url = f"{API}/{mission['id']}/tests/from-layer"

    def planned(**bounds) -> list[str]:
        body = {"layer": usage, "dry_run": True, **bounds}
        response = client.post(url, json=body, headers=team.lead)
        assert response.status_code == 200, response.json
        return [item["external_id"] for item in response.json["added"]]

    assert planned() == ["T1059.001", "T1078", "T1566"]
    assert planned(min_score=1) == ["T1059.001"]
    assert planned(max_score=0) == ["T1078"]
    assert planned(min_score=None, max_score=None) == ["T1059.001", "T1078", "T1566"]
    reversed_range = {"layer": usage, "min_score": 5, "max_score": 1}
    response = client.post(url, json=reversed_range, headers=team.lead)
    assert response.status_code == 422
    assert response.json["errors"]["max_score"] == ["max_score must be at least min_score."]
    assert mission_tests(client, team, mission) == []


def test_our_layer_plans_no_test_for_a_technique_scored_only_through_sub_techniques(
    client, team, catalogue, mission, make_mission, run
):
    # T1059 is scored 20 from its sub-techniques' runs alone: planning the gaps (at most 40)
    # added a bare "T1059" test beside the sub-techniques' own. T1078 is tested itself.
    tested = make_mission("Q1")
    run(tested, "PowerShell", ["T1059.001"], "Logged")
    run(tested, "cmd", ["T1059.003"], "Not detected")
    run(tested, "Default accounts", ["T1078.001"], "Prevented")
    run(tested, "Accounts", ["T1078"], "Logged")  # 70 in the mission, the latest (40) across
    url = f"{API}/{mission['id']}/tests/from-layer"

    for layer_url in (f"{API}/{tested['id']}/navigator-layer", "/api/v1/coverage/navigator-layer"):
        exported = client.get(layer_url, headers=team.lead).json
        response = client.post(
            url, json={"layer": exported, "dry_run": True, "max_score": 70}, headers=team.lead
        )

        assert response.status_code == 200, response.json
        assert [item["external_id"] for item in response.json["added"]] == [
            "T1059.001",
            "T1059.003",
            "T1078",
        ]


def test_a_file_of_several_layers_plans_them_together(client, team, catalogue, mission):
    # The Navigator opens a JSON list of layers as several layers.
    first = layer({"techniqueID": "T1059.001", "score": 1}, {"techniqueID": "T1078", "score": 0})
    second = layer({"techniqueID": "T1078", "score": 3}, {"techniqueID": "T1566", "score": 2})
    url = f"{API}/{mission['id']}/tests/from-layer"

    both = client.post(url, json={"layers": [first, second], "dry_run": True}, headers=team.lead)
    scored = client.post(
        url, json={"layers": [first, second], "dry_run": True, "min_score": 1}, headers=team.lead
    )

    assert both.status_code == 200, both.json
    assert [item["external_id"] for item in both.json["added"]] == ["T1059.001", "T1078", "T1566"]
    assert [item["external_id"] for item in scored.json["added"]] == [
        "T1059.001",
        "T1078",  # scored 3 in the second layer
        "T1566",
    ]


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"layers": [layer(), {"techniques": []}]}, "layers", "layers[1]: layer.name is required."),
        ({"layers": [{"techniques": []}]}, "layers", "layers[0]: layer.name is required."),
        ({"layers": []}, "layers", "Length must be between 1 and 100."),
        ({"layer": layer(), "layers": [layer()]}, "layers", "Send either `layer` or `layers`."),
        ({"dry_run": True}, "layer", "Send either `layer` or `layers`."),
        # A Navigator "download all layers" file sent as one layer: say where a list goes.
        (
            {"layer": [layer(), layer()]},
            "layer",
            "`layer` takes one layer (a JSON object); this is a list of layers, as the "
            'Navigator\'s "download all layers" saves them: send it as `layers` to plan them '
            "together.",
        ),
    ],
)
def test_a_bad_file_of_layers_is_422_and_adds_nothing(
    client, team, catalogue, mission, body, field, problem
):
    response = client.post(f"{API}/{mission['id']}/tests/from-layer", json=body, headers=team.lead)

    assert response.status_code == 422
    assert problem in response.json["errors"][field]
    assert mission_tests(client, team, mission) == []


def test_an_older_layer_with_its_writer_s_own_fields_is_planned(client, team, catalogue, mission):
    # Format 3, as the Navigator still opens it: `version`, the old domain name, old fields.
    old_layer = {
        "name": "Legacy",
        "version": "3.0",
        "domain": "mitre-enterprise",
        "viewMode": 0,
        "techniques": [{"techniqueID": "T1059", "color": "#ff6666", "comment": "used"}],
    }
    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer",
        json={"layer": old_layer, "dry_run": True},
        headers=team.lead,
    )

    assert response.status_code == 200, response.json
    assert [item["external_id"] for item in response.json["added"]] == ["T1059"]


def test_only_the_lead_plans(client, team, catalogue, mission):
    url = f"{API}/{mission['id']}/tests/from-layer"
    body = {"layer": THREAT_LAYER, "dry_run": True}

    assert client.post(url, json=body, headers=team.red).status_code == 403
    assert client.post(url, json=body, headers=team.outsider).status_code == 404
    assert client.post(url, json={"layer": "nope"}).status_code == 401


def test_from_group_plans_the_groups_techniques(app, client, admin_header, team, mission):
    sync(
        app,
        build_bundle(
            extra_objects=[
                group("G0016", "APT29", ["Cozy Bear"]),
                uses("G0016", "T1059"),
                uses("G0016", "T1566.001"),
            ]
        ),
    )
    make_library(client, admin_header)
    url = f"{API}/{mission['id']}/tests/from-group"

    preview = client.post(url, json={"group": "g0016", "dry_run": True}, headers=team.lead)
    done = client.post(url, json={"group": "G0016"}, headers=team.lead)
    unknown = client.post(url, json={"group": "G9999"}, headers=team.lead)

    assert preview.status_code == 200 and preview.json["added"] == [
        {**item, "test_id": None} for item in done.json["added"]
    ]
    assert [(item["external_id"], item["name"]) for item in done.json["added"]] == [
        ("T1059", "Script interpreter"),
        ("T1566.001", "T1566.001 Spearphishing Attachment"),
    ]
    assert len(mission_tests(client, team, mission)) == 2
    assert unknown.status_code == 422 and "G9999" in unknown.json["errors"]["group"][0]


def test_from_group_refuses_a_retired_group_saying_why(app, client, team, mission):
    # Such a group uses nothing in the catalogue: it was a 200 with an empty plan and no reason.
    sync(app, build_bundle(extra_objects=retired_groups()))
    url = f"{API}/{mission['id']}/tests/from-group"

    def errors(group_id: str) -> tuple[int, list[str]]:
        response = client.post(url, json={"group": group_id, "dry_run": True}, headers=team.lead)
        return response.status_code, response.json.get("errors", {}).get("group")

    assert errors("G0074") == (
        422,
        [
            "ATT&CK group G0074 (Dragonfly 2.0) is revoked in the synced ATT&CK release: it was "
            "replaced by G0035 (Dragonfly); use that group."
        ],
    )
    assert errors("G0099") == (
        422,
        ["ATT&CK group G0099 (Old Group) is revoked in the synced ATT&CK release."],
    )
    assert errors("g0014") == (
        422,
        [
            "ATT&CK group G0014 (Night Dragon) is deprecated in the synced ATT&CK release: it "
            "has no techniques."
        ],
    )
    assert errors("G0035")[0] == 200
    assert mission_tests(client, team, mission) == []


def test_a_deleted_template_is_neither_planned_nor_reported_skipped(
    client, team, catalogue, mission, admin_header
):
    """A library template deleted since is no candidate: its technique is planned as if the
    library had none (a bare test), and nothing is reported skipped because of it; where a live
    template is beside it, the live one alone is added."""
    ids = make_library(client, admin_header)
    extra = client.post(
        "/api/v1/test-templates",
        json={
            "name": "Old PowerShell",
            "mitre": [{"kind": "subtechnique", "external_id": "T1059.001"}],
        },
        headers=admin_header,
    ).json
    for template_id in (ids["Script interpreter"], extra["id"]):
        deleted = client.delete(f"/api/v1/test-templates/{template_id}", headers=admin_header)
        assert deleted.status_code == 204
    plan = layer({"techniqueID": "T1059"}, {"techniqueID": "T1059.001"})

    response = client.post(
        f"{API}/{mission['id']}/tests/from-layer", json={"layer": plan}, headers=team.lead
    )

    assert response.status_code == 200, response.json
    assert [(item["external_id"], item["name"]) for item in response.json["added"]] == [
        ("T1059", "T1059 Command and Scripting Interpreter"),
        ("T1059.001", "Encoded PowerShell"),
    ]
    assert response.json["skipped"] == []
