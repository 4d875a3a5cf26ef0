"""Test templates: CRUD with MITRE tags, the filtered list, soft delete and restore."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, bindparam, case, distinct, func, or_, select
from sqlalchemy.orm import selectinload

from violet.core.errors import Conflict, NotFound, Unprocessable
from violet.core.models import including_deleted, prepared
from violet.core.pagination import attach_related, given, paginate
from violet.core.search import contains_any_parameter, like_pattern
from violet.extensions import db
from violet.library.models import (
    MITRE_KINDS,
    ScenarioTemplate,
    TestTemplate,
    TestTemplateMitreTag,
)
from violet.library.service import mitre_tags
from violet.mitre.models import (
    MitreSubtechnique,
    MitreTactic,
    MitreTechnique,
    MitreTechniqueTactic,
)

# Written as given; the lists are de-duplicated, `mitre` goes through the catalogue.
PLAIN_FIELDS = (
    "name",
    "description",
    "procedure",
    "cleanup",
    "prerequisites",
    "expected_detection",
    "opsec_level",
    "source",
    "source_ref",
    "input_arguments",
)
LIST_FIELDS = ("platforms", "tags", "references")
SORTABLE = {
    "name": TestTemplate.name,
    "created_at": TestTemplate.created_at,
    "updated_at": TestTemplate.updated_at,
    "opsec_level": TestTemplate.opsec_level,
}


def with_tags(statement: Select[Any]) -> Select[Any]:
    """Load each template's tags and their catalogue objects in one more statement: of those,
    only what a tag shows (not the descriptions, which made a page's tags 20× heavier)."""
    links = selectinload(TestTemplate.mitre_links)
    return statement.options(
        *(
            links.joinedload(relationship).load_only(model.external_id, model.name, model.url)
            for relationship, model in (
                (TestTemplateMitreTag.tactic, MitreTactic),
                (TestTemplateMitreTag.technique, MitreTechnique),
                (TestTemplateMitreTag.subtechnique, MitreSubtechnique),
            )
        )
    )


def get_template(
    template_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> TestTemplate:
    statement = including_deleted(
        with_tags(select(TestTemplate)).where(TestTemplate.id == template_id), include_deleted
    )
    if for_update:
        statement = statement.with_for_update(of=TestTemplate)
    template = db.session.scalar(statement.execution_options(populate_existing=True))
    if template is None:
        raise NotFound("No such test template.")
    return template


# What a list item shows (TestTemplateOut), selected as columns: no TestTemplate objects.
TEMPLATE_LIST_COLUMNS = (
    TestTemplate.id,
    *(getattr(TestTemplate, name) for name in (*PLAIN_FIELDS, *LIST_FIELDS)),
    TestTemplate.input_arguments,
    TestTemplate.version,
    TestTemplate.created_at,
    TestTemplate.created_by,
    TestTemplate.updated_at,
    TestTemplate.updated_by,
    TestTemplate.deleted_at,
)


def _tag_rows() -> Select[Any]:
    """A tag as its kind and what its catalogue object shows, in the tags' order (tactics,
    techniques, sub-techniques, each by ATT&CK id): the rows of `mitre_tags` in a list."""
    link = TestTemplateMitreTag
    targets = (MitreTactic, MitreTechnique, MitreSubtechnique)
    kind = case(
        (link.tactic_id.is_not(None), "tactic"),
        (link.technique_id.is_not(None), "technique"),
        else_="subtechnique",
    )
    external_id = func.coalesce(*(target.external_id for target in targets))
    statement = (
        select(
            kind.label("kind"),
            external_id.label("external_id"),
            func.coalesce(*(target.name for target in targets)).label("name"),
            func.coalesce(*(target.url for target in targets)).label("url"),
        )
        .select_from(link)
        .outerjoin(MitreTactic, MitreTactic.id == link.tactic_id)
        .outerjoin(MitreTechnique, MitreTechnique.id == link.technique_id)
        .outerjoin(MitreSubtechnique, MitreSubtechnique.id == link.subtechnique_id)
        .order_by(
            case({name: index for index, name in enumerate(MITRE_KINDS)}, value=kind),
            external_id,
        )
    )
    return cast(Select[Any], statement)


# The page's tags (core.attach_related), built once.
_TAG_ROWS = prepared(_tag_rows())


def list_templates(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of templates; filters `q`, `tactic`, `technique`, `subtechnique`, `opsec`, `tag`,
    `platform`, `include_deleted`. Two statements (the page's columns with its total, then the
    page's tags) whatever the page size.
    """

    def attack_id(name: str) -> str | None:
        return query[name].strip().upper() if query.get(name) else None

    filters = {
        "q": like_pattern(query["q"]) if query.get("q") else None,
        "tactic": attack_id("tactic"),
        "technique": attack_id("technique"),
        "subtechnique": attack_id("subtechnique"),
        "opsec": query.get("opsec") or None,
        "tag": [query["tag"]] if query.get("tag") else None,
        "platform": [query["platform"]] if query.get("platform") else None,
    }
    parameters = given(filters)
    page = paginate(
        _list_statement(frozenset(parameters), include_deleted=query["include_deleted"]),
        query,
        sortable=SORTABLE,
        default_sort="name",
        tiebreaker=TestTemplate.id,
        parameters=parameters,
    )
    attach_related(page["items"], "mitre_tags", _TAG_ROWS, TestTemplateMitreTag.test_template_id)
    return page


@lru_cache(maxsize=256)
def _list_statement(filters: frozenset[str], *, include_deleted: bool) -> Select[Any]:
    """The list's statement for one shape (the filters used), built once: their values are the
    parameters of the same names (`q` a `like_pattern`, ATT&CK ids in capitals, `tag` and
    `platform` one-item lists)."""
    statement = including_deleted(
        cast(Select[Any], select(*TEMPLATE_LIST_COLUMNS)), include_deleted
    )
    if "q" in filters:
        statement = statement.where(
            contains_any_parameter(
                "q", TestTemplate.name, TestTemplate.description, TestTemplate.procedure
            )
        )
    for name, tagged_with in (
        ("tactic", tagged_with_tactic),
        ("technique", tagged_with_technique),
        ("subtechnique", tagged_with_subtechnique),
    ):
        if name in filters:
            statement = statement.where(TestTemplate.id.in_(tagged_with(bindparam(name))))
    if "opsec" in filters:
        statement = statement.where(TestTemplate.opsec_level == bindparam("opsec"))
    for name, column in (("tag", TestTemplate.tags), ("platform", TestTemplate.platforms)):
        if name in filters:
            statement = statement.where(column.contains(bindparam(name, type_=column.type)))
    return prepared(statement)


def _ids(model: Any, external_id: Any) -> Select[Any]:
    """`model`'s ids with this ATT&CK id: a value in capitals, or a bind parameter's."""
    return select(model.id).where(model.external_id == external_id)


def tagged_with_subtechnique(external_id: Any) -> Select[Any]:
    return select(TestTemplateMitreTag.test_template_id).where(
        TestTemplateMitreTag.subtechnique_id.in_(_ids(MitreSubtechnique, external_id))
    )


def tagged_with_technique(external_id: Any) -> Select[Any]:
    """Templates tagged with the technique or with any of its sub-techniques; given a
    sub-technique's id (T1059.001), those tagged with that sub-technique, as `subtechnique=`
    and the mission tests' `technique=` filter do (it found nothing)."""
    technique_ids = _ids(MitreTechnique, external_id)
    return select(TestTemplateMitreTag.test_template_id).where(
        or_(
            TestTemplateMitreTag.technique_id.in_(technique_ids),
            TestTemplateMitreTag.subtechnique_id.in_(
                select(MitreSubtechnique.id).where(
                    MitreSubtechnique.technique_id.in_(technique_ids)
                )
            ),
            TestTemplateMitreTag.subtechnique_id.in_(_ids(MitreSubtechnique, external_id)),
        )
    )


def tagged_with_tactic(external_id: Any) -> Select[Any]:
    """Templates tagged with the tactic, or a technique in it, or a sub-technique of one."""
    techniques_in_tactic = select(MitreTechniqueTactic.technique_id).where(
        MitreTechniqueTactic.tactic_id.in_(_ids(MitreTactic, external_id))
    )
    return select(TestTemplateMitreTag.test_template_id).where(
        or_(
            TestTemplateMitreTag.tactic_id.in_(_ids(MitreTactic, external_id)),
            TestTemplateMitreTag.technique_id.in_(techniques_in_tactic),
            TestTemplateMitreTag.subtechnique_id.in_(
                select(MitreSubtechnique.id).where(
                    MitreSubtechnique.technique_id.in_(techniques_in_tactic)
                )
            ),
        )
    )


def resolve_tags(
    tags: list[dict[str, str]], kept: Iterable[mitre_tags.TagKey] = ()
) -> tuple[list[mitre_tags.TagKey], dict]:
    """The tag keys and their catalogue objects; 422 naming every id that cannot be a tag, or
    that ATT&CK has revoked or deprecated unless the template has it already (`kept`): a sync
    that retires a tag leaves its templates editable, with the tag or without it."""
    keys = mitre_tags.tag_keys(tags)
    found = mitre_tags.lookup(keys)
    messages = mitre_tags.problems(keys, found) + mitre_tags.retired(keys, found, kept)
    if messages:
        raise Unprocessable(f"Invalid MITRE tags: {' '.join(messages)}", errors={"mitre": messages})
    return keys, found


def apply_fields(template: TestTemplate, values: dict[str, Any]) -> None:
    """Write the plain and list fields present in `values` (PATCH semantics)."""
    for name in PLAIN_FIELDS:
        if name in values:
            setattr(template, name, values[name])
    for name in LIST_FIELDS:
        if name in values:
            setattr(template, name, list(dict.fromkeys(values[name] or [])))


def create_template(
    workspace_id: uuid.UUID, values: dict[str, Any], *, as_tagged: bool = False
) -> TestTemplate:
    """A new template. `as_tagged`: its tags are copied from a record (a mission's test saved
    as a scenario), so tags ATT&CK has revoked or deprecated since are kept as they were, as a
    library import keeps them, rather than refused as tags a user adds."""
    tags = values.get("mitre", [])
    keys, found = resolve_tags(tags, kept=mitre_tags.tag_keys(tags) if as_tagged else ())
    template = TestTemplate(workspace_id=workspace_id, mitre_links=[])
    apply_fields(template, values)
    mitre_tags.set_tags(template, keys, found)
    _check_source_ref_free(template)
    db.session.add(template)
    db.session.flush()
    return template


def update_template(template: TestTemplate, changes: dict[str, Any]) -> TestTemplate:
    """PATCH: absent keys stay, `null` clears, `mitre` replaces the tag set.

    A stale If-Match is refused at flush (core/versioning.py), before anything is written.
    """
    if "name" in changes and changes["name"] is None:
        raise Unprocessable("A template needs a name.", errors={"name": ["Field may not be null."]})
    if "mitre" in changes:
        keys, found = resolve_tags(changes["mitre"], kept=mitre_tags.current_keys(template))
        mitre_tags.set_tags(template, keys, found)
    apply_fields(template, changes)
    if "source" in changes or "source_ref" in changes:
        _check_source_ref_free(template)
    db.session.flush()
    return template


def delete_template(template: TestTemplate) -> None:
    """Soft delete: gone from lists and reads, still in the scenarios that use it."""
    template.soft_delete()
    db.session.flush()


def restore_template(template: TestTemplate) -> TestTemplate:
    if template.is_deleted:
        template.restore()
        _check_source_ref_free(template)
        db.session.flush()
    return template


def _check_source_ref_free(template: TestTemplate) -> None:
    """One live template per source item (an import finds it again by that key)."""
    if template.source_ref is None:
        return
    statement = select(TestTemplate.id).where(
        TestTemplate.source == template.source, TestTemplate.source_ref == template.source_ref
    )
    if template.id is not None:
        statement = statement.where(TestTemplate.id != template.id)
    with db.session.no_autoflush:  # check before the unique index would refuse the flush
        taken = db.session.scalar(statement.limit(1)) is not None
    if taken:
        raise Conflict(
            f"Another live template already comes from {template.source} {template.source_ref}.",
            errors={"source_ref": ["Another live template has this source reference."]},
        )


def summary() -> dict[str, int]:
    """Counts for the home page: live templates, scenarios, and the techniques they cover.

    Three plain ORM queries over the models, so the core's live-rows and workspace scoping apply
    to each (a technique counts when tagged directly or through one of its sub-techniques).
    """
    covered_technique = func.coalesce(
        TestTemplateMitreTag.technique_id, MitreSubtechnique.technique_id
    )
    # TestTemplate must appear among the selected columns: the core scopes a statement to the
    # workspace when a tenant model is at its top level, and a join alone is not.
    techniques = (
        select(func.count(distinct(covered_technique)), func.count(distinct(TestTemplate.id)))
        .select_from(TestTemplate)
        .join(TestTemplateMitreTag, TestTemplateMitreTag.test_template_id == TestTemplate.id)
        .outerjoin(MitreSubtechnique, MitreSubtechnique.id == TestTemplateMitreTag.subtechnique_id)
        .where(TestTemplateMitreTag.tactic_id.is_(None))
    )
    return {
        "test_templates": db.session.scalar(select(func.count(TestTemplate.id))) or 0,
        "scenario_templates": db.session.scalar(select(func.count(ScenarioTemplate.id))) or 0,
        "techniques_covered": db.session.execute(techniques).one()[0],
    }
