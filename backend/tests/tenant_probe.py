"""A tiny tenant-owned resource that exists only in the test suite: probe notes.

Until the library adds the first real tenant-owned tables, the cross-workspace sweep
(tests/workspaces/test_isolation.py) needs one, or it could never fail. The probe is written the
way a domain writes one: `TenantMixin` on the model, the workspace passed explicitly when a row is
created, and queries with *no* workspace filter of their own (get by id, list, ORM UPDATE and
DELETE, a lookup of referenced ids). Only the core's scoping keeps other workspaces out.

Its table lives in its own metadata (never in a migration) and is created by the test session.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import MetaData, String, delete, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from violet.core.auth import require_auth
from violet.core.errors import NotFound, Unprocessable
from violet.core.models import NAMING_CONVENTION, UuidPkMixin
from violet.core.pagination import PageQuery, list_response, paginate
from violet.core.tenancy import TenantMixin, current_workspace_id
from violet.extensions import db
from violet.workspaces.models import Workspace


class ProbeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The foreign key `workspaces.id` resolves against a copy of the real table's definition.
Workspace.__table__.to_metadata(ProbeBase.metadata)


class ProbeNote(TenantMixin, UuidPkMixin, ProbeBase):
    __tablename__ = "test_probe_notes"

    text: Mapped[str] = mapped_column(String(100))
    linked_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(db.Uuid), default=list)


def create_probe_table(connection: Any) -> None:
    ProbeBase.metadata.create_all(connection, tables=[ProbeNote.__table__])


# --- the "service" ---------------------------------------------------------------------------


def create_note(workspace_id: uuid.UUID, text: str) -> ProbeNote:
    note = ProbeNote(workspace_id=workspace_id, text=text, linked_ids=[])
    db.session.add(note)
    db.session.flush()
    return note


def get_note(note_id: uuid.UUID) -> ProbeNote:
    note = db.session.get(ProbeNote, note_id)
    if note is None:
        raise NotFound("No such note.")
    return note


def link_notes(note: ProbeNote, note_ids: list[uuid.UUID]) -> None:
    found = set(db.session.scalars(select(ProbeNote.id).where(ProbeNote.id.in_(note_ids))))
    unknown = [str(note_id) for note_id in note_ids if note_id not in found]
    if unknown:
        raise Unprocessable(
            f"Unknown note: {', '.join(unknown)}.",
            errors={"note_ids": [f"Unknown note: {note_id}." for note_id in unknown]},
        )
    note.linked_ids = list(note_ids)


# --- the routes ------------------------------------------------------------------------------


class NoteIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=100))


class NoteUpdate(Schema):
    text = fields.String(validate=validate.Length(min=1, max=100))


class NoteOut(Schema):
    id = fields.UUID()
    text = fields.String()
    linked_ids = fields.List(fields.UUID())


class LinksIn(Schema):
    note_ids = fields.List(fields.UUID(), required=True)


blp = Blueprint("probe", __name__)


@blp.route("")
class Notes(MethodView):
    @require_auth
    @list_response(blp, PageQuery, NoteOut)
    def get(self, query):
        return paginate(
            select(ProbeNote),
            query,
            sortable={"text": ProbeNote.text},
            default_sort="text",
            tiebreaker=ProbeNote.id,
        )

    @require_auth
    @blp.arguments(NoteIn)
    @blp.response(201, NoteOut)
    def post(self, payload):
        note = create_note(current_workspace_id(), payload["text"])
        db.session.commit()
        return note


@blp.route("/<uuid:probe_note_id>")
class NoteById(MethodView):
    @require_auth
    @blp.response(200, NoteOut)
    def get(self, probe_note_id):
        return get_note(probe_note_id)

    @require_auth
    @blp.arguments(NoteUpdate)
    @blp.response(204)
    def patch(self, payload, probe_note_id):
        changed = db.session.execute(
            update(ProbeNote).where(ProbeNote.id == probe_note_id).values(**payload)
        )
        if changed.rowcount != 1:
            raise NotFound("No such note.")
        db.session.commit()

    @require_auth
    @blp.response(204)
    def delete(self, probe_note_id):
        deleted = db.session.execute(delete(ProbeNote).where(ProbeNote.id == probe_note_id))
        if deleted.rowcount != 1:
            raise NotFound("No such note.")
        db.session.commit()


@blp.route("/<uuid:probe_note_id>/links")
class NoteLinks(MethodView):
    @require_auth
    @blp.arguments(LinksIn)
    @blp.response(200, NoteOut)
    def put(self, payload, probe_note_id):
        note = get_note(probe_note_id)
        link_notes(note, payload["note_ids"])
        db.session.commit()
        return note
