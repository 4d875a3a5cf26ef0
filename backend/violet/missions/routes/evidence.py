"""`/missions/{mission_id}/tests/{test_id}/evidence` and `/missions/{mission_id}/evidence/{id}`:
files attached to tests (service/evidence.py). Members only: 404 for anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from flask import Response, request, stream_with_context
from flask.views import MethodView
from marshmallow import ValidationError

from violet.core.auth import require_auth
from violet.core.errors import PROBLEM_JSON, NotFound, ProblemSchema, Unprocessable
from violet.core.input_guard import single_uploaded_file
from violet.core.limits import allow_body_up_to
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.storage import ALLOWED_TYPES, BlobNotFound, attachment, file_too_large
from violet.extensions import db
from violet.missions.routes.access import mission_access, mission_scoped
from violet.missions.schemas import EvidenceFields, EvidenceOut, EvidenceQuery, EvidenceUploadDoc
from violet.missions.service import evidence as evidence_service

blp = Blueprint(
    "mission-evidence",
    __name__,
    description="Evidence files on mission tests: streamed upload, members-only download.",
)


BINARY = {"type": "string", "format": "binary"}


def _problem(status: int, description: str):
    return blp.alt_response(
        status, schema=ProblemSchema, content_type=PROBLEM_JSON, description=description
    )


@blp.route("/tests/<uuid:test_id>/evidence")
class TestEvidence(MethodView):
    @require_auth
    @mission_scoped
    @list_response(blp, EvidenceQuery, EvidenceOut)
    def get(self, query, mission_id: UUID, test_id: UUID):
        """The test's evidence files, newest first. `include_deleted=true` adds the deleted files
        the caller may restore: all of them for the lead, their own for a red or blue member
        (`purged_at` set: the purge removed the bytes, so it can no longer be restored)."""
        return evidence_service.list_evidence(
            mission_access(mission_id), mission_id, test_id, query
        )

    @require_auth
    @mission_scoped
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"multipart/form-data": {"schema": EvidenceUploadDoc}},
        }
    )
    @blp.response(201, EvidenceOut)
    @_problem(403, "A viewer, or a category other than the uploader's side.")
    @_problem(413, "The file is larger than the evidence_max_bytes setting.")
    @_problem(415, "A type outside the allow-list (sniffed from the bytes).")
    @_problem(422, "No file part, an empty file, or a bad form field.")
    @_problem(503, "The evidence store is unavailable; nothing was stored.")
    def post(self, mission_id: UUID, test_id: UUID):
        """Upload one file as the multipart part `file`, with optional `category` (red|blue;
        defaults to the uploader's side) and `caption`.

        The type is sniffed from the bytes (images, text/log, JSON, CSV, PDF, pcap, evtx, zip),
        the size capped by the `evidence_max_bytes` setting; the name kept is sanitised.
        """
        access = mission_access(mission_id)
        evidence_service.check_may_upload(access)  # before a byte of the body is read
        cap = evidence_service.upload_cap()
        allow_body_up_to(cap, file_too_large(cap))
        if request.mimetype != "multipart/form-data":
            detail = "Send the file as multipart/form-data, in a part named 'file'."
            raise Unprocessable(detail, errors={"file": [detail]})
        upload = single_uploaded_file("Send exactly one file, in a part named 'file'.")
        try:
            form = EvidenceFields().load(request.form.to_dict())
        except ValidationError as exc:
            raise Unprocessable("Invalid form fields.", errors=exc.normalized_messages()) from exc
        evidence = evidence_service.upload_evidence(
            access,
            test_id,
            upload,
            category=form.get("category"),
            caption=form.get("caption"),
        )
        db.session.commit()
        return evidence


@blp.route("/evidence/<uuid:evidence_id>")
class EvidenceById(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(204)
    @_problem(403, "Neither the uploader nor the mission's lead.")
    def delete(self, mission_id: UUID, evidence_id: UUID):
        """Delete an evidence file (soft; its uploader or the lead). Its bytes are removed by
        `flask evidence purge` once the retention has passed."""
        access = mission_access(mission_id)
        evidence_service.delete_evidence(
            access, evidence_service.get_evidence(mission_id, evidence_id)
        )
        db.session.commit()


@blp.route("/evidence/<uuid:evidence_id>/restore")
class EvidenceRestore(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(200, EvidenceOut)
    @_problem(403, "Neither the uploader nor the mission's lead.")
    @_problem(409, "Its content was purged: nothing is left to restore.")
    def post(self, mission_id: UUID, evidence_id: UUID):
        """Bring a deleted evidence file back (its uploader or the lead), until `flask evidence
        purge` removes its bytes."""
        access = mission_access(mission_id)
        evidence = evidence_service.restore_evidence(
            access, evidence_service.get_evidence(mission_id, evidence_id, include_deleted=True)
        )
        db.session.commit()
        return evidence


@blp.route("/evidence/<uuid:evidence_id>/download")
class EvidenceDownload(MethodView):
    @require_auth
    @mission_scoped
    @blp.doc(
        responses={
            "200": {
                "description": "The file, as an attachment, streamed.",
                # Served as the type sniffed at upload: one of those uploads accept (a JSON
                # file is any JSON document, the others bytes).
                "content": {
                    content_type: {"schema": {} if content_type == "application/json" else BINARY}
                    for content_type in ALLOWED_TYPES
                },
            }
        }
    )
    @_problem(403, "The caller sees the mission without being a member.")
    @_problem(503, "The evidence store is unavailable.")
    def get(self, mission_id: UUID, evidence_id: UUID):
        """Download the file (members): `Content-Disposition: attachment`, `nosniff`, the sniffed
        type, streamed from the store. A `mission.read_all` outsider is refused (403)."""
        evidence_service.check_may_download(mission_access(mission_id))
        evidence = evidence_service.get_evidence(mission_id, evidence_id)
        try:
            # Both stores find a missing blob when they open it, before the first chunk.
            chunks = evidence_service.read_evidence(evidence)
            first = next(chunks, b"")  # reach the store now: a failure is a 503, not a cut body
        except BlobNotFound as exc:
            raise NotFound("The content of this evidence file is no longer stored.") from exc
        return Response(
            stream_with_context(_prepend(first, chunks)),
            mimetype=evidence.content_type,
            headers={
                "Content-Length": str(evidence.size),
                # The name is already sanitised to ASCII letters, digits and ._-.
                "Content-Disposition": attachment(evidence.filename),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
