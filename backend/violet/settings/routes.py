"""Settings: `GET /settings`, `PUT /settings/{key}`."""

from __future__ import annotations

from flask.views import MethodView

from violet.core.auth import require_auth, require_perm
from violet.core.serialization import Blueprint
from violet.extensions import db
from violet.settings import service
from violet.settings.schemas import SettingIn, SettingOut

blp = Blueprint("settings", __name__, description="Instance-wide settings.")


@blp.route("")
class Settings(MethodView):
    @require_auth
    @blp.response(200, SettingOut(many=True))
    def get(self):
        """Every known setting with its value and default."""
        return service.list_settings()


# The path's `key` documented with the keys there are (the converter alone says "a string").
KEY_PARAMETER = {
    "in": "path",
    "name": "key",
    "description": "A known setting:\n"
    + "\n".join(
        f"- `{key}` ({known.type}): {known.description}"
        for key, known in service.KNOWN_SETTINGS.items()
    ),
    "schema": {"type": "string", "enum": list(service.KNOWN_SETTINGS)},
}


@blp.route("/<string:key>", parameters=[KEY_PARAMETER])
class SettingByKey(MethodView):
    @require_perm("settings.manage")
    @blp.arguments(SettingIn)
    @blp.response(200, SettingOut)
    def put(self, payload, key):
        """Change one setting; the value is validated by the setting's own schema."""
        setting = service.put_value(key, payload["value"])
        db.session.commit()
        return setting
