"""Foundation: the baseline every later migration builds on.

Revision ID: 8905d8fc46e4
Revises:
Create Date: 2026-11-23

Creates nothing but the revision history, so `diag/db` reports a real revision from the first
start. Domain tables arrive in their own migrations.
"""

revision = "8905d8fc46e4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
