"""Encrypt TOTP secrets at rest with MFA_ENCRYPTION_KEY.

Revision ID: c7e2b5d1f380
Revises: a41f0c9e7d21
Create Date: 2026-11-30

`users.mfa_secret` widens to hold a Fernet token, and every plaintext secret is encrypted with
the running configuration's MFA_ENCRYPTION_KEY (violet/core/encryption.py). Downgrading
decrypts them again, so it needs the same key.
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from violet.core import encryption

revision = "c7e2b5d1f380"
down_revision = "a41f0c9e7d21"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("mfa_secret", sa.String()))


def _rewrite(transform, wanted) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.mfa_secret).where(users.c.mfa_secret.is_not(None))
    ).all()
    for user_id, secret in rows:
        if wanted(secret):
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(mfa_secret=transform(secret, current_app.config))
            )


def upgrade():
    op.alter_column(
        "users", "mfa_secret", type_=sa.String(length=255), existing_type=sa.String(length=64)
    )
    _rewrite(encryption.encrypt, lambda secret: not encryption.is_encrypted(secret))


def downgrade():
    _rewrite(encryption.decrypt, encryption.is_encrypted)
    op.alter_column(
        "users", "mfa_secret", type_=sa.String(length=64), existing_type=sa.String(length=255)
    )
