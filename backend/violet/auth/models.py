"""Tables of the auth domain. Secrets (refresh, API and invitation tokens, TOTP recovery codes)
are stored only as SHA-256 hashes; passwords as argon2id hashes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    and_,
    case,
    false,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from violet.core.audit import Audited
from violet.core.auth import MISSION_ACCESS_LEVELS
from violet.core.models import (
    AuditMixin,
    Base,
    SoftDeleteMixin,
    TimestampMixin,
    UuidPkMixin,
    VersionMixin,
    active_index,
    utcnow,
)

EMAIL_MAX = 254
NAME_MAX = 100

user_groups = Table(
    "user_groups",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_user_groups_group_id", "group_id"),
)

group_permissions = Table(
    "group_permissions",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "permission_code",
        ForeignKey("permissions.code", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    ),
)

invitation_groups = Table(
    "invitation_groups",
    Base.metadata,
    Column("invitation_id", ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)

# The workspaces an invitee joins (none: the default one). Read and checked through the
# workspaces domain's service, which owns the rows these ids name.
invitation_workspaces = Table(
    "invitation_workspaces",
    Base.metadata,
    Column("invitation_id", ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
)


class Permission(Base):
    __tablename__ = "permissions"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))


class User(Audited, UuidPkMixin, TimestampMixin, AuditMixin, SoftDeleteMixin, VersionMixin, Base):
    __tablename__ = "users"
    # A change of groups is a change of rights: recorded with the names added and removed.
    __audit_collections__ = ("groups",)
    __table_args__ = (
        active_index("users", "email"),
        # Emails are stored lower-cased; the index also guards rows written by hand.
        Index(
            "uq_users_email_live",
            func.lower(text("email")),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    display_name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    last_login_at: Mapped[datetime | None]
    # Access tokens issued before this instant are refused ("sign out everywhere").
    tokens_valid_after: Mapped[datetime | None]
    # TOTP: the secret is set by /auth/mfa/setup and only trusted once `mfa_enabled`. Stored
    # encrypted with MFA_ENCRYPTION_KEY (violet/core/encryption.py).
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Last accepted 30-second step: a code is accepted once (RFC 6238 §5.2).
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)

    groups: Mapped[list[Group]] = relationship(
        secondary=user_groups,
        back_populates="members",
        order_by="Group.name",
        primaryjoin="User.id == user_groups.c.user_id",
        # Live groups only, also when the user was loaded with including_deleted().
        secondaryjoin="and_(Group.id == user_groups.c.group_id, Group.deleted_at.is_(None))",
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Group(Audited, UuidPkMixin, TimestampMixin, AuditMixin, SoftDeleteMixin, VersionMixin, Base):
    __tablename__ = "groups"
    __audit_collections__ = ("permissions",)
    __table_args__ = (
        active_index("groups", "name"),
        Index(
            "uq_groups_name_live",
            func.lower(text("name")),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")

    permissions: Mapped[list[Permission]] = relationship(
        secondary=group_permissions, order_by=Permission.code
    )
    members: Mapped[list[User]] = relationship(
        secondary=user_groups,
        back_populates="groups",
        primaryjoin="Group.id == user_groups.c.group_id",
        secondaryjoin="User.id == user_groups.c.user_id",
        viewonly=True,
    )

    # Live members, loaded with the group in the same query (no N+1 in lists).
    member_count: Mapped[int] = column_property(
        select(func.count())
        .select_from(user_groups)
        .join(User, and_(User.id == user_groups.c.user_id, User.deleted_at.is_(None)))
        .where(user_groups.c.group_id == text("groups.id"))
        .scalar_subquery()
    )

    @property
    def permission_codes(self) -> list[str]:
        return [permission.code for permission in self.permissions]


class Invitation(Audited, UuidPkMixin, TimestampMixin, AuditMixin, Base):
    __tablename__ = "invitations"
    # What the invitee will hold: recorded when the invitation is made.
    __audit_collections__ = ("groups",)
    __audit_on_create__ = ("expires_at",)
    __table_args__ = (Index("ix_invitations_email", func.lower(text("email"))),)

    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    groups: Mapped[list[Group]] = relationship(secondary=invitation_groups, order_by=Group.name)
    inviter: Mapped[User | None] = relationship(foreign_keys="Invitation.created_by")

    @hybrid_property
    def status(self) -> str:
        """pending, accepted, expired or revoked (revoked and accepted win over expiry)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.accepted_at is not None:
            return "accepted"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"

    @status.inplace.expression
    @classmethod
    def _status_expression(cls):
        return case(
            (cls.revoked_at.is_not(None), literal("revoked")),
            (cls.accepted_at.is_not(None), literal("accepted")),
            (cls.expires_at <= func.now(), literal("expired")),
            else_=literal("pending"),
        )


class RefreshToken(UuidPkMixin, Base):
    """One refresh token of a login "family"; each refresh spends one and issues the next."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family_id", "family_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[uuid.UUID]
    # When the family's sign-in happened: a refresh refuses families older than the user's
    # `tokens_valid_after` (a credential change or "sign out everywhere" since).
    family_started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    spent_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(200))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Audited, UuidPkMixin, TimestampMixin, Base):
    """A long-lived bearer token for automation, limited to a subset of its owner's permissions
    and to a level of access to its owner's missions."""

    __tablename__ = "api_tokens"
    # What the token may do: recorded when it is made (it never changes afterwards).
    __audit_on_create__ = ("permissions", "mission_access", "workspace_id", "expires_at")
    __table_args__ = (
        CheckConstraint(
            f"mission_access IN ({', '.join(repr(level) for level in MISSION_ACCESS_LEVELS)})",
            name="mission_access",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in lists so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Bound to one workspace (it cannot act in another), or NULL: the owner's workspaces.
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # none, read or write (core/auth.py, MISSION_ACCESS_LEVELS): what the owner's mission
    # memberships let the token do. No default: every token says it (tokens made before the
    # column existed were migrated to write, what they could do then).
    mission_access: Mapped[str] = mapped_column(String(8))


class MfaRecoveryCode(UuidPkMixin, Base):
    """One single-use TOTP recovery code (auth/service/mfa.py says why SHA-256 is enough)."""

    __tablename__ = "mfa_recovery_codes"
    # Also the index that finds a user's codes.
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Set when the code signs its owner in; a used code is refused from then on.
    used_at: Mapped[datetime | None]
