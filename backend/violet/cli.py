"""`flask` commands for administrative tasks."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from violet.auth.service.directory import create_admin, rotate_mfa_secrets
from violet.core.errors import ApiError
from violet.extensions import db
from violet.seed import FirstAdmin, seed_all

users_cli = AppGroup("users", help="Manage user accounts.")


def print_first_admin(first_admin: FirstAdmin | None) -> None:
    """Tell the operator, once, how to sign in as the first administrator."""
    if first_admin is None:
        return
    if first_admin.password:
        click.echo(
            f"\n  First administrator: {first_admin.email}\n"
            f"  Password (shown once, change it after signing in): {first_admin.password}\n"
        )
    if first_admin.setup_url:
        click.echo(
            f"\n  First administrator: {first_admin.email}\n"
            "  Choose the password within 24 hours, once, at:\n"
            f"  {first_admin.setup_url}\n"
        )


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


def register(app: Flask) -> None:
    from violet.mitre.cli import mitre_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(mitre_cli)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, first admin); safe to run again."""
        first_admin = seed_all()
        db.session.commit()
        click.echo("Seeded.")
        print_first_admin(first_admin)
