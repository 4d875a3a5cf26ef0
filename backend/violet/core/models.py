"""Declarative base, naming convention and the mixins every business table uses.

Two session hooks apply the mixins' rules to every query and every flush, so no service repeats
them (docs/domains.md, "Soft delete and audit columns"):

- Soft-deleted rows are invisible: every SELECT gets `deleted_at IS NULL` for each
  soft-deletable entity it touches, unless the statement opts in with
  `.execution_options(include_deleted=True)` (see `including_deleted`).
- `created_by`, `updated_by` and `deleted_by` are filled from the signed-in caller at flush.

A third checks a request's `If-Match` against the version of the row it changes
(core/versioning.py). A list's select of columns that runs on the Session's connection rather
than through it (`execute_columns`) gets the same criteria from the same functions.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Select,
    event,
    func,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    UOWTransaction,
    declared_attr,
    mapped_column,
    registry,
    with_loader_criteria,
)
from sqlalchemy.sql import Executable
from sqlalchemy.sql.base import ExecutableOption

from violet.core.auth import current_user_id
from violet.core.database import fetch_rows
from violet.core.versioning import check_if_match

# Constraint names are predictable, so migrations and error messages can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Timestamps are always timezone-aware; dict/list columns are JSONB.
TYPE_ANNOTATION_MAP: dict[Any, Any] = {
    datetime: DateTime(timezone=True),
    dict[str, Any]: JSONB,
    list[Any]: JSONB,
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map=TYPE_ANNOTATION_MAP,
    )


def utcnow() -> datetime:
    return datetime.now().astimezone()


class UuidPkMixin:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class AuditMixin:
    """Who created and last changed the row (user ids; NULL once that user is purged)."""

    @declared_attr
    def created_by(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def updated_by(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SoftDeleteMixin:
    """Rows are flagged, never removed, so history that points at them stays intact.

    Convention: each soft-deletable table declares `active_index(...)`, a partial index
    `ix_<table>_active ... WHERE deleted_at IS NULL`, and unique constraints that should only
    hold among live rows are partial unique indexes with the same predicate.
    """

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    @declared_attr
    def deleted_by(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        """Flag the row; `deleted_by` is filled at flush with the signed-in caller."""
        self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by = None


INCLUDE_DELETED = "include_deleted"
# Set by `live_rows_only` on a statement that already carries the live-rows criteria.
LIVE_ROWS_APPLIED = "violet_live_rows_applied"
# The live-rows criteria: soft-deleted rows of every soft-deletable entity are left out, in joins,
# subqueries and the relationship loads of what the statement loads. Built once (no closure).
LIVE_ROWS = with_loader_criteria(
    SoftDeleteMixin, lambda cls: cls.deleted_at.is_(None), include_aliases=True
)

StatementT = TypeVar("StatementT", bound=Executable)


def including_deleted(statement: StatementT, include_deleted: bool = True) -> StatementT:
    """Opt a statement in to soft-deleted rows (by default every query hides them)."""
    return statement.execution_options(**{INCLUDE_DELETED: include_deleted})


# Set by `prepared` on a statement built once and run on many requests.
PREPARED = "violet_prepared"
# Criteria variants remembered per prepared statement (one per workspace, bounded all the same).
MAX_CRITERIA_VARIANTS = 256


def prepared(statement: StatementT) -> StatementT:
    """Mark `statement` as built once and run on many requests, its values bind parameters.

    Building a statement anew costs more CPU than running it on a short list: the objects, then
    the cache key SQLAlchemy computes for each new statement. A prepared statement keeps its
    cache key, gets the default criteria (live rows, the workspace) added once per set of
    criteria rather than at every execution (`_apply_default_criteria`), and `paginate` builds
    its page once per sort. Build it in a function memoised on the statement's shape (which
    filters apply), never on the values.
    """
    return statement.execution_options(**{PREPARED: True})


def live_rows_only(statement: StatementT) -> StatementT:
    """For a statement built once and run on every request (authentication's): the live-rows
    criteria added now rather than at each execution. The statement then stays the same object,
    so SQLAlchemy computes its cache key once instead of once per request."""
    return statement.options(LIVE_ROWS).execution_options(**{LIVE_ROWS_APPLIED: True})


class StatementState(Protocol):
    """What the default criteria read of a statement about to run: the Session's
    `ORMExecuteState`, or a `ColumnSelect` for a select run on the connection."""

    @property
    def statement(self) -> Any: ...
    @property
    def execution_options(self) -> Mapping[str, Any]: ...
    @property
    def is_select(self) -> bool: ...
    @property
    def is_update(self) -> bool: ...
    @property
    def is_delete(self) -> bool: ...
    @property
    def is_column_load(self) -> bool: ...
    @property
    def is_relationship_load(self) -> bool: ...
    @property
    def all_mappers(self) -> Sequence[Mapper[Any]]: ...


def _live_rows(state: StatementState) -> ExecutableOption | None:
    """The live-rows criteria for a select, unless it opted out or already carries them.

    Relationship and column loads inherit the criteria from the query that loaded the parent.
    """
    options = state.execution_options
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not options.get(INCLUDE_DELETED, False)
        and not options.get(LIVE_ROWS_APPLIED, False)
    ):
        return LIVE_ROWS
    return None


# What every ORM statement gets by default: each function gives a loader option for the
# statement (or None). The live rows here; core/tenancy.py adds the workspace's criteria.
DefaultCriteria = Callable[[StatementState], ExecutableOption | None]
DEFAULT_CRITERIA: list[DefaultCriteria] = [_live_rows]


def with_default_criteria(statement: StatementT, state: StatementState) -> StatementT:
    """`statement` with the default criteria its state calls for."""
    options = tuple(
        option for criteria in DEFAULT_CRITERIA if (option := criteria(state)) is not None
    )
    if not options:
        return statement
    if state.execution_options.get(PREPARED, False):
        return cast(StatementT, _with_criteria(statement, options))
    # In one call: each options() copies the statement, and SQLAlchemy then computes the
    # cache key of every copy (a measurable share of a short request's CPU).
    return statement.options(*options)


@event.listens_for(Session, "do_orm_execute")
def _apply_default_criteria(state: ORMExecuteState) -> None:
    state.statement = with_default_criteria(state.statement, state)


class ColumnSelect:
    """The state of a select of columns run on the Session's connection (`execute_columns`),
    as the Session's `do_orm_execute` would see it."""

    is_select, is_update, is_delete = True, False, False
    is_column_load = is_relationship_load = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.execution_options = statement.get_execution_options()

    @property
    def all_mappers(self) -> Sequence[Mapper[Any]]:
        """The mappers of the selected columns (as `ORMExecuteState.all_mappers`)."""
        mappers: list[Mapper[Any]] = []
        for description in self.statement.column_descriptions:
            entity = description.get("entity")  # absent from a Core statement's columns
            found = inspect(entity, raiseerr=False) if entity is not None else None
            if found is not None and found.mapper not in mappers:
                mappers.append(found.mapper)
        return mappers


def execute_columns(
    session: Session, statement: Select[Any], parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of a prepared select of columns (no entities), run on the session's connection:
    the SQL, rows and default criteria `session.execute` would give, without the ORM's result
    machinery around them, a tenth of the CPU of a light list's request (docs/performance.md,
    "Fifteenth look"), and straight on the driver (`fetch_rows`, "Seventeenth look").
    """
    if session.autoflush:  # as session.execute would, so the select sees pending changes
        session.flush()
    statement = with_default_criteria(statement, ColumnSelect(statement))
    return fetch_rows(session.connection(), statement, parameters)


# prepared statement → {its criteria options: the statement with them}. The options are the
# criteria's own long-lived objects, held here, so the key is the very objects (identity).
_WITH_CRITERIA: weakref.WeakKeyDictionary[Any, dict[tuple[ExecutableOption, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def _with_criteria(statement: Any, options: tuple[ExecutableOption, ...]) -> Any:
    """`statement.options(*options)`, built once per prepared statement and set of options."""
    variants = _WITH_CRITERIA.get(statement)
    if variants is None:
        variants = _WITH_CRITERIA[statement] = {}
    found = variants.get(options)
    if found is None:
        found = statement.options(*options)
        if len(variants) < MAX_CRITERIA_VARIANTS:
            variants[options] = found
    return found


@event.listens_for(Session, "before_flush")
def _fill_audit_columns(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    """Who created, changed or deleted a row: the signed-in caller (kept as set outside requests).

    A value a service set explicitly (an invitation's inviter, a seed) is left alone on insert.
    """
    actor = current_user_id()
    if actor is None:
        return
    for row in session.new:
        for column in ("created_by", "updated_by"):
            if hasattr(row, column) and getattr(row, column) is None:
                setattr(row, column, actor)
    for row in session.dirty:
        if not session.is_modified(row):
            continue
        if hasattr(row, "updated_by"):
            row.updated_by = actor
        if isinstance(row, SoftDeleteMixin) and _was_just_deleted(row):
            row.deleted_by = actor


def _was_just_deleted(row: SoftDeleteMixin) -> bool:
    added = inspect(row).attrs.deleted_at.history.added
    return bool(added) and added[0] is not None


def active_index(table_name: str, *columns: str, unique: bool = False) -> Index:
    """The partial index over live rows: `ix_<table>_active` (or a unique one over `columns`)."""
    name = f"ix_{table_name}_active" if not unique else f"uq_{table_name}_{'_'.join(columns)}"
    return Index(name, *columns, unique=unique, postgresql_where=text("deleted_at IS NULL"))


class VersionMixin:
    """Integer row version for optimistic concurrency (If-Match / ETag).

    SQLAlchemy bumps it on every UPDATE and adds `WHERE version = <old>`, so two writers racing
    past the If-Match check still cannot both win (StaleDataError → 412).
    """

    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The mapped subclass has a __table__; this mixin, which the checker sees, has none.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


@event.listens_for(Session, "before_flush")
def _check_if_match_of_changed_rows(
    session: Session, flush_context: UOWTransaction, instances: Any
) -> None:
    for row in session.dirty:
        if isinstance(row, VersionMixin) and session.is_modified(row):
            check_if_match(row)
            # A change to a collection alone (a group's permissions) updates no column of the
            # row; touching `updated_at` makes it an UPDATE too, so every write bumps the version.
            if isinstance(row, TimestampMixin):
                # A SQL expression for a datetime column: evaluated by the UPDATE itself.
                row.updated_at = func.now()
