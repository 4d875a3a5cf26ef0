import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

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
