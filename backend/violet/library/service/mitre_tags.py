"""MITRE tags on test templates: `(kind, external_id)` pairs resolved against the catalogue.

Ids are looked up in one query per kind for any number of pairs, so a single template and a
300-atomic import cost the same three statements at most. An id of the wrong shape for its kind
(`technique` with `T1059.001`) or one the catalogue does not hold is reported by name, and so is
one ATT&CK has revoked or deprecated when a template gains it (`retired`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from violet.extensions import db
from violet.library.models import TestTemplate, TestTemplateMitreTag
from violet.mitre.models import MitreSubtechnique, MitreTactic, MitreTechnique

Target = MitreTactic | MitreTechnique | MitreSubtechnique
TagKey = tuple[str, str]  # (kind, external_id)

MODELS: dict[str, Any] = {
    "tactic": MitreTactic,
    "technique": MitreTechnique,
    "subtechnique": MitreSubtechnique,
}
ID_SHAPES = {
    "tactic": re.compile(r"^TA\d{4}$"),
    "technique": re.compile(r"^T\d{4}$"),
    "subtechnique": re.compile(r"^T\d{4}\.\d{3}$"),
}
KIND_LABELS = {"tactic": "tactic", "technique": "technique", "subtechnique": "sub-technique"}
# The tag row's foreign key for each kind.
TARGET_COLUMNS = {
    "tactic": "tactic_id",
    "technique": "technique_id",
    "subtechnique": "subtechnique_id",
}


def tag_keys(tags: Iterable[dict[str, str]]) -> list[TagKey]:
    """Normalised, de-duplicated `(kind, EXTERNAL_ID)` pairs in input order."""
    return list(dict.fromkeys((tag["kind"], tag["external_id"].strip().upper()) for tag in tags))


def shape_error(key: TagKey) -> str | None:
    kind, external_id = key
    if ID_SHAPES[kind].match(external_id):
        return None
    actual = next((k for k, shape in ID_SHAPES.items() if shape.match(external_id)), None)
    if actual:
        return f"{external_id} is a {KIND_LABELS[actual]} id, not a {KIND_LABELS[kind]} id."
    return f"{external_id} is not a {KIND_LABELS[kind]} id (like {_example(kind)})."


def _example(kind: str) -> str:
    return {"tactic": "TA0002", "technique": "T1059", "subtechnique": "T1059.001"}[kind]


def lookup(keys: Iterable[TagKey]) -> dict[TagKey, Target]:
    """The catalogue objects for these keys (one query per kind present); missing ones absent."""
    wanted: dict[str, set[str]] = {}
    for kind, external_id in keys:
        if shape_error((kind, external_id)) is None:
            wanted.setdefault(kind, set()).add(external_id)
    found: dict[TagKey, Target] = {}
    for kind, external_ids in wanted.items():
        model = MODELS[kind]
        for target in db.session.scalars(select(model).where(model.external_id.in_(external_ids))):
            found[(kind, target.external_id)] = target
    return found


def problems(keys: list[TagKey], found: dict[TagKey, Target]) -> list[str]:
    """One message per key that cannot be a tag: wrong shape for its kind, or unknown."""
    messages = []
    for key in keys:
        message = shape_error(key)
        if message is None and key not in found:
            message = f"Unknown {KIND_LABELS[key[0]]}: {key[1]}."
        if message:
            messages.append(message)
    return messages


def retired(
    keys: list[TagKey], found: dict[TagKey, Target], kept: Iterable[TagKey] = ()
) -> list[str]:
    """One message per key whose catalogue object ATT&CK has revoked or deprecated, naming the
    replacement of a revoked one when the catalogue knows it; `kept` (the tags a template has
    already) are not named: a sync that retires a tag must not make its template uneditable."""
    kept = set(kept)
    messages = []
    for key in keys:
        target = found.get(key)
        if target is None or key in kept:
            continue
        label = f"{KIND_LABELS[key[0]].capitalize()} {key[1]} ({target.name})"
        if target.revoked:
            replacement = getattr(target, "replaced_by", None)
            messages.append(
                f"{label} is revoked in ATT&CK: tag {replacement}, which replaced it."
                if replacement
                else f"{label} is revoked in ATT&CK, with no replacement named."
            )
        elif target.deprecated:
            messages.append(f"{label} is deprecated in ATT&CK.")
    return messages


def set_tags(template: TestTemplate, keys: list[TagKey], found: dict[TagKey, Target]) -> None:
    """Make the template's tag set exactly `keys`, keeping rows whose target stays.

    Kept rows are not rewritten, so the per-target unique constraints never see a row deleted
    and inserted again in one flush.
    """
    wanted = {key: found[key] for key in keys}
    kept = [tag for tag in template.mitre_links if (tag.kind, tag.external_id) in wanted]
    present = {(tag.kind, tag.external_id) for tag in kept}
    added = [
        TestTemplateMitreTag(**{_relationship(kind): target})
        for (kind, external_id), target in wanted.items()
        if (kind, external_id) not in present
    ]
    template.mitre_links = kept + added


def _relationship(kind: str) -> str:
    return TARGET_COLUMNS[kind].removesuffix("_id")


def current_keys(template: TestTemplate) -> set[TagKey]:
    return {(tag.kind, tag.external_id) for tag in template.mitre_links}
