"""Workspaces and who belongs to them. Tenant-owned tables point here through core's TenantMixin."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, and_, false, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from violet.auth.models import User
from violet.core.audit import Audited
from violet.core.models import (
    AuditMixin,
    Base,
    SoftDeleteMixin,
    TimestampMixin,
    UuidPkMixin,
    active_index,
)

NAME_MAX = 100
SLUG_MAX = 50
DEFAULT_SLUG = "default"


class WorkspaceMember(Base):
    """A user belongs to a workspace; `preferred` marks the one they act in by default."""

    __tablename__ = "workspace_members"
    __table_args__ = (
        Index("ix_workspace_members_user_id", "user_id"),
        # At most one preferred workspace per user.
        Index(
            "uq_workspace_members_preferred",
            "user_id",
            unique=True,
            postgresql_where=text("preferred"),
        ),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    preferred: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class Workspace(Audited, UuidPkMixin, TimestampMixin, AuditMixin, SoftDeleteMixin, Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        active_index("workspaces", "name"),
        Index(
            "uq_workspaces_slug_live",
            "slug",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The instance's default workspace (new users join it): at most one.
        Index(
            "uq_workspaces_is_default",
            "is_default",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Live members, loaded with the workspace in the same query (no N+1 in lists).
    member_count: Mapped[int] = column_property(
        select(func.count())
        .select_from(WorkspaceMember)
        .join(User, and_(User.id == WorkspaceMember.user_id, User.deleted_at.is_(None)))
        .where(WorkspaceMember.workspace_id == text("workspaces.id"))
        .scalar_subquery()
    )
