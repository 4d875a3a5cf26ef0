"""Optimistic concurrency for resources with a `version` (SPEC §0): If-Match and ETag."""

from __future__ import annotations

from flask import Response

from violet.core.errors import PreconditionFailed, Unprocessable


def parse_if_match(header: str | None) -> int | None:
    """`If-Match: 3`, `"3"` or `W/"3"` → 3; absent → None (the write is unconditional)."""
    if header is None or header.strip() in ("", "*"):
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Unprocessable(
            'If-Match must be the resource version, e.g. If-Match: "3".',
            errors={"If-Match": ["Must be an integer version, quoted or bare."]},
        )
    return int(value)


def check_version(current: int, expected: int | None) -> None:
    """Refuse a write made against an older version of the resource."""
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"Version {expected} is stale; the resource is at version {current}. "
            "Reload it and apply your change again."
        )


def set_etag(response: Response, version: int) -> Response:
    response.headers["ETag"] = f'"{version}"'
    return response
