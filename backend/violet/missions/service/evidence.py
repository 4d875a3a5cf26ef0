"""Evidence files on mission tests: the row here, the bytes in the blob store (core/storage.py).

- Upload streams the file into the store (sniffed type, SHA-256, size, the `evidence_max_bytes`
  setting as cap), then writes the row; when the row cannot be written the blob is removed, so a
  failed upload leaves neither.
- The category follows the uploader's side: red members upload red evidence, blue members blue;
  the lead (or `mission.manage_all`) chooses. Viewers upload nothing.
- Delete is soft (the uploader or the lead), and so is its undo, `restore`, until `purge` has
  removed the blobs of files deleted long enough ago (it keeps the rows as history, with
  `purged_at`). Whoever may restore a file sees it in the list with `include_deleted`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any, BinaryIO, cast

from sqlalchemy import or_, select
from werkzeug.datastructures import FileStorage

from violet.core.auth import current_user, current_user_id
from violet.core.errors import Conflict, Forbidden, NotFound
from violet.core.models import including_deleted, utcnow
from violet.core.pagination import paginate
from violet.core.storage import blob_store, sanitise_filename
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.missions.models import EvidenceFile
from violet.missions.service.access import MissionAccess
from violet.missions.service.notes import check_live_test, on_live_test
from violet.settings import service as settings

SIDES = ("red", "blue")


def upload_cap() -> int:
    """The largest evidence file accepted, in bytes (the `evidence_max_bytes` setting)."""
    return int(settings.get_value("evidence_max_bytes"))


def check_may_upload(access: MissionAccess) -> None:
    """403 for a caller with no side in the mission (viewers, read_all outsiders)."""
    if access.role not in SIDES and not access.can_manage:
        raise Forbidden("Only the mission's red and blue members, or its lead, upload evidence.")


def check_may_download(
    access: MissionAccess, refusal: str = "Only the mission's members download its evidence."
) -> None:
    """Evidence leaves the server for members only: 403 (`refusal`) for a read_all or
    manage_all outsider, who still sees the list (names, sizes, hashes) with the rest of the
    mission. The mission archive, which carries the files, is refused the same way."""
    if access.role is None:
        raise Forbidden(refusal)


def _category(access: MissionAccess, requested: str | None) -> str:
    if access.can_manage:
        return requested or (access.role if access.role in SIDES else "red")
    side = str(access.role)
    if requested not in (None, side):
        raise Forbidden(
            f"A {side} member uploads {side} evidence only.",
            errors={"category": [f"Must be {side}: your role in this mission."]},
        )
    return side


def upload_evidence(
    access: MissionAccess,
    test_id: uuid.UUID,
    upload: FileStorage,
    *,
    category: str | None,
    caption: str | None,
) -> EvidenceFile:
    """Store the file and its row; nothing of either when anything fails."""
    check_may_upload(access)
    check_live_test(access.mission.id, test_id)
    chosen_category = _category(access, category)
    filename = sanitise_filename(upload.filename)
    stream = cast(BinaryIO, upload.stream)
    blob = blob_store().save(stream, filename=filename, max_bytes=upload_cap())
    uploader = current_user()
    evidence = EvidenceFile(
        workspace_id=access.mission.workspace_id,
        mission_id=access.mission.id,
        mission_test_id=test_id,
        storage_key=blob.key,
        filename=filename,
        size=blob.size,
        sha256=blob.sha256,
        content_type=blob.content_type,
        category=chosen_category,
        caption=caption or None,
        created_by=uploader.email,
        uploader_id=uploader.id,
    )
    try:
        db.session.add(evidence)
        db.session.flush()
    except Exception:
        blob_store().delete(blob.key)
        raise
    return evidence


def list_evidence(
    access: MissionAccess, mission_id: uuid.UUID, test_id: uuid.UUID, query: Mapping[str, Any]
) -> dict[str, Any]:
    """The test's evidence files, newest first. With `include_deleted`, also the deleted files
    the caller may restore: every one for the lead, their own for a red or blue member (403 for
    anyone else)."""
    check_live_test(mission_id, test_id)
    statement = select(EvidenceFile).where(
        EvidenceFile.mission_id == mission_id, EvidenceFile.mission_test_id == test_id
    )
    if query["include_deleted"]:
        if not access.can_manage:
            if access.role not in SIDES:
                raise Forbidden(
                    "Seeing deleted evidence needs a red or blue role (your own files) "
                    "or the mission's lead."
                )
            statement = statement.where(
                or_(
                    EvidenceFile.deleted_at.is_(None), EvidenceFile.uploader_id == current_user_id()
                )
            )
        statement = including_deleted(statement)
    return paginate(
        statement,
        query,
        sortable={
            "created_at": EvidenceFile.created_at,
            "filename": EvidenceFile.filename,
            "size": EvidenceFile.size,
        },
        default_sort="-created_at",
        tiebreaker=EvidenceFile.id,
    )


def get_evidence(
    mission_id: uuid.UUID, evidence_id: uuid.UUID, *, include_deleted: bool = False
) -> EvidenceFile:
    """A live evidence file of the mission (or a deleted one too), or 404. Its test must be
    live: a deleted test's files are not downloaded, deleted or restored until it is restored."""
    statement = select(EvidenceFile).where(
        EvidenceFile.id == evidence_id,
        EvidenceFile.mission_id == mission_id,
        on_live_test(EvidenceFile.mission_test_id),
    )
    evidence = db.session.scalar(including_deleted(statement, include_deleted))
    if evidence is None:
        raise NotFound("No such evidence file in this mission.")
    return evidence


def read_evidence(evidence: EvidenceFile) -> Iterator[bytes]:
    """The file's bytes, in chunks, straight from the store."""
    return blob_store().open(evidence.storage_key)


def delete_evidence(access: MissionAccess, evidence: EvidenceFile) -> None:
    """Soft delete (its uploader or the lead); the blob stays until the purge."""
    _check_uploader_or_lead(access, evidence, "deletes")
    evidence.soft_delete()
    db.session.flush()


def restore_evidence(access: MissionAccess, evidence: EvidenceFile) -> EvidenceFile:
    """Undo a delete (its uploader or the lead), while the purge has left its bytes."""
    _check_uploader_or_lead(access, evidence, "restores")
    if evidence.purged_at is not None:
        raise Conflict(
            f"The content of '{evidence.filename}' was purged "
            f"on {evidence.purged_at:%Y-%m-%d}: there is nothing left to restore."
        )
    evidence.restore()
    db.session.flush()
    return evidence


def _check_uploader_or_lead(access: MissionAccess, evidence: EvidenceFile, verb: str) -> None:
    if not access.can_manage and evidence.uploader_id != current_user().id:
        raise Forbidden(f"Only the uploader or the mission's lead {verb} an evidence file.")


def purge_deleted(older_than_days: int) -> int:
    """Remove the blobs of evidence deleted more than `older_than_days` days ago, in every
    workspace; the rows stay (with `purged_at`). Returns how many blobs were removed.

    Each blob is removed before its row is marked, so a crash leaves at worst a row that the
    next purge handles again (removing a missing blob is not an error).
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    statement = (
        select(EvidenceFile)
        .where(
            EvidenceFile.deleted_at < cutoff,
            EvidenceFile.purged_at.is_(None),
        )
        .execution_options(all_workspaces=True)
    )
    purged = 0
    store = blob_store()
    for evidence in db.session.scalars(including_deleted(statement)).all():
        store.delete(evidence.storage_key)
        with acting_in(evidence.workspace_id):
            evidence.purged_at = utcnow()
            db.session.flush()
        purged += 1
    return purged
