"""What both library blueprints share: the If-Match header and the ETag on versioned answers."""

from __future__ import annotations

from typing import Any

from flask import request

from violet.core.versioning import parse_if_match

IF_MATCH_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "The version you last read (its ETag, quoted or bare): a stale one "
            "gets 412 and nothing changes.",
        }
    ]
}


def if_match() -> int | None:
    return parse_if_match(request.headers.get("If-Match"))


def with_etag(resource: Any, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    """The response tuple flask-smorest dumps, with `ETag: "<version>"`."""
    return resource, status, {"ETag": f'"{resource.version}"'}
