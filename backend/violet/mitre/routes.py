"""`/mitre`: the ATT&CK catalogue (docs/api.md).

Reads need any signed-in user, syncing `mitre.sync`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from violet.core.auth import current_user_id, require_auth, require_perm
from violet.core.errors import PROBLEM_JSON, ApiError, ProblemSchema, Unprocessable
from violet.core.limits import allow_body_up_to
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.extensions import db
from violet.mitre import service
from violet.mitre.schemas import (
    DetailQuery,
    MatrixOut,
    MatrixQuery,
    StatusOut,
    SubtechniqueDetailOut,
    SubtechniqueOut,
    SubtechniqueQuery,
    SyncIn,
    SyncResultOut,
    SyncUpload,
    TacticOut,
    TacticQuery,
    TechniqueDetailOut,
    TechniqueOut,
    TechniqueQuery,
    ThreatGroupDetailOut,
    ThreatGroupOut,
    ThreatGroupQuery,
)
from violet.mitre.sync import service as sync_service
from violet.mitre.sync import source as sync_source

blp = Blueprint("mitre", __name__, description="The MITRE ATT&CK catalogue and its sync.")

ETAG_HEADER_DOC = {
    "description": "Send it back in `If-None-Match` to get 304 while the catalogue is unchanged.",
    "schema": {"type": "string"},
}


@blp.route("/status")
class Status(MethodView):
    @require_auth
    @blp.response(200, StatusOut)
    def get(self):
        """What the catalogue holds, the last sync, and the pinned default release."""
        return service.status(current_app.config)


def _problem(status: int, description: str):
    """Document an error answer of this blueprint with its problem+json body."""
    return blp.alt_response(
        status, schema=ProblemSchema, content_type=PROBLEM_JSON, description=description
    )


@blp.route("/sync")
class Sync(MethodView):
    @require_perm("mitre.sync")
    @blp.doc(
        requestBody={
            "required": False,
            "content": {
                "application/json": {"schema": SyncIn},
                "multipart/form-data": {"schema": SyncUpload},
            },
        }
    )
    @blp.response(200, SyncResultOut)
    @_problem(409, "Another sync is running.")
    @_problem(413, "The bundle exceeds MITRE_MAX_BYTES.")
    @_problem(415, "The upload is not a .json or .json.gz file.")
    @_problem(422, "Bad URL or host, hash mismatch, not an ATT&CK bundle (see `errors`).")
    @_problem(502, "The bundle could not be fetched.")
    def post(self):
        """Sync the catalogue from a URL (default: the pinned release) or an uploaded bundle.

        JSON `{source?, expected_sha256?, allow_unverified?, version?}`, or multipart/form-data
        with the bundle as `file` (.json or .json.gz) and the same fields. The whole sync is one
        transaction; re-syncing the same bundle writes no catalogue row.
        """
        settings = sync_service.SyncSettings.from_config(current_app.config)
        # The one endpoint with a body larger than MAX_CONTENT_LENGTH: the bundle upload.
        max_bytes = settings.policy.max_bytes
        allow_body_up_to(max_bytes, sync_source.too_large_detail(max_bytes))
        source, options = _sync_request(max_bytes)
        result = sync_service.sync_catalogue(
            source, **options, started_by=current_user_id(), settings=settings
        )
        db.session.commit()
        return result


def _sync_request(max_bytes: int) -> tuple[sync_service.SyncSource | None, dict[str, Any]]:
    """The bundle source and options from a JSON body (SyncIn) or a multipart upload
    (SyncUpload); the body types are told apart here, their fields by the schemas."""
    source: sync_service.SyncSource | None
    if request.mimetype == "multipart/form-data":
        if len(request.files.getlist("file")) > 1:  # a second one would be dropped unread
            detail = "Send the bundle as one multipart part named 'file'."
            raise Unprocessable(detail, errors={"file": [detail]})
        options = SyncUpload().load({**request.form.to_dict(), **request.files.to_dict()})
        upload = options.pop("file")
        source = sync_service.upload_source(upload.filename, upload.stream, max_bytes)
    elif request.content_length and not request.is_json:
        raise ApiError(
            "Send application/json or multipart/form-data.",
            status=415,
            errors={"_schema": ["Send application/json or multipart/form-data."]},
        )
    else:
        options = SyncIn().load(request.get_json() if request.content_length else {})
        url = options.pop("source", None)
        source = sync_service.SyncSource(url=url) if url else None
    return source, {
        "expected_sha256": options.get("expected_sha256"),
        "allow_unverified": options["allow_unverified"],
        "version": options.get("version"),
    }


@blp.route("/tactics")
class Tactics(MethodView):
    @require_auth
    @list_response(blp, TacticQuery, TacticOut)
    def get(self, query):
        """List tactics in matrix order; filter by domain and text (`q`)."""
        return service.list_tactics(query)


@blp.route("/techniques")
class Techniques(MethodView):
    @require_auth
    @list_response(blp, TechniqueQuery, TechniqueOut)
    def get(self, query):
        """List techniques; filter by tactic, text (`q`), domain and platform.

        `fields=` picks the item fields (e.g. `fields=name` for a picker): a page without
        descriptions is a fraction of the size.
        """
        return service.list_techniques(query)


@blp.route("/techniques/<string:external_id>")
class TechniqueById(MethodView):
    @require_auth
    @blp.arguments(DetailQuery, location="query")
    @blp.response(200, TechniqueDetailOut)
    def get(self, query, external_id: str):
        """One technique by ATT&CK id (T1059) with its tactics and sub-techniques."""
        return service.get_technique(
            external_id.upper(), include_deprecated=query["include_deprecated"]
        )


@blp.route("/subtechniques")
class Subtechniques(MethodView):
    @require_auth
    @list_response(blp, SubtechniqueQuery, SubtechniqueOut)
    def get(self, query):
        """List sub-techniques; filter by parent technique, text (`q`), domain and platform."""
        return service.list_subtechniques(query)


@blp.route("/subtechniques/<string:external_id>")
class SubtechniqueById(MethodView):
    @require_auth
    @blp.response(200, SubtechniqueDetailOut)
    def get(self, external_id: str):
        """One sub-technique by ATT&CK id (T1059.001) with its parent technique."""
        return service.get_subtechnique(external_id.upper())


@blp.route("/matrix")
class Matrix(MethodView):
    @require_auth
    @blp.arguments(MatrixQuery, location="query")
    @blp.response(200, MatrixOut, headers={"ETag": ETAG_HEADER_DOC})
    @blp.alt_response(
        304,
        description="The client's copy (`If-None-Match`) is current.",
        headers={"ETag": ETAG_HEADER_DOC},
    )
    def get(self, query):
        """The domain's matrix: tactics → techniques → sub-techniques (live objects only).

        It changes only when a sync succeeds: the response carries an `ETag`, and a request
        with that tag in `If-None-Match` gets an empty `304 Not Modified`.
        """
        etag = service.matrix_etag()
        headers = {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"}
        if request.if_none_match.contains(etag):
            return Response(status=304, headers=headers)
        return Response(matrix_body(etag, query["domain"]), headers=headers, mimetype=JSON)


JSON = "application/json"
# The matrix's JSON by (ETag, domain), for the latest ETag only. The ETag names the catalogue's
# last successful sync, and the catalogue changes only by a sync, so a body stays right until the
# ETag moves; every request still reads the ETag (one statement), so a sync run by another worker
# or instance is seen at once. Rebuilding it was 4 statements and 1,300 cells dumped per request.
MATRIX_BODIES = "violet.matrix_bodies"


def matrix_body(etag: str, domain: str) -> bytes:
    cached: dict[tuple[str, str], bytes] = current_app.extensions.setdefault(MATRIX_BODIES, {})
    body = cached.get((etag, domain))
    if body is None:
        body = current_app.json.dumps(MatrixOut().dump(service.matrix(domain))).encode() + b"\n"
        if service.matrix_etag_names_a_sync(etag):  # rows put in place without a sync: no tag
            if any(key[0] != etag for key in cached):
                cached.clear()
            cached[(etag, domain)] = body
    return body


@blp.route("/groups")
class Groups(MethodView):
    @require_auth
    @list_response(blp, ThreatGroupQuery, ThreatGroupOut)
    def get(self, query):
        """List threat groups; `q` matches the name, an alias or the id (G0016)."""
        return service.list_groups(query)


@blp.route("/groups/<string:external_id>")
class GroupById(MethodView):
    @require_auth
    @blp.response(200, ThreatGroupDetailOut)
    def get(self, external_id: str):
        """One threat group by ATT&CK id (G0016) with the techniques and sub-techniques it uses."""
        return service.get_group(external_id.upper())
