"""Reading the ATT&CK catalogue: lists with filters, details, the matrix and the sync status.

Writing it is the sync's business (`violet.mitre.sync`). Every query here runs a fixed number of
SQL statements whatever the page size: relations are loaded with `selectinload` and the live
sub-technique count is a correlated subquery column.

"Live" = neither deprecated nor revoked (a vanished object is also flagged deprecated). Lists
show live objects unless `include_deprecated` is set.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    any_,
    bindparam,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.orm import selectinload, undefer
from sqlalchemy.types import Text

from violet.auth.service.directory import email_of, emails_of
from violet.core.errors import NotFound
from violet.core.models import prepared
from violet.core.pagination import attach_related, given, paginate
from violet.core.search import contains, contains_any, contains_any_parameter, like_pattern
from violet.extensions import db
from violet.mitre.models import (
    DOMAINS,
    SYNC_SUCCEEDED,
    TECHNIQUE_LIST_FIELDS,
    MitreGroup,
    MitreGroupSubtechnique,
    MitreGroupTechnique,
    MitreSubtechnique,
    MitreSync,
    MitreTactic,
    MitreTechnique,
    MitreTechniqueTactic,
)
from violet.mitre.sync.service import sync_running

AttackModel = type[MitreTactic] | type[MitreTechnique] | type[MitreSubtechnique] | type[MitreGroup]


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


# Not columns of mitre_techniques: the tactics come in their own statement.
COMPUTED_TECHNIQUE_FIELDS = {"tactics", "subtechnique_count"}


@lru_cache(maxsize=256)
def _technique_list_statement(
    shown: frozenset[str], filters: frozenset[str], *, include_deprecated: bool
) -> Select[Any]:
    """The technique list's statement for one shape (the fields shown, the filters used), built
    once: the filters' values are the parameters `domain`, `q` (a `like_pattern`), `tactic`
    and `platform` (a one-item list)."""
    columns = [MitreTechnique.id, MitreTechnique.external_id]
    columns += [
        getattr(MitreTechnique, name)
        for name in TECHNIQUE_LIST_FIELDS
        if name in shown and name not in COMPUTED_TECHNIQUE_FIELDS
    ]
    if "subtechnique_count" in shown:
        columns.append(MitreTechnique.subtechnique_count)
    statement = cast(Select[Any], select(*columns))  # typed per column
    if "domain" in filters:
        statement = statement.where(MitreTechnique.domain == bindparam("domain"))
    if "q" in filters:
        statement = statement.where(
            contains_any_parameter("q", MitreTechnique.name, MitreTechnique.external_id)
        )
    if not include_deprecated:
        statement = statement.where(_live(MitreTechnique))
    if "tactic" in filters:
        tactic: BindParameter[str] = bindparam("tactic")
        linked = (
            select(MitreTechniqueTactic.technique_id)
            .join(MitreTactic, MitreTactic.id == MitreTechniqueTactic.tactic_id)
            .where(
                (MitreTactic.external_id == tactic)
                | (MitreTactic.shortname == bindparam("tactic_shortname"))
            )
        )
        statement = statement.where(MitreTechnique.id.in_(linked))
    if "platform" in filters:
        statement = statement.where(
            MitreTechnique.platforms.contains(bindparam("platform", type_=ARRAY(Text)))
        )
    return prepared(statement)


def list_techniques(query: Mapping[str, Any]) -> dict[str, Any]:
    """Techniques with their tactics and live sub-technique count, or only the `fields` asked
    (`query["shown"]`; `id` and `external_id` always come).

    The page selects just the columns it shows (no ORM objects), and the tactics come in one
    more statement for the whole page: three statements whatever the page size.
    """
    shown = frozenset(query.get("shown") or TECHNIQUE_LIST_FIELDS)
    filters = {
        "domain": query.get("domain"),
        "q": like_pattern(query["q"]) if query.get("q") else None,
        # ATT&CK ids are in capitals and shortnames in lower case, whatever case was typed
        # (`tactic=ta0002` found nothing).
        "tactic": query["tactic"].strip().upper() if query.get("tactic") else None,
        "tactic_shortname": query["tactic"].strip().lower() if query.get("tactic") else None,
        "platform": [query["platform"]] if query.get("platform") else None,
    }
    parameters = given(filters)
    statement = _technique_list_statement(
        shown, frozenset(parameters), include_deprecated=bool(query["include_deprecated"])
    )
    page = paginate(
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
        parameters=parameters,
    )
    if "tactics" in shown:
        attach_related(
            page["items"], "tactics", _TECHNIQUE_TACTICS, MitreTechniqueTactic.technique_id
        )
    return page


# A technique's tactics, in matrix order (for a page of techniques: core.attach_related).
_TECHNIQUE_TACTICS = prepared(
    cast(
        Select[Any],
        select(MitreTactic.external_id, MitreTactic.name, MitreTactic.shortname)
        .join(MitreTechniqueTactic, MitreTechniqueTactic.tactic_id == MitreTactic.id)
        .order_by(MitreTactic.position),
    )
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
        "replaced_by": technique.replaced_by,
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
        # ATT&CK ids are in capitals (`technique=t1059` found nothing).
        external_id = technique.strip().upper()
        parent = select(MitreTechnique.id).where(MitreTechnique.external_id == external_id)
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


# Bump when the matrix response changes shape, so a client's cached copy is not revalidated.
MATRIX_SHAPE = 1


def matrix_etag() -> str:
    """The matrix's entity tag: the catalogue changes only when a sync succeeds.

    One indexed statement: the latest successful sync's id (of any domain, so a sync that
    flagged rows of another domain can never leave a stale matrix behind). Every matrix request
    runs it, so it is built once and run on the connection: the catalogue is neither tenant-owned
    nor soft-deleted, so the ORM's criteria (core/models.py, core/tenancy.py) have nothing to add,
    and going through them tripled its cost.
    """
    sync_id = db.session.connection().scalar(_latest_sync_statement())
    return f"matrix-{MATRIX_SHAPE}-{sync_id or EMPTY_CATALOGUE}"


@cache
def _latest_sync_statement() -> Select[uuid.UUID]:
    return (
        select(MitreSync.id)
        .where(MitreSync.status == SYNC_SUCCEEDED)
        .order_by(MitreSync.started_at.desc())
        .limit(1)
    )


EMPTY_CATALOGUE = "empty"


def matrix_etag_names_a_sync(etag: str) -> bool:
    return not etag.endswith(f"-{EMPTY_CATALOGUE}")


def matrix(domain: str) -> dict[str, Any]:
    """Live tactics (matrix order) → live techniques (by name) → live sub-techniques (by id).

    Four statements whatever the size (version, tactics, technique links, sub-techniques), each
    selecting only the columns a cell shows: no descriptions, no ORM objects.
    """
    version = db.session.scalar(
        select(MitreSync.version)
        .where(MitreSync.status == SYNC_SUCCEEDED, MitreSync.domain == domain)
        .order_by(MitreSync.started_at.desc())
        .limit(1)
    )
    tactics = db.session.execute(
        select(
            MitreTactic.id,
            MitreTactic.external_id,
            MitreTactic.name,
            MitreTactic.shortname,
            MitreTactic.url,
        )
        .where(MitreTactic.domain == domain, _live(MitreTactic))
        .order_by(MitreTactic.position.asc().nulls_last(), MitreTactic.name)
    ).all()
    placed = db.session.execute(
        select(MitreTechniqueTactic.tactic_id, MitreTechnique.id, *_cell_columns(MitreTechnique))
        .join(MitreTechnique, MitreTechnique.id == MitreTechniqueTactic.technique_id)
        .where(MitreTechnique.domain == domain, _live(MitreTechnique))
        .order_by(MitreTechnique.name, MitreTechnique.external_id)
    ).all()
    subtechniques = db.session.execute(
        select(MitreSubtechnique.technique_id, *_cell_columns(MitreSubtechnique))
        .where(MitreSubtechnique.domain == domain, _live(MitreSubtechnique))
        .order_by(MitreSubtechnique.external_id)
    ).all()

    subs_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for sub in subtechniques:
        subs_of[sub.technique_id].append(_matrix_cell(sub))
    techniques_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for technique in placed:
        techniques_of[technique.tactic_id].append(
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


def _cell_columns(model: type[MitreTechnique] | type[MitreSubtechnique]) -> list[Any]:
    return [model.external_id, model.name, model.url, model.platforms]


def _matrix_cell(row: Any) -> dict[str, Any]:
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
        .ext(distinct_on(MitreSync.domain))
    ).all()
    emails = emails_of({sync.started_by for sync in latest_syncs if sync.started_by})
    latest = {sync.domain: _sync_out(sync, emails.get(sync.started_by)) for sync in latest_syncs}
    versions = {
        domain: version
        for domain, version in db.session.execute(
            select(MitreSync.domain, MitreSync.version)
            .where(MitreSync.domain.is_not(None), MitreSync.status == SYNC_SUCCEEDED)
            .order_by(MitreSync.domain, MitreSync.started_at.desc())
            .ext(distinct_on(MitreSync.domain))
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


# --- threat groups --------------------------------------------------------------------------


def list_groups(query: Mapping[str, Any]) -> dict[str, Any]:
    """Threat groups; `q` matches the name, an alias or the ATT&CK id, `domain` any of the
    group's domains."""
    statement = _filtered(
        select(MitreGroup),
        MitreGroup,
        domain=None,
        q=None,
        include_deprecated=query["include_deprecated"],
    )
    if domain := query.get("domain"):
        statement = statement.where(MitreGroup.domains.contains([domain]))
    if q := query.get("q"):
        # One text of all aliases, so an alias matches as a substring like the name does.
        aliases = type_coerce(func.array_to_string(MitreGroup.aliases, "\n"), Text)
        statement = statement.where(
            contains_any(q, MitreGroup.name, MitreGroup.external_id) | contains(aliases, q)
        )
    return paginate(
        statement,
        query,
        sortable={
            "external_id": MitreGroup.external_id,
            "name": MitreGroup.name,
            "modified": MitreGroup.modified,
        },
        default_sort="name",
        tiebreaker=MitreGroup.id,
    )


def get_group(external_id: str) -> dict[str, Any]:
    """A group with the live techniques and sub-techniques it uses (ATT&CK id order), each
    with its tactics (a sub-technique's are its technique's). Three statements."""
    group = db.session.scalars(
        select(MitreGroup).where(MitreGroup.external_id == external_id)
    ).one_or_none()
    if group is None:
        raise NotFound(f"No ATT&CK group {external_id} in the catalogue.")
    return {**_group_fields(group), "techniques": group_techniques([group.id])[group.id]}


def group_techniques(group_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    """Group id → [{kind, external_id, name, domain, tactics}] of the live techniques it uses
    (two statements whatever the number of groups)."""
    techniques = (
        select(
            MitreGroupTechnique.group_id,
            MitreTechnique.id.label("technique_id"),
            MitreTechnique.external_id,
            MitreTechnique.name,
            MitreTechnique.domain,
        )
        .join(MitreTechnique, MitreTechnique.id == MitreGroupTechnique.technique_id)
        .where(MitreGroupTechnique.group_id.in_(group_ids), _live(MitreTechnique))
    )
    subtechniques = (
        select(
            MitreGroupSubtechnique.group_id,
            MitreSubtechnique.technique_id,
            MitreSubtechnique.external_id,
            MitreSubtechnique.name,
            MitreSubtechnique.domain,
        )
        .join(MitreSubtechnique, MitreSubtechnique.id == MitreGroupSubtechnique.subtechnique_id)
        .where(MitreGroupSubtechnique.group_id.in_(group_ids), _live(MitreSubtechnique))
    )
    used = db.session.execute(techniques.union_all(subtechniques)).all()
    tactics_of = _tactics_of({row.technique_id for row in used})
    by_group: dict[Any, list[dict[str, Any]]] = {group_id: [] for group_id in group_ids}
    for row in sorted(used, key=lambda row: row.external_id):
        by_group[row.group_id].append(
            {
                "kind": "subtechnique" if "." in row.external_id else "technique",
                "external_id": row.external_id,
                "name": row.name,
                "domain": row.domain,
                "tactics": tactics_of.get(row.technique_id, []),
            }
        )
    return by_group


def _tactics_of(technique_ids: set[Any]) -> dict[Any, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(
            MitreTechniqueTactic.technique_id,
            MitreTactic.external_id,
            MitreTactic.name,
            MitreTactic.shortname,
        )
        .join(MitreTactic, MitreTactic.id == MitreTechniqueTactic.tactic_id)
        .where(MitreTechniqueTactic.technique_id.in_(technique_ids), _live(MitreTactic))
        .order_by(MitreTactic.position.asc().nulls_last(), MitreTactic.external_id)
    ).all()
    tactics: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for technique_id, tactic_external_id, name, shortname in rows:
        tactics[technique_id].append(
            {"external_id": tactic_external_id, "name": name, "shortname": shortname}
        )
    return tactics


def _group_fields(group: MitreGroup) -> dict[str, Any]:
    return {
        name: getattr(group, name)
        for name in (
            "id",
            "external_id",
            "stix_id",
            "name",
            "aliases",
            "description",
            "url",
            "domain",
            "domains",
            "deprecated",
            "revoked",
            "replaced_by",
        )
    }


def retired_group_reason(group: Mapping[str, Any]) -> str | None:
    """Why a group (as `get_group` returns it) has no techniques to plan or score: it is revoked,
    naming the live group that replaced it when the bundle said (one statement), or deprecated.
    None for a live group. The sync links only live groups to techniques, so a retired one
    would otherwise read as a group that uses nothing."""
    named = f"ATT&CK group {group['external_id']} ({group['name']})"
    if group["revoked"]:
        successor = None
        if group["replaced_by"]:
            successor = db.session.execute(
                select(MitreGroup.external_id, MitreGroup.name).where(
                    MitreGroup.external_id == group["replaced_by"]
                )
            ).one_or_none()
        if successor is None:
            return f"{named} is revoked in the synced ATT&CK release."
        return (
            f"{named} is revoked in the synced ATT&CK release: it was replaced by "
            f"{successor.external_id} ({successor.name}); use that group."
        )
    if group["deprecated"]:
        return f"{named} is deprecated in the synced ATT&CK release: it has no techniques."
    return None


# --- for other domains (coverage) ---------------------------------------------------------------


# `technique_tactics_and_names`' statement, built once: the techniques' and the tactics' ids are
# two array parameters. Its second half reads the tactics asked for by id (a technique is NULL).
_TACTIC_COLUMNS = (
    MitreTactic.external_id,
    MitreTactic.name,
    MitreTactic.shortname,
    MitreTactic.position,
    MitreTactic.domain,
)
_TACTICS_BY_ID = union_all(
    select(
        MitreTechnique.external_id.label("technique"),
        MitreTechnique.name.label("technique_name"),
        *_TACTIC_COLUMNS,
    )
    .join(MitreTechniqueTactic, MitreTechniqueTactic.technique_id == MitreTechnique.id)
    .join(MitreTactic, MitreTactic.id == MitreTechniqueTactic.tactic_id)
    .where(
        MitreTechnique.external_id == any_(bindparam("techniques", type_=ARRAY(Text))),
        _live(MitreTactic),
    ),
    select(
        type_coerce(None, Text).label("technique"),
        type_coerce(None, Text).label("technique_name"),
        *_TACTIC_COLUMNS,
    ).where(MitreTactic.external_id == any_(bindparam("tactics", type_=ARRAY(Text)))),
)
_TACTICS_BY_TECHNIQUE = prepared(
    _TACTICS_BY_ID.order_by(
        _TACTICS_BY_ID.selected_columns.position.asc().nulls_last(),
        _TACTICS_BY_ID.selected_columns.external_id,
    )
)


def technique_tactics_and_names(
    external_ids: set[str], tactic_ids: set[str] | frozenset[str] = frozenset()
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str], dict[str, dict[str, Any]]]:
    """Technique ATT&CK id → its live tactics ({external_id, name, shortname, position,
    domain}) in matrix order, technique ATT&CK id → its name, and tactic ATT&CK id → the same
    details for the tactics of `tactic_ids` the catalogue holds; one statement."""
    parameters = {"techniques": list(external_ids), "tactics": list(tactic_ids)}
    rows = db.session.execute(_TACTICS_BY_TECHNIQUE, parameters).all()
    tactics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    tactics_by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        tactic = {
            "external_id": row.external_id,
            "name": row.name,
            "shortname": row.shortname,
            "position": row.position,
            "domain": row.domain,
        }
        if row.technique is None:
            tactics_by_id[row.external_id] = tactic
            continue
        names[row.technique] = row.technique_name
        tactics[row.technique].append(tactic)
    return dict(tactics), names, tactics_by_id


def synced_version(domain: str) -> str | None:
    """The ATT&CK release of the domain's last successful sync."""
    return db.session.scalar(
        select(MitreSync.version)
        .where(MitreSync.status == SYNC_SUCCEEDED, MitreSync.domain == domain)
        .order_by(MitreSync.started_at.desc())
        .limit(1)
    )


def techniques_with_subtechniques(external_ids: set[str]) -> set[str]:
    """The ATT&CK ids among `external_ids` of techniques with live sub-techniques (one
    statement; none when `external_ids` is empty)."""
    if not external_ids:
        return set()
    has_live_subtechnique = (
        select(MitreSubtechnique.id)
        .where(MitreSubtechnique.technique_id == MitreTechnique.id, _live(MitreSubtechnique))
        .exists()
    )
    return set(
        db.session.scalars(
            select(MitreTechnique.external_id).where(
                MitreTechnique.external_id.in_(external_ids), has_live_subtechnique
            )
        )
    )


def retired_attack_objects(external_ids: set[str]) -> dict[str, tuple[str, str | None]]:
    """ATT&CK id → (state, replaced by) for the ids the catalogue holds as techniques or
    sub-techniques that are no longer live: "revoked" or "deprecated", and for a revoked one the
    ATT&CK id of the live one that replaced it, when the bundle said (two statements)."""
    retired: dict[str, tuple[str, str | None]] = {}
    for model in (MitreTechnique, MitreSubtechnique):
        rows = db.session.execute(
            select(model.external_id, model.revoked, model.replaced_by).where(
                model.external_id.in_(external_ids), ~_live(model)
            )
        )
        for external_id, revoked, replaced_by in rows:
            retired[external_id] = ("revoked", replaced_by) if revoked else ("deprecated", None)
    return retired


def live_attack_objects(external_ids: set[str]) -> dict[str, dict[str, str]]:
    """ATT&CK id → {kind, name, domain} for the ids that are live techniques or sub-techniques
    (two statements)."""
    found: dict[str, dict[str, str]] = {}
    for kind, model in (("technique", MitreTechnique), ("subtechnique", MitreSubtechnique)):
        rows = db.session.execute(
            select(model.external_id, model.name, model.domain).where(
                model.external_id.in_(external_ids), _live(model)
            )
        )
        for external_id, name, domain in rows:
            found[external_id] = {"kind": kind, "name": name, "domain": domain}
    return found
