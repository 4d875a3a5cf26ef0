"""gunicorn settings, all from the environment (see README "Configuration")."""

import os
import sys

import violet
from violet.config import ConfigError, env_int

# The application's configuration, checked once here in the master: a mistake is one line and
# gunicorn stops, instead of a traceback from every worker that imports wsgi.py. (Every name
# this module defines is read as a gunicorn setting, and `check_config` is one: hence
# `violet.check_config`.)
try:
    violet.check_config()
    workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
    threads = env_int("GUNICORN_THREADS", 4, minimum=1)
    timeout = env_int("GUNICORN_TIMEOUT", 120, minimum=1)
except ConfigError as exc:
    sys.exit(f"Violet cannot start: {exc}")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
graceful_timeout = 10
# No request-line limit in gunicorn: beyond its own limit it would answer an HTML 414 that no
# client of a JSON API expects. Violet refuses query strings over 4 KiB itself, as problem+json
# (core/input_guard.py); in production the TLS proxy in front bounds the line (docs/security.md).
limit_request_line = 0
# Violet logs each request itself as JSON (with its request id); gunicorn's access log would
# repeat it.
accesslog = None
errorlog = "-"
# gunicorn ≥ 24 opens a control socket in ~/.gunicorn; several instances (make run + e2e) would
# fight over that one path, and Violet does not use it.
control_socket_disable = True
