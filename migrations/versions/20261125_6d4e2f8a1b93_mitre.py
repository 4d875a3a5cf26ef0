"""MITRE ATT&CK catalogue: tactics, techniques, sub-techniques, technique↔tactic, sync records.

Revision ID: 6d4e2f8a1b93
Revises: 3b7c1a2d9e01
Create Date: 2026-11-25

Trigram indexes for the `q` searches (ILIKE '%…%') are created only when the server offers the
pg_trgm extension (PostgreSQL contrib: the postgres:17 image has it; the embedded pgserver build
does not, and there the few hundred rows are scanned in well under a millisecond).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "6d4e2f8a1b93"
down_revision = "3b7c1a2d9e01"
branch_labels = None
depends_on = None

DOMAIN_CHECK = "domain IN ('enterprise-attack', 'mobile-attack', 'ics-attack')"
OBJECT_TABLES = ("mitre_tactics", "mitre_techniques", "mitre_subtechniques")
TRIGRAM_COLUMNS = ("name", "external_id")


def attack_object_columns() -> list[sa.Column]:
    """The columns every ATT&CK object table shares (models.AttackObjectMixin)."""
    return [
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("external_id", sa.String(length=32), nullable=False),
        sa.Column("stix_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("url", sa.String(length=512), nullable=True),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("deprecated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attack_version", sa.String(length=16), nullable=True),
        sa.Column("vanished_at", sa.DateTime(timezone=True), nullable=True),
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
    ]


def attack_object_constraints(table: str) -> list[sa.Constraint]:
    return [
        sa.CheckConstraint(DOMAIN_CHECK, name=op.f(f"ck_{table}_domain")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("external_id", name=op.f(f"uq_{table}_external_id")),
        sa.UniqueConstraint("stix_id", name=op.f(f"uq_{table}_stix_id")),
    ]


def platform_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "platforms",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("detection", sa.Text(), nullable=True),
    ]


def has_pg_trgm() -> bool:
    bind = op.get_bind()
    return bool(
        bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).scalar()
    )


def upgrade():
    op.create_table(
        "mitre_tactics",
        *attack_object_columns(),
        sa.Column("shortname", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        *attack_object_constraints("mitre_tactics"),
    )
    op.create_index("ix_mitre_tactics_domain_position", "mitre_tactics", ["domain", "position"])

    op.create_table(
        "mitre_techniques",
        *attack_object_columns(),
        *platform_columns(),
        *attack_object_constraints("mitre_techniques"),
    )
    op.create_index("ix_mitre_techniques_domain_name", "mitre_techniques", ["domain", "name"])
    op.create_index(
        "ix_mitre_techniques_platforms", "mitre_techniques", ["platforms"], postgresql_using="gin"
    )

    op.create_table(
        "mitre_subtechniques",
        *attack_object_columns(),
        sa.Column("technique_id", sa.Uuid(), nullable=False),
        *platform_columns(),
        *attack_object_constraints("mitre_subtechniques"),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["mitre_techniques.id"],
            name=op.f("fk_mitre_subtechniques_technique_id_mitre_techniques"),
            ondelete="RESTRICT",
        ),
    )
    op.create_index("ix_mitre_subtechniques_technique_id", "mitre_subtechniques", ["technique_id"])
    op.create_index(
        "ix_mitre_subtechniques_platforms",
        "mitre_subtechniques",
        ["platforms"],
        postgresql_using="gin",
    )

    op.create_table(
        "mitre_technique_tactics",
        sa.Column("technique_id", sa.Uuid(), nullable=False),
        sa.Column("tactic_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tactic_id"],
            ["mitre_tactics.id"],
            name=op.f("fk_mitre_technique_tactics_tactic_id_mitre_tactics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["mitre_techniques.id"],
            name=op.f("fk_mitre_technique_tactics_technique_id_mitre_techniques"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "technique_id", "tactic_id", name=op.f("pk_mitre_technique_tactics")
        ),
    )
    op.create_index(
        "ix_mitre_technique_tactics_tactic_id", "mitre_technique_tactics", ["tactic_id"]
    )

    op.create_table(
        "mitre_syncs",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=True),
        sa.Column("version", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=2048), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("counts", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("changes", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("status IN ('succeeded', 'failed')", name=op.f("ck_mitre_syncs_status")),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["users.id"],
            name=op.f("fk_mitre_syncs_started_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitre_syncs")),
    )
    op.create_index("ix_mitre_syncs_started_at", "mitre_syncs", ["started_at"])

    if has_pg_trgm():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in OBJECT_TABLES:
            for column in TRIGRAM_COLUMNS:
                op.execute(
                    f"CREATE INDEX ix_{table}_{column}_trgm ON {table} "
                    f"USING gin ({column} gin_trgm_ops)"
                )


def downgrade():
    # The trigram indexes (if any) go with their tables; pg_trgm stays, others may use it.
    op.drop_table("mitre_syncs")
    op.drop_table("mitre_technique_tactics")
    op.drop_table("mitre_subtechniques")
    op.drop_table("mitre_techniques")
    op.drop_table("mitre_tactics")
