"""`/notifications`: the caller's own notifications (anyone else's are 404)."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import current_user_id, require_auth
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.extensions import db
from violet.notifications import service
from violet.notifications.schemas import NotificationOut, NotificationQuery, ReadAllOut

blp = Blueprint(
    "notifications",
    __name__,
    description="The caller's notifications: tests handed to blue, detections, new missions.",
)


def _me() -> UUID:
    user_id = current_user_id()
    assert user_id is not None  # @require_auth
    return user_id


@blp.route("")
class Notifications(MethodView):
    @require_auth
    @list_response(blp, NotificationQuery, NotificationOut)
    def get(self, query):
        """The caller's notifications, newest first; `unread=true` for the unread ones."""
        return service.list_notifications(_me(), query)


@blp.route("/<uuid:notification_id>/read")
class NotificationRead(MethodView):
    @require_auth
    @blp.response(200, NotificationOut)
    def post(self, notification_id: UUID):
        """Mark one notification read (idempotent)."""
        notification = service.mark_read(_me(), notification_id)
        db.session.commit()
        return notification


@blp.route("/read-all")
class NotificationsReadAll(MethodView):
    @require_auth
    @blp.response(200, ReadAllOut)
    def post(self):
        """Mark every unread notification of the caller read."""
        marked = service.mark_all_read(_me())
        db.session.commit()
        return {"marked": marked}
