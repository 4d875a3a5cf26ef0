"""HTTP behaviour of /api/v1/mitre: authorization, the sync request forms, lists and filters."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import text

from tests.mitre.bundle import LIVE_COUNTS, build_bundle, encode, technique
from violet.extensions import db
from violet.mitre.models import TECHNIQUE_LIST_FIELDS
from violet.mitre.sync.service import LOCK_KEY

API = "/api/v1/mitre"
READS = [
    "/status",
    "/tactics",
    "/techniques",
    "/techniques/T1059",
    "/subtechniques",
    "/subtechniques/T1059.001",
    "/matrix",
]
ODD_NAME = "Log_Rotation 100%"  # a name holding LIKE wildcards, to search for literally


@pytest.fixture
def catalogue(sync_bytes):
    extra = [technique("T1999", ODD_NAME, ["execution"], platforms=["Linux"])]
    return sync_bytes(encode(build_bundle(extra_objects=extra)))


@pytest.fixture
def reader(make_user, auth_header):
    return auth_header(make_user())  # signed in, no permissions


@pytest.fixture
def syncer(make_user, auth_header):
    return auth_header(make_user("syncer@example.test", perms=["mitre.sync"]))


def upload(content: bytes, name: str = "enterprise-attack.json", **fields):
    return {"file": (io.BytesIO(content), name), **fields}


def catalogue_rows() -> list[tuple]:
    return sorted(
        tuple(str(value) for value in row)
        for row in db.session.execute(text("SELECT xmin, external_id, name FROM mitre_techniques"))
    )


# --- authorization -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*READS, "/sync"])
def test_anonymous_is_401(client, path):
    method = client.post if path == "/sync" else client.get
    response = method(API + path)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_anonymous_with_a_malformed_sync_body_is_still_401(client):
    response = client.post(API + "/sync", data="{nope", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", READS)
def test_any_signed_in_user_may_read(client, catalogue, reader, path):
    assert client.get(API + path, headers=reader).status_code == 200


def test_sync_needs_the_mitre_sync_permission(client, reader):
    response = client.post(API + "/sync", json={"allow_unverified": True}, headers=reader)
    assert response.status_code == 403
    assert "mitre.sync" in response.json["detail"]


# --- POST /sync ----------------------------------------------------------------------------------


def test_upload_syncs_and_status_reports_it(client, syncer):
    empty = client.get(API + "/status", headers=syncer).json
    assert empty["last_sync"] is None
    assert empty["counts"] == {"tactics": 0, "techniques": 0, "subtechniques": 0}

    response = client.post(
        API + "/sync", data=upload(encode(build_bundle()), allow_unverified="true"), headers=syncer
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "succeeded" and body["domain"] == "enterprise-attack"
    assert body["version"] == "18.1" and body["counts"] == LIVE_COUNTS
    assert body["changes"]["added"] == 13 and body["verified"] is False
    status = client.get(API + "/status", headers=syncer).json
    assert status["counts"] == LIVE_COUNTS
    assert [domain["domain"] for domain in status["domains"]] == ["enterprise-attack"]
    assert status["domains"][0]["counts"] == LIVE_COUNTS
    assert status["domains"][0]["version"] == "18.1"
    assert status["domains"][0]["last_sync"]["status"] == "succeeded"
    assert status["pinned"] is False and status["default_sha256"] is None
    assert status["version"] == "18.1" and status["source_url"] == "upload:enterprise-attack.json"
    assert status["last_sync"]["started_by"] == "syncer@example.test"
    assert status["last_sync"]["status"] == "succeeded"
    assert status["sync_running"] is False
    assert status["default_version"] == "18.1"


def test_status_reports_each_domain_on_its_own(client, syncer, sync_bytes):
    sync_bytes(encode(build_bundle()))
    sync_bytes(encode(build_bundle("2.0", domain="mobile-attack")))
    failed = client.post(
        API + "/sync",
        data=upload(encode(build_bundle(domain="ics-attack")), expected_sha256="0" * 64),
        headers=syncer,
    )
    assert failed.status_code == 422

    status = client.get(API + "/status", headers=syncer).json

    by_domain = {domain["domain"]: domain for domain in status["domains"]}
    assert list(by_domain) == ["enterprise-attack", "mobile-attack"]
    assert by_domain["enterprise-attack"]["counts"] == LIVE_COUNTS
    assert by_domain["mobile-attack"]["counts"] == LIVE_COUNTS
    assert by_domain["enterprise-attack"]["version"] == "18.1"
    # A STIX 2.0 bundle has no collection object: the release comes from elsewhere or is unknown.
    assert by_domain["mobile-attack"]["version"] is None
    assert status["counts"]["techniques"] == 2 * LIVE_COUNTS["techniques"]
    # The failed attempt never parsed its bundle, so it names no domain: it is the last sync.
    assert status["last_sync"]["status"] == "failed"
    assert "SHA-256 mismatch" in status["last_sync"]["error"]


@pytest.mark.parametrize(
    "name, given, expected",
    [
        ("enterprise-attack-v17.1.json", None, "17.1"),
        ("enterprise-attack.json", "16.0", "16.0"),
        ("enterprise-attack-v17.1.json", "16.0", "16.0"),
        ("bundle.json", None, None),
    ],
)
def test_a_bundle_without_collection_takes_a_given_version_or_its_file_name(
    client, syncer, name, given, expected
):
    fields = {"allow_unverified": "true"} | ({"version": given} if given else {})
    response = client.post(
        API + "/sync", data=upload(encode(build_bundle("2.0")), name, **fields), headers=syncer
    )

    assert response.status_code == 200, response.json
    assert response.json["version"] == expected
    status = client.get(API + "/status", headers=syncer).json
    assert status["domains"][0]["version"] == expected


def test_the_bundles_own_version_wins_over_a_given_one(client, syncer):
    response = client.post(
        API + "/sync",
        data=upload(encode(build_bundle()), allow_unverified="true", version="1.0"),
        headers=syncer,
    )
    assert response.status_code == 200 and response.json["version"] == "18.1"


def test_a_malformed_version_is_422(client, syncer):
    response = client.post(
        API + "/sync", json={"allow_unverified": True, "version": "latest"}, headers=syncer
    )
    assert response.status_code == 422
    assert "version" in response.json["errors"]


def test_gzip_upload_with_its_hash(client, syncer):
    compressed = encode(build_bundle(), compress=True)
    response = client.post(
        API + "/sync",
        data=upload(
            compressed, "bundle.json.gz", expected_sha256=hashlib.sha256(compressed).hexdigest()
        ),
        headers=syncer,
    )
    assert response.status_code == 200 and response.json["verified"] is True


def test_two_bundles_in_one_upload_are_422_and_change_nothing(client, syncer, catalogue):
    db.session.commit()  # the catalogue, as a sync leaves it (the 422 rolls the request back)
    before = catalogue_rows()
    content = encode(build_bundle())

    response = client.post(
        API + "/sync",
        data={
            "file": [(io.BytesIO(content), "a.json"), (io.BytesIO(content), "b.json")],
            "allow_unverified": "true",
        },
        headers=syncer,
    )

    assert response.status_code == 422 and "file" in response.json["errors"]
    assert catalogue_rows() == before


def test_sha_mismatch_is_422_and_changes_nothing(client, syncer, catalogue):
    before = catalogue_rows()
    changed = build_bundle()
    changed["objects"][-1]["name"] = "Tampered"
    response = client.post(
        API + "/sync", data=upload(encode(changed), expected_sha256="0" * 64), headers=syncer
    )
    assert response.status_code == 422
    assert "SHA-256 mismatch" in response.json["detail"]
    assert catalogue_rows() == before
    assert client.get(API + "/status", headers=syncer).json["last_sync"]["status"] == "failed"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "expected_sha256"),  # the pinned default URL needs no flag… but is off-line here
        ({"source": "http://raw.githubusercontent.com/x.json", "allow_unverified": True}, "source"),
        ({"source": "https://evil.example.com/x.json", "allow_unverified": True}, "source"),
        (
            {"source": "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/x.json"},
            "expected_sha256",
        ),
        (
            {
                "source": "https://raw.githubusercontent.com/someone/else/x.json",
                "allow_unverified": 1,
            },
            "source",
        ),
        ({"expected_sha256": "xyz"}, "expected_sha256"),
        ({"allow_unverified": "maybe"}, "allow_unverified"),
        ({"surprise": 1}, "surprise"),
        ({"source": "x" * 2049}, "source"),
    ],
)
def test_bad_sync_requests_are_422(client, syncer, app, monkeypatch, payload, field):
    # No pin: a request naming neither a hash nor allow_unverified is refused before any fetch.
    monkeypatch.setitem(app.config, "MITRE_DEFAULT_SHA256", "")
    response = client.post(API + "/sync", json=payload, headers=syncer)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


@pytest.mark.parametrize(
    "data, status",
    [
        (upload(b"{}", "notes.txt", allow_unverified="true"), 415),
        ({"allow_unverified": "true", "other": (io.BytesIO(b"{}"), "x.json")}, 422),  # no `file`
        (upload(b"{}", extra="1"), 422),  # unknown form field
        (upload(b"not json at all", allow_unverified="true"), 422),
        (upload(b"\x1f\x8bbroken", "x.json.gz", allow_unverified="true"), 422),
    ],
)
def test_bad_uploads(client, syncer, data, status):
    response = client.post(API + "/sync", data=data, headers=syncer)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"


def test_other_body_types_are_415(client, syncer):
    response = client.post(
        API + "/sync", data="source=x", headers=syncer, content_type="text/plain"
    )
    assert response.status_code == 415


def test_oversize_upload_is_413(client, syncer, app, monkeypatch):
    monkeypatch.setitem(app.config, "MITRE_MAX_BYTES", 1000)
    response = client.post(
        API + "/sync", data=upload(encode(build_bundle()), allow_unverified="true"), headers=syncer
    )
    assert response.status_code == 413
    assert "(limit MITRE_MAX_BYTES, 0.00095 MB (1000 bytes))" in response.json["detail"]


def test_an_upload_far_over_the_cap_is_413_naming_it(client, syncer, app, monkeypatch):
    monkeypatch.setitem(app.config, "MITRE_MAX_BYTES", 2**20)
    bundle = encode(build_bundle()) + b" " * (2**20 + 200_000)  # over before it is read
    response = client.post(API + "/sync", data=upload(bundle), headers=syncer)
    assert response.status_code == 413
    assert response.json["detail"] == (
        "The bundle is too large: the upload is larger "
        "(limit MITRE_MAX_BYTES, 1 MB (1048576 bytes))."
    )


def test_second_sync_while_one_runs_is_409(client, syncer):
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        try:
            status = client.get(API + "/status", headers=syncer).json
            response = client.post(
                API + "/sync",
                data=upload(encode(build_bundle()), allow_unverified="true"),
                headers=syncer,
            )
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    assert status["sync_running"] is True
    assert response.status_code == 409


@pytest.fixture
def local_release(app, https_server, monkeypatch):
    """The test bundle served over real HTTPS as if it were the pinned default release."""
    document = encode(build_bundle("2.0"))
    https_server.routes["/enterprise-attack-18.1.json"] = document
    monkeypatch.setenv("SSL_CERT_FILE", str(https_server.cert))  # trust the test certificate
    monkeypatch.setitem(app.config, "MITRE_ALLOWED_SOURCES", (https_server.url("/"),))
    monkeypatch.setitem(
        app.config, "MITRE_DEFAULT_URL", https_server.url("/enterprise-attack-18.1.json")
    )
    monkeypatch.setitem(app.config, "MITRE_DEFAULT_SHA256", hashlib.sha256(document).hexdigest())
    return https_server


def test_empty_body_syncs_the_pinned_default_release(client, syncer, local_release):
    response = client.post(API + "/sync", headers=syncer)

    assert response.status_code == 200, response.json
    assert response.json["verified"] is True and response.json["version"] == "18.1"
    status = client.get(API + "/status", headers=syncer).json
    assert status["source_url"] == local_release.url("/enterprise-attack-18.1.json")


def test_redirect_to_another_host_is_refused(client, syncer, local_release):
    target = f"https://127.0.0.1:{local_release.port}/enterprise-attack-18.1.json"
    source = local_release.url(f"/redirect?to={target}")
    response = client.post(
        API + "/sync", json={"source": source, "allow_unverified": True}, headers=syncer
    )
    assert response.status_code == 422
    assert "Refused the redirect" in response.json["detail"]


def test_unreachable_source_is_502(client, syncer, app, monkeypatch):
    monkeypatch.setitem(app.config, "MITRE_ALLOWED_SOURCES", ("https://localhost:1/",))
    monkeypatch.setitem(app.config, "MITRE_FETCH_TIMEOUT", 2)
    response = client.post(
        API + "/sync",
        json={"source": "https://localhost:1/x.json", "allow_unverified": True},
        headers=syncer,
    )
    assert response.status_code == 502


# --- reads ---------------------------------------------------------------------------------------


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["external_id"] for item in response.json["items"]]


def test_tactics_in_matrix_order(client, catalogue, reader):
    response = client.get(API + "/tactics", headers=reader)
    assert ids(response) == ["TA0001", "TA0002", "TA0003"]
    first = response.json["items"][0]
    assert first["shortname"] == "initial-access" and first["position"] == 0
    assert set(first) == {
        "id", "external_id", "stix_id", "name", "shortname", "description", "url", "domain",
        "position", "deprecated", "revoked",
    }  # fmt: skip
    assert ids(client.get(API + "/tactics?q=persist", headers=reader)) == ["TA0003"]
    assert ids(client.get(API + "/tactics?domain=ics-attack", headers=reader)) == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["T1059", "T1078", "T1566", "T1999"]),
        ("tactic=TA0001", ["T1078", "T1566"]),
        ("tactic=persistence", ["T1078"]),
        ("platform=SaaS", ["T1078"]),
        ("platform=Linux&q=log", ["T1999"]),
        ("q=phish", ["T1566"]),
        ("q=t107", ["T1078"]),
        ("q=100%25", ["T1999"]),  # a literal %
        ("q=_", ["T1999"]),  # a literal _
        ("q=%25", ["T1999"]),
        ("include_deprecated=true", ["T1059", "T1064", "T1078", "T1086", "T1566", "T1999"]),
        ("sort=-name&tactic=TA0001", ["T1078", "T1566"]),
        ("domain=mobile-attack", []),
    ],
)
def test_technique_filters(client, catalogue, reader, query, expected):
    assert ids(client.get(f"{API}/techniques?{query}", headers=reader)) == expected


def test_technique_item_shape(client, catalogue, reader):
    item = client.get(API + "/techniques?q=T1078", headers=reader).json["items"][0]
    assert item["tactics"] == [
        {"external_id": "TA0001", "name": "Initial Access", "shortname": "initial-access"},
        {"external_id": "TA0003", "name": "Persistence", "shortname": "persistence"},
    ]
    assert item["subtechnique_count"] == 1
    assert item["platforms"] == ["Windows", "Linux", "SaaS"]
    assert {"id", "stix_id", "description", "url", "domain", "deprecated", "revoked"} <= set(item)


def test_list_pages_and_rejects_unknown_sort(client, catalogue, reader):
    page = client.get(API + "/techniques?limit=2&offset=1", headers=reader).json
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [item["external_id"] for item in page["items"]] == ["T1078", "T1566"]
    response = client.get(API + "/techniques?sort=secret", headers=reader)
    assert response.status_code == 422 and "sort" in response.json["errors"]


@pytest.mark.parametrize("path", ["/techniques", "/subtechniques", "/tactics"])
def test_lists_run_the_same_statements_whatever_the_page_size(
    client, catalogue, reader, count_statements, path
):
    client.get(API + "/status", headers=reader)  # warm up the auth path
    counts = []
    for limit in (1, 50):
        with count_statements() as counter:
            assert client.get(f"{API}{path}?limit={limit}", headers=reader).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_technique_detail(client, catalogue, reader):
    response = client.get(API + "/techniques/t1059", headers=reader)
    assert response.status_code == 200
    body = response.json
    assert body["name"] == "Command and Scripting Interpreter"
    assert body["detection"] == "Monitor for Command and Scripting Interpreter."
    assert [sub["external_id"] for sub in body["subtechniques"]] == ["T1059.001", "T1059.003"]
    assert body["subtechniques"][0]["technique"] == {
        "external_id": "T1059",
        "name": "Command and Scripting Interpreter",
    }
    everything = client.get(API + "/techniques/T1059?include_deprecated=1", headers=reader).json
    assert len(everything["subtechniques"]) == 3
    revoked = client.get(API + "/techniques/T1086", headers=reader).json
    assert revoked["revoked"] is True
    assert revoked["replaced_by"] == "T1059.001"  # the bundle's revoked-by relationship
    assert body["replaced_by"] is None


def test_unknown_technique_is_404(client, catalogue, reader):
    response = client.get(API + "/techniques/T0000", headers=reader)
    assert response.status_code == 404
    assert "T0000" in response.json["detail"]


def test_subtechniques(client, catalogue, reader):
    assert ids(client.get(API + "/subtechniques?technique=T1059", headers=reader)) == [
        "T1059.001",
        "T1059.003",
    ]
    assert ids(client.get(API + "/subtechniques?q=attach", headers=reader)) == ["T1566.001"]
    detail = client.get(API + "/subtechniques/T1078.001", headers=reader).json
    assert detail["technique"] == {"external_id": "T1078", "name": "Valid Accounts"}
    assert client.get(API + "/subtechniques/T1078.999", headers=reader).status_code == 404


def test_matrix(client, catalogue, reader):
    body = client.get(API + "/matrix", headers=reader).json
    assert body["domain"] == "enterprise-attack" and body["version"] == "18.1"
    columns = {
        tactic["external_id"]: [cell["external_id"] for cell in tactic["techniques"]]
        for tactic in body["tactics"]
    }
    assert list(columns) == ["TA0001", "TA0002", "TA0003"]
    # by name: "Command and Scripting Interpreter" < "Log_Rotation 100%"
    assert columns == {
        "TA0001": ["T1566", "T1078"],
        "TA0002": ["T1059", "T1999"],
        "TA0003": ["T1078"],
    }
    t1059 = body["tactics"][1]["techniques"][0]
    assert [sub["external_id"] for sub in t1059["subtechniques"]] == ["T1059.001", "T1059.003"]
    assert set(t1059) == {"external_id", "name", "url", "platforms", "subtechniques"}


def test_matrix_of_an_empty_or_unknown_domain(client, catalogue, reader):
    empty = client.get(API + "/matrix?domain=ics-attack", headers=reader).json
    assert empty == {"domain": "ics-attack", "version": None, "tactics": []}
    assert client.get(API + "/matrix?domain=moon", headers=reader).status_code == 422


def test_matrix_revalidates_with_its_etag_until_a_sync(client, catalogue, reader, sync_bytes):
    first = client.get(API + "/matrix", headers=reader)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    assert first.headers["Cache-Control"] == "private, no-cache"

    again = client.get(API + "/matrix", headers={**reader, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other_domain = client.get(
        API + "/matrix?domain=ics-attack", headers={**reader, "If-None-Match": etag}
    )
    assert other_domain.status_code == 304  # one tag per URL: the catalogue's last sync
    stale = client.get(API + "/matrix", headers={**reader, "If-None-Match": '"matrix-0-old"'})
    assert stale.status_code == 200 and stale.json == first.json

    extra = [technique("T1998", "Brand New Technique", ["execution"])]
    sync_bytes(encode(build_bundle(extra_objects=extra)))
    after_sync = client.get(API + "/matrix", headers={**reader, "If-None-Match": etag})
    assert after_sync.status_code == 200 and after_sync.headers["ETag"] != etag
    execution = next(t for t in after_sync.json["tactics"] if t["external_id"] == "TA0002")
    assert "T1998" in [cell["external_id"] for cell in execution["techniques"]]


def test_matrix_etag_is_checked_after_authentication(client, catalogue, reader):
    etag = client.get(API + "/matrix", headers=reader).headers["ETag"]
    assert client.get(API + "/matrix", headers={"If-None-Match": etag}).status_code == 401


def test_matrix_revalidation_is_one_statement_after_authentication(
    client, catalogue, reader, count_statements
):
    with count_statements() as built:
        first = client.get(API + "/matrix", headers=reader)
    etag = first.headers["ETag"]
    with count_statements() as revalidated:
        assert (
            client.get(API + "/matrix", headers={**reader, "If-None-Match": etag}).status_code
            == 304
        )
    assert built.count - revalidated.count == 4  # version, tactics, techniques, sub-techniques


def test_the_matrix_is_built_once_per_sync(client, catalogue, reader, count_statements, sync_bytes):
    """Until the ETag moves, a full answer is the kept body: the ETag's statement only."""
    first = client.get(API + "/matrix", headers=reader)
    with count_statements() as again:
        second = client.get(API + "/matrix", headers=reader)
    with count_statements() as revalidated:
        client.get(API + "/matrix", headers={**reader, "If-None-Match": first.headers["ETag"]})
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Type"] == "application/json"
    assert again.count == revalidated.count
    other_domain = client.get(API + "/matrix?domain=ics-attack", headers=reader).json
    assert other_domain == {"domain": "ics-attack", "version": None, "tactics": []}

    extra = [technique("T1998", "Brand New Technique", ["execution"])]
    sync_bytes(encode(build_bundle(extra_objects=extra)))
    after_sync = client.get(API + "/matrix", headers=reader)
    execution = next(t for t in after_sync.json["tactics"] if t["external_id"] == "TA0002")
    assert "T1998" in [cell["external_id"] for cell in execution["techniques"]]


def test_technique_list_fields_picks_what_each_item_carries(client, catalogue, reader):
    full = client.get(API + "/techniques?q=T1059", headers=reader).json["items"][0]
    slim = client.get(API + "/techniques?q=T1059&fields=name,tactics", headers=reader)

    assert slim.status_code == 200
    item = slim.json["items"][0]
    assert item == {key: full[key] for key in ("id", "external_id", "name", "tactics")}
    execution = {"external_id": "TA0002", "name": "Execution", "shortname": "execution"}
    assert item["tactics"] == [execution]
    only_count = client.get(API + "/techniques?q=T1059&fields=subtechnique_count", headers=reader)
    assert only_count.json["items"][0] == {
        "id": full["id"],
        "external_id": "T1059",
        "subtechnique_count": full["subtechnique_count"],
    }
    assert set(full) == {"id", "external_id", *TECHNIQUE_LIST_FIELDS}


def test_technique_list_fields_rejects_an_unknown_field(client, catalogue, reader):
    response = client.get(API + "/techniques?fields=name,password_hash", headers=reader)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["fields.1"]  # the second name in the list


def test_technique_list_without_tactics_is_two_statements(
    client, catalogue, reader, count_statements
):
    with count_statements() as with_tactics:
        client.get(API + "/techniques?fields=name,tactics", headers=reader)
    with count_statements() as without:
        client.get(API + "/techniques?fields=name", headers=reader)
    assert with_tactics.count - without.count == 1


def test_technique_list_fields_typed_with_spaces(client, catalogue, reader):
    """`fields=name, tactics` was 422 (" tactics" is no field): the spaces are not the name's."""
    response = client.get(API + "/techniques?q=T1059&fields=name,%20tactics%20", headers=reader)
    assert response.status_code == 200, response.json
    assert set(response.json["items"][0]) == {"id", "external_id", "name", "tactics"}


def test_catalogue_filters_take_ids_in_any_case(client, catalogue, reader):
    """`tactic=ta0002` and `technique=t1059` found nothing: ATT&CK ids are in capitals, and a
    shortname in lower case, whatever was typed."""

    def ids(url):
        response = client.get(API + url, headers=reader)
        assert response.status_code == 200, response.json
        return [item["external_id"] for item in response.json["items"]]

    assert ids("/techniques?tactic=ta0002") == ids("/techniques?tactic=TA0002") != []
    assert ids("/techniques?tactic=Execution") == ids("/techniques?tactic=execution") != []
    assert ids("/subtechniques?technique=t1059") == ids("/subtechniques?technique=T1059") != []
