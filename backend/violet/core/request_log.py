"""JSON logs, one line per request, correlated by a request id (`X-Request-Id`)."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextlib import nullcontext
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request

log = logging.getLogger("violet.request")

# A caller-supplied id is echoed only when it is short and plain (it ends up in logs).
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None) and has_request_context():
            record.request_id = getattr(g, "request_id", None)
        return True


# What every LogRecord carries; anything else on a record came from `extra=` and is logged.
RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonLineFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the exception or stack if
    any, then the record's `extra=` fields, e.g.

        {"time":"2026-12-03 06:13:54,231","level":"INFO","logger":"violet.request",
         "message":"request","method":"GET","path":"/api/v1/auth/me","status":200,...}

    Every request writes a line, so it is kept lean (docs/performance.md, "Sixteenth look"):
    the time's seconds are formatted once per second, not once per line.
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatted_second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.time_text(record.created, record.msecs)

    def time_text(self, created: float, msecs: float) -> str:
        second = int(created)
        # One tuple, so a thread never pairs one second with another second's text.
        cached = self._formatted_second
        if cached[0] != second:
            cached = self._formatted_second = (
                second,
                time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second)),
            )
        return f"{cached[1]},{int(msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        for name, value in vars(record).items():
            if name not in RECORD_ATTRIBUTES:
                line[name] = value
        return encode_line(line)


def encode_line(line: dict[str, Any]) -> str:
    return orjson.dumps(line, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


# The handler `configure_logging` set up, the only one (in a list: set again by each app).
_own_handler: list[logging.StreamHandler[Any]] = []


def configure_logging(level: str) -> None:
    """Send every log record to stderr as one JSON object per line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    _own_handler[:] = [handler]
    root.setLevel(level)
    # pgserver narrates every pg_ctl call at INFO; only its problems are worth a line.
    logging.getLogger("pgserver").setLevel(max(logging.WARNING, root.level))


def init_request_logging(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-Id"] = request_id
        started = getattr(g, "request_started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        if log.isEnabledFor(logging.INFO):
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "remote_addr": request.remote_addr,
                "request_id": request_id,
            }
            if not _write_request_line(fields):
                log.info("request", extra=fields)
        return response


def _write_request_line(fields: dict[str, Any]) -> bool:
    """Write a request's line to Violet's own handler as logging would write it, without
    logging's record and dispatch around it (4% of a light request's CPU,
    docs/performance.md, "Seventeenth look"). Only while that handler alone receives the line,
    as `configure_logging` set it up: False otherwise (another handler or filter added, a write
    that failed), and the caller logs the line through logging."""
    root = logging.getLogger()
    handler = _own_handler[0] if _own_handler else None
    if (
        handler is None
        or root.handlers != [handler]
        or root.filters
        or log.handlers
        or log.filters
        or not log.propagate
        or handler.level > logging.INFO
        # The request id filter adds nothing to a line that has the request id.
        or not all(isinstance(found, RequestIdFilter) for found in handler.filters)
        or not isinstance(handler.formatter, JsonLineFormatter)
    ):
        return False
    created = time.time()
    msecs = int((created - int(created)) * 1000) + 0.0  # as a LogRecord computes it
    line = {
        "time": handler.formatter.time_text(created, msecs),
        "level": "INFO",
        "logger": log.name,
        "message": "request",
        **fields,
    }
    text = encode_line(line) + handler.terminator
    with handler.lock or nullcontext():
        try:
            handler.stream.write(text)
            handler.flush()
        except Exception:
            return False
    return True
