"""Reading the audit trail. Events are written by the core (core/audit.py), never here.

A request sees the instance-wide events (users, groups, sign-ins, workspaces' own changes are
in their workspace) and those of the workspace it acts in: an auditor in one workspace does not
read another's work. A workspace's own events (created, renamed, members, deleted, restored) are
also read from outside it by whoever may see it: a deleted workspace cannot be acted in, so its
deletion would be read by nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, any_, bindparam, delete, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from violet.auth.models import User
from violet.core.audit import AuditEvent
from violet.core.auth import current_principal
from violet.core.models import including_deleted, utcnow
from violet.core.pagination import paginate
from violet.core.search import contains_any
from violet.core.tenancy import current_workspace_id
from violet.extensions import db
from violet.missions.models import Mission
from violet.workspaces.service import visible_workspace_ids

ACTOR_EMAIL = func.coalesce(User.email, AuditEvent.actor_email)
LIST_COLUMNS = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    ACTOR_EMAIL.label("actor_email"),
    AuditEvent.token_id,
    AuditEvent.token_name,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.object_label,
    AuditEvent.workspace_id,
    AuditEvent.mission_id,
    Mission.name.label("mission_name"),
    AuditEvent.changes,
    AuditEvent.ip_address,
    AuditEvent.request_id,
)
EXACT_FILTERS = ("object_type", "object_id", "actor_id", "token_id", "mission_id")


def list_events(query: Mapping[str, Any]) -> dict[str, Any]:
    """The events this workspace may see, newest first, filtered, with the emails of the users
    their changes name (`user_emails`). Two statements: the page, and those emails."""
    # A deleted user's email still names what they did, a deleted mission what happened in it.
    statement = including_deleted(
        select(*LIST_COLUMNS)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Mission, Mission.id == AuditEvent.mission_id)
        .where(
            or_(
                AuditEvent.workspace_id.is_(None),
                AuditEvent.workspace_id == current_workspace_id(),
                and_(
                    AuditEvent.object_type == "workspace",
                    AuditEvent.object_id.in_(visible_workspace_ids(current_principal())),
                ),
            )
        )
    )
    for name in EXACT_FILTERS:
        if query.get(name) is not None:
            statement = statement.where(getattr(AuditEvent, name) == query[name])
    if action := query.get("action"):
        if action.endswith("."):
            statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            statement = statement.where(AuditEvent.action == action)
    if query.get("since") is not None:
        statement = statement.where(AuditEvent.occurred_at >= query["since"])
    if query.get("until") is not None:
        statement = statement.where(AuditEvent.occurred_at < query["until"])
    if q := query.get("q"):
        statement = statement.where(
            contains_any(
                q, AuditEvent.object_label, AuditEvent.action, ACTOR_EMAIL, AuditEvent.token_name
            )
        )
    page = paginate(
        statement,
        query,
        sortable={"occurred_at": AuditEvent.occurred_at, "action": AuditEvent.action},
        default_sort="-occurred_at",
        tiebreaker=AuditEvent.id,
    )
    page["user_emails"] = user_emails(page["items"])
    return page


def _user_ids(changes: Mapping[str, Any] | None) -> set[uuid.UUID]:
    """The ids a change's user fields hold: `executed_by`, `lead_id`, `user_id`, `author_id`…
    (a field ending in `_by`, or in `_id` whose value may be a user's; only users match)."""
    ids: set[uuid.UUID] = set()
    for field, change in (changes or {}).items():
        if not field.endswith(("_by", "_id")) or not isinstance(change, Mapping):
            continue
        for side in ("from", "to"):
            value = change.get(side)
            if isinstance(value, str):
                try:
                    ids.add(uuid.UUID(value))
                except ValueError:
                    continue
    return ids


USER_EMAILS = including_deleted(
    select(User.id, User.email).where(
        User.id == any_(bindparam("violet_user_ids", type_=ARRAY(UUID(as_uuid=True))))
    )
)


def user_emails(items: list[dict[str, Any]]) -> dict[str, str]:
    """{user id: email} for the user ids the page's changes name: one statement, run even when
    they name none (a list's statements do not depend on its page). A deleted user keeps naming
    what they did."""
    ids: set[uuid.UUID] = set()
    for item in items:
        ids |= _user_ids(item["changes"])
    rows = db.session.execute(USER_EMAILS, {"violet_user_ids": sorted(ids)})
    return {str(user_id): email for user_id, email in rows}


def purge(older_than_days: int) -> int:
    """Delete the events older than `older_than_days` days; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
