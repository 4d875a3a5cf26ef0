"""Notifications out, and the list's query."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from violet.core.pagination import PageQuery
from violet.notifications.models import KINDS


class NotificationOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True)
    workspace_id = fields.UUID(required=True)
    mission_id = fields.UUID(required=True)
    mission_test_id = fields.UUID(required=True, allow_none=True)
    actor_id = fields.UUID(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class NotificationQuery(PageQuery):
    unread = fields.Boolean(
        metadata={"description": "true: only unread; false: only read; absent: all."}
    )


class ReadAllOut(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread."})
