"""A template deleted in Violet stays deleted when its source is imported again.

A team deletes the Atomic tests it does not want; re-importing the Atomic folder for updates
brought each one back as a new template, every time. Now a re-import matches deleted templates
too (by GUID, source_ref or exported id, in the same workspace), leaves them deleted and
untouched, counts them as skipped and says so in `warnings`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.library.atomic_index import index_text
from tests.library.conftest import LIBRARY_PERMISSIONS
from violet.core.models import including_deleted
from violet.extensions import db
from violet.library.models import TestTemplate

URL = "/api/v1/test-templates"
FIXTURES = Path(__file__).parent / "fixtures"
POWERSHELL = (FIXTURES / "T1059.001.yaml").read_bytes()
MIMIKATZ_GUID = "f3132740-55bc-48c4-bcc0-758a459cd027"
RESTORE_IT = "Restore it (Test library, Show deleted) to update it."
DELETED = f"Deleted in this library: not imported again. {RESTORE_IT}"


def import_atomic(client, headers, content: bytes):
    return client.post(
        f"{URL}/import?format=atomic-red-team",
        data=content,
        headers={**headers, "Content-Type": "application/yaml"},
    )


def import_export(client, headers, document: dict):
    return client.post(f"{URL}/import?format=violet", json=document, headers=headers)


def every_row(statement):
    """Deleted rows too, of every workspace (the tests read outside a request)."""
    return including_deleted(statement).execution_options(all_workspaces=True)


def row(template_id: str) -> TestTemplate:
    """The template as stored, deleted or not."""
    statement = select(TestTemplate).where(TestTemplate.id == template_id)
    db.session.expire_all()
    return db.session.scalars(every_row(statement)).one()


def rows_from(source_ref: str) -> int:
    """Templates, live and deleted, with this source_ref."""
    statement = select(func.count()).where(TestTemplate.source_ref == source_ref)
    return db.session.scalar(every_row(statement.select_from(TestTemplate)))


def named(client, headers, name: str) -> dict:
    [template] = client.get(f"{URL}?q={name}&include_deleted=true", headers=headers).json["items"]
    return template


def delete(client, headers, template: dict) -> None:
    assert client.delete(f"{URL}/{template['id']}", headers=headers).status_code == 204


# The Mimikatz test of the fixture, changed since the first import (ART's next release).
UPDATED = POWERSHELL.replace(b"Invoke-Mimikatz -DumpCreds", b"sekurlsa::logonpasswords")


def test_a_deleted_atomic_is_not_imported_again(client, lead, catalogue):
    import_atomic(client, lead, POWERSHELL)
    mimikatz = named(client, lead, "Mimikatz")
    delete(client, lead, mimikatz)

    again = import_atomic(client, lead, UPDATED)

    assert again.status_code == 200, again.json
    assert again.json == {
        "created": 0,
        "updated": 0,
        "skipped": 4,
        "errors": [],
        "warnings": [{"path": "atomic_tests.0", "name": "Mimikatz", "message": DELETED}],
    }
    assert client.get(URL, headers=lead).json["total"] == 3
    # Left deleted and untouched: the file's change is not written to it.
    stored = row(mimikatz["id"])
    assert stored.deleted_at is not None and stored.version == mimikatz["version"] + 1
    assert "sekurlsa" not in stored.procedure
    assert rows_from(MIMIKATZ_GUID) == 1


def test_an_importer_who_cannot_restore_is_told_who_can(
    client, lead, catalogue, make_user, auth_header
):
    """An importer without `test_template.delete` sees no Show deleted switch and no Restore
    button: the warning names who can restore the template instead of a step they cannot take."""
    import_atomic(client, lead, POWERSHELL)
    delete(client, lead, named(client, lead, "Mimikatz"))
    importer = auth_header(make_user(perms=["test_template.read", "test_template.write"]))

    again = import_atomic(client, importer, UPDATED)

    assert again.status_code == 200, again.json
    assert again.json["warnings"] == [
        {
            "path": "atomic_tests.0",
            "name": "Mimikatz",
            "message": "Deleted in this library: not imported again. Someone who may delete "
            "templates can restore it (Test library, Show deleted) to update it.",
        }
    ]


def test_a_deleted_atomic_stays_deleted_on_an_index_import(client, lead, catalogue):
    """The index (or the atomics folder, one file each): the path names the technique."""
    import_atomic(client, lead, index_text().encode())
    delete(client, lead, named(client, lead, "Mimikatz"))
    delete(client, lead, named(client, lead, "Obfuscation Tests"))

    again = import_atomic(client, lead, index_text().encode())

    assert (again.json["created"], again.json["updated"], again.json["skipped"]) == (0, 0, 4)
    assert again.json["warnings"] == [
        {"path": "T1059.001: atomic_tests.0", "name": "Mimikatz", "message": DELETED},
        {"path": "T1059.001: atomic_tests.2", "name": "Obfuscation Tests", "message": DELETED},
    ]
    # T1082 is not in the test catalogue: its tests are still reported as errors.
    assert len(again.json["errors"]) == 4
    assert client.get(URL, headers=lead).json["total"] == 2


def test_a_deleted_atomic_the_catalogue_cannot_tag_is_reported_as_deleted(
    client, lead, catalogue, make_template
):
    """A test a team deleted is passed over first: no error asking to sync the catalogue
    for a test it does not want."""
    guid = "66703791-c902-4560-8770-42b8a91f7667"  # T1082's first test (T1082: not catalogued)
    template = make_template("System info", source="atomic-red-team", source_ref=guid)
    delete(client, lead, template)

    response = import_atomic(client, lead, (FIXTURES / "T1082.yaml").read_bytes())

    assert response.json["skipped"] == 1
    message = f"Deleted in this library as “System info”: not imported again. {RESTORE_IT}"
    assert response.json["warnings"] == [
        {"path": "atomic_tests.0", "name": "System Information Discovery", "message": message}
    ]
    assert [error["path"] for error in response.json["errors"]] == [
        f"atomic_tests.{index}" for index in (1, 2, 3)
    ]


def test_a_deleted_atomic_that_gained_its_guid_stays_deleted(client, lead, catalogue):
    """Imported before ART gave it a GUID (matched by technique and name), deleted, then the
    file with its GUID: the same test, still deleted."""
    before = b"attack_technique: T1059.001\natomic_tests:\n- name: New test\n"
    before += b"  executor: {name: sh, command: id}\n"
    after = before.replace(
        b"- name: New test\n",
        b"- name: New test\n  auto_generated_guid: 0f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910\n",
    )
    import_atomic(client, lead, before)
    delete(client, lead, named(client, lead, "New test"))

    response = import_atomic(client, lead, after)

    assert response.json == {
        "created": 0,
        "updated": 0,
        "skipped": 1,
        "errors": [],
        "warnings": [{"path": "atomic_tests.0", "name": "New test", "message": DELETED}],
    }


def test_an_atomic_deleted_in_another_workspace_is_imported_here(
    client, lead, catalogue, make_user, make_workspace, auth_header
):
    import_atomic(client, lead, POWERSHELL)
    delete(client, lead, named(client, lead, "Mimikatz"))
    member = make_user(perms=LIBRARY_PERMISSIONS)
    team_b = {**auth_header(member), "X-Violet-Workspace": make_workspace(members=[member]).slug}

    response = import_atomic(client, team_b, POWERSHELL)

    assert response.json == {"created": 4, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert rows_from(MIMIKATZ_GUID) == 2


def test_a_restored_atomic_is_updated_again(client, lead, catalogue):
    import_atomic(client, lead, POWERSHELL)
    mimikatz = named(client, lead, "Mimikatz")
    delete(client, lead, mimikatz)
    restored = client.post(f"{URL}/{mimikatz['id']}/restore", headers=lead)
    assert restored.status_code == 200, restored.json

    again = import_atomic(client, lead, UPDATED)

    assert again.json == {"created": 0, "updated": 1, "skipped": 3, "errors": [], "warnings": []}
    after = client.get(f"{URL}/{mimikatz['id']}", headers=lead).json
    assert "sekurlsa" in after["procedure"]
    assert rows_from(MIMIKATZ_GUID) == 1


def test_a_live_copy_of_a_deleted_atomic_is_updated_and_nothing_said(client, lead, catalogue):
    """Imported again after its deletion, before this change: a live copy beside the deleted
    original. The live one is what the team uses: it is updated."""
    import_atomic(client, lead, POWERSHELL)
    original = named(client, lead, "Mimikatz")
    delete(client, lead, original)
    # The copy the old rule's re-import created (the same source id, a new row).
    copy = client.post(
        URL,
        json={"name": "Mimikatz", "source": "atomic-red-team", "source_ref": MIMIKATZ_GUID},
        headers=lead,
    )
    assert copy.status_code == 201, copy.json

    again = import_atomic(client, lead, UPDATED)

    assert again.json == {"created": 0, "updated": 1, "skipped": 3, "errors": [], "warnings": []}
    assert "sekurlsa" in client.get(f"{URL}/{copy.json['id']}", headers=lead).json["procedure"]
    stored = row(original["id"])
    assert stored.deleted_at is not None and "sekurlsa" not in stored.procedure
    assert rows_from(MIMIKATZ_GUID) == 2


def test_a_template_deleted_since_its_export_is_not_imported_again(client, lead, make_template):
    """Matched by the exported id, whether the template has a source of its own or not."""
    written = make_template("Hand-written", description="v1")
    atomic = make_template(
        "Atomic", source="atomic-red-team", source_ref=MIMIKATZ_GUID, description="v1"
    )
    kept = make_template("Kept", description="v1")
    exported = client.get(f"{URL}/export", headers=lead).json
    for entry in exported["test_templates"]:
        entry["description"] = "v2"
    delete(client, lead, written)
    delete(client, lead, atomic)

    response = import_export(client, lead, exported)

    assert (response.json["created"], response.json["updated"]) == (0, 1)
    assert response.json["skipped"] == 2
    paths = {
        entry["name"]: f"test_templates.{i}" for i, entry in enumerate(exported["test_templates"])
    }
    assert response.json["warnings"] == [
        {"path": paths[name], "name": name, "message": DELETED}
        for name in ("Atomic", "Hand-written")
    ]
    assert [item["id"] for item in client.get(URL, headers=lead).json["items"]] == [kept["id"]]
    assert row(written["id"]).description == "v1" and row(atomic["id"]).description == "v1"


def test_a_live_copy_of_a_deleted_template_imported_from_its_export_is_updated(
    client, lead, make_template
):
    """Its export imported after the deletion, before this change: a copy that records where it
    came from (`violet`, the original's id). The copy is updated; the original stays deleted."""
    written = make_template("Hand-written", description="v1")
    exported = client.get(f"{URL}/export", headers=lead).json
    delete(client, lead, written)
    copy = client.post(
        URL,
        json={"name": "Hand-written", "source": "violet", "source_ref": written["id"]},
        headers=lead,
    )
    exported["test_templates"][0]["description"] = "v2"

    response = import_export(client, lead, exported)

    assert response.json == {"created": 0, "updated": 1, "skipped": 0, "errors": [], "warnings": []}
    assert client.get(f"{URL}/{copy.json['id']}", headers=lead).json["description"] == "v2"
    assert row(written["id"]).description == "v1"


def test_another_workspace_imports_what_this_one_deleted(
    client, lead, make_template, make_user, make_workspace, auth_header
):
    """Deletions are a workspace's own: team B imports team A's export whatever A deleted
    since; B's own deleted copy stays deleted, and B's export brought back to A does not bring
    back A's deleted original."""
    original = make_template("Hand-written", description="v1")
    exported = client.get(f"{URL}/export", headers=lead).json
    delete(client, lead, original)
    member = make_user(perms=LIBRARY_PERMISSIONS)
    team_b = {**auth_header(member), "X-Violet-Workspace": make_workspace(members=[member]).slug}

    first = import_export(client, team_b, exported)
    [copy] = client.get(URL, headers=team_b).json["items"]
    back = import_export(client, lead, client.get(f"{URL}/export", headers=team_b).json)
    delete(client, team_b, copy)
    again = import_export(client, team_b, exported)

    assert first.json == {"created": 1, "updated": 0, "skipped": 0, "errors": [], "warnings": []}
    assert (copy["source"], copy["source_ref"]) == ("violet", original["id"])
    warning = {"path": "test_templates.0", "name": "Hand-written", "message": DELETED}
    assert back.json == {
        "created": 0,
        "updated": 0,
        "skipped": 1,
        "errors": [],
        "warnings": [warning],
    }
    assert client.get(URL, headers=lead).json["total"] == 0
    assert again.json == {
        "created": 0,
        "updated": 0,
        "skipped": 1,
        "errors": [],
        "warnings": [warning],
    }
    assert client.get(URL, headers=team_b).json["total"] == 0


def test_matching_deleted_templates_keeps_the_statement_count(
    client, lead, catalogue, count_statements
):
    """Deleted templates are read with the live ones, in the same batched statements."""
    import_atomic(client, lead, index_text().encode())
    with count_statements() as none_deleted:
        import_atomic(client, lead, index_text().encode())
    for name in ("Mimikatz", "Obfuscation Tests", "Run BloodHound"):
        delete(client, lead, named(client, lead, name))
    with count_statements() as three_deleted:
        response = import_atomic(client, lead, index_text().encode())

    assert len(response.json["warnings"]) == 3
    assert three_deleted.count == none_deleted.count
