from marshmallow import Schema, fields


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class DatabaseOut(Schema):
    reachable = fields.Boolean(required=True)
    alembic_revision = fields.String(allow_none=True, metadata={"example": "8905d8fc46e4"})
    table_count = fields.Integer(metadata={"description": "Tables in the public schema."})


class ResetOut(Schema):
    status = fields.String(required=True, metadata={"example": "reset"})
    tables = fields.Integer(required=True, metadata={"description": "Tables truncated."})
