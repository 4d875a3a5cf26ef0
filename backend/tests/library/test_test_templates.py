"""Test templates over HTTP: CRUD with MITRE tags, filters, PATCH, versions, soft delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.library.conftest import LIBRARY_PERMISSIONS
from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, revoked_by, technique
from violet.core.models import including_deleted
from violet.extensions import db
from violet.library.models import TestTemplate, TestTemplateMitreTag

URL = "/api/v1/test-templates"


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


# --- create and read -----------------------------------------------------------------------------


def test_create_a_template_with_two_mitre_tags(client, lead, catalogue):
    response = client.post(
        URL,
        json={
            "name": "Encoded PowerShell",
            "description": "Runs `IEX` from an encoded command.",
            "procedure": "powershell -enc ...",
            "platforms": ["windows", "windows"],
            "opsec_level": "medium",
            "tags": ["lolbin"],
            "references": ["https://attack.mitre.org/techniques/T1059/001/"],
            "mitre": [
                {"kind": "subtechnique", "external_id": "t1059.001"},
                {"kind": "tactic", "external_id": "TA0002"},
            ],
        },
        headers=lead,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["ETag"] == '"1"'
    assert body["version"] == 1
    assert body["platforms"] == ["windows"]
    assert body["mitre"] == [
        {
            "kind": "tactic",
            "external_id": "TA0002",
            "name": "Execution",
            "url": "https://attack.mitre.org/tactics/TA0002",
        },
        {
            "kind": "subtechnique",
            "external_id": "T1059.001",
            "name": "PowerShell",
            "url": "https://attack.mitre.org/techniques/T1059/001",
        },
    ]
    assert body["created_by"] is not None and body["created_by"] == body["updated_by"]
    fetched = client.get(f"{URL}/{body['id']}", headers=lead)
    assert fetched.json == body
    assert fetched.headers["ETag"] == '"1"'


def test_unknown_and_wrong_kind_mitre_ids_are_422_naming_each(client, lead, catalogue):
    response = client.post(
        URL,
        json={
            "name": "x",
            "mitre": [
                {"kind": "technique", "external_id": "T1059.001"},
                {"kind": "technique", "external_id": "T9999"},
                {"kind": "tactic", "external_id": "T1059"},
                {"kind": "subtechnique", "external_id": "T1059.003"},
            ],
        },
        headers=lead,
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {
        "mitre": [
            "T1059.001 is a sub-technique id, not a technique id.",
            "Unknown technique: T9999.",
            "T1059 is a technique id, not a tactic id.",
        ]
    }
    anywhere = select(TestTemplate.id).execution_options(all_workspaces=True)
    assert db.session.scalar(anywhere) is None, "nothing written"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "x", "platforms": ["amiga"]}, "platforms.0"),
        ({"name": "x", "opsec_level": "extreme"}, "opsec_level"),
        ({"name": "x", "tags": ["t" * 51]}, "tags.0"),
        ({"name": "x", "references": ["javascript:alert(1)"]}, "references.0"),
        ({"name": "x", "mitre": [{"kind": "group", "external_id": "G0016"}]}, "mitre.0.kind"),
        ({"name": "x", "owner": "me"}, "owner"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, lead, body, field):
    response = client.post(URL, json=body, headers=lead)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_non_finite_argument_default_is_422_naming_it(client, lead):
    # Flask's JSON parser reads NaN, which the JSONB column refuses (it was a 500).
    body = b'{"name": "x", "input_arguments": [{"name": "n", "default": NaN}]}'
    response = client.post(URL, data=body, headers={**lead, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json["errors"] == {
        "input_arguments.0.default": ["Not a finite number (JSON has no NaN or infinity)."]
    }


@pytest.mark.parametrize(
    "arguments, field, message",
    [
        (
            [{"name": "host", "default": "a"}, {"name": "host", "default": "b"}],
            "input_arguments",
            "Each argument name must be unique; given more than once: host.",
        ),
        (
            [{"name": "hosts", "default": ["a", "b"]}],
            "input_arguments.0.default",
            "Must be a string, a number or a boolean.",
        ),
        (
            [{"name": "opts", "default": {"verbose": True}}],
            "input_arguments.0.default",
            "Must be a string, a number or a boolean.",
        ),
    ],
)
def test_an_ambiguous_or_unusable_argument_is_422_and_nothing_written(
    client, lead, make_template, arguments, field, message
):
    # Two `#{host}` arguments, or a default no command line can take, were stored as given.
    template = make_template("Ping sweep", input_arguments=[{"name": "host", "default": "ws-1"}])
    etag = {"If-Match": '"1"'}

    created = client.post(URL, json={"name": "x", "input_arguments": arguments}, headers=lead)
    changed = client.patch(
        f"{URL}/{template['id']}", json={"input_arguments": arguments}, headers={**lead, **etag}
    )

    for response in (created, changed):
        assert response.status_code == 422
        assert response.json["errors"] == {field: [message]}
    assert client.get(URL, query_string={"q": "x"}, headers=lead).json["total"] == 0
    stored = client.get(f"{URL}/{template['id']}", headers=lead).json
    assert (stored["version"], stored["input_arguments"][0]["default"]) == (1, "ws-1")


def test_tags_lose_surrounding_spaces_so_the_tag_filter_finds_them(client, lead, make_template):
    template = make_template("Cradle", tags=[" lolbin ", "lolbin", "Initial access\t"])

    assert template["tags"] == ["lolbin", "Initial access"]
    listed = client.get(URL, query_string={"tag": "lolbin"}, headers=lead).json
    assert [item["id"] for item in listed["items"]] == [template["id"]]
    blank = client.post(URL, json={"name": "x", "tags": ["  "]}, headers=lead)
    assert (blank.status_code, blank.json["errors"]) == (422, {"tags.0": ["May not be blank."]})


def test_anonymous_with_a_bad_body_is_401(client):
    assert client.post(URL, json={"name": 3}).status_code == 401


# --- list filters --------------------------------------------------------------------------------


@pytest.fixture
def library(make_template):
    """Templates tagged at every level of the test catalogue."""
    make_template(
        "PowerShell cradle",
        mitre=[("subtechnique", "T1059.001")],
        platforms=["windows"],
        opsec_level="high",
        tags=["lolbin"],
    )
    make_template(
        "Any interpreter",
        mitre=[("technique", "T1059")],
        platforms=["linux", "macos"],
        opsec_level="low",
    )
    make_template("Execution in general", mitre=[("tactic", "TA0002")], opsec_level="low")
    make_template(
        "Default account login",
        mitre=[("subtechnique", "T1078.001")],
        tags=["lolbin", "identity"],
        description="Uses a vendor default password.",
    )
    make_template("Phishing 100%_off", mitre=[("technique", "T1566")], platforms=["saas"])
    make_template("Untagged")


def test_technique_filter_covers_its_subtechniques(client, lead, library):
    assert names(client.get(f"{URL}?technique=T1059", headers=lead)) == [
        "Any interpreter",
        "PowerShell cradle",
    ]
    assert names(client.get(f"{URL}?subtechnique=T1059.001", headers=lead)) == ["PowerShell cradle"]


def test_technique_filter_takes_a_sub_technique_id_as_subtechnique_does(client, lead, library):
    # As the mission tests' `technique=` does; it found nothing.
    assert names(client.get(f"{URL}?technique=t1059.001", headers=lead)) == ["PowerShell cradle"]
    assert names(client.get(f"{URL}?technique=T1078.001", headers=lead)) == [
        "Default account login"
    ]
    assert names(client.get(f"{URL}?technique=T1059.003", headers=lead)) == []


def test_tactic_filter_covers_its_techniques_and_subtechniques(client, lead, library):
    assert names(client.get(f"{URL}?tactic=TA0002", headers=lead)) == [
        "Any interpreter",
        "Execution in general",
        "PowerShell cradle",
    ]
    # T1078.001 is in initial access and persistence (through T1078); T1566 in initial access.
    assert names(client.get(f"{URL}?tactic=ta0001", headers=lead)) == [
        "Default account login",
        "Phishing 100%_off",
    ]
    assert names(client.get(f"{URL}?tactic=TA0003", headers=lead)) == ["Default account login"]


def test_text_tag_platform_and_opsec_filters(client, lead, library):
    assert names(client.get(f"{URL}?q=DEFAULT PASSWORD", headers=lead)) == ["Default account login"]
    assert names(client.get(f"{URL}?q=100%25_", headers=lead)) == ["Phishing 100%_off"]
    assert names(client.get(f"{URL}?tag=lolbin", headers=lead)) == [
        "Default account login",
        "PowerShell cradle",
    ]
    assert names(client.get(f"{URL}?platform=macos", headers=lead)) == ["Any interpreter"]
    assert names(client.get(f"{URL}?opsec=low", headers=lead)) == [
        "Any interpreter",
        "Execution in general",
    ]


def test_filters_combine_with_sort_and_paging(client, lead, library):
    combined = client.get(f"{URL}?tactic=TA0002&opsec=low&q=in&sort=-name&limit=1", headers=lead)
    second = client.get(
        f"{URL}?tactic=TA0002&opsec=low&q=in&sort=-name&limit=1&offset=1", headers=lead
    )

    assert names(combined) == ["Execution in general"]
    assert combined.json["total"] == 2
    assert names(second) == ["Any interpreter"]


@pytest.mark.parametrize(
    "query", ["sort=procedure", "opsec=extreme", "platform=amiga", "limit=501", "bogus=1"]
)
def test_bad_list_queries_are_422(client, lead, query):
    assert client.get(f"{URL}?{query}", headers=lead).status_code == 422


def test_the_list_runs_a_constant_number_of_statements(
    client, lead, make_template, count_statements
):
    make_template("one", mitre=[("technique", "T1059"), ("tactic", "TA0002")])
    with count_statements() as few:
        client.get(f"{URL}?limit=500", headers=lead)
    for index in range(8):
        make_template(
            f"more {index}",
            mitre=[("subtechnique", "T1059.001"), ("tactic", "TA0001"), ("technique", "T1566")],
        )
    with count_statements() as many:
        response = client.get(f"{URL}?limit=500&tactic=TA0002&q=o", headers=lead)

    assert response.json["total"] == 9
    assert all(len(item["mitre"]) >= 2 for item in response.json["items"])
    assert many.count == few.count


def test_a_list_item_is_the_template_as_read_by_id(client, lead, library, make_template):
    """The list selects columns and the tags' rows (no objects): each item is still exactly
    what GET by id answers, tags in their order (tactics, techniques, sub-techniques)."""
    make_template(
        "Every kind",
        mitre=[("subtechnique", "T1059.001"), ("technique", "T1566"), ("tactic", "TA0002")],
        input_arguments=[{"name": "host", "type": "string", "default": "ws-1"}],
        references=["https://example.test/ref"],
    )
    listed = client.get(f"{URL}?limit=500", headers=lead).json["items"]

    assert len(listed) == 7
    for item in listed:
        assert client.get(f"{URL}/{item['id']}", headers=lead).json == item
    every_kind = next(item for item in listed if item["name"] == "Every kind")
    assert [tag["kind"] for tag in every_kind["mitre"]] == ["tactic", "technique", "subtechnique"]


# --- PATCH and versions --------------------------------------------------------------------------


def test_patch_leaves_absent_keys_clears_nulls_and_replaces_mitre(client, lead, make_template):
    template = make_template(
        "Before",
        mitre=[("technique", "T1059"), ("tactic", "TA0002")],
        cleanup="rm -f /tmp/x",
        opsec_level="high",
        tags=["a"],
    )

    response = client.patch(
        f"{URL}/{template['id']}",
        json={
            "name": "After",
            "cleanup": None,
            "mitre": [
                {"kind": "technique", "external_id": "T1059"},
                {"kind": "technique", "external_id": "T1566"},
            ],
        },
        headers=lead,
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["name"] == "After"
    assert body["cleanup"] is None
    assert body["opsec_level"] == "high" and body["tags"] == ["a"]
    assert [tag["external_id"] for tag in body["mitre"]] == ["T1059", "T1566"]
    assert body["version"] == 2 and response.headers["ETag"] == '"2"'
    rows = db.session.scalars(
        select(TestTemplateMitreTag).where(TestTemplateMitreTag.test_template_id == template["id"])
    ).all()
    assert len(rows) == 2


def test_patch_without_mitre_keeps_the_tags(client, lead, make_template):
    template = make_template(mitre=[("technique", "T1059")])
    response = client.patch(f"{URL}/{template['id']}", json={"opsec_level": None}, headers=lead)
    assert response.json["mitre"][0]["external_id"] == "T1059"


def test_name_cannot_be_cleared(client, lead, make_template):
    template = make_template()
    response = client.patch(f"{URL}/{template['id']}", json={"name": None}, headers=lead)
    assert response.status_code == 422
    assert "name" in response.json["errors"]


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"'])
def test_a_stale_if_match_is_412_and_changes_nothing(client, lead, make_template, if_match):
    template = make_template("Original")
    client.patch(f"{URL}/{template['id']}", json={"name": "First"}, headers=lead)

    stale = client.patch(
        f"{URL}/{template['id']}",
        json={"name": "Second", "mitre": []},
        headers={**lead, "If-Match": if_match},
    )

    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    current = client.get(f"{URL}/{template['id']}", headers=lead).json
    assert current["name"] == "First" and current["version"] == 2
    fresh = client.patch(
        f"{URL}/{template['id']}", json={"name": "Second"}, headers={**lead, "If-Match": '"2"'}
    )
    assert fresh.status_code == 200 and fresh.json["version"] == 3


def test_a_write_that_changes_nothing_keeps_the_version(client, lead, make_template):
    # docs/api.md: a client holding ETag "1" may send the same values again and still write
    # with If-Match: "1" afterwards; only a change bumps the version.
    template = make_template("Same", cleanup="rm x")
    url = f"/api/v1/test-templates/{template['id']}"

    same = client.patch(url, json={"name": "Same", "cleanup": "rm x"}, headers=lead)
    empty = client.patch(url, json={}, headers=lead)
    changed = client.patch(url, json={"cleanup": None}, headers={**lead, "If-Match": '"1"'})

    assert [r.headers["ETag"] for r in (same, empty, changed)] == ['"1"', '"1"', '"2"']


def test_a_stale_if_match_on_delete_is_412(client, lead, make_template):
    template = make_template()
    client.patch(f"{URL}/{template['id']}", json={"name": "changed"}, headers=lead)
    response = client.delete(f"{URL}/{template['id']}", headers={**lead, "If-Match": "1"})
    assert response.status_code == 412
    assert client.get(f"{URL}/{template['id']}", headers=lead).status_code == 200


@pytest.mark.parametrize("if_match", ['"999", "2"', '1, W/"2"', '"2",, "7"'])
def test_an_if_match_list_naming_the_current_version_is_met(client, lead, make_template, if_match):
    template = make_template("Original")
    client.patch(f"{URL}/{template['id']}", json={"name": "First"}, headers=lead)

    response = client.patch(
        f"{URL}/{template['id']}", json={"name": "Second"}, headers={**lead, "If-Match": if_match}
    )

    assert response.status_code == 200, response.json
    assert response.json["name"] == "Second" and response.json["version"] == 3


def test_an_if_match_list_naming_only_old_versions_is_412(client, lead, make_template):
    template = make_template("Original")
    client.patch(f"{URL}/{template['id']}", json={"name": "First"}, headers=lead)

    response = client.delete(f"{URL}/{template['id']}", headers={**lead, "If-Match": '"1", "9"'})

    assert response.status_code == 412
    assert "versions 1, 9" in response.json["detail"]
    assert "version 2" in response.json["detail"]
    assert client.get(f"{URL}/{template['id']}", headers=lead).status_code == 200


@pytest.mark.parametrize("if_match", ["yesterday", '"1", yesterday', '*, "1"', '""', ",", "²"])
def test_a_malformed_if_match_is_422_and_changes_nothing(client, lead, make_template, if_match):
    template = make_template("Original")

    response = client.patch(
        f"{URL}/{template['id']}", json={"name": "x"}, headers={**lead, "If-Match": if_match}
    )

    assert response.status_code == 422
    assert "If-Match" in response.json["errors"]
    assert client.get(f"{URL}/{template['id']}", headers=lead).json["name"] == "Original"


def test_a_garbage_if_match_is_422(client, lead, make_template):
    template = make_template()
    response = client.patch(
        f"{URL}/{template['id']}", json={"name": "x"}, headers={**lead, "If-Match": "yesterday"}
    )
    assert response.status_code == 422
    assert "If-Match" in response.json["errors"]


# --- soft delete ---------------------------------------------------------------------------------


def test_soft_delete_hides_then_restore_brings_back(client, lead, make_template):
    template = make_template("Short-lived", mitre=[("technique", "T1059")])

    assert client.delete(f"{URL}/{template['id']}", headers=lead).status_code == 204
    assert client.get(f"{URL}/{template['id']}", headers=lead).status_code == 404
    assert names(client.get(URL, headers=lead)) == []
    with_deleted = client.get(f"{URL}?include_deleted=true", headers=lead)
    assert with_deleted.json["items"][0]["deleted_at"] is not None
    row = db.session.scalar(
        including_deleted(
            select(TestTemplate).where(TestTemplate.id == template["id"])
        ).execution_options(all_workspaces=True)
    )
    assert row is not None and row.deleted_by is not None

    restored = client.post(f"{URL}/{template['id']}/restore", headers=lead)
    assert restored.status_code == 200
    assert restored.json["deleted_at"] is None
    assert restored.json["mitre"][0]["external_id"] == "T1059"
    assert names(client.get(URL, headers=lead)) == ["Short-lived"]


def test_seeing_deleted_templates_needs_the_delete_permission(client, make_user, auth_header):
    reader = auth_header(make_user(perms=["test_template.read"]))
    assert client.get(f"{URL}?include_deleted=true", headers=reader).status_code == 403


def test_writing_needs_the_write_permission(client, make_user, auth_header):
    reader = auth_header(make_user(perms=["test_template.read"]))
    assert client.post(URL, json={"name": "x"}, headers=reader).status_code == 403


def test_summary_counts_live_templates_and_the_techniques_they_cover(client, lead, library):
    extra = client.get(f"{URL}?q=Untagged", headers=lead).json["items"][0]
    client.delete(f"{URL}/{extra['id']}", headers=lead)

    summary = client.get(f"{URL}/summary", headers=lead).json

    # T1059 (directly and through T1059.001), T1078 (through T1078.001), T1566.
    assert summary == {"test_templates": 5, "scenario_templates": 0, "techniques_covered": 3}


def test_lists_and_summary_stay_in_the_callers_workspace(
    client, lead, library, make_user, make_workspace, auth_header
):
    outsider = make_user(perms=LIBRARY_PERMISSIONS)
    workspace = make_workspace(members=[outsider])
    elsewhere = {**auth_header(outsider), "X-Violet-Workspace": workspace.slug}
    client.post(
        URL,
        json={"name": "Elsewhere", "mitre": [{"kind": "technique", "external_id": "T1566"}]},
        headers=elsewhere,
    )

    assert names(client.get(URL, headers=elsewhere)) == ["Elsewhere"]
    assert client.get(f"{URL}/summary", headers=elsewhere).json == {
        "test_templates": 1,
        "scenario_templates": 0,
        "techniques_covered": 1,
    }
    assert client.get(f"{URL}/summary", headers=lead).json["test_templates"] == 6


def test_a_revoked_or_deprecated_technique_is_refused_when_a_template_gains_it(
    app, client, lead, make_template
):
    """Tags of techniques ATT&CK has revoked or deprecated were taken on create and update. Now
    a tag a template gains is 422 naming it (and the replacement of a revoked one); one the
    template had before a sync retired it stays, and the template stays editable."""

    sync(app, build_bundle(extra_objects=[technique("T1047", "WMI", ["execution"])]))
    wmi = make_template("WMI query", mitre=[("technique", "T1047")])
    url = f"{URL}/{wmi['id']}"
    retired = [
        technique("T1047", "WMI", ["execution"], revoked=True),
        revoked_by("attack-pattern", "T1047", "T1059.001"),
        technique("T1048", "Exfiltration", ["execution"], x_mitre_deprecated=True),
        technique("T1049", "Old discovery", ["execution"], revoked=True),
    ]
    sync(app, build_bundle(extra_objects=retired))

    def tags(*ids):
        return [{"kind": "technique", "external_id": external_id} for external_id in ids]

    revoked = client.post(URL, json={"name": "New WMI", "mitre": tags("t1047")}, headers=lead)
    assert revoked.status_code == 422, revoked.json
    assert revoked.json["errors"]["mitre"] == [
        "Technique T1047 (WMI) is revoked in ATT&CK: tag T1059.001, which replaced it."
    ]
    deprecated = client.post(URL, json={"name": "Exfil", "mitre": tags("T1048")}, headers=lead)
    assert deprecated.status_code == 422
    assert deprecated.json["errors"]["mitre"] == [
        "Technique T1048 (Exfiltration) is deprecated in ATT&CK."
    ]
    unnamed = client.post(URL, json={"name": "Old", "mitre": tags("T1049")}, headers=lead)
    assert unnamed.json["errors"]["mitre"] == [
        "Technique T1049 (Old discovery) is revoked in ATT&CK, with no replacement named."
    ]
    assert client.get(f"{URL}?q=Exfil", headers=lead).json["total"] == 0

    # The template tagged before the sync stays editable, its tag kept or dropped.
    renamed = client.patch(url, json={"name": "WMI process list"}, headers=lead)
    assert renamed.status_code == 200, renamed.json
    both = client.patch(url, json={"mitre": tags("T1047", "T1078")}, headers=lead)
    assert both.status_code == 200, both.json
    assert [tag["external_id"] for tag in both.json["mitre"]] == ["T1047", "T1078"]
    gaining = client.patch(url, json={"mitre": tags("T1047", "T1048")}, headers=lead)
    assert gaining.status_code == 422 and "T1048" in gaining.json["detail"]
    after = client.get(url, headers=lead).json
    assert [tag["external_id"] for tag in after["mitre"]] == ["T1047", "T1078"]
    # Once dropped, it is a tag to gain again: refused.
    assert client.patch(url, json={"mitre": tags("T1078")}, headers=lead).status_code == 200
    again = client.patch(url, json={"mitre": tags("T1047")}, headers=lead)
    assert again.status_code == 422 and "T1059.001" in again.json["detail"]
