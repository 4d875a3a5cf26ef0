"""`flask` commands for administrative tasks."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from violet import backup
from violet.auth.service.directory import create_admin
from violet.core.errors import ApiError
from violet.extensions import db
from violet.seed import seed_all

users_cli = AppGroup("users", help="Manage user accounts.")
backup_cli = AppGroup("backup", help="Back up the instance's data and restore it elsewhere.")


def print_first_admin_password(password: str | None) -> None:
    if password:
        click.echo(
            f"\n  First administrator: {current_app.config['ADMIN_EMAIL']}\n"
            f"  Password (shown once, change it after signing in): {password}\n"
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


@backup_cli.command("create")
@click.argument("archive", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_create_command(archive: Path) -> None:
    """Write every table to ARCHIVE (a .tar.gz), a consistent snapshot of the running instance."""
    try:
        tables = backup.create(archive)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(table.rows for table in tables)
    click.echo(f"Backed up {len(tables)} tables ({rows} rows) to {archive}.")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore_command(archive: Path) -> None:
    """Load ARCHIVE into the database of DATABASE_URL, which must be empty, then upgrade it."""
    try:
        tables = backup.restore(archive)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(table.rows for table in tables)
    click.echo(f"Restored {len(tables)} tables ({rows} rows) from {archive}.")


def register(app: Flask) -> None:
    from violet.mitre.cli import mitre_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(mitre_cli)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, first admin); safe to run again."""
        generated = seed_all()
        db.session.commit()
        click.echo("Seeded.")
        print_first_admin_password(generated)
