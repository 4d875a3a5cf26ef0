"""Notes on missions and mission tests; evidence files on mission tests.

Revision ID: ee08dcaceab8
Revises: c4e8a1f20b67
Create Date: 2026-11-30

Both tenant-owned (workspace_id NOT NULL, RESTRICT, indexed) and removed with their mission or
test (ON DELETE CASCADE). A note's mission_test_id is NULL for a note on the mission itself.
Evidence rows keep the blob's storage key, sanitised name, size, SHA-256 and sniffed type; they
are soft-deleted, and `purged_at` records when the purge removed the blob.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ee08dcaceab8"
down_revision = "c4e8a1f20b67"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_files",
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("mission_test_id", sa.Uuid(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("uploader_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("category IN ('red', 'blue')", name=op.f("ck_evidence_files_category")),
        sa.CheckConstraint("size >= 1", name=op.f("ck_evidence_files_size")),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_evidence_files_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_evidence_files_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_test_id"],
            ["mission_tests.id"],
            name=op.f("fk_evidence_files_mission_test_id_mission_tests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["users.id"],
            name=op.f("fk_evidence_files_uploader_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_evidence_files_workspace_id_workspaces"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_evidence_files_storage_key")),
    )
    op.create_index(
        "ix_evidence_files_active",
        "evidence_files",
        ["mission_test_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_evidence_files_deleted_at",
        "evidence_files",
        ["deleted_at"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NOT NULL AND purged_at IS NULL"),
    )
    op.create_index(
        op.f("ix_evidence_files_workspace_id"), "evidence_files", ["workspace_id"], unique=False
    )
    op.create_table(
        "notes",
        sa.Column("mission_id", sa.Uuid(), nullable=False),
        sa.Column("mission_test_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "char_length(content) BETWEEN 1 AND 10000", name=op.f("ck_notes_content")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_notes_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_test_id"],
            ["mission_tests.id"],
            name=op.f("fk_notes_mission_test_id_mission_tests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_notes_workspace_id_workspaces"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(
        "ix_notes_mission_id_created_at", "notes", ["mission_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_notes_mission_test_id_created_at",
        "notes",
        ["mission_test_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_notes_workspace_id"), "notes", ["workspace_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_notes_workspace_id"), table_name="notes")
    op.drop_index("ix_notes_mission_test_id_created_at", table_name="notes")
    op.drop_index("ix_notes_mission_id_created_at", table_name="notes")
    op.drop_table("notes")
    op.drop_index(op.f("ix_evidence_files_workspace_id"), table_name="evidence_files")
    op.drop_index(
        "ix_evidence_files_deleted_at",
        table_name="evidence_files",
        postgresql_where=sa.text("deleted_at IS NOT NULL AND purged_at IS NULL"),
    )
    op.drop_index(
        "ix_evidence_files_active",
        table_name="evidence_files",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("evidence_files")
