"""Library tables: test templates with MITRE tags, scenario templates with ordered tests.

A MITRE tag row points at exactly one of a tactic, a technique or a sub-technique (three nullable
foreign keys and a CHECK), so a tag always names a catalogue object that exists; the catalogue
never deletes rows (it flags them), so tags stay valid across syncs.

Templates and scenarios belong to a workspace (`TenantMixin`: the core scopes every query);
their tags and positions are reached only through them and carry no workspace of their own.

A scenario's tests are rows of their own with a UUID key and a `position` unique per scenario:
the same template may appear at several positions. They point at templates with RESTRICT, and
templates are only ever soft-deleted, so a deleted template keeps its place in every scenario.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from violet.core.audit import Audited
from violet.core.models import (
    AuditMixin,
    Base,
    SoftDeleteMixin,
    TimestampMixin,
    UuidPkMixin,
    VersionMixin,
)
from violet.core.tenancy import TenantMixin, workspace_index
from violet.mitre.models import MitreSubtechnique, MitreTactic, MitreTechnique

NAME_MAX = 200
TAG_MAX = 50
TEXT_MAX = 50_000
SOURCE_MAX = 50
SOURCE_REF_MAX = 200

PLATFORMS = (
    "windows",
    "linux",
    "macos",
    "cloud",
    "network",
    "containers",
    "saas",
    "identity",
)
OPSEC_LEVELS = ("low", "medium", "high")
MITRE_KINDS = ("tactic", "technique", "subtechnique")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class TestTemplate(
    Audited,
    TenantMixin,
    UuidPkMixin,
    TimestampMixin,
    AuditMixin,
    SoftDeleteMixin,
    VersionMixin,
    Base,
):
    __tablename__ = "test_templates"
    __table_args__ = (
        CheckConstraint(f"opsec_level IN ({_sql_list(OPSEC_LEVELS)})", name="opsec_level"),
        CheckConstraint(f"platforms <@ ARRAY[{_sql_list(PLATFORMS)}]::text[]", name="platforms"),
        workspace_index("test_templates", "name", live_only=True),
        # An imported item is found again by its source id (re-import updates it).
        Index(
            "uq_test_templates_source_ref",
            "workspace_id",
            "source",
            "source_ref",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND source_ref IS NOT NULL"),
        ),
        # A deleted one too, which a re-import leaves deleted (the index above is live rows').
        Index(
            "ix_test_templates_deleted_source_ref",
            "workspace_id",
            "source",
            "source_ref",
            postgresql_where=text("deleted_at IS NOT NULL AND source_ref IS NOT NULL"),
        ),
        Index("ix_test_templates_tags", "tags", postgresql_using="gin"),
        Index("ix_test_templates_platforms", "platforms", postgresql_using="gin"),
    )
    __test__ = False  # not a pytest test class, despite the name

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
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    references: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    source: Mapped[str | None] = mapped_column(String(SOURCE_MAX))
    source_ref: Mapped[str | None] = mapped_column(String(SOURCE_REF_MAX))
    # Atomic Red Team input arguments: [{name, type, default, description}].
    input_arguments: Mapped[list[Any]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )

    mitre_links: Mapped[list[TestTemplateMitreTag]] = relationship(
        back_populates="test_template",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    @property
    def mitre_tags(self) -> list[TestTemplateMitreTag]:
        """Tags in a stable order: tactics, techniques, sub-techniques, each by id."""
        order = {kind: index for index, kind in enumerate(MITRE_KINDS)}
        return sorted(self.mitre_links, key=lambda tag: (order[tag.kind], tag.external_id))


class TestTemplateMitreTag(UuidPkMixin, Base):
    """One MITRE tag of a template: exactly one of the three targets is set."""

    __tablename__ = "test_template_mitre_tags"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(tactic_id, technique_id, subtechnique_id) = 1", name="one_target"
        ),
        UniqueConstraint("test_template_id", "tactic_id"),
        UniqueConstraint("test_template_id", "technique_id"),
        UniqueConstraint("test_template_id", "subtechnique_id"),
        Index("ix_test_template_mitre_tags_tactic_id", "tactic_id"),
        Index("ix_test_template_mitre_tags_technique_id", "technique_id"),
        Index("ix_test_template_mitre_tags_subtechnique_id", "subtechnique_id"),
    )
    __test__ = False

    test_template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("test_templates.id", ondelete="CASCADE")
    )
    tactic_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mitre_tactics.id", ondelete="RESTRICT")
    )
    technique_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mitre_techniques.id", ondelete="RESTRICT")
    )
    subtechnique_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mitre_subtechniques.id", ondelete="RESTRICT")
    )

    test_template: Mapped[TestTemplate] = relationship(back_populates="mitre_links", lazy="raise")
    # Loaded with the tag (one statement for a page of templates' tags).
    tactic: Mapped[MitreTactic | None] = relationship(lazy="joined")
    technique: Mapped[MitreTechnique | None] = relationship(lazy="joined")
    subtechnique: Mapped[MitreSubtechnique | None] = relationship(lazy="joined")

    @property
    def target(self) -> MitreTactic | MitreTechnique | MitreSubtechnique:
        target = self.tactic or self.technique or self.subtechnique
        assert target is not None, "the one_target CHECK guarantees a target"
        return target

    @property
    def kind(self) -> str:
        if self.tactic is not None:
            return "tactic"
        return "technique" if self.technique is not None else "subtechnique"

    @property
    def external_id(self) -> str:
        return self.target.external_id

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def url(self) -> str | None:
        return self.target.url


class ScenarioTemplate(
    Audited,
    TenantMixin,
    UuidPkMixin,
    TimestampMixin,
    AuditMixin,
    SoftDeleteMixin,
    VersionMixin,
    Base,
):
    __tablename__ = "scenario_templates"
    __table_args__ = (workspace_index("scenario_templates", "name", live_only=True),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str | None] = mapped_column(Text)

    tests: Mapped[list[ScenarioTemplateTest]] = relationship(
        back_populates="scenario",
        order_by="ScenarioTemplateTest.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class ScenarioTemplateTest(UuidPkMixin, Base):
    """One position in a scenario's ordered test list."""

    __tablename__ = "scenario_template_tests"
    __table_args__ = (
        UniqueConstraint("scenario_id", "position"),
        CheckConstraint("position >= 0", name="position"),
        Index("ix_scenario_template_tests_test_template_id", "test_template_id"),
    )

    scenario_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenario_templates.id", ondelete="CASCADE")
    )
    test_template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("test_templates.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer)

    scenario: Mapped[ScenarioTemplate] = relationship(back_populates="tests", lazy="raise")
    test_template: Mapped[TestTemplate] = relationship(lazy="raise")


# Positions in the scenario, deleted templates included (they keep their place).
ScenarioTemplate.test_count = column_property(
    select(func.count(ScenarioTemplateTest.id))
    .where(ScenarioTemplateTest.scenario_id == ScenarioTemplate.id)
    .correlate_except(ScenarioTemplateTest)
    .scalar_subquery()
)
