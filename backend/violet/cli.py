"""`flask` commands that belong to no domain (each domain declares its own in its Domain)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from violet import backup
from violet.config import ConfigError
from violet.core.domain import seed_all
from violet.extensions import db

backup_cli = AppGroup("backup", help="Back up the instance's data and restore it elsewhere.")


def notice_box(notice: str, *extra_lines: str) -> str:
    """A notice for the operator, framed so it stands out of the start-up log."""
    lines = [*notice.splitlines(), *extra_lines]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def print_notices(notices: list[str]) -> None:
    """What the seed steps want the operator to see once (a generated password)."""
    for notice in notices:
        click.echo("\n" + notice_box(notice) + "\n")


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
    app.cli.add_command(backup_cli)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, first admin); safe to run again."""
        try:
            notices = seed_all()
        except ConfigError as exc:  # ADMIN_EMAIL: a clear "Error: …", not a traceback
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo("Seeded.")
        print_notices(notices)
