"""Write a parsed bundle into the catalogue tables: compare first, then write only the difference.

Each table is read once into a dict keyed by STIX id, every incoming record is compared with its
row in Python, and only new rows and changed rows reach the database: one batched INSERT and one
batched UPDATE per table (an executemany that psycopg sends as a pipeline, not a round trip per
row). Re-syncing the same bundle therefore writes nothing.

Rows are never deleted. An object of the synced domain that is missing from the bundle is flagged
`deprecated` with `vanished_at` set; if it comes back, the bundle's values (and a NULL
`vanished_at`) are written again. Technique ↔ tactic links follow the bundle for the techniques it
contains (a link MITRE removed is deleted; it is a relation, not a catalogue object).

Tactics, techniques and sub-techniques are objects of one domain each (MITRE gives every domain
its own, with its own ATT&CK ids: T1059, T1417, T0807), so each row has its bundle's `domain`.

Threat groups are shared: one group object sits in every domain bundle it belongs to
(`x_mitre_domains`, e.g. Sandworm Team in all three). A group's `domains` are the domains whose
synced bundle holds it, plus those its `x_mitre_domains` names that have never been synced. A
group missing from a bundle loses that domain only; it is flagged vanished when no synced domain
holds it any more. A bundle rewrites only the group links to its own techniques and
sub-techniques. A group uses a technique only when the relationship and both ends are live.

Change counts (the sync response's `changes`), per object:
`added` new row; `deprecated` was live, now deprecated, revoked or vanished; `updated` any other
change (including its tactic links); `unchanged` the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from violet.mitre.models import (
    SYNC_SUCCEEDED,
    MitreGroup,
    MitreGroupSubtechnique,
    MitreGroupTechnique,
    MitreSubtechnique,
    MitreSync,
    MitreTactic,
    MitreTechnique,
    MitreTechniqueTactic,
)
from violet.mitre.sync.stix import GroupRecord, ParsedBundle, TacticRecord, TechniqueRecord

# Columns compared and written, besides `id`, `stix_id`, `vanished_at` and the timestamps.
OBJECT_COLUMNS = (
    "external_id",
    "name",
    "description",
    "url",
    "domain",
    "deprecated",
    "revoked",
    "modified",
    "attack_version",
)
TACTIC_COLUMNS = (*OBJECT_COLUMNS, "shortname", "position")
TECHNIQUE_COLUMNS = (*OBJECT_COLUMNS, "platforms", "detection", "replaced_by")
SUBTECHNIQUE_COLUMNS = (*TECHNIQUE_COLUMNS, "technique_id")
GROUP_COLUMNS = (*OBJECT_COLUMNS, "aliases", "domains", "replaced_by")


@dataclass
class Changes:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deprecated: int = 0
    # INSERT/UPDATE/DELETE rows on the catalogue tables (benchmarks and the CLI report it).
    rows_written: int = 0
    # The same counts for threat groups (kept apart: `changes` counts matrix objects).
    groups: dict[str, int] | None = None

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deprecated": self.deprecated,
        }


@dataclass(frozen=True)
class _Existing:
    """A catalogue row as read before the sync: its id and its compared column values."""

    id: uuid.UUID
    values: dict[str, Any]
    vanished: bool

    @property
    def was_live(self) -> bool:
        return not (self.values["deprecated"] or self.values["revoked"] or self.vanished)


@dataclass
class _TableResult:
    ids: dict[str, uuid.UUID]  # stix id → row id, for every record of the bundle
    unchanged: set[str]  # stix ids whose row was left as it was


def _table(model: type[Any]) -> Table:
    # Every ATT&CK model maps one Table; SQLAlchemy types `__table__` as the wider FromClause.
    return cast(Table, model.__table__)


def store_bundle(session: Session, bundle: ParsedBundle, now: datetime) -> Changes:
    """Bring the catalogue in line with `bundle` (one domain); returns what changed."""
    changes = Changes()
    domain = bundle.domain

    tactics = _sync_table(
        session,
        _table(MitreTactic),
        TACTIC_COLUMNS,
        [(record, _tactic_values(record, domain)) for record in bundle.tactics],
        domain,
        now,
        changes,
    )
    techniques = _sync_table(
        session,
        _table(MitreTechnique),
        TECHNIQUE_COLUMNS,
        [(record, _technique_values(record, domain)) for record in bundle.techniques],
        domain,
        now,
        changes,
    )
    relinked = _sync_tactic_links(session, bundle, techniques.ids, tactics.ids, changes)
    # A technique whose only change is its tactics still counts as updated.
    moved = relinked & techniques.unchanged
    changes.unchanged -= len(moved)
    changes.updated += len(moved)

    subtechniques = _sync_table(
        session,
        _table(MitreSubtechnique),
        SUBTECHNIQUE_COLUMNS,
        [
            (
                record,
                {
                    **_technique_values(record, domain),
                    "technique_id": techniques.ids[record.parent_stix_id or ""],
                },
            )
            for record in bundle.subtechniques
        ],
        domain,
        now,
        changes,
    )
    _sync_groups(session, bundle, techniques.ids, subtechniques.ids, now, changes)
    return changes


def _sync_groups(
    session: Session,
    bundle: ParsedBundle,
    technique_ids: dict[str, uuid.UUID],
    subtechnique_ids: dict[str, uuid.UUID],
    now: datetime,
    changes: Changes,
) -> None:
    """Groups (counted in `changes.groups`, not in the object counts) and their links."""
    group_changes = Changes()
    existing = _existing_rows(session, _table(MitreGroup), GROUP_COLUMNS)
    synced = _synced_domains(session) | {bundle.domain}

    def values_of(record: GroupRecord) -> dict[str, Any]:
        current = existing.get(record.stix_id)
        held = set() if current is None or current.vanished else set(current.values["domains"])
        domains = _group_domains(record.domains, bundle.domain, held, synced)
        return _group_values(record, domains)

    def still_held(values: dict[str, Any]) -> dict[str, Any] | None:
        domains = [name for name in values["domains"] if name != bundle.domain]
        if not set(domains) & synced:
            return None
        return {**values, "domain": domains[0], "domains": domains}

    groups = _sync_table(
        session,
        _table(MitreGroup),
        GROUP_COLUMNS,
        [(record, values_of(record)) for record in bundle.groups],
        bundle.domain,
        now,
        group_changes,
        existing=existing,
        in_domain=lambda values: bundle.domain in values["domains"],
        still_held=still_held,
    )
    live_groups = {record.stix_id for record in bundle.groups if record.is_live}
    live_techniques = {record.stix_id for record in bundle.techniques if record.is_live}
    live_subtechniques = {record.stix_id for record in bundle.subtechniques if record.is_live}
    uses = [(group, target) for group, target in bundle.group_uses if group in live_groups]
    relinked: set[uuid.UUID] = set()
    for table, column, targets, live in (
        (MitreGroupTechnique, "technique_id", technique_ids, live_techniques),
        (MitreGroupSubtechnique, "subtechnique_id", subtechnique_ids, live_subtechniques),
    ):
        wanted = {(groups.ids[group], targets[target]) for group, target in uses if target in live}
        relinked |= _sync_links(
            session, _table(table), column, wanted, set(targets.values()), group_changes
        )
    moved = {stix_id for stix_id, row_id in groups.ids.items() if row_id in relinked}
    moved &= groups.unchanged
    group_changes.unchanged -= len(moved)
    group_changes.updated += len(moved)
    changes.groups = group_changes.as_dict()
    changes.rows_written += group_changes.rows_written


def _synced_domains(session: Session) -> set[str]:
    """The domains a bundle has been synced from (their bundles say which groups they hold)."""
    statement = select(MitreSync.domain).where(
        MitreSync.status == SYNC_SUCCEEDED, MitreSync.domain.is_not(None)
    )
    return set(session.scalars(statement.distinct()))


def _group_domains(
    listed: Sequence[str], domain: str, held: set[str], synced: set[str]
) -> list[str]:
    """The domains of a group found in a bundle of `domain`: that one; each other synced domain
    whose bundle held it (`held`: the row's domains, none when it had vanished); each domain
    never synced that the group's `x_mitre_domains` (`listed`) names. In the order listed."""

    def belongs(name: str) -> bool:
        if name == domain:
            return True
        return name in held if name in synced else name in listed

    candidates = [*listed, domain, *sorted(held)]
    return [name for name in dict.fromkeys(candidates) if belongs(name)]


def _sync_links(
    session: Session,
    table: Table,
    column: str,
    wanted: set[tuple[uuid.UUID, uuid.UUID]],
    targets_in_bundle: set[uuid.UUID],
    changes: Changes,
) -> set[uuid.UUID]:
    """Make the group links to this bundle's targets equal `wanted` (links to other domains'
    targets stay); returns the ids of the groups whose links changed."""
    present = {
        (group_id, target_id)
        for group_id, target_id in session.execute(select(table.c.group_id, table.c[column]))
        if target_id in targets_in_bundle
    }
    to_add, to_remove = wanted - present, present - wanted
    if to_add:
        session.execute(
            insert(table), [{"group_id": pair[0], column: pair[1]} for pair in sorted(to_add)]
        )
    if to_remove:
        pairs = tuple_(table.c.group_id, table.c[column])
        session.execute(delete(table).where(pairs.in_(sorted(to_remove))))
    changes.rows_written += len(to_add) + len(to_remove)
    return {group_id for group_id, _ in to_add | to_remove}


def _group_values(record: GroupRecord, domains: list[str]) -> dict[str, Any]:
    return {
        "external_id": record.external_id,
        "name": record.name,
        "description": record.description,
        "url": record.url,
        "domain": domains[0],
        "deprecated": record.deprecated,
        "revoked": record.revoked,
        "modified": record.modified,
        "attack_version": record.attack_version,
        "aliases": record.aliases,
        "domains": domains,
        "replaced_by": record.replaced_by,
    }


def _tactic_values(record: TacticRecord, domain: str) -> dict[str, Any]:
    return {
        "external_id": record.external_id,
        "name": record.name,
        "description": record.description,
        "url": record.url,
        "domain": domain,
        "deprecated": record.deprecated,
        "revoked": record.revoked,
        "modified": record.modified,
        "attack_version": record.attack_version,
        "shortname": record.shortname,
        "position": record.position,
    }


def _technique_values(record: TechniqueRecord, domain: str) -> dict[str, Any]:
    return {
        "external_id": record.external_id,
        "name": record.name,
        "description": record.description,
        "url": record.url,
        "domain": domain,
        "deprecated": record.deprecated,
        "revoked": record.revoked,
        "modified": record.modified,
        "attack_version": record.attack_version,
        "platforms": record.platforms,
        "detection": record.detection,
        "replaced_by": record.replaced_by,
    }


def _sync_table(
    session: Session,
    table: Table,
    columns: Sequence[str],
    incoming: Sequence[tuple[TacticRecord | TechniqueRecord | GroupRecord, dict[str, Any]]],
    domain: str,
    now: datetime,
    changes: Changes,
    *,
    existing: dict[str, _Existing] | None = None,
    in_domain: Callable[[dict[str, Any]], bool] | None = None,
    still_held: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
) -> _TableResult:
    """Insert new rows, update changed ones, flag the domain's vanished ones.

    `existing`: the table's rows, when the caller has read them already. `in_domain(values)`
    tells whether an existing row belongs to the synced domain (default: its `domain` column
    is that domain). `still_held(values)`, for a row of the domain missing from the bundle:
    its new values when another domain still holds it (it is then updated, not flagged), else
    None (default: always None)."""
    in_domain = in_domain or (lambda values: values["domain"] == domain)
    if existing is None:
        existing = _existing_rows(session, table, columns)
    result = _TableResult(ids={}, unchanged=set())
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []

    for record, values in incoming:
        current = existing.get(record.stix_id)
        if current is None:
            row_id = uuid.uuid4()
            inserts.append({"id": row_id, "stix_id": record.stix_id, **values})
            result.ids[record.stix_id] = row_id
            changes.added += 1
            continue
        result.ids[record.stix_id] = current.id
        if values == current.values and not current.vanished:
            result.unchanged.add(record.stix_id)
            changes.unchanged += 1
            continue
        updates.append(_update_row(current.id, values, vanished_at=None, now=now))
        if current.was_live and not record.is_live:
            changes.deprecated += 1
        else:
            changes.updated += 1

    for stix_id, current in existing.items():
        if stix_id in result.ids or not in_domain(current.values) or current.vanished:
            continue
        kept = still_held(current.values) if still_held else None
        if kept is not None:
            changes.updated += 1
            updates.append(_update_row(current.id, kept, vanished_at=None, now=now))
            continue
        if current.was_live:
            changes.deprecated += 1
        else:
            changes.updated += 1
        flagged = {**current.values, "deprecated": True}
        updates.append(_update_row(current.id, flagged, vanished_at=now, now=now))

    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("row_id")), updates)
    changes.rows_written += len(inserts) + len(updates)
    return result


def _existing_rows(session: Session, table: Table, columns: Sequence[str]) -> dict[str, _Existing]:
    statement = select(
        table.c.id, table.c.stix_id, table.c.vanished_at, *(table.c[name] for name in columns)
    )
    return {
        stix_id: _Existing(
            id=row_id,
            values=dict(zip(columns, values, strict=True)),
            vanished=vanished_at is not None,
        )
        for row_id, stix_id, vanished_at, *values in session.execute(statement)
    }


def _update_row(
    row_id: uuid.UUID, values: dict[str, Any], *, vanished_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """Parameters of the batched UPDATE: every compared column, so all rows share one shape."""
    return {"row_id": row_id, **values, "vanished_at": vanished_at, "updated_at": now}


def _sync_tactic_links(
    session: Session,
    bundle: ParsedBundle,
    technique_ids: dict[str, uuid.UUID],
    tactic_ids: dict[str, uuid.UUID],
    changes: Changes,
) -> set[str]:
    """Make each bundle technique's tactic links match its kill chain phases.

    Returns the stix ids of techniques whose links changed. Phases naming no tactic of the
    bundle are ignored (they belong to another kill chain).
    """
    tactic_by_shortname: dict[str, uuid.UUID] = {}
    for tactic in sorted(bundle.tactics, key=lambda record: record.is_live):
        tactic_by_shortname[tactic.shortname] = tactic_ids[tactic.stix_id]

    wanted: set[tuple[uuid.UUID, uuid.UUID]] = set()
    stix_id_of: dict[uuid.UUID, str] = {}
    for technique in bundle.techniques:
        technique_id = technique_ids[technique.stix_id]
        stix_id_of[technique_id] = technique.stix_id
        for shortname in technique.tactic_shortnames:
            if shortname in tactic_by_shortname:
                wanted.add((technique_id, tactic_by_shortname[shortname]))

    table = _table(MitreTechniqueTactic)
    all_links = session.execute(select(table.c.technique_id, table.c.tactic_id)).all()
    present = {
        (technique_id, tactic_id)
        for technique_id, tactic_id in all_links
        if technique_id in stix_id_of
    }
    to_add = wanted - present
    to_remove = present - wanted
    if to_add:
        rows = [{"technique_id": pair[0], "tactic_id": pair[1]} for pair in sorted(to_add)]
        session.execute(insert(table), rows)
    if to_remove:
        pairs = tuple_(table.c.technique_id, table.c.tactic_id)
        session.execute(delete(table).where(pairs.in_(sorted(to_remove))))
    changes.rows_written += len(to_add) + len(to_remove)
    return {stix_id_of[technique_id] for technique_id, _ in to_add | to_remove}
