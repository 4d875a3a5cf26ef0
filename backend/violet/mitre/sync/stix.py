"""Turn an ATT&CK STIX bundle into plain records: tactics, techniques, sub-techniques.

Works for every domain MITRE publishes (enterprise, mobile, ICS) in both shapes:
STIX 2.0 (the mitre/cti repository: `spec_version` on the bundle) and STIX 2.1
(attack-stix-data: `spec_version` on each object, plus an `x-mitre-collection` carrying the
ATT&CK release). What is read:

- tactics: `x-mitre-tactic`, ordered by the `tactic_refs` of the domain's `x-mitre-matrix`;
- techniques and sub-techniques: `attack-pattern` (`x_mitre_is_subtechnique`), the parent of a
  sub-technique from its `subtechnique-of` relationship (else from its `T1234.001` id), and
  for a revoked one the live one that replaced it (its `revoked-by` relationships, followed);
- technique ↔ tactic: the technique's `kill_chain_phases` (phase name = tactic shortname);
- threat groups: `intrusion-set` (aliases, the domains it appears in, for a revoked one the live
  group that replaced it), and the techniques and sub-techniques each one `uses` (live `uses`
  relationships from a group to an attack-pattern).

Anything malformed raises `BundleError` (422) naming the object and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from violet.core.errors import Unprocessable
from violet.mitre.models import DOMAINS

# `source_name` of the external reference that carries the ATT&CK id (TA0002, T1059, …).
ATTACK_SOURCES = frozenset({"mitre-attack", "mitre-mobile-attack", "mitre-ics-attack"})
# Technique and tactic URLs are kept only when they point at the ATT&CK site.
ATTACK_SITE = "https://attack.mitre.org/"
KILL_CHAINS = ATTACK_SOURCES

# Longest values the tables accept (models.py); longer ones are refused, not truncated.
MAX_LENGTHS = {
    "id": 128,
    "external_id": 32,
    "name": 256,
    "url": 512,
    "x_mitre_shortname": 64,
    "x_mitre_version": 16,
    "aliases": 256,
}


class BundleError(Unprocessable):
    """The document is not a usable ATT&CK bundle; `detail` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors={"bundle": [detail]})


@dataclass(frozen=True, slots=True)
class TacticRecord:
    stix_id: str
    external_id: str
    name: str
    shortname: str
    description: str
    url: str | None
    deprecated: bool
    revoked: bool
    modified: datetime | None
    attack_version: str | None
    position: int | None

    @property
    def is_live(self) -> bool:
        return not (self.deprecated or self.revoked)


@dataclass(frozen=True, slots=True)
class TechniqueRecord:
    """A technique or a sub-technique (then `parent_stix_id` is set)."""

    stix_id: str
    external_id: str
    name: str
    description: str
    url: str | None
    deprecated: bool
    revoked: bool
    modified: datetime | None
    attack_version: str | None
    platforms: list[str]
    detection: str | None
    tactic_shortnames: tuple[str, ...]
    parent_stix_id: str | None = None
    # A revoked one: the ATT&CK id of the live technique or sub-technique that replaced it.
    replaced_by: str | None = None

    @property
    def is_live(self) -> bool:
        return not (self.deprecated or self.revoked)


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A threat group (`intrusion-set`)."""

    stix_id: str
    external_id: str
    name: str
    aliases: list[str]
    description: str
    url: str | None
    deprecated: bool
    revoked: bool
    modified: datetime | None
    attack_version: str | None
    # The ATT&CK domains the group belongs to, as its `x_mitre_domains` lists them (the same
    # object is in several domain bundles; the first listed is its `domain`).
    domains: list[str]
    # A revoked one: the ATT&CK id of the live group that replaced it (G0074 → G0035).
    replaced_by: str | None = None

    @property
    def is_live(self) -> bool:
        return not (self.deprecated or self.revoked)


# What a revoked-by relationship can name a replacement for.
Replaceable = TypeVar("Replaceable", TechniqueRecord, GroupRecord)


@dataclass
class ParsedBundle:
    spec_version: str
    domain: str
    # The ATT&CK release named by an x-mitre-collection (STIX 2.1 bundles), else None.
    version: str | None
    tactics: list[TacticRecord] = field(default_factory=list)
    techniques: list[TechniqueRecord] = field(default_factory=list)
    subtechniques: list[TechniqueRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    # (group stix id, attack-pattern stix id) of every live `uses` relationship.
    group_uses: list[tuple[str, str]] = field(default_factory=list)

    def live_counts(self) -> dict[str, int]:
        return {
            "tactics": sum(record.is_live for record in self.tactics),
            "techniques": sum(record.is_live for record in self.techniques),
            "subtechniques": sum(record.is_live for record in self.subtechniques),
        }


def load_json(document: bytes) -> Any:
    """Decode the bundle's JSON text; malformed input is a 422 that says where."""
    try:
        return json.loads(document)
    except UnicodeDecodeError as exc:
        raise BundleError(f"The bundle is not UTF-8 text ({exc.reason}).") from exc
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"The bundle is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"The bundle is not valid JSON: {exc}.") from exc


def parse_bundle(document: Any) -> ParsedBundle:
    """The records of one ATT&CK domain bundle (already decoded from JSON)."""
    objects = _bundle_objects(document)
    by_type: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for index, stix_object in enumerate(objects):
        stix_type, stix_id = _identity(stix_object, index)
        if stix_id in seen:
            raise BundleError(f"The bundle holds object {stix_id} twice.")
        seen.add(stix_id)
        by_type.setdefault(stix_type, []).append(stix_object)

    matrices = [matrix for matrix in by_type.get("x-mitre-matrix", []) if _is_live(matrix)]
    domain = _domain(matrices)
    positions = _matrix_positions(matrices)
    bundle = ParsedBundle(
        spec_version=_spec_version(document, objects),
        domain=domain,
        version=_collection_version(by_type.get("x-mitre-collection", [])),
    )
    bundle.tactics = [_tactic(raw, positions) for raw in by_type.get("x-mitre-tactic", [])]
    _reject_duplicate_external_ids("tactic", bundle.tactics)

    patterns = by_type.get("attack-pattern", [])
    parents = _subtechnique_parents(by_type.get("relationship", []))
    for raw in patterns:
        record, is_subtechnique = _technique(raw)
        (bundle.subtechniques if is_subtechnique else bundle.techniques).append(record)
    _reject_duplicate_external_ids("technique", bundle.techniques)
    _reject_duplicate_external_ids("sub-technique", bundle.subtechniques)
    bundle.subtechniques = _with_parents(bundle.subtechniques, bundle.techniques, parents)
    revoked_by = _revoked_by(by_type.get("relationship", []))
    replaced = _replacements([*bundle.techniques, *bundle.subtechniques], revoked_by)
    if replaced:
        bundle.techniques = _with_replacements(bundle.techniques, replaced)
        bundle.subtechniques = _with_replacements(bundle.subtechniques, replaced)
    bundle.groups = [_group(raw, domain) for raw in by_type.get("intrusion-set", [])]
    _reject_duplicate_external_ids("group", bundle.groups)
    # Groups are revoked by groups (MITRE merges two names of one actor), never by a technique.
    replaced_groups = _replacements(bundle.groups, revoked_by)
    if replaced_groups:
        bundle.groups = _with_replacements(bundle.groups, replaced_groups)
    bundle.group_uses = _group_uses(by_type.get("relationship", []))
    return bundle


# --- the bundle and its objects -------------------------------------------------------------


def _bundle_objects(document: Any) -> list[Any]:
    if not isinstance(document, dict) or document.get("type") != "bundle":
        raise BundleError('Not a STIX bundle: expected a JSON object with "type": "bundle".')
    objects = document.get("objects")
    if not isinstance(objects, list):
        raise BundleError('Not a STIX bundle: "objects" must be a list.')
    return objects


def _identity(stix_object: Any, index: int) -> tuple[str, str]:
    if not isinstance(stix_object, dict):
        raise BundleError(f"Object #{index} of the bundle is not a JSON object.")
    stix_type, stix_id = stix_object.get("type"), stix_object.get("id")
    if not isinstance(stix_type, str) or not isinstance(stix_id, str) or not stix_id:
        raise BundleError(f'Object #{index} of the bundle has no "type" and "id" strings.')
    return stix_type, stix_id


def _spec_version(document: dict[str, Any], objects: list[dict[str, Any]]) -> str:
    """ "2.0" bundles say so on the bundle; 2.1 objects each carry their own."""
    declared = document.get("spec_version")
    if isinstance(declared, str):
        return declared
    for stix_object in objects:
        if isinstance(stix_object.get("spec_version"), str):
            return stix_object["spec_version"]
    return "2.1"


def _is_live(stix_object: dict[str, Any]) -> bool:
    return not (stix_object.get("revoked") is True or stix_object.get("x_mitre_deprecated") is True)


def _domain(matrices: list[dict[str, Any]]) -> str:
    """The domain named by the bundle's live x-mitre-matrix objects (exactly one domain)."""
    if not matrices:
        raise BundleError(
            "The bundle has no x-mitre-matrix: it is not an ATT&CK domain bundle "
            f"({', '.join(DOMAINS)})."
        )
    domains: set[str] = set()
    for matrix in matrices:
        external_id = _attack_reference(matrix)[0]
        if external_id in DOMAINS:
            domains.add(external_id)
        else:
            listed = matrix.get("x_mitre_domains")
            domains.update(name for name in listed or () if name in DOMAINS)
    if len(domains) != 1:
        found = ", ".join(sorted(domains)) or "none"
        raise BundleError(
            f"The bundle's matrices must name exactly one ATT&CK domain ({', '.join(DOMAINS)}); "
            f"found: {found}."
        )
    return domains.pop()


def _matrix_positions(matrices: list[dict[str, Any]]) -> dict[str, int]:
    """Tactic stix id → 0-based column, following the matrices' `tactic_refs` in order."""
    positions: dict[str, int] = {}
    for matrix in matrices:
        refs = matrix.get("tactic_refs") or []
        if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
            raise BundleError(f'{matrix["id"]}: "tactic_refs" must be a list of tactic ids.')
        for ref in refs:
            positions.setdefault(ref, len(positions))
    return positions


def _collection_version(collections: list[dict[str, Any]]) -> str | None:
    for collection in collections:
        version = collection.get("x_mitre_version")
        if isinstance(version, str) and version.strip():
            return version.strip()[:32]
    return None


# --- fields ---------------------------------------------------------------------------------


def _text(stix_object: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """A string field; refused when required and missing, too long, or holding NUL bytes."""
    value = stix_object.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise BundleError(f'{stix_object["id"]}: "{key}" is missing.')
        return None
    if not isinstance(value, str):
        raise BundleError(f'{stix_object["id"]}: "{key}" must be a string.')
    return _checked(stix_object["id"], key, value)


def _checked(stix_id: str, key: str, value: str) -> str:
    if "\x00" in value:
        raise BundleError(f'{stix_id}: "{key}" contains a NUL character.')
    limit = MAX_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        raise BundleError(f'{stix_id}: "{key}" is longer than {limit} characters.')
    if key in ("name", "external_id", "x_mitre_shortname") and not value.strip():
        raise BundleError(f'{stix_id}: "{key}" is empty.')
    return value


def _flag(stix_object: dict[str, Any], key: str) -> bool:
    value = stix_object.get(key, False)
    if not isinstance(value, bool):
        raise BundleError(f'{stix_object["id"]}: "{key}" must be true or false.')
    return value


def _timestamp(stix_object: dict[str, Any], key: str) -> datetime | None:
    value = _text(stix_object, key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BundleError(f'{stix_object["id"]}: "{key}" is not a timestamp: {value!r}.') from exc
    if moment.tzinfo is None:
        raise BundleError(f'{stix_object["id"]}: "{key}" has no time zone: {value!r}.')
    return moment


def _attack_reference(stix_object: dict[str, Any]) -> tuple[str | None, str | None]:
    """(external_id, url) from the object's ATT&CK external reference, if it has one."""
    references = stix_object.get("external_references") or []
    if not isinstance(references, list):
        raise BundleError(f'{stix_object["id"]}: "external_references" must be a list.')
    for reference in references:
        if isinstance(reference, dict) and reference.get("source_name") in ATTACK_SOURCES:
            external_id = reference.get("external_id")
            url = reference.get("url")
            if not isinstance(external_id, str):
                break
            stix_id = stix_object["id"]
            # The SPA makes it a link: only MITRE's own site, never what a bundle made up.
            if not (isinstance(url, str) and url.startswith(ATTACK_SITE)):
                url = None
            return (
                _checked(stix_id, "external_id", external_id.strip()),
                _checked(stix_id, "url", url) if url else None,
            )
    return None, None


def _required_reference(stix_object: dict[str, Any]) -> tuple[str, str | None]:
    external_id, url = _attack_reference(stix_object)
    if external_id is None:
        raise BundleError(
            f"{stix_object['id']}: no ATT&CK external reference "
            '(source_name "mitre-attack" with an "external_id").'
        )
    return external_id, url


def _platforms(stix_object: dict[str, Any]) -> list[str]:
    platforms = stix_object.get("x_mitre_platforms") or []
    if not isinstance(platforms, list) or not all(isinstance(item, str) for item in platforms):
        raise BundleError(f'{stix_object["id"]}: "x_mitre_platforms" must be a list of strings.')
    return [_checked(stix_object["id"], "x_mitre_platforms", item) for item in platforms]


def _kill_chain_shortnames(stix_object: dict[str, Any]) -> tuple[str, ...]:
    phases = stix_object.get("kill_chain_phases") or []
    if not isinstance(phases, list):
        raise BundleError(f'{stix_object["id"]}: "kill_chain_phases" must be a list.')
    shortnames: list[str] = []
    for phase in phases:
        if not isinstance(phase, dict) or not isinstance(phase.get("phase_name"), str):
            raise BundleError(f'{stix_object["id"]}: a kill chain phase has no "phase_name".')
        if phase.get("kill_chain_name") in KILL_CHAINS and phase["phase_name"] not in shortnames:
            shortnames.append(phase["phase_name"])
    return tuple(shortnames)


# --- records --------------------------------------------------------------------------------


def _tactic(stix_object: dict[str, Any], positions: dict[str, int]) -> TacticRecord:
    external_id, url = _required_reference(stix_object)
    return TacticRecord(
        stix_id=_checked(stix_object["id"], "id", stix_object["id"]),
        external_id=external_id,
        name=_text(stix_object, "name", required=True) or "",
        shortname=_text(stix_object, "x_mitre_shortname", required=True) or "",
        description=_text(stix_object, "description") or "",
        url=url,
        deprecated=_flag(stix_object, "x_mitre_deprecated"),
        revoked=_flag(stix_object, "revoked"),
        modified=_timestamp(stix_object, "modified"),
        attack_version=_text(stix_object, "x_mitre_version"),
        position=positions.get(stix_object["id"]),
    )


def _technique(stix_object: dict[str, Any]) -> tuple[TechniqueRecord, bool]:
    """The record (a sub-technique's parent is filled in later) and whether it is a sub."""
    external_id, url = _required_reference(stix_object)
    # A dotted ATT&CK id is a sub-technique even where an old object lacks the flag.
    is_subtechnique = _flag(stix_object, "x_mitre_is_subtechnique") or "." in external_id
    record = TechniqueRecord(
        stix_id=_checked(stix_object["id"], "id", stix_object["id"]),
        external_id=external_id,
        name=_text(stix_object, "name", required=True) or "",
        description=_text(stix_object, "description") or "",
        url=url,
        deprecated=_flag(stix_object, "x_mitre_deprecated"),
        revoked=_flag(stix_object, "revoked"),
        modified=_timestamp(stix_object, "modified"),
        attack_version=_text(stix_object, "x_mitre_version"),
        platforms=_platforms(stix_object),
        detection=_text(stix_object, "x_mitre_detection"),
        tactic_shortnames=_kill_chain_shortnames(stix_object),
    )
    return record, is_subtechnique


def _group(stix_object: dict[str, Any], bundle_domain: str) -> GroupRecord:
    external_id, url = _required_reference(stix_object)
    aliases = stix_object.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise BundleError(f'{stix_object["id"]}: "aliases" must be a list of strings.')
    listed = stix_object.get("x_mitre_domains") or []
    if not isinstance(listed, list):
        raise BundleError(f'{stix_object["id"]}: "x_mitre_domains" must be a list.')
    domains = [name for name in listed if name in DOMAINS] or [bundle_domain]
    return GroupRecord(
        stix_id=_checked(stix_object["id"], "id", stix_object["id"]),
        external_id=external_id,
        name=_text(stix_object, "name", required=True) or "",
        aliases=[_checked(stix_object["id"], "aliases", alias) for alias in aliases],
        description=_text(stix_object, "description") or "",
        url=url,
        deprecated=_flag(stix_object, "x_mitre_deprecated"),
        revoked=_flag(stix_object, "revoked"),
        modified=_timestamp(stix_object, "modified"),
        attack_version=_text(stix_object, "x_mitre_version"),
        domains=domains,
    )


def _of_type(
    relationships: Iterable[dict[str, Any]], relationship_type: str
) -> Iterator[tuple[dict[str, Any], str, str]]:
    """The relationships of one type, each with its source and target stix ids (a relationship
    without both is a 422)."""
    for relationship in relationships:
        if relationship.get("relationship_type") != relationship_type:
            continue
        source, target = relationship.get("source_ref"), relationship.get("target_ref")
        if not isinstance(source, str) or not isinstance(target, str):
            raise BundleError(f'{relationship["id"]}: needs "source_ref" and "target_ref".')
        yield relationship, source, target


def _group_uses(relationships: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(group, attack-pattern) stix ids of the live `uses` relationships between them."""
    return [
        (source, target)
        for relationship, source, target in _of_type(relationships, "uses")
        # Most `uses` are software → technique; test the cheap prefixes first.
        if source.startswith("intrusion-set--")
        and target.startswith("attack-pattern--")
        and _is_live(relationship)
    ]


def _subtechnique_parents(relationships: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Sub-technique stix id → parent technique stix id, from `subtechnique-of` relationships.

    A live relationship wins over a revoked or deprecated one for the same sub-technique.
    """
    parents: dict[str, str] = {}
    for relationship, source, target in _of_type(relationships, "subtechnique-of"):
        if source not in parents or _is_live(relationship):
            parents[source] = target
    return parents


def _revoked_by(relationships: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Revoked object's stix id → the stix id of the object that replaced it (`revoked-by`)."""
    return {source: target for _, source, target in _of_type(relationships, "revoked-by")}


def _replacements(
    records: Sequence[TechniqueRecord | GroupRecord], revoked_by: dict[str, str]
) -> dict[str, str]:
    """Stix id of each revoked record → the ATT&CK id of the live one that replaced it,
    following a chain of revocations. None is found when the chain leaves `records` (the
    bundle's attack-patterns, or its groups) or ends at a deprecated one."""
    by_stix_id = {record.stix_id: record for record in records}
    found: dict[str, str] = {}
    for record in records:
        if not record.revoked:
            continue
        target, seen = revoked_by.get(record.stix_id), {record.stix_id}
        while target in by_stix_id and target not in seen:
            successor = by_stix_id[target]
            if successor.is_live:
                found[record.stix_id] = successor.external_id
                break
            seen.add(target)
            target = revoked_by.get(target)
    return found


def _with_replacements(records: list[Replaceable], replaced: dict[str, str]) -> list[Replaceable]:
    return [
        replace(record, replaced_by=replaced[record.stix_id])
        if record.stix_id in replaced
        else record
        for record in records
    ]


def _with_parents(
    subtechniques: list[TechniqueRecord],
    techniques: list[TechniqueRecord],
    parents: dict[str, str],
) -> list[TechniqueRecord]:
    """Each sub-technique with its parent's stix id; one without a findable parent is a 422."""
    technique_ids = {record.stix_id for record in techniques}
    by_external_id = {record.external_id: record.stix_id for record in techniques}
    resolved: list[TechniqueRecord] = []
    for record in subtechniques:
        parent = parents.get(record.stix_id)
        if parent not in technique_ids:
            parent = by_external_id.get(record.external_id.split(".", 1)[0])
        if parent is None:
            raise BundleError(
                f"Sub-technique {record.external_id} ({record.stix_id}) has no parent technique "
                "in the bundle (no subtechnique-of relationship, no technique "
                f"{record.external_id.split('.', 1)[0]})."
            )
        resolved.append(replace(record, parent_stix_id=parent))
    return resolved


def _reject_duplicate_external_ids(
    kind: str, records: list[TacticRecord] | list[TechniqueRecord] | list[GroupRecord]
) -> None:
    owners: dict[str, str] = {}
    for record in records:
        other = owners.setdefault(record.external_id, record.stix_id)
        if other != record.stix_id:
            raise BundleError(
                f"Two {kind} objects share the ATT&CK id {record.external_id}: "
                f"{other} and {record.stix_id}."
            )
