"""An API token's access to its owner's missions (`api_tokens.mission_access`: none, read, write).

Tokens made before it keep what they could do then: `write` (their owner's role in each mission).
The column then has no default, so every new token states its own (docs/security.md, "API tokens
and missions").

Revision ID: 8e4417d351d5
Revises: 50cc7d82ee0e
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "8e4417d351d5"
down_revision = "50cc7d82ee0e"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "api_tokens",
        sa.Column("mission_access", sa.String(length=8), server_default="write", nullable=False),
    )
    op.alter_column("api_tokens", "mission_access", server_default=None)
    op.create_check_constraint(
        op.f("ck_api_tokens_mission_access"),
        "api_tokens",
        "mission_access IN ('none', 'read', 'write')",
    )


def downgrade():
    op.drop_constraint(op.f("ck_api_tokens_mission_access"), "api_tokens", type_="check")
    op.drop_column("api_tokens", "mission_access")
