"""Benchmark: what locking the mission costs a write under it, beside the same write unlocked.

    .venv/bin/python bench/mission_write_lock.py [--requests 200] [--rounds 10]

In process, through the WSGI app (Flask's test client), as an administrator, on database
`violet_bench_write_lock` (embedded unless BENCH_DATABASE_URL is set), migrated and seeded.
Each round sends `--requests` writes of each kind, locked (what `@mission_scoped` does: FOR
SHARE, or FOR NO KEY UPDATE for a `@locks_mission` view) and unlocked (its `load_access`
called without `lock`, the statement it ran before), alternating which goes first:

- test: `PATCH /missions/{id}/tests/{test}` of one field (FOR SHARE);
- note: `POST /missions/{id}/notes` (FOR SHARE);
- add: `POST /missions/{id}/tests` (FOR NO KEY UPDATE, taken at once instead of later by
  `lock_mission`).

Prints the median wall time and the median CPU time of this process (the app's side; the
database's own work shows in the wall time) per request, and locked ÷ unlocked.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager, nullcontext

# The same set-up as the audit bench's: a fresh database, migrated and seeded, an admin.
from audit_overhead import prepare

DATABASE = "violet_bench_write_lock"


@contextmanager
def unlocked():
    """`@mission_scoped` as it was: the access read without a lock."""
    from violet.missions.routes import access

    real = access.load_access
    access.load_access = lambda mission_id, *, lock=None: real(mission_id)  # type: ignore[assignment]
    try:
        yield
    finally:
        access.load_access = real


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()

    app, headers = prepare(DATABASE)
    client = app.test_client()

    def call(method: str, path: str, body: object, status: int) -> dict:
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert response.status_code == status, response.json
        return response.json

    mission = call("POST", "/missions", {"name": "Bench lock"}, 201)
    base = f"/missions/{mission['id']}"
    test = call("POST", f"{base}/tests", {"name": "Bench test"}, 201)
    counter = iter(range(10**9))

    writes = {
        "test": lambda: call(
            "PATCH", f"{base}/tests/{test['id']}", {"target_host": f"host-{next(counter)}"}, 200
        ),
        "note": lambda: call("POST", f"{base}/notes", {"content": "Seen by the SOC."}, 201),
        "add": lambda: call("POST", f"{base}/tests", {"name": f"Added {next(counter)}"}, 201),
    }
    for work in writes.values():  # warm up: statements compiled, caches filled
        for _ in range(20):
            work()
            with unlocked():
                work()

    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for round_ in range(arguments.rounds):
        modes = ("locked", "unlocked") if round_ % 2 == 0 else ("unlocked", "locked")
        for name, work in writes.items():
            for mode in modes:
                with unlocked() if mode == "unlocked" else nullcontext():
                    for _ in range(arguments.requests):
                        started, started_cpu = time.perf_counter(), time.process_time()
                        work()
                        wall.setdefault((name, mode), []).append(time.perf_counter() - started)
                        cpu.setdefault((name, mode), []).append(time.process_time() - started_cpu)

    print(f"{arguments.requests} requests × {arguments.rounds} rounds per write and mode")
    header = f"{'write':<6} {'mode':<9} {'wall ms':>8} {'cpu ms':>7} {'wall ×':>7} {'cpu ×':>6}"
    print(header)
    print("-" * len(header))
    for name in writes:
        base_wall = statistics.median(wall[(name, "unlocked")])
        base_cpu = statistics.median(cpu[(name, "unlocked")])
        for mode in ("unlocked", "locked"):
            median_wall = statistics.median(wall[(name, mode)])
            median_cpu = statistics.median(cpu[(name, mode)])
            print(
                f"{name:<6} {mode:<9} {median_wall * 1000:>8.3f} {median_cpu * 1000:>7.3f}"
                f" {median_wall / base_wall:>7.3f} {median_cpu / base_cpu:>6.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
