"""One row per recipient per event; unread rows have no `read_at` (a partial index covers them)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from violet.core.models import Base, UuidPkMixin, utcnow

TITLE_MAX = 300
KINDS = (
    "mission.member_added",
    "mission_test.handed_to_blue",
    "mission_test.detection_recorded",
    "mission.completed",
)


class Notification(UuidPkMixin, Base):
    """Personal, not tenant-scoped: a user sees theirs from any workspace (each names its own)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")", name="kind"),
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        # The bell's count and the unread list read only this small index.
        Index(
            "ix_notifications_unread",
            "user_id",
            "created_at",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    mission_test_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="CASCADE")
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Written when the event happens, so later renames do not rewrite what was said.
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    read_at: Mapped[datetime | None]
