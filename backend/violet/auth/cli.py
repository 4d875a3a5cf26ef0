"""`flask users …`: manage user accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from violet.auth.service.directory import create_admin, rotate_mfa_secrets
from violet.core.errors import ApiError
from violet.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="Email of the new administrator.")
@click.option(
    "--password", default=None, help="Password (12–128 characters); generated if omitted."
)
def create_admin_command(email: str, password: str | None) -> None:
    """Create a user in the Administrators group."""
    try:
        user, generated = create_admin(email, password)
    except ApiError as exc:
        raise click.ClickException(exc.detail) from exc
    db.session.commit()
    click.echo(f"Created administrator {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {generated}")


@users_cli.command("rotate-mfa-key")
def rotate_mfa_key_command() -> None:
    """Re-encrypt every TOTP secret under MFA_ENCRYPTION_KEY (after a key rotation)."""
    count = rotate_mfa_secrets()
    db.session.commit()
    click.echo(f"Re-encrypted {count} TOTP secret(s) under the current MFA_ENCRYPTION_KEY.")
