"""ATT&CK catalogue tables: tactics, techniques, sub-techniques, their tactic links, threat
groups and the techniques they use, sync records.

Catalogue rows are written only by the sync (`service/sync.py`) and are never deleted: an object
MITRE revokes or deprecates keeps its row with the flag set, and an object that disappears from
a later bundle of its domain is flagged `deprecated` with `vanished_at`, so anything tagged with
it stays valid. "Live" means neither deprecated nor revoked.

Search indexes: `name`/`external_id` ILIKE searches are served by trigram GIN indexes when the
database has the `pg_trgm` extension (PostgreSQL contrib, e.g. the postgres:17 image); the
migration creates them only there. The embedded pgserver build ships without pg_trgm, and with
a catalogue of under two thousand rows a sequential scan is sub-millisecond anyway.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from violet.core.models import Base, TimestampMixin, UuidPkMixin

# The ATT&CK domains MITRE publishes (the `external_id` of each domain's x-mitre-matrix).
DOMAINS = ("enterprise-attack", "mobile-attack", "ics-attack")
DEFAULT_DOMAIN = "enterprise-attack"

# What a technique list item may show (`fields=`); `id` and `external_id` always come.
TECHNIQUE_LIST_FIELDS = (
    "stix_id",
    "name",
    "description",
    "url",
    "domain",
    "deprecated",
    "revoked",
    "platforms",
    "tactics",
    "subtechnique_count",
)

# A sync is one transaction, so only its outcome is ever stored.
SYNC_SUCCEEDED = "succeeded"
SYNC_FAILED = "failed"
SYNC_STATUSES = (SYNC_SUCCEEDED, SYNC_FAILED)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class AttackObjectMixin(UuidPkMixin, TimestampMixin):
    """Columns every ATT&CK object keeps (tactic, technique, sub-technique)."""

    external_id: Mapped[str] = mapped_column(String(32), unique=True)
    stix_id: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    url: Mapped[str | None] = mapped_column(String(512))
    domain: Mapped[str] = mapped_column(String(32))
    deprecated: Mapped[bool] = mapped_column(default=False, server_default=false())
    revoked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # STIX `modified` and `x_mitre_version` of the object as last synced.
    modified: Mapped[datetime | None]
    attack_version: Mapped[str | None] = mapped_column(String(16))
    # Set when the object disappeared from a later bundle of its domain (then also deprecated).
    vanished_at: Mapped[datetime | None]


class MitreTactic(AttackObjectMixin, Base):
    __tablename__ = "mitre_tactics"
    __table_args__ = (
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
        Index("ix_mitre_tactics_domain_position", "domain", "position"),
    )

    shortname: Mapped[str] = mapped_column(String(64))
    # 0-based column in the domain's matrix; NULL for a tactic no matrix lists.
    position: Mapped[int | None] = mapped_column(Integer)


class MitreTechniqueTactic(Base):
    """Technique ↔ tactic, from the technique's `kill_chain_phases`."""

    __tablename__ = "mitre_technique_tactics"
    __table_args__ = (Index("ix_mitre_technique_tactics_tactic_id", "tactic_id"),)

    technique_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_techniques.id", ondelete="CASCADE"), primary_key=True
    )
    tactic_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_tactics.id", ondelete="CASCADE"), primary_key=True
    )


class MitreTechnique(AttackObjectMixin, Base):
    __tablename__ = "mitre_techniques"
    __table_args__ = (
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
        Index("ix_mitre_techniques_domain_name", "domain", "name"),
        Index("ix_mitre_techniques_platforms", "platforms", postgresql_using="gin"),
    )

    platforms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    detection: Mapped[str | None] = mapped_column(Text)
    # A revoked one: the ATT&CK id of the live technique or sub-technique that replaced it.
    replaced_by: Mapped[str | None] = mapped_column(String(32))

    tactics: Mapped[list[MitreTactic]] = relationship(
        secondary="mitre_technique_tactics",
        order_by="MitreTactic.position",
        lazy="raise",
        viewonly=True,
    )
    subtechniques: Mapped[list[MitreSubtechnique]] = relationship(
        back_populates="technique",
        order_by="MitreSubtechnique.external_id",
        lazy="raise",
        viewonly=True,
    )
    if TYPE_CHECKING:
        # Mapped below the class (it needs MitreSubtechnique); declared here for the checker.
        subtechnique_count: Mapped[int]


class MitreSubtechnique(AttackObjectMixin, Base):
    __tablename__ = "mitre_subtechniques"
    __table_args__ = (
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
        Index("ix_mitre_subtechniques_technique_id", "technique_id"),
        Index("ix_mitre_subtechniques_platforms", "platforms", postgresql_using="gin"),
    )

    technique_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_techniques.id", ondelete="RESTRICT")
    )
    platforms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    detection: Mapped[str | None] = mapped_column(Text)
    replaced_by: Mapped[str | None] = mapped_column(String(32))  # as on MitreTechnique

    technique: Mapped[MitreTechnique] = relationship(
        back_populates="subtechniques", lazy="raise", viewonly=True
    )


# Live sub-techniques of a technique; deferred, list and detail queries `undefer` it.
MitreTechnique.subtechnique_count = column_property(
    select(func.count(MitreSubtechnique.id))
    .where(
        MitreSubtechnique.technique_id == MitreTechnique.id,
        MitreSubtechnique.deprecated.is_(False),
        MitreSubtechnique.revoked.is_(False),
    )
    .correlate_except(MitreSubtechnique)
    .scalar_subquery(),
    deferred=True,
)


class MitreGroup(AttackObjectMixin, Base):
    """A threat group (`intrusion-set`). One STIX object may sit in several domain bundles:
    `domains` lists those whose synced bundle holds it (and the unsynced ones its
    `x_mitre_domains` names), `domain` is the first (sync/store.py). It vanishes only when no
    synced domain holds it."""

    __tablename__ = "mitre_groups"
    __table_args__ = (
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
        Index("ix_mitre_groups_domains", "domains", postgresql_using="gin"),
    )

    aliases: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    domains: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    # A revoked one: the ATT&CK id of the live group that replaced it (G0074 → G0035).
    replaced_by: Mapped[str | None] = mapped_column(String(32))


class MitreGroupTechnique(Base):
    """Group → technique it uses (live `uses` relationships between live ends)."""

    __tablename__ = "mitre_group_techniques"
    __table_args__ = (Index("ix_mitre_group_techniques_technique_id", "technique_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_groups.id", ondelete="CASCADE"), primary_key=True
    )
    technique_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_techniques.id", ondelete="CASCADE"), primary_key=True
    )


class MitreGroupSubtechnique(Base):
    """Group → sub-technique it uses."""

    __tablename__ = "mitre_group_subtechniques"
    __table_args__ = (Index("ix_mitre_group_subtechniques_subtechnique_id", "subtechnique_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_groups.id", ondelete="CASCADE"), primary_key=True
    )
    subtechnique_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mitre_subtechniques.id", ondelete="CASCADE"), primary_key=True
    )


class MitreSync(UuidPkMixin, Base):
    """One sync attempt and its outcome (a failed one is committed after the rollback)."""

    __tablename__ = "mitre_syncs"
    __table_args__ = (
        CheckConstraint(_in("status", SYNC_STATUSES), name="status"),
        Index("ix_mitre_syncs_started_at", "started_at"),
    )

    status: Mapped[str] = mapped_column(String(16))
    domain: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[str | None] = mapped_column(String(32))
    # The URL fetched, or `upload:<name>` / `file:<path>` for a local bundle.
    source: Mapped[str] = mapped_column(String(2048))
    # SHA-256 of the bundle's JSON (after gunzip), and whether it matched a given/pinned hash.
    sha256: Mapped[str | None] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    # Who asked for it (NULL for the CLI and first-start syncs, or once the user is purged).
    started_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
