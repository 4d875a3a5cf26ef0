"""Declarative base, naming convention and the mixins every business table uses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, MetaData, Select, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

# Constraint names are predictable, so migrations and error messages can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Timestamps are always timezone-aware; dict/list columns are JSONB.
TYPE_ANNOTATION_MAP = {
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

    @classmethod
    def select_active(cls, include_deleted: bool = False) -> Select[Any]:
        """`SELECT cls` hiding soft-deleted rows unless `include_deleted`."""
        statement = select(cls)
        if not include_deleted:
            statement = statement.where(cls.deleted_at.is_(None))  # type: ignore[attr-defined]
        return statement

    def soft_delete(self, by: uuid.UUID | None) -> None:
        self.deleted_at = utcnow()
        self.deleted_by = by

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by = None


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
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
