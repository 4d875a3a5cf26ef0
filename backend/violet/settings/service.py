"""Settings are JSON values under known keys, each validated by its own marshmallow field.

Add a key by adding it to `KNOWN_SETTINGS` with its field (validation) and default.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields
from sqlalchemy import select

from violet.core.errors import Unprocessable
from violet.extensions import db
from violet.settings.models import Setting

KNOWN_SETTINGS: dict[str, tuple[fields.Field, Any, str]] = {
    "mfa_required": (
        fields.Boolean(truthy={True}, falsy={False}),
        False,
        "Every user must enrol in TOTP two-factor authentication at their next sign-in.",
    ),
}


def get_value(key: str) -> Any:
    """The stored value of a known setting, or its default."""
    stored = db.session.get(Setting, key)
    return stored.value if stored is not None else KNOWN_SETTINGS[key][1]


def list_settings() -> list[dict[str, Any]]:
    stored = {setting.key: setting for setting in db.session.scalars(select(Setting))}
    return [
        {
            "key": key,
            "value": stored[key].value if key in stored else default,
            "default": default,
            "description": description,
            "updated_at": stored[key].updated_at if key in stored else None,
        }
        for key, (_, default, description) in KNOWN_SETTINGS.items()
    ]


def put_value(key: str, value: Any) -> dict[str, Any]:
    if key not in KNOWN_SETTINGS:
        raise Unprocessable(
            f"Unknown setting {key!r}.",
            errors={"key": [f"Unknown setting. Known: {', '.join(sorted(KNOWN_SETTINGS))}."]},
        )
    field = KNOWN_SETTINGS[key][0]
    try:
        value = field.deserialize(value)
    except ValidationError as exc:
        raise Unprocessable(
            f"Invalid value for {key}.",
            errors={"value": list(map(str, exc.messages))},
        ) from exc
    setting = db.session.get(Setting, key) or Setting(key=key)
    setting.value = value
    db.session.add(setting)
    db.session.flush()
    return next(item for item in list_settings() if item["key"] == key)
