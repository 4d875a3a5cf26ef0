"""The mission a request works on, resolved once per request; `@mission_scoped`, and
`@mission_rule` (who may use a view, checked before its input is read)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_smorest.utils import deepupdate

from violet.core.errors import PROBLEM_JSON, Forbidden, NotFound, ProblemSchema
from violet.core.serialization import declared_statuses
from violet.core.versioning import WRITE_METHODS
from violet.missions.service.access import (
    SHARE_LOCK,
    UPDATE_LOCK,
    MissionAccess,
    check_manages,
    check_under_mission,
    check_writable,
    load_access,
    mission_reach,
)

# The request's MissionAccess, in the WSGI environ (never shared between requests).
ACCESS_KEY = "violet.mission_access"
FORBIDDEN = "FORBIDDEN"  # flask-smorest's shared 403 answer (problem+json)
# Set on a write view that an archived mission still accepts (`allowed_while_archived`).
ALLOWED_WHILE_ARCHIVED = "_violet_allowed_while_archived"
# Set on a write view that locks or updates the mission's row itself (`locks_mission`).
LOCKS_MISSION = "_violet_locks_mission"
ARCHIVED_ANSWER = "The mission is archived, so it is read-only: reopen it first (PATCH its status)."

View = TypeVar("View", bound=Callable[..., Any])


def mission_access(mission_id: uuid.UUID, *, include_deleted: bool = False) -> MissionAccess:
    """The mission with the caller's rights on it, or 404 when they may not see it.

    Loaded once per request (deleted or not); a deleted mission is 404 unless asked for.
    """
    access = request.environ.get(ACCESS_KEY)
    if access is None or access.mission.id != mission_id:
        access = load_access(mission_id)
        request.environ[ACCESS_KEY] = access
    if access.mission.deleted_at is not None and not include_deleted:
        raise NotFound("No such mission.")
    return access


def managed_mission(mission_id: uuid.UUID, *, include_deleted: bool = False) -> MissionAccess:
    """The mission, when the caller may change it: its lead or a `mission.manage_all` holder."""
    access = mission_access(mission_id, include_deleted=include_deleted)
    check_manages(access)
    return access


def allowed_while_archived(view: View) -> View:
    """Let an archived mission take this write view (under `@mission_scoped`): only what
    reopens, deletes or restores the mission itself, or reads it (saving it as a scenario).
    Every other write under an archived mission is 409 (service/access.py, `check_writable`).
    """
    setattr(view, ALLOWED_WHILE_ARCHIVED, True)
    return view


def locks_mission(view: View) -> View:
    """Mark a write view (under `@mission_scoped`) that locks the mission's row for an update
    or updates it: the mission's own PATCH, delete and restore, and every change of its test
    list or member list (`lock_mission`). `@mission_scoped` then locks the row FOR NO KEY
    UPDATE from the start, instead of FOR SHARE, so two such writes queue instead of
    deadlocking (service/access.py, `check_not_shared` fails any test of a view that lacks it).
    """
    setattr(view, LOCKS_MISSION, True)
    return view


def mission_rule(check: Callable[[MissionAccess], None]) -> Callable[[View], View]:
    """Who may use this view of a mission, checked before its input is read.

    Under `@mission_scoped` (and its markers), above `@blp.arguments`:

        @require_auth
        @mission_scoped
        @locks_mission
        @mission_rule(check_manages)        # the lead or mission.manage_all
        @blp.arguments(FromLayerIn)

    `check` is a rule of the service layer that raises Forbidden for the caller's
    `MissionAccess` (its role, or a permission the view always needs). Run here, a caller who
    may not use the view at all gets that 403 whatever they sent, never the 422 of a body they
    had no right to send. A view whose rule depends on the body (a test's PATCH: red fields or
    blue fields) names here who may send anything at all, and checks the fields it got after
    parsing. A deleted mission is 404 first (no view that restores one takes a body).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(mission_access(kwargs["mission_id"]))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def mission_scoped(view: View) -> View:
    """On every view under `/missions/{mission_id}`, right under `@require_auth`.

    A mission the caller may not see, or an object of the URL that is not under that mission,
    is 404 before any input is parsed or any right is checked, so nothing about it leaks. Then
    an API token that may only read the mission (its `mission_access` is `read`, or `none`
    with `mission.read_all` showing it the mission) gets 403 for any write, whatever the view,
    and any write under an archived mission is 409 unless the view is `allowed_while_archived`.

    A write locks the mission's row as it reads it, until its transaction ends (FOR SHARE, or
    FOR NO KEY UPDATE with `@locks_mission`): an archive being saved waits for the writes under
    way, and a write arriving meanwhile waits for the archive, then is 409. Reads lock nothing.
    """
    archived_ok = getattr(view, ALLOWED_WHILE_ARCHIVED, False)
    lock = UPDATE_LOCK if getattr(view, LOCKS_MISSION, False) else SHARE_LOCK

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mission_id = kwargs["mission_id"]
        if request.method in WRITE_METHODS:
            # Read (and locked) here, whatever was loaded before: the check below must see the
            # mission as it is once no archive is being saved.
            request.environ[ACCESS_KEY] = load_access(mission_id, lock=lock)
        access = mission_access(mission_id, include_deleted=True)
        for name, value in kwargs.items():
            if name != "mission_id":
                check_under_mission(name, value, mission_id)
        if access.read_only and request.method in WRITE_METHODS:
            raise Forbidden(
                "This API token may only read missions (its mission_access is "
                f"{mission_reach()}): create a token with mission_access write to change them."
            )
        # A deleted mission is 404 in the view itself (unless the view restores it).
        if (
            request.method in WRITE_METHODS
            and not archived_ok
            and access.mission.deleted_at is None
        ):
            check_writable(access.mission)
        return view(*args, **kwargs)

    # A write may be refused for the caller's role or a read-only token: the spec says so (a
    # view that declares its own 403, with the reason, keeps it). Views are MethodView methods,
    # named after theirs.
    apidoc = getattr(wrapper, "_apidoc", {})
    if view.__name__.upper() in WRITE_METHODS:
        responses: dict[str, Any] = {}
        if "403" not in declared_statuses(apidoc):
            responses["403"] = FORBIDDEN
        if not archived_ok:
            responses["409"] = _archived_answer(apidoc)
        manual = deepupdate(deepcopy(apidoc.get("manual_doc", {})), {"responses": responses})
        wrapper._apidoc = {**apidoc, "manual_doc": manual}  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _archived_answer(apidoc: dict[str, Any]) -> dict[str, Any]:
    """The 409 of a write view: the archived mission, after the view's own reason if it has
    one (a state the state machine forbids, a purged file)."""
    description = ARCHIVED_ANSWER
    declared = apidoc.get("response", {}).get("responses", {})
    own = declared.get(409) or declared.get("409")
    if own:
        description = (
            f"{own[-1]['description']} Or: {ARCHIVED_ANSWER[0].lower()}{ARCHIVED_ANSWER[1:]}"
        )
    return {"description": description, "content": {PROBLEM_JSON: {"schema": ProblemSchema}}}
