"""What the auth routes share: the caller's client details, rate-limit keys, guards."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import Response, after_this_request, current_app, request
from flask_smorest.utils import deepupdate

from violet.auth.service.sessions import Client
from violet.core.auth import current_principal
from violet.core.errors import Forbidden

# The SPA asks for its refresh token in an HttpOnly cookie (out of page script's reach) by
# sending this header; API clients keep getting it in the JSON body.
REFRESH_TRANSPORT_HEADER = "X-Violet-Refresh"
REFRESH_COOKIE = "violet_refresh"
# Sent only to the auth endpoints that use it (refresh, logout), never to the rest of the API.
REFRESH_COOKIE_PATH = "/api/v1/auth"


def client() -> Client:
    """The caller's address (behind TRUSTED_PROXY_COUNT proxies, the one they saw) and agent."""
    return Client(ip_address=request.remote_addr, user_agent=request.user_agent.string)


def hand_over_session(result: dict[str, Any]) -> dict[str, Any]:
    """Answer a new session; with `X-Violet-Refresh: cookie` its refresh token goes in the cookie.

    The cookie is HttpOnly, SameSite=Strict, scoped to /api/v1/auth, and Secure over https.
    """
    if request.headers.get(REFRESH_TRANSPORT_HEADER) != "cookie" or "refresh_token" not in result:
        return result
    refresh_token = result.pop("refresh_token")
    max_age = current_app.config["JWT_REFRESH_TOKEN_DAYS"] * 24 * 3600

    @after_this_request
    def set_refresh_cookie(response: Response) -> Response:
        response.set_cookie(
            REFRESH_COOKIE,
            refresh_token,
            max_age=max_age,
            path=REFRESH_COOKIE_PATH,
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response

    return result


def presented_refresh_token(payload: dict[str, Any]) -> str | None:
    """The refresh token from the JSON body (API clients) or the cookie (the SPA)."""
    return payload.get("refresh_token") or request.cookies.get(REFRESH_COOKIE)


def forget_refresh_cookie() -> None:
    @after_this_request
    def delete_refresh_cookie(response: Response) -> Response:
        response.delete_cookie(
            REFRESH_COOKIE,
            path=REFRESH_COOKIE_PATH,
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response


def caller_permissions() -> frozenset[str]:
    """What this request may do: the user's permissions, or the API token's."""
    return current_principal().permissions


View = TypeVar("View", bound=Callable[..., Any])

# What an API token is told by the views it may not use.
SIGN_IN_INSTEAD = (
    "API tokens cannot manage passwords, MFA, API tokens or sessions: sign in with your "
    "password (POST /auth/login) and do this from that session."
)


def refuse_api_tokens() -> None:
    """403 (`SIGN_IN_INSTEAD`) when the caller is an API token."""
    if current_principal().api_token_id is not None:
        raise Forbidden(SIGN_IN_INSTEAD)


def interactive_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Credentials, API tokens and sessions are managed from a signed-in session, never with an
    API token: a leaked token must not mint tokens, change credentials, or sign its owner out
    and revoke the tokens they would use to react to the leak (docs/security.md).

    Goes right under `@require_auth`, so it runs before the input is parsed.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refuse_api_tokens()
        return view(*args, **kwargs)

    return documents_api_token_refusal(wrapper)


def documents_api_token_refusal(view: View) -> View:
    """Add the 403 an API token gets to the view's OpenAPI responses (under `@require_auth`)."""
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    apidoc["manual_doc"] = deepupdate(
        deepcopy(apidoc.get("manual_doc", {})), {"responses": {"403": "FORBIDDEN"}}
    )
    setattr(view, "_apidoc", apidoc)  # noqa: B010 - flask-smorest reads this attribute
    return view
