"""Security hardening: failure counters shared by every worker, refresh families' start time.

Revision ID: a41f0c9e7d21
Revises: b4e7a19c2f50
Create Date: 2026-11-30

`failure_counters` holds the brute-force counters (violet/core/limits.py) in PostgreSQL, so
every gunicorn worker and every instance counts the same failures. `refresh_tokens` learns when
its family's sign-in happened, so a refresh can refuse a family older than `tokens_valid_after`.
"""

import sqlalchemy as sa
from alembic import op

revision = "a41f0c9e7d21"
down_revision = "b4e7a19c2f50"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "failure_counters",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_failure_counters")),
    )
    op.create_index(
        "ix_failure_counters_window_started_at", "failure_counters", ["window_started_at"]
    )
    op.add_column(
        "refresh_tokens",
        sa.Column(
            "family_started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    # Existing families started with their oldest token.
    op.execute(
        """
        UPDATE refresh_tokens AS token
        SET family_started_at = family.started
        FROM (
            SELECT family_id, min(created_at) AS started FROM refresh_tokens GROUP BY family_id
        ) AS family
        WHERE token.family_id = family.family_id
        """
    )


def downgrade():
    op.drop_column("refresh_tokens", "family_started_at")
    op.drop_index("ix_failure_counters_window_started_at", table_name="failure_counters")
    op.drop_table("failure_counters")
