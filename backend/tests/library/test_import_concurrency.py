"""One library document imported twice at the same moment, on two connections.

This test commits for real (each import its own session and connection, as gunicorn's workers
do), so it removes the templates it made.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import delete, select

from tests.concurrency import run_interleaved
from violet.core.audit import AuditEvent
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.library.formats.loader import load_document
from violet.library.models import TestTemplate
from violet.library.service import transfer


def test_the_same_atomic_imported_twice_at_once_is_created_once(
    app, real_sessions, default_workspace
):
    workspace_id = default_workspace.id
    guid = str(uuid.uuid4())
    document = json.dumps(
        {
            "format": "violet-library",
            "format_version": 1,
            "test_templates": [
                {
                    "id": str(uuid.uuid4()),
                    "name": "Dump LSASS with comsvcs.dll",
                    "source": "atomic-red-team",
                    "source_ref": guid,
                }
            ],
        }
    )
    reports: dict[str, transfer.ImportReport] = {}

    def import_as(label: str):
        def run() -> None:
            reports[label] = transfer.import_templates(
                workspace_id, load_document("violet", document)
            )

        return run

    try:
        outcomes = run_interleaved(app, workspace_id, import_as("first"), import_as("second"))

        # Before: the second import failed on uq_test_templates_source_ref (409).
        assert outcomes == {"first": "ok", "second": "ok"}
        assert (reports["first"].created, reports["second"].skipped) == (1, 1)
        with acting_in(workspace_id):
            assert (
                len(
                    db.session.scalars(
                        select(TestTemplate.id).where(TestTemplate.source_ref == guid)
                    ).all()
                )
                == 1
            )
    finally:
        with acting_in(workspace_id):
            db.session.rollback()
            ids = db.session.scalars(
                select(TestTemplate.id).where(TestTemplate.source_ref == guid)
            ).all()
            db.session.execute(delete(AuditEvent).where(AuditEvent.object_id.in_(ids)))
            db.session.execute(delete(TestTemplate).where(TestTemplate.id.in_(ids)))
            db.session.commit()
