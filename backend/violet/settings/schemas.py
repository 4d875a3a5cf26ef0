from marshmallow import Schema, fields


class SettingOut(Schema):
    key = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True)
    default = fields.Raw(allow_none=True)
    description = fields.String()
    updated_at = fields.DateTime(allow_none=True)


class SettingIn(Schema):
    value = fields.Raw(required=True, allow_none=True)
