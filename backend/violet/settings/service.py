"""Settings are JSON values under known keys, each validated by its own marshmallow field.

Add a key by adding a `KnownSetting` to `KNOWN_SETTINGS`: its field (validation), its default
(a value, or a function of the app config for defaults set by the environment) and a
description the SPA shows beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from marshmallow import ValidationError, fields, validate
from sqlalchemy import ScalarSelect, bindparam, select

from violet.core.errors import Unprocessable
from violet.core.models import prepared
from violet.extensions import db
from violet.settings.models import Setting


@dataclass(frozen=True)
class KnownSetting:
    field: fields.Field
    default: Any | Callable[[dict[str, Any]], Any]
    description: str

    @property
    def type(self) -> str:
        """The JSON type of the value, for clients that build a form from the list."""
        if isinstance(self.field, fields.Boolean):
            return "boolean"
        return "integer" if isinstance(self.field, fields.Integer) else "string"

    def default_value(self) -> Any:
        return self.default(current_app.config) if callable(self.default) else self.default


KNOWN_SETTINGS: dict[str, KnownSetting] = {
    "organisation_name": KnownSetting(
        fields.String(validate=validate.Length(max=100)),
        "",
        "The organisation's name, shown in the SPA's header and in reports (at most 100 "
        "characters).",
    ),
    "mfa_required": KnownSetting(
        fields.Boolean(truthy={True}, falsy={False}),
        False,
        "Every user must enrol in TOTP two-factor authentication at their next sign-in.",
    ),
    "evidence_max_bytes": KnownSetting(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31)),
        lambda config: config["EVIDENCE_MAX_BYTES"],
        "The largest evidence file accepted, in bytes (default: EVIDENCE_MAX_BYTES).",
    ),
    "evidence_retention_days": KnownSetting(
        fields.Integer(strict=True, validate=validate.Range(min=0, max=3650)),
        30,
        "Days a deleted evidence file's content is kept before it is purged.",
    ),
}


def get_value(key: str) -> Any:
    """The stored value of a known setting, or its default."""
    stored = db.session.execute(_VALUE, {"key": key}).first()
    return or_default(key, stored.value if stored is not None else None)


def stored_value(key: str) -> ScalarSelect[Any]:
    """A known setting's stored value as a column of another statement (NULL when it is not
    stored: give it to `or_default`), so a hot read gets it without a statement of its own."""
    return select(Setting.value).where(Setting.key == key).scalar_subquery()


def or_default(key: str, stored: Any) -> Any:
    """`stored` (a value `stored_value` read), or the setting's default when it is None."""
    return stored if stored is not None else KNOWN_SETTINGS[key].default_value()


# `get_value`'s statement, built once.
_VALUE = prepared(select(Setting.value).where(Setting.key == bindparam("key")))


def list_settings() -> list[dict[str, Any]]:
    stored = {setting.key: setting for setting in db.session.scalars(select(Setting))}
    settings = []
    for key, known in KNOWN_SETTINGS.items():
        default = known.default_value()
        settings.append(
            {
                "key": key,
                "value": stored[key].value if key in stored else default,
                "default": default,
                "description": known.description,
                "type": known.type,
                "updated_at": stored[key].updated_at if key in stored else None,
            }
        )
    return settings


def put_value(key: str, value: Any) -> dict[str, Any]:
    if key not in KNOWN_SETTINGS:
        raise Unprocessable(
            f"Unknown setting {key!r}.",
            errors={"key": [f"Unknown setting. Known: {', '.join(sorted(KNOWN_SETTINGS))}."]},
        )
    field = KNOWN_SETTINGS[key].field
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
