"""The mitre domain's config keys: the pinned ATT&CK release and the fetch policy."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from violet.config import ConfigError, check_at_least, env_int

# The ATT&CK release a fresh install syncs (docs/api.md, "The ATT&CK catalogue"). No hash is
# pinned by default: the official 18.1 file could not be downloaded to take its hash when this
# was written (docs/api.md, "The pinned hash"); operators pin it with MITRE_DEFAULT_SHA256.
MITRE_DEFAULT_URL = (
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/"
    "enterprise-attack/enterprise-attack-18.1.json"
)
MITRE_DEFAULT_VERSION = "18.1"
MITRE_DEFAULT_SHA256 = ""
# URL prefixes a sync may fetch from (and be redirected to): MITRE's repositories, not the whole
# hosts, which serve anyone's files.
MITRE_ALLOWED_SOURCES = (
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/,"
    "https://raw.githubusercontent.com/mitre/cti/"
)


def _csv(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def config() -> dict[str, Any]:
    return {
        "MITRE_DEFAULT_URL": os.environ.get("MITRE_DEFAULT_URL", MITRE_DEFAULT_URL),
        "MITRE_DEFAULT_VERSION": os.environ.get("MITRE_DEFAULT_VERSION", MITRE_DEFAULT_VERSION),
        # Set but empty means "no pin": syncing the default URL then needs allow_unverified.
        "MITRE_DEFAULT_SHA256": os.environ.get("MITRE_DEFAULT_SHA256", MITRE_DEFAULT_SHA256)
        .strip()
        .lower(),
        "MITRE_ALLOWED_SOURCES": _csv(
            os.environ.get("MITRE_ALLOWED_SOURCES", MITRE_ALLOWED_SOURCES)
        ),
        "MITRE_MAX_BYTES": env_int("MITRE_MAX_BYTES", 200 * 1024 * 1024),
        "MITRE_FETCH_TIMEOUT": env_int("MITRE_FETCH_TIMEOUT", 60),
        "MITRE_BUNDLE_FILE": os.environ.get("MITRE_BUNDLE_FILE", ""),
    }


def check_config(config: Mapping[str, Any]) -> None:
    check_at_least(config, {"MITRE_MAX_BYTES": 1, "MITRE_FETCH_TIMEOUT": 1})
    pinned = config["MITRE_DEFAULT_SHA256"]
    if pinned and not re.fullmatch(r"[0-9a-f]{64}", pinned):
        raise ConfigError("MITRE_DEFAULT_SHA256 must be 64 hexadecimal characters or empty")
