"""Reading the ATT&CK catalogue: lists with filters, details, the matrix and the sync status.

Writing it is the sync's business (`violet.mitre.sync`). Every query here runs a fixed number of
SQL statements whatever the page size: relations are loaded with `selectinload` and the live
sub-technique count is a correlated subquery column.

"Live" = neither deprecated nor revoked (a vanished object is also flagged deprecated). Lists
show live objects unless `include_deprecated` is set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, union_all
from sqlalchemy.orm import selectinload, undefer

from violet.auth.service.directory import email_of, emails_of
from violet.core.errors import NotFound
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.extensions import db
from violet.mitre.models import (
    DOMAINS,
    SYNC_SUCCEEDED,
    MitreSubtechnique,
    MitreSync,
    MitreTactic,
    MitreTechnique,
    MitreTechniqueTactic,
)
from violet.mitre.sync.service import sync_running

AttackModel = type[MitreTactic] | type[MitreTechnique] | type[MitreSubtechnique]


def _live(model: AttackModel) -> ColumnElement[bool]:
    return model.deprecated.is_(False) & model.revoked.is_(False)


def _filtered(
    statement: Select[Any],
    model: AttackModel,
    *,
    domain: str | None,
    q: str | None,
    include_deprecated: bool,
) -> Select[Any]:
    if domain:
        statement = statement.where(model.domain == domain)
    if q:
        statement = statement.where(contains_any(q, model.name, model.external_id))
    if not include_deprecated:
        statement = statement.where(_live(model))
    return statement


def list_tactics(query: Mapping[str, Any]) -> dict[str, Any]:
    """Tactics in matrix order (domain, then column) unless `sort` says otherwise."""
    statement = _filtered(
        select(MitreTactic),
        MitreTactic,
        domain=query.get("domain"),
        q=query.get("q"),
        include_deprecated=query["include_deprecated"],
    )
    return paginate(
        statement,
        query,
        sortable={
            "position": MitreTactic.position,  # NULL (no matrix column) sorts last
            "domain": MitreTactic.domain,
            "external_id": MitreTactic.external_id,
            "name": MitreTactic.name,
        },
        default_sort="domain,position",
        tiebreaker=MitreTactic.external_id,
    )


def list_techniques(query: Mapping[str, Any]) -> dict[str, Any]:
    """Techniques with their tactics and live sub-technique count."""
    statement = _filtered(
        select(MitreTechnique).options(
            selectinload(MitreTechnique.tactics), undefer(MitreTechnique.subtechnique_count)
        ),
        MitreTechnique,
        domain=query.get("domain"),
        q=query.get("q"),
        include_deprecated=query["include_deprecated"],
    )
    if tactic := query.get("tactic"):
        linked = (
            select(MitreTechniqueTactic.technique_id)
            .join(MitreTactic, MitreTactic.id == MitreTechniqueTactic.tactic_id)
            .where((MitreTactic.external_id == tactic) | (MitreTactic.shortname == tactic))
        )
        statement = statement.where(MitreTechnique.id.in_(linked))
    if platform := query.get("platform"):
        statement = statement.where(MitreTechnique.platforms.contains([platform]))
    return paginate(
        statement,
        query,
        sortable={
            "external_id": MitreTechnique.external_id,
            "name": MitreTechnique.name,
            "domain": MitreTechnique.domain,
            "modified": MitreTechnique.modified,
        },
        default_sort="external_id",
        tiebreaker=MitreTechnique.id,
    )


def get_technique(external_id: str, *, include_deprecated: bool = False) -> dict[str, Any]:
    """One technique (live or not) with its tactics and sub-techniques; 404 when unknown."""
    technique = db.session.scalars(
        select(MitreTechnique)
        .where(MitreTechnique.external_id == external_id)
        .options(selectinload(MitreTechnique.tactics), undefer(MitreTechnique.subtechnique_count))
    ).one_or_none()
    if technique is None:
        raise NotFound(_not_found(external_id, "technique"))
    subtechniques = db.session.scalars(
        _filtered(
            select(MitreSubtechnique).where(MitreSubtechnique.technique_id == technique.id),
            MitreSubtechnique,
            domain=None,
            q=None,
            include_deprecated=include_deprecated,
        ).order_by(MitreSubtechnique.external_id)
    ).all()
    return {
        **_technique_fields(technique),
        "tactics": technique.tactics,
        "subtechnique_count": technique.subtechnique_count,
        "detection": technique.detection,
        "subtechniques": [_with_parent(sub, technique) for sub in subtechniques],
    }


def list_subtechniques(query: Mapping[str, Any]) -> dict[str, Any]:
    statement = _filtered(
        select(MitreSubtechnique).options(selectinload(MitreSubtechnique.technique)),
        MitreSubtechnique,
        domain=query.get("domain"),
        q=query.get("q"),
        include_deprecated=query["include_deprecated"],
    )
    if technique := query.get("technique"):
        parent = select(MitreTechnique.id).where(MitreTechnique.external_id == technique)
        statement = statement.where(MitreSubtechnique.technique_id.in_(parent))
    if platform := query.get("platform"):
        statement = statement.where(MitreSubtechnique.platforms.contains([platform]))
    return paginate(
        statement,
        query,
        sortable={
            "external_id": MitreSubtechnique.external_id,
            "name": MitreSubtechnique.name,
            "domain": MitreSubtechnique.domain,
            "modified": MitreSubtechnique.modified,
        },
        default_sort="external_id",
        tiebreaker=MitreSubtechnique.id,
    )


def get_subtechnique(external_id: str) -> MitreSubtechnique:
    subtechnique = db.session.scalars(
        select(MitreSubtechnique)
        .where(MitreSubtechnique.external_id == external_id)
        .options(selectinload(MitreSubtechnique.technique))
    ).one_or_none()
    if subtechnique is None:
        raise NotFound(_not_found(external_id, "sub-technique"))
    return subtechnique


def _not_found(external_id: str, kind: str) -> str:
    return f"No ATT&CK {kind} {external_id} in the catalogue."


def _technique_fields(technique: MitreTechnique | MitreSubtechnique) -> dict[str, Any]:
    return {
        name: getattr(technique, name)
        for name in (
            "id",
            "external_id",
            "stix_id",
            "name",
            "description",
            "url",
            "domain",
            "platforms",
            "deprecated",
            "revoked",
        )
    }


def _with_parent(subtechnique: MitreSubtechnique, technique: MitreTechnique) -> dict[str, Any]:
    return {
        **_technique_fields(subtechnique),
        "technique": {"external_id": technique.external_id, "name": technique.name},
    }


def matrix(domain: str) -> dict[str, Any]:
    """Live tactics (matrix order) → live techniques (by name) → live sub-techniques (by id).

    Four statements whatever the size: version, tactics, technique links, sub-techniques.
    """
    version = db.session.scalar(
        select(MitreSync.version)
        .where(MitreSync.status == SYNC_SUCCEEDED, MitreSync.domain == domain)
        .order_by(MitreSync.started_at.desc())
        .limit(1)
    )
    tactics = db.session.scalars(
        select(MitreTactic)
        .where(MitreTactic.domain == domain, _live(MitreTactic))
        .order_by(MitreTactic.position.asc().nulls_last(), MitreTactic.name)
    ).all()
    placed = db.session.execute(
        select(MitreTechniqueTactic.tactic_id, MitreTechnique)
        .join(MitreTechnique, MitreTechnique.id == MitreTechniqueTactic.technique_id)
        .where(MitreTechnique.domain == domain, _live(MitreTechnique))
        .order_by(MitreTechnique.name, MitreTechnique.external_id)
    ).all()
    subtechniques = db.session.scalars(
        select(MitreSubtechnique)
        .where(MitreSubtechnique.domain == domain, _live(MitreSubtechnique))
        .order_by(MitreSubtechnique.external_id)
    ).all()

    subs_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for sub in subtechniques:
        subs_of[sub.technique_id].append(_matrix_cell(sub))
    techniques_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for tactic_id, technique in placed:
        techniques_of[tactic_id].append(
            {**_matrix_cell(technique), "subtechniques": subs_of[technique.id]}
        )
    return {
        "domain": domain,
        "version": version,
        "tactics": [
            {
                "external_id": tactic.external_id,
                "name": tactic.name,
                "shortname": tactic.shortname,
                "url": tactic.url,
                "techniques": techniques_of[tactic.id],
            }
            for tactic in tactics
        ],
    }


def _matrix_cell(row: MitreTechnique | MitreSubtechnique) -> dict[str, Any]:
    return {
        "external_id": row.external_id,
        "name": row.name,
        "url": row.url,
        "platforms": row.platforms,
    }


def status(config: Mapping[str, Any]) -> dict[str, Any]:
    """What the catalogue holds, per domain and in all, the last sync, the pin, a running sync.

    A fixed number of statements whatever the history: the last attempt and success, the last
    attempt and success per domain (DISTINCT ON), the emails of who started them, and the live
    counts per domain.
    """
    last = db.session.scalars(_syncs_newest_first().limit(1)).first()
    succeeded = db.session.scalars(
        select(MitreSync)
        .where(MitreSync.status == SYNC_SUCCEEDED)
        .order_by(MitreSync.started_at.desc())
        .limit(1)
    ).first()
    per_domain = domain_statuses()
    return {
        "last_sync": _sync_out(last, email_of(last.started_by)) if last else None,
        "version": succeeded.version if succeeded else None,
        "source_url": succeeded.source if succeeded else None,
        "sha256": succeeded.sha256 if succeeded else None,
        "domains": per_domain,
        "counts": {
            kind: sum(domain["counts"][kind] for domain in per_domain) for kind in COUNTED_KINDS
        },
        "default_url": config["MITRE_DEFAULT_URL"],
        "default_version": config["MITRE_DEFAULT_VERSION"],
        "default_sha256": config["MITRE_DEFAULT_SHA256"] or None,
        "pinned": bool(config["MITRE_DEFAULT_SHA256"]),
        "sync_running": sync_running(),
    }


COUNTED_KINDS = ("tactics", "techniques", "subtechniques")


def _syncs_newest_first() -> Select[Any]:
    return select(MitreSync).order_by(MitreSync.started_at.desc())


def domain_statuses() -> list[dict[str, Any]]:
    """Each domain that has live objects or a sync record: its version, counts and last sync.

    `version` is that of the domain's last successful sync; `last_sync` is its last attempt,
    failed or not. A failure before the bundle was parsed (offline, bad hash) names no domain:
    it shows only in the status's own `last_sync`.
    """
    counts = live_counts_by_domain()
    latest_syncs = db.session.scalars(
        _syncs_newest_first()
        .where(MitreSync.domain.is_not(None))
        .order_by(None)
        .order_by(MitreSync.domain, MitreSync.started_at.desc())
        .distinct(MitreSync.domain)
    ).all()
    emails = emails_of({sync.started_by for sync in latest_syncs if sync.started_by})
    latest = {sync.domain: _sync_out(sync, emails.get(sync.started_by)) for sync in latest_syncs}
    versions = {
        domain: version
        for domain, version in db.session.execute(
            select(MitreSync.domain, MitreSync.version)
            .where(MitreSync.domain.is_not(None), MitreSync.status == SYNC_SUCCEEDED)
            .order_by(MitreSync.domain, MitreSync.started_at.desc())
            .distinct(MitreSync.domain)
        )
    }
    empty = dict.fromkeys(COUNTED_KINDS, 0)
    return [
        {
            "domain": domain,
            "version": versions.get(domain),
            "counts": counts.get(domain, empty),
            "last_sync": latest.get(domain),
        }
        for domain in DOMAINS
        if domain in counts or domain in latest
    ]


def live_counts_by_domain() -> dict[str, dict[str, int]]:
    """Live tactics, techniques and subtechniques per domain (one statement)."""
    per_kind = union_all(
        *(
            select(literal(kind).label("kind"), model.domain, func.count().label("count"))
            .where(_live(model))
            .group_by(model.domain)
            for kind, model in (
                ("tactics", MitreTactic),
                ("techniques", MitreTechnique),
                ("subtechniques", MitreSubtechnique),
            )
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for kind, domain, count in db.session.execute(per_kind):
        counts.setdefault(domain, dict.fromkeys(COUNTED_KINDS, 0))[kind] = count
    return counts


def live_counts() -> dict[str, int]:
    """Live rows per table, all domains (one statement)."""
    counts = select(
        *(
            select(func.count())
            .select_from(model)
            .where(_live(model))
            .scalar_subquery()
            .label(label)
            for label, model in (
                ("tactics", MitreTactic),
                ("techniques", MitreTechnique),
                ("subtechniques", MitreSubtechnique),
            )
        )
    )
    return dict(db.session.execute(counts).one()._mapping)


def catalogue_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(MitreTechnique)) == 0


def _sync_out(sync: MitreSync, started_by_email: str | None) -> dict[str, Any]:
    return {
        "id": sync.id,
        "status": sync.status,
        "domain": sync.domain,
        "version": sync.version,
        "source": sync.source,
        "sha256": sync.sha256,
        "verified": sync.verified,
        "started_at": sync.started_at,
        "finished_at": sync.finished_at,
        "counts": sync.counts,
        "changes": sync.changes,
        "error": sync.error,
        "duration_ms": sync.duration_ms,
        "started_by": started_by_email,
    }
