"""Every list endpoint in one place: `?limit=&offset=&sort=` → `{items, total, limit, offset}`.

A list is one short declaration in two halves (docs/domains.md, "Lists"):

    # routes.py: the query schema (a PageQuery) and the item schema
    @require_perm("user.read")
    @list_response(blp, UserQuery, UserOut)
    def get(self, query):
        return directory.list_users(query)

    # service.py: a select() with the filters, the sortable columns and a tiebreaker
    return paginate(statement, query, sortable={...}, default_sort="email", tiebreaker=User.id)

Count, page, sort, tiebreaker and envelope happen here; the contract test
(tests/test_list_contract.py) checks every list operation of the OpenAPI spec.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import ColumnElement, Select, any_, bindparam, func, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapper, QueryableAttribute
from sqlalchemy.orm.util import AliasedInsp

from violet.core.errors import Unprocessable
from violet.core.models import PREPARED, execute_columns
from violet.core.serialization import CompiledSchema

View = TypeVar("View", bound=Callable[..., Any])
# A column to sort by: a mapped attribute (User.email) or any column expression.
SortColumn = ColumnElement[Any] | QueryableAttribute[Any]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1


class PageQuery(Schema):
    """Base for every list endpoint's query schema: subclass it and add the filters."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    # Bounded so PostgreSQL never sees an OFFSET beyond its integer range (a 500, not a 422).
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))
    sort = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "`field` ascending or `-field` descending; comma-separated."},
    )


@cache
def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The envelope schema for a list of `item_schema` (one class per item schema).

    Compiled (violet.core.serialization): every list is dumped by the fast path.
    """
    return CompiledSchema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Page",
    )


def order_by_clauses(
    sort: str | None, sortable: Mapping[str, SortColumn], default: str
) -> list[ColumnElement[Any]]:
    """Translate `sort=name,-created_at` into ORDER BY clauses; an unknown field, or one
    named twice (`name,-name` asks for two orders at once), → 422."""
    clauses: list[ColumnElement[Any]] = []
    seen: set[str] = set()
    for part in (sort or default).split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-+")
        if name not in sortable:
            allowed = ", ".join(sorted(sortable))
            raise Unprocessable(
                f"Unknown sort field '{name}'.",
                errors={"sort": [f"Unknown sort field '{name}'. Allowed: {allowed}."]},
            )
        if name in seen:
            message = f"Sort field '{name}' is given twice; give each field once."
            raise Unprocessable(message, errors={"sort": [message]})
        seen.add(name)
        column = sortable[name]
        clauses.append(column.desc() if descending else column.asc())
    return clauses


def list_response(
    blp: Blueprint, query_schema: type[PageQuery], item_schema: type[Schema]
) -> Callable[[View], View]:
    """Parse the list query (`query_schema`) and answer a page of `item_schema` objects."""

    def decorator(view: View) -> View:
        view = blp.response(200, page_of(item_schema))(view)
        return blp.arguments(query_schema, location="query")(view)

    return decorator


# The page's rows carry the count of the whole result (a window over it, computed before LIMIT).
TOTAL_LABEL = "violet_total"


def paginate(
    statement: Select[Any],
    query: Mapping[str, Any],
    *,
    sortable: Mapping[str, SortColumn],
    default_sort: str,
    tiebreaker: SortColumn,
    parameters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run `statement` as one page: one SQL statement whatever the page size, the total counted
    by `count(*) OVER ()` beside each row (a second statement counts only when the page is
    empty past the first, where no row can carry it).

    A statement of one entity gives its objects; a statement of columns gives a dict per row
    (much cheaper: lists select the columns they show, see `attach_related` for relations).

    `query` is the loaded PageQuery (`limit`, `offset`, `sort`). `tiebreaker` (a unique column,
    usually the primary key) keeps pages stable when sort values repeat. The statement must not
    be DISTINCT (the window would count the rows before DISTINCT removes any). A `prepared`
    statement (core/models.py) gets its page statement built once per sort, and `parameters`
    gives the values of its bind parameters.
    """
    if statement._distinct:
        raise ValueError("paginate() counts with a window function: no DISTINCT statements.")
    limit, offset = query["limit"], query["offset"]
    page_statement = _page_statement(statement, query["sort"], sortable, default_sort, tiebreaker)
    keys, rows = execute_select(
        page_statement, {**(parameters or {}), PAGE_LIMIT: limit, PAGE_OFFSET: offset}
    )
    # Every row carries the total as its last column, which zip() leaves out of the items.
    if len(keys) == 2:  # one entity (or one column) and the total: its values
        items: list[Any] = [row[0] for row in rows]
    else:  # columns: a plain dict per row, no ORM objects to build
        names = keys[:-1]
        items = [dict(zip(names, row, strict=False)) for row in rows]
    total = rows[0][-1] if rows else 0
    if not items and offset:
        total = _count(statement, parameters)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def given(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters that have a value: for a prepared list, their names are its statement's shape
    (`frozenset(given(...))`) and they are the values of its parameters."""
    return {name: value for name, value in filters.items() if value is not None}


PAGE_LIMIT, PAGE_OFFSET = "violet_limit", "violet_offset"
# Page statements remembered per prepared statement: one per sort asked (bounded all the same).
MAX_SORTS_REMEMBERED = 64
_PAGES: weakref.WeakKeyDictionary[Select[Any], dict[str | None, Select[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _page_statement(
    statement: Select[Any],
    sort: str | None,
    sortable: Mapping[str, SortColumn],
    default_sort: str,
    tiebreaker: SortColumn,
) -> Select[Any]:
    """`statement` ordered by `sort`, with the total beside each row and the page's limit and
    offset as parameters; for a prepared statement, built once per sort."""
    is_prepared = statement.get_execution_options().get(PREPARED, False)
    pages = _PAGES.get(statement) if is_prepared else None
    if pages is not None and sort in pages:
        return pages[sort]
    page = (
        statement.order_by(*order_by_clauses(sort, sortable, default_sort), tiebreaker)
        .add_columns(func.count().over().label(TOTAL_LABEL))
        .limit(bindparam(PAGE_LIMIT))
        .offset(bindparam(PAGE_OFFSET))
    )
    if is_prepared:
        pages = _PAGES.setdefault(statement, {})
        if len(pages) < MAX_SORTS_REMEMBERED:
            pages[sort] = page
    return page


def _count(statement: Select[Any], parameters: Mapping[str, Any] | None) -> int:
    from violet.extensions import db

    # The count carries the statement's options (include_deleted, all_workspaces), which a
    # subquery alone would lose.
    count_statement = (
        select(func.count())
        .select_from(statement.order_by(None).subquery())
        .execution_options(**statement.get_execution_options())
    )
    return int(db.session.execute(count_statement, parameters or {}).scalar_one())


def attach_related(
    items: list[dict[str, Any]],
    name: str,
    related: Select[Any],
    parent: SortColumn,
) -> None:
    """Set `item[name]` to the list of `related` rows (as dicts) whose `parent` is the item's id.

    One statement for the whole page (`parent = ANY(:ids)`: the ids go as one array parameter,
    not one bound value each), none for an empty page; `related` gives the columns and the order
    of each list. A `prepared` one (core/models.py) has that statement built once.
    """
    children: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    if items:
        ids = [item["id"] for item in items]
        keys, rows = execute_select(_related_statement(related, parent), {PARENT_IDS: ids})
        # The parent's id is the last column, which zip() leaves out of the child.
        names = keys[:-1]
        for row in rows:
            children[row[-1]].append(dict(zip(names, row, strict=False)))
    for item in items:
        item[name] = children[item["id"]]


PARENT_IDS, PARENT_LABEL = "violet_parent_ids", "violet_parent_id"
_RELATED: weakref.WeakKeyDictionary[Select[Any], Select[Any]] = weakref.WeakKeyDictionary()


def _related_statement(related: Select[Any], parent: SortColumn) -> Select[Any]:
    """`related` with its parent's id, for the parents `PARENT_IDS`; built once if prepared."""
    found = _RELATED.get(related)
    if found is None:
        ids = bindparam(PARENT_IDS, type_=ARRAY(parent.type))
        found = related.add_columns(parent.label(PARENT_LABEL)).where(parent == any_(ids))
        if related.get_execution_options().get(PREPARED, False):
            _RELATED[related] = found
    return found


def execute_select(
    statement: Select[Any], parameters: Mapping[str, Any]
) -> tuple[list[str], Sequence[Any]]:
    """Run a select: the names of its columns and all its rows. A prepared one of columns only
    runs on the Session's connection (`execute_columns`: the same rows and criteria, a tenth
    less CPU for a light list), any other through the Session. Every list's statements take
    it (the pages, `attach_related`, the mission list's progress)."""
    from violet.extensions import db

    names = _column_names(statement)
    if names is not None and statement.get_execution_options().get(PREPARED, False):
        return names, execute_columns(db.session(), statement, parameters)
    result = db.session.execute(statement, parameters)
    # An entity's rows come once per object (a collection loaded by join repeats its parent).
    return list(result.keys()), (result.unique() if names is None else result).all()


def _column_names(statement: Select[Any]) -> list[str] | None:
    """The names a statement's columns get in the Session's results (a column property's is
    its attribute's, which a Core result does not know), or None if it selects an entity;
    looked at once per prepared statement."""
    if statement in _COLUMN_NAMES:
        return _COLUMN_NAMES[statement]
    columns = statement.column_descriptions
    entity = any(
        isinstance(inspect(column["expr"], raiseerr=False), Mapper | AliasedInsp)
        for column in columns
    )
    names = None if entity else [column["name"] for column in columns]
    if statement.get_execution_options().get(PREPARED, False):
        _COLUMN_NAMES[statement] = names
    return names


_COLUMN_NAMES: weakref.WeakKeyDictionary[Select[Any], list[str] | None] = (
    weakref.WeakKeyDictionary()
)
