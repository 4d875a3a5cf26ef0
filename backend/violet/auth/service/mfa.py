"""TOTP two-factor authentication (RFC 6238, 30-second steps, 6 digits).

A code is accepted within ±1 step of the server clock and only once: the step it belongs to is
remembered, and codes of that step or earlier are refused afterwards. The secret is stored
encrypted (violet/core/encryption.py); only enrolment shows it, once, to the user.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

import pyotp

from violet.auth.models import User
from violet.auth.service import throttle
from violet.auth.service.credentials import verify_password
from violet.core import encryption
from violet.core.errors import Conflict, Unprocessable
from violet.extensions import db
from violet.settings.service import get_value

ISSUER = "Violet"
ALLOWED_DRIFT_STEPS = 1


def begin_setup(user: User) -> dict[str, Any]:
    """A fresh secret for the user's authenticator app; MFA stays off until `enable`."""
    if user.mfa_enabled:
        raise Conflict("Two-factor authentication is already on; disable it first to re-enrol.")
    secret = pyotp.random_base32()
    user.mfa_secret = encryption.encrypt(secret)
    user.mfa_last_step = None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri}


def enable(user: User, code: str) -> None:
    if user.mfa_enabled:
        raise Conflict("Two-factor authentication is already on.")
    if not user.mfa_secret:
        raise Conflict("Start with POST /auth/mfa/setup to get a secret.")
    guards = throttle.second_factor_guards(user.id)
    throttle.ensure_allowed(guards, throttle.TOO_MANY_CODES)
    if not verify_code(user, code):
        throttle.fail(
            guards,
            Unprocessable(
                "The code is wrong or expired.", errors={"code": ["Invalid or expired code."]}
            ),
        )
    user.mfa_enabled = True


def disable(user: User, password: str, code: str) -> None:
    """Turn TOTP off with the password and a current code; refused while MFA is mandatory."""
    if get_value("mfa_required"):
        raise Conflict("Two-factor authentication is mandatory on this instance.")
    if not user.mfa_enabled:
        raise Conflict("Two-factor authentication is not on.")
    guards = throttle.second_factor_guards(user.id)
    throttle.ensure_allowed(guards, throttle.TOO_MANY_CODES)
    errors = {}
    if not verify_password(user.password_hash, password):
        errors["password"] = ["Incorrect password."]
    elif not verify_code(user, code):
        errors["code"] = ["Invalid or expired code."]
    if errors:
        throttle.fail(guards, Unprocessable("The password or code is wrong.", errors=errors))
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_step = None


def verify_code(user: User, code: str, now: float | None = None) -> bool:
    """True for a fresh code of the user's secret; remembers its step so it works once.

    The user's row is locked and read again first: two requests racing with the same code
    (two workers, two challenges) are serialised, and the second sees the step the first spent.
    """
    db.session.refresh(user, with_for_update=True)
    if not user.mfa_secret:
        return False
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(encryption.decrypt(user.mfa_secret))
    now = time.time() if now is None else now
    current_step = int(now // totp.interval)
    for step in range(current_step - ALLOWED_DRIFT_STEPS, current_step + ALLOWED_DRIFT_STEPS + 1):
        if user.mfa_last_step is not None and step <= user.mfa_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.mfa_last_step = step
            return True
    return False
