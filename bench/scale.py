"""Benchmark: the reference dataset's latency targets, beside a small dataset, in one run.

    .venv/bin/python bench/scale.py [--requests 100] [--rounds 2] [--bundle PATH]

The reference dataset (docs/performance.md, "Scale"): the full ATT&CK Enterprise catalogue,
2,000 test templates, 200 scenario templates, 300 missions × 150 tests (45,000 mission tests),
50 users and 5,000 notes. The targets, on a 2-core machine at one client: every list's p95
≤ 50 ms, and the navigator layer of a 150-test mission ≤ 100 ms.

What it does:
1. Two databases on the embedded PostgreSQL (`violet_bench_small`, `violet_bench_scale`), each
   (re)created and filled as
   bench/api_floor.py fills its own: migrations, seed, the bundle synced, 50 users,
   60 test templates, 20 missions (the bench mission with 200 tests, the others with 5), 60
   notifications. That one is the *small* dataset, the baseline.
2. The other one, *reference*, is then topped up in SQL, by copying what the API wrote (so every
   row is one Violet made): the templates (with their ATT&CK tags) to 2,000, the scenario
   templates to 200, 280 more missions copied from the bench mission with its first 150 tests
   (categories, ATT&CK tags and per-tool outcomes with them), the 19 small missions to 150 tests
   each, and 5,000 notes; then ANALYZE, as autovacuum would.
3. Violet under gunicorn with its production settings on each database; one keep-alive client
   sends `--requests` GETs of each endpoint to each server, interleaved, `--rounds` times, order
   reversed every round. It prints p50 / p95 / p99 per endpoint on both datasets, the ratio of
   the p95s (what the data volume costs) and the target where docs/performance.md ("Scale")
   gives one.

Paths name the bench mission (200 tests, the same in both datasets, so the ratio shows what the
data around it costs); compare sets it beside a 150-test copy of it (reference) or beside itself
(small). Only the ratios within one run mean much on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import api_floor
from api_floor import percentile

TEMPLATES = 2_000
SCENARIOS = 200
MISSIONS = 300
TESTS_PER_MISSION = 150
NOTES = 5_000
LIST_TARGET_MS = 50
LAYER_TARGET_MS = 100
RUN_SECONDS = 10  # a slow endpoint's runs are cut to about this long (at least 10 requests)

# name, path (`{mission}`: the bench mission; `{other}`: see the docstring), p95 target (ms).
ENDPOINTS = (
    ("test templates", "/api/v1/test-templates?limit=50", LIST_TARGET_MS),
    ("test template search", "/api/v1/test-templates?q=credential&limit=50", LIST_TARGET_MS),
    ("scenario templates", "/api/v1/scenario-templates?limit=50", LIST_TARGET_MS),
    ("missions", "/api/v1/missions?limit=50", LIST_TARGET_MS),
    ("mission tests", "/api/v1/missions/{mission}/tests?limit=50", LIST_TARGET_MS),
    ("mission notes", "/api/v1/missions/{mission}/notes?limit=50", LIST_TARGET_MS),
    ("techniques", "/api/v1/mitre/techniques?limit=50", LIST_TARGET_MS),
    ("users", "/api/v1/users?limit=50", LIST_TARGET_MS),
    ("notifications", "/api/v1/notifications?limit=20", LIST_TARGET_MS),
    ("mission coverage", "/api/v1/missions/{mission}/coverage", None),
    ("mission layer", "/api/v1/missions/{mission}/navigator-layer", LAYER_TARGET_MS),
    ("organisation coverage", "/api/v1/coverage", None),
    ("organisation layer", "/api/v1/coverage/navigator-layer", None),
    ("threat group (G0016)", "/api/v1/coverage/groups/G0016", None),
    ("compare", "/api/v1/coverage/compare?from={mission}&to={other}", None),
)


def copy_rows(connection: Any, table: str, source: str, replaced: dict[str, str]) -> int:
    """INSERT INTO `table` every column from `source` (a FROM clause where `t` is a row of
    `table`), some replaced by SQL expressions: a copy of rows Violet wrote, with new ids."""
    from sqlalchemy import text

    from violet.extensions import db

    columns = [column.name for column in db.metadata.tables[table].columns]
    values = [replaced.get(name, f't."{name}"') for name in columns]  # `references` is reserved
    names = ", ".join(f'"{name}"' for name in columns)
    statement = f"INSERT INTO {table} ({names}) SELECT {', '.join(values)} FROM {source}"
    return connection.execute(text(statement)).rowcount


def top_up(app: Any, bench_mission: str) -> dict[str, int]:
    """Grow the small dataset to the reference one (module docstring); the counts it reaches."""
    from sqlalchemy import text

    from violet.extensions import db

    sql = {
        "template_map": """
            SELECT gen_random_uuid() AS new_id, t.id AS old_id, row_number() OVER () AS n
            FROM test_templates t CROSS JOIN generate_series(1, 40) copy
            WHERE t.deleted_at IS NULL
            LIMIT :templates - (SELECT count(*) FROM test_templates WHERE deleted_at IS NULL)""",
        "scenario_map": """
            SELECT gen_random_uuid() AS new_id, t.id AS old_id, row_number() OVER () AS n
            FROM scenario_templates t CROSS JOIN generate_series(1, :scenarios) copy
            WHERE t.deleted_at IS NULL
            LIMIT :scenarios
                  - (SELECT count(*) FROM scenario_templates WHERE deleted_at IS NULL)""",
        "mission_map": """
            SELECT gen_random_uuid() AS new_id, n
            FROM generate_series(1, :missions - (SELECT count(*) FROM missions)) n""",
        "category_map": """
            SELECT gen_random_uuid() AS new_id, c.id AS old_id, m.new_id AS mission_id
            FROM mission_map m CROSS JOIN mission_categories c WHERE c.mission_id = :bench""",
        # The bench mission's first tests into each new mission, and into each small mission
        # up to TESTS_PER_MISSION (after its own tests, without a category).
        "test_map": """
            SELECT gen_random_uuid() AS new_id, t.id AS old_id, m.new_id AS mission_id,
                   t.position AS position, true AS copied_mission
            FROM mission_map m CROSS JOIN (
                SELECT id, position FROM mission_tests
                WHERE mission_id = :bench AND deleted_at IS NULL ORDER BY position LIMIT :tests
            ) t
            UNION ALL
            SELECT gen_random_uuid(), t.id, small.id, small.tests + t.position, false
            FROM (
                SELECT mission_id AS id, count(*) AS tests FROM mission_tests
                WHERE mission_id <> :bench AND deleted_at IS NULL GROUP BY mission_id
            ) small
            CROSS JOIN LATERAL (
                SELECT id, position FROM mission_tests
                WHERE mission_id = :bench AND deleted_at IS NULL
                ORDER BY position LIMIT :tests - small.tests
            ) t""",
    }
    parameters = {
        "templates": TEMPLATES,
        "scenarios": SCENARIOS,
        "missions": MISSIONS,
        "tests": TESTS_PER_MISSION,
        "bench": bench_mission,
    }
    with app.app_context():
        connection = db.session.connection()
        for name, select in sql.items():
            connection.execute(text(f"CREATE TEMP TABLE {name} AS {select}"), parameters)
        copy_rows(
            connection,
            "test_templates",
            "template_map m JOIN test_templates t ON t.id = m.old_id",
            # Imported items are found again by (source, source_ref): copies have none.
            {"id": "m.new_id", "name": "t.name || ' #' || m.n", "source_ref": "NULL"},
        )
        copy_rows(
            connection,
            "test_template_mitre_tags",
            "template_map m JOIN test_template_mitre_tags t ON t.test_template_id = m.old_id",
            {"id": "gen_random_uuid()", "test_template_id": "m.new_id"},
        )
        copy_rows(
            connection,
            "scenario_templates",
            "scenario_map m JOIN scenario_templates t ON t.id = m.old_id",
            {"id": "m.new_id", "name": "t.name || ' #' || m.n"},
        )
        copy_rows(
            connection,
            "scenario_template_tests",
            "scenario_map m JOIN scenario_template_tests t ON t.scenario_id = m.old_id",
            {"id": "gen_random_uuid()", "scenario_id": "m.new_id"},
        )
        bench = f"'{bench_mission}'"  # a UUID Violet made: safe to write in the statement
        copy_rows(
            connection,
            "missions",
            f"mission_map m JOIN missions t ON t.id = {bench}",
            {"id": "m.new_id", "name": "'Scale mission ' || m.n"},
        )
        copy_rows(
            connection,
            "mission_members",
            f"mission_map m JOIN mission_members t ON t.mission_id = {bench}",
            {"id": "gen_random_uuid()", "mission_id": "m.new_id"},
        )
        copy_rows(
            connection,
            "mission_categories",
            "category_map m JOIN mission_categories t ON t.id = m.old_id",
            {"id": "m.new_id", "mission_id": "m.mission_id"},
        )
        copy_rows(
            connection,
            "mission_tests",
            "test_map m JOIN mission_tests t ON t.id = m.old_id",
            {
                "id": "m.new_id",
                "mission_id": "m.mission_id",
                "position": "m.position",
                "mission_scenario_id": "NULL",
                "retest_of_id": "NULL",
                "category_id": "(SELECT c.new_id FROM category_map c WHERE c.old_id = "
                "t.category_id AND c.mission_id = m.mission_id AND m.copied_mission)",
            },
        )
        copy_rows(
            connection,
            "mission_test_mitre_tags",
            "test_map m JOIN mission_test_mitre_tags t ON t.mission_test_id = m.old_id",
            {"id": "gen_random_uuid()", "mission_test_id": "m.new_id"},
        )
        copy_rows(
            connection,
            "mission_test_detections",
            "test_map m JOIN mission_test_detections t ON t.mission_test_id = m.old_id",
            {"id": "gen_random_uuid()", "mission_test_id": "m.new_id"},
        )
        # Notes on tests (every fifth on the mission itself), from the bench user, over weeks.
        connection.execute(
            text(
                """
                INSERT INTO notes (id, workspace_id, mission_id, mission_test_id, content,
                                   created_by, author_id, created_at)
                SELECT gen_random_uuid(), t.workspace_id, t.mission_id,
                       CASE WHEN n % 5 = 0 THEN NULL ELSE t.id END,
                       'Note ' || n || ': what the blue team saw, and where.',
                       u.email, u.id, now() - n * interval '5 minutes'
                FROM (SELECT *, row_number() OVER (ORDER BY mission_id, position) AS n
                      FROM mission_tests WHERE deleted_at IS NULL) t
                JOIN users u ON u.email = :email
                WHERE n <= :notes - (SELECT count(*) FROM notes)"""
            ),
            {"email": api_floor.BENCH_EMAIL, "notes": NOTES},
        )
        db.session.commit()
        connection = db.session.connection()
        connection.execute(text("ANALYZE"))
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "test_templates",
                "scenario_templates",
                "missions",
                "mission_tests",
                "mission_test_detections",
                "users",
                "notes",
            )
        }
        copy = connection.execute(
            text("SELECT id FROM missions WHERE name = 'Scale mission 1'")
        ).scalar_one()
        db.session.commit()
    counts["copy"] = str(copy)  # type: ignore[assignment]
    return counts


def fill(name: str, bundle: Path, reference: bool) -> dict[str, Any]:
    """Database `name` on the embedded PostgreSQL, (re)created and filled as
    bench/api_floor.py fills its own, topped up to the reference dataset when `reference`."""
    from violet import create_app
    from violet.config import data_dir, normalise_database_url
    from violet.core import embedded_db

    url = embedded_db.database_url(data_dir() / "postgres", name, recreate=True)
    url = normalise_database_url(url)
    os.environ["DATABASE_URL"] = url
    app = create_app({"LOG_LEVEL": "WARNING"})
    print(f"Filling {name}…", flush=True)
    mission = api_floor.fill_database(app, bundle)
    counts = top_up(app, mission) if reference else {}
    other = counts.pop("copy", mission)
    return {
        "url": url,
        "token": api_floor.access_token(app),
        "counts": counts,
        "paths": {"mission": mission, "other": other},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per run (100)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (2)")
    parser.add_argument("--bundle", type=Path, default=api_floor.DEFAULT_BUNDLE)
    arguments = parser.parse_args()
    if not arguments.bundle.exists():
        print(f"SKIPPED: the ATT&CK bundle is absent ({arguments.bundle}); pass --bundle PATH.")
        return 0
    if not 1 <= arguments.requests <= 10_000 or not 1 <= arguments.rounds <= 20:
        parser.error("--requests must be 1..10000 and --rounds 1..20")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sys.path.insert(0, str(api_floor.REPO_ROOT / "backend"))
    config = api_floor.production_config("")
    os.environ.update({**config, "LOG_LEVEL": "WARNING"})
    datasets = {
        name: fill(f"violet_bench_{name}", arguments.bundle, reference=name == "scale")
        for name in ("small", "scale")
    }
    counts = datasets["scale"]["counts"]
    print(
        "Reference dataset: " + ", ".join(f"{value:,} {table}" for table, value in counts.items())
    )
    with tempfile.TemporaryDirectory(prefix="violet-bench-") as workdir:
        servers = {
            name: api_floor.start_server(
                name,
                "wsgi:app",
                {**config, "DATABASE_URL": dataset["url"], "LOG_LEVEL": "INFO"},
                Path(workdir),
            )
            for name, dataset in datasets.items()
        }
        try:
            for server in servers.values():
                api_floor.wait_ready(server, "/api/v1/diag/health")
            samples = measure(servers, datasets, arguments.requests, arguments.rounds)
        finally:
            for server in servers.values():
                server.stop()
    report(samples)
    return 0


def measure(
    servers: dict[str, Any], datasets: dict[str, dict[str, Any]], requests: int, rounds: int
) -> dict[tuple[str, str], list[float]]:
    """Latencies (ms) per (endpoint, dataset): one client, interleaved, order reversed every
    round. Every endpoint must answer 200 on both (checked while warming up). An endpoint
    gets fewer than `requests` per run when they would take over RUN_SECONDS (the slower
    server's warm-up decides, so both get as many)."""
    samples: dict[tuple[str, str], list[float]] = {}
    counts: dict[str, int] = {}
    requests_for = {
        name: (
            {"Authorization": f"Bearer {dataset['token']}"},
            {endpoint: path.format(**dataset["paths"]) for endpoint, path, _ in ENDPOINTS},
        )
        for name, dataset in datasets.items()
    }
    for endpoint, _, _ in ENDPOINTS:
        for name, server in servers.items():
            headers, paths = requests_for[name]
            status, body = api_floor.fetch(server.port, paths[endpoint], headers)
            if status != 200:
                sys.exit(f"{name}: {paths[endpoint]} answered {status}: {body[:300]!r}")
            warm = api_floor.drive(server, paths[endpoint], headers, 1, 5)
            # A slow endpoint gets fewer requests: about RUN_SECONDS per run, at least 10.
            typical_ms = sorted(warm.latencies_ms)[2]
            fitting = max(10, min(requests, int(RUN_SECONDS * 1000 / typical_ms)))
            counts[endpoint] = min(counts.get(endpoint, fitting), fitting)
    for round_number in range(rounds):
        order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
        for endpoint, _, _ in ENDPOINTS:
            for name in order:
                headers, paths = requests_for[name]
                sample = api_floor.drive(
                    servers[name], paths[endpoint], headers, 1, counts[endpoint]
                )
                samples.setdefault((endpoint, name), []).extend(sample.latencies_ms)
    return samples


def report(samples: dict[tuple[str, str], list[float]]) -> None:
    print()
    print(
        "| endpoint | requests | small p50 / p95 / p99 ms | reference p50 / p95 / p99 ms "
        "| p95 reference ÷ small | target p95 | met |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for endpoint, _, target in ENDPOINTS:
        figures = {}
        for name in ("small", "scale"):
            ordered = sorted(samples[(endpoint, name)])
            figures[name] = [percentile(ordered, pct) for pct in (50, 95, 99)]
        small, scale = figures["small"], figures["scale"]
        ratio = scale[1] / small[1]
        goal = f"≤ {target} ms" if target else "—"
        met = ("yes" if scale[1] <= target else "**no**") if target else ""
        print(
            f"| {endpoint} | {len(samples[(endpoint, 'scale')])} "
            f"| {' / '.join(f'{value:.1f}' for value in small)} "
            f"| {' / '.join(f'{value:.1f}' for value in scale)} | {ratio:.2f} | {goal} | {met} |"
        )


if __name__ == "__main__":
    sys.exit(main())
