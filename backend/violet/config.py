"""Settings read from the environment, in one place.

Every variable is listed in README.md ("Configuration"). `VIOLET_ENV` picks the mode:
`production` (the default: an unset variable must never mean weak secrets), `development`
(what `make run` sets) or `test` (what the test suites set). Development and test fall back to
throw-away secrets; production refuses to start without real ones (docs/security.md).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from violet.core.domain import Domain, check_domain_config, domain_config

REPO_ROOT = Path(__file__).resolve().parents[2]

MODES = ("development", "test", "production")
# Production refuses secrets shorter than this (bytes), or equal to a development value.
SECRET_MIN_BYTES = 32
# ...or made of fewer different characters than this (`aaaa…`, `abababab…`): a random value of
# 32 characters or more has far more.
SECRET_MIN_DISTINCT_CHARACTERS = 8
# How to make one (docs/operations.md, "Docker Compose").
SECRET_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "dev-only-secret-key-do-not-use-in-production",
    "JWT_SECRET_KEY": "dev-only-jwt-secret-key-do-not-use-in-production",
    "MFA_ENCRYPTION_KEY": "dev-only-mfa-encryption-key-do-not-use-in-production",
}
KNOWN_WEAK_SECRETS = {*DEVELOPMENT_SECRETS.values(), "changeme", "secret", "change-me"}
# Request bodies larger than this are refused (413) before they are read; the endpoints that need
# more (the ATT&CK upload) raise their own cap.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# The smallest value each number may take: a body cap of 0 would refuse every request, an
# access token of 0 minutes would expire as it is issued.
MINIMUMS = {
    "MAX_CONTENT_LENGTH": 1,
    "HSTS_MAX_AGE": 0,
    "TRUSTED_PROXY_COUNT": 0,
    "JWT_ACCESS_TOKEN_MINUTES": 1,
    "JWT_REFRESH_TOKEN_DAYS": 1,
    "WEB_CONCURRENCY": 1,
    "GUNICORN_THREADS": 1,
    "GUNICORN_TIMEOUT": 1,
    # libpq waits for ever on a connect timeout of 0 or less: the hang this setting prevents.
    "DB_CONNECT_TIMEOUT": 1,
    "DB_PING_AFTER_IDLE_SECONDS": 0,
    "PORT": 1,
}
# The highest TCP port; gunicorn would otherwise refuse a larger PORT with its own message.
MAX_PORT = 65535
# What `logging` accepts by name; anything else would end in a traceback from create_app.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def check_at_least(config: Mapping[str, Any], minimums: Mapping[str, int]) -> None:
    """ConfigError naming the first number below its minimum (`name: minimum`)."""
    for name, minimum in minimums.items():
        if config[name] < minimum:
            raise ConfigError(f"{name} must be {minimum} or more, got {config[name]}")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    """An integer from the environment (ConfigError when malformed or below `minimum`), for
    domains' config and gunicorn.conf.py."""
    value = _int(name, default)
    if minimum is not None:
        check_at_least({name: value}, {name: minimum})
    return value


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def app_dir() -> Path:
    """The application directory: it holds `migrations/` and the built SPA (`frontend/dist/`).

    `VIOLET_APP_DIR` when set (the production image sets `/app`). Otherwise the source checkout
    Violet runs from (`make run`, the tests), recognised by its `migrations/` next to `backend/`;
    an installed package has no checkout around it, so it falls back to the working directory.
    """
    configured = os.environ.get("VIOLET_APP_DIR")
    if configured:
        return Path(configured).resolve()
    if (REPO_ROOT / "migrations" / "env.py").is_file() and (REPO_ROOT / "backend").is_dir():
        return REPO_ROOT
    return Path.cwd().resolve()


def data_dir() -> Path:
    """Where `make run` keeps local state (embedded PostgreSQL, evidence files)."""
    return Path(os.environ.get("VIOLET_DATA_DIR") or app_dir() / "var").resolve()


def load_config(
    overrides: dict[str, Any] | None = None, domains: Sequence[Domain] = ()
) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then apply `overrides` (tests).

    The keys a domain owns are declared by that domain (`Domain.config`, e.g. mitre/config.py).
    """

    overrides = overrides or {}
    mode = overrides.get("VIOLET_ENV") or os.environ.get("VIOLET_ENV") or "production"
    if mode not in MODES:
        raise ConfigError(f"VIOLET_ENV must be one of {', '.join(MODES)}, got {mode!r}")

    secrets = {name: os.environ.get(name, "") for name in DEVELOPMENT_SECRETS}
    if mode != "production":
        # Throw-away values so a newcomer can start without configuring anything.
        secrets = {name: value or DEVELOPMENT_SECRETS[name] for name, value in secrets.items()}

    database_url = os.environ.get("DATABASE_URL", "")
    connect_timeout = _int("DB_CONNECT_TIMEOUT", 2)

    config: dict[str, Any] = {
        "VIOLET_ENV": mode,
        **secrets,
        # Earlier keys that still decrypt TOTP secrets after a rotation (comma-separated).
        "MFA_ENCRYPTION_OLD_KEYS": _csv(os.environ.get("MFA_ENCRYPTION_OLD_KEYS", "")),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url) if database_url else "",
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # No ping on every checkout (violet/core/database.py pings idle connections only);
            # LIFO keeps the connections in use hot and lets the spare ones idle.
            "pool_use_lifo": True,
            # Statement parameters (passwords' hashes, tokens' hashes, emails) never reach an
            # exception message or a log line.
            "hide_parameters": True,
            # A dead database must answer quickly (diag/db promises 503 within 3 s).
            "connect_args": {"connect_timeout": connect_timeout},
        },
        # Kept on its own too, for the range check (`MINIMUMS`).
        "DB_CONNECT_TIMEOUT": connect_timeout,
        # A pooled connection idle this long is pinged before use (a restarted database).
        "DB_PING_AFTER_IDLE_SECONDS": _int("DB_PING_AFTER_IDLE_SECONDS", 1),
        "VIOLET_DATA_DIR": str(data_dir()),
        # Evidence files: `local` (under VIOLET_DATA_DIR/evidence) or s3://bucket/prefix.
        "EVIDENCE_STORAGE": os.environ.get("EVIDENCE_STORAGE", "local"),
        # The default of the `evidence_max_bytes` setting (an administrator may change it).
        "EVIDENCE_MAX_BYTES": _int("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024),
        "MIGRATIONS_DIR": os.environ.get("MIGRATIONS_DIR") or str(app_dir() / "migrations"),
        "FRONTEND_DIST": os.environ.get("FRONTEND_DIST") or str(app_dir() / "frontend" / "dist"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "VIOLET_ENABLE_DIAG_RESET": _bool(os.environ.get("VIOLET_ENABLE_DIAG_RESET")),
        "ADMIN_EMAIL": os.environ.get("ADMIN_EMAIL", "admin@violet.local"),
        "ADMIN_PASSWORD": os.environ.get("ADMIN_PASSWORD", ""),
        "JWT_ACCESS_TOKEN_MINUTES": _int("JWT_ACCESS_TOKEN_MINUTES", 15),
        "JWT_REFRESH_TOKEN_DAYS": _int("JWT_REFRESH_TOKEN_DAYS", 14),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        # The port gunicorn binds (gunicorn.conf.py): without PUBLIC_BASE_URL, the first
        # administrator's link printed by `flask seed` points at http://localhost:PORT.
        "PORT": _int("PORT", 8000),
        # flask-smorest / OpenAPI
        "API_TITLE": "Violet API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # Served by violet/api_docs.py from the swagger-ui-bundle package (works offline).
        "OPENAPI_SWAGGER_UI_URL": os.environ.get("OPENAPI_SWAGGER_UI_URL", "/api/docs/assets/"),
        "JSON_SORT_KEYS": False,
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", DEFAULT_MAX_BODY_BYTES),
        # Behind N reverse proxies, the client address is the Nth from the right of
        # X-Forwarded-For; 0 (the default) never trusts the header.
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        # Strict-Transport-Security on https responses (seconds; 0 turns it off).
        "HSTS_MAX_AGE": _int("HSTS_MAX_AGE", 31536000),
        # gunicorn's, read by gunicorn.conf.py. Checked here too: gunicorn itself parses
        # WEB_CONCURRENCY before it reads its configuration file, and fails on a malformed one
        # with a traceback; the image's `flask db upgrade`, run first, names it instead.
        "WEB_CONCURRENCY": _int("WEB_CONCURRENCY", 2),
        "GUNICORN_THREADS": _int("GUNICORN_THREADS", 4),
        "GUNICORN_TIMEOUT": _int("GUNICORN_TIMEOUT", 120),
    }
    config.update(domain_config(domains))
    config.update(overrides)
    _check(config)
    check_domain_config(domains, config)
    return config


def _check(config: dict[str, Any]) -> None:
    _check_evidence_storage(config)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        raise ConfigError(
            "DATABASE_URL is not set. `make run` starts an embedded PostgreSQL and sets it for "
            "you; otherwise export DATABASE_URL=postgresql://user:pass@host:5432/violet"
        )
    if config["VIOLET_ENV"] == "production":
        weak = [name for name in DEVELOPMENT_SECRETS if not _strong(config[name])]
        if weak:
            raise ConfigError(
                f"VIOLET_ENV=production needs {', '.join(weak)} set in the environment to a "
                f"random value of at least {SECRET_MIN_BYTES} bytes, not a development value "
                f"nor a repeated pattern (generate one with `{SECRET_COMMAND}`)"
            )
        _check_secrets_differ(config)
        if config["VIOLET_ENABLE_DIAG_RESET"]:
            raise ConfigError("VIOLET_ENABLE_DIAG_RESET must not be set in production")
    check_at_least(config, MINIMUMS)
    if config["PORT"] > MAX_PORT:
        raise ConfigError(f"PORT must be {MAX_PORT} or less, got {config['PORT']}")
    if config["LOG_LEVEL"] not in LOG_LEVELS:
        raise ConfigError(
            f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {config['LOG_LEVEL']!r}"
        )
    _check_public_base_url(config["PUBLIC_BASE_URL"])


def _check_public_base_url(url: str) -> None:
    """Empty (links use the request's host) or the http(s) address users reach."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            "PUBLIC_BASE_URL must be the http(s) address users reach, such as "
            f"https://violet.example.org, got {url!r}"
        )


def _strong(secret: str) -> bool:
    return (
        len(secret.encode()) >= SECRET_MIN_BYTES
        and secret.strip() not in KNOWN_WEAK_SECRETS
        and len(set(secret)) >= SECRET_MIN_DISTINCT_CHARACTERS
    )


def _check_secrets_differ(config: dict[str, Any]) -> None:
    """One leaked value must not give away the others (sessions, tokens, TOTP secrets)."""
    names = list(DEVELOPMENT_SECRETS)
    for index, name in enumerate(names):
        for other in names[index + 1 :]:
            if config[name] == config[other]:
                raise ConfigError(
                    f"{name} and {other} must be different values: generate each one on its "
                    f"own with `{SECRET_COMMAND}`"
                )


def _check_evidence_storage(config: dict[str, Any]) -> None:
    from violet.core.storage import parse_storage_url

    try:
        s3 = parse_storage_url(config["EVIDENCE_STORAGE"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if s3 is not None and importlib.util.find_spec("boto3") is None:
        raise ConfigError("EVIDENCE_STORAGE=s3://… needs boto3: pip install 'violet[s3]'")
    if config["EVIDENCE_MAX_BYTES"] < 1:
        raise ConfigError("EVIDENCE_MAX_BYTES must be a positive number of bytes")
