"""Import and export of the test template library (the formats themselves: library/formats).

The route reads the whole document first (formats/loader.py): a document that cannot be read is
refused (422 with the line or path of the problem) before anything is written. Here each draft
is matched to the template it came from, if any, and created, updated, or skipped when already
identical. A draft that cannot be imported (a field out of bounds, a MITRE id the catalogue does
not hold) is left out and reported in `errors`; the rest are imported in the same transaction.

Matching: Violet JSON by the exported `id` (a re-import into the same workspace), then any
format by `(source, source_ref)` (an atomic's GUID), among live templates first, then among
deleted ones: a template deleted in the workspace stays deleted (counted as skipped, named in
the warnings), where a re-import used to create it again. A Violet template without a source of
its own, created in another workspace or instance, records where it came from as
`(violet, <exported id>)`: importing the same export (or a later one) there again finds it, and
its own export brought back to the first workspace finds the original by that id. Only the
fields the format carries are written: re-importing an atomic keeps the opsec level, tags and
expected detection someone added in Violet.

The cost is a constant number of statements plus one batched INSERT or UPDATE per table,
whatever the number of items (see bench/library_import.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Text, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from violet.core.auth import current_principal_or_none
from violet.core.models import including_deleted
from violet.extensions import db
from violet.library.formats.drafts import TemplateDraft
from violet.library.models import TestTemplate
from violet.library.service import mitre_tags
from violet.library.service.templates import LIST_FIELDS, apply_fields, with_tags

# The first key of the import's advisory lock (the second: the workspace); any constant unused
# by another two-key advisory lock.
IMPORT_LOCK_SPACE = 0x5649_4C42  # "VILB"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, draft: TemplateDraft, message: str) -> None:
        self.errors.append(
            {"path": draft.path, "name": draft.fields.get("name"), "message": message}
        )

    def warn(self, draft: TemplateDraft, message: str) -> None:
        self.warnings.append(
            {"path": draft.path, "name": draft.fields.get("name"), "message": message}
        )


def import_templates(workspace_id: uuid.UUID, drafts: list[TemplateDraft]) -> ImportReport:
    """Create, update or skip each draft (read by formats/loader.py) in the workspace."""
    # One import per workspace at a time: two imports of one document at once (a script and a
    # browser, two files naming the same atomic) both found no template to update and both
    # created it, and the second failed on the unique source id (409 "choose another"). Now the
    # second waits, then finds what the first created, as an import run again does.
    db.session.execute(
        select(func.pg_advisory_xact_lock(IMPORT_LOCK_SPACE, func.hashtext(str(workspace_id))))
    )
    report = ImportReport()
    valid = []
    for draft in drafts:
        if draft.values is None:
            report.fail(draft, draft.problem or "invalid")
        else:
            valid.append((draft, draft.values))
    keys_by_draft = {
        id(draft): mitre_tags.tag_keys(values.get("mitre", [])) for draft, values in valid
    }
    found = mitre_tags.lookup(key for keys in keys_by_draft.values() for key in keys)
    matches, deleted = _existing_templates([draft for draft, _ in valid])
    for draft, given in valid:
        template, values, source_key = _match(draft, given, matches)
        if template is None and (gone := _match(draft, given, deleted)[0]) is not None:
            # Deleted in this workspace: the team decided it does not want it (a re-import of
            # the Atomic folder for updates brought it back, every time). A live template that
            # matches too (a copy imported after the deletion) was found first: it is updated.
            report.skipped += 1
            report.warn(draft, _deleted_message(given["name"], gone))
            continue
        keys = keys_by_draft[id(draft)]
        problems = mitre_tags.problems(keys, found)
        if problems:
            report.fail(draft, f"mitre: {' '.join(problems)}")
            continue
        # Imported all the same, as tagged: Atomic files lag behind ATT&CK (a technique revoked
        # since the file was written), and the test is still worth having; the answer says so,
        # and the tag's replacement.
        if retired := mitre_tags.retired(keys, found):
            report.warn(draft, f"mitre: {' '.join(retired)}")
        if template is not None:
            values, keys = _with_what_the_format_leaves(draft, template, values, keys, found)
        if template is None:
            template = TestTemplate(workspace_id=workspace_id, mitre_links=[])
            db.session.add(template)
            report.created += 1
        elif _unchanged(template, values, keys):
            report.skipped += 1
            continue
        else:
            report.updated += 1
        apply_fields(template, values)
        mitre_tags.set_tags(template, keys, found)
        if source_key:  # a later item of the document with the same source id updates this one
            matches[source_key] = template
    db.session.flush()
    return report


def _match(
    draft: TemplateDraft, values: dict[str, Any], matches: dict[Any, TestTemplate]
) -> tuple[TestTemplate | None, dict[str, Any], tuple[str | None, str] | None]:
    """The template of `matches` the draft updates, if any; the values to write (a copy records
    where it came from; the original keeps its own source); the source key to remember."""
    template = matches.get(draft.key) if draft.key else None
    if template is None and (origin := _origin_key(draft)):
        # Not the original's workspace: the copy keeps where it came from.
        values = {**values, "source": origin[0], "source_ref": origin[1]}
    source_key = _source_key(values)
    for key in (source_key, *_former_keys(draft)):
        if template is None and key:
            template = matches.get(key)
    original = _copied_from(values)
    if template is None and original in matches:
        # A copy's export brought back to its original's workspace: the original, whose
        # own source stays as it is.
        template = matches[original]
        values = {k: v for k, v in values.items() if k not in ("source", "source_ref")}
        source_key = None
    return template, values, source_key


# How the SPA names the way back: the Test library page, its "Show deleted" switch, a deleted
# row's "Restore" button, which only `test_template.delete` holders see.
RESTORE_ADVICE = "Restore it (Test library, Show deleted) to update it."
ASK_TO_RESTORE = (
    "Someone who may delete templates can restore it (Test library, Show deleted) to update it."
)


def _deleted_message(name: str, template: TestTemplate) -> str:
    """Why an item named `name` (as it would be stored) was passed over; the name its template
    was deleted under when renamed in Violet (what the library's search finds it by); and who
    can bring it back (an importer without `test_template.delete` sees no Show deleted)."""
    where = "Deleted in this library"
    if template.name != name:
        where += f" as “{template.name}”"
    principal = current_principal_or_none()
    may_restore = principal is None or "test_template.delete" in principal.permissions
    return f"{where}: not imported again. {RESTORE_ADVICE if may_restore else ASK_TO_RESTORE}"


def _with_what_the_format_leaves(
    draft: TemplateDraft,
    template: TestTemplate,
    values: dict[str, Any],
    keys: list[mitre_tags.TagKey],
    found: dict[mitre_tags.TagKey, mitre_tags.Target],
) -> tuple[dict[str, Any], list[mitre_tags.TagKey]]:
    """The values and tags to write on a matched template, keeping what the document does not
    carry: its tags of `draft.kept_tag_kinds` (a tactic added to an atomic's template) and its
    references other than those an earlier import wrote (`draft.own_references`: the link a
    team added stays, the Atomic page of the test's former technique goes). Adds the kept
    tags' targets to `found`, which set_tags reads."""
    kept_tags = [
        tag
        for tag in template.mitre_links
        if tag.kind in draft.kept_tag_kinds and (tag.kind, tag.external_id) not in keys
    ]
    for tag in kept_tags:
        found[(tag.kind, tag.external_id)] = tag.target
    keys = [*keys, *((tag.kind, tag.external_id) for tag in kept_tags)]
    if draft.own_references is not None and "references" in values:
        techniques = {tag.external_id for tag in template.mitre_links if tag.kind != "tactic"}
        own = draft.own_references(techniques)
        added = [url for url in template.references if url not in own]
        references = list(dict.fromkeys([*values["references"], *added]))
        if set(references) == set(template.references):
            # The same links: the order the team gave them stays (a runbook put before the
            # Atomic page), and an unchanged file is skipped rather than counted updated.
            references = list(dict.fromkeys(template.references))
        values = {**values, "references": references}
    return values, keys


def _source_key(values: dict[str, Any]) -> tuple[str | None, str] | None:
    source_ref = values.get("source_ref")
    return (values.get("source"), source_ref) if source_ref else None


def _former_keys(draft: TemplateDraft) -> list[tuple[str | None, str]]:
    return [(draft.fields.get("source"), ref) for ref in draft.former_refs]


# The source of a template copied from a Violet export (another workspace's or instance's) that
# had none of its own; its source_ref is the exported id.
VIOLET_SOURCE = "violet"


def _origin_key(draft: TemplateDraft) -> tuple[str, str] | None:
    """`(violet, <exported id>)` for a Violet template without a source reference of its own."""
    if draft.key is None or draft.fields.get("source_ref"):
        return None
    return (VIOLET_SOURCE, draft.key)


def _copied_from(values: dict[str, Any]) -> str | None:
    """The id of the template a copy was made from (`(violet, <id>)`), as `matches` keys it."""
    if values.get("source") != VIOLET_SOURCE:
        return None
    try:
        return str(uuid.UUID(str(values.get("source_ref"))))
    except ValueError:
        return None


def _existing_templates(
    drafts: list[TemplateDraft],
) -> tuple[dict[Any, TestTemplate], dict[Any, TestTemplate]]:
    """Templates the drafts may match, keyed by exported id and by (source, source_ref): the
    live ones (which an import updates), and the deleted ones (which it leaves deleted).

    One statement whatever the number of drafts: each list is a single array parameter
    (`= ANY(...)`). A `(source, source_ref) IN (...)` of every pair exceeded PostgreSQL's stack
    depth from about 6,000 atomics (two pairs each), and its parameter limit after that. Source
    and reference are matched separately, so the rows may include a pair no draft names; the
    caller looks up only the pairs it has. Deleted templates come in the same statement; several
    may share a source key (the unique index holds for live ones only): any of them will do.
    """
    ids = {uuid.UUID(draft.key) for draft in drafts if draft.key}
    ids.update(uuid.UUID(found) for draft in drafts if (found := _copied_from(draft.fields)))
    source_keys = {key for draft in drafts if (key := _source_key(draft.fields))}
    source_keys.update(key for draft in drafts for key in _former_keys(draft))
    source_keys.update(origin for draft in drafts if (origin := _origin_key(draft)))
    conditions = []
    if ids:
        conditions.append(TestTemplate.id == any_(_array(sorted(ids), UUID(as_uuid=True))))
    if source_keys:
        # A NULL source matches nothing, as before: the unique index names a source.
        sources = sorted({source for source, _ in source_keys if source is not None})
        refs = sorted({source_ref for _, source_ref in source_keys})
        from_source = and_(
            TestTemplate.source == any_(_array(sources, Text())),
            TestTemplate.source_ref == any_(_array(refs, Text())),
        )
        # Live and deleted rows apart, though the same: each arm then reads its own partial
        # index (the unique one, live rows'; ix_test_templates_deleted_source_ref). As one
        # condition, neither index applied and PostgreSQL read the whole table.
        conditions += [
            and_(TestTemplate.deleted_at.is_(None), from_source),
            and_(TestTemplate.deleted_at.is_not(None), from_source),
        ]
    live: dict[Any, TestTemplate] = {}
    deleted: dict[Any, TestTemplate] = {}
    if not conditions:
        return live, deleted
    statement = including_deleted(with_tags(select(TestTemplate)).where(or_(*conditions)))
    for template in db.session.scalars(statement):
        matches = deleted if template.is_deleted else live
        matches[str(template.id)] = template
        if template.source_ref:
            matches[(template.source, template.source_ref)] = template
    return live, deleted


def _array(values: list[Any], item_type: Any) -> BindParameter[Any]:
    """A list as one array parameter (an IN list takes one parameter per item)."""
    return bindparam(None, values, type_=ARRAY(item_type))


def _unchanged(template: TestTemplate, values: dict[str, Any], keys: list) -> bool:
    for name, value in values.items():
        if name == "mitre":
            continue
        if name in LIST_FIELDS:
            value = list(dict.fromkeys(value or []))
        if getattr(template, name) != value:
            return False
    return mitre_tags.current_keys(template) == set(keys)


def live_templates() -> list[TestTemplate]:
    """Every live template with its tags, by name (what the export writes)."""
    statement = with_tags(select(TestTemplate)).order_by(TestTemplate.name, TestTemplate.id)
    return list(db.session.scalars(statement))
