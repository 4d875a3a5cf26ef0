"""`flask evidence …`: housekeeping of evidence files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from violet.extensions import db
from violet.missions.service import evidence
from violet.settings import service as settings

evidence_cli = AppGroup("evidence", help="Evidence files attached to mission tests.")


@evidence_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    help="Purge files deleted more than this many days ago "
    "(default: the evidence_retention_days setting).",
)
def purge_command(days: int | None) -> None:
    """Remove the stored bytes of evidence files deleted more than N days ago (rows stay)."""
    if days is None:
        days = int(settings.get_value("evidence_retention_days"))
    purged = evidence.purge_deleted(days)
    db.session.commit()
    click.echo(f"Purged {purged} evidence file(s) deleted more than {days} day(s) ago.")
