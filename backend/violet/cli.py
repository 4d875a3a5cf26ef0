"""`flask` commands for administrative tasks (domains add their own groups)."""

from __future__ import annotations

import click
from flask import Flask

from violet.extensions import db
from violet.seed import seed_all


def register(app: Flask) -> None:
    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, ...); safe to run again."""
        seed_all()
        db.session.commit()
        click.echo("Seeded.")
