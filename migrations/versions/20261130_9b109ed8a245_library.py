"""Library: test templates with their MITRE tags, scenario templates with their ordered tests.

Revision ID: 9b109ed8a245
Revises: c7e2b5d1f380
Create Date: 2026-11-30

A tag row points at exactly one of tactic / technique / sub-technique (CHECK num_nonnulls = 1),
once per template and target. A scenario's positions are rows with a UUID key and
UNIQUE(scenario_id, position), so a template may appear at several positions. Soft-deleted
rows keep their place; partial indexes cover the live ones. Templates and scenarios belong to a
workspace (indexed `workspace_id`); their tags and positions are reached only through them.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "9b109ed8a245"
down_revision = "c7e2b5d1f380"
branch_labels = None
depends_on = None

PLATFORMS = "'windows', 'linux', 'macos', 'cloud', 'network', 'containers', 'saas', 'identity'"


def workspace_column(table: str) -> list:
    """`workspace_id` as core's TenantMixin declares it: NOT NULL, RESTRICT, indexed."""
    return [
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{table}_workspace_id_workspaces"),
            ondelete="RESTRICT",
        ),
    ]


def upgrade():
    op.create_table(
        "scenario_templates",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_scenario_templates_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_scenario_templates_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_scenario_templates_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_templates")),
        *workspace_column("scenario_templates"),
    )
    op.create_index("ix_scenario_templates_workspace_id", "scenario_templates", ["workspace_id"])
    op.create_index(
        "ix_scenario_templates_workspace_name",
        "scenario_templates",
        ["workspace_id", "name"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "test_templates",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("procedure", sa.Text(), nullable=True),
        sa.Column("cleanup", sa.Text(), nullable=True),
        sa.Column("prerequisites", sa.Text(), nullable=True),
        sa.Column("expected_detection", sa.Text(), nullable=True),
        sa.Column(
            "platforms",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("opsec_level", sa.String(length=16), nullable=True),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "references",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=50), nullable=True),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column(
            "input_arguments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "opsec_level IN ('low', 'medium', 'high')", name=op.f("ck_test_templates_opsec_level")
        ),
        sa.CheckConstraint(
            f"platforms <@ ARRAY[{PLATFORMS}]::text[]",
            name=op.f("ck_test_templates_platforms"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_test_templates_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_test_templates_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_test_templates_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_templates")),
        *workspace_column("test_templates"),
    )
    op.create_index("ix_test_templates_workspace_id", "test_templates", ["workspace_id"])
    op.create_index(
        "ix_test_templates_workspace_name",
        "test_templates",
        ["workspace_id", "name"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_test_templates_platforms",
        "test_templates",
        ["platforms"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_test_templates_tags", "test_templates", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "uq_test_templates_source_ref",
        "test_templates",
        ["workspace_id", "source", "source_ref"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND source_ref IS NOT NULL"),
    )
    op.create_table(
        "scenario_template_tests",
        sa.Column("scenario_id", sa.Uuid(), nullable=False),
        sa.Column("test_template_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_scenario_template_tests_position")),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario_templates.id"],
            name=op.f("fk_scenario_template_tests_scenario_id_scenario_templates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["test_template_id"],
            ["test_templates.id"],
            name=op.f("fk_scenario_template_tests_test_template_id_test_templates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_template_tests")),
        sa.UniqueConstraint(
            "scenario_id", "position", name=op.f("uq_scenario_template_tests_scenario_id_position")
        ),
    )
    op.create_index(
        "ix_scenario_template_tests_test_template_id",
        "scenario_template_tests",
        ["test_template_id"],
        unique=False,
    )
    op.create_table(
        "test_template_mitre_tags",
        sa.Column("test_template_id", sa.Uuid(), nullable=False),
        sa.Column("tactic_id", sa.Uuid(), nullable=True),
        sa.Column("technique_id", sa.Uuid(), nullable=True),
        sa.Column("subtechnique_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(tactic_id, technique_id, subtechnique_id) = 1",
            name=op.f("ck_test_template_mitre_tags_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["subtechnique_id"],
            ["mitre_subtechniques.id"],
            name=op.f("fk_test_template_mitre_tags_subtechnique_id_mitre_subtechniques"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tactic_id"],
            ["mitre_tactics.id"],
            name=op.f("fk_test_template_mitre_tags_tactic_id_mitre_tactics"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["mitre_techniques.id"],
            name=op.f("fk_test_template_mitre_tags_technique_id_mitre_techniques"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["test_template_id"],
            ["test_templates.id"],
            name=op.f("fk_test_template_mitre_tags_test_template_id_test_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_template_mitre_tags")),
        sa.UniqueConstraint(
            "test_template_id",
            "subtechnique_id",
            name=op.f("uq_test_template_mitre_tags_test_template_id_subtechnique_id"),
        ),
        sa.UniqueConstraint(
            "test_template_id",
            "tactic_id",
            name=op.f("uq_test_template_mitre_tags_test_template_id_tactic_id"),
        ),
        sa.UniqueConstraint(
            "test_template_id",
            "technique_id",
            name=op.f("uq_test_template_mitre_tags_test_template_id_technique_id"),
        ),
    )
    op.create_index(
        "ix_test_template_mitre_tags_subtechnique_id",
        "test_template_mitre_tags",
        ["subtechnique_id"],
        unique=False,
    )
    op.create_index(
        "ix_test_template_mitre_tags_tactic_id",
        "test_template_mitre_tags",
        ["tactic_id"],
        unique=False,
    )
    op.create_index(
        "ix_test_template_mitre_tags_technique_id",
        "test_template_mitre_tags",
        ["technique_id"],
        unique=False,
    )


def downgrade():
    # Indexes and constraints go with their tables.
    op.drop_table("test_template_mitre_tags")
    op.drop_table("scenario_template_tests")
    op.drop_table("test_templates")
    op.drop_table("scenario_templates")
