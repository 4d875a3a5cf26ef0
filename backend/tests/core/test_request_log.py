import io
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from violet.core import request_log
from violet.core.request_log import JsonLineFormatter


def test_request_id_is_generated_and_echoed(client):
    response = client.get("/api/v1/diag/health")
    assert len(response.headers["X-Request-Id"]) == 32


def test_caller_request_id_is_echoed(client):
    response = client.get("/api/v1/diag/health", headers={"X-Request-Id": "abc-123"})
    assert response.headers["X-Request-Id"] == "abc-123"


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/api/v1/diag/health", headers={"X-Request-Id": "a b;forged"})
    assert response.headers["X-Request-Id"] != "a b;forged"
    assert len(response.headers["X-Request-Id"]) == 32


def test_each_request_logs_one_json_line(client, caplog):
    caplog.set_level(logging.INFO, logger="violet.request")
    client.get("/api/v1/diag/health", headers={"X-Request-Id": "log-me"})
    records = [r for r in caplog.records if r.name == "violet.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/diag/health", 200)
    assert record.request_id == "log-me"
    formatted = logging.getLogger().handlers[0].formatter.format(record)
    assert json.loads(formatted)["request_id"] == "log-me"


def format_line(record: logging.LogRecord) -> dict:
    return json.loads(JsonLineFormatter().format(record))


def test_a_line_holds_the_record_and_its_extra_fields_only():
    record = logging.getLogger("violet.test").makeRecord(
        "violet.test",
        logging.WARNING,
        __file__,
        1,
        "imported %d files",
        (3,),
        None,
        extra={
            "workspace_id": uuid.UUID(int=7),
            "at": datetime(2026, 12, 3, tzinfo=UTC),
            "source": Path("/tmp/atomics"),
        },
    )
    line = format_line(record)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", line.pop("time"))
    assert line == {
        "level": "WARNING",
        "logger": "violet.test",
        "message": "imported 3 files",
        "workspace_id": "00000000-0000-0000-0000-000000000007",
        "at": "2026-12-03T00:00:00+00:00",
        "source": "/tmp/atomics",  # what orjson cannot encode is written as text
    }


def test_a_line_carries_the_exception_it_was_logged_with():
    try:
        raise ValueError("the bundle is not JSON")
    except ValueError:
        record = logging.makeLogRecord({"msg": "sync failed", "exc_info": sys.exc_info()})
    line = format_line(record)
    assert line["message"] == "sync failed"
    assert line["exc_info"].startswith("Traceback")
    assert "ValueError: the bundle is not JSON" in line["exc_info"]


def test_each_line_shows_its_own_second_and_milliseconds():
    formatter = JsonLineFormatter()
    times = []
    for created in (1_700_000_000.5, 1_700_000_000.75, 1_700_000_001.25, 1_700_000_000.125):
        record = logging.makeLogRecord(
            {"msg": "tick", "created": created, "msecs": created % 1 * 1000}
        )
        times.append(json.loads(formatter.format(record))["time"])
    expected = [
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)) + f",{millis:03d}"
        for second, millis in (
            (1_700_000_000, 500),
            (1_700_000_000, 750),
            (1_700_000_001, 250),
            (1_700_000_000, 125),
        )
    ]
    assert times == expected


def test_a_request_line_written_straight_is_the_line_logging_writes(client, monkeypatch, caplog):
    """While Violet's own handler alone receives the request lines, `log_request` writes them
    itself (core/request_log.py, `_write_request_line`); with another handler beside it, through
    logging. Both lines are the same but for the time and the duration."""
    handler = request_log._own_handler[0]
    stream = io.StringIO()
    monkeypatch.setattr(handler, "stream", stream)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [handler])  # pytest's own capture handlers aside
    caplog.set_level(logging.INFO, logger="violet.request")
    through_logger = []
    logger_info = request_log.log.info
    monkeypatch.setattr(
        request_log.log,
        "info",
        lambda *args, **kwargs: through_logger.append(logger_info) or logger_info(*args, **kwargs),
    )
    headers = {"X-Request-Id": "straight"}
    written = []
    for beside in ([], [logging.NullHandler()]):  # straight, then through logging
        root.handlers = [handler, *beside]
        stream.seek(0)
        stream.truncate()
        assert client.get("/api/v1/diag/health", headers=headers).status_code == 200
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert [line["logger"] for line in lines] == ["violet.request"]
        written.append(lines[0])
        assert len(through_logger) == len(beside)  # the first line did not go through logging
    straight, through_logging = written
    for line in written:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", line.pop("time"))
        assert isinstance(line.pop("duration_ms"), float)
    assert list(straight.items()) == list(through_logging.items())
    assert straight["request_id"] == "straight" and straight["status"] == 200
