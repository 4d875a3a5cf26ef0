"""Workspaces: the tenant boundary, its members, API tokens bound to one workspace.

Revision ID: b4e7a19c2f50
Revises: 5782cd3cf7af
Create Date: 2026-11-30

Adds the permission codes `workspace.manage` and `workspace.read_all` (given to Administrators),
and the workspace `default` holding every existing user, so an upgraded single-team install
works as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "b4e7a19c2f50"
down_revision = "5782cd3cf7af"
branch_labels = None
depends_on = None

PERMISSIONS = {
    "workspace.manage": "Create, change and delete workspaces and set their members",
    "workspace.read_all": "See every workspace, not only one's own",
}


def upgrade():
    op.create_table(
        "workspaces",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_workspaces_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_workspaces_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_workspaces_deleted_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_index(
        "ix_workspaces_active",
        "workspaces",
        ["name"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "uq_workspaces_slug_live",
        "workspaces",
        ["slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "uq_workspaces_is_default",
        "workspaces",
        ["is_default"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "workspace_members",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("preferred", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_members_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_workspace_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_workspace_members_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "user_id", name=op.f("pk_workspace_members")),
    )
    op.create_index("ix_workspace_members_user_id", "workspace_members", ["user_id"])
    op.create_index(
        "uq_workspace_members_preferred",
        "workspace_members",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("preferred"),
    )
    op.add_column("api_tokens", sa.Column("workspace_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_tokens_workspace_id_workspaces"),
        "api_tokens",
        "workspaces",
        ["workspace_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_api_tokens_workspace_id", "api_tokens", ["workspace_id"])

    permissions = sa.table("permissions", sa.column("code"), sa.column("description"))
    op.bulk_insert(
        permissions, [{"code": code, "description": text} for code, text in PERMISSIONS.items()]
    )
    for code in PERMISSIONS:
        op.execute(
            sa.text(
                "INSERT INTO group_permissions (group_id, permission_code) "
                "SELECT id, :code FROM groups WHERE name = 'Administrators' AND deleted_at IS NULL"
            ).bindparams(code=code)
        )
    # An upgraded install keeps working unchanged: everyone in the workspace `default`.
    op.execute(
        "INSERT INTO workspaces (name, slug, is_default) "
        "SELECT 'Default', 'default', true WHERE EXISTS (SELECT 1 FROM users)"
    )
    op.execute(
        "INSERT INTO workspace_members (workspace_id, user_id) "
        "SELECT workspaces.id, users.id FROM workspaces, users "
        "WHERE workspaces.is_default AND users.deleted_at IS NULL"
    )


def downgrade():
    op.execute("DELETE FROM permissions WHERE code IN ('workspace.manage', 'workspace.read_all')")
    op.drop_index("ix_api_tokens_workspace_id", table_name="api_tokens")
    op.drop_constraint(
        op.f("fk_api_tokens_workspace_id_workspaces"), "api_tokens", type_="foreignkey"
    )
    op.drop_column("api_tokens", "workspace_id")
    op.drop_table("workspace_members")
    op.drop_table("workspaces")
