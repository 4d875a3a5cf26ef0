"""The audit trail: who changed what, when, from where (docs/audit.md).

Recorded by construction: a model that mixes in `Audited` gets an `AuditEvent` for every row
it creates, changes, soft-deletes, restores or removes in a request, written right after the
flush that writes the change, in its transaction (so an event exists exactly when its change
was committed). A change records each changed column's old and new value, except the columns
that are bookkeeping or secret (`NOT_RECORDED`, and a model's own `__audit_exclude__`). What
is not a row change of an audited model (a sign-in, a failed one, a password change) is
recorded with `record(...)`, rows written by a bulk insert (an archive import's tests)
with `record_inserted(...)`, and rows changed by a set-based UPDATE (the tests a re-scored
detection level re-derives) with `record_updated(...)`.

Only requests are recorded: the CLI, seeds and migrations act as the operator of the machine,
whose shell history is their trail.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import Index, String, event, func, insert, inspect, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column
from sqlalchemy.sql import ClauseElement

from violet.core.auth import current_principal_or_none, current_user_id
from violet.core.models import Base, SoftDeleteMixin, UuidPkMixin, utcnow
from violet.core.tenancy import TenantMixin
from violet.extensions import db

ACTION_MAX = 60
LABEL_MAX = 300
# An API token's name (auth's ApiToken.name is at most 100 characters).
TOKEN_NAME_MAX = 100
# A longer text value (a procedure, a description) is kept up to here, then cut with "…".
VALUE_MAX = 1000
# Columns never recorded: bookkeeping every write touches, and secrets.
NOT_RECORDED = frozenset(
    {
        "id",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted_by",
        "workspace_id",
        "password_hash",
        "mfa_secret",
        "mfa_last_step",
        "token_hash",
        "code_hash",
        "storage_key",
        "last_login_at",
        "last_used_at",
        "tokens_valid_after",
    }
)


class AuditEvent(UuidPkMixin, Base):
    """One thing that happened. Instance-wide events (users, groups, sign-ins) have no
    `workspace_id`; a team's work carries its workspace, and a mission's its `mission_id`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_workspace_id_occurred_at", "workspace_id", "occurred_at"),
        Index("ix_audit_events_actor_id_occurred_at", "actor_id", "occurred_at"),
        Index("ix_audit_events_object_id", "object_id"),
        Index("ix_audit_events_mission_id_occurred_at", "mission_id", "occurred_at"),
        # What one token did (after a leak). Most events are a person's: only token events
        # are indexed, so a signed-in write maintains no entry here.
        Index(
            "ix_audit_events_token_id_occurred_at",
            "token_id",
            "occurred_at",
            postgresql_where=text("token_id IS NOT NULL"),
        ),
    )

    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    # No foreign keys to what an event names: it is written in the flush that creates the
    # object (or the account that acts), and the trail outlives what it names.
    actor_id: Mapped[uuid.UUID | None]
    # The email a failed sign-in tried (no actor then); otherwise the actor's is read at listing.
    actor_email: Mapped[str | None] = mapped_column(String(320))
    # The API token the actor's request was signed with, and its name then (null for a
    # signed-in session): a pipeline's write is told from a person's, and a leaked token's
    # writes are found, after it is revoked too. No foreign key, as for the actor.
    token_id: Mapped[uuid.UUID | None]
    token_name: Mapped[str | None] = mapped_column(String(TOKEN_NAME_MAX))
    action: Mapped[str] = mapped_column(String(ACTION_MAX))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[uuid.UUID | None]
    # The object's name when it happened (a later rename does not rewrite the trail).
    object_label: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    workspace_id: Mapped[uuid.UUID | None]
    mission_id: Mapped[uuid.UUID | None]
    # {column: {"from": old, "to": new}} for a change; null for the other actions.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))


class Audited:
    """Mix into a model whose rows' changes are recorded. Optional class attributes:
    `__audit_exclude__` (more columns not to record), `__audit_collections__` (relationships
    whose added and removed members are recorded, e.g. a user's groups; a creation records its
    members as added), `__audit_on_create__` (columns a creation records: what a new row grants),
    `__audit_on_remove__` (columns a removal records: whose a note was, which the lead may
    delete) and `__audit_label__` (the attribute naming a row; else the first of name, email,
    filename, key it has)."""

    __audit_exclude__: frozenset[str] = frozenset()
    __audit_collections__: tuple[str, ...] = ()
    __audit_on_create__: tuple[str, ...] = ()
    __audit_on_remove__: tuple[str, ...] = ()
    __audit_label__: str | None = None


def object_type_of(model: type) -> str:
    """`MissionTest` → `mission_test`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


# Set while the instance is wiped and seeded again (`POST /diag/reset`, the e2e suite's clean
# slate): that is the machine's doing, like a seed at start-up, not anyone's work.
_paused: ContextVar[bool] = ContextVar("audit_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def record(
    action: str,
    *,
    object_type: str,
    object_id: uuid.UUID | None = None,
    label: str | None = None,
    actor_id: uuid.UUID | None = None,
    actor_email: str | None = None,
    workspace_id: uuid.UUID | None = None,
    mission_id: uuid.UUID | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an event that is not a row change (a sign-in, a password change) to the session;
    it is written with the request's next flush. The actor defaults to the signed-in caller."""
    if not has_request_context() or _paused.get():
        return
    db.session.add(
        AuditEvent(
            **_values(
                action,
                object_type=object_type,
                object_id=object_id,
                label=label,
                actor_id=actor_id or current_user_id(),
                actor_email=actor_email,
                workspace_id=workspace_id,
                mission_id=mission_id,
                changes=changes,
            )
        )
    )


def record_inserted(model: type[Audited], rows: Sequence[Mapping[str, Any]]) -> None:
    """The `create` events of rows written by a bulk insert (`insert(Model)` with a list of
    value dicts, which the flush hook never sees), as the hook would have written them, in one
    INSERT. Call it beside the insert, in its transaction; each row needs its `id`."""
    _record_bulk(model, "create", [(row, None) for row in rows])


def record_updated(model: type[Audited], rows: Sequence[Mapping[str, Any]]) -> None:
    """The `update` events of rows changed by a set-based UPDATE (which the flush hook never
    sees), as the hook would have written them, in one INSERT. Each row needs its `id`, what
    names it (as for `record_inserted`), its `workspace_id` and `mission_id`, and `changes`:
    `{column: (old, new)}` for the columns the UPDATE set. Call it beside the UPDATE, in its
    transaction; the UPDATE also bumps `version` and sets `updated_at` and `updated_by`, as a
    flush would."""
    skipped = NOT_RECORDED | model.__audit_exclude__
    changed = []
    for row in rows:
        # As `_change_of`: a column left as it was, or a bookkeeping one, is not a change.
        changes = {
            column: {"from": _jsonable(old), "to": _jsonable(new)}
            for column, (old, new) in row["changes"].items()
            if column not in skipped and old != new
        }
        if changes:
            changed.append((row, changes))
    _record_bulk(model, "update", changed)


def _record_bulk(
    model: type[Audited], verb: str, rows: Sequence[tuple[Mapping[str, Any], Any]]
) -> None:
    """One event per `(row, changes)`, in one INSERT (requests only, as every event)."""
    if not rows or not has_request_context() or _paused.get():
        return
    object_type = object_type_of(model)
    names = (model.__audit_label__,) if model.__audit_label__ else LABEL_ATTRIBUTES
    actor = current_user_id()
    events = [
        _values(
            f"{object_type}.{verb}",
            object_type=object_type,
            object_id=row["id"],
            label=next((row[name] for name in names if row.get(name)), None),
            actor_id=actor,
            actor_email=None,
            workspace_id=row.get("workspace_id"),
            mission_id=row.get("mission_id"),
            changes=changes,
        )
        for row, changes in rows
    ]
    db.session.connection().execute(insert(AuditEvent), events)


def _values(
    action: str,
    *,
    object_type: str,
    object_id: uuid.UUID | None,
    label: str | None,
    actor_id: uuid.UUID | None,
    actor_email: str | None,
    workspace_id: uuid.UUID | None,
    mission_id: uuid.UUID | None,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    """An event's columns, the request's address and id included, and the API token the
    actor signed the request with."""
    token_id, token_name = _acting_token(actor_id)
    return {
        "id": uuid.uuid4(),
        "occurred_at": utcnow(),
        "action": action[:ACTION_MAX],
        "object_type": object_type,
        "object_id": object_id,
        "object_label": label[:LABEL_MAX] if label else None,
        "actor_id": actor_id,
        "actor_email": actor_email[:320] if actor_email else None,
        "token_id": token_id,
        "token_name": token_name[:TOKEN_NAME_MAX] if token_name else None,
        "workspace_id": workspace_id,
        "mission_id": mission_id,
        "changes": changes,
        "ip_address": (request.remote_addr or "")[:64] or None,
        "request_id": getattr(g, "request_id", None),
    }


def _acting_token(actor_id: uuid.UUID | None) -> tuple[uuid.UUID | None, str | None]:
    """The id and name of the API token the request is signed with, when the event's actor is
    that token's owner (an event naming someone else, such as a sign-in, is not the token's).
    Read from the request's Principal: no statement."""
    principal = current_principal_or_none()
    if principal is None or principal.api_token_id is None or principal.user_id != actor_id:
        return None, None
    return principal.api_token_id, principal.api_token_name


@event.listens_for(Session, "after_flush")
def _record_audited_changes(session: Session, flush_context: UOWTransaction) -> None:
    """The events of the rows this flush wrote, in one INSERT on the flush's connection (no ORM
    objects: copying a 150-test scenario records 150 events). After the flush, the rows have
    their ids, and `new`, `dirty`, `deleted` and each attribute's history still describe what
    it wrote."""
    if not has_request_context() or _paused.get():
        return
    actor = current_user_id()
    events = []
    for row in session.new:
        if isinstance(row, Audited):
            events.append(_row_values(row, "create", _grants_of(row), actor))
    for row in session.dirty:
        if isinstance(row, Audited) and session.is_modified(row):
            action, changes = _change_of(row)
            if action is not None:
                events.append(_row_values(row, action, changes, actor))
    for row in session.deleted:
        if isinstance(row, Audited):
            events.append(_row_values(row, "remove", _removed_of(row), actor))
    if events:
        session.connection().execute(insert(AuditEvent), events)


def _row_values(row: Any, action: str, changes: dict[str, Any] | None, actor: Any) -> dict:
    object_type = object_type_of(type(row))
    # A team's work belongs to its workspace; accounts and API tokens are instance-wide.
    workspace_id = row.workspace_id if isinstance(row, TenantMixin) else None
    mission_id = getattr(row, "mission_id", None)
    if object_type == "workspace":
        workspace_id = row.id
    elif object_type == "mission":
        mission_id = row.id
    return _values(
        f"{object_type}.{action}",
        object_type=object_type,
        object_id=getattr(row, "id", None),
        label=_label(row),
        actor_id=actor,
        actor_email=None,
        workspace_id=workspace_id,
        mission_id=mission_id,
        changes=changes,
    )


# The attributes that name a row, in order, when its model sets no `__audit_label__`.
LABEL_ATTRIBUTES = ("name", "email", "filename", "key")


def _label(row: Any) -> str | None:
    names = (row.__audit_label__,) if row.__audit_label__ else LABEL_ATTRIBUTES
    return _first_text(row, names)


def _member_name(item: Any) -> str:
    """A member of a recorded collection: a group by its name, a permission by its code."""
    return _first_text(item, ("name", "email", "code")) or str(getattr(item, "id", item))


def _first_text(row: Any, names: tuple[str, ...]) -> str | None:
    """The first of the row's attributes `names` that holds some text."""
    for name in names:
        value = getattr(row, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _grants_of(row: Any) -> dict[str, Any] | None:
    """What a new row grants, for its `create` event: its `__audit_on_create__` columns and
    the members of its `__audit_collections__` (a user's groups, a group's permissions), as a
    later change would record them. None for a row that grants nothing."""
    if not row.__audit_on_create__ and not row.__audit_collections__:
        return None
    state = inspect(row)
    # An unset column (an unbound token's workspace) grants nothing: "— → —" would be noise.
    changes: dict[str, Any] = {
        name: {"from": None, "to": _jsonable(getattr(row, name))}
        for name in row.__audit_on_create__
        if getattr(row, name) is not None
    }
    for key in row.__audit_collections__:
        added = sorted(_member_name(item) for item in state.attrs[key].history.added)
        if added:
            changes[key] = {"added": added, "removed": []}
    return changes or None


def _removed_of(row: Any) -> dict[str, Any] | None:
    """What a removed row was, for its `remove` event: its `__audit_on_remove__` columns as
    `{"from": value, "to": null}` (an unset one left out). None for a row that names none."""
    changes = {
        name: {"from": _jsonable(getattr(row, name)), "to": None}
        for name in row.__audit_on_remove__
        if getattr(row, name) is not None
    }
    return changes or None


def _change_of(row: Any) -> tuple[str | None, dict[str, Any] | None]:
    """The action and the changed columns of a modified row (None: nothing worth recording)."""
    state = inspect(row)
    skipped = NOT_RECORDED | row.__audit_exclude__
    changes: dict[str, Any] = {}
    for attribute in state.mapper.column_attrs:
        if attribute.key in skipped:
            continue
        history = state.attrs[attribute.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new and not isinstance(new, ClauseElement):
            changes[attribute.key] = {"from": _jsonable(old), "to": _jsonable(new)}
    for key in row.__audit_collections__:
        history = state.attrs[key].history
        added = sorted(_member_name(item) for item in history.added)
        removed = sorted(_member_name(item) for item in history.deleted)
        if added or removed:
            changes[key] = {"added": added, "removed": removed}
    if isinstance(row, SoftDeleteMixin) and "deleted_at" in changes:
        deleted = changes.pop("deleted_at")["to"] is not None
        return ("delete" if deleted else "restore"), (changes or None)
    return ("update", changes) if changes else (None, None)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= VALUE_MAX else value[: VALUE_MAX - 1] + "…"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)
