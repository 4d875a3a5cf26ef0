"""`/test-templates`: the test template library, its import and export."""

from __future__ import annotations

from pathlib import PurePath
from uuid import UUID

from flask import request
from flask.views import MethodView

from violet.core.auth import check_include_deleted, require_perm
from violet.core.errors import ApiError, Unprocessable, size_limit
from violet.core.gc_pause import cycle_collection_paused
from violet.core.input_guard import single_uploaded_file
from violet.core.limits import allow_body_up_to
from violet.core.models import utcnow
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.tenancy import current_workspace_id
from violet.core.versioning import versioned
from violet.extensions import db
from violet.library.formats import portable
from violet.library.formats.loader import FormatError, TooManyItems, load_document
from violet.library.schemas import (
    IMPORT_FORMATS,
    IMPORT_RESULT_EXAMPLE,
    TEMPLATE_EXAMPLE,
    TEMPLATE_OUT_EXAMPLE,
    TEMPLATE_UPDATE_EXAMPLE,
    ImportQuery,
    ImportResultOut,
    ImportUploadDoc,
    IncludeDeletedQuery,
    LibraryExportOut,
    LibrarySummaryOut,
    TestTemplateCreate,
    TestTemplateOut,
    TestTemplateQuery,
    TestTemplateUpdate,
)
from violet.library.service import templates, transfer

blp = Blueprint(
    "test-templates",
    __name__,
    description="Test templates: reusable procedures mapped to ATT&CK, imported or written.",
)

# An Atomic Red Team technique file is tens of kilobytes; a whole library export a few MB.
IMPORT_MAX_BYTES = 20 * 1024 * 1024


@blp.route("")
class TestTemplates(MethodView):
    @require_perm("test_template.read")
    @list_response(blp, TestTemplateQuery, TestTemplateOut)
    def get(self, query):
        """List templates; filter by text, tactic, technique, sub-technique, opsec, tag, platform.

        `technique=T1059` also finds templates tagged with its sub-techniques, `tactic=TA0002`
        those tagged with a technique or sub-technique in that tactic.
        """
        check_include_deleted(query["include_deleted"], "test_template.delete")
        return templates.list_templates(query)

    @require_perm("test_template.write")
    @blp.arguments(TestTemplateCreate, example=TEMPLATE_EXAMPLE)
    @blp.response(201, TestTemplateOut, example=TEMPLATE_OUT_EXAMPLE)
    @blp.alt_response(422, description="Invalid field, or a MITRE id unknown or of another kind.")
    @versioned
    def post(self, payload):
        """Create a template; `mitre` tags are `(kind, external_id)` pairs from the catalogue."""
        template = templates.create_template(current_workspace_id(), payload)
        db.session.commit()
        return templates.get_template(template.id)


@blp.route("/<uuid:template_id>")
class TestTemplateById(MethodView):
    @require_perm("test_template.read")
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, TestTemplateOut)
    @versioned
    def get(self, query, template_id: UUID):
        """One template, with `ETag: "<version>"` for a later If-Match."""
        check_include_deleted(query["include_deleted"], "test_template.delete")
        return templates.get_template(template_id, include_deleted=query["include_deleted"])

    @require_perm("test_template.write")
    @blp.arguments(TestTemplateUpdate, example=TEMPLATE_UPDATE_EXAMPLE)
    @blp.response(200, TestTemplateOut, example=TEMPLATE_OUT_EXAMPLE)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @versioned
    def patch(self, payload, template_id: UUID):
        """Change a template: an absent key is unchanged, `null` clears, `mitre` replaces."""
        templates.update_template(templates.get_template(template_id, for_update=True), payload)
        db.session.commit()
        return templates.get_template(template_id)

    @require_perm("test_template.delete")
    @blp.response(204)
    @blp.alt_response(412, description="If-Match names an older version; nothing changed.")
    @versioned
    def delete(self, template_id: UUID):
        """Delete a template (soft: restorable; scenarios keep it, marked deleted)."""
        templates.delete_template(templates.get_template(template_id, for_update=True))
        db.session.commit()


@blp.route("/<uuid:template_id>/restore")
class TestTemplateRestore(MethodView):
    @require_perm("test_template.delete")
    @blp.response(200, TestTemplateOut)
    @versioned
    def post(self, template_id: UUID):
        """Bring a deleted template back (409 if another live template has its source id)."""
        templates.restore_template(
            templates.get_template(template_id, include_deleted=True, for_update=True)
        )
        db.session.commit()
        return templates.get_template(template_id)


@blp.route("/import")
class TestTemplateImport(MethodView):
    @require_perm("test_template.write")
    @blp.arguments(ImportQuery, location="query")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
                "multipart/form-data": {"schema": ImportUploadDoc},
            },
        }
    )
    @blp.response(200, ImportResultOut, example=IMPORT_RESULT_EXAMPLE)
    @blp.alt_response(413, description="The document exceeds 20 MB, or 10,000 tests or templates.")
    @blp.alt_response(422, description="Unreadable document: the line or path of the problem.")
    def post(self, query):
        """Import an Atomic Red Team technique YAML (`format=atomic-red-team`) or our export.

        The document is the raw body, or a multipart `file` (`format` may then be a form
        field). Without `format`, a body sent as `application/yaml` is an Atomic file and one
        sent as `application/json` our export; an upload is told by its name (`.yaml`/`.yml`,
        `.json`). Re-importing updates the templates an earlier import created (matched by the
        atomic's GUID, or the exported id) and creates nothing; a template deleted here stays
        deleted (named in `warnings`). A document that cannot be read is refused whole; items
        that cannot be imported are listed in `errors`.
        """
        format_name, content = _import_request(query.get("format"))
        with cycle_collection_paused():  # millions of objects for a large document
            try:
                drafts = load_document(format_name, content)
            except TooManyItems as error:
                raise ApiError(error.detail, errors=error.errors, status=413) from error
            except FormatError as error:
                raise Unprocessable(error.detail, errors=error.errors) from error
            report = transfer.import_templates(current_workspace_id(), drafts)
            db.session.commit()
        return report


@blp.before_request
def _raise_the_import_body_cap() -> None:
    """Let the import read documents above the app's MAX_CONTENT_LENGTH (1 MiB).

    Raised here rather than in the view: the auth decorator's input guard reads a JSON body (a
    Violet export sent as application/json) before the view runs, and would answer 413 first.
    Nothing is read here, so an anonymous caller still gets 401 without its body being read.
    """
    if request.endpoint == f"{blp.name}.{TestTemplateImport.__name__}":
        allow_body_up_to(IMPORT_MAX_BYTES, _document_too_large())


def _document_too_large() -> str:
    return f"The document exceeds the limit of {size_limit(IMPORT_MAX_BYTES)}."


# Without `format`, the body's media type or the uploaded file's name says which it is.
FORMAT_BY_MEDIA_TYPE = {
    "application/yaml": "atomic-red-team",
    "application/x-yaml": "atomic-red-team",
    "text/yaml": "atomic-red-team",
    "text/x-yaml": "atomic-red-team",
    "application/json": "violet",
}
FORMAT_BY_SUFFIX = {".yaml": "atomic-red-team", ".yml": "atomic-red-team", ".json": "violet"}


def _import_request(format_name: str | None) -> tuple[str, bytes]:
    """The format and the document bytes, from a raw body or a multipart upload."""
    too_large = _document_too_large()
    if request.content_length is not None and request.content_length > IMPORT_MAX_BYTES:
        raise ApiError(too_large, status=413)
    if request.mimetype == "multipart/form-data":
        format_name = format_name or request.form.get("format")
        upload = single_uploaded_file("Send the document as one multipart part named 'file'.")
        content = upload.stream.read(IMPORT_MAX_BYTES + 1)
        suffix = PurePath(upload.filename or "").suffix.lower()
        format_name = format_name or FORMAT_BY_SUFFIX.get(suffix)
    else:
        content = request.get_data(cache=False)
        format_name = format_name or FORMAT_BY_MEDIA_TYPE.get(request.mimetype)
    if len(content) > IMPORT_MAX_BYTES:
        raise ApiError(too_large, status=413)
    if format_name not in IMPORT_FORMATS:
        detail = (
            f"Say which format: {' or '.join(IMPORT_FORMATS)} (or send application/yaml or "
            "application/json, or upload a .yaml or .json file)."
        )
        raise Unprocessable(detail, errors={"format": [detail]})
    if not content.strip():
        raise Unprocessable("The document is empty.", errors={"file": ["The document is empty."]})
    return format_name, content


@blp.route("/export")
class TestTemplateExport(MethodView):
    @require_perm("test_template.read")
    @blp.response(200, LibraryExportOut)
    def get(self):
        """Every live template as portable JSON, which `import?format=violet` reads back."""
        document = portable.export_document(transfer.live_templates(), utcnow())
        filename = f"violet-library-{document['exported_at'][:10]}.json"
        return document, {"Content-Disposition": f'attachment; filename="{filename}"'}


@blp.route("/summary")
class TestTemplateSummary(MethodView):
    @require_perm("test_template.read")
    @blp.response(
        200,
        LibrarySummaryOut,
        example={"test_templates": 120, "scenario_templates": 8, "techniques_covered": 64},
    )
    def get(self):
        """How many templates and scenarios the library holds, and the techniques they cover."""
        return templates.summary()
