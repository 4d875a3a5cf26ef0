"""`flask backup create` / `flask backup restore`: an instance's data in one portable archive.

The archive is a gzip-compressed tar holding `manifest.json` (format, Alembic revision, tables,
row counts) and one file per table in PostgreSQL's COPY text format. It needs no PostgreSQL
client tools (the production image has none) and restores into any PostgreSQL version Violet
supports, because it is restored through the migrations:

1. the empty target is migrated to the revision the backup was taken at;
2. in one transaction, the rows the migrations seeded are removed and every table is loaded in
   foreign-key order, then sequences are moved past the highest restored value;
3. the target is migrated to this release's head, like any upgrade.

Every table is read in one REPEATABLE READ transaction, so the archive is a consistent snapshot
of a running instance. The archive holds the database only: the evidence files
(`$VIOLET_DATA_DIR/evidence` or the S3 bucket) and the secrets (the environment) are backed up
separately (docs/operations.md, "Backups").
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import IO, Any

from alembic.util import CommandError
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import Connection

from violet.extensions import db

FORMAT = "violet-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The archive or the target database cannot be used; the message says why."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    columns: list[str]
    rows: int


def create(path: Path) -> list[TableCopy]:
    """Write the current database to the archive `path`; returns what it holds.

    A path that cannot be written fails before the copy starts. The archive is written beside
    `path` and renamed when complete, so a failure (a full disk) leaves no partial archive and
    an earlier archive of that name intact.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        output = partial.open("wb")
    except OSError as exc:
        raise BackupError(f"Cannot write the archive {path}: {exc.strerror}.") from exc
    try:
        with output:
            copies = _write_archive(output)
        partial.replace(path)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(f"Cannot write the archive {path}: {exc.strerror}.") from exc
        raise
    return copies


def _write_archive(output: IO[bytes]) -> list[TableCopy]:
    with db.engine.connect() as connection, tempfile.TemporaryDirectory() as workdir:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            revision = current_revision(connection)
            copies = []
            for table in business_tables(connection):
                columns = writable_columns(connection, table)
                target = Path(workdir) / f"{table}.copy"
                rows = copy_out(connection, table, columns, target)
                copies.append(TableCopy(table, columns, rows))
        manifest = {
            "format": FORMAT,
            "alembic_revision": revision,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": [copy.__dict__ for copy in copies],
        }
        with tarfile.open(fileobj=output, mode="w:gz") as archive:
            add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            for copy in copies:
                archive.add(Path(workdir) / f"{copy.name}.copy", arcname=table_member(copy.name))
    return copies


def restore(path: Path) -> list[TableCopy]:
    """Load the archive `path` into the current, empty database; returns what it restored."""
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        copies = [TableCopy(**table) for table in manifest["tables"]]
        with db.engine.connect() as connection:
            refuse_a_used_database(connection)
        try:
            upgrade(revision=manifest["alembic_revision"])
        except CommandError as exc:  # a backup taken by a newer release than this one
            raise BackupError(f"This release cannot restore the archive: {exc}") from exc
        with db.engine.begin() as connection:
            present = set(business_tables(connection))
            expected = {copy.name for copy in copies}
            if present != expected:
                raise BackupError(
                    f"The migrations at {manifest['alembic_revision']} create other tables than "
                    f"the archive holds: {sorted(present ^ expected)}."
                )
            truncate = sql.SQL("TRUNCATE {}").format(
                sql.SQL(", ").join(sql.Identifier(name) for name in sorted(expected))
            )
            raw_cursor(connection).execute(truncate)
            by_name = {copy.name: copy for copy in copies}
            for name in in_dependency_order(connection, expected):
                copy_in(connection, by_name[name], member(archive, table_member(name)))
            advance_sequences(connection)
    upgrade()
    return copies


# --- reading the database -----------------------------------------------------------------------


def current_revision(connection: Connection) -> str:
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision is None:
        raise BackupError("The database has no schema yet (run `flask db upgrade`).")
    return revision


def business_tables(connection: Connection) -> list[str]:
    """Every table of the public schema but Alembic's own."""
    return list(
        connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        ).scalars()
    )


def writable_columns(connection: Connection, table: str) -> list[str]:
    """The columns a restore writes (generated columns are computed again)."""
    return list(
        connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = :table "
                "AND is_generated = 'NEVER' ORDER BY ordinal_position"
            ),
            {"table": table},
        ).scalars()
    )


def in_dependency_order(connection: Connection, tables: set[str]) -> list[str]:
    """Tables ordered so that every foreign key points at a table loaded before it."""
    edges = connection.execute(
        text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    ).all()
    graph: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in edges:
        if child != parent:  # a self-reference is checked at the end of its table's COPY
            graph[child].add(parent)
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise BackupError(f"Foreign keys form a cycle: {exc.args[1]}") from exc


def refuse_a_used_database(connection: Connection) -> None:
    """Restore only into a database nobody has used: new, or with only migrations run."""
    has_users = connection.execute(text("SELECT to_regclass('public.users') IS NOT NULL")).scalar()
    if has_users and connection.execute(text("SELECT EXISTS (SELECT 1 FROM users)")).scalar():
        raise BackupError(
            "The target database already holds users. Restore into an empty database "
            "(e.g. `createdb violet_restored`) and point DATABASE_URL at it."
        )


def advance_sequences(connection: Connection) -> None:
    """Move every column sequence past the highest restored value (none today, UUID keys)."""
    owned = connection.execute(
        text(
            "SELECT t.relname, a.attname, s.relname FROM pg_depend d "
            "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "WHERE t.relnamespace = 'public'::regnamespace"
        )
    ).all()
    for table, column, sequence in owned:
        raw_cursor(connection).execute(
            sql.SQL(
                "SELECT setval({seq}, coalesce(max({col}), 1), max({col}) IS NOT NULL) FROM {tab}"
            ).format(
                seq=sql.Literal(sequence), col=sql.Identifier(column), tab=sql.Identifier(table)
            )
        )


# --- COPY ---------------------------------------------------------------------------------------


def raw_cursor(connection: Connection) -> Any:
    """A psycopg cursor on the SQLAlchemy connection's own transaction."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


def copy_statement(direction: str, table: str, columns: list[str]) -> sql.Composed:
    return sql.SQL("COPY {table} ({columns}) {direction}").format(
        table=sql.Identifier(table),
        columns=sql.SQL(", ").join(sql.Identifier(column) for column in columns),
        direction=sql.SQL(direction),
    )


def copy_out(connection: Connection, table: str, columns: list[str], target: Path) -> int:
    with raw_cursor(connection) as cursor, target.open("wb") as out:
        with cursor.copy(copy_statement("TO STDOUT", table, columns)) as copy:
            for data in copy:
                out.write(data)
        return cursor.rowcount


def copy_in(connection: Connection, table: TableCopy, rows: IO[bytes]) -> None:
    with (
        raw_cursor(connection) as cursor,
        cursor.copy(copy_statement("FROM STDIN", table.name, table.columns)) as copy,
    ):
        while data := rows.read(CHUNK):
            copy.write(data)


# --- the archive --------------------------------------------------------------------------------


def table_member(table: str) -> str:
    return f"tables/{table}.copy"


def add_bytes(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(payload))


def open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except OSError as exc:
        raise BackupError(f"Cannot read the archive {path}: {exc.strerror}.") from exc
    except tarfile.TarError as exc:
        raise BackupError(f"Not a Violet backup (not a .tar.gz archive): {exc}") from exc


def member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        content = archive.extractfile(name)
    except KeyError:
        content = None
    if content is None:
        raise BackupError(f"Not a complete Violet backup: {name} is missing.")
    return content


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    manifest = json.loads(member(archive, MANIFEST).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest
