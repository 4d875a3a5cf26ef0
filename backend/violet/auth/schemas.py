"""Input and output schemas of the auth domain (separate classes per direction)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from violet.auth.models import EMAIL_MAX, NAME_MAX
from violet.auth.service.credentials import PASSWORD_MAX, PASSWORD_MIN
from violet.auth.service.directory import email_field
from violet.core.auth import MISSION_ACCESS_LEVELS, MISSION_ACCESS_NONE
from violet.core.domain import DeclaredPermissionCode
from violet.core.names import Name
from violet.core.pagination import PageQuery

TOKEN_MAX = 2048  # longer than any token Violet issues
NAME = validate.Length(max=NAME_MAX)
MAX_INVITATION_WORKSPACES = 50
PASSWORD = validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX)
RECOVERY_CODE_MAX = 64  # a code is 19 characters; room for spaces a user may add
INVITATION_STATUSES = ("pending", "accepted", "expired", "revoked")
# ASCII digits (spaces allowed, as authenticator apps show "123 456"); \d would admit any
# script's digits.
TOTP_CODE = validate.And(
    validate.Length(min=6, max=10),
    validate.Regexp(r"^[0-9 ]+$", error="A code is 6 digits."),
)


MISSION_ACCESS_DESCRIPTION = (
    "What the token may do in the missions you belong to: `none` (as if you were not a member: "
    "404), `read` (as a viewer who changes nothing: reads and exports, evidence included; every "
    "write is 403) or `write` (your own role). Permissions such as `mission.read_all` and "
    "`mission.manage_all` still apply as the token carries them."
)


def version_field() -> fields.Integer:
    return fields.Integer(
        required=True,
        metadata={"description": "Bumped by every change; send it back as If-Match."},
    )


def token_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=TOKEN_MAX), **kwargs)


def password_field(**kwargs) -> fields.String:
    return fields.String(validate=PASSWORD, load_only=True, **kwargs)


def permission_codes(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=DeclaredPermissionCode()), **kwargs)


# --- output ----------------------------------------------------------------------------------


class GroupRefOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class WorkspaceRefOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class UserOut(Schema):
    id = fields.UUID(required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    mfa_enabled = fields.Boolean(required=True)
    groups = fields.List(fields.Nested(GroupRefOut), required=True)
    version = version_field()
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    last_login_at = fields.DateTime(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


class MeOut(UserOut):
    permissions = fields.List(fields.String(), required=True)
    unread_notifications = fields.Integer(required=True)
    mfa_enrolment_required = fields.Boolean(
        required=True,
        metadata={"description": "MFA is mandatory and not set up: only enrolment is allowed."},
    )
    recovery_codes_remaining = fields.Integer(
        required=True,
        metadata={"description": "Unused TOTP recovery codes; generate a new set when low."},
    )


class TokenPairOut(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(
        metadata={
            "description": "Absent when the request sent `X-Violet-Refresh: cookie`: the token "
            "is then in the HttpOnly `violet_refresh` cookie instead."
        }
    )
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})
    user = fields.Nested(MeOut, required=True)


class LoginOut(Schema):
    """Either a token pair, or (TOTP users) `mfa_required` with a challenge for /login/mfa."""

    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(MeOut)
    mfa_required = fields.Boolean()
    mfa_token = fields.String()


class PermissionOut(Schema):
    code = fields.String(required=True)
    description = fields.String(required=True)


class GroupOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    permissions = fields.List(fields.String(), attribute="permission_codes", required=True)
    member_count = fields.Integer(required=True)
    version = version_field()
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(allow_none=True)


class ApiTokenOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    prefix = fields.String(
        required=True, metadata={"description": "First characters, to tell tokens apart."}
    )
    permissions = fields.List(fields.String(), required=True)
    workspace_id = fields.UUID(
        allow_none=True, required=True, metadata={"description": "The workspace it is bound to."}
    )
    mission_access = fields.String(
        required=True,
        validate=validate.OneOf(MISSION_ACCESS_LEVELS),
        metadata={"description": MISSION_ACCESS_DESCRIPTION},
    )
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class ApiTokenCreatedOut(ApiTokenOut):
    token = fields.String(required=True, metadata={"description": "Shown once; store it now."})


class MfaSetupOut(Schema):
    secret = fields.String(required=True)
    otpauth_uri = fields.String(required=True)


class MfaRecoveryCodesOut(Schema):
    recovery_codes = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Ten single-use codes that stand in for a TOTP code at sign-in. "
            "Shown once: only their hashes are kept."
        },
    )


class InvitationOut(Schema):
    id = fields.UUID(required=True)
    email = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INVITATION_STATUSES))
    groups = fields.List(fields.Nested(GroupRefOut), required=True)
    workspaces = fields.List(
        fields.Nested(WorkspaceRefOut),
        required=True,
        metadata={
            "description": "The live workspaces the invitee joins that you may see (none here "
            "and no `other_workspaces`: the default one)."
        },
    )
    other_workspaces = fields.Integer(
        required=True,
        metadata={
            "description": "How many live workspaces the invitee joins that you may not see."
        },
    )
    expires_at = fields.DateTime(required=True)
    accepted_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    invited_by = fields.String(attribute="inviter.email", allow_none=True)


class InvitationCreatedOut(InvitationOut):
    token = fields.String(required=True, metadata={"description": "Shown once."})
    accept_url = fields.String(required=True)


class InvitationLookupOut(Schema):
    email = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    invited_by = fields.String(attribute="inviter.email", allow_none=True)


# --- input -----------------------------------------------------------------------------------


class LoginIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=EMAIL_MAX))
    password = fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))


class MfaLoginIn(Schema):
    mfa_token = token_field(required=True)
    code = fields.String(
        validate=TOTP_CODE, metadata={"description": "A TOTP code; or send `recovery_code`."}
    )
    recovery_code = fields.String(
        validate=validate.Length(min=1, max=RECOVERY_CODE_MAX),
        metadata={"description": "An unused recovery code instead of `code` (works once)."},
    )

    @validates_schema
    def one_second_factor(self, data, **kwargs):
        if ("code" in data) == ("recovery_code" in data):
            message = "Send either `code` or `recovery_code`."
            raise ValidationError({"code": [message], "recovery_code": [message]})


class RefreshIn(Schema):
    refresh_token = token_field(
        metadata={"description": "Omit it to use the `violet_refresh` cookie instead."}
    )


class MeUpdate(Schema):
    display_name = Name(validate=NAME)


class PasswordChangeIn(Schema):
    current_password = fields.String(
        required=True, validate=validate.Length(min=1, max=PASSWORD_MAX)
    )
    new_password = password_field(required=True)
    keep_api_tokens = fields.Boolean(
        load_default=False,
        metadata={"description": "Keep the caller's API tokens (every session ends anyway)."},
    )


class MfaCodeIn(Schema):
    code = fields.String(required=True, validate=TOTP_CODE)


class MfaDisableIn(MfaCodeIn):
    password = fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))


# Turning TOTP on asks for the password as turning it off does: a stolen session must not
# enrol its thief's app and lock the owner out.
MfaEnableIn = MfaDisableIn


class ApiTokenCreate(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    expires_in_days = fields.Integer(
        load_default=90, validate=validate.Range(min=1, max=365), metadata={"example": 90}
    )
    permissions = permission_codes(required=True)
    workspace_id = fields.UUID(
        allow_none=True,
        metadata={"description": "Bind the token to this workspace (one you belong to)."},
    )
    # `none` unless asked: a token made for anything else (monitoring, the library) never
    # reaches the missions, whose tests and evidence describe the defences' gaps.
    mission_access = fields.String(
        load_default=MISSION_ACCESS_NONE,
        validate=validate.OneOf(MISSION_ACCESS_LEVELS),
        metadata={"description": f"{MISSION_ACCESS_DESCRIPTION} Default: `none`."},
    )


class UserCreate(Schema):
    email = email_field(required=True)
    password = password_field(required=True)
    display_name = fields.String(validate=NAME, load_default=None)
    group_ids = fields.List(fields.UUID(), load_default=list)
    workspace_ids = fields.List(
        fields.UUID(),
        metadata={
            "description": "The workspaces the user joins instead of the default one "
            "(each one you can see)."
        },
    )


class UserUpdate(Schema):
    display_name = Name(validate=NAME)
    is_active = fields.Boolean()
    group_ids = fields.List(fields.UUID())
    password = password_field(metadata={"description": "Set a new password (revokes sessions)."})


class UserQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))
    group = fields.UUID(metadata={"description": "Only members of this group."})
    active = fields.Boolean()
    include_deleted = fields.Boolean(load_default=False)


class GroupCreate(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    description = fields.String(validate=validate.Length(max=500), load_default="")
    permissions = permission_codes(load_default=list)


class GroupUpdate(Schema):
    name = Name(validate=validate.Length(min=1, max=NAME_MAX))
    description = fields.String(validate=validate.Length(max=500), allow_none=True)
    permissions = permission_codes()


class PermissionQuery(PageQuery):
    pass


class ApiTokenQuery(PageQuery):
    pass


class GroupQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))
    include_deleted = fields.Boolean(load_default=False)


class IncludeDeletedQuery(Schema):
    include_deleted = fields.Boolean(load_default=False)


class InvitationCreate(Schema):
    email = email_field(required=True)
    group_ids = fields.List(fields.UUID(), load_default=list)
    workspace_ids = fields.List(
        fields.UUID(),
        validate=validate.Length(max=MAX_INVITATION_WORKSPACES),
        load_default=list,
        metadata={
            "description": "The workspaces the invitee joins instead of the default one "
            "(each one you can see)."
        },
    )
    expires_in_hours = fields.Integer(load_default=72, validate=validate.Range(min=1, max=720))


class InvitationQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(INVITATION_STATUSES))


class InvitationTokenQuery(Schema):
    token = token_field(required=True)


class InvitationAcceptIn(Schema):
    token = token_field(required=True)
    display_name = Name(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    password = password_field(required=True)
