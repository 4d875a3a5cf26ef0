"""Import (Atomic Red Team YAML, our JSON) and export over HTTP."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from tests.library.atomic_index import index_text
from tests.library.conftest import LIBRARY_PERMISSIONS
from tests.mitre.test_full_attack import BUNDLE as REAL_BUNDLE
from violet.extensions import db
from violet.library.models import TestTemplate
from violet.library.routes import test_templates as routes
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

URL = "/api/v1/test-templates"
FIXTURES = Path(__file__).parent / "fixtures"


def atomic(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def import_atomic(client, headers, content: bytes):
    return client.post(
        f"{URL}/import?format=atomic-red-team",
        data=content,
        headers={**headers, "Content-Type": "application/yaml"},
    )


def template_count() -> int:
    every_workspace = select(func.count()).select_from(TestTemplate)
    return db.session.scalar(every_workspace.execution_options(all_workspaces=True))


def test_import_an_atomic_file_as_the_raw_body(client, lead, catalogue):
    response = import_atomic(client, lead, atomic("T1059.001.yaml"))

    assert response.status_code == 200, response.json
    assert response.json == {"created": 4, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    listed = client.get(f"{URL}?technique=T1059&sort=name", headers=lead).json["items"]
    assert [item["name"] for item in listed] == [
        "Mimikatz",
        "Obfuscation Tests",
        "PowerShell Session Creation and Use",
        "Run BloodHound from local disk",
    ]
    bloodhound = listed[3]
    assert bloodhound["source"] == "atomic-red-team"
    assert bloodhound["source_ref"] == "a21bb23e-e677-4ee7-af90-6931b57b6350"
    assert bloodhound["mitre"][0]["name"] == "PowerShell"
    assert bloodhound["input_arguments"][1] == {
        "name": "timeout_seconds",
        "type": "integer",
        "default": 30,
        "description": "How long to wait for collection",
    }
    assert "| `timeout_seconds` | integer | `30` |" in bloodhound["procedure"]
    assert bloodhound["prerequisites"].startswith("**SharpHound.ps1 must be located at")


def test_import_an_upload_with_the_format_as_a_form_field(client, lead, catalogue):
    response = client.post(
        f"{URL}/import",
        data={
            "format": "atomic-red-team",
            "file": (io.BytesIO(atomic("T1566.001.yaml")), "x.yaml"),
        },
        headers=lead,
        content_type="multipart/form-data",
    )

    assert response.status_code == 200, response.json
    assert response.json["created"] == 3
    manual = client.get(f"{URL}?q=phishing email", headers=lead).json["items"][0]
    assert manual["platforms"] == ["saas", "windows"]
    assert manual["procedure"].startswith("Manual steps:")


def test_two_documents_in_one_upload_are_422_and_import_nothing(client, lead, catalogue):
    response = client.post(
        f"{URL}/import",
        data={
            "format": "atomic-red-team",
            "file": [
                (io.BytesIO(atomic("T1566.001.yaml")), "a.yaml"),
                (io.BytesIO(atomic("T1566.001.yaml")), "b.yaml"),
            ],
        },
        headers=lead,
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert response.json["errors"] == {
        "file": ["Send the document as one multipart part named 'file'."]
    }
    assert client.get(URL, headers=lead).json["total"] == 0


VIOLET_DOCUMENT = json.dumps(
    {
        "format": "violet-library",
        "format_version": 1,
        "test_templates": [{"id": str(uuid.UUID(int=7)), "name": "From an export"}],
    }
).encode()


@pytest.mark.parametrize(
    ("body", "headers", "file_name", "created"),
    [
        ("atomic", {"Content-Type": "application/yaml"}, None, 4),
        ("atomic", {"Content-Type": "text/x-yaml; charset=utf-8"}, None, 4),
        ("atomic", {}, "T1059.001.YML", 4),
        ("violet", {"Content-Type": "application/json"}, None, 1),
        ("violet", {}, "library.json", 1),
    ],
)
def test_without_format_the_media_type_or_file_name_says_which(
    client, lead, catalogue, body, headers, file_name, created
):
    # `curl --data-binary @T1059.001.yaml -H 'Content-Type: application/yaml'` needs no ?format=.
    document = atomic("T1059.001.yaml") if body == "atomic" else VIOLET_DOCUMENT
    if file_name:
        response = client.post(
            f"{URL}/import",
            data={"file": (io.BytesIO(document), file_name)},
            headers=lead,
            content_type="multipart/form-data",
        )
    else:
        response = client.post(f"{URL}/import", data=document, headers={**lead, **headers})

    assert response.status_code == 200, response.json
    assert response.json["created"] == created


def test_a_second_import_creates_nothing(client, lead, catalogue):
    import_atomic(client, lead, atomic("T1059.001.yaml"))

    again = import_atomic(client, lead, atomic("T1059.001.yaml"))
    changed = import_atomic(
        client, lead, atomic("T1059.001.yaml").replace(b"Invoke-Mimikatz -DumpCreds", b"sekurlsa")
    )

    assert again.json == {"created": 0, "updated": 0, "skipped": 4, "errors": [], "warnings": []}
    assert changed.json == {"created": 0, "updated": 1, "skipped": 3, "errors": [], "warnings": []}
    assert template_count() == 4
    mimikatz = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"][0]
    assert "sekurlsa" in mimikatz["procedure"] and mimikatz["version"] == 2


def test_a_reimport_keeps_what_was_added_in_violet(client, lead, catalogue):
    import_atomic(client, lead, atomic("T1059.001.yaml"))
    mimikatz = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"][0]
    client.patch(
        f"{URL}/{mimikatz['id']}",
        json={"opsec_level": "high", "expected_detection": "EDR: credential dumping"},
        headers=lead,
    )

    import_atomic(client, lead, atomic("T1059.001.yaml").replace(b"Mimikatz url", b"Where from"))

    after = client.get(f"{URL}/{mimikatz['id']}", headers=lead).json
    assert after["opsec_level"] == "high"
    assert after["expected_detection"] == "EDR: credential dumping"
    assert "Where from" in after["procedure"]


def test_a_reimport_keeps_the_tactic_tags_and_references_added_in_violet(client, lead, catalogue):
    """An Atomic file carries its technique and no tactic, and no reference of its own (the
    import links the test's Atomic page): a team's tactic tag and blog link stay, and an
    unchanged file is skipped, not counted as updated."""
    import_atomic(client, lead, atomic("T1059.001.yaml"))
    mimikatz = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"][0]
    blog = "https://redcanary.com/blog/mimikatz-detection/"
    edited = client.patch(
        f"{URL}/{mimikatz['id']}",
        json={
            "mitre": [
                {"kind": "tactic", "external_id": "TA0002"},
                {"kind": "subtechnique", "external_id": "T1059.001"},
            ],
            "references": [*mimikatz["references"], blog],
        },
        headers=lead,
    )
    assert edited.status_code == 200, edited.json

    again = import_atomic(client, lead, atomic("T1059.001.yaml"))

    assert again.json == {"created": 0, "updated": 0, "skipped": 4, "errors": [], "warnings": []}
    after = client.get(f"{URL}/{mimikatz['id']}", headers=lead).json
    assert sorted(tag["external_id"] for tag in after["mitre"]) == ["T1059.001", "TA0002"]
    assert after["references"] == mimikatz["references"] + [blog]


def test_a_reimport_keeps_the_order_a_team_gave_the_references(client, lead, catalogue):
    """A team put its runbook before the Atomic page: the unchanged file is skipped and the
    links stay in the team's order (the import put the page first and counted it updated)."""
    import_atomic(client, lead, atomic("T1059.001.yaml"))
    mimikatz = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"][0]
    runbook = "https://wiki.example.test/runbooks/mimikatz"
    references = [runbook, *mimikatz["references"]]
    edited = client.patch(f"{URL}/{mimikatz['id']}", json={"references": references}, headers=lead)
    assert edited.status_code == 200, edited.json

    again = import_atomic(client, lead, atomic("T1059.001.yaml"))

    assert again.json == {"created": 0, "updated": 0, "skipped": 4, "errors": [], "warnings": []}
    after = client.get(f"{URL}/{mimikatz['id']}", headers=lead).json
    assert after["references"] == references
    assert after["version"] == edited.json["version"]


def test_an_atomic_moved_to_another_technique_keeps_only_what_was_added_in_violet(
    client, lead, catalogue
):
    """ART moves a test between techniques keeping its GUID (T1086 became T1059.001): its
    technique tag and Atomic page follow the file, the team's tactic tag and links stay (one
    to another atomic's page too)."""
    import_atomic(client, lead, atomic("T1059.001.yaml"))
    mimikatz = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"][0]
    blog = "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/T1003/T1003.md"
    client.patch(
        f"{URL}/{mimikatz['id']}",
        json={
            "mitre": [
                {"kind": "tactic", "external_id": "TA0002"},
                {"kind": "subtechnique", "external_id": "T1059.001"},
            ],
            "references": [*mimikatz["references"], blog],
        },
        headers=lead,
    )
    moved = atomic("T1059.001.yaml").replace(
        b"attack_technique: T1059.001\n", b"attack_technique: T1059.003\n"
    )

    response = import_atomic(client, lead, moved)

    assert response.json["updated"] == 4 and response.json["created"] == 0
    after = client.get(f"{URL}/{mimikatz['id']}", headers=lead).json
    assert sorted(tag["external_id"] for tag in after["mitre"]) == ["T1059.003", "TA0002"]
    assert after["references"] == [
        "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/T1059.003/T1059.003.md",
        blog,
    ]


def test_atomics_of_a_technique_missing_from_the_catalogue_are_reported(client, lead, catalogue):
    # The test catalogue has no T1082.
    response = import_atomic(client, lead, atomic("T1082.yaml"))

    assert response.status_code == 200
    assert response.json["created"] == 0
    assert [error["path"] for error in response.json["errors"]] == [
        "atomic_tests.0",
        "atomic_tests.1",
        "atomic_tests.2",
        "atomic_tests.3",
    ]
    assert response.json["errors"][2] == {
        "path": "atomic_tests.2",
        "name": "List OS Information",
        "message": "mitre: Unknown technique: T1082.",
    }
    assert template_count() == 0


def test_an_index_of_atomics_imports_every_technique_s_tests(client, lead, catalogue):
    response = import_atomic(client, lead, index_text().encode())
    again = import_atomic(client, lead, index_text().encode())

    assert response.status_code == 200, response.json
    assert response.json["created"] == 4  # T1059.001's, once though under two tactics
    assert [error["path"] for error in response.json["errors"]] == [
        f"T1082: atomic_tests.{i}"
        for i in range(4)  # not in the test catalogue
    ]
    assert (again.json["created"], again.json["skipped"]) == (0, 4)
    assert template_count() == 4


def test_bad_yaml_is_422_with_its_line_and_nothing_imported(client, lead, catalogue):
    broken = atomic("T1059.001.yaml").replace(b"- name: Obfuscation Tests", b"- name: [broken")

    response = import_atomic(client, lead, broken)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    # The flow sequence opened on line 53 is found unterminated on the next line.
    assert "Invalid YAML at line 54" in response.json["detail"]
    assert template_count() == 0


LATIN_1_ATOMIC = (
    "attack_technique: T1059.001\n"
    "atomic_tests:\n"
    "- name: Récupérer les journaux\n"
    "  executor: {name: sh, command: journalctl}\n"
).encode("latin-1")


def test_a_latin_1_file_is_422_naming_the_byte_and_its_line(client, lead, catalogue):
    # libyaml said "unacceptable character #x0020: invalid trailing UTF-8 octet", naming
    # another character than the é, and no line.
    response = import_atomic(client, lead, LATIN_1_ATOMIC)

    assert response.status_code == 422
    assert response.json["detail"] == (
        "The file is not UTF-8 (or UTF-16): the byte 0xE9 at line 3, column 10 cannot be "
        "decoded; save it as UTF-8."
    )
    assert response.json["errors"] == {
        "line 3, column 10": ["Not UTF-8: the byte 0xE9 cannot be decoded."]
    }
    assert template_count() == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_file_in_utf_8_or_utf_16_with_its_byte_order_mark_is_imported(
    client, lead, catalogue, encoding
):
    document = LATIN_1_ATOMIC.decode("latin-1").encode(encoding)

    response = import_atomic(client, lead, document)

    assert response.status_code == 200, response.json
    listed = client.get(URL, headers=lead).json["items"]
    assert [item["name"] for item in listed] == ["Récupérer les journaux"]


def test_a_wrong_shape_is_422_with_its_path_and_nothing_imported(client, lead, catalogue):
    broken = atomic("T1059.001.yaml").replace(b"    name: powershell\n", b"", 1)

    response = import_atomic(client, lead, broken)

    assert response.status_code == 422
    # The line of the deepest node that exists: the executor mapping lacking its name.
    assert list(response.json["errors"]) == ["atomic_tests.1.executor.name (line 45)"]
    assert template_count() == 0


def test_a_yaml_alias_is_422_naming_its_line_and_nothing_imported(client, lead, catalogue):
    # A 200 KB command repeated by alias 500 times: ~100 MB of drafts before the fix.
    bomb = (
        b"attack_technique: T1059\n"
        b"c: &c " + b"x" * 200_000 + b"\n"
        b"t: &t {name: x, executor: {name: sh, command: *c}}\n"
        b"atomic_tests: [" + b",".join([b"*t"] * 500) + b"]\n"
    )

    response = import_atomic(client, lead, bomb)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == (
        "Invalid YAML at line 3, column 47: found the alias *c; YAML aliases are not accepted."
    )
    assert template_count() == 0


def test_a_nul_character_is_422_naming_the_test_and_field(client, lead, catalogue):
    # PostgreSQL text cannot hold NUL: it used to reach the INSERT and come back as a 500.
    document = (
        b"attack_technique: T1059\n"
        b"atomic_tests:\n"
        b"- name: fine\n"
        b"  executor: {name: sh, command: id}\n"
        b"- name: with a NUL\n"
        b'  executor: {name: sh, command: "echo a\\0b"}\n'
    )

    response = import_atomic(client, lead, document)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {
        "atomic_tests.1.executor.command (line 6)": [
            "Test 'with a NUL': Contains a character that cannot be stored "
            "(NUL or an unpaired surrogate)."
        ]
    }
    assert template_count() == 0


@pytest.mark.parametrize("number", [".nan", ".inf", "-.inf"])
def test_a_non_finite_default_is_422_naming_the_argument(client, lead, catalogue, number):
    # JSON has no NaN or infinity: the JSONB write of the input arguments failed with a 500.
    document = (
        b"attack_technique: T1059\n"
        b"atomic_tests:\n"
        b"- name: a\n"
        b"  input_arguments:\n"
        b"    count: {type: float, default: " + number.encode() + b"}\n"
        b"  executor: {name: sh, command: 'id #{count}'}\n"
    )

    response = import_atomic(client, lead, document)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {
        "atomic_tests.0.input_arguments.count.default (line 5)": [
            "Argument 'count': not a finite number (JSON has no NaN or infinity)."
        ]
    }
    assert template_count() == 0


@pytest.mark.parametrize(
    ("second", "field", "message"),
    [
        (
            b"- name: second\n  auto_generated_guid: 3DAB4BCC-667F-4459-AEA7-4162DD2D6590\n",
            "atomic_tests.1.auto_generated_guid (line 7)",
            "Test 'second' has the GUID of test 'first' (atomic_tests.0): each test needs its own.",
        ),
        (
            b"- name: first\n",
            "atomic_tests.1.name (line 5)",
            "Test 'first' has no GUID and the name of atomic_tests.0: "
            "give each test its own name or GUID.",
        ),
    ],
)
def test_two_tests_with_one_source_id_are_422_naming_both(
    client, lead, catalogue, second, field, message
):
    # The second one silently overwrote the first on import.
    first = b"- name: first\n"
    if b"auto_generated_guid" in second:
        first += b"  auto_generated_guid: 3dab4bcc-667f-4459-aea7-4162dd2d6590\n"
    document = (
        b"attack_technique: T1059\natomic_tests:\n"
        + first
        + b"  executor: {name: sh, command: one}\n"
        + second
        + b"  executor: {name: sh, command: two}\n"
    )

    response = import_atomic(client, lead, document)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {field: [message]}
    assert template_count() == 0


def test_a_test_without_a_guid_and_with_a_long_name_imports_and_reimports(client, lead, catalogue):
    # "T1059.001/" + a 195-character name is over source_ref's 200: the test was refused.
    name = "N" * 195
    document = (
        b"attack_technique: T1059.001\natomic_tests:\n"
        b"- name: " + name.encode() + b"\n  executor: {name: sh, command: id}\n"
    )

    first = import_atomic(client, lead, document)
    again = import_atomic(client, lead, document)

    assert first.json == {"created": 1, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert again.json == {"created": 0, "updated": 0, "skipped": 1, "errors": [], "warnings": []}
    [template] = client.get(URL, headers=lead).json["items"]
    assert template["name"] == name
    assert template["source_ref"] == f"T1059.001/sha256:{hashlib.sha256(name.encode()).hexdigest()}"


def test_a_test_that_gains_a_guid_updates_the_template_imported_without_one(
    client, lead, catalogue
):
    # ART adds a test's GUID after its pull request is merged; upgrading ART duplicated it.
    before = b"attack_technique: T1059.001\natomic_tests:\n- name: New test\n"
    before += b"  executor: {name: sh, command: id}\n"
    guid = "0f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"
    after = before.replace(
        b"- name: New test\n", f"- name: New test\n  auto_generated_guid: {guid}\n".encode()
    )

    first = import_atomic(client, lead, before)
    upgraded = import_atomic(client, lead, after)
    again = import_atomic(client, lead, after)

    assert first.json["created"] == 1
    assert upgraded.json == {"created": 0, "updated": 1, "skipped": 0, "errors": [], "warnings": []}
    assert again.json == {"created": 0, "updated": 0, "skipped": 1, "errors": [], "warnings": []}
    [template] = client.get(URL, headers=lead).json["items"]
    assert template["source_ref"] == guid


@pytest.mark.parametrize(
    ("query", "body", "field"),
    [
        ("", b"attack_technique: T1059", "format"),
        ("?format=stix", b"{}", "format"),
        ("?format=violet", b"   ", "file"),
    ],
)
def test_missing_format_or_document_is_422(client, lead, query, body, field):
    response = client.post(f"{URL}/import{query}", data=body, headers=lead)
    assert response.status_code == 422
    assert field in response.json["errors"]


def short_atomic_tests(count: int) -> bytes:
    """An Atomic file of `count` tests of one line each (flow style), each with its GUID."""
    lines = ["attack_technique: T1059.001", "atomic_tests:"]
    lines += [
        f"- {{name: Test {index}, auto_generated_guid: {uuid.UUID(int=index + 1)}, "
        f"supported_platforms: [linux], executor: {{name: sh, command: echo {index}}}}}"
        for index in range(count)
    ]
    return "\n".join(lines).encode()


def test_thousands_of_atomics_are_imported_then_matched_again(client, lead, catalogue):
    # Looking up which of them were imported before was one `(source, source_ref) IN` list of
    # 12,000 pairs (each GUID, and each technique and name): PostgreSQL refused it, "stack
    # depth limit exceeded", and the import answered 503 "The database is unavailable".
    document = short_atomic_tests(6_000)

    first = import_atomic(client, lead, document)
    again = import_atomic(client, lead, document)

    assert first.status_code == 200, first.json
    assert first.json == {
        "created": 6_000,
        "updated": 0,
        "skipped": 0,
        "errors": [],
        "warnings": [],
    }
    assert again.status_code == 200, again.json
    assert again.json == {
        "created": 0,
        "updated": 0,
        "skipped": 6_000,
        "errors": [],
        "warnings": [],
    }
    assert template_count() == 6_000


def many_atomic_tests(at_least: int) -> bytes:
    """An Atomic file of `at_least` bytes or more: distinct tests with 10 KB descriptions."""
    document = b"attack_technique: T1059.001\natomic_tests:\n"
    index = 0
    while len(document) < at_least:
        document += (
            f"- name: Test {index}\n"
            f"  auto_generated_guid: {uuid.UUID(int=index + 1)}\n"
            f"  description: {'x' * 10_000}\n"
            f"  supported_platforms: [windows]\n"
            f"  executor: {{name: powershell, command: 'Write-Host {index}'}}\n"
        ).encode()
        index += 1
    return document


ONE_MIB = 1024 * 1024


@pytest.mark.parametrize("as_upload", [False, True])
def test_a_document_over_the_apps_1_mib_body_limit_is_imported(client, lead, catalogue, as_upload):
    document = many_atomic_tests(ONE_MIB + 1)
    if as_upload:
        response = client.post(
            f"{URL}/import",
            data={"format": "atomic-red-team", "file": (io.BytesIO(document), "big.yaml")},
            headers=lead,
            content_type="multipart/form-data",
        )
    else:
        response = import_atomic(client, lead, document)

    assert response.status_code == 200, response.json
    assert response.json["created"] == document.count(b"- name: ") > 100
    assert response.json["errors"] == []


def test_a_violet_export_over_1_mib_is_imported_as_a_json_body(client, lead, catalogue):
    # The body the docs' `curl -H "Content-Type: application/json" --data-binary @library.json`
    # sends; the input guard reads a JSON body before the view does.
    entries = [
        {
            "id": str(uuid.UUID(int=index + 1)),
            "name": f"Template {index}",
            "procedure": "x" * 10_000,
            "mitre": [{"kind": "technique", "external_id": "T1059"}],
        }
        for index in range(110)
    ]
    document = {"format": "violet-library", "format_version": 1, "test_templates": entries}
    body = json.dumps(document).encode()

    response = client.post(
        f"{URL}/import?format=violet",
        data=body,
        headers={**lead, "Content-Type": "application/json"},
    )

    assert len(body) > ONE_MIB
    assert response.status_code == 200, response.json
    assert response.json == {
        "created": 110,
        "updated": 0,
        "skipped": 0,
        "errors": [],
        "warnings": [],
    }


def test_more_than_10_000_atomics_are_413_naming_the_limit_and_nothing_imported(client, lead):
    # 30,000 one-line tests are 4 MB, far under the 20 MB cap, but would be read and written
    # for longer than a worker may take (GUNICORN_TIMEOUT, 120 s).
    response = import_atomic(client, lead, short_atomic_tests(10_001))

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == (
        "The document holds 10,001 atomic tests; one import takes at most 10,000. "
        "Split its atomic_tests into several files."
    )
    assert template_count() == 0


def test_an_index_of_more_than_10_000_atomics_is_413_counting_each_technique_once(client, lead):
    def technique(external_id: str, count: int, first: int) -> dict:
        tests = [
            {
                "name": f"Test {index}",
                "auto_generated_guid": str(uuid.UUID(int=index + 1)),
                "executor": {"name": "sh", "command": f"echo {index}"},
            }
            for index in range(first, first + count)
        ]
        return {"technique": {"name": external_id}, "atomic_tests": tests}

    powershell = technique("T1059.001", 5_001, 0)
    index = {  # PowerShell's tests stand under two tactics: they are counted once
        "execution": {"T1059.001": powershell},
        "defense-evasion": {"T1059.001": powershell},
        "discovery": {"T1082": technique("T1082", 5_000, 5_001)},
    }
    document = json.dumps(index).encode()  # JSON is YAML too, and written out in full

    response = import_atomic(client, lead, document)

    assert response.status_code == 413
    assert response.json["detail"].startswith(
        "The document holds 10,001 atomic tests; one import takes at most 10,000. "
    )
    assert template_count() == 0


def test_an_export_of_more_than_10_000_templates_is_413_naming_the_limit(client, lead):
    entries = [
        {"id": str(uuid.UUID(int=index + 1)), "name": f"T{index}"} for index in range(10_001)
    ]
    document = {"format": "violet-library", "format_version": 1, "test_templates": entries}

    response = client.post(
        f"{URL}/import?format=violet",
        data=json.dumps(document).encode(),
        headers={**lead, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json["detail"] == (
        "The document holds 10,001 templates; one import takes at most 10,000. "
        "Split its test_templates into several documents."
    )
    assert template_count() == 0


@pytest.mark.parametrize("as_upload", [False, True])
def test_a_document_over_the_import_limit_is_413_naming_it(client, lead, as_upload):
    document = b"x" * (routes.IMPORT_MAX_BYTES + 1)
    if as_upload:
        response = client.post(
            f"{URL}/import",
            data={"format": "atomic-red-team", "file": (io.BytesIO(document), "big.yaml")},
            headers=lead,
            content_type="multipart/form-data",
        )
    else:
        response = import_atomic(client, lead, document)

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == "The document exceeds the limit of 20 MB (20971520 bytes)."


def test_a_body_far_over_the_import_limit_is_413_naming_it(client, lead):
    # Refused while the body is read, before the import sees it: the same words.
    response = import_atomic(client, lead, b"x" * (routes.IMPORT_MAX_BYTES + 200_000))

    assert response.status_code == 413
    assert response.json["detail"] == "The document exceeds the limit of 20 MB (20971520 bytes)."


def test_an_anonymous_import_over_1_mib_is_still_401(client):
    response = client.post(f"{URL}/import?format=violet", json={"x": "x" * (ONE_MIB + 1)})
    assert response.status_code == 401


def test_import_needs_the_write_permission(client, make_user, auth_header):
    reader = auth_header(make_user(perms=["test_template.read"]))
    response = client.post(f"{URL}/import?format=violet", data=b"{}", headers=reader)
    assert response.status_code == 403


# --- export and our own format -------------------------------------------------------------------


def test_export_reimports_into_an_empty_library_with_the_same_content(client, lead, make_template):
    import_atomic(client, lead, atomic("T1059.001.yaml"))
    make_template(
        "Hand-written",
        mitre=[("tactic", "TA0001"), ("technique", "T1078"), ("subtechnique", "T1566.001")],
        description="**Markdown**",
        platforms=["windows", "identity"],
        opsec_level="low",
        tags=["phishing", "initial"],
        references=["https://example.test/ref"],
        expected_detection="Mail gateway alert",
    )

    def content():
        items = client.get(f"{URL}?sort=name&limit=500", headers=lead).json["items"]
        ignored = {"id", "version", "created_at", "created_by", "updated_at", "updated_by"}
        return [{k: v for k, v in item.items() if k not in ignored} for item in items]

    before = content()
    hand_written = next(item for item in before if item["name"] == "Hand-written")
    [exported_id] = [
        item["id"]
        for item in client.get(URL, headers=lead).json["items"]
        if item["name"] == "Hand-written"
    ]
    # A template without a source of its own records where it came from, so that importing
    # the same export again finds it rather than adding a copy.
    hand_written.update(source="violet", source_ref=exported_id)
    export = client.get(f"{URL}/export", headers=lead)
    # An empty library.
    db.session.execute(delete(TestTemplate).execution_options(all_workspaces=True))
    db.session.commit()
    response = client.post(f"{URL}/import?format=violet", data=export.data, headers=lead)

    assert export.status_code == 200
    assert export.headers["Content-Disposition"].startswith('attachment; filename="violet-library-')
    assert export.json["format"] == "violet-library"
    assert len(export.json["test_templates"]) == 5
    assert response.json == {"created": 5, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert content() == before


def test_reimporting_an_export_into_the_same_library_updates_by_id(client, lead, make_template):
    template = make_template("Original", mitre=[("technique", "T1059")])
    exported = client.get(f"{URL}/export", headers=lead).json
    client.patch(f"{URL}/{template['id']}", json={"name": "Renamed here"}, headers=lead)

    response = client.post(f"{URL}/import?format=violet", json=exported, headers=lead)

    assert response.json == {"created": 0, "updated": 1, "skipped": 0, "errors": [], "warnings": []}
    assert client.get(f"{URL}/{template['id']}", headers=lead).json["name"] == "Original"


def test_an_export_imported_again_into_another_workspace_creates_nothing(
    client, lead, make_template, make_user, make_workspace, auth_header
):
    # Team A shares its library with team B, then shares it again after an edit.
    original = make_template(
        "Hand-written", mitre=[("technique", "T1059")], description="v1", platforms=["linux"]
    )
    member = make_user(perms=LIBRARY_PERMISSIONS)
    team_b = {**auth_header(member), "X-Violet-Workspace": make_workspace(members=[member]).slug}
    exported = client.get(f"{URL}/export", headers=lead).json

    first = client.post(f"{URL}/import?format=violet", json=exported, headers=team_b)
    again = client.post(f"{URL}/import?format=violet", json=exported, headers=team_b)
    client.patch(f"{URL}/{original['id']}", json={"description": "v2"}, headers=lead)
    edited = client.post(
        f"{URL}/import?format=violet",
        json=client.get(f"{URL}/export", headers=lead).json,
        headers=team_b,
    )

    assert first.json == {"created": 1, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert again.json == {"created": 0, "updated": 0, "skipped": 1, "errors": [], "warnings": []}
    assert edited.json == {"created": 0, "updated": 1, "skipped": 0, "errors": [], "warnings": []}
    [copy] = client.get(URL, headers=team_b).json["items"]
    # A new id (ids say nothing of other workspaces), and where it came from.
    assert copy["id"] != original["id"]
    assert (copy["source"], copy["source_ref"]) == ("violet", original["id"])
    assert (copy["name"], copy["description"], copy["platforms"]) == (
        "Hand-written",
        "v2",
        ["linux"],
    )

    # Team B's export, brought back to team A, finds the original and leaves its source alone.
    back = client.post(
        f"{URL}/import?format=violet",
        json=client.get(f"{URL}/export", headers=team_b).json,
        headers=lead,
    )

    assert back.json == {"created": 0, "updated": 0, "skipped": 1, "errors": [], "warnings": []}
    [mine] = client.get(URL, headers=lead).json["items"]
    assert (mine["id"], mine["source"], mine["source_ref"]) == (original["id"], None, None)


def test_an_export_imported_twice_into_another_instance_creates_once(client, lead, make_template):
    template = make_template("Hand-written", mitre=[("technique", "T1059")])
    atomic = make_template(
        "Atomic", mitre=[("technique", "T1059")], source="atomic-red-team", source_ref="guid-1"
    )
    exported = client.get(f"{URL}/export", headers=lead).json
    # Another instance: none of these templates is there.
    db.session.execute(delete(TestTemplate).execution_options(all_workspaces=True))
    db.session.commit()

    first = client.post(f"{URL}/import?format=violet", json=exported, headers=lead)
    again = client.post(f"{URL}/import?format=violet", json=exported, headers=lead)

    assert first.json["created"] == 2
    assert again.json == {"created": 0, "updated": 0, "skipped": 2, "errors": [], "warnings": []}
    copies = {item["name"]: item for item in client.get(URL, headers=lead).json["items"]}
    assert (copies["Hand-written"]["source"], copies["Hand-written"]["source_ref"]) == (
        "violet",
        template["id"],
    )
    # A template with a source of its own keeps it (an atomic is found by its GUID).
    assert (copies["Atomic"]["source"], copies["Atomic"]["source_ref"]) == (
        atomic["source"],
        "guid-1",
    )


def test_two_templates_with_one_id_are_422_and_nothing_is_written(client, lead, make_template):
    template = make_template("Original", mitre=[("technique", "T1059")])
    exported = client.get(f"{URL}/export", headers=lead).json
    first = exported["test_templates"][0]
    exported["test_templates"].append({**first, "name": "A second one with the same id"})

    response = client.post(f"{URL}/import?format=violet", json=exported, headers=lead)

    assert response.status_code == 422
    assert response.json["errors"] == {
        "test_templates.1.id": ["The id of test_templates.0: each template's id must be unique."]
    }
    assert client.get(f"{URL}/{template['id']}", headers=lead).json["name"] == "Original"


def test_bad_json_is_422_with_its_line(client, lead):
    response = client.post(
        f"{URL}/import?format=violet",
        data=b'{"format": "violet-library",\n "test_templates": [}',
        headers={**lead, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "line 2" in response.json["detail"]


def violet_upload(client, headers, content: bytes):
    return client.post(
        f"{URL}/import",
        data={"format": "violet", "file": (io.BytesIO(content), "library.json")},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_an_uploaded_export_in_latin_1_is_422_naming_the_byte_and_its_line(client, lead):
    document = '{"format": "violet-library",\n "test_templates": [{"name": "Café"}]}'

    response = violet_upload(client, lead, document.encode("latin-1"))

    assert response.status_code == 422
    assert response.json["detail"] == (
        "The file is not UTF-8: the byte 0xE9 at line 2, column 34 cannot be decoded; "
        "save it as UTF-8."
    )


def test_a_nul_character_in_an_uploaded_export_is_422_naming_the_field(client, lead, catalogue):
    # An upload is not a JSON body, so the request's input guard does not see inside it.
    document = {
        "format": "violet-library",
        "format_version": 1,
        "test_templates": [
            {"id": "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11", "name": "x", "procedure": "a\u0000b"}
        ],
    }

    response = violet_upload(client, lead, json.dumps(document).encode())

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {
        "test_templates.0.procedure": [
            "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
        ]
    }
    assert template_count() == 0


def test_a_non_finite_default_in_an_export_is_422_naming_it(client, lead, catalogue):
    # Python's JSON parser reads NaN and Infinity, which JSON (and PostgreSQL's JSONB) lacks.
    body = (
        b'{"format": "violet-library", "format_version": 1, "test_templates": [{"id": '
        b'"0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11", "name": "x", '
        b'"input_arguments": [{"name": "n", "default": Infinity}]}]}'
    )

    response = violet_upload(client, lead, body)

    assert response.status_code == 422
    assert response.json["errors"] == {
        "test_templates.0.input_arguments.0.default": [
            "Not a finite number (JSON has no NaN or infinity)."
        ]
    }
    assert template_count() == 0


def test_deeply_nested_json_in_an_upload_is_422(client, lead):
    # json.loads raised RecursionError (a 500); a JSON body is refused by the input guard first.
    response = violet_upload(client, lead, b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {"_schema": ["The JSON is nested too deeply."]}


def test_a_bad_entry_is_422_with_its_path_and_nothing_imported(client, lead, catalogue):
    document = {
        "format": "violet-library",
        "format_version": 1,
        "test_templates": [
            {"id": "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11", "name": "fine"},
            {"id": "6a1e1f0c-8d35-4a43-a4f9-3b4b77d2b7e2", "name": "x", "platforms": ["amiga"]},
        ],
    }
    response = client.post(f"{URL}/import?format=violet", data=json.dumps(document), headers=lead)

    assert response.status_code == 422
    assert list(response.json["errors"]) == ["test_templates.1.platforms.0"]
    assert template_count() == 0


def test_an_atomic_file_tagged_with_a_revoked_technique_imports_with_a_warning(
    client, lead, catalogue
):
    """ART's PowerShell tests as the file was before ATT&CK's sub-techniques (`T1086`, revoked
    by T1059.001 since): imported as tagged, as before, and now each named in `warnings` with
    the replacement, rather than silently (templates created with the tag by hand are 422)."""
    old_file = atomic("T1059.001.yaml").replace(
        b"attack_technique: T1059.001\n", b"attack_technique: T1086\n"
    )

    response = import_atomic(client, lead, old_file)

    assert response.status_code == 200, response.json
    assert (response.json["created"], response.json["errors"]) == (4, [])
    message = (
        "mitre: Technique T1086 (PowerShell) is revoked in ATT&CK: tag T1059.001, "
        "which replaced it."
    )
    assert [(w["path"], w["message"]) for w in response.json["warnings"]] == [
        (f"atomic_tests.{index}", message) for index in range(4)
    ]
    [mimikatz] = client.get(f"{URL}?q=Mimikatz", headers=lead).json["items"]
    assert [tag["external_id"] for tag in mimikatz["mitre"]] == ["T1086"]
    # Still editable with its tag.
    edited = client.patch(f"{URL}/{mimikatz['id']}", json={"opsec_level": "high"}, headers=lead)
    assert edited.status_code == 200, edited.json


@pytest.mark.full_attack
@pytest.mark.skipif(
    not REAL_BUNDLE.exists(), reason=f"the real ATT&CK bundle is absent ({REAL_BUNDLE})"
)
def test_atomics_of_retired_techniques_import_with_warnings_against_the_real_catalogue(
    app, client, lead
):
    """ATT&CK v18.1 as synced from the real bundle: ART's PowerShell file as written before
    sub-techniques (T1086, revoked by T1059.001) and a test of T1064 (Scripting, deprecated)
    import as tagged, each named in `warnings`; by hand, the same tags are 422."""
    sync_catalogue(
        SyncSource(content=REAL_BUNDLE.read_bytes(), label=f"file:{REAL_BUNDLE}"),
        expected_sha256=None,
        allow_unverified=True,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    db.session.commit()
    old_powershell = atomic("T1059.001.yaml").replace(
        b"attack_technique: T1059.001\n", b"attack_technique: T1086\n"
    )
    scripting = atomic("T1082.yaml").replace(
        b"attack_technique: T1082\n", b"attack_technique: T1064\n"
    )

    imported = [import_atomic(client, lead, old_powershell), import_atomic(client, lead, scripting)]

    assert [response.status_code for response in imported] == [200, 200]
    assert [response.json["errors"] for response in imported] == [[], []]
    revoked, deprecated = (response.json["warnings"] for response in imported)
    assert (
        len(revoked) == imported[0].json["created"]
        and len(deprecated) == imported[1].json["created"]
    )
    assert revoked[0]["message"] == (
        "mitre: Technique T1086 (PowerShell) is revoked in ATT&CK: tag T1059.001, "
        "which replaced it."
    )
    assert deprecated[0]["message"] == "mitre: Technique T1064 (Scripting) is deprecated in ATT&CK."
    by_hand = client.post(
        URL,
        json={"name": "Old", "mitre": [{"kind": "technique", "external_id": "T1086"}]},
        headers=lead,
    )
    assert by_hand.status_code == 422 and "T1059.001" in by_hand.json["detail"]
