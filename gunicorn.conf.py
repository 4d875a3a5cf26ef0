"""gunicorn settings, all from the environment (see README "Configuration")."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 10
# The largest request line gunicorn accepts (its maximum); Violet answers over-long query strings
# itself, as problem+json, well below it (core/input_guard.py).
limit_request_line = 8190
# Violet logs each request itself as JSON (with its request id); gunicorn's access log would
# repeat it.
accesslog = None
errorlog = "-"
# gunicorn ≥ 24 opens a control socket in ~/.gunicorn; several instances (make run + e2e) would
# fight over that one path, and Violet does not use it.
control_socket_disable = True
