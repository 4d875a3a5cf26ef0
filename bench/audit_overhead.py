"""Benchmark: what the audit trail costs a write, beside the same write unaudited.

    .venv/bin/python bench/audit_overhead.py [--tests 150] [--rounds 12]

In process, through the WSGI app (Flask's test client), as an administrator, on database
`violet_bench_audit` (embedded unless BENCH_DATABASE_URL is set), migrated and seeded. A
scenario of `--tests` test templates is built first (untimed). Then, in rounds that alternate
which goes first:

- copy: `POST /missions/{id}/scenarios` into a new mission (`--tests` mission tests created,
  so as many `mission_test.create` events);
- state: `PATCH /missions/{id}/tests/{test}` of one test through in_progress → waiting_blue →
  completed → in_progress (one `mission_test.update` event each, with its from → to);
- import: `POST /missions/import` of the archive of a mission of `--tests` tests (exported
  once, untimed): a new mission, so as many `mission_test.create` events, written in one INSERT
  beside the tests' own bulk insert;

each with the audit trail recording and with it paused (`core.audit.paused()`, what the e2e
reset uses). Prints the median and the fastest run of each, and audited ÷ unaudited.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

DATABASE = "violet_bench_audit"
STATES = ("in_progress", "waiting_blue", "completed", "in_progress")


def prepare(database: str = DATABASE):
    """A fresh database (`database` on the embedded PostgreSQL, or BENCH_DATABASE_URL), migrated
    and seeded, the app on it and an administrator's Authorization header."""
    from flask_jwt_extended import create_access_token
    from flask_migrate import upgrade

    from violet import create_app
    from violet.auth.service.directory import create_admin
    from violet.core.domain import seed_all
    from violet.extensions import db

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        from violet.config import data_dir
        from violet.core import embedded_db

        url = embedded_db.database_url(data_dir() / "postgres", database, recreate=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "VIOLET_ENV": "test"})
    with app.app_context():
        upgrade()
        seed_all()
        admin, _password = create_admin("bench-admin@violet.local", "bench admin password")
        db.session.commit()
        token = create_access_token(identity=str(admin.id))
    return app, {"Authorization": f"Bearer {token}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tests", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=12)
    arguments = parser.parse_args()

    from violet.core import audit

    app, headers = prepare()
    client = app.test_client()

    def call(method: str, path: str, body: object, status: int) -> dict:
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert response.status_code == status, response.json
        return response.json

    template_ids = [
        call("POST", "/test-templates", {"name": f"Template {i}", "procedure": "x" * 200}, 201)[
            "id"
        ]
        for i in range(arguments.tests)
    ]
    scenario = call(
        "POST", "/scenario-templates", {"name": "Bench", "test_template_ids": template_ids}, 201
    )

    def copy() -> None:
        mission = call("POST", "/missions", {"name": "Bench copy"}, 201)
        call(
            "POST",
            f"/missions/{mission['id']}/scenarios",
            {"scenario_template_id": scenario["id"]},
            201,
        )

    state_mission = call("POST", "/missions", {"name": "Bench states"}, 201)
    test = call("POST", f"/missions/{state_mission['id']}/tests", {"name": "Bench test"}, 201)

    def state() -> None:
        for next_state in STATES:
            call(
                "PATCH",
                f"/missions/{state_mission['id']}/tests/{test['id']}",
                {"state": next_state},
                200,
            )

    archived = call("POST", "/missions", {"name": "Bench archive"}, 201)
    call(
        "POST",
        f"/missions/{archived['id']}/scenarios",
        {"scenario_template_id": scenario["id"]},
        201,
    )
    exported = client.get(
        f"/api/v1/missions/{archived['id']}/export?format=zip", headers=headers
    ).data

    def import_() -> None:
        response = client.post(
            "/api/v1/missions/import",
            data=exported,
            content_type="application/zip",
            headers=headers,
        )
        assert response.status_code == 201, response.json

    writes = (("copy", copy), ("state", state), ("import", import_))
    runs: dict[tuple[str, str], list[float]] = {}
    for round_ in range(arguments.rounds):
        modes = ("audited", "unaudited") if round_ % 2 == 0 else ("unaudited", "audited")
        for name, work in writes:
            for mode in modes:
                started = time.perf_counter()
                if mode == "audited":
                    work()
                else:
                    with audit.paused():
                        work()
                runs.setdefault((name, mode), []).append(time.perf_counter() - started)

    print(
        f"{arguments.tests} tests copied; {len(STATES)} state changes; an archive of "
        f"{arguments.tests} tests imported; {arguments.rounds} rounds"
    )
    header = f"{'write':<8} {'mode':<10} {'median ms':>10} {'fastest ms':>11} {'× unaudited':>12}"
    print(header)
    print("-" * len(header))
    for name, _work in writes:
        base = statistics.median(runs[(name, "unaudited")])
        for mode in ("unaudited", "audited"):
            times = runs[(name, mode)]
            median = statistics.median(times)
            print(
                f"{name:<8} {mode:<10} {median * 1000:>10.1f} {min(times) * 1000:>11.1f}"
                f" {median / base:>12.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
