"""Workspaces, the tenant boundary: tenant-owned tables, the request's workspace, and scoping.

A workspace is one organisation, client or business unit. Every tenant-owned table mixes in
`TenantMixin` (an indexed, NOT NULL `workspace_id`), and the core scopes every ORM query of such a
table to the workspace the code acts in, so a view or service cannot forget it:

- in a request, the workspace is resolved once, on first need, from the `X-Violet-Workspace`
  header (id or slug) or else the caller's default; a workspace the caller does not belong to is
  404 (`current_workspace()`);
- outside a request (CLI, seeds, tests) code says where it acts with `acting_in(workspace_id)`;
- maintenance that must see every workspace opts out per statement with
  `.execution_options(all_workspaces=True)`.

A tenant-table query with none of these raises `NoWorkspaceScope` (fail closed) instead of
returning every workspace's rows. Service functions still take the workspace explicitly and set
`workspace_id` on the rows they create; writing a row into another workspace than the one acted
in is refused at flush.

How a caller and a header become a workspace is the workspaces domain's business: it registers a
callable with `set_workspace_resolver` at start-up, so `core` never imports a domain package.
It also registers the select behind that callable, which the authenticator runs within its own
statement (`request_workspace_query`): authentication and the request's workspace then cost one
round trip together, and `current_workspace()` runs no SQL of its own unless that found nothing.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import ForeignKey, Index, Select, event, text
from sqlalchemy.orm import (
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql.base import ExecutableOption

from violet.core.auth import PRINCIPAL_KEY, Principal, current_principal
from violet.core.input_guard import UNSTORABLE
from violet.core.models import DEFAULT_CRITERIA, StatementState

WORKSPACE_HEADER = "X-Violet-Workspace"
# Execution option for the rare statement that must see every workspace (deleting a workspace
# counts its content). Grep for it when reviewing.
ALL_WORKSPACES = "all_workspaces"
RESOLVER_KEY = "violet.workspace_resolver"
QUERY_KEY = "violet.workspace_query"
# Like the Principal, the request's workspace lives in the WSGI environ (never outlives it).
WORKSPACE_KEY = "violet.workspace"


class NoWorkspaceScope(RuntimeError):
    """A tenant table was queried or written with no workspace to act in (a programming error)."""


@dataclass(frozen=True)
class CurrentWorkspace:
    id: uuid.UUID
    slug: str
    name: str


# (principal, the X-Violet-Workspace header or None) → the workspace, or NotFound raised.
WorkspaceResolver = Callable[[Principal, str | None], CurrentWorkspace]
# The select behind the resolver, built once (values as parameters), and its parameters for
# (the user, the workspace an API token is bound to or None, the header or None).
WorkspaceStatement = Callable[[], Select[uuid.UUID, str, str]]
WorkspaceParameters = Callable[[uuid.UUID, uuid.UUID | None, str | None], dict[str, Any]]


class TenantMixin:
    """A tenant-owned row: it belongs to exactly one workspace, for good.

    Lists sort within a workspace, so give each sortable column a composite index with
    `workspace_index(...)`.
    """

    @declared_attr
    def workspace_id(cls) -> Mapped[uuid.UUID]:
        # RESTRICT: workspaces are soft-deleted; a hard delete must not take tenant data along.
        return mapped_column(ForeignKey("workspaces.id", ondelete="RESTRICT"), index=True)


def workspace_index(table_name: str, *columns: str, live_only: bool = False) -> Index:
    """`ix_<table>_workspace_<columns>` on (workspace_id, *columns), for lists sorted by them.

    `live_only` makes it partial (`WHERE deleted_at IS NULL`) for soft-deletable tables.
    """
    where = text("deleted_at IS NULL") if live_only else None
    return Index(
        f"ix_{table_name}_workspace_{'_'.join(columns)}",
        "workspace_id",
        *columns,
        postgresql_where=where,
    )


def tenant_models() -> list[type[TenantMixin]]:
    """Every mapped tenant-owned model (so a count over "all tenant data" needs no list)."""
    found: list[type[TenantMixin]] = []
    pending = list(TenantMixin.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if "__mapper__" in vars(model) or hasattr(model, "__table__"):
            found.append(model)
    return list(dict.fromkeys(found))


# --- the workspace code acts in --------------------------------------------------------------

_acting_in: ContextVar[uuid.UUID | None] = ContextVar("violet_acting_in", default=None)


def set_workspace_resolver(
    app: Any,
    resolver: WorkspaceResolver,
    statement: WorkspaceStatement | None = None,
    parameters: WorkspaceParameters | None = None,
) -> None:
    """`resolver` answers `current_workspace()`; `statement` and `parameters`, the select it
    runs, let the authenticator find the workspace in its own statement."""
    app.extensions[RESOLVER_KEY] = resolver
    if statement is not None and parameters is not None:
        app.extensions[QUERY_KEY] = (statement, parameters)


def request_workspace_query(
    user_id: uuid.UUID, bound_to: uuid.UUID | None
) -> tuple[Select[uuid.UUID, str, str], dict[str, Any]] | None:
    """For an authenticator: the select of the workspace this request would act in (the same
    object every time) and its parameters, for the user and an API token's `bound_to`.

    The authenticator joins it to its own statement and hands what it found to
    `remember_workspace`. None outside a request or without a registered query.
    """
    query = current_app.extensions.get(QUERY_KEY)
    if query is None or not has_request_context():
        return None
    requested = request.headers.get(WORKSPACE_HEADER)
    if requested is not None and UNSTORABLE.search(requested):
        return None  # PostgreSQL would refuse it here: left to current_workspace()
    statement, parameters = query
    return statement(), parameters(user_id, bound_to, requested)


def remember_workspace(workspace: CurrentWorkspace | None) -> None:
    """The request's workspace, found with authentication. None (no workspace found) leaves it
    to `current_workspace()`, whose resolver says why in its 404, should the request need one."""
    if workspace is not None:
        request.environ[WORKSPACE_KEY] = workspace


def resolve_workspace(principal: Principal, reference: str | None) -> CurrentWorkspace:
    """The workspace `reference` (id or slug; None: the default) names for `principal`, or 404."""
    resolver: WorkspaceResolver = current_app.extensions[RESOLVER_KEY]
    return resolver(principal, reference)


def current_workspace() -> CurrentWorkspace:
    """The workspace this request acts in, resolved once per request (404 if not the caller's).

    Needs an authenticated request (`@require_auth` / `@require_perm` on the view).
    """
    workspace = request.environ.get(WORKSPACE_KEY)
    if workspace is None:
        workspace = resolve_workspace(current_principal(), request.headers.get(WORKSPACE_HEADER))
        request.environ[WORKSPACE_KEY] = workspace
    return workspace


def current_workspace_id() -> uuid.UUID:
    return current_workspace().id


@contextmanager
def acting_in(workspace_id: uuid.UUID) -> Iterator[None]:
    """Act in `workspace_id` outside a request (CLI, seeds, tests); wins over the request's."""
    token = _acting_in.set(workspace_id)
    try:
        yield
    finally:
        _acting_in.reset(token)


def scope_workspace_id() -> uuid.UUID:
    """The workspace that tenant queries are scoped to right now, or NoWorkspaceScope."""
    explicit = _acting_in.get()
    if explicit is not None:
        return explicit
    if has_request_context() and request.environ.get(PRINCIPAL_KEY) is not None:
        return current_workspace_id()
    raise NoWorkspaceScope(
        "A tenant-owned table was used with no workspace: call it from an authenticated "
        "request, inside acting_in(workspace_id), or with all_workspaces=True."
    )


# --- scoping applied by the core, next to the live-rows default (core/models.py) --------------


def workspace_criteria(state: StatementState) -> ExecutableOption | None:
    """`workspace_id = <acting workspace>` for every ORM statement over a tenant table (one of
    core/models.py's DEFAULT_CRITERIA, applied to every statement)."""
    if not (state.is_select or state.is_update or state.is_delete):
        return None
    # Refreshing attributes of a row already loaded (and so already in scope) needs no scope.
    if state.is_column_load or state.execution_options.get(ALL_WORKSPACES, False):
        return None
    known = _known_workspace_id()
    if known is not None:
        # The criteria change nothing in a statement over instance-wide tables only, and adding
        # them costs less than finding out which tables a statement built per request reads.
        return _criteria_of(known)
    if not _touches_tenant_table(state):
        return None
    return _criteria_of(scope_workspace_id())


def _known_workspace_id() -> uuid.UUID | None:
    """The workspace scope already known (acted in, or found with authentication), else None;
    never resolves one (an instance-wide read must not fail on a bad workspace header)."""
    explicit = _acting_in.get()
    if explicit is not None:
        return explicit
    if has_request_context():
        workspace = request.environ.get(WORKSPACE_KEY)
        return workspace.id if workspace is not None else None
    return None


@lru_cache(maxsize=1024)
def _criteria_of(workspace_id: uuid.UUID) -> ExecutableOption:
    """The workspace's criteria, built once per workspace rather than at every statement."""
    return with_loader_criteria(
        TenantMixin, lambda cls: cls.workspace_id == workspace_id, include_aliases=True
    )


DEFAULT_CRITERIA.append(workspace_criteria)


def _touches_tenant_table(state: StatementState) -> bool:
    """Whether the statement involves a tenant-owned mapper (other queries need no scope).

    Remembered per statement object: one built once and run on every request (authentication's)
    is looked at once, not at each execution.
    """
    statement = state.statement
    touches = _TOUCHES_TENANT_TABLE.get(statement)
    if touches is None:
        touches = any(issubclass(mapper.class_, TenantMixin) for mapper in state.all_mappers)
        _TOUCHES_TENANT_TABLE[statement] = touches
    return touches


_TOUCHES_TENANT_TABLE: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


@event.listens_for(Session, "before_flush")
def _check_rows_written(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse to write a tenant row into another workspace than the one acted in."""
    # `session.new` builds a new set at each call: read once, not once per row (an import of
    # thousands of templates spent most of its flush here).
    written = [row for row in session.new if isinstance(row, TenantMixin)]
    written += [
        row for row in session.dirty if isinstance(row, TenantMixin) and session.is_modified(row)
    ]
    if not written:
        return
    workspace_id = scope_workspace_id()
    for row in written:
        # Services set it explicitly: a forgotten workspace is a bug, not a default.
        if row.workspace_id != workspace_id:
            raise NoWorkspaceScope(
                f"{type(row).__name__} of workspace {row.workspace_id} written while acting in "
                f"workspace {workspace_id}."
            )
