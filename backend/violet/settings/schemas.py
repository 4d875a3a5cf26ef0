from marshmallow import Schema, fields, validate

from violet.settings.service import KNOWN_SETTINGS


class SettingOut(Schema):
    key = fields.String(required=True, validate=validate.OneOf(list(KNOWN_SETTINGS)))
    value = fields.Raw(required=True, allow_none=True)
    default = fields.Raw(allow_none=True)
    description = fields.String()
    type = fields.String(
        validate=validate.OneOf(["string", "integer", "boolean"]),
        metadata={"description": "The JSON type the value must have."},
    )
    updated_at = fields.DateTime(allow_none=True)


class SettingIn(Schema):
    value = fields.Raw(required=True, allow_none=True)
