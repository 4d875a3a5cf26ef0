"""Violet: purple-team operations mapped to MITRE ATT&CK."""

from __future__ import annotations

from typing import Any

from flask import Flask

from violet.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error handlers, CLI, SPA."""
    from violet import api_docs, cli, spa
    from violet.auth.routes import BLUEPRINTS as AUTH_BLUEPRINTS
    from violet.auth.service.principals import authenticate_bearer
    from violet.core.auth import BEARER_SCHEME, set_authenticator
    from violet.core.database import autocommit_safe_requests, ping_idle_connections
    from violet.core.errors import register_error_handlers, register_jwt_error_loaders
    from violet.core.request_log import configure_logging, init_request_logging
    from violet.core.serialization import OrjsonProvider
    from violet.diag.routes import blp as diag_blp
    from violet.diag.routes import reset_blp as diag_reset_blp
    from violet.extensions import api, db, jwt, limiter, migrate
    from violet.mitre.routes import blp as mitre_blp
    from violet.settings.routes import blp as settings_blp

    app = Flask(__name__, static_folder=None)
    app.json = OrjsonProvider(app)
    app.config.from_mapping(load_config(config))
    # Fields in the order the output schemas declare them, not alphabetical.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure_logging(app.config["LOG_LEVEL"])

    db.init_app(app)
    with app.app_context():
        ping_idle_connections(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
        autocommit_safe_requests(db.engine)
    migrate.init_app(app, db)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An access JWT from POST /auth/login, or an API token (vlt_…).",
        },
    )
    set_authenticator(app, authenticate_bearer)
    register_jwt_error_loaders(jwt)

    for blueprint, url_prefix in AUTH_BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=url_prefix)
    api.register_blueprint(settings_blp, url_prefix="/api/v1/settings")
    api.register_blueprint(mitre_blp, url_prefix="/api/v1/mitre")
    api.register_blueprint(diag_blp, url_prefix="/api/v1/diag")
    if app.config["VIOLET_ENABLE_DIAG_RESET"]:
        api.register_blueprint(diag_reset_blp, url_prefix="/api/v1/diag")

    # Registered after the Api so our problem+json handlers replace flask-smorest's.
    register_error_handlers(app)
    init_request_logging(app)
    cli.register(app)
    api_docs.register(app)
    spa.register(app)
    return app
