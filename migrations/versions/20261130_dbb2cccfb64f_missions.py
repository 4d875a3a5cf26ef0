"""Missions: members, categories, scenarios, tests with copied ATT&CK tags, per-tool detections;
the detection level and defense tool catalogues, with the default detection levels.

Revision ID: dbb2cccfb64f
Revises: 9b109ed8a245
Create Date: 2026-11-30

Every table is tenant-owned: an indexed workspace_id (NOT NULL, RESTRICT); the default detection
levels are written into every existing workspace. Mission test tags are copies (kind,
external_id, name, url) with no foreign key to mitre_*, so a catalogue re-sync never changes
history. Every enum is a CHECK; soft-deleted rows keep their place and partial indexes cover the
live ones.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "dbb2cccfb64f"
down_revision = "9b109ed8a245"
branch_labels = None
depends_on = None


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


# A copy of missions/service/catalogue.py's defaults as they were when this migration was written.
DEFAULT_LEVELS = (
    ("Prevented", 100, "#2b8a3e"),
    ("Alerted", 75, "#1864ab"),
    ("Logged", 40, "#e67700"),
    ("Not detected", 0, "#c92a2a"),
    ("Not applicable", None, "#495057"),
)


def upgrade():
    op.create_table(
        "defense_tools",
        *workspace_column("defense_tools"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("vendor", sa.String(length=100), nullable=True),
        sa.Column("layer", sa.String(length=16), nullable=False),
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
            "layer IN ('edr', 'siem', 'ndr', 'firewall', 'email', 'identity', 'av', 'other')",
            name=op.f("ck_defense_tools_layer"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_defense_tools_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_defense_tools_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_defense_tools_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_tools")),
    )
    op.create_index(
        "uq_defense_tools_workspace_id_name",
        "defense_tools",
        ["workspace_id", "name"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "detection_levels",
        *workspace_column("detection_levels"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.CheckConstraint("color ~ '^#[0-9a-fA-F]{6}$'", name=op.f("ck_detection_levels_color")),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 0 AND 100", name=op.f("ck_detection_levels_score")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_detection_levels_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_detection_levels_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_detection_levels_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_levels")),
    )
    op.create_index(
        "uq_detection_levels_workspace_id_name",
        "detection_levels",
        ["workspace_id", "name"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "missions",
        *workspace_column("missions"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("environment", sa.String(length=200), nullable=True),
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
            "status IN ('planned', 'active', 'completed', 'archived')",
            name=op.f("ck_missions_status"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name=op.f("ck_missions_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_missions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_missions_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_missions_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
    )
    op.create_index(
        "ix_missions_active",
        "missions",
        ["status"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "mission_categories",
        *workspace_column("mission_categories"),
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=True),
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
        sa.CheckConstraint(
            "color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'", name=op.f("ck_mission_categories_color")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mission_categories_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_mission_categories_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_categories_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mission_categories_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_categories")),
    )
    op.create_index(
        "uq_mission_categories_mission_id_name",
        "mission_categories",
        ["mission_id", "name"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "mission_members",
        *workspace_column("mission_members"),
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
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
        sa.CheckConstraint(
            "role IN ('lead', 'red', 'blue', 'viewer')", name=op.f("ck_mission_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mission_members_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_members_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mission_members_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mission_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_members")),
        sa.UniqueConstraint(
            "mission_id", "user_id", name=op.f("uq_mission_members_mission_id_user_id")
        ),
    )
    op.create_index("ix_mission_members_user_id", "mission_members", ["user_id"], unique=False)
    op.create_table(
        "mission_scenarios",
        *workspace_column("mission_scenarios"),
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("scenario_template_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mission_scenarios_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_scenarios_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_template_id"],
            ["scenario_templates.id"],
            name=op.f("fk_mission_scenarios_scenario_template_id_scenario_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mission_scenarios_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_scenarios")),
    )
    op.create_index(
        "ix_mission_scenarios_mission_id", "mission_scenarios", ["mission_id"], unique=False
    )
    op.create_table(
        "mission_tests",
        *workspace_column("mission_tests"),
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("mission_scenario_id", sa.Uuid(), nullable=True),
        sa.Column("test_template_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("retest_of_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
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
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_by", sa.Uuid(), nullable=True),
        sa.Column("source_host", sa.String(length=255), nullable=True),
        sa.Column("target_host", sa.String(length=255), nullable=True),
        sa.Column("command_executed", sa.Text(), nullable=True),
        sa.Column("red_notes", sa.Text(), nullable=True),
        sa.Column("execution_result", sa.String(length=16), nullable=True),
        sa.Column("detection_level_id", sa.Uuid(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detection_notes", sa.Text(), nullable=True),
        sa.Column(
            "detection_refs",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "expected_tool_ids",
            postgresql.ARRAY(sa.UUID()),
            server_default=sa.text("'{}'::uuid[]"),
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
            "execution_result IS NULL OR execution_result IN ('success', 'failed', 'partial')",
            name=op.f("ck_mission_tests_execution_result"),
        ),
        sa.CheckConstraint(
            "opsec_level IS NULL OR opsec_level IN ('low', 'medium', 'high')",
            name=op.f("ck_mission_tests_opsec"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'in_progress', 'waiting_blue', 'completed', 'cancelled')",
            name=op.f("ck_mission_tests_state"),
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_mission_tests_position")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["mission_categories.id"],
            name=op.f("fk_mission_tests_category_id_mission_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mission_tests_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_mission_tests_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["detection_level_id"],
            ["detection_levels.id"],
            name=op.f("fk_mission_tests_detection_level_id_detection_levels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["executed_by"],
            ["users.id"],
            name=op.f("fk_mission_tests_executed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_tests_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_scenario_id"],
            ["mission_scenarios.id"],
            name=op.f("fk_mission_tests_mission_scenario_id_mission_scenarios"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retest_of_id"],
            ["mission_tests.id"],
            name=op.f("fk_mission_tests_retest_of_id_mission_tests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["test_template_id"],
            ["test_templates.id"],
            name=op.f("fk_mission_tests_test_template_id_test_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mission_tests_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_tests")),
    )
    op.create_index(
        "ix_mission_tests_active",
        "mission_tests",
        ["mission_id", "position"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index("ix_mission_tests_category_id", "mission_tests", ["category_id"], unique=False)
    op.create_index(
        "ix_mission_tests_detection_level_id", "mission_tests", ["detection_level_id"], unique=False
    )
    op.create_index(
        "ix_mission_tests_retest_of_id", "mission_tests", ["retest_of_id"], unique=False
    )
    op.create_table(
        "mission_test_detections",
        *workspace_column("mission_test_detections"),
        sa.Column("mission_test_id", sa.Uuid(), nullable=False),
        sa.Column("tool_id", sa.Uuid(), nullable=False),
        sa.Column("detection_level_id", sa.Uuid(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rule_ref", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mission_test_detections_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["detection_level_id"],
            ["detection_levels.id"],
            name=op.f("fk_mission_test_detections_detection_level_id_detection_levels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["mission_test_id"],
            ["mission_tests.id"],
            name=op.f("fk_mission_test_detections_mission_test_id_mission_tests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["defense_tools.id"],
            name=op.f("fk_mission_test_detections_tool_id_defense_tools"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mission_test_detections_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_test_detections")),
        sa.UniqueConstraint(
            "mission_test_id",
            "tool_id",
            name=op.f("uq_mission_test_detections_mission_test_id_tool_id"),
        ),
    )
    op.create_index(
        "ix_mission_test_detections_detection_level_id",
        "mission_test_detections",
        ["detection_level_id"],
        unique=False,
    )
    op.create_index(
        "ix_mission_test_detections_tool_id", "mission_test_detections", ["tool_id"], unique=False
    )
    op.create_table(
        "mission_test_mitre_tags",
        *workspace_column("mission_test_mitre_tags"),
        sa.Column("mission_test_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('tactic', 'technique', 'subtechnique')",
            name=op.f("ck_mission_test_mitre_tags_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["mission_test_id"],
            ["mission_tests.id"],
            name=op.f("fk_mission_test_mitre_tags_mission_test_id_mission_tests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_test_mitre_tags")),
        sa.UniqueConstraint(
            "mission_test_id",
            "kind",
            "external_id",
            name=op.f("uq_mission_test_mitre_tags_mission_test_id_kind_external_id"),
        ),
    )
    op.create_index(
        "ix_mission_test_mitre_tags_external_id",
        "mission_test_mitre_tags",
        ["external_id"],
        unique=False,
    )

    op.create_index("ix_defense_tools_workspace_id", "defense_tools", ["workspace_id"])
    op.create_index("ix_detection_levels_workspace_id", "detection_levels", ["workspace_id"])
    op.create_index("ix_missions_workspace_id", "missions", ["workspace_id"])
    op.create_index("ix_mission_categories_workspace_id", "mission_categories", ["workspace_id"])
    op.create_index("ix_mission_members_workspace_id", "mission_members", ["workspace_id"])
    op.create_index("ix_mission_scenarios_workspace_id", "mission_scenarios", ["workspace_id"])
    op.create_index("ix_mission_tests_workspace_id", "mission_tests", ["workspace_id"])
    op.create_index(
        "ix_mission_test_detections_workspace_id", "mission_test_detections", ["workspace_id"]
    )
    op.create_index(
        "ix_mission_test_mitre_tags_workspace_id", "mission_test_mitre_tags", ["workspace_id"]
    )
    # The default levels in every workspace that exists (new ones get theirs when created).
    for position, (name, score, color) in enumerate(DEFAULT_LEVELS):
        op.execute(
            sa.text(
                "INSERT INTO detection_levels (workspace_id, name, score, color, position) "
                "SELECT id, :name, :score, :color, :position FROM workspaces"
            ).bindparams(name=name, score=score, color=color, position=position)
        )


def downgrade():
    op.drop_index("ix_mission_test_mitre_tags_external_id", table_name="mission_test_mitre_tags")
    op.drop_table("mission_test_mitre_tags")
    op.drop_index("ix_mission_test_detections_tool_id", table_name="mission_test_detections")
    op.drop_index(
        "ix_mission_test_detections_detection_level_id", table_name="mission_test_detections"
    )
    op.drop_table("mission_test_detections")
    op.drop_index("ix_mission_tests_retest_of_id", table_name="mission_tests")
    op.drop_index("ix_mission_tests_detection_level_id", table_name="mission_tests")
    op.drop_index("ix_mission_tests_category_id", table_name="mission_tests")
    op.drop_index(
        "ix_mission_tests_active",
        table_name="mission_tests",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("mission_tests")
    op.drop_index("ix_mission_scenarios_mission_id", table_name="mission_scenarios")
    op.drop_table("mission_scenarios")
    op.drop_index("ix_mission_members_user_id", table_name="mission_members")
    op.drop_table("mission_members")
    op.drop_index(
        "uq_mission_categories_mission_id_name",
        table_name="mission_categories",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("mission_categories")
    op.drop_index(
        "ix_missions_active", table_name="missions", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_table("missions")
    op.drop_index(
        "uq_detection_levels_workspace_id_name",
        table_name="detection_levels",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("detection_levels")
    op.drop_index(
        "uq_defense_tools_workspace_id_name",
        table_name="defense_tools",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("defense_tools")
