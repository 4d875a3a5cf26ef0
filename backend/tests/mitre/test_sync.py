"""The sync service against a real PostgreSQL: parsing both STIX shapes, writing, re-syncing,
verification, rollback on failure and the one-at-a-time lock."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select, text

from tests.mitre.bundle import (
    LIVE_COUNTS,
    OBJECT_COUNT,
    build_bundle,
    encode,
    find,
    stix_id,
)
from tests.mitre.bundle import (
    technique as stix_technique,
)
from violet.core.errors import ApiError, Conflict, Unprocessable
from violet.extensions import db
from violet.mitre.models import MitreSubtechnique, MitreSync, MitreTactic, MitreTechnique
from violet.mitre.sync import store
from violet.mitre.sync.service import LOCK_KEY, sync_running

CATALOGUE_TABLES = (
    "mitre_tactics",
    "mitre_techniques",
    "mitre_subtechniques",
    "mitre_technique_tactics",
)
WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", re.IGNORECASE)


def snapshot() -> dict[str, list[tuple]]:
    """Every catalogue row, with its xmin (which changes on any write to the row)."""
    return {
        table: sorted(
            tuple(str(value) for value in row)
            for row in db.session.execute(text(f"SELECT xmin, * FROM {table}"))
        )
        for table in CATALOGUE_TABLES
    }


def syncs() -> list[MitreSync]:
    return list(db.session.scalars(select(MitreSync).order_by(MitreSync.started_at)))


def technique(external_id: str) -> MitreTechnique:
    return db.session.scalars(
        select(MitreTechnique).where(MitreTechnique.external_id == external_id)
    ).one()


def tactics_of(external_id: str) -> list[str]:
    statement = text(
        "SELECT ta.external_id FROM mitre_technique_tactics link "
        "JOIN mitre_tactics ta ON ta.id = link.tactic_id "
        "JOIN mitre_techniques te ON te.id = link.technique_id "
        "WHERE te.external_id = :external_id ORDER BY ta.position"
    )
    return list(db.session.scalars(statement, {"external_id": external_id}))


@pytest.mark.parametrize("spec_version", ["2.0", "2.1"])
def test_first_sync_writes_the_catalogue(sync_bytes, spec_version):
    result = sync_bytes(encode(build_bundle(spec_version)))

    assert result.status == "succeeded"
    assert result.domain == "enterprise-attack"
    assert result.counts == LIVE_COUNTS
    assert result.changes == {
        "added": OBJECT_COUNT,
        "updated": 0,
        "unchanged": 0,
        "deprecated": 0,
    }
    tactics = db.session.scalars(select(MitreTactic).order_by(MitreTactic.position)).all()
    assert [(t.external_id, t.shortname, t.position) for t in tactics] == [
        ("TA0001", "initial-access", 0),
        ("TA0002", "execution", 1),
        ("TA0003", "persistence", 2),
    ]
    assert tactics_of("T1078") == ["TA0001", "TA0003"]  # multi-tactic
    assert tactics_of("T1059") == ["TA0002"]
    assert technique("T1086").revoked and not technique("T1086").deprecated
    assert technique("T1064").deprecated and not technique("T1064").revoked
    t1059 = technique("T1059")
    assert t1059.platforms == ["Windows", "Linux", "macOS"]
    assert t1059.url == "https://attack.mitre.org/techniques/T1059"
    assert t1059.detection == "Monitor for Command and Scripting Interpreter."
    parents = dict(
        db.session.execute(
            select(MitreSubtechnique.external_id, MitreTechnique.external_id).join(
                MitreTechnique, MitreSubtechnique.technique_id == MitreTechnique.id
            )
        ).all()
    )
    # T1566.001 has no subtechnique-of relationship: its parent comes from its id.
    assert parents == {
        "T1059.001": "T1059",
        "T1059.003": "T1059",
        "T1059.999": "T1059",
        "T1078.001": "T1078",
        "T1566.001": "T1566",
    }
    [record] = syncs()
    assert record.status == "succeeded" and record.counts == LIVE_COUNTS
    assert record.sha256 == hashlib.sha256(encode(build_bundle(spec_version))).hexdigest()


def test_release_version_comes_from_the_collection_or_the_file_name(sync_bytes):
    assert sync_bytes(encode(build_bundle("2.1", version="17.0"))).version == "17.0"
    result = sync_bytes(encode(build_bundle("2.0")), label="upload:enterprise-attack-16.1.json")
    assert result.version == "16.1"
    assert sync_bytes(encode(build_bundle("2.0")), label="upload:bundle.json").version is None


def test_gzip_bundle_is_accepted_with_either_hash(sync_bytes):
    document = encode(build_bundle())
    compressed = encode(build_bundle(), compress=True)

    by_file = sync_bytes(compressed, expected_sha256=hashlib.sha256(compressed).hexdigest())
    by_json = sync_bytes(compressed, expected_sha256=hashlib.sha256(document).hexdigest().upper())

    assert by_file.verified and by_json.verified
    assert by_file.sha256 == by_json.sha256 == hashlib.sha256(document).hexdigest()
    assert by_file.counts == LIVE_COUNTS


def test_resync_of_the_same_bundle_writes_nothing_but_the_sync_record(sync_bytes, count_statements):
    sync_bytes(encode(build_bundle("2.0")))
    before = snapshot()

    with count_statements() as counter:
        result = sync_bytes(encode(build_bundle("2.1")))  # same content, other STIX shape

    writes = [WRITE.match(statement) for statement in counter.statements]
    written_tables = [match.group(2) for match in writes if match]
    assert written_tables == ["mitre_syncs"]
    assert snapshot() == before
    assert result.changes == {
        "added": 0,
        "updated": 0,
        "unchanged": OBJECT_COUNT,
        "deprecated": 0,
    }
    assert result.rows_written == 0


def test_changes_are_written_and_counted(sync_bytes):
    sync_bytes()
    bundle = build_bundle()
    find(bundle, "T1566")["name"] = "Phishing (renamed)"
    find(bundle, "T1059")["kill_chain_phases"].append(
        {"kill_chain_name": "mitre-attack", "phase_name": "persistence"}
    )
    find(bundle, "T1078")["x_mitre_deprecated"] = True
    t1059_003 = find(bundle, "T1059.003")
    bundle["objects"].remove(t1059_003)
    before = {row.external_id: row.updated_at for row in db.session.scalars(select(MitreTechnique))}

    result = sync_bytes(encode(bundle))

    # T1566 renamed, T1059 re-linked: updated; T1078 deprecated, T1059.003 vanished: deprecated.
    assert result.changes == {
        "added": 0,
        "updated": 2,
        "unchanged": OBJECT_COUNT - 4,
        "deprecated": 2,
    }
    assert result.counts == {"tactics": 3, "techniques": 2, "subtechniques": 3}
    db.session.expire_all()
    assert technique("T1566").name == "Phishing (renamed)"
    assert tactics_of("T1059") == ["TA0002", "TA0003"]
    assert technique("T1078").deprecated
    vanished = db.session.scalars(
        select(MitreSubtechnique).where(MitreSubtechnique.external_id == "T1059.003")
    ).one()
    assert vanished.deprecated and vanished.vanished_at is not None  # flagged, not deleted
    assert technique("T1064").updated_at == before["T1064"]

    # It comes back: the bundle's values again, no longer vanished.
    back = sync_bytes()
    db.session.expire_all()
    assert back.counts == LIVE_COUNTS
    assert not vanished.deprecated and vanished.vanished_at is None


def test_other_domains_are_kept_apart(sync_bytes):
    sync_bytes(encode(build_bundle()))
    mobile = sync_bytes(encode(build_bundle(domain="mobile-attack")))
    enterprise_again = sync_bytes(encode(build_bundle()))

    assert mobile.domain == "mobile-attack" and mobile.counts == LIVE_COUNTS
    assert enterprise_again.changes["deprecated"] == 0  # mobile rows did not "vanish"
    domains = dict(
        db.session.execute(
            select(MitreTechnique.domain, func.count()).group_by(MitreTechnique.domain)
        ).all()
    )
    assert domains == {"enterprise-attack": 5, "mobile-attack": 5}
    assert tactics_of("MT1078") == ["MTA0001", "MTA0003"]


def revoked_by(old: str, new: str) -> dict:
    return {
        "type": "relationship",
        "id": stix_id("relationship", f"{old} revoked-by {new}"),
        "created": "2021-01-01T00:00:00.000Z",
        "modified": "2021-01-01T00:00:00.000Z",
        "relationship_type": "revoked-by",
        "source_ref": stix_id("attack-pattern", old),
        "target_ref": stix_id("attack-pattern", new),
    }


def test_a_revoked_technique_names_the_live_one_that_replaced_it(sync_bytes):
    bundle = build_bundle(
        extra_objects=[
            # T1500 was revoked by T1086, itself revoked by T1059.001: the chain is followed.
            stix_technique("T1500", "Compile After Delivery (old)", ["execution"], revoked=True),
            revoked_by("T1500", "T1086"),
            # Revoked by a deprecated technique: no live replacement.
            stix_technique("T1501", "Old Scripting", ["execution"], revoked=True),
            revoked_by("T1501", "T1064"),
        ]
    )
    sync_bytes(encode(bundle))

    statement = select(MitreTechnique.external_id, MitreTechnique.replaced_by)
    replaced = {old: new for old, new in db.session.execute(statement)}
    assert replaced["T1086"] == "T1059.001"  # the bundle's own revoked-by relationship
    assert replaced["T1500"] == "T1059.001"
    assert replaced["T1501"] is None and replaced["T1064"] is None and replaced["T1059"] is None
    assert sync_bytes(encode(bundle)).changes["updated"] == 0  # nothing to write again


def test_sha_mismatch_is_422_and_leaves_the_catalogue_alone(sync_bytes):
    sync_bytes()
    before = snapshot()
    changed = build_bundle()
    find(changed, "T1059")["name"] = "Tampered"

    with pytest.raises(Unprocessable) as raised:
        sync_bytes(encode(changed), expected_sha256="0" * 64)

    assert "SHA-256 mismatch" in raised.value.detail
    assert raised.value.errors and "expected_sha256" in raised.value.errors
    assert snapshot() == before
    failed = syncs()[-1]
    assert failed.status == "failed" and "SHA-256 mismatch" in (failed.error or "")
    assert failed.sha256 == hashlib.sha256(encode(changed)).hexdigest()


def test_without_a_hash_allow_unverified_is_required(sync_bytes):
    with pytest.raises(Unprocessable) as raised:
        sync_bytes(allow_unverified=False)

    assert "allow_unverified" in raised.value.detail
    assert syncs() == []  # refused before it started: no record


def test_the_pinned_hash_guards_the_default_url(sync_settings):
    from violet.mitre.sync.service import SyncSource, sync_catalogue

    with pytest.raises(ApiError) as raised:
        sync_catalogue(
            SyncSource(url="http://raw.githubusercontent.com/x.json"),
            expected_sha256=None,
            allow_unverified=True,
            started_by=None,
            settings=sync_settings,
        )
    assert raised.value.status == 422 and "https" in raised.value.detail


def test_a_failure_midway_rolls_everything_back(sync_bytes, monkeypatch):
    sync_bytes()
    before = snapshot()
    changed = build_bundle()
    find(changed, "TA0001")["name"] = "Initial Access (new)"  # written before the failure
    find(changed, "T1059")["name"] = "Changed"

    def broken_links(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_sync_tactic_links", broken_links)
    with pytest.raises(RuntimeError):
        sync_bytes(encode(changed))

    assert snapshot() == before
    failed = syncs()[-1]
    assert failed.status == "failed"
    assert failed.error == "Unexpected error (RuntimeError); see the server log."


def test_a_constraint_violation_is_422_and_rolls_back(sync_bytes):
    sync_bytes()
    before = snapshot()
    clash = build_bundle()
    find(clash, "TA0002")["name"] = "Execution (new)"  # written before the failing insert
    find(clash, "T1566")["id"] = "attack-pattern--00000000-0000-4000-8000-000000000001"

    with pytest.raises(Unprocessable) as raised:
        sync_bytes(encode(clash))

    assert "uq_mitre_techniques_external_id" in raised.value.detail
    assert "T1566" in raised.value.detail
    assert snapshot() == before
    assert syncs()[-1].status == "failed"


def _no_name(bundle):
    del find(bundle, "T1059")["name"]


def _no_matrix(bundle):
    bundle["objects"] = [o for o in bundle["objects"] if o["type"] != "x-mitre-matrix"]


def _orphan_sub(bundle):
    bundle["objects"].append(
        {
            **find(bundle, "T1059.001"),
            "id": "attack-pattern--orphan",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T4242.001"}],
        }
    )


def _bad_platforms(bundle):
    find(bundle, "T1059")["x_mitre_platforms"] = "Windows"


def _duplicate_id(bundle):
    bundle["objects"].append(find(bundle, "T1059"))


def _bad_timestamp(bundle):
    find(bundle, "T1059")["modified"] = "yesterday"


def _nul_in_name(bundle):
    find(bundle, "T1059")["name"] = "Bad\x00Name"


def _no_reference(bundle):
    find(bundle, "T1078")["external_references"] = []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON: Expecting property name"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"\x1f\x8b\x08garbage", "cannot be decompressed"),
        (b"[]", "Not a STIX bundle"),
        (b'{"type": "bundle"}', '"objects" must be a list'),
        (b'{"type": "bundle", "objects": [42]}', "Object #0"),
        (b'{"type": "bundle", "objects": []}', "no x-mitre-matrix"),
    ],
)
def test_bad_documents_are_422_naming_the_problem(sync_bytes, content, message):
    with pytest.raises(Unprocessable) as raised:
        sync_bytes(content)
    assert message in raised.value.detail
    assert syncs()[-1].status == "failed"


@pytest.mark.parametrize(
    "breaks, message",
    [
        (_no_name, '"name" is missing'),
        (_no_matrix, "no x-mitre-matrix"),
        (_orphan_sub, "T4242.001 (attack-pattern--orphan) has no parent"),
        (_bad_platforms, '"x_mitre_platforms" must be a list'),
        (_duplicate_id, "twice"),
        (_bad_timestamp, '"modified" is not a timestamp'),
        (_nul_in_name, "NUL"),
        (_no_reference, "no ATT&CK external reference"),
    ],
)
def test_bad_bundles_are_422_and_change_nothing(sync_bytes, breaks, message):
    sync_bytes()
    before = snapshot()
    bundle = build_bundle()
    breaks(bundle)

    with pytest.raises(Unprocessable) as raised:
        sync_bytes(encode(bundle))

    assert message in raised.value.detail
    assert snapshot() == before


def test_too_large_is_413(sync_bytes):
    content = encode(build_bundle())
    with pytest.raises(ApiError) as raised:
        sync_bytes(content, policy=_policy(max_bytes=len(content) - 1))
    assert raised.value.status == 413


def test_gzip_bomb_is_413(sync_bytes):
    bomb = encode({"type": "bundle", "objects": [], "pad": "x" * 100_000}, compress=True)
    with pytest.raises(ApiError) as raised:
        sync_bytes(bomb, policy=_policy(max_bytes=50_000))
    assert raised.value.status == 413 and "decompressed" in raised.value.detail


def _policy(**changes):
    from dataclasses import replace

    from violet.mitre.sync.source import FetchPolicy

    return replace(FetchPolicy(allowed_sources=(), max_bytes=10**9, timeout=5), **changes)


def test_one_sync_at_a_time(sync_bytes):
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        try:
            assert sync_running()
            with pytest.raises(Conflict):
                sync_bytes()
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    assert not sync_running()
    assert db.session.scalar(select(func.count()).select_from(MitreTechnique)) == 0


def test_the_diag_reset_empties_the_catalogue_and_its_history(sync_bytes):
    from violet.diag.service import business_tables, reset_database

    sync_bytes()
    assert {*CATALOGUE_TABLES, "mitre_syncs"} <= set(business_tables())

    reset_database()

    for table in (*CATALOGUE_TABLES, "mitre_syncs"):
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


@pytest.mark.parametrize("spec_version", ["2.0", "2.1"])
def test_an_ics_bundle_is_its_own_domain(sync_bytes, spec_version):
    result = sync_bytes(encode(build_bundle(spec_version, domain="ics-attack")))

    assert result.domain == "ics-attack" and result.counts == LIVE_COUNTS
    assert tactics_of("IT1078") == ["ITA0001", "ITA0003"]  # kill chain "mitre-ics-attack"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "http://attack.mitre.org/techniques/T1059",
        "https://attack.mitre.org.evil.example/techniques/T1059",
        "https://evil.example/T1059",
    ],
)
def test_a_technique_url_is_kept_only_on_the_attack_site(sync_bytes, url):
    bundle = build_bundle()
    find(bundle, "T1059")["external_references"][0]["url"] = url

    sync_bytes(encode(bundle))

    assert technique("T1059").url is None
    assert technique("T1566").url == "https://attack.mitre.org/techniques/T1566"
