"""Threat groups: synced from `intrusion-set` objects and their `uses` relationships, re-synced
without writes, listed and searched, and read one by one with the techniques they use."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.mitre.bundle import build_bundle, encode, find, group, revoked_by, stix_id, uses
from tests.mitre.test_full_attack import BUNDLE, BUNDLE_JSON_SHA256
from violet.extensions import db

API = "/api/v1/mitre/groups"


def groups_bundle(**changes: Any) -> dict[str, Any]:
    """The test bundle plus APT29 (G0016), a revoked group and what they use: two live
    techniques, a live sub-technique, a revoked technique (T1086), a deprecated sub-technique
    (T1059.999) and a deprecated relationship (to T1566)."""
    extra = [
        group("G0016", "APT29", ["APT29", "Cozy Bear", "NOBELIUM"]),
        group("G0099", "Old Group", ["Old Group"], revoked=True),
        uses("G0016", "T1078"),
        uses("G0016", "T1059"),
        uses("G0016", "T1059.001"),
        uses("G0016", "T1086"),
        uses("G0016", "T1059.999"),
        uses("G0016", "T1566", x_mitre_deprecated=True),
        uses("G0099", "T1059"),
    ]
    bundle = build_bundle(extra_objects=extra)
    for external_id, fields in changes.items():
        find(bundle, external_id).update(fields)
    return bundle


def links() -> list[tuple[str, str]]:
    return sorted(
        db.session.execute(
            text(
                "SELECT g.external_id, t.external_id FROM mitre_group_techniques l "
                "JOIN mitre_groups g ON g.id = l.group_id "
                "JOIN mitre_techniques t ON t.id = l.technique_id "
                "UNION ALL SELECT g.external_id, s.external_id FROM mitre_group_subtechniques l "
                "JOIN mitre_groups g ON g.id = l.group_id "
                "JOIN mitre_subtechniques s ON s.id = l.subtechnique_id"
            )
        ).all()
    )


def group_rows() -> list[tuple]:
    return sorted(
        tuple(str(value) for value in row)
        for table in ("mitre_groups", "mitre_group_techniques", "mitre_group_subtechniques")
        for row in db.session.execute(text(f"SELECT xmin, * FROM {table}"))
    )


def test_sync_keeps_groups_and_the_live_techniques_they_use(sync_bytes):
    result = sync_bytes(encode(groups_bundle()))

    assert result.group_changes == {"added": 2, "updated": 0, "unchanged": 0, "deprecated": 0}
    assert links() == [("G0016", "T1059"), ("G0016", "T1059.001"), ("G0016", "T1078")]
    flags = db.session.execute(
        text("SELECT external_id, revoked, domain, domains FROM mitre_groups ORDER BY 1")
    ).all()
    assert [tuple(row) for row in flags] == [
        ("G0016", False, "enterprise-attack", ["enterprise-attack"]),
        ("G0099", True, "enterprise-attack", ["enterprise-attack"]),
    ]


def test_unchanged_resync_writes_no_group_row(sync_bytes):
    sync_bytes(encode(groups_bundle()))
    before = group_rows()

    again = sync_bytes(encode(groups_bundle()))

    assert again.rows_written == 0
    assert again.group_changes == {"added": 0, "updated": 0, "unchanged": 2, "deprecated": 0}
    assert group_rows() == before


def test_resync_follows_changes_and_flags_vanished_groups(sync_bytes):
    sync_bytes(encode(groups_bundle()))
    bundle = groups_bundle(G0016={"aliases": ["APT29", "Midnight Blizzard"]})
    # MITRE drops G0016's use of T1078 and the revoked group disappears from the bundle.
    bundle["objects"] = [
        stix_object
        for stix_object in bundle["objects"]
        if stix_object["id"]
        not in (stix_id("relationship", "G0016 uses T1078"), stix_id("intrusion-set", "G0099"))
    ]

    result = sync_bytes(encode(bundle))

    assert result.group_changes == {"added": 0, "updated": 2, "unchanged": 0, "deprecated": 0}
    assert links() == [("G0016", "T1059"), ("G0016", "T1059.001")]
    aliases, vanished = db.session.execute(
        text(
            "SELECT (SELECT aliases FROM mitre_groups WHERE external_id = 'G0016'), "
            "(SELECT vanished_at IS NOT NULL AND deprecated FROM mitre_groups "
            "WHERE external_id = 'G0099')"
        )
    ).one()
    assert aliases == ["APT29", "Midnight Blizzard"] and vanished is True


def test_a_revoked_group_names_the_live_group_that_replaced_it(client, reader, sync_bytes):
    # As in ATT&CK v18.1: Dragonfly 2.0 (G0074) was merged into Dragonfly (G0035); G0099 was
    # revoked with no revoked-by relationship.
    bundle = groups_bundle()
    bundle["objects"] += [
        group("G0035", "Dragonfly", ["Dragonfly", "Berserk Bear"]),
        group("G0074", "Dragonfly 2.0", ["Dragonfly 2.0"], revoked=True),
        revoked_by("intrusion-set", "G0074", "G0035"),
    ]
    sync_bytes(encode(bundle))

    revoked = client.get(f"{API}/G0074", headers=reader).json
    listed = client.get(API, query_string={"include_deprecated": "true"}, headers=reader).json

    assert revoked["revoked"] is True and revoked["replaced_by"] == "G0035"
    assert {item["external_id"]: item["replaced_by"] for item in listed["items"]} == {
        "G0016": None,
        "G0035": None,
        "G0074": "G0035",
        "G0099": None,
    }


def test_a_group_of_two_domains_keeps_its_links_to_the_other(sync_bytes):
    both = {"x_mitre_domains": ["enterprise-attack", "mobile-attack"]}
    sync_bytes(encode(groups_bundle(G0016=both)))
    # The mobile bundle holds G0016 too (using none of its techniques) but not G0099.
    mobile = build_bundle(
        domain="mobile-attack", extra_objects=[group("G0016", "APT29", [], **both)]
    )

    result = sync_bytes(encode(mobile))

    rows = db.session.execute(
        text("SELECT external_id, deprecated, domain FROM mitre_groups ORDER BY 1")
    ).all()
    assert [tuple(row) for row in rows] == [
        ("G0016", False, "enterprise-attack"),
        ("G0099", False, "enterprise-attack"),  # enterprise only: not vanished from mobile
    ]
    assert result.group_changes["updated"] == 1  # the aliases the mobile copy left out
    assert links() == [("G0016", "T1059"), ("G0016", "T1059.001"), ("G0016", "T1078")]


ENTERPRISE, MOBILE, ICS = "enterprise-attack", "mobile-attack", "ics-attack"


def test_a_bundle_of_another_domain_takes_from_a_group_only_that_domain(client, reader, sync_bytes):
    # As ATT&CK v18.1 has them: Sandworm Team (G0034) in all three domains, APT38 (G0082) in
    # Enterprise and ICS. An ICS bundle holding only APT38 flagged Sandworm deprecated: its
    # Enterprise techniques, its search hit, its coverage and planning from it were gone, and
    # each Enterprise re-sync brought it back ("unchanged") until the next ICS sync.
    enterprise = groups_bundle()
    enterprise["objects"] += [
        group(
            "G0034", "Sandworm Team", ["Sandworm Team"], x_mitre_domains=[ENTERPRISE, ICS, MOBILE]
        ),
        uses("G0034", "T1566"),
        group("G0082", "APT38", ["APT38"], x_mitre_domains=[ENTERPRISE, ICS]),
        uses("G0082", "T1059"),
    ]
    ics = build_bundle(
        domain=ICS,
        extra_objects=[
            group("G0082", "APT38", ["APT38"], x_mitre_domains=[ENTERPRISE, ICS]),
            uses("G0082", "IT1078"),
        ],
    )
    sync_bytes(encode(enterprise))

    result = sync_bytes(encode(ics))

    sandworm = client.get(f"{API}/G0034", headers=reader).json
    assert sandworm["deprecated"] is False and sandworm["domains"] == [ENTERPRISE, MOBILE]
    assert [item["external_id"] for item in sandworm["techniques"]] == ["T1566"]
    assert result.group_changes == {"added": 0, "updated": 2, "unchanged": 0, "deprecated": 0}
    found = client.get(API, query_string={"q": "sandworm"}, headers=reader).json
    assert [item["external_id"] for item in found["items"]] == ["G0034"]
    in_ics = client.get(API, query_string={"domain": ICS}, headers=reader).json
    assert [item["external_id"] for item in in_ics["items"]] == ["G0082"]
    apt38 = client.get(f"{API}/G0082", headers=reader).json
    assert apt38["domains"] == [ENTERPRISE, ICS]
    assert [item["external_id"] for item in apt38["techniques"]] == ["IT1078", "T1059"]
    assert client.get("/api/v1/coverage/groups/G0034", headers=reader).status_code == 200

    # Re-syncing either unchanged bundle writes nothing and says so.
    for bundle in (enterprise, ics, enterprise):
        again = sync_bytes(encode(bundle))
        assert again.rows_written == 0
        assert again.group_changes["updated"] == again.group_changes["deprecated"] == 0
    sandworm = client.get(f"{API}/G0034", headers=reader).json
    assert sandworm["deprecated"] is False and sandworm["domains"] == [ENTERPRISE, MOBILE]


def test_a_group_is_flagged_only_once_no_synced_domain_holds_it(client, reader, sync_bytes):
    apt38 = group("G0082", "APT38", ["APT38"], x_mitre_domains=[ENTERPRISE, ICS])
    enterprise = groups_bundle()
    sync_bytes(encode(build_bundle(extra_objects=[apt38])))
    sync_bytes(encode(build_bundle(domain=ICS, extra_objects=[apt38])))

    sync_bytes(encode(enterprise))  # MITRE dropped APT38 from Enterprise
    left_in_ics = client.get(f"{API}/G0082", headers=reader).json
    sync_bytes(encode(build_bundle(domain=ICS)))  # and from ICS
    gone = client.get(f"{API}/G0082", headers=reader).json

    assert left_in_ics["deprecated"] is False and left_in_ics["domains"] == [ICS]
    assert left_in_ics["domain"] == ICS
    assert gone["deprecated"] is True
    listed = client.get(API, headers=reader).json
    assert [item["external_id"] for item in listed["items"]] == ["G0016"]

    # Back in a later Enterprise bundle: live again, in Enterprise only (ICS's bundle lacks it).
    sync_bytes(encode(build_bundle(extra_objects=[apt38])))
    back = client.get(f"{API}/G0082", headers=reader).json
    assert back["deprecated"] is False and back["domains"] == [ENTERPRISE]


def test_a_malformed_group_is_422_naming_it(sync_bytes):
    from violet.core.errors import Unprocessable

    with pytest.raises(Unprocessable, match='"aliases" must be a list of strings'):
        sync_bytes(encode(groups_bundle(G0016={"aliases": "APT29"})))


# --- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def reader(make_user, auth_header):
    return auth_header(make_user())


@pytest.fixture
def catalogue(sync_bytes):
    return sync_bytes(encode(groups_bundle()))


@pytest.mark.parametrize("path", ["", "/G0016"])
def test_groups_need_a_signed_in_user(client, path):
    assert client.get(API + path).status_code == 401


@pytest.mark.parametrize(
    ("q", "expected"),
    [("cozy", ["G0016"]), ("apt", ["G0016"]), ("g0016", ["G0016"]), ("nobody", [])],
)
def test_q_matches_name_alias_and_id(client, reader, catalogue, q, expected):
    response = client.get(API, query_string={"q": q}, headers=reader)

    assert response.status_code == 200
    assert [item["external_id"] for item in response.json["items"]] == expected


def test_list_hides_revoked_groups_unless_asked(client, reader, catalogue):
    live = client.get(API, headers=reader).json
    every = client.get(API, query_string={"include_deprecated": "true"}, headers=reader).json

    assert [item["external_id"] for item in live["items"]] == ["G0016"]
    assert live["items"][0]["aliases"] == ["APT29", "Cozy Bear", "NOBELIUM"]
    assert sorted(item["external_id"] for item in every["items"]) == ["G0016", "G0099"]


def test_domain_filter_matches_any_domain_of_the_group(client, reader, sync_bytes):
    sync_bytes(
        encode(groups_bundle(G0016={"x_mitre_domains": ["mobile-attack", "enterprise-attack"]}))
    )

    def ids(domain: str) -> list[str]:
        body = client.get(API, query_string={"domain": domain}, headers=reader).json
        return [item["external_id"] for item in body["items"]]

    assert ids("enterprise-attack") == ["G0016"]
    assert ids("mobile-attack") == ["G0016"]
    assert ids("ics-attack") == []
    assert client.get(API, query_string={"domain": "x"}, headers=reader).status_code == 422


def test_group_detail_lists_techniques_with_their_tactics(client, reader, catalogue):
    response = client.get(f"{API}/g0016", headers=reader)

    assert response.status_code == 200
    body = response.json
    assert body["name"] == "APT29" and body["domain"] == "enterprise-attack"
    assert body["techniques"] == [
        {
            "kind": "technique",
            "external_id": "T1059",
            "name": "Command and Scripting Interpreter",
            "tactics": [{"external_id": "TA0002", "name": "Execution", "shortname": "execution"}],
        },
        {
            "kind": "subtechnique",
            "external_id": "T1059.001",
            "name": "PowerShell",
            "tactics": [{"external_id": "TA0002", "name": "Execution", "shortname": "execution"}],
        },
        {
            "kind": "technique",
            "external_id": "T1078",
            "name": "Valid Accounts",
            "tactics": [
                {"external_id": "TA0001", "name": "Initial Access", "shortname": "initial-access"},
                {"external_id": "TA0003", "name": "Persistence", "shortname": "persistence"},
            ],
        },
    ]


def test_unknown_group_is_404(client, reader, catalogue):
    response = client.get(f"{API}/G9999", headers=reader)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "G9999" in response.json["detail"]


@pytest.mark.full_attack
@pytest.mark.skipif(not BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({BUNDLE})")
def test_a_real_group_from_the_shared_bundle(client, reader, sync_bytes):
    content = BUNDLE.read_bytes()
    first = sync_bytes(content, expected_sha256=BUNDLE_JSON_SHA256, label=f"file:{BUNDLE}")
    again = sync_bytes(content, expected_sha256=BUNDLE_JSON_SHA256, label=f"file:{BUNDLE}")

    apt29 = client.get(f"{API}/G0016", headers=reader).json
    dragonfly_2 = client.get(f"{API}/G0074", headers=reader).json
    found = client.get(API, query_string={"q": "midnight blizzard"}, headers=reader).json

    assert first.group_changes["added"] == 187 and again.rows_written == 0
    assert apt29["name"] == "APT29" and "Cozy Bear" in apt29["aliases"]
    used = {technique["external_id"]: technique for technique in apt29["techniques"]}
    # APT29 uses PowerShell (T1059.001) under Execution, per ATT&CK v18.1.
    assert used["T1059.001"]["kind"] == "subtechnique"
    assert [tactic["shortname"] for tactic in used["T1059.001"]["tactics"]] == ["execution"]
    assert len(used) > 50
    assert [item["external_id"] for item in found["items"]] == ["G0016"]
    # Revoked in v18.1 in favour of Dragonfly (G0035).
    assert dragonfly_2["revoked"] is True and dragonfly_2["replaced_by"] == "G0035"
