"""Workspaces: who may see and change which, membership, and the request's current workspace.

The rules (docs/api.md, "Workspaces"):
- A user sees the workspaces they belong to; `workspace.read_all` sees every one. A workspace the
  caller may not see is 404, whatever the operation.
- Acting in a workspace (the `X-Violet-Workspace` header, tenant-owned data) needs membership;
  `workspace.read_all` does not open another workspace's data.
- `workspace.manage` creates, renames, deletes workspaces and sets their members, but only for
  workspaces the caller can see: no one opens a workspace they cannot reach themselves.
- An API token bound to a workspace acts only there: every other workspace is 404 to it, and it
  cannot create workspaces.
- The default workspace (new users join it) cannot be deleted; a workspace keeps one member at
  least; deleting a workspace that still holds data needs `confirm=true`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    Uuid,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    true,
    update,
)

from violet.auth.models import User
from violet.core import audit
from violet.core.auth import Principal, current_principal_or_none
from violet.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from violet.core.events import publish
from violet.core.models import including_deleted
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.core.tenancy import ALL_WORKSPACES, CurrentWorkspace, tenant_models
from violet.extensions import db
from violet.workspaces.events import WORKSPACE_CREATED, WORKSPACE_MEMBERS_REMOVED
from violet.workspaces.models import DEFAULT_SLUG, Workspace, WorkspaceMember

READ_ALL = "workspace.read_all"


# --- the request's workspace -----------------------------------------------------------------


def resolve(principal: Principal, requested: str | None) -> CurrentWorkspace:
    """The workspace a request acts in: `requested` (id or slug), else the caller's default.

    One statement (`workspace_statement`), which authentication usually runs already inside its
    own (core/tenancy.py). A workspace the caller does not belong to, a deleted one, or (API
    token bound to a workspace) any other one → 404.
    """
    parameters = workspace_parameters(principal.user_id, principal.workspace_id, requested)
    row = db.session.execute(workspace_statement(), parameters).first()
    if row is None:
        if principal.workspace_id is not None:
            raise NotFound(_bound_token_refusal(principal, requested))
        if requested:
            raise NotFound(f"No workspace '{requested.strip()[:100]}' that you belong to.")
        raise NotFound("You belong to no workspace: ask an administrator to add you to one.")
    return CurrentWorkspace(id=row.id, slug=row.slug, name=row.name)


def _bound_token_refusal(principal: Principal, requested: str | None) -> str:
    """Why a token bound to a workspace cannot act where it was asked: "that you belong to"
    would mislead its author, whose owner may well belong to the workspace named."""
    bound_slug = db.session.scalar(
        select(Workspace.slug)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(
            Workspace.id == principal.workspace_id,
            WorkspaceMember.user_id == principal.user_id,
            Workspace.deleted_at.is_(None),
        )
    )
    if bound_slug is None:  # the owner left it, or it was deleted: the token acts nowhere now
        return (
            f"This API token is bound to the workspace {principal.workspace_id}, which its "
            "owner no longer belongs to or which was deleted: it can act nowhere. Create a "
            "token for a workspace you belong to."
        )
    return (
        f"This API token is bound to the workspace '{bound_slug}' and acts only there, not in "
        f"'{(requested or '').strip()[:100]}': send no X-Violet-Workspace header (or "
        f"'{bound_slug}'), or use a token bound to that workspace."
    )


@cache
def workspace_statement() -> Select[uuid.UUID, str, str]:
    """The id, slug and name of the workspace a request acts in (at most one row).

    Built once (every request runs it): the values are parameters, `workspace_parameters`.
    Of the caller's live workspaces, the one the token is bound to and the request names, if
    any; else the preferred one, else the instance default, else the first by name.
    """

    def unless_null(name: str, column: Any, type_: Any) -> Any:
        # Cast, since PostgreSQL cannot tell the type of a bare `$1 IS NULL`; to TEXT for the
        # slug, since VARCHAR(n) would cut a longer value down to one that matches.
        value = cast(bindparam(name), type_)
        return or_(value.is_(None), column == value)

    return (
        select(Workspace.id, Workspace.slug, Workspace.name)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(
            WorkspaceMember.user_id == bindparam("workspace_user_id"),
            # Said here too: the ORM's soft-delete filter does not reach this select when
            # authentication runs it as a subquery of its own statement.
            Workspace.deleted_at.is_(None),
            unless_null("workspace_bound_to", Workspace.id, Uuid()),
            unless_null("workspace_requested_id", Workspace.id, Uuid()),
            unless_null("workspace_requested_slug", Workspace.slug, Text()),
        )
        .order_by(WorkspaceMember.preferred.desc(), Workspace.is_default.desc(), Workspace.name)
        .limit(1)
    )


def workspace_parameters(
    user_id: uuid.UUID, bound_to: uuid.UUID | None, requested: str | None
) -> dict[str, Any]:
    """`workspace_statement`'s values: `requested` (the header) names an id or else a slug."""
    reference = (requested or "").strip()
    requested_id, requested_slug = None, None
    if reference:
        try:
            requested_id = uuid.UUID(reference)
        except ValueError:
            requested_slug = reference.lower()
    return {
        "workspace_user_id": user_id,
        "workspace_bound_to": bound_to,
        "workspace_requested_id": requested_id,
        "workspace_requested_slug": requested_slug,
    }


def set_preferred(principal: Principal, workspace_id: uuid.UUID) -> CurrentWorkspace:
    """Make `workspace_id` the caller's default workspace (the SPA's switcher remembers it).

    Not through an API token: the default decides where the owner's other unbound tokens act,
    so a leaked token, even one without permissions, could send another job's writes to
    another workspace. A token names its workspace with `X-Violet-Workspace` instead."""
    if principal.api_token_id is not None:
        raise Forbidden(
            "An API token cannot change its owner's default workspace: send the header "
            "X-Violet-Workspace with each request, or sign in to choose the default."
        )
    chosen = resolve(principal, str(workspace_id))
    # Two statements: the unique index on the preferred row is checked row by row.
    mine = update(WorkspaceMember).where(WorkspaceMember.user_id == principal.user_id)
    db.session.execute(mine.where(WorkspaceMember.preferred).values(preferred=False))
    db.session.execute(mine.where(WorkspaceMember.workspace_id == chosen.id).values(preferred=True))
    return chosen


# --- seeds: nothing to learn for a single team -----------------------------------------------


def seed_default_workspace() -> None:
    """Seed step (first start, reset)."""
    ensure_default_workspace()


def ensure_default_workspace() -> Workspace:
    """First start: the workspace `default`, holding every user (idempotent)."""
    workspace = default_workspace()
    if workspace is not None:
        return workspace
    workspace = Workspace(name="Default", slug=_free_slug(DEFAULT_SLUG), is_default=True)
    db.session.add(workspace)
    db.session.flush()
    user_ids = db.session.scalars(select(User.id))
    db.session.add_all(WorkspaceMember(workspace_id=workspace.id, user_id=uid) for uid in user_ids)
    db.session.flush()
    publish(WORKSPACE_CREATED, workspace_id=workspace.id)
    return workspace


def default_workspace() -> Workspace | None:
    return db.session.scalar(select(Workspace).where(Workspace.is_default.is_(True)))


def _free_slug(slug: str) -> str:
    taken = set(db.session.scalars(select(Workspace.slug).where(Workspace.slug.like(f"{slug}%"))))
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def place_new_user(user_id: uuid.UUID, workspace_ids: list[uuid.UUID] | None = None) -> None:
    """Handler of the auth domain's `user.created`: new users join the default workspace, or
    the workspaces they were created into, each one the creator can see (422 otherwise).

    Before the first start created the default workspace (the first administrator), there is
    none to join; the seed step then puts every user in. A token bound to a workspace creates
    them there instead (`bound_workspace_ids`).
    """
    if workspace_ids is None:
        workspace_ids = bound_workspace_ids()
    if workspace_ids is None:
        default_id = db.session.scalar(select(Workspace.id).where(Workspace.is_default.is_(True)))
        joined = [] if default_id is None else [default_id]
    else:
        joined = workspaces_the_caller_can_see(workspace_ids)
    db.session.add_all(WorkspaceMember(workspace_id=wid, user_id=user_id) for wid in joined)
    db.session.flush()


def bound_workspace_ids() -> list[uuid.UUID] | None:
    """Where a person created or invited without `workspace_ids` goes when the caller is an API
    token bound to a workspace: there, the only workspace it acts in (it may not name the
    default one, so it must not reach it by saying nothing). None otherwise: the default."""
    caller = current_principal_or_none()
    if caller is None or caller.workspace_id is None:
        return None
    return [caller.workspace_id]


def workspaces_the_caller_can_see(workspace_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """`workspace_ids` without repeats, each one the caller can see; 422 naming `workspace_ids`
    otherwise (a deleted one included): no one places a user in, or invites them into, a
    workspace they cannot reach themselves.
    """
    workspace_ids = list(dict.fromkeys(workspace_ids))
    if not workspace_ids:
        return []
    creator = current_principal_or_none()
    statement = select(Workspace.id).where(Workspace.id.in_(workspace_ids))
    if creator is not None:  # the CLI and seeds act for the operator
        statement = statement.where(_visible(creator))
    found = set(db.session.scalars(statement))
    unknown = [str(wid) for wid in workspace_ids if wid not in found]
    if unknown:
        raise Unprocessable(
            f"Unknown workspace: {', '.join(unknown)}.",
            errors={"workspace_ids": [f"Unknown workspace: {wid}." for wid in unknown]},
        )
    return workspace_ids


def live_workspace_names(workspace_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    """The live workspaces among `workspace_ids` (a deleted or unknown one is left out), by id:
    the name of each one the caller may see, None for the others (a name is for those who see
    the workspace, as `GET /workspaces/{id}` answers them alone; without a caller, every name).
    One statement, none for no ids. For other domains that keep workspace ids."""
    workspace_ids = list(set(workspace_ids))
    if not workspace_ids:
        return {}
    caller = current_principal_or_none()
    seen = _visible(caller) if caller is not None else true()
    rows = db.session.execute(
        select(Workspace.id, Workspace.name, seen).where(Workspace.id.in_(workspace_ids))
    )
    return {wid: name if visible else None for wid, name, visible in rows}


def is_live(workspace_id: Any) -> ColumnElement[bool]:
    """Whether the workspace `workspace_id` (another domain's column, e.g. a notification's)
    is not deleted, as a condition for that domain's statement. It reads the table, not the
    mapped class, so no default criteria are added: a user's notifications are theirs in every
    workspace."""
    workspaces = Workspace.__table__
    return exists().where(workspaces.c.id == workspace_id, workspaces.c.deleted_at.is_(None))


def is_member(workspace_id: Any, user_id: Any) -> ColumnElement[bool]:
    """Whether `user_id` belongs to the workspace `workspace_id` (another domain's columns,
    e.g. a notification's), read from the table: one primary-key lookup."""
    members = WorkspaceMember.__table__
    return exists().where(members.c.workspace_id == workspace_id, members.c.user_id == user_id)


# --- workspaces ------------------------------------------------------------------------------


def _visible(principal: Principal, *, mine: bool = False) -> Any:
    """WHERE clause: the workspaces the caller may see (see the module docstring)."""
    member_of = select(WorkspaceMember.workspace_id).where(
        WorkspaceMember.user_id == principal.user_id
    )
    if principal.workspace_id is not None:
        return Workspace.id.in_(
            member_of.where(WorkspaceMember.workspace_id == principal.workspace_id)
        )
    if READ_ALL in principal.permissions and not mine:
        return true()
    return Workspace.id.in_(member_of)


def visible_workspace_ids(principal: Principal, *, mine: bool = False) -> Select[uuid.UUID]:
    """A subquery of the ids of the workspaces the caller may see, deleted ones included: for
    reading what happened to a workspace (its deletion above all) from outside it. `mine`: only
    those whose work they may see, as a member (`workspace.read_all` opens no workspace's data).
    """
    return including_deleted(select(Workspace.id)).where(_visible(principal, mine=mine))


def list_workspaces(principal: Principal, query: dict[str, Any]) -> dict[str, Any]:
    """A page of the workspaces the caller may see; `mine`: only those they belong to."""
    statement = including_deleted(select(Workspace), query["include_deleted"]).where(
        _visible(principal, mine=query["mine"])
    )
    if query.get("q"):
        statement = statement.where(contains_any(query["q"], Workspace.name, Workspace.slug))
    return paginate(
        statement,
        query,
        sortable={
            "name": Workspace.name,
            "slug": Workspace.slug,
            "created_at": Workspace.created_at,
        },
        default_sort="name",
        tiebreaker=Workspace.id,
    )


def get_workspace(
    principal: Principal, workspace_id: uuid.UUID, *, include_deleted: bool = False
) -> Workspace:
    workspace = db.session.scalar(
        including_deleted(select(Workspace), include_deleted).where(
            Workspace.id == workspace_id, _visible(principal)
        )
    )
    if workspace is None:
        raise NotFound("No such workspace.")
    return workspace


def _check_slug_free(slug: str, *, except_id: uuid.UUID | None = None) -> None:
    statement = select(Workspace.id).where(Workspace.slug == slug)
    if except_id is not None:
        statement = statement.where(Workspace.id != except_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(
            f"A workspace with the slug '{slug}' already exists.",
            errors={"slug": ["A workspace with this slug already exists."]},
        )


def create_workspace(principal: Principal, *, name: str, slug: str) -> Workspace:
    """A new workspace; its creator is its first member."""
    if principal.workspace_id is not None:
        raise Forbidden("An API token bound to a workspace cannot create workspaces.")
    _check_slug_free(slug)
    workspace = Workspace(name=name.strip(), slug=slug)
    db.session.add(workspace)
    db.session.flush()
    db.session.add(WorkspaceMember(workspace_id=workspace.id, user_id=principal.user_id))
    db.session.flush()
    publish(WORKSPACE_CREATED, workspace_id=workspace.id)
    return workspace


def update_workspace(workspace: Workspace, changes: dict[str, Any]) -> Workspace:
    if "name" in changes:
        workspace.name = changes["name"].strip()
    if "slug" in changes:
        _check_slug_free(changes["slug"], except_id=workspace.id)
        workspace.slug = changes["slug"]
    db.session.flush()
    return workspace


def content_count(workspace_id: uuid.UUID) -> int:
    """Live tenant-owned rows in the workspace, over every tenant table (one query each).

    Reference data every workspace is given (`REFERENCE_DATA = True` on the model: the default
    detection levels) is not content.
    """
    total = 0
    for model in tenant_models():
        if getattr(model, "REFERENCE_DATA", False):
            continue
        statement = (
            select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
        )
        total += db.session.scalar(statement.execution_options(**{ALL_WORKSPACES: True})) or 0
    return total


def delete_workspace(workspace: Workspace, *, confirm: bool) -> None:
    """Soft delete: its data stays, out of reach, until it is restored."""
    if workspace.is_default:
        raise Conflict("The default workspace cannot be deleted: new users join it.")
    held = content_count(workspace.id)
    if held and not confirm:
        raise Conflict(
            f"The workspace '{workspace.slug}' still holds {held} item(s); "
            "send confirm=true to delete it anyway."
        )
    workspace.soft_delete()
    db.session.flush()


def restore_workspace(workspace: Workspace) -> Workspace:
    if workspace.is_deleted:
        _check_slug_free(workspace.slug)
        workspace.restore()
        db.session.flush()
    return workspace


# --- members ---------------------------------------------------------------------------------


def list_members(workspace: Workspace, query: dict[str, Any]) -> dict[str, Any]:
    """A page of the members, deleted users included (`deleted_at` set): a deleted member keeps
    their place until a manager removes them, who must see them to do so."""
    statement = including_deleted(
        select(User)
        .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
        .where(WorkspaceMember.workspace_id == workspace.id)
    )
    if query.get("q"):
        statement = statement.where(contains_any(query["q"], User.email, User.display_name))
    return paginate(
        statement,
        query,
        sortable={"email": User.email, "display_name": User.display_name},
        default_sort="email",
        tiebreaker=User.id,
    )


def replace_members(workspace: Workspace, user_ids: Iterable[uuid.UUID]) -> None:
    """The workspace's members become exactly `user_ids` (at least one): live users, and
    deleted ones who are members already (listed, marked, they stay when sent back and leave
    when left out, as anyone; a deleted user joins nothing).

    Those who leave leave its work too: `workspace.members_removed` ends their memberships of
    its missions, in this transaction (the missions domain may refuse it: a mission's only lead).
    """
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        raise Unprocessable(
            "A workspace keeps one member at least.",
            errors={"members": ["A workspace keeps one member at least."]},
        )
    # Two lists saved at once are applied one after the other: unlocked, both read the same
    # members, so the second to commit added someone again (409) or, each removing the other's
    # member, left the workspace with nobody. FOR NO KEY UPDATE: rows referencing it still join.
    db.session.execute(
        select(Workspace.id).where(Workspace.id == workspace.id).with_for_update(key_share=True)
    )
    # Every membership, deleted users' included: the member list shows them (marked), so the
    # list sent back keeps them and one without them removes them (and their missions here).
    current = set(
        db.session.scalars(
            select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == workspace.id)
        )
    )
    found = set(
        db.session.scalars(
            including_deleted(select(User.id)).where(
                User.id.in_(wanted), or_(User.deleted_at.is_(None), User.id.in_(current))
            )
        )
    )
    unknown = [str(user_id) for user_id in wanted if user_id not in found]
    if unknown:
        raise Unprocessable(
            f"Unknown user: {', '.join(unknown)}.",
            errors={"members": [f"Unknown user: {user_id}." for user_id in unknown]},
        )
    removed = current - found
    added = [user_id for user_id in wanted if user_id not in current]
    _record_members_replaced(workspace, added, removed)
    if removed:
        db.session.execute(
            delete(WorkspaceMember).where(
                WorkspaceMember.workspace_id == workspace.id,
                WorkspaceMember.user_id.in_(removed),
            )
        )
    db.session.add_all(
        WorkspaceMember(workspace_id=workspace.id, user_id=user_id) for user_id in added
    )
    db.session.flush()
    if removed:
        publish(WORKSPACE_MEMBERS_REMOVED, workspace_id=workspace.id, user_ids=sorted(removed))


def _record_members_replaced(
    workspace: Workspace, added: list[uuid.UUID], removed: set[uuid.UUID]
) -> None:
    """Who joined and who left, by email, in the workspace's trail: membership is who may read
    and change its data (membership rows are not audited models). One statement, none when
    nothing changes."""
    if not added and not removed:
        return
    rows = db.session.execute(
        including_deleted(select(User.id, User.email)).where(User.id.in_([*added, *removed]))
    )
    emails = {row.id: row.email for row in rows}
    audit.record(
        "workspace.members_replaced",
        object_type="workspace",
        object_id=workspace.id,
        label=workspace.name,
        workspace_id=workspace.id,
        changes={
            "members": {
                "added": sorted(emails[user_id] for user_id in added),
                "removed": sorted(emails[user_id] for user_id in removed),
            }
        },
    )


def live_workspace_ids() -> list[uuid.UUID]:
    """Every live workspace, oldest first (seeds that write per-workspace reference data)."""
    return list(db.session.scalars(select(Workspace.id).order_by(Workspace.created_at)))


def member_user_ids(workspace_id: uuid.UUID) -> Any:
    """A subquery of the user ids belonging to the workspace (for `User.id.in_(...)`)."""
    return select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == workspace_id)
