"""MITRE ATT&CK threat groups (intrusion-set) and the techniques and sub-techniques they use.

Revision ID: c4e8a1f20b67
Revises: d81f4c6a2b7e
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c4e8a1f20b67"
down_revision = "d81f4c6a2b7e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mitre_groups",
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
        sa.Column(
            "aliases",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "domains",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "domain IN ('enterprise-attack', 'mobile-attack', 'ics-attack')",
            name=op.f("ck_mitre_groups_domain"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitre_groups")),
        sa.UniqueConstraint("external_id", name=op.f("uq_mitre_groups_external_id")),
        sa.UniqueConstraint("stix_id", name=op.f("uq_mitre_groups_stix_id")),
    )
    op.create_index("ix_mitre_groups_domains", "mitre_groups", ["domains"], postgresql_using="gin")
    for table, column, target in (
        ("mitre_group_techniques", "technique_id", "mitre_techniques"),
        ("mitre_group_subtechniques", "subtechnique_id", "mitre_subtechniques"),
    ):
        op.create_table(
            table,
            sa.Column("group_id", sa.Uuid(), nullable=False),
            sa.Column(column, sa.Uuid(), nullable=False),
            sa.ForeignKeyConstraint(
                ["group_id"],
                ["mitre_groups.id"],
                name=op.f(f"fk_{table}_group_id_mitre_groups"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                [column],
                [f"{target}.id"],
                name=op.f(f"fk_{table}_{column}_{target}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("group_id", column, name=op.f(f"pk_{table}")),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    op.drop_table("mitre_group_subtechniques")
    op.drop_table("mitre_group_techniques")
    op.drop_table("mitre_groups")
