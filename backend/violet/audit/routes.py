"""`/audit-events`: the audit trail (`audit.read`)."""

from __future__ import annotations

from flask.views import MethodView

from violet.audit import service
from violet.audit.schemas import AuditEventPage, AuditEventQuery
from violet.core.auth import require_perm
from violet.core.serialization import Blueprint

blp = Blueprint(
    "audit",
    __name__,
    description="The audit trail: who created, changed, deleted or restored what, and sign-ins.",
)


@blp.route("")
class AuditEvents(MethodView):
    @require_perm("audit.read")
    @blp.arguments(AuditEventQuery, location="query")
    @blp.response(200, AuditEventPage)
    def get(self, query):
        """The events of the acting workspace and the instance-wide ones, newest first."""
        return service.list_events(query)
