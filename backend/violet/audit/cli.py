"""`flask audit purge`: keep the trail to a retention period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from violet.audit import service
from violet.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    required=True,
    help="Delete the events older than this many days.",
)
def purge(days: int) -> None:
    """Delete the audit events older than --days days (e.g. daily from cron)."""
    removed = service.purge(days)
    db.session.commit()
    click.echo(f"Purged {removed} audit event{'s' if removed != 1 else ''} older than {days} days.")
