"""Mission tables: missions and members, the tests copied into them, and how blue saw each test.

A mission test is a copy: its template fields and its MITRE tags (`mission_test_mitre_tags`,
kind/external_id/name/url with no foreign key to the catalogue) are written once, when the test
joins the mission, so neither a template edit nor a catalogue re-sync can change history.

Detection levels and defense tools are the workspace's catalogues that blue results point at.
Every table is tenant-owned (`TenantMixin`): the core scopes each query to the request's
workspace.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, aliased, column_property, mapped_column, relationship

from violet.core.audit import Audited
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
from violet.core.tenancy import TenantMixin
from violet.mitre.models import MitreSubtechnique, MitreTactic, MitreTechnique

NAME_MAX = 200
SHORT_MAX = 100
HOST_MAX = 255
RULE_REF_MAX = 200
TEXT_MAX = 50_000
NOTE_MAX = 10_000
CAPTION_MAX = 500
EMAIL_MAX = 254

MISSION_STATUSES = ("planned", "active", "completed", "archived")
MEMBER_ROLES = ("lead", "red", "blue", "viewer")
TEST_STATES = ("pending", "in_progress", "waiting_blue", "completed", "cancelled")
EXECUTION_RESULTS = ("success", "failed", "partial")
TOOL_LAYERS = ("edr", "siem", "ndr", "firewall", "email", "identity", "av", "other")
MITRE_KINDS = ("tactic", "technique", "subtechnique")
PLATFORMS = ("windows", "linux", "macos", "cloud", "network", "containers", "saas", "identity")
OPSEC_LEVELS = ("low", "medium", "high")
EVIDENCE_CATEGORIES = ("red", "blue")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class DetectionLevel(
    Audited, TenantMixin, UuidPkMixin, TimestampMixin, AuditMixin, SoftDeleteMixin, Base
):
    """How well a test was seen. `score` 0–100 feeds coverage; NULL is not scored (N/A)."""

    __tablename__ = "detection_levels"
    # Written into every new workspace: an otherwise empty workspace is still empty.
    REFERENCE_DATA = True
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
        CheckConstraint("color ~ '^#[0-9a-fA-F]{6}$'", name="color"),
        active_index("detection_levels", "workspace_id", "name", unique=True),
    )

    name: Mapped[str] = mapped_column(String(SHORT_MAX))
    score: Mapped[int | None] = mapped_column(Integer)
    color: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class DefenseTool(
    Audited,
    TenantMixin,
    UuidPkMixin,
    TimestampMixin,
    AuditMixin,
    SoftDeleteMixin,
    VersionMixin,
    Base,
):
    """A security control whose per-test outcome blue records (the EDR, the SIEM, …)."""

    __tablename__ = "defense_tools"
    __table_args__ = (
        CheckConstraint(_in("layer", TOOL_LAYERS), name="layer"),
        active_index("defense_tools", "workspace_id", "name", unique=True),
    )

    name: Mapped[str] = mapped_column(String(SHORT_MAX))
    vendor: Mapped[str | None] = mapped_column(String(SHORT_MAX))
    layer: Mapped[str] = mapped_column(String(16))


class Mission(
    Audited,
    TenantMixin,
    UuidPkMixin,
    TimestampMixin,
    AuditMixin,
    SoftDeleteMixin,
    VersionMixin,
    Base,
):
    __tablename__ = "missions"
    __table_args__ = (
        CheckConstraint(_in("status", MISSION_STATUSES), name="status"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"
        ),
        active_index("missions", "status"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    environment: Mapped[str | None] = mapped_column(String(NAME_MAX))

    members: Mapped[list[MissionMember]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", lazy="raise"
    )


class MissionMember(TenantMixin, UuidPkMixin, TimestampMixin, AuditMixin, Base):
    __tablename__ = "mission_members"
    __table_args__ = (
        CheckConstraint(_in("role", MEMBER_ROLES), name="role"),
        UniqueConstraint("mission_id", "user_id"),
        Index("ix_mission_members_user_id", "user_id"),
    )

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))

    mission: Mapped[Mission] = relationship(back_populates="members", lazy="raise")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class MissionCategory(
    Audited, TenantMixin, UuidPkMixin, TimestampMixin, AuditMixin, SoftDeleteMixin, Base
):
    """A mission's own grouping of its tests (e.g. "Initial access", "Day 2")."""

    __tablename__ = "mission_categories"
    __table_args__ = (
        CheckConstraint("color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'", name="color"),
        active_index("mission_categories", "mission_id", "name", unique=True),
    )

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SHORT_MAX))
    color: Mapped[str | None] = mapped_column(String(7))


class MissionScenario(TenantMixin, UuidPkMixin, TimestampMixin, AuditMixin, Base):
    """A scenario template as it was copied into the mission (its tests are mission tests)."""

    __tablename__ = "mission_scenarios"
    __table_args__ = (Index("ix_mission_scenarios_mission_id", "mission_id"),)

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    scenario_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scenario_templates.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str | None] = mapped_column(Text)


class MissionTest(
    Audited,
    TenantMixin,
    UuidPkMixin,
    TimestampMixin,
    AuditMixin,
    SoftDeleteMixin,
    VersionMixin,
    Base,
):
    __tablename__ = "mission_tests"
    __table_args__ = (
        CheckConstraint(_in("state", TEST_STATES), name="state"),
        CheckConstraint(
            f"execution_result IS NULL OR {_in('execution_result', EXECUTION_RESULTS)}",
            name="execution_result",
        ),
        CheckConstraint(f"opsec_level IS NULL OR {_in('opsec_level', OPSEC_LEVELS)}", name="opsec"),
        CheckConstraint("position >= 0", name="position"),
        active_index("mission_tests", "mission_id", "position"),
        Index("ix_mission_tests_retest_of_id", "retest_of_id"),
        Index("ix_mission_tests_detection_level_id", "detection_level_id"),
        Index("ix_mission_tests_category_id", "category_id"),
    )

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    mission_scenario_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mission_scenarios.id", ondelete="SET NULL")
    )
    test_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("test_templates.id", ondelete="SET NULL")
    )
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mission_categories.id", ondelete="SET NULL")
    )
    retest_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer)

    # Copied from the template (or written ad hoc).
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[str | None] = mapped_column(Text)
    cleanup: Mapped[str | None] = mapped_column(Text)
    prerequisites: Mapped[str | None] = mapped_column(Text)
    expected_detection: Mapped[str | None] = mapped_column(Text)
    platforms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    opsec_level: Mapped[str | None] = mapped_column(String(16))

    state: Mapped[str] = mapped_column(String(16), default="pending")

    # Red.
    executed_at: Mapped[datetime | None]
    executed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    source_host: Mapped[str | None] = mapped_column(String(HOST_MAX))
    target_host: Mapped[str | None] = mapped_column(String(HOST_MAX))
    command_executed: Mapped[str | None] = mapped_column(Text)
    red_notes: Mapped[str | None] = mapped_column(Text)
    execution_result: Mapped[str | None] = mapped_column(String(16))

    # Blue. With per-tool detections, the level is derived from them (service).
    detection_level_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("detection_levels.id", ondelete="RESTRICT")
    )
    detected_at: Mapped[datetime | None]
    detection_notes: Mapped[str | None] = mapped_column(Text)
    detection_refs: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    # Tools blue expected to fire; checked against defense_tools when written.
    expected_tool_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), default=list, server_default=text("'{}'::uuid[]")
    )

    mitre_tags: Mapped[list[MissionTestMitreTag]] = relationship(
        order_by="(MissionTestMitreTag.kind, MissionTestMitreTag.external_id)",
        cascade="all, delete-orphan",
        lazy="raise",
    )
    detections: Mapped[list[MissionTestDetection]] = relationship(
        order_by="(MissionTestDetection.created_at, MissionTestDetection.id)",
        cascade="all, delete-orphan",
        lazy="raise",
    )
    executor = relationship("User", foreign_keys=[executed_by], lazy="raise")

    @property
    def silent_tool_ids(self) -> list[uuid.UUID]:
        return silent_tools(
            self.expected_tool_ids,
            [(d.tool_id, d.level_score) for d in self.detections],  # type: ignore[attr-defined]
        )

    @property
    def time_to_detect_s(self) -> int | None:
        return time_to_detect(self.executed_at, self.detected_at)


def silent_tools(
    expected_tool_ids: list[uuid.UUID], outcomes: list[tuple[uuid.UUID, float | None]]
) -> list[uuid.UUID]:
    """Expected tools without a detection, or with one at a level scored 0; `outcomes` are
    the test's (tool id, level score) pairs."""
    heard = {tool_id for tool_id, score in outcomes if score != 0}
    return [tool_id for tool_id in expected_tool_ids if tool_id not in heard]


def time_to_detect(executed_at: datetime | None, detected_at: datetime | None) -> int | None:
    """detected_at − executed_at, in whole seconds."""
    if executed_at is None or detected_at is None:
        return None
    return int((detected_at - executed_at).total_seconds())


class MissionTestMitreTag(TenantMixin, UuidPkMixin, Base):
    """A copy of one ATT&CK tag as it was when the test joined the mission (no FK)."""

    __tablename__ = "mission_test_mitre_tags"
    __table_args__ = (
        CheckConstraint(_in("kind", MITRE_KINDS), name="kind"),
        UniqueConstraint("mission_test_id", "kind", "external_id"),
        Index("ix_mission_test_mitre_tags_external_id", "external_id"),
    )

    mission_test_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(String(512))


class MissionTestDetection(TenantMixin, UuidPkMixin, TimestampMixin, AuditMixin, Base):
    """One defense tool's outcome for one test."""

    __tablename__ = "mission_test_detections"
    __table_args__ = (
        UniqueConstraint("mission_test_id", "tool_id"),
        Index("ix_mission_test_detections_tool_id", "tool_id"),
        Index("ix_mission_test_detections_detection_level_id", "detection_level_id"),
    )

    mission_test_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="CASCADE")
    )
    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("defense_tools.id", ondelete="RESTRICT"))
    detection_level_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("detection_levels.id", ondelete="RESTRICT")
    )
    detected_at: Mapped[datetime | None]
    rule_ref: Mapped[str | None] = mapped_column(String(RULE_REF_MAX))
    notes: Mapped[str | None] = mapped_column(Text)


class MissionNote(Audited, TenantMixin, UuidPkMixin, Base):
    """A Markdown note on a mission (`mission_test_id` NULL) or on one of its tests."""

    __tablename__ = "notes"
    # Named in the audit trail by its author's email, not by its text: a secret pasted into a
    # note must go with the note when the lead deletes it, not stay in the trail.
    __audit_label__ = "created_by"
    # Its removal names whose note it was (the lead may delete anyone's) and its test; an
    # imported note's author is only an email (`created_by`), not a user here.
    __audit_on_remove__ = ("author_id", "created_by", "mission_test_id")
    __table_args__ = (
        CheckConstraint(f"char_length(content) BETWEEN 1 AND {NOTE_MAX}", name="content"),
        # The two lists: a mission's own notes, a test's notes; both newest first.
        Index("ix_notes_mission_id_created_at", "mission_id", "created_at"),
        Index("ix_notes_mission_test_id_created_at", "mission_test_id", "created_at"),
    )

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    mission_test_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="CASCADE")
    )
    content: Mapped[str] = mapped_column(Text)
    # The author's email as it was when they wrote (shown); author_id decides who may delete.
    created_by: Mapped[str] = mapped_column(String(EMAIL_MAX))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by Python, so that rows written in one transaction still sort in writing order.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class EvidenceFile(Audited, TenantMixin, UuidPkMixin, SoftDeleteMixin, Base):
    """A file attached to a mission test; its bytes live in the blob store (core/storage.py)
    under `storage_key`, never under the client's name."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint(_in("category", EVIDENCE_CATEGORIES), name="category"),
        CheckConstraint("size >= 1", name="size"),
        active_index("evidence_files", "mission_test_id", "created_at"),
        # The purge finds deleted rows whose blob is still stored.
        Index(
            "ix_evidence_files_deleted_at",
            "deleted_at",
            postgresql_where=text("deleted_at IS NOT NULL AND purged_at IS NULL"),
        ),
    )

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    mission_test_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mission_tests.id", ondelete="CASCADE")
    )
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(8))
    caption: Mapped[str | None] = mapped_column(String(CAPTION_MAX))
    created_by: Mapped[str] = mapped_column(String(EMAIL_MAX))
    uploader_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set by Python, so that rows written in one transaction still sort in writing order.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    # When the purge removed the blob (the row stays, as history).
    purged_at: Mapped[datetime | None]


def _catalogue_state(model: type) -> object:
    """'revoked', 'deprecated' or 'current' for the catalogue object a tag copy names."""
    row: Any = aliased(model)
    return (
        select(
            case(
                (row.revoked, literal("revoked")),
                (row.deprecated, literal("deprecated")),
                else_=literal("current"),
            )
        )
        .where(row.external_id == MissionTestMitreTag.external_id)
        .scalar_subquery()
    )


# Where the tag's technique stands in today's catalogue ('missing' when it is not there at all),
# read in the statement that loads the tags.
MissionTestMitreTag.catalogue_state = column_property(
    func.coalesce(
        case(
            (MissionTestMitreTag.kind == "tactic", _catalogue_state(MitreTactic)),
            (MissionTestMitreTag.kind == "technique", _catalogue_state(MitreTechnique)),
            else_=_catalogue_state(MitreSubtechnique),
        ),
        literal("missing"),
    )
)

_newer_run = aliased(MissionTest)
# The latest run of a test has no live retest; coverage uses latest runs only.
MissionTest.is_latest = column_property(
    ~exists().where(
        and_(_newer_run.retest_of_id == MissionTest.id, _newer_run.deleted_at.is_(None))
    )
)

# The score of a detection's level, read in the statement that loads the detections.
MissionTestDetection.level_score = column_property(
    select(DetectionLevel.score)
    .where(DetectionLevel.id == MissionTestDetection.detection_level_id)
    .scalar_subquery()
)


def _tool_column(column: Any) -> Any:
    """A column of a detection's tool, read in the statement that loads the detections. The
    tool's table, not its entity: the live-rows criteria would hide a tool deleted since, whose
    outcomes stay recorded under the name it had (docs/api.md, "Detection levels and defense
    tools")."""
    tools = DefenseTool.__table__
    return column_property(
        select(column).where(tools.c.id == MissionTestDetection.tool_id).scalar_subquery()
    )


_tools_table = DefenseTool.__table__
MissionTestDetection.tool_name = _tool_column(_tools_table.c.name)
MissionTestDetection.tool_layer = _tool_column(_tools_table.c.layer)
MissionTestDetection.tool_deleted = _tool_column(_tools_table.c.deleted_at.is_not(None))
