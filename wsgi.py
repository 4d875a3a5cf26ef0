"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi …`."""

import sys

from violet import create_app
from violet.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One line naming the mistake, not a traceback (`flask --app wsgi …`). gunicorn.conf.py
    # checks the same before any worker starts; should a worker get here anyway, 3 is gunicorn's
    # "worker failed to boot", on which its master stops instead of starting worker after worker.
    print(f"Violet cannot start: {exc}", file=sys.stderr)
    sys.exit(3)
