import json
import logging


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
