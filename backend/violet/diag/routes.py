"""Diagnostics endpoints: health, database status, the test-only reset."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import jsonify
from flask.views import MethodView
from sqlalchemy.exc import OperationalError

from violet.core.auth import public, require_perm
from violet.core.database import is_outage
from violet.core.serialization import Blueprint
from violet.diag import service
from violet.diag.schemas import DatabaseOut, HealthOut, ResetOut
from violet.extensions import db

blp = Blueprint("diag", __name__, description="Health and database diagnostics.")


@blp.route("/health")
class Health(MethodView):
    @public
    @blp.response(200, HealthOut)
    def get(self):
        """Liveness: 200 while the process serves requests (public)."""
        return {"status": "ok"}


def unreachable_when_auth_needs_the_database(view: Callable[..., Any]) -> Callable[..., Any]:
    """During an outage even the permission check cannot read the database.

    A caller whose access token carries a valid signature (checked without the database) then
    gets the honest, quick answer `503 {reachable: false}` instead of a generic error; callers
    without a valid token still get 401 first.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except OperationalError as exc:
            if not is_outage(exc):
                raise
            return jsonify(reachable=False), 503

    return wrapper


@blp.route("/db")
class Database(MethodView):
    @unreachable_when_auth_needs_the_database
    @require_perm("diag.read")
    @blp.response(200, DatabaseOut)
    @blp.alt_response(503, schema=DatabaseOut, description="The database is unreachable.")
    def get(self):
        """Database reachability, current migration revision and table count."""
        status = service.database_status()
        return status, (200 if status["reachable"] else 503)


# Registered by create_app only when VIOLET_ENABLE_DIAG_RESET=1; otherwise the route is absent.
reset_blp = Blueprint(
    "diag-reset", __name__, description="Test-only reset (VIOLET_ENABLE_DIAG_RESET=1)."
)


@reset_blp.route("/reset")
class Reset(MethodView):
    # Public so the e2e harness can call it; the route only exists in test set-ups.
    @public
    @reset_blp.response(200, ResetOut)
    def post(self):
        """Truncate all business tables and seed again (e2e suites only)."""
        tables = service.reset_database()
        db.session.commit()
        return {"status": "reset", "tables": tables}
