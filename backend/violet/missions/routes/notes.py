"""`/missions/{mission_id}/notes` and `…/tests/{test_id}/notes`: the team's Markdown notes."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import require_auth
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.extensions import db
from violet.missions.routes.access import mission_access, mission_rule, mission_scoped
from violet.missions.schemas import NoteIn, NoteOut, NoteQuery
from violet.missions.service import notes

blp = Blueprint(
    "mission-notes",
    __name__,
    description=(
        "Notes on a mission and on its tests: Markdown, newest first; the author, the lead or "
        "mission.manage_all deletes."
    ),
)


@blp.route("/notes")
class MissionNotes(MethodView):
    @require_auth
    @mission_scoped
    @list_response(blp, NoteQuery, NoteOut)
    def get(self, query, mission_id: UUID):
        """The mission's own notes, newest first (`sort=created_at` for oldest first)."""
        mission_access(mission_id)
        return notes.list_notes(mission_id, None, query)

    @require_auth
    @mission_scoped
    @mission_rule(notes.check_may_write_notes)
    @blp.arguments(NoteIn)
    @blp.response(201, NoteOut)
    @blp.alt_response(403, description="The caller is not a member of the mission.")
    def post(self, payload, mission_id: UUID):
        """Add a note to the mission (any member)."""
        note = notes.add_note(mission_access(mission_id), None, payload["content"])
        db.session.commit()
        return note


@blp.route("/tests/<uuid:test_id>/notes")
class MissionTestNotes(MethodView):
    @require_auth
    @mission_scoped
    @list_response(blp, NoteQuery, NoteOut)
    def get(self, query, mission_id: UUID, test_id: UUID):
        """The test's notes, newest first; 404 for a test that is not live in the mission."""
        mission_access(mission_id)
        return notes.list_notes(mission_id, test_id, query)

    @require_auth
    @mission_scoped
    @mission_rule(notes.check_may_write_notes)
    @blp.arguments(NoteIn)
    @blp.response(201, NoteOut)
    @blp.alt_response(403, description="The caller is not a member of the mission.")
    def post(self, payload, mission_id: UUID, test_id: UUID):
        """Add a note to the test (any member)."""
        note = notes.add_note(mission_access(mission_id), test_id, payload["content"])
        db.session.commit()
        return note


@blp.route("/notes/<uuid:note_id>")
class MissionNoteById(MethodView):
    @require_auth
    @mission_scoped
    @blp.response(204)
    @blp.alt_response(
        403, description="The caller is not the note's author, the lead or mission.manage_all."
    )
    def delete(self, mission_id: UUID, note_id: UUID):
        """Delete a note of the mission or of one of its tests (its author, the mission's lead
        or a mission.manage_all holder)."""
        notes.delete_note(mission_access(mission_id), note_id)
        db.session.commit()
