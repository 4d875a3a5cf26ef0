"""The mission a request works on, resolved once per request, and `@mission_scoped`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_smorest.utils import deepupdate

from violet.core.errors import Forbidden, NotFound
from violet.core.serialization import declared_statuses
from violet.core.versioning import WRITE_METHODS
from violet.missions.service.access import (
    MissionAccess,
    check_under_mission,
    load_access,
    mission_reach,
)

# The request's MissionAccess, in the WSGI environ (never shared between requests).
ACCESS_KEY = "violet.mission_access"
FORBIDDEN = "FORBIDDEN"  # flask-smorest's shared 403 answer (problem+json)

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
    if not access.can_manage:
        raise Forbidden("Only the mission's lead (or mission.manage_all) may change the mission.")
    return access


def mission_scoped(view: View) -> View:
    """On every view under `/missions/{mission_id}`, right under `@require_auth`.

    A mission the caller may not see, or an object of the URL that is not under that mission,
    is 404 before any input is parsed or any right is checked, so nothing about it leaks. Then
    an API token that may only read the mission (its `mission_access` is `read`, or `none`
    with `mission.read_all` showing it the mission) gets 403 for any write, whatever the view.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mission_id = kwargs["mission_id"]
        access = mission_access(mission_id, include_deleted=True)
        for name, value in kwargs.items():
            if name != "mission_id":
                check_under_mission(name, value, mission_id)
        if access.read_only and request.method in WRITE_METHODS:
            raise Forbidden(
                "This API token may only read missions (its mission_access is "
                f"{mission_reach()}): create a token with mission_access write to change them."
            )
        return view(*args, **kwargs)

    # A write may be refused for the caller's role or a read-only token: the spec says so (a
    # view that declares its own 403, with the reason, keeps it). Views are MethodView methods,
    # named after theirs.
    apidoc = getattr(wrapper, "_apidoc", {})
    if view.__name__.upper() in WRITE_METHODS and "403" not in declared_statuses(apidoc):
        manual = deepupdate(
            deepcopy(apidoc.get("manual_doc", {})), {"responses": {"403": FORBIDDEN}}
        )
        wrapper._apidoc = {**apidoc, "manual_doc": manual}  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
