"""Diagnostics endpoints (SPEC §6)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from violet.diag import service
from violet.diag.schemas import DatabaseOut, HealthOut, ResetOut
from violet.extensions import db

blp = Blueprint("diag", __name__, description="Health and database diagnostics.")


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthOut)
    def get(self):
        """Liveness: 200 while the process serves requests (public)."""
        return {"status": "ok"}


@blp.route("/db")
class Database(MethodView):
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
    @reset_blp.response(200, ResetOut)
    def post(self):
        """Truncate all business tables and seed again (e2e suites only)."""
        tables = service.reset_database()
        db.session.commit()
        return {"status": "reset", "tables": tables}
