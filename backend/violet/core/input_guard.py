"""Input PostgreSQL cannot store, and JSON Python cannot parse, refused in one place.

A NUL character (or an unpaired UTF-16 surrogate, which JSON's `\\ud800` escapes can produce)
cannot be stored in a PostgreSQL text column; left alone it reaches the database and comes back
as a 500. JSON nested thousands of levels deep makes the parser raise RecursionError, another
500. `check_request_input` refuses both with a 4xx naming the field, for the path, the query
string and the JSON body. The auth decorators (core/auth.py) call it on every API view right
after authentication, so an anonymous caller still gets 401 before any input is looked at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage

from violet.core.errors import ApiError, Unprocessable

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
# Longer query strings are refused here as problem+json; gunicorn's own (HTML) 414 starts at its
# limit_request_line (gunicorn.conf.py), well above this.
MAX_QUERY_BYTES = 4096


def takes_json_body(view: Callable[..., Any]) -> bool:
    """Whether the view loads a JSON body (`@blp.arguments(Schema)`, location `json`)."""
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(parameter.get("in") == "json" for parameter in parameters)


def check_request_input(*, json_body: bool = False) -> None:
    """414 for an over-long query; 422 naming each field holding an unstorable character or a
    PATCH without a body; 400 for over-deep JSON, and for a body sent to a view that takes JSON
    (`json_body`) under another Content-Type."""
    if len(request.query_string) > MAX_QUERY_BYTES:
        raise ApiError(f"The query string is longer than {MAX_QUERY_BYTES} bytes.", status=414)
    if json_body and request.content_length and not request.is_json:
        # webargs reads no JSON from such a body, and the schema would then call every field
        # the script did send "missing": `curl -d` sends form encoding unless told otherwise.
        sent = request.mimetype or "no Content-Type"
        message = (
            f"The body must be JSON sent with Content-Type: application/json, not {sent} "
            "(with curl, add -H 'Content-Type: application/json' to -d)."
        )
        raise ApiError(message, errors={"Content-Type": [message]}, status=400)
    if request.method == "PATCH" and not request.content_length:
        raise Unprocessable(
            "Send a JSON object with the fields to change.",
            errors={"_schema": ["A PATCH needs a JSON body."]},
        )
    bad: dict[str, list[str]] = {}
    if UNSTORABLE.search(request.path):
        bad["path"] = [UNSTORABLE_MESSAGE]
    for name, value in request.args.items(multi=True):
        if UNSTORABLE.search(name) or UNSTORABLE.search(value):
            bad[name if not UNSTORABLE.search(name) else "query"] = [UNSTORABLE_MESSAGE]
    if request.is_json and request.content_length:
        for field in unstorable_fields(parsed_json_body()):
            bad[field] = [UNSTORABLE_MESSAGE]
    if bad:
        raise Unprocessable(f"Invalid input: {', '.join(sorted(bad))}.", errors=bad)


def single_uploaded_file(detail: str) -> FileStorage:
    """The multipart request's one file, in a part named `file`; else 422 with `detail`.

    Two parts both named `file` are refused too: reading the first would drop the second
    without a word. So is a form field holding a character PostgreSQL cannot store. Call it
    after `allow_body_up_to`: it reads the body.
    """
    uploads = request.files.getlist("file")
    if len(uploads) != 1 or set(request.files) != {"file"}:
        raise Unprocessable(detail, errors={"file": [detail]})
    # The form's fields were not in the body `check_request_input` looked at.
    bad = {
        name: [UNSTORABLE_MESSAGE]
        for name, value in request.form.items(multi=True)
        if UNSTORABLE.search(name) or UNSTORABLE.search(value)
    }
    if bad:
        raise Unprocessable(f"Invalid input: {', '.join(sorted(bad))}.", errors=bad)
    return uploads[0]


def parsed_json_body() -> Any:
    """The JSON body, or None when it is not valid JSON (the schema then says so)."""
    try:
        return json.loads(request.get_data(cache=True))
    except RecursionError as exc:
        raise ApiError(
            "The JSON body is nested too deeply.",
            errors={"_schema": ["The JSON body is nested too deeply."]},
            status=400,
        ) from exc
    except ValueError:
        return None


def unstorable_fields(document: Any) -> list[str]:
    """Dotted names of the strings (keys or values) in `document` that PostgreSQL would refuse."""
    found = []
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        name, value = pending.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                found.append(name or "_schema")
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{name}.{key}" if name else str(key)
                if UNSTORABLE.search(str(key)):
                    found.append(name or "_schema")
                else:
                    pending.append((child, item))
        elif isinstance(value, list):
            pending.extend(
                (f"{name}.{index}" if name else str(index), item)
                for index, item in enumerate(value)
            )
    return sorted(found)
