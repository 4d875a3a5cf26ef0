"""Password hashes: argon2id with RFC 9106's low-memory profile in every mode but test mode,
whose throw-away servers hash with argon2-cffi's cheapest profile (auth/service/credentials.py)."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters, profiles
from flask import Flask

from violet.auth.service.credentials import hash_password, verify_password

PASSWORD = "correct horse battery staple"


def hashed_in(mode: str) -> str:
    app = Flask(__name__)
    app.config["VIOLET_ENV"] = mode
    with app.app_context():
        return hash_password(PASSWORD)


@pytest.mark.parametrize("mode", ["production", "development"])
def test_real_instances_hash_with_the_rfc_9106_low_memory_profile(mode):
    assert extract_parameters(hashed_in(mode)) == profiles.RFC_9106_LOW_MEMORY


def test_test_mode_hashes_cheaply_and_any_mode_verifies_either():
    cheap = hashed_in("test")
    assert extract_parameters(cheap) == profiles.CHEAPEST
    app = Flask(__name__)
    app.config["VIOLET_ENV"] = "production"
    with app.app_context():
        assert verify_password(cheap, PASSWORD)
        assert verify_password(hashed_in("production"), PASSWORD)
        assert not verify_password(cheap, "another password entirely")
