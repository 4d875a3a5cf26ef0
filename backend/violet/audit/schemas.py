"""Audit events out, and the list's filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from violet.core.json_types import Moment
from violet.core.pagination import PageQuery, page_of
from violet.core.serialization import CompiledSchema

CHANGES_DESCRIPTION = (
    "What a change changed: {column: {from, to}}, and for a collection (a user's groups, a "
    "group's permissions) {name: {added, removed}}. Null for other actions. Secrets and "
    "bookkeeping columns are never recorded; a long text is cut at 1,000 characters."
)


class AuditEventOut(Schema):
    id = fields.UUID(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_id = fields.UUID(
        required=True, allow_none=True, metadata={"description": "Null: nobody signed in."}
    )
    actor_email = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The actor's email; for a failed sign-in, the email tried."},
    )
    token_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={
            "description": "The API token the actor's request was signed with; null for a "
            "signed-in session (and for a failed sign-in)."
        },
    )
    token_name = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The API token's name when it happened."},
    )
    action = fields.String(
        required=True,
        metadata={
            "description": "`<object_type>.<verb>`: `mission_test.update`, `auth.login_failed`…"
        },
    )
    object_type = fields.String(required=True)
    object_id = fields.UUID(required=True, allow_none=True)
    object_label = fields.String(
        required=True, allow_none=True, metadata={"description": "Its name when it happened."}
    )
    workspace_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "Null for instance-wide objects (users, groups, sign-ins)."},
    )
    mission_id = fields.UUID(required=True, allow_none=True)
    mission_name = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The mission's name today (the event's mission_id)."},
    )
    changes = fields.Dict(
        required=True, allow_none=True, metadata={"description": CHANGES_DESCRIPTION}
    )
    ip_address = fields.String(required=True, allow_none=True)
    request_id = fields.String(required=True, allow_none=True)


class AuditEventQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={
            "description": "Substring of the object's label, the action, the actor's email or "
            "the API token's name."
        },
    )
    action = fields.String(
        validate=validate.Length(max=60),
        metadata={
            "description": "An action (`mission.delete`), or a prefix ending in a dot (`auth.`)."
        },
    )
    object_type = fields.String(validate=validate.Length(max=40))
    object_id = fields.UUID()
    actor_id = fields.UUID()
    token_id = fields.UUID(
        metadata={"description": "The events of one API token (revoked or not)."}
    )
    mission_id = fields.UUID()
    since = Moment(metadata={"description": "At or after (ISO 8601 with offset)."})
    until = Moment(metadata={"description": "Before (ISO 8601 with offset)."})


# The page of events, and the emails of the users their changes name by id.
AuditEventPage = CompiledSchema.from_dict(
    {
        **page_of(AuditEventOut)().fields,
        "user_emails": fields.Dict(
            keys=fields.String(),
            values=fields.String(),
            required=True,
            metadata={
                "description": "{user id: email} for the user ids the page's `changes` hold "
                "(`executed_by`, `lead_id`, `user_id`…), deleted users included."
            },
        ),
    },
    name="AuditEventPage",
)
