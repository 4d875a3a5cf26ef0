"""TOTP two-factor authentication (RFC 6238, 30-second steps, 6 digits).

A code is accepted within ±1 step of the server clock and only once: the step it belongs to is
remembered, and codes of that step or earlier are refused afterwards. The secret is stored
encrypted (violet/core/encryption.py); only enrolment shows it, once, to the user.

Recovery codes stand in for a TOTP code at sign-in when the phone is lost: ten of them, issued
when TOTP is turned on (or again on request, which replaces the set), shown once, each usable
once. Each code is 80 random bits, so the database keeps only its SHA-256 (like every other
token): a salted slow hash (argon2) protects secrets a person chose, which can be guessed; no
one can enumerate 2^80 candidates, even with a fast hash and a stolen table. A plain hash can
also be looked up by value, while argon2 would cost ten slow verifications per attempt.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import time
import uuid
from typing import Any

import pyotp
from sqlalchemy import ScalarSelect, delete, func, select, update

from violet.auth.models import MfaRecoveryCode, User
from violet.auth.service import throttle
from violet.auth.service.credentials import token_hash, verify_password
from violet.core import audit, encryption, limits
from violet.core.errors import Conflict, Unprocessable
from violet.core.models import utcnow
from violet.extensions import db
from violet.settings.service import get_value

ISSUER = "Violet"
ALLOWED_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10  # 80 bits: 16 base32 characters, shown as four groups of four


def begin_setup(user: User) -> dict[str, Any]:
    """A fresh secret for the user's authenticator app; MFA stays off until `enable`."""
    if user.mfa_enabled:
        raise Conflict("Two-factor authentication is already on; disable it first to re-enrol.")
    secret = pyotp.random_base32()
    user.mfa_secret = encryption.encrypt(secret)
    user.mfa_last_step = None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri}


def enable(user: User, password: str, code: str) -> list[str]:
    """Turn TOTP on with the password and a current code; answers the first set of recovery
    codes (shown once). The password, as to turn it off: a stolen session must not enrol the
    thief's app, after which the owner could not sign in."""
    # The guess is counted (and committed) first, then the row is locked: of two parallel
    # enables (codes of two steps), the second sees TOTP on and is refused, rather than replace
    # the codes the first has just shown.
    guards = throttle.second_factor_guards(user.id)
    throttle.begin_attempt(guards, throttle.TOO_MANY_CODES)
    db.session.refresh(user, with_for_update=True)
    if user.mfa_enabled:
        throttle.release(guards)
        throttle.failed(Conflict("Two-factor authentication is already on."))
    if not user.mfa_secret:
        throttle.release(guards)
        throttle.failed(Conflict("Start with POST /auth/mfa/setup to get a secret."))
    check_password_and_code(user, password, code, guards)
    user.mfa_enabled = True
    return replace_recovery_codes(user)


def disable(user: User, password: str, code: str) -> None:
    """Turn TOTP off with the password and a current code; refused while MFA is mandatory."""
    if get_value("mfa_required"):
        raise Conflict("Two-factor authentication is mandatory on this instance.")
    if not user.mfa_enabled:
        raise Conflict("Two-factor authentication is not on.")
    confirm_password_and_code(user, password, code)
    forget(user)


def regenerate_recovery_codes(user: User, password: str, code: str) -> list[str]:
    """A fresh set of recovery codes (password and a current TOTP code); the old set is void."""
    if not user.mfa_enabled:
        raise Conflict("Two-factor authentication is not on.")
    confirm_password_and_code(user, password, code)
    return replace_recovery_codes(user)


def confirm_password_and_code(user: User, password: str, code: str) -> None:
    """422 naming the wrong field unless both are right (wrong tries count as second factors)."""
    guards = throttle.second_factor_guards(user.id)
    throttle.begin_attempt(guards, throttle.TOO_MANY_CODES)
    check_password_and_code(user, password, code, guards)


def check_password_and_code(
    user: User, password: str, code: str, guards: list[limits.Counted]
) -> None:
    """The check of `confirm_password_and_code`, for an attempt already counted on `guards`."""
    errors = {}
    if not verify_password(user.password_hash, password):
        errors["password"] = ["Incorrect password."]
    elif not verify_code(user, code):
        errors["code"] = ["Invalid or expired code."]
    if errors:
        throttle.failed(Unprocessable("The password or code is wrong.", errors=errors))
    throttle.release(guards)


def forget(user: User) -> None:
    """TOTP off: the secret, the replay guard and the recovery codes are gone."""
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_step = None
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))


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
            remember_sign_in(user, mfa_last_step=step)
            return True
    return False


def remember_sign_in(user: User, **columns: Any) -> None:
    """Write what signing in keeps on the user's row (the last sign-in, the TOTP step spent)
    without making it an edit of the user: no new `version`, no new `updated_at`. Otherwise
    every sign-in moved the version on, and an administrator's change sent with the If-Match
    they read before was refused as "changed by someone else" (412) for nothing."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(updated_at=User.updated_at, **columns)  # as it is: no `onupdate`
    )


def replace_recovery_codes(user: User) -> list[str]:
    """New codes in place of the user's old ones; answers them in clear (shown once)."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    audit.record(
        "auth.recovery_codes_replaced",
        object_type="user",
        object_id=user.id,
        label=user.email,
        actor_id=user.id,
    )
    db.session.add_all(
        MfaRecoveryCode(user_id=user.id, code_hash=recovery_code_hash(code)) for code in codes
    )
    db.session.flush()
    return codes


def new_recovery_code() -> str:
    """Like `k7qd-m2xa-9pfz-wr4e`: lower-case base32 has no 0/O or 1/l to confuse."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
    return "-".join(raw[start : start + 4] for start in range(0, len(raw), 4))


def recovery_code_hash(code: str) -> str:
    """Hash of the code as typed, give or take case, spaces and dashes."""
    return token_hash(re.sub(r"[\s-]", "", code).lower())


def use_recovery_code(user: User, code: str) -> bool:
    """True when `code` is one of the user's unused recovery codes, which is then spent.

    Locks the user's row first, as `verify_code` does: two requests racing with the same code
    are serialised, and the second finds it used.
    """
    db.session.refresh(user, with_for_update=True)
    if not user.mfa_enabled:
        return False
    recovery_code = db.session.scalar(
        select(MfaRecoveryCode).where(
            MfaRecoveryCode.user_id == user.id,
            MfaRecoveryCode.code_hash == recovery_code_hash(code),
            MfaRecoveryCode.used_at.is_(None),
        )
    )
    if recovery_code is None:
        return False
    recovery_code.used_at = utcnow()
    return True


def remaining_recovery_codes(user_id: uuid.UUID) -> int:
    return db.session.scalar(select(unused_recovery_codes(user_id))) or 0


def unused_recovery_codes(user_id: Any) -> ScalarSelect[int]:
    """The count of `user_id`'s unused recovery codes, as a subquery (`user_id` a value or a
    column such as `User.id`)."""
    return (
        select(func.count())
        .select_from(MfaRecoveryCode)
        .where(MfaRecoveryCode.user_id == user_id, MfaRecoveryCode.used_at.is_(None))
        .scalar_subquery()
    )
