"""Secrets: passwords (argon2id, 12–128 characters) and opaque tokens (stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from violet.core.errors import Unprocessable

PASSWORD_MIN = 12
PASSWORD_MAX = 128

# argon2-cffi's defaults are argon2id with the RFC 9106 "low memory" profile.
_hasher = PasswordHasher()
# Verified when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("violet-dummy-password-for-timing")


def check_policy(password: str, field: str = "password") -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise Unprocessable(
            f"Passwords must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.",
            errors={field: [f"Length must be between {PASSWORD_MIN} and {PASSWORD_MAX}."]},
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, burn the same time and answer False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A fresh random secret (256 bits), URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
