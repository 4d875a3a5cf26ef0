"""Secrets: passwords (argon2id, 12–128 characters) and opaque tokens (stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from violet.core.errors import Unprocessable

PASSWORD_MIN = 12
PASSWORD_MAX = 128

# argon2-cffi's defaults are argon2id with the RFC 9106 "low memory" profile.
_hasher = PasswordHasher()
# Test mode (VIOLET_ENV=test: the test suites' servers, whose secrets are throw-away too) hashes
# with argon2-cffi's cheapest profile, made for tests: the e2e suite signs in and creates users
# hundreds of times, at about 100 ms of CPU each with the real profile. A hash records its own
# profile, so verifying works whichever profile made it.
_test_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("violet-dummy-password-for-timing")
_TEST_DUMMY_HASH = _test_hasher.hash("violet-dummy-password-for-timing")


def _test_mode() -> bool:
    return has_app_context() and current_app.config["VIOLET_ENV"] == "test"


def check_policy(password: str, field: str = "password") -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise Unprocessable(
            f"Passwords must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.",
            errors={field: [f"Length must be between {PASSWORD_MIN} and {PASSWORD_MAX}."]},
        )


def hash_password(password: str) -> str:
    return (_test_hasher if _test_mode() else _hasher).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, burn the same time and answer False."""
    dummy = _TEST_DUMMY_HASH if _test_mode() else _DUMMY_HASH
    try:
        return _hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A fresh random secret (256 bits), URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
