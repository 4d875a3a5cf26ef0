"""Archiving a mission makes it read-only; coverage keeps counting it exactly as before, and a
mission archive of an archived mission comes in archived (read-only) too."""

from __future__ import annotations

import pytest

from tests.coverage.test_archive import export_zip, upload
from tests.missions.conftest import evidence_dir

__all__ = ["evidence_dir"]  # the fixture, for this module's tests

API = "/api/v1/missions"


@pytest.fixture
def two_quarters(client, team, catalogue, make_mission, run, record_outcomes):
    """Q1 (an outcome per tool, a level set directly, a test missed) and Q2 after it."""
    q1, q2 = make_mission("Q1 purple week"), make_mission("Q2 purple week")
    powershell = run(q1, "PowerShell", ["T1059.001"], state="waiting_blue")
    record_outcomes(q1, powershell, {"EDR": "Alerted", "SIEM": "Logged"})
    run(q1, "Valid accounts", ["T1078"], level="Not detected")
    run(q1, "Phishing", ["T1566.001"], level="Prevented")
    run(q2, "PowerShell", ["T1059.001"], level="Prevented")
    run(q2, "Valid accounts", ["T1078"], level="Logged")
    return q1, q2


def coverage_views(client, headers, q1, q2) -> dict:
    """What the coverage pages, exports and the score over time read, for both missions."""
    one = f"{API}/{q1['id']}"

    def read(path, **query):
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == 200, (path, response.json)
        return response

    assert read(f"{one}/report").mimetype == "text/html"
    return {
        "mission coverage": read(f"{one}/coverage").json,
        "by tool": read(f"{one}/coverage", by="tool").json,
        "mission layer": read(f"{one}/navigator-layer").json,
        "csv": read(f"{one}/export", format="csv").data,
        "json tests": read(f"{one}/export", format="json").json["tests"],
        "organisation": read("/api/v1/coverage").json,
        "organisation layer": read("/api/v1/coverage/navigator-layer").json,
        "compare": read("/api/v1/coverage/compare", **{"from": q1["id"], "to": q2["id"]}).json,
        # The score over time is drawn from the mission list's scores.
        "scores": {item["name"]: item["progress"] for item in read(API).json["items"]},
    }


def test_coverage_counts_an_archived_mission_as_before(client, team, two_quarters):
    q1, q2 = two_quarters
    before = coverage_views(client, team.viewer, q1, q2)
    assert before["scores"]["Q1 purple week"]["score"] is not None
    assert before["compare"]["techniques"] and before["organisation"]["techniques"]

    archived = client.patch(f"{API}/{q1['id']}", json={"status": "archived"}, headers=team.lead)
    assert archived.status_code == 200

    assert coverage_views(client, team.viewer, q1, q2) == before


def test_an_archived_missions_archive_comes_in_archived_and_read_only(
    client, team, catalogue, mission, run
):
    run(mission, "PowerShell", ["T1059.001"], level="Alerted")
    url = f"{API}/{mission['id']}"
    assert client.patch(url, json={"status": "archived"}, headers=team.lead).status_code == 200

    imported = upload(client, team.lead, export_zip(client, team.lead, mission["id"]))

    assert imported.status_code == 201, imported.json
    new = f"{API}/{imported.json['id']}"
    assert client.get(new, headers=team.lead).json["status"] == "archived"
    refused = client.post(f"{new}/notes", json={"content": "x"}, headers=team.lead)
    assert refused.status_code == 409
    assert "is archived" in refused.json["detail"]
    # Its importer leads it, so they may reopen it.
    reopened = client.patch(new, json={"status": "completed"}, headers=team.lead)
    assert reopened.status_code == 200
    assert client.post(f"{new}/notes", json={"content": "x"}, headers=team.lead).status_code == 201
