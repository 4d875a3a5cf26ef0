"""Input and output schemas of the workspaces domain."""

from __future__ import annotations

import re
import uuid

from marshmallow import Schema, ValidationError, fields, validate, validates

from violet.core.names import Name
from violet.core.pagination import PageQuery
from violet.workspaces.models import NAME_MAX, SLUG_MAX

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RULE = "lower-case letters, digits and single hyphens, at most 50 characters"


def slug_field(**kwargs) -> fields.String:
    return fields.String(
        validate=[
            validate.Length(min=1, max=SLUG_MAX),
            validate.Regexp(SLUG_PATTERN, error=f"A slug is {SLUG_RULE}."),
        ],
        metadata={"example": "acme-corp", "description": f"Unique; {SLUG_RULE}."},
        **kwargs,
    )


class WorkspaceOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    is_default = fields.Boolean(
        required=True, metadata={"description": "New users join this workspace."}
    )
    member_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(allow_none=True)


class CurrentWorkspaceOut(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)


class MemberOut(Schema):
    user_id = fields.UUID(attribute="id", required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    deleted = fields.Boolean(
        required=True,
        attribute="is_deleted",
        metadata={
            "description": "True for a deleted user: they keep their place until a list without "
            "them is saved."
        },
    )


class _SlugIsNotAnId:
    @validates("slug")
    def slug_is_not_an_id(self, value: str, **kwargs) -> None:
        # The X-Violet-Workspace header takes an id or a slug: they must never be confused.
        try:
            uuid.UUID(value)
        except ValueError:
            return
        raise ValidationError("A slug cannot have the form of a workspace id (UUID).")


class WorkspaceCreate(_SlugIsNotAnId, Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    slug = slug_field(required=True)


class WorkspaceUpdate(_SlugIsNotAnId, Schema):
    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    slug = slug_field()


class WorkspaceQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))
    mine = fields.Boolean(
        load_default=False,
        metadata={"description": "Only the workspaces the caller belongs to (the switcher)."},
    )
    include_deleted = fields.Boolean(load_default=False)


class IncludeDeletedQuery(Schema):
    include_deleted = fields.Boolean(load_default=False)


class DeleteQuery(Schema):
    confirm = fields.Boolean(
        load_default=False,
        metadata={"description": "Needed to delete a workspace that still holds data."},
    )


class MemberQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))


class MemberIn(Schema):
    user_id = fields.UUID(required=True)


class PreferredIn(Schema):
    workspace_id = fields.UUID(required=True)
