"""Invitations: an administrator invites an email into groups and workspaces; the invitee picks
a password.

The one-time token travels in the accept URL and is stored only as its SHA-256. An invitation is
pending until it is accepted (once), revoked, or expired; the last three answer 410. It grants
its groups on its inviter's authority, so it also answers 410 once the inviter could no longer
make it (deactivated, deleted, or no longer holding what it grants).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from violet.auth.models import Invitation, User, invitation_workspaces
from violet.auth.service import throttle
from violet.auth.service.credentials import check_policy, new_token, token_hash
from violet.auth.service.directory import (
    create_user,
    effective_permissions,
    find_live_user_by_email,
    live_groups,
    lock_invitations_of,
)
from violet.auth.service.grants import ensure_may_grant_groups
from violet.auth.service.sessions import Client, start_session
from violet.core.errors import Conflict, Gone, NotFound
from violet.core.models import utcnow
from violet.core.pagination import paginate
from violet.core.serialization import Extended
from violet.extensions import db
from violet.workspaces.service import (
    bound_workspace_ids,
    live_workspace_names,
    workspaces_the_caller_can_see,
)


def accept_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/accept-invitation?token={token}"


def create(
    *,
    email: str,
    group_ids: list[uuid.UUID],
    expires_in_hours: int,
    caller_permissions: frozenset[str] | None,
    workspace_ids: list[uuid.UUID] | None = None,
) -> tuple[Extended, str]:
    """A pending invitation into groups that grant nothing beyond the caller's permissions, and
    into `workspace_ids` (none: the default workspace), each one the caller can see (422).

    `caller_permissions` is None only for the instance itself (the first administrator's link).
    Answers the invitation with its `workspaces` (`with_workspaces`) and the one-time token.
    """
    groups = live_groups(group_ids)
    if caller_permissions is not None:
        ensure_may_grant_groups(caller_permissions, groups)
    # The rule `POST /users` applies: the workspaces domain's own check. None named means the
    # default workspace, or the workspace a token making the invitation is bound to.
    workspace_ids = workspaces_the_caller_can_see(workspace_ids or bound_workspace_ids() or [])
    email = email.strip().lower()
    if find_live_user_by_email(email) is not None:
        raise Conflict(
            f"{email} already has an account.",
            errors={"email": ["A user with this email already exists."]},
        )
    token = new_token()
    invitation = Invitation(
        email=email,
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(hours=expires_in_hours),
    )
    invitation.groups = groups
    db.session.add(invitation)
    db.session.flush()
    if workspace_ids:
        db.session.execute(
            invitation_workspaces.insert(),
            [{"invitation_id": invitation.id, "workspace_id": wid} for wid in workspace_ids],
        )
    return with_workspaces([invitation])[0], token


def with_workspaces(invitations: list[Invitation]) -> list[Extended]:
    """Each invitation seen with `workspaces`: its live ones the caller may see, `{id, name}`
    sorted by name, and `other_workspaces`: how many live ones they may not (a workspace's name
    is for those who see it, as `GET /workspaces/{id}` answers them alone).

    Two statements for any number of invitations (their links, then the workspaces' names from
    the workspaces domain), none for no invitations.
    """
    links = _workspace_links([invitation.id for invitation in invitations])
    live = live_workspace_names(wid for ids in links.values() for wid in ids)
    names = {wid: name for wid, name in live.items() if name is not None}
    return [
        Extended(
            invitation,
            workspaces=sorted(
                (
                    {"id": wid, "name": names[wid]}
                    for wid in links.get(invitation.id, [])
                    if wid in names
                ),
                key=lambda workspace: (workspace["name"], str(workspace["id"])),
            ),
            other_workspaces=sum(
                1 for wid in links.get(invitation.id, []) if wid in live and wid not in names
            ),
        )
        for invitation in invitations
    ]


def _workspace_links(invitation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The workspace ids each invitation names (one statement; none for no invitations)."""
    invitation_ids = list(invitation_ids)
    links: dict[uuid.UUID, list[uuid.UUID]] = {}
    if invitation_ids:
        rows = db.session.execute(
            select(
                invitation_workspaces.c.invitation_id, invitation_workspaces.c.workspace_id
            ).where(invitation_workspaces.c.invitation_id.in_(invitation_ids))
        )
        for invitation_id, workspace_id in rows:
            links.setdefault(invitation_id, []).append(workspace_id)
    return links


def list_invitations(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of invitations, each with its live workspaces; filter `status`.

    Five statements whatever the page size: the page, its groups and inviters, its workspaces.
    """
    statement = select(Invitation).options(
        selectinload(Invitation.groups), selectinload(Invitation.inviter)
    )
    if status := query.get("status"):
        statement = statement.where(Invitation.status == status)
    page = paginate(
        statement,
        query,
        sortable={
            "created_at": Invitation.created_at,
            "email": Invitation.email,
            "expires_at": Invitation.expires_at,
        },
        default_sort="-created_at",
        tiebreaker=Invitation.id,
    )
    page["items"] = with_workspaces(page["items"])
    return page


def revoke(invitation_id: uuid.UUID, *, by: uuid.UUID) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.status == "accepted":
        raise Conflict("The invitation was already accepted; deactivate the user instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        invitation.revoked_by = by


def find_usable(token: str, *, address: str | None, lock: bool = False) -> Invitation:
    """The pending invitation behind `token`: 404 when unknown, 410 when no longer usable.

    Each of those failures counts against the caller's `address`; too many, and 429 (throttle.py).
    """
    guards = throttle.invitation_guards(address)
    throttle.ensure_allowed(guards, throttle.TOO_MANY_INVITATION_TRIES)
    statement = select(Invitation).where(Invitation.token_hash == token_hash(token))
    if lock:
        # Read again as it is now: an accept committed meanwhile has changed its status.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    invitation = db.session.scalar(statement)
    if invitation is None:
        throttle.fail(guards, NotFound("No such invitation."))
    status = invitation.status
    if status != "pending":
        throttle.fail(guards, Gone(_ended(invitation, status)))
    # Not counted: the link is genuine, its inviter's authority is what ended.
    ensure_inviter_may_still_invite(invitation)
    return invitation


def _ended(invitation: Invitation, status: str) -> str:
    """What the holder of an ended link is told. An account made for the email since (the link
    was used, or the account was made otherwise, which revokes the email's links) is theirs to
    sign in with: "ask for a new one" would send them for a link every new invitation to that
    email is refused (409).

    A link an administrator revoked by hand (`revoked_by`) is not told so: it is revoked
    because it reached someone other than the invitee (a mistyped address, a forwarded email),
    and its holder would learn that the account exists and whom to ask to reset its
    password."""
    ended_by_the_account = status == "accepted" or (
        status == "revoked" and invitation.revoked_by is None
    )
    if ended_by_the_account and find_live_user_by_email(invitation.email):
        return (
            f"An account for {invitation.email} exists now: sign in with it "
            "(an administrator resets its password if you do not know it)."
        )
    return f"This invitation is {status}; ask for a new one."


def ensure_inviter_may_still_invite(invitation: Invitation) -> None:
    """410 unless the inviter could make this invitation now: active, live, holding
    `invitation.manage` and every permission of its groups. Otherwise deactivating or deleting
    a compromised inviter, or taking their permissions, would leave their links working.

    An invitation without an inviter is the instance's own (the first administrator's link).
    """
    if invitation.created_by is None:
        return
    inviter = db.session.scalar(
        select(User.id).where(User.id == invitation.created_by, User.is_active.is_(True))
    )
    needed = {"invitation.manage"} | {
        code for group in invitation.groups for code in group.permission_codes
    }
    if inviter is None or not needed <= effective_permissions(inviter):
        raise Gone(
            "The person who invited you can no longer give what this invitation grants; "
            "ask for a new one."
        )


def accept(token: str, *, display_name: str, password: str, client: Client) -> dict[str, Any]:
    """Create the invited user in the invitation's groups and workspaces, and sign them in.

    A workspace deleted since the invitation was made is skipped; when none is left, the user
    joins the default workspace, as an invitation naming none does.
    """
    check_policy(password)
    invitation = find_usable(token, address=client.ip_address)
    # Creating the user revokes the email's other pending invitations, so every invitation of
    # the email is locked first, in one order: two tabs accepting one link, or two links of
    # one email, accepted at once wait for each other instead of deadlocking (which answered
    # 503 "database unavailable"); the later one then finds its link used (410). `POST /users`
    # takes the same locks first (`create_user`).
    lock_invitations_of(invitation.email)
    invitation = find_usable(token, address=client.ip_address, lock=True)
    named = _workspace_links([invitation.id]).get(invitation.id, [])
    live = live_workspace_names(named)
    # Accepted first: creating the user revokes the email's invitations still pending.
    invitation.accepted_at = utcnow()
    user = create_user(
        email=invitation.email,
        password=password,
        display_name=display_name,
        groups=list(invitation.groups),
        created_by=invitation.created_by,
        workspace_ids=[wid for wid in named if wid in live] or None,
    )
    invitation.accepted_user_id = user.id
    return start_session(user, client)
