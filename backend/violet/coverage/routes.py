"""`/missions/{mission_id}/coverage`, `…/navigator-layer`, `…/export` (docs/coverage.md).

Any member of the mission (or a holder of `mission.read_all`) reads them; a mission the caller
may not see is 404.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any
from uuid import UUID

from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, ValidationError
from werkzeug.wsgi import wrap_file

from violet.core.auth import require_auth, require_perm
from violet.core.errors import ApiError, NotFound, Unprocessable, size_limit
from violet.core.input_guard import single_uploaded_file
from violet.core.limits import allow_body_up_to
from violet.core.models import utcnow
from violet.core.serialization import Blueprint
from violet.coverage import service
from violet.coverage.archive import (
    MANIFEST,
    MAX_ARCHIVE_BYTES,
    MISSION,
    ArchiveError,
    MissionArchive,
    read_archive,
)
from violet.coverage.schemas import (
    EXPORT_CONTENT,
    LAYER_CONTENT,
    REPORT_CONTENT,
    ArchiveEvidenceIn,
    ArchiveMissionIn,
    ArchiveUploadDoc,
    CompareOut,
    CompareQuery,
    CoverageQuery,
    ExportQuery,
    FromGroupIn,
    FromLayerIn,
    GroupCoverageOut,
    ImportedMissionOut,
    MissionCoverageOut,
    MissionLayerQuery,
    OrgCoverageOut,
    OrgCoverageQuery,
    OrgLayerQuery,
    PlanOut,
    SaveAsScenarioIn,
    SavedScenarioOut,
    ScenarioPreviewOut,
)
from violet.extensions import db
from violet.missions.routes.access import (
    allowed_while_archived,
    locks_mission,
    mission_access,
    mission_rule,
    mission_scoped,
)
from violet.missions.service.access import check_manages

blp = Blueprint(
    "coverage",
    __name__,
    description="Coverage scores, ATT&CK Navigator layers and exports of a mission.",
)


# POST /missions/import: mounted at /api/v1/missions beside the missions' own routes.
import_blp = Blueprint("mission-import", __name__, description="Restore a mission archive.")

# Across missions: mounted at /api/v1/coverage.
org_blp = Blueprint("coverage-org", __name__, description="Coverage across missions.")


@blp.route("/coverage")
class MissionCoverage(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(CoverageQuery, location="query")
    @blp.response(200, MissionCoverageOut)
    def get(self, query, mission_id: UUID):
        """Scores per tactic, per technique and for the mission, from the latest completed run
        of each test (docs/coverage.md); `by=tool` adds the same per defense tool."""
        mission = mission_access(mission_id).mission
        return service.mission_coverage(mission, by_tool=query.get("by") == "tool")


@blp.route("/navigator-layer")
class MissionLayer(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(MissionLayerQuery, location="query")
    @blp.response(200, description="An ATT&CK Navigator layer (format 4.5).")
    @blp.doc(responses={200: {"content": LAYER_CONTENT}})
    def get(self, query, mission_id: UUID):
        """The mission's coverage as an ATT&CK Navigator layer (format 4.5), as a download: the
        techniques of one ATT&CK domain (`domain`, default the one holding most of the tested
        techniques; the coverage's `domains` lists those tested). With `tool`, that defense
        tool's coverage (as `coverage?by=tool` gives it)."""
        mission = mission_access(mission_id).mission
        layer, disposition = service.mission_layer_download(
            mission, query.get("domain"), query.get("tool")
        )
        return layer, 200, {"Content-Disposition": disposition}


@blp.route("/export")
class MissionExport(MethodView):
    @require_auth
    @mission_scoped
    @blp.arguments(ExportQuery, location="query")
    @blp.response(
        200,
        description="Every test with red and blue fields and ATT&CK tags (CSV or JSON), or the "
        "mission archive (zip).",
        content_type="text/csv",
    )
    @blp.doc(responses={200: {"content": EXPORT_CONTENT}})
    @blp.alt_response(
        403,
        description="`zip`: the caller sees the mission without being a member (the archive "
        "holds the evidence files, which only members download).",
    )
    @blp.alt_response(
        409, description="`zip`: the content of an evidence file is no longer stored."
    )
    @blp.alt_response(503, description="`zip`: the evidence store is unavailable.")
    def get(self, query, mission_id: UUID):
        """Every test of the mission with its red and blue fields, ATT&CK tags and per-tool
        outcomes, as a download: `format=csv` (formulas neutralised, UTF-8 with BOM), `json`,
        or `zip`: the mission archive that `POST /missions/import` restores (docs/coverage.md),
        for members only (a `mission.read_all` outsider gets 403, as on evidence downloads)."""
        access = mission_access(mission_id)
        mission = access.mission
        headers: dict[str, str] = {}
        body: bytes | Iterable[bytes]
        if query["format"] == "csv":
            body, mimetype = service.export_csv(mission), "text/csv"
        elif query["format"] == "zip":
            archive = service.mission_archive(access, utcnow())
            size = archive.seek(0, io.SEEK_END)
            archive.seek(0)
            body, mimetype = wrap_file(request.environ, archive), "application/zip"
            headers["Content-Length"] = str(size)
        else:
            document = {
                "mission": {"id": str(mission.id), "name": mission.name},
                "tests": service.export_rows(mission),
            }
            body, mimetype = json.dumps(document, ensure_ascii=False).encode(), "application/json"
        suffix = "-mission.zip" if query["format"] == "zip" else f"-tests.{query['format']}"
        headers["Content-Disposition"] = service.named_after(mission.name, suffix)
        return Response(
            body, mimetype=mimetype, headers=headers, direct_passthrough=query["format"] == "zip"
        )


@import_blp.route("/import")
class MissionImport(MethodView):
    @require_perm("mission.create")
    @import_blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {"schema": ArchiveUploadDoc},
            },
        }
    )
    @import_blp.response(201, ImportedMissionOut)
    @import_blp.alt_response(
        413, description="The archive is too large, packed or unpacked, or an evidence file is."
    )
    @import_blp.alt_response(415, description="An evidence file of a type uploads refuse.")
    @import_blp.alt_response(
        422,
        description="Not a mission archive: unsafe names, a zip bomb, a bad document, an "
        "evidence file missing or not matching its size and sha256.",
    )
    @import_blp.alt_response(503, description="The evidence store is unavailable.")
    def post(self):
        """Restore a mission archive (`GET /missions/{id}/export?format=zip`) as a new mission
        of the current workspace, led by the caller; the archive is the raw body or a multipart
        `file`. Levels and tools are matched by name (`warnings` lists the ones missing here)."""
        with _read_archive_request() as archive:
            mission_document = _load(ArchiveMissionIn(), archive.document, "mission", MISSION)
            evidence = _load(
                ArchiveEvidenceIn(many=True),
                archive.manifest.get("evidence", []),
                "manifest.evidence",
                MANIFEST,
            )
            imported = service.import_mission(archive, mission_document, evidence)
        db.session.commit()
        return imported


def _load(schema: Schema, document: Any, path: str, member: str) -> Any:
    """`document` loaded by `schema`, or 422 naming every bad field under `path`."""
    try:
        return schema.load(document)
    except ValidationError as error:
        raise Unprocessable(
            f"{member} does not describe a mission archive (see `errors`).",
            errors=_flat_errors(error.messages, path),
        ) from error


def _flat_errors(messages: Any, path: str) -> dict[str, list[str]]:
    """Marshmallow's nested messages as `{"mission.tests.0.name": [...]}` (at most 50)."""
    if isinstance(messages, list):
        return {path: [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, nested in messages.items():
        flat.update(_flat_errors(nested, f"{path}.{key}"))
    return dict(list(flat.items())[:50])


def _read_archive_request() -> MissionArchive:
    """The checked archive, open, from a raw body or a multipart upload."""
    too_large = f"The archive exceeds the limit of {size_limit(MAX_ARCHIVE_BYTES)}."
    allow_body_up_to(MAX_ARCHIVE_BYTES, too_large)
    if request.content_length is not None and request.content_length > MAX_ARCHIVE_BYTES:
        raise ApiError(too_large, status=413)
    if request.mimetype == "multipart/form-data":
        upload = single_uploaded_file("Send the archive as one multipart part named 'file'.")
        source: IO[bytes] = upload.stream
    else:
        source = request.stream
    # Copied in chunks into a file that stays in memory up to 1 MB and goes to disk beyond, so
    # an archive of up to MAX_ARCHIVE_BYTES never sits in memory whole.
    spooled = tempfile.SpooledTemporaryFile(max_size=2**20)  # noqa: SIM115 - the archive closes it
    copied = 0
    while chunk := source.read(2**16):
        copied += len(chunk)
        if copied > MAX_ARCHIVE_BYTES:
            spooled.close()
            raise ApiError(too_large, status=413)
        spooled.write(chunk)
    try:
        return read_archive(spooled)
    except ArchiveError as error:
        raise ApiError(error.detail, status=error.status, errors=error.errors) from error


def _plan(
    mission_id: UUID,
    attack_ids: Sequence[str],
    dry_run: bool,
    domains: Mapping[str, set[str]] | None = None,
) -> dict:
    result = service.plan_from_attack_ids(
        mission_access(mission_id), attack_ids, dry_run=dry_run, domains=domains
    )
    if not dry_run:
        db.session.commit()
    return result


@blp.route("/tests/from-layer")
class PlanFromLayer(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.arguments(FromLayerIn)
    @blp.response(200, PlanOut)
    def post(self, payload, mission_id: UUID):
        """Plan tests from an ATT&CK Navigator layer: for every enabled technique (with
        `min_score`/`max_score`: scored within them), the library's templates tagged with it, or
        a bare test when there is none. An entry that only says whether its sub-techniques show
        (the Navigator saves one for an expanded parent) asks for nothing, and a technique of
        another ATT&CK domain than its layer's is skipped. `dry_run: true`
        previews. The mission's lead (or `mission.manage_all`) only. `layers` takes a file of
        several layers, as the Navigator opens them."""
        field = "layer" if "layer" in payload else "layers"
        layers = [payload["layer"]] if field == "layer" else payload["layers"]
        domains = service.layer_attack_ids(
            layers,
            field=field,
            min_score=payload.get("min_score"),
            max_score=payload.get("max_score"),
        )
        return _plan(mission_id, list(domains), payload["dry_run"], domains)


@blp.route("/tests/from-group")
class PlanFromGroup(MethodView):
    @require_auth
    @mission_scoped
    @locks_mission
    @mission_rule(check_manages)
    @blp.arguments(FromGroupIn)
    @blp.response(200, PlanOut)
    def post(self, payload, mission_id: UUID):
        """Plan tests from a threat group's techniques (`{group: "G0016"}`), exactly as from a
        layer; with `domain`, only those of that ATT&CK domain (a group such as APT28 uses
        Enterprise and Mobile techniques). `dry_run: true` previews."""
        attack_ids = service.group_attack_ids(payload["group"])
        domains = None
        if "domain" in payload:
            domains = {attack_id: {payload["domain"]} for attack_id in attack_ids}
        return _plan(mission_id, attack_ids, payload["dry_run"], domains)


@org_blp.route("/compare")
class Compare(MethodView):
    @require_auth
    @org_blp.arguments(CompareQuery, location="query")
    @org_blp.response(200, CompareOut)
    @org_blp.alt_response(404, description="`from` or `to` (named) is not a mission one may see.")
    def get(self, query):
        """Per technique tested in either mission: both scores and whether it improved,
        regressed, stayed unchanged, is new or was dropped (docs/coverage.md, "Compare").
        Both missions must be visible to the caller (else 404)."""
        before = _compared(query["from_"], "from")
        after = _compared(query["to"], "to")
        return service.compare_missions(before, after)


def _compared(mission_id: UUID, parameter: str) -> Any:
    """The mission a compare names in `parameter`: a 404 says which of the two is not found."""
    try:
        return mission_access(mission_id).mission
    except NotFound as error:
        raise NotFound(
            f"No such mission ({parameter}={mission_id}).", errors={parameter: [error.detail]}
        ) from error


# Every coverage across missions answers it (`service.visible_missions`): declared on each, so a
# client generated from the spec, or a CI job written from it, knows a 404 may name a mission.
MISSION_IDS_NOT_FOUND = (
    "A mission of `mission_ids` deleted or not visible to the caller (named in `detail` and "
    "`errors.mission_ids`), or a workspace the caller (or a token bound to another) may not act in."
)
GROUP_NOT_FOUND = "No such group, or it is revoked or deprecated (saying so)."


@org_blp.route("")
class OrganisationCoverage(MethodView):
    @require_auth
    @org_blp.arguments(OrgCoverageQuery, location="query")
    @org_blp.response(200, OrgCoverageOut)
    @org_blp.alt_response(404, description=MISSION_IDS_NOT_FOUND)
    def get(self, query):
        """The organisation's latest outcome per technique across missions (`mission_ids`,
        default every mission the caller may see)."""
        missions = service.visible_missions(query.get("mission_ids"))
        return service.latest_outcomes(missions)


@org_blp.route("/navigator-layer")
class OrganisationLayer(MethodView):
    @require_auth
    @org_blp.arguments(OrgLayerQuery, location="query")
    @org_blp.response(200, description="An ATT&CK Navigator layer (format 4.5).")
    @org_blp.doc(responses={200: {"content": LAYER_CONTENT}})
    @org_blp.alt_response(404, description=MISSION_IDS_NOT_FOUND)
    def get(self, query):
        """The latest outcome per technique across missions (`mission_ids`, default every
        mission the caller may see) as an ATT&CK Navigator layer (format 4.5), as a download:
        the techniques of one ATT&CK domain (`domain`, default the one holding most of them)."""
        missions = service.visible_missions(query.get("mission_ids"))
        return (
            service.organisation_layer(missions, query.get("domain")),
            200,
            {"Content-Disposition": 'attachment; filename="violet-coverage-layer.json"'},
        )


@org_blp.route("/groups/<string:external_id>")
class GroupCoverage(MethodView):
    @require_auth
    @org_blp.arguments(OrgCoverageQuery, location="query")
    @org_blp.response(200, GroupCoverageOut)
    @org_blp.alt_response(404, description=f"{GROUP_NOT_FOUND} {MISSION_IDS_NOT_FOUND}")
    def get(self, query, external_id: str):
        """How the latest outcomes across missions cover a threat group's techniques."""
        missions = service.visible_missions(query.get("mission_ids"))
        return service.group_coverage(external_id, missions)


@org_blp.route("/groups/<string:external_id>/navigator-layer")
class GroupLayer(MethodView):
    @require_auth
    @org_blp.arguments(OrgLayerQuery, location="query")
    @org_blp.response(200, description="An ATT&CK Navigator layer (format 4.5).")
    @org_blp.doc(responses={200: {"content": LAYER_CONTENT}})
    @org_blp.alt_response(404, description=f"{GROUP_NOT_FOUND} {MISSION_IDS_NOT_FOUND}")
    def get(self, query, external_id: str):
        """How the latest outcomes across missions (`mission_ids`, default every mission the
        caller may see) cover a threat group's techniques, as an ATT&CK Navigator layer (format
        4.5) to download: exactly the group's techniques of one ATT&CK domain (`domain`, default
        the one holding most of them), the tested ones scored as in the organisation's layer,
        the others marked Not tested, without a score."""
        missions = service.visible_missions(query.get("mission_ids"))
        layer, disposition = service.group_layer_download(
            external_id, missions, query.get("domain")
        )
        return layer, 200, {"Content-Disposition": disposition}


@blp.route("/report")
class MissionReport(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(200, description="A printable HTML report.", content_type="text/html")
    @blp.doc(responses={200: {"content": REPORT_CONTENT}})
    def get(self, mission_id: UUID):
        """The mission's printable HTML report: summary, scores by tactic, a matrix heatmap, a
        per-test table and the evidence files' list (names, sizes, SHA-256; no content); user
        text autoescaped, print CSS keeps rows whole."""
        mission = mission_access(mission_id).mission
        html = service.mission_report(mission, utcnow())
        return Response(html, mimetype="text/html")


@blp.route("/save-as-scenario")
class SaveAsScenario(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(200, ScenarioPreviewOut)
    def get(self, mission_id: UUID):
        """What saving the mission as a scenario takes: its tests, how many become new library
        templates, the permissions that needs (`needs`) and whether the caller has them
        (`allowed`). Writes nothing; any reader of the mission may ask."""
        return service.scenario_preview(mission_access(mission_id).mission)

    @require_auth
    @mission_scoped
    @allowed_while_archived  # it reads the mission and writes to the library
    @mission_rule(service.check_may_save_as_scenario)
    @blp.arguments(SaveAsScenarioIn)
    @blp.response(201, SavedScenarioOut)
    def post(self, payload, mission_id: UUID):
        """A library scenario template of the mission's tests, in order (retests left out).
        Needs `scenario_template.write` (a mission the caller may not see is 404 first). Tests
        made from a live library template reuse it; the others become new templates, which
        needs `test_template.write` as well."""
        saved = service.save_as_scenario(mission_access(mission_id), payload)
        db.session.commit()
        return saved
