"""TOTP recovery codes: single-use codes that stand in for a TOTP code at sign-in.

Revision ID: d81f4c6a2b7e
Revises: dbb2cccfb64f
Create Date: 2026-11-30

Each row keeps the SHA-256 of one code (auth/service/mfa.py says why that is enough) and when it
was used. Users who turned TOTP on before this revision have no codes until they generate a set.
"""

import sqlalchemy as sa
from alembic import op

revision = "d81f4c6a2b7e"
down_revision = "dbb2cccfb64f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mfa_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        sa.UniqueConstraint(
            "user_id", "code_hash", name=op.f("uq_mfa_recovery_codes_user_id_code_hash")
        ),
    )


def downgrade():
    op.drop_table("mfa_recovery_codes")
