"""Authentication and permission checks shared by every domain.

Every `/api/v1` view carries exactly one of these decorators, outermost (above `@blp.arguments`),
so the caller is authenticated and authorised before any input is parsed (then query parameters
that no query schema of the view names are refused, core/query.py, and the request's input is
checked for what PostgreSQL cannot store, core/input_guard.py):

    @require_auth                      any signed-in user or API token
    @require_perm("mitre.sync", ...)   needs every listed permission code
    @public                            on the explicit allow-list (login, health, ...)

They also write the operation's `security`, its required permissions (`x-permissions`) and its
401/403 responses into the OpenAPI spec. A test walks `app.url_map` and fails for any API rule
that carries none of them (deny by default).

How a bearer token becomes a user is the auth domain's business: it registers a callable with
`set_authenticator` at start-up, so `core` never imports a domain package.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, has_request_context, request
from flask_smorest.utils import deepupdate, load_info_from_docstring

from violet.core.errors import Forbidden, Unauthorized
from violet.core.input_guard import check_request_input, takes_json_body
from violet.core.query import accepted_query_parameters, check_query_parameters
from violet.core.serialization import declared_statuses
from violet.core.versioning import check_if_match_header, is_versioned, versioned_doc

View = TypeVar("View", bound=Callable[..., Any])

AUTHENTICATOR_KEY = "violet.authenticator"
# The request's Principal lives in the WSGI environ: it can never outlive the request, unlike
# `g`, which a surrounding app context (CLI, tests) shares between requests.
PRINCIPAL_KEY = "violet.principal"
USER_LOADER_KEY = "violet.user_loader"
USER_KEY = "violet.user"
# Set on every decorated view; the deny-by-default test reads it.
AUTH_MARKER = "_violet_auth"
# The guard itself: a decorator applied above it copies the attribute to a function that is not
# the guard, which is how the tests tell that the auth decorator is not the outermost.
AUTH_GUARD = "_violet_auth_guard"
# The restrictions a view allows (`allowed_while`), read by the auth decorators.
ALLOWED_RESTRICTIONS = "_violet_allowed_restrictions"
BEARER_SCHEME = "bearerAuth"


@dataclass(frozen=True)
class Restriction:
    """A signed-in caller who may, for now, only use the views that allow `name` (a session
    that must first enrol in MFA); elsewhere they get 403 with `detail`."""

    name: str
    detail: str


# How far an API token reaches into the missions its owner belongs to (`mission_access`,
# docs/security.md "API tokens and missions"): not at all (as if not a member), to read them (as
# a viewer who changes nothing), or with the owner's own role. A signed-in session has "write".
MISSION_ACCESS_NONE = "none"
MISSION_ACCESS_READ = "read"
MISSION_ACCESS_WRITE = "write"
MISSION_ACCESS_LEVELS = (MISSION_ACCESS_NONE, MISSION_ACCESS_READ, MISSION_ACCESS_WRITE)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user's id, what they may do, and how they signed in.

    It holds no User object: authentication reads only what it checks, and a view that needs
    the User asks `current_user()`, which loads it then."""

    user_id: uuid.UUID
    permissions: frozenset[str]
    api_token_id: uuid.UUID | None = None
    # The API token's name as it is now: the audit trail names the token behind each change.
    api_token_name: str | None = None
    # Set for an API token bound to one workspace: it cannot act in any other.
    workspace_id: uuid.UUID | None = None
    # What the caller's mission memberships let this request do (MISSION_ACCESS_LEVELS): an API
    # token's own choice; a session's is always "write". Permissions are not affected.
    mission_access: str = MISSION_ACCESS_WRITE
    # An API token's own permissions as chosen at creation (`permissions` is their intersection
    # with its owner's today): a refusal then says which of the two lacks the permission.
    token_permissions: frozenset[str] | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    restriction: Restriction | None = None


Authenticator = Callable[[str], Principal]
# The user's id → the User object (violet.auth.models.User), for `current_user()`.
UserLoader = Callable[[uuid.UUID], Any]


def set_authenticator(app: Any, authenticator: Authenticator, user_loader: UserLoader) -> None:
    """Register how a bearer token is turned into a Principal (or Unauthorized raised), and how
    the Principal's user is loaded when a view asks for it."""
    app.extensions[AUTHENTICATOR_KEY] = authenticator
    app.extensions[USER_LOADER_KEY] = user_loader


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Authentication required: send 'Authorization: Bearer <access or API token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def authenticate() -> Principal:
    """Resolve the request's bearer token once per request."""
    principal = request.environ.get(PRINCIPAL_KEY)
    if principal is None:
        authenticator: Authenticator = current_app.extensions[AUTHENTICATOR_KEY]
        principal = authenticator(bearer_token())
        request.environ[PRINCIPAL_KEY] = principal
    return principal


def allowed_while(restriction: str) -> Callable[[View], View]:
    """Let a restricted caller (`Principal.restriction`) use this view: under `@require_auth`."""

    def decorator(view: View) -> View:
        allowed: frozenset[str] = getattr(view, ALLOWED_RESTRICTIONS, frozenset())
        setattr(view, ALLOWED_RESTRICTIONS, allowed | {restriction})
        return view

    return decorator


def _check_restriction(principal: Principal, view: Callable[..., Any]) -> None:
    restriction = principal.restriction
    if restriction and restriction.name not in getattr(view, ALLOWED_RESTRICTIONS, ()):
        raise Forbidden(restriction.detail)


def current_principal() -> Principal:
    principal = request.environ.get(PRINCIPAL_KEY) if has_request_context() else None
    if principal is None:
        raise RuntimeError("current_principal() used in a view without @require_auth")
    return principal


def current_principal_or_none() -> Principal | None:
    """The caller, or None outside an authenticated request (CLI, seeds, event handlers there)."""
    return request.environ.get(PRINCIPAL_KEY) if has_request_context() else None


def current_user() -> Any:
    """The signed-in user (a violet.auth.models.User), loaded on the first call in a request."""
    user = request.environ.get(USER_KEY) if has_request_context() else None
    if user is None:
        loader: UserLoader = current_app.extensions[USER_LOADER_KEY]
        user = loader(current_principal().user_id)
        if user is None:  # deleted since authentication, within this request
            raise Unauthorized("The account behind this token no longer exists or is deactivated.")
        request.environ[USER_KEY] = user
    return user


def current_user_id() -> uuid.UUID | None:
    """The signed-in user's id, or None outside an authenticated request (CLI, seeds)."""
    principal = request.environ.get(PRINCIPAL_KEY) if has_request_context() else None
    return principal.user_id if principal is not None else None


def has_permission(code: str) -> bool:
    return code in current_principal().permissions


def check_include_deleted(include_deleted: bool, permission: str) -> None:
    """`?include_deleted=true` needs the resource's delete/manage permission (403)."""
    if include_deleted and not has_permission(permission):
        raise Forbidden(f"Seeing deleted items needs the {permission} permission.")


def missing_permission_detail(principal: Principal, missing: list[str]) -> str:
    """ "Missing permission: …", and for an API token what to change: the token (it was made
    without the permission) or its owner (who no longer holds one the token carries)."""
    detail = f"Missing permission: {', '.join(missing)}."
    if principal.token_permissions is None:
        return detail
    not_carried = [code for code in missing if code not in principal.token_permissions]
    lost = [code for code in missing if code in principal.token_permissions]
    if not_carried:
        detail += (
            f" This API token does not carry {', '.join(not_carried)}: create a token that "
            "does (a token carries only permissions its owner holds)."
        )
    if lost:
        detail += (
            f" This API token carries {', '.join(lost)}, but its owner no longer holds it: "
            "an administrator must give it back to them."
        )
    return detail


def _mark(view: Callable[..., Any], permissions: tuple[str, ...] | None, doc: dict) -> None:
    """Record the view's access rule for the deny-by-default test and the OpenAPI spec."""
    setattr(view, AUTH_MARKER, permissions)
    setattr(view, AUTH_GUARD, view)
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    if is_versioned(view):
        doc = deepupdate(deepcopy(doc), versioned_doc(apidoc))
    apidoc["manual_doc"] = deepupdate(deepcopy(apidoc.get("manual_doc", {})), doc)
    setattr(view, "_apidoc", apidoc)  # noqa: B010 - flask-smorest reads this attribute


def public(view: View) -> View:
    """Open to anonymous callers. Keep this list short: the auth tests pin it."""
    accepted = accepted_query_parameters(view)
    json_body = takes_json_body(view)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_query_parameters(accepted)
        check_request_input(json_body=json_body)
        return view(*args, **kwargs)

    _mark(wrapper, None, {"security": []})
    return cast(View, wrapper)  # wraps() is typed as returning its own wrapper type


def _check_input(accepted: frozenset[str], versioned: bool, json_body: bool) -> None:
    """What every authenticated view checks of its request before parsing it."""
    check_query_parameters(accepted)
    check_request_input(json_body=json_body)
    check_if_match_header(versioned)


def require_auth(view: View) -> View:
    """Any authenticated caller (access JWT or API token); 401 otherwise."""
    accepted = accepted_query_parameters(view)
    versioned = is_versioned(view)
    json_body = takes_json_body(view)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_restriction(authenticate(), view)
        _check_input(accepted, versioned, json_body)
        return view(*args, **kwargs)

    # Said in words as require_perm does, so a reader of the spec never has to guess.
    described = load_info_from_docstring(view.__doc__ or "").get("description", "")
    responses = {"401": "UNAUTHORIZED"}
    # A restricted caller (one who must first enrol TOTP) gets 403 from every view not allowed
    # while restricted; a view's own 403, with its reason, stays as it is.
    if not getattr(view, ALLOWED_RESTRICTIONS, None) and "403" not in declared_statuses(
        getattr(view, "_apidoc", {})
    ):
        responses["403"] = "FORBIDDEN"
    _mark(
        wrapper,
        (),
        {
            "security": [{BEARER_SCHEME: []}],
            "responses": responses,
            "description": f"{described}\n\nNeeds only sign-in: no permission.".strip(),
        },
    )
    return cast(View, wrapper)  # wraps() is typed as returning its own wrapper type


def require_perm(*codes: str) -> Callable[[View], View]:
    """The caller must hold every listed permission code: 401 when anonymous, 403 otherwise."""
    if not codes:
        raise ValueError("require_perm needs at least one permission code")

    def decorator(view: View) -> View:
        accepted = accepted_query_parameters(view)
        versioned = is_versioned(view)
        json_body = takes_json_body(view)

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            _check_restriction(principal, view)
            missing = [code for code in codes if code not in principal.permissions]
            if missing:
                raise Forbidden(missing_permission_detail(principal, missing))
            _check_input(accepted, versioned, json_body)
            return view(*args, **kwargs)

        listed = ", ".join(f"`{code}`" for code in codes)
        # Appended to the docstring's own description, which the manual doc would replace.
        described = load_info_from_docstring(view.__doc__ or "").get("description", "")
        _mark(
            wrapper,
            tuple(codes),
            {
                "security": [{BEARER_SCHEME: []}],
                "x-permissions": list(codes),
                "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
                "description": f"{described}\n\nRequires permission {listed}.".strip(),
            },
        )
        return cast(View, wrapper)  # wraps() is typed as returning its own wrapper type

    return decorator
