"""What the auth routes share: the caller's client details and rate-limit keys."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import jwt
from flask import request
from flask_limiter.util import get_remote_address

from violet.auth.service.sessions import Client
from violet.core.auth import current_principal, current_user_id
from violet.core.errors import Forbidden

# More than 10 failed logins for one email or one IP within 15 minutes → 429 (docs/api.md).
LOGIN_FAILURES = "10 per 15 minutes"
# TOTP codes and password checks of a signed-in user.
SECOND_FACTOR_FAILURES = "5 per 5 minutes"


def client() -> Client:
    return Client(ip_address=request.remote_addr, user_agent=request.user_agent.string)


def failed_with(*statuses: int):
    """`deduct_when` for Flask-Limiter: count only the responses that are failures."""
    return lambda response: response.status_code in statuses


def login_email_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{str(email).strip().lower()[:254]}" if email else "email:-"


def remote_address_key() -> str:
    return f"ip:{get_remote_address()}"


def mfa_challenge_key() -> str:
    """The user a login challenge is for (read unverified: it only names the counter)."""
    body = request.get_json(silent=True)
    token = body.get("mfa_token") if isinstance(body, dict) else None
    try:
        subject = jwt.decode(str(token), options={"verify_signature": False}).get("sub")
    except jwt.PyJWTError:
        subject = None
    return f"mfa:{subject}" if subject else remote_address_key()


def current_user_key() -> str:
    return f"user:{current_user_id()}"


def interactive_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Credentials are managed from a signed-in session, never with an API token.

    Goes right under `@require_auth`, so it runs before the input is parsed.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_principal().api_token_id is not None:
            raise Forbidden("This operation needs a signed-in session, not an API token.")
        return view(*args, **kwargs)

    return wrapper
