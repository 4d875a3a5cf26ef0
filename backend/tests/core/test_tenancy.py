"""Core scoping of tenant-owned tables: fail closed, explicit scope, opt-out, writes checked."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, delete, func, select, update

from tests.tenant_probe import ProbeNote, create_note
from violet.core.models import prepared
from violet.core.tenancy import ALL_WORKSPACES, NoWorkspaceScope, acting_in, workspace_index
from violet.extensions import db


@pytest.fixture
def notes(make_workspace):
    """One probe note in each of two workspaces: (workspace_a, workspace_b)."""
    a, b = make_workspace(), make_workspace()
    for workspace in (a, b):
        with acting_in(workspace.id):
            create_note(workspace.id, f"in {workspace.slug}")
            db.session.commit()
    return a, b


def test_a_tenant_query_without_a_workspace_fails_closed(notes):
    with pytest.raises(NoWorkspaceScope):
        db.session.scalars(select(ProbeNote)).all()


def test_acting_in_a_workspace_sees_only_its_rows(notes):
    a, b = notes
    with acting_in(a.id):
        assert [note.text for note in db.session.scalars(select(ProbeNote))] == [f"in {a.slug}"]
        # Joins, counts and subqueries are scoped too.
        assert db.session.scalar(select(func.count(ProbeNote.id))) == 1


def test_orm_update_and_delete_are_scoped(notes):
    a, b = notes
    with acting_in(a.id):
        db.session.execute(update(ProbeNote).values(text="changed"))
        db.session.execute(delete(ProbeNote).where(ProbeNote.text == f"in {b.slug}"))
    everything = select(ProbeNote.text).execution_options(**{ALL_WORKSPACES: True})
    assert sorted(db.session.scalars(everything)) == sorted(["changed", f"in {b.slug}"])


def test_all_workspaces_is_an_explicit_opt_out(notes):
    statement = select(ProbeNote).execution_options(**{ALL_WORKSPACES: True})
    assert len(db.session.scalars(statement).all()) == 2


def test_writing_a_row_into_another_workspace_is_refused(notes):
    a, b = notes
    with acting_in(a.id), pytest.raises(NoWorkspaceScope):
        create_note(b.id, "smuggled")
    db.session.rollback()


def test_workspace_index_leads_with_the_workspace():
    index = workspace_index("test_templates", "name", live_only=True)
    assert index.name == "ix_test_templates_workspace_name"
    assert list(index.expressions) == ["workspace_id", "name"]


def test_a_prepared_statement_is_scoped_to_each_workspace_it_runs_in(notes):
    """A statement built once keeps its criteria per workspace: never another's rows, whatever
    the order the workspaces run it in."""
    a, b = notes
    statement = prepared(select(ProbeNote.text).where(ProbeNote.text.like(bindparam("pattern"))))
    for workspace in (a, b, a, b):
        with acting_in(workspace.id):
            found = db.session.scalars(statement, {"pattern": "in %"}).all()
        assert found == [f"in {workspace.slug}"]
    with pytest.raises(NoWorkspaceScope):
        db.session.scalars(statement, {"pattern": "in %"}).all()
