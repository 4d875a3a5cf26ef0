"""Mission tests: state machine, field-level rights, If-Match, per-tool detections, retests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.missions.conftest import move


def url_of(mission, test=None) -> str:
    base = f"/api/v1/missions/{mission['id']}/tests"
    return f"{base}/{test['id']}" if test else base


def test_an_ad_hoc_test_with_tags_from_the_catalogue(client, team, mission, catalogue):
    response = client.post(
        url_of(mission),
        json={
            "name": "Run PowerShell",
            "procedure": "`powershell -enc …`",
            "platforms": ["windows"],
            "mitre": [
                {"kind": "subtechnique", "external_id": "T1059.001"},
                {"kind": "tactic", "external_id": "TA0002"},
            ],
        },
        headers=team.lead,
    )
    assert response.status_code == 201
    test = response.json
    assert test["state"] == "pending"
    assert test["position"] == 0
    assert [(t["kind"], t["external_id"], t["catalogue_state"]) for t in test["mitre"]] == [
        ("subtechnique", "T1059.001", "current"),
        ("tactic", "TA0002", "current"),
    ]
    assert test["mitre"][0]["url"].startswith("https://attack.mitre.org/")


def test_an_unknown_technique_is_422_naming_it(client, team, mission, catalogue):
    response = client.post(
        url_of(mission),
        json={"name": "x", "mitre": [{"kind": "technique", "external_id": "T9999"}]},
        headers=team.lead,
    )
    assert response.status_code == 422
    assert "T9999" in response.json["detail"]


def test_a_revoked_or_deprecated_tag_is_refused_on_an_ad_hoc_test(client, team, mission, catalogue):
    """Ad hoc tests took tags ATT&CK has revoked or deprecated, while templates refuse them:
    now the same 422 names each (and the replacement of a revoked one), nothing is added. A
    template tagged before a sync retired its tag still copies into the mission as it is."""

    def post(*tags):
        return client.post(
            url_of(mission),
            json={
                "name": "Old PowerShell",
                "mitre": [{"kind": kind, "external_id": id_} for kind, id_ in tags],
            },
            headers=team.lead,
        )

    revoked = post(("technique", "t1086"), ("subtechnique", "T1059.001"))
    assert revoked.status_code == 422, revoked.json
    assert revoked.json["errors"]["mitre"] == [
        "Technique T1086 (PowerShell) is revoked in ATT&CK: tag T1059.001, which replaced it."
    ]
    assert "T1086" in revoked.json["detail"]
    deprecated = post(("technique", "T1064"), ("subtechnique", "T1059.999"))
    assert deprecated.status_code == 422
    assert deprecated.json["errors"]["mitre"] == [
        "Technique T1064 (Scripting) is deprecated in ATT&CK.",
        "Sub-technique T1059.999 (Old Shell) is deprecated in ATT&CK.",
    ]
    assert client.get(url_of(mission), headers=team.lead).json["total"] == 0
    # The live replacement is taken; a test has no PATCH of its tags to slip one in by.
    live = post(("subtechnique", "T1059.001"))
    assert live.status_code == 201, live.json
    patched = client.patch(
        url_of(mission, live.json),
        json={"mitre": [{"kind": "technique", "external_id": "T1086"}]},
        headers=team.lead,
    )
    assert patched.status_code == 422
    assert "mitre" in patched.json["errors"]


def test_an_ad_hoc_test_needs_a_name(client, team, mission):
    response = client.post(url_of(mission), json={"procedure": "x"}, headers=team.lead)
    assert response.status_code == 422
    assert "name" in response.json["errors"]


def test_only_the_lead_adds_tests(client, team, mission):
    for role in ("red", "blue", "viewer"):
        response = client.post(url_of(mission), json={"name": "x"}, headers=getattr(team, role))
        assert response.status_code == 403


def test_the_state_machine(client, team, mission, add_test):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    invalid = client.patch(url, json={"state": "completed"}, headers=team.red)
    assert invalid.status_code == 409
    assert "pending" in invalid.json["detail"] and "completed" in invalid.json["detail"]

    waiting = move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    assert waiting.json["state"] == "waiting_blue"
    assert waiting.json["executed_at"] is not None
    assert waiting.json["executed_by"] == team.ids["red"]

    done = move(client, mission["id"], test["id"], team.lead, "completed")
    assert done.json["state"] == "completed"
    reopened = move(client, mission["id"], test["id"], team.red, "in_progress")
    assert reopened.json["state"] == "in_progress"
    move(client, mission["id"], test["id"], team.red, "cancelled")
    stuck = client.patch(url, json={"state": "pending"}, headers=team.red)
    assert stuck.status_code == 409
    assert "cancelled" in stuck.json["detail"]


@pytest.mark.parametrize(
    ("role", "body", "forbidden"),
    [
        ("blue", {"state": "in_progress"}, ["state"]),
        ("blue", {"red_notes": "x", "detection_notes": "y"}, ["red_notes"]),
        ("red", {"detection_notes": "seen", "red_notes": "ran"}, ["detection_notes"]),
        ("red", {"name": "Renamed"}, ["name"]),
        ("blue", {"procedure": "x"}, ["procedure"]),
    ],
)
def test_a_field_the_role_may_not_write_is_403_naming_it(
    client, team, mission, add_test, role, body, forbidden
):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    response = client.patch(url, json=body, headers=getattr(team, role))
    assert response.status_code == 403
    assert sorted(response.json["errors"]) == forbidden
    for field in forbidden:
        assert field in response.json["detail"]
    after = client.get(url, headers=team.lead).json
    assert after["version"] == test["version"]
    assert after["red_notes"] is None and after["detection_notes"] is None


def test_a_viewer_may_change_no_field_and_is_told_so_before_any_is_read(
    client, team, mission, add_test
):
    """A viewer writes no field at all: 403 for the whole change, before the body is read (so
    its fields are not named, as a malformed one would not be)."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    response = client.patch(
        url, json={"red_notes": "x", "detection_notes": "y"}, headers=team.viewer
    )
    assert response.status_code == 403
    assert response.json["detail"] == "Your role in this mission (viewer) may not change its tests."
    after = client.get(url, headers=team.lead).json
    assert after["version"] == test["version"]
    assert after["red_notes"] is None and after["detection_notes"] is None


def test_each_role_writes_its_own_fields(client, team, mission, add_test, levels):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    red = client.patch(
        url,
        json={
            "source_host": "kali-01",
            "target_host": "WS-042",
            "command_executed": "whoami /all",
            "execution_result": "success",
            "executed_at": "2026-11-30T10:00:00+00:00",
        },
        headers=team.red,
    )
    assert red.status_code == 200
    assert red.json["executed_by"] == team.ids["red"]
    blue = client.patch(
        url,
        json={
            "detection_level_id": levels["Logged"],
            "detected_at": "2026-11-30T10:02:30+00:00",
            "detection_refs": ["SIEM-4104"],
        },
        headers=team.blue,
    )
    assert blue.status_code == 200
    assert blue.json["time_to_detect_s"] == 150
    lead = client.patch(url, json={"name": "Renamed", "red_notes": "fixed"}, headers=team.lead)
    assert lead.status_code == 200
    assert (lead.json["name"], lead.json["red_notes"]) == ("Renamed", "fixed")


def test_a_stale_if_match_is_412_and_changes_nothing(client, team, mission, add_test):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    first = client.patch(url, json={"red_notes": "one"}, headers={**team.red, "If-Match": '"1"'})
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    stale = client.patch(
        url, json={"detection_notes": "two"}, headers={**team.blue, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert client.get(url, headers=team.lead).json["detection_notes"] is None


def test_unknown_level_or_tool_is_422(client, team, mission, add_test):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    missing = "6d0b1f0e-1111-4f00-8000-000000000000"
    response = client.patch(url, json={"detection_level_id": missing}, headers=team.blue)
    assert response.status_code == 422
    assert "detection_level_id" in response.json["errors"]
    response = client.patch(url, json={"expected_tool_ids": [missing]}, headers=team.blue)
    assert response.status_code == 422
    assert "expected_tool_ids" in response.json["errors"]


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("0001-01-01T00:00:00+14:00", "Not a time between the years 1 and 9999 in UTC."),
        ("9999-12-31T23:59:59-14:00", "Not a time between the years 1 and 9999 in UTC."),
        ("2026-12-01T10:00:00", "Not a valid aware datetime."),
    ],
)
def test_a_time_without_an_offset_or_beyond_the_years_is_422_and_changes_nothing(
    client, team, mission, add_test, tools, levels, sent, message
):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    detection = [{"tool_id": tools["EDR"], "detection_level_id": levels["Logged"]}]

    executed = client.patch(url, json={"executed_at": sent}, headers=team.red)
    detected = client.patch(url, json={"detected_at": sent}, headers=team.blue)
    per_tool = client.put(
        f"{url}/detections", json=[{**detection[0], "detected_at": sent}], headers=team.blue
    )

    assert executed.status_code == 422 and executed.json["errors"] == {"executed_at": [message]}
    assert detected.status_code == 422 and detected.json["errors"] == {"detected_at": [message]}
    assert per_tool.status_code == 422 and "detected_at" in str(per_tool.json["errors"])
    after = client.get(url, headers=team.lead).json
    assert after["version"] == test["version"] and after["executed_at"] is None


def test_a_detection_before_the_execution_is_422_and_changes_nothing(
    client, team, mission, add_test, tools, levels
):
    """A negative time to detect is a wrong time: the one written is refused, naming it."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    executed = {"executed_at": "2026-11-30T10:00:00+00:00"}
    assert client.patch(url, json=executed, headers=team.red).status_code == 200
    version = client.get(url, headers=team.lead).json["version"]

    detected = client.patch(url, json={"detected_at": "2026-11-30T09:59:00Z"}, headers=team.blue)
    per_tool = client.put(
        f"{url}/detections",
        json=[
            {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]},
            {
                "tool_id": tools["SIEM"],
                "detection_level_id": levels["Logged"],
                "detected_at": "2026-11-30T04:59:00-05:00",  # 09:59 UTC
            },
        ],
        headers=team.blue,
    )

    assert detected.status_code == 422 and list(detected.json["errors"]) == ["detected_at"]
    assert "before the execution" in detected.json["detail"]
    # Blue may not change red's execution time: the message says who can.
    assert "red or the mission's lead can correct it" in detected.json["detail"]
    assert per_tool.status_code == 422 and list(per_tool.json["errors"]) == ["1.detected_at"]
    assert "red or the mission's lead" in per_tool.json["errors"]["1.detected_at"][0]
    as_lead = client.patch(url, json={"detected_at": "2026-11-30T09:59:00Z"}, headers=team.lead)
    assert as_lead.status_code == 422 and "correct the time that is wrong" in as_lead.json["detail"]
    after = client.get(url, headers=team.lead).json
    assert after["version"] == version
    assert (after["detected_at"], after["detections"]) == (None, [])

    # Once detected at 10:05, moving the execution after it is refused the same way.
    fine = client.patch(url, json={"detected_at": "2026-11-30T10:05:00Z"}, headers=team.blue)
    assert fine.status_code == 200 and fine.json["time_to_detect_s"] == 300
    moved = client.patch(url, json={"executed_at": "2026-11-30T10:06:00Z"}, headers=team.red)
    assert moved.status_code == 422 and list(moved.json["errors"]) == ["executed_at"]


def test_a_detection_before_the_execution_names_both_times_as_people_read_them(
    client, team, mission, add_test, tools, levels
):
    """Red hands the test over (its execution stamped then, to the microsecond); blue types the
    minute they saw the alert. The 422 said "The detection (2026-12-03T09:12:00+00:00) is
    before the execution (2026-12-03T09:12:44.123456+00:00)", which the SPA showed as is. The
    times now read as a date and a time to the second, in UTC, saying so."""
    test = add_test(mission["id"])
    handed = move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    executed = datetime.fromisoformat(handed.json["executed_at"])
    typed = executed.replace(second=0, microsecond=0)
    if executed.second == 0:  # the typed minute must be before the execution, to the second
        typed -= timedelta(minutes=1)

    per_tool = client.put(
        f"{url_of(mission, test)}/detections",
        json=[
            {
                "tool_id": tools["EDR"],
                "detection_level_id": levels["Alerted"],
                "detected_at": typed.isoformat(),
            }
        ],
        headers=team.blue,
    )

    assert per_tool.status_code == 422, per_tool.json
    readable = "%Y-%m-%d %H:%M:%S UTC"
    assert per_tool.json["errors"]["0.detected_at"][0].startswith(
        f"The detection ({typed.astimezone(UTC).strftime(readable)}) is before the execution "
        f"({executed.astimezone(UTC).strftime(readable)}); "
    )


def test_a_detection_a_fraction_of_a_second_early_shows_the_fraction(
    client, team, mission, add_test
):
    """Two times within one second would read alike: then the milliseconds say which is first."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    executed = {"executed_at": "2026-11-30T10:00:00.750+00:00"}
    assert client.patch(url, json=executed, headers=team.red).status_code == 200

    detected = client.patch(url, json={"detected_at": "2026-11-30T10:00:00.25Z"}, headers=team.blue)

    assert detected.status_code == 422, detected.json
    assert detected.json["detail"].startswith(
        "The detection (2026-11-30 10:00:00.250 UTC) is before the execution "
        "(2026-11-30 10:00:00.750 UTC); "
    )


def test_a_time_in_the_future_says_when_as_people_read_it(client, team, mission, add_test):
    test = add_test(mission["id"])
    later = datetime(2099, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    detected = client.patch(
        url_of(mission, test), json={"detected_at": later.isoformat()}, headers=team.blue
    )

    assert detected.status_code == 422, detected.json
    assert detected.json["errors"] == {"detected_at": ["2099-01-02 03:04:05 UTC is in the future."]}


def test_a_time_in_the_future_is_422(client, team, mission, add_test, tools, levels):
    """2036 typed for 2026 would stay the latest outcome across missions for ten years."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    soon = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()  # a clock a little ahead

    executed = client.patch(url, json={"executed_at": later}, headers=team.red)
    detected = client.patch(url, json={"detected_at": later}, headers=team.blue)
    per_tool = client.put(
        f"{url}/detections",
        json=[
            {"tool_id": tools["EDR"], "detection_level_id": levels["Logged"], "detected_at": later}
        ],
        headers=team.blue,
    )

    assert (
        executed.status_code == 422 and "in the future" in executed.json["errors"]["executed_at"][0]
    )
    assert (
        detected.status_code == 422 and "in the future" in detected.json["errors"]["detected_at"][0]
    )
    assert per_tool.status_code == 422 and list(per_tool.json["errors"]) == ["0.detected_at"]
    assert client.get(url, headers=team.lead).json["executed_at"] is None
    assert client.patch(url, json={"executed_at": soon}, headers=team.red).status_code == 200


def test_an_outcome_names_its_tool_as_it_is_now_deleted_or_not(
    client, team, mission, add_test, tools, levels, admin_header
):
    """An outcome carried only its `tool_id`, and the SPA knows only live tools: one of a tool
    deleted since read "Deleted tool". Each outcome now names its tool (its current name and
    layer, and whether it was deleted), in the test, the list and the answer to a save, even
    when a new live tool took the deleted one's name."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    body = [
        {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]},
        {"tool_id": tools["NDR"], "detection_level_id": levels["Logged"]},
    ]
    assert client.put(f"{url}/detections", json=body, headers=team.blue).status_code == 200
    ndr = f"/api/v1/defense-tools/{tools['NDR']}"
    etag = client.get(ndr, headers=admin_header).headers["ETag"]
    renamed = client.patch(
        ndr, json={"name": "Zeek sensors"}, headers={**admin_header, "If-Match": etag}
    )
    assert renamed.status_code == 200
    deleted = client.delete(ndr, headers={**admin_header, "If-Match": renamed.headers["ETag"]})
    assert deleted.status_code == 204
    replacement = client.post(
        "/api/v1/defense-tools",
        json={"name": "Zeek sensors", "layer": "ndr"},
        headers=admin_header,
    )
    assert replacement.status_code == 201

    expected = [
        {"tool_id": tools["EDR"], "tool_name": "EDR", "tool_layer": "edr", "tool_deleted": False},
        {
            "tool_id": tools["NDR"],
            "tool_name": "Zeek sensors",
            "tool_layer": "ndr",
            "tool_deleted": True,
        },
    ]

    def named(detections):
        return [{key: d[key] for key in expected[0]} for d in detections]

    assert named(client.get(url, headers=team.viewer).json["detections"]) == expected
    (item,) = client.get(url_of(mission), headers=team.viewer).json["items"]
    assert named(item["detections"]) == expected
    saved = client.put(f"{url}/detections", json=body[::-1], headers=team.blue)
    assert saved.status_code == 200, saved.json
    assert named(saved.json["detections"]) == expected[::-1]


def test_blue_saves_its_fields_with_an_expected_tool_deleted_since(
    client, team, mission, add_test, tools, admin_header
):
    """Blue expected the EDR and the NDR; an admin retired the NDR. The drawer sends the
    expected tools back with every save of the blue fields, and that was 422 "Unknown defense
    tool", so blue could no longer save its notes. A tool already expected stays, as a
    deleted tool's outcome does; a deleted tool newly added is still refused."""
    test = add_test(mission["id"])
    url = url_of(mission, test)
    expected = {"expected_tool_ids": [tools["EDR"], tools["NDR"]]}
    assert client.patch(url, json=expected, headers=team.blue).status_code == 200
    for name in ("NDR", "SIEM"):
        tool = f"/api/v1/defense-tools/{tools[name]}"
        etag = client.get(tool, headers=admin_header).headers["ETag"]
        deleted = client.delete(tool, headers={**admin_header, "If-Match": etag})
        assert deleted.status_code == 204

    saved = client.patch(
        url, json={**expected, "detection_notes": "EDR alerted at 10:03"}, headers=team.blue
    )

    assert saved.status_code == 200, saved.json
    assert saved.json["expected_tool_ids"] == [tools["EDR"], tools["NDR"]]
    assert saved.json["detection_notes"] == "EDR alerted at 10:03"
    added = {"expected_tool_ids": [tools["EDR"], tools["NDR"], tools["SIEM"]]}
    refused = client.patch(url, json=added, headers=team.blue)
    assert refused.status_code == 422
    assert refused.json["errors"]["expected_tool_ids"] == [f"No live defense tool {tools['SIEM']}."]
    dropped = client.patch(url, json={"expected_tool_ids": [tools["EDR"]]}, headers=team.blue)
    assert dropped.json["expected_tool_ids"] == [tools["EDR"]]


def test_per_tool_detections_derive_the_level(client, team, mission, add_test, tools, levels):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    expected = client.patch(
        url,
        json={"expected_tool_ids": [tools["EDR"], tools["NDR"], tools["SIEM"]]},
        headers=team.blue,
    )
    assert expected.status_code == 200
    assert set(expected.json["silent_tool_ids"]) == {tools["EDR"], tools["NDR"], tools["SIEM"]}
    body = [
        {
            "tool_id": tools["EDR"],
            "detection_level_id": levels["Alerted"],
            "rule_ref": "EDR-77",
            "detected_at": "2026-11-30T10:05:00+00:00",
        },
        {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
        {
            "tool_id": tools["SIEM"],
            "detection_level_id": levels["Logged"],
            "detected_at": "2026-11-30T10:03:00+00:00",
            "notes": "4104 event",
        },
    ]
    assert client.put(f"{url}/detections", json=body, headers=team.red).status_code == 403
    assert client.put(f"{url}/detections", json=body, headers=team.viewer).status_code == 403
    response = client.put(f"{url}/detections", json=body, headers=team.blue)
    assert response.status_code == 200
    recorded = response.json
    assert recorded["detection_level_id"] == levels["Alerted"]
    assert recorded["detected_at"].startswith("2026-11-30T10:03:00")
    assert {(d["tool_id"], d["detection_level_id"]) for d in recorded["detections"]} == {
        (tools["EDR"], levels["Alerted"]),
        (tools["NDR"], levels["Not detected"]),
        (tools["SIEM"], levels["Logged"]),
    }
    assert recorded["silent_tool_ids"] == [tools["NDR"]]
    # The level is derived: setting it by hand now conflicts.
    direct = client.patch(url, json={"detection_level_id": levels["Prevented"]}, headers=team.blue)
    assert direct.status_code == 409
    # Replacing the records re-derives the level.
    again = client.put(
        f"{url}/detections",
        json=[{"tool_id": tools["EDR"], "detection_level_id": levels["Logged"]}],
        headers=team.lead,
    )
    assert again.status_code == 200, again.json
    assert again.json["detection_level_id"] == levels["Logged"]
    assert len(again.json["detections"]) == 1


def test_outcomes_come_back_in_the_order_sent(client, team, mission, add_test, tools, levels):
    url = url_of(mission, add_test(mission["id"]))
    for order in (["SIEM", "EDR", "NDR"], ["NDR", "SIEM", "EDR"], ["EDR", "NDR", "SIEM"]):
        body = [{"tool_id": tools[name], "detection_level_id": levels["Logged"]} for name in order]
        saved = client.put(f"{url}/detections", json=body, headers=team.blue)
        assert saved.status_code == 200, saved.json
        read = client.get(url, headers=team.viewer).json["detections"]
        assert [d["tool_id"] for d in saved.json["detections"]] == [tools[n] for n in order]
        assert [d["tool_id"] for d in read] == [tools[n] for n in order]


def test_a_null_scored_level_counts_only_alone(client, team, mission, add_test, tools, levels):
    test = add_test(mission["id"])
    url = f"{url_of(mission, test)}/detections"
    both = [
        {"tool_id": tools["EDR"], "detection_level_id": levels["Not applicable"]},
        {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
    ]
    assert (
        client.put(url, json=both, headers=team.blue).json["detection_level_id"]
        == (levels["Not detected"])
    )
    alone = [{"tool_id": tools["EDR"], "detection_level_id": levels["Not applicable"]}]
    assert (
        client.put(url, json=alone, headers=team.blue).json["detection_level_id"]
        == (levels["Not applicable"])
    )


def test_bad_detections_are_422_and_change_nothing(client, team, mission, add_test, tools, levels):
    test = add_test(mission["id"])
    url = f"{url_of(mission, test)}/detections"
    twice = [
        {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]},
        {"tool_id": tools["EDR"], "detection_level_id": levels["Logged"]},
    ]
    response = client.put(url, json=twice, headers=team.blue)
    assert response.status_code == 422
    assert "tool_id" in response.json["errors"]
    missing = "6d0b1f0e-1111-4f00-8000-000000000000"
    unknown = [{"tool_id": tools["EDR"], "detection_level_id": missing}]
    response = client.put(url, json=unknown, headers=team.blue)
    assert response.status_code == 422
    assert "detection_level_id" in response.json["errors"]
    after = client.get(url_of(mission, test), headers=team.lead).json
    assert after["detections"] == [] and after["version"] == test["version"]


def test_retest_makes_a_linked_pending_copy(client, team, mission, add_test, tools, levels):
    test = add_test(mission["id"], expected_detection="EDR alert", expected_tool_ids=[tools["EDR"]])
    move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    client.put(
        f"{url_of(mission, test)}/detections",
        json=[{"tool_id": tools["EDR"], "detection_level_id": levels["Not detected"]}],
        headers=team.blue,
    )
    move(client, mission["id"], test["id"], team.lead, "completed")
    assert client.post(f"{url_of(mission, test)}/retest", headers=team.blue).status_code == 403
    response = client.post(f"{url_of(mission, test)}/retest", headers=team.red)
    assert response.status_code == 201
    run = response.json
    assert run["retest_of_id"] == test["id"]
    assert run["state"] == "pending"
    assert run["detections"] == [] and run["detection_level_id"] is None
    assert run["expected_tool_ids"] == [tools["EDR"]]
    assert run["expected_detection"] == "EDR alert"
    assert run["is_latest"] is True
    old = client.get(url_of(mission, test), headers=team.lead).json
    assert old["is_latest"] is False
    assert old["state"] == "completed" and len(old["detections"]) == 1
    again = client.post(f"{url_of(mission, test)}/retest", headers=team.red)
    assert again.status_code == 409
    latest = client.get(f"{url_of(mission)}?latest=true", headers=team.lead).json
    assert [t["id"] for t in latest["items"]] == [run["id"]]


def test_the_score_uses_the_latest_completed_runs(client, team, mission, add_test, levels):
    def complete(test, level):
        move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
        client.patch(
            url_of(mission, test), json={"detection_level_id": levels[level]}, headers=team.blue
        )
        move(client, mission["id"], test["id"], team.lead, "completed")

    missed = add_test(mission["id"], "Missed first")
    complete(missed, "Not detected")
    complete(add_test(mission["id"], "Prevented"), "Prevented")
    complete(add_test(mission["id"], "N/A"), "Not applicable")
    assert (
        client.get(f"/api/v1/missions/{mission['id']}", headers=team.lead).json["progress"]["score"]
        == 50.0
    )
    retest = client.post(f"{url_of(mission, missed)}/retest", headers=team.red).json
    complete(retest, "Alerted")
    progress = client.get(f"/api/v1/missions/{mission['id']}", headers=team.lead).json["progress"]
    assert progress["score"] == 87.5
    assert progress["tests_total"] == 4


def test_filters(client, team, mission, add_test, catalogue, levels):
    powershell = add_test(
        mission["id"], "PowerShell", mitre=[{"kind": "subtechnique", "external_id": "T1059.001"}]
    )
    phishing = add_test(
        mission["id"], "Phishing 100%", mitre=[{"kind": "technique", "external_id": "T1566"}]
    )
    add_test(mission["id"], "Untagged")
    client.patch(
        url_of(mission, phishing), json={"detection_level_id": levels["Logged"]}, headers=team.blue
    )
    move(client, mission["id"], powershell["id"], team.red, "in_progress")

    def names(query: str) -> list[str]:
        response = client.get(f"{url_of(mission)}?{query}", headers=team.viewer)
        assert response.status_code == 200, response.json
        return [t["name"] for t in response.json["items"]]

    assert names("technique=T1059") == ["PowerShell"]
    assert names("technique=T1059.001") == ["PowerShell"]  # as the library's `technique=`
    assert names("technique=T1059.003") == []
    assert names("technique=t1566") == ["Phishing 100%"]
    assert names("technique=T105_") == []  # no wildcard in an ATT&CK id
    assert names("technique=T1059&state=in_progress") == ["PowerShell"]
    assert names("technique=T1059&state=pending") == []
    assert names("tactic=TA0002") == ["PowerShell"]
    assert names("tactic=TA0001") == ["Phishing 100%"]
    assert names("state=in_progress") == ["PowerShell"]
    assert names(f"detection_level={levels['Logged']}") == ["Phishing 100%"]
    assert names("q=100%25") == ["Phishing 100%"]
    assert names("sort=-name") == ["Untagged", "PowerShell", "Phishing 100%"]
    assert client.get(f"{url_of(mission)}?sort=secret", headers=team.lead).status_code == 422


def test_reorder(client, team, mission, add_test):
    tests = [add_test(mission["id"], name) for name in ("A", "B", "C")]
    order = [tests[2]["id"], tests[0]["id"], tests[1]["id"]]
    url = f"{url_of(mission)}/order"
    assert client.put(url, json={"test_ids": order}, headers=team.red).status_code == 403
    assert client.put(url, json={"test_ids": order[:2]}, headers=team.lead).status_code == 422
    assert client.put(url, json={"test_ids": order}, headers=team.lead).status_code == 204
    items = client.get(url_of(mission), headers=team.lead).json["items"]
    assert [(t["name"], t["position"]) for t in items] == [("C", 0), ("A", 1), ("B", 2)]


def test_remove_and_restore_a_test(client, team, mission, add_test):
    test = add_test(mission["id"])
    url = url_of(mission, test)
    assert client.delete(url, headers=team.red).status_code == 403
    assert client.delete(url, headers=team.lead).status_code == 204
    assert client.get(url, headers=team.lead).status_code == 404
    assert client.get(url_of(mission), headers=team.lead).json["total"] == 0
    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200
    assert client.get(url, headers=team.red).status_code == 200


def test_a_removed_retest_is_not_restored_beside_a_newer_retest(client, team, mission, add_test):
    test = add_test(mission["id"])
    first_retest = client.post(f"{url_of(mission, test)}/retest", headers=team.lead).json
    assert client.delete(url_of(mission, first_retest), headers=team.lead).status_code == 204
    second_retest = client.post(f"{url_of(mission, test)}/retest", headers=team.lead).json

    restored = client.post(f"{url_of(mission, first_retest)}/restore", headers=team.lead)

    # Before: 200, and the test had two latest runs (both counted in coverage).
    assert restored.status_code == 409
    assert "retested again" in restored.json["detail"]
    runs = client.get(url_of(mission), headers=team.lead).json["items"]
    assert [(run["id"], run["is_latest"]) for run in runs if run["is_latest"]] == [
        (second_retest["id"], True)
    ]
    # Once the newer retest is removed, the first one comes back as the latest run.
    assert client.delete(url_of(mission, second_retest), headers=team.lead).status_code == 204
    again = client.post(f"{url_of(mission, first_retest)}/restore", headers=team.lead)
    assert again.status_code == 200 and again.json["is_latest"] is True


def test_each_list_item_is_what_get_by_id_answers(
    client, team, mission, add_test, catalogue, tools, levels
):
    """The list selects its columns, tags and outcomes as rows; each item must still be the
    test as GET by id answers it: tags with their catalogue state, per-tool outcomes, silent
    tools, time to detect, the latest run, deleted tests."""
    tagged = add_test(
        mission["id"],
        "Tagged",
        mitre=[
            {"kind": "subtechnique", "external_id": "T1059.001"},
            {"kind": "tactic", "external_id": "TA0002"},
        ],
        expected_tool_ids=[tools["EDR"], tools["NDR"], tools["SIEM"]],
    )
    move(client, mission["id"], tagged["id"], team.red, "in_progress")
    client.patch(
        url_of(mission, tagged),
        json={"executed_at": "2026-11-30T10:00:00+00:00", "state": "waiting_blue"},
        headers=team.red,
    )
    client.put(
        f"{url_of(mission, tagged)}/detections",
        json=[
            {
                "tool_id": tools["EDR"],
                "detection_level_id": levels["Alerted"],
                "detected_at": "2026-11-30T10:05:30+00:00",
                "rule_ref": "EDR-77",
            },
            {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
        ],
        headers=team.blue,
    )
    move(client, mission["id"], tagged["id"], team.lead, "completed")
    client.post(f"{url_of(mission, tagged)}/retest", headers=team.red)
    gone = add_test(mission["id"], "Removed")
    assert client.delete(url_of(mission, gone), headers=team.lead).status_code == 204
    add_test(mission["id"], "Plain")

    page = client.get(f"{url_of(mission)}?include_deleted=true", headers=team.lead).json
    assert page["total"] == 4
    for item in page["items"]:
        one = client.get(f"{url_of(mission)}/{item['id']}?include_deleted=true", headers=team.lead)
        assert item == one.json
    first = page["items"][0]
    assert first["name"] == "Tagged" and first["is_latest"] is False
    assert [tag["catalogue_state"] for tag in first["mitre"]] == ["current", "current"]
    assert {d["rule_ref"] for d in first["detections"]} == {"EDR-77", None}
    assert first["silent_tool_ids"] == [tools["NDR"], tools["SIEM"]]
    assert first["time_to_detect_s"] == 330


def test_a_retest_chain_is_removed_latest_first_and_restored_earliest_first(
    client, team, mission, catalogue, levels
):
    """Run A, retest B, retest C. Removing B made A, whose retest was gone, a latest run again
    beside C: the list's `latest=true`, the coverage and the export counted both. A run with a
    newer run is now removed only after it (409 naming it), and a run comes back only after
    the run it retests."""
    mitre = [{"kind": "technique", "external_id": "T1059"}]
    a = client.post(url_of(mission), json={"name": "Cradle", "mitre": mitre}, headers=team.lead)
    runs = {"A": a.json}
    for run, level in (("A", "Not detected"), ("B", "Alerted"), ("C", "Prevented")):
        if run != "A":
            earlier = runs[chr(ord(run) - 1)]
            runs[run] = client.post(f"{url_of(mission, earlier)}/retest", headers=team.lead).json
        move(client, mission["id"], runs[run]["id"], team.lead, "in_progress", "waiting_blue")
        body = {"state": "completed", "detection_level_id": levels[level]}
        done = client.patch(url_of(mission, runs[run]), json=body, headers=team.lead)
        assert done.status_code == 200, done.json
    a, b, c = runs["A"], runs["B"], runs["C"]

    def latest() -> list[str]:
        items = client.get(f"{url_of(mission)}?latest=true", headers=team.lead).json["items"]
        return [item["name"] + ":" + item["id"] for item in items]

    def score() -> float:
        return client.get(f"/api/v1/missions/{mission['id']}/coverage", headers=team.lead).json[
            "score"
        ]

    refused = client.delete(url_of(mission, b), headers=team.lead)

    assert refused.status_code == 409
    assert c["id"] in refused.json["detail"] and "latest run" in refused.json["detail"]
    assert latest() == [f"Cradle:{c['id']}"]
    assert score() == 100.0  # C's Prevented alone, not the mean with A's Not detected
    assert client.delete(url_of(mission, a), headers=team.lead).status_code == 409

    # Latest first: C, then B; A is the latest run again, alone.
    assert client.delete(url_of(mission, c), headers=team.lead).status_code == 204
    assert client.delete(url_of(mission, b), headers=team.lead).status_code == 204
    assert latest() == [f"Cradle:{a['id']}"] and score() == 0.0

    # C cannot come back before B: A and C would both be latest.
    early = client.post(f"{url_of(mission, c)}/restore", headers=team.lead)
    assert early.status_code == 409 and "restore it first" in early.json["detail"]
    assert latest() == [f"Cradle:{a['id']}"]
    assert client.post(f"{url_of(mission, b)}/restore", headers=team.lead).status_code == 200
    assert latest() == [f"Cradle:{b['id']}"] and score() == 75.0
    assert client.post(f"{url_of(mission, c)}/restore", headers=team.lead).status_code == 200
    assert latest() == [f"Cradle:{c['id']}"] and score() == 100.0
