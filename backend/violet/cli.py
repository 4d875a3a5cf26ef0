"""`flask` commands that belong to no domain (each domain declares its own in its Domain)."""

from __future__ import annotations

import click
from flask import Flask

from violet.core.domain import seed_all
from violet.extensions import db


def print_notices(notices: list[str]) -> None:
    """What the seed steps want the operator to see once (a generated password)."""
    for notice in notices:
        click.echo(f"\n  {notice}\n")


def register(app: Flask) -> None:
    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, first admin); safe to run again."""
        notices = seed_all()
        db.session.commit()
        click.echo("Seeded.")
        print_notices(notices)
