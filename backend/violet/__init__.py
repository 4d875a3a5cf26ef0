"""Violet: purple-team operations mapped to MITRE ATT&CK."""

from __future__ import annotations

from typing import Any

from flask import Flask

from violet.config import load_config


def check_config() -> None:
    """Check the environment as `create_app` would (ConfigError), without building the app:
    gunicorn.conf.py does it once, in the master, before any worker starts."""
    from violet.domains import DOMAINS

    load_config(None, DOMAINS)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, the domains, error handlers, CLI, SPA."""
    from violet import api_docs, cli, spa
    from violet.core import security_headers, storage
    from violet.core.auth import BEARER_SCHEME
    from violet.core.database import autocommit_safe_requests, ping_idle_connections
    from violet.core.domain import register_domains
    from violet.core.errors import register_error_handlers
    from violet.core.request_log import configure_logging, init_request_logging
    from violet.core.serialization import OrjsonProvider
    from violet.core.sessions import NoCookieSession
    from violet.domains import DOMAINS
    from violet.extensions import api, db, jwt, migrate

    app = Flask(__name__, static_folder=None)
    app.json = OrjsonProvider(app)
    # Callers authenticate with bearer tokens and the refresh cookie, never Flask's signed
    # cookie session: not opening one spares every request its signing serializer.
    app.session_interface = NoCookieSession()
    app.config.from_mapping(load_config(config, DOMAINS))
    # Fields in the order the output schemas declare them, not alphabetical (orjson never sorts;
    # this is for the standard encoder it falls back on).
    app.json.sort_keys = False
    configure_logging(app.config["LOG_LEVEL"])

    db.init_app(app)
    with app.app_context():
        ping_idle_connections(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
        autocommit_safe_requests(db.engine)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    jwt.init_app(app)
    storage.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An access JWT from POST /auth/login, or an API token (vlt_…).",
        },
    )
    register_domains(app, api, DOMAINS)

    # Registered after the Api so our problem+json handlers replace flask-smorest's.
    register_error_handlers(app)
    init_request_logging(app)
    security_headers.register(app)
    cli.register(app)
    api_docs.register(app)
    spa.register(app)
    return app
