"""Secrets the server must read back (TOTP seeds) are stored encrypted with a configured key.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived from
MFA_ENCRYPTION_KEY, any random string of at least 32 bytes. Rotation: put the new key in
MFA_ENCRYPTION_KEY and the old ones in MFA_ENCRYPTION_OLD_KEYS (comma-separated); values
encrypted under any of them still decrypt, `flask users rotate-mfa-key` re-encrypts every stored
value under the new key, and then the old keys can go (docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# Every Fernet token starts with its version byte 0x80, "gAAAAA" in base64; a base32 TOTP secret
# (A-Z, 2-7) never does.
FERNET_PREFIX = "gAAAAA"


class UndecryptableSecret(RuntimeError):
    """A stored value does not decrypt under MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS."""


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def _keys(config=None) -> MultiFernet:
    config = config or current_app.config
    keys = [config["MFA_ENCRYPTION_KEY"], *config.get("MFA_ENCRYPTION_OLD_KEYS", ())]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(plaintext: str, config=None) -> str:
    return _keys(config).encrypt(plaintext.encode()).decode()


def decrypt(token: str, config=None) -> str:
    try:
        return _keys(config).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A stored secret does not decrypt: MFA_ENCRYPTION_KEY (or MFA_ENCRYPTION_OLD_KEYS) "
            "is not the key it was encrypted with."
        ) from exc


def reencrypt(token: str, config=None) -> str:
    """The same secret under the current key (key rotation)."""
    return _keys(config).rotate(token.encode()).decode()


def is_encrypted(value: str) -> bool:
    return value.startswith(FERNET_PREFIX)
