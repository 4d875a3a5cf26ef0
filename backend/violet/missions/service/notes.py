"""Notes: Markdown comments on a mission or on one of its tests, newest first.

Every member may write one. Its author may delete it, and so may the mission's lead or a
`mission.manage_all` holder: a note with a pasted secret must go even when its author cannot
act (deactivated, deleted, or another instance's user for an imported note). The parent
mission or test must be
visible to the caller (the routes check the mission, `check_live_test` the test), else 404.
A deleted test hides its notes and evidence, also where they are addressed by their own id
(`on_live_test`); restoring the test brings them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from violet.core.auth import current_user
from violet.core.errors import Forbidden, NotFound
from violet.core.pagination import paginate
from violet.extensions import db
from violet.missions.models import MissionNote, MissionTest
from violet.missions.service.access import MissionAccess


def list_notes(
    mission_id: uuid.UUID, test_id: uuid.UUID | None, query: Mapping[str, Any]
) -> dict[str, Any]:
    """The mission's own notes (`test_id` None) or one test's, newest first by default."""
    if test_id is not None:
        check_live_test(mission_id, test_id)
    parent = (
        MissionNote.mission_test_id.is_(None)
        if test_id is None
        else MissionNote.mission_test_id == test_id
    )
    statement = select(MissionNote).where(MissionNote.mission_id == mission_id, parent)
    return paginate(
        statement,
        query,
        sortable={"created_at": MissionNote.created_at},
        default_sort="-created_at",
        tiebreaker=MissionNote.id,
    )


def check_may_write_notes(access: MissionAccess) -> None:
    """403 unless the caller is a member of the mission (any role) or a `mission.manage_all`
    holder: a `mission.read_all` outsider reads the notes without writing any."""
    if access.role is None and not access.can_manage:
        raise Forbidden("Only the mission's members write notes.")


def add_note(access: MissionAccess, test_id: uuid.UUID | None, content: str) -> MissionNote:
    """A note by the caller, who must be a member (any role) or a `mission.manage_all` holder."""
    check_may_write_notes(access)
    if test_id is not None:
        check_live_test(access.mission.id, test_id)
    author = current_user()
    note = MissionNote(
        workspace_id=access.mission.workspace_id,
        mission_id=access.mission.id,
        mission_test_id=test_id,
        content=content,
        created_by=author.email,
        author_id=author.id,
    )
    db.session.add(note)
    db.session.flush()
    return note


def delete_note(access: MissionAccess, note_id: uuid.UUID) -> None:
    """Delete a note (for good): its author, the lead or a `mission.manage_all` holder may.
    A note of a deleted test is 404. The audit trail's `mission_note.remove` names the author."""
    note = db.session.scalar(
        select(MissionNote).where(
            MissionNote.id == note_id,
            MissionNote.mission_id == access.mission.id,
            on_live_test(MissionNote.mission_test_id),
        )
    )
    if note is None:
        raise NotFound("No such note in this mission.")
    if note.author_id != current_user().id and not access.can_manage:
        raise Forbidden(
            "Only the note's author, the mission's lead or a mission.manage_all holder may "
            "delete it."
        )
    db.session.delete(note)
    db.session.flush()


def check_live_test(mission_id: uuid.UUID, test_id: uuid.UUID) -> None:
    """404 unless the test is a live test of the mission (notes and evidence hang on it)."""
    statement = select(MissionTest.id).where(
        MissionTest.id == test_id, MissionTest.mission_id == mission_id
    )
    if db.session.scalar(statement) is None:
        raise NotFound("No such test in this mission.")


def on_live_test(test_id: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """The SQL condition that a note's or evidence file's test (`test_id`, its column) is live,
    or that it hangs on no test. Deleting a test leaves its notes and files in place, so that
    restoring the test brings them back; until then they are as missing as the test (404).

    `deleted_at` is named here rather than left to the default live-rows criteria: a lookup that
    includes deleted rows (restoring a deleted file) still needs the test to be live.
    """
    live_test = select(MissionTest.id).where(
        MissionTest.id == test_id, MissionTest.deleted_at.is_(None)
    )
    return or_(test_id.is_(None), live_test.exists())
