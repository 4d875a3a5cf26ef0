"""`flask mitre …`: sync the ATT&CK catalogue from the command line (also used at first start)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from violet.core.errors import ApiError
from violet.extensions import db
from violet.mitre import service
from violet.mitre.sync import service as sync_service
from violet.mitre.sync.source import FetchFailed

mitre_cli = AppGroup("mitre", help="The MITRE ATT&CK catalogue.")

OFFLINE_HINT = (
    "Violet carries on with the catalogue it has. To sync without internet access, download "
    "the bundle elsewhere and run `make flask ARGS='mitre sync --file PATH --sha256 HASH'`, "
    "or upload it in the admin page (POST /api/v1/mitre/sync with the file)."
)


@mitre_cli.command("sync")
@click.option("--url", help="https URL of a STIX bundle (default: MITRE_DEFAULT_URL).")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    help="A local bundle (.json or .json.gz).",
)
@click.option("--sha256", help="Expected SHA-256 of the file, or of its JSON when gzipped.")
@click.option("--allow-unverified", is_flag=True, help="Accept a bundle with no hash to check.")
@click.option(
    "--release",
    "version",
    help="The ATT&CK release (e.g. 18.1) of a bundle without a collection object.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalogue has data.")
def sync_command(
    url: str | None,
    path: str | None,
    sha256: str | None,
    allow_unverified: bool,
    version: str | None,
    if_empty: bool,
) -> None:
    """Sync the catalogue (default: the pinned release from MITRE_DEFAULT_URL)."""
    if url and path:
        raise click.UsageError("Give --url or --file, not both.")
    if if_empty and not service.catalogue_is_empty():
        click.echo("The ATT&CK catalogue already has data; nothing to do.")
        return
    settings = sync_service.SyncSettings.from_config(current_app.config)
    where = path or url or settings.default_url
    click.echo(f"Syncing the ATT&CK catalogue from {where} …")
    try:
        source = None
        if path:
            source = sync_service.file_source(path, settings.policy.max_bytes)
        elif url:
            source = sync_service.SyncSource(url=url)
        result = sync_service.sync_catalogue(
            source,
            expected_sha256=sha256,
            allow_unverified=allow_unverified,
            started_by=None,
            settings=settings,
            version=version,
        )
    except FetchFailed as exc:
        raise click.ClickException(f"{exc.detail}\n{OFFLINE_HINT}") from exc
    except sync_service.NothingToVerify as exc:  # the API's words name its fields, not options
        raise click.ClickException(
            "Nothing to verify the bundle against: give --sha256 HASH, or --allow-unverified "
            "to accept it unverified."
        ) from exc
    except ApiError as exc:
        raise click.ClickException(exc.detail) from exc
    db.session.commit()
    counts, changes = result.counts, result.changes
    click.echo(
        f"Synced {result.domain} {result.version or '(release unknown)'} in {result.duration_ms} ms"
        f" ({'verified' if result.verified else 'UNVERIFIED'}, sha256 {result.sha256}).\n"
        f"  live: {counts['tactics']} tactics, {counts['techniques']} techniques, "
        f"{counts['subtechniques']} sub-techniques\n"
        f"  changes: {changes['added']} added, {changes['updated']} updated, "
        f"{changes['unchanged']} unchanged, {changes['deprecated']} deprecated "
        f"({result.rows_written} rows written)"
    )
