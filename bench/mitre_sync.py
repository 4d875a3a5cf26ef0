"""Benchmark: syncing the real ATT&CK Enterprise bundle, beside mitreattack-python and the floor.

    .venv/bin/python bench/mitre_sync.py [--repeat 3] [--bundle PATH]

Phases, each measured in a fresh child process (so peak RSS is that phase's own):
- floor: `json.load` of the bundle (nothing can sync faster than it can be read);
- mitreattack-python: `MitreAttackData(path)`, then listing tactics and techniques;
- violet first sync: into an empty catalogue (database `violet_bench`, migrated, emptied first);
- violet re-sync: the same bundle again (must write no catalogue row).

All read the same decompressed JSON file. Wall time covers the operation only (not interpreter
start-up or imports); peak RSS is the child's maximum resident set. Each phase runs `--repeat`
times and the fastest run is reported. Targets (docs/performance.md): first sync ≤ 2 s,
re-sync ≤ 1 s, peak RSS ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"
DATABASE = "violet_bench"
PHASES = ("floor", "mitreattack-python", "violet first sync", "violet re-sync")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# --- child side: one phase, one process ----------------------------------------------------------


def run_phase(phase: str, bundle: Path, database_url: str) -> dict[str, float | int | str]:
    if phase == "floor":
        started = time.perf_counter()
        with bundle.open("rb") as handle:
            document = json.load(handle)
        elapsed = time.perf_counter() - started
        return {"wall_s": elapsed, "rows": 0, "note": f"{len(document['objects'])} objects"}

    if phase == "mitreattack-python":
        from mitreattack.stix20 import MitreAttackData

        started = time.perf_counter()
        attack = MitreAttackData(str(bundle))
        tactics = attack.get_tactics(remove_revoked_deprecated=True)
        techniques = attack.get_techniques(remove_revoked_deprecated=True)
        elapsed = time.perf_counter() - started
        note = f"{len(tactics)} tactics, {len(techniques)} techniques+subs"
        return {"wall_s": elapsed, "rows": 0, "note": note}

    from violet import create_app
    from violet.extensions import db
    from violet.mitre.sync.service import SyncSettings, file_source, sync_catalogue

    app = create_app(
        {"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url, "LOG_LEVEL": "WARNING"}
    )
    with app.app_context():
        settings = SyncSettings.from_config(app.config)
        db.session.execute(db.text("SELECT 1"))  # connect before the clock starts
        started = time.perf_counter()
        result = sync_catalogue(
            file_source(bundle, settings.policy.max_bytes),
            expected_sha256=settings.pinned_sha256 or None,
            allow_unverified=not settings.pinned_sha256,
            started_by=None,
            settings=settings,
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
    counts = result.counts
    note = (
        f"{counts['tactics']}/{counts['techniques']}/{counts['subtechniques']} live, "
        f"changes {result.changes}"
    )
    return {"wall_s": elapsed, "rows": result.rows_written, "note": note}


# --- parent side --------------------------------------------------------------------------------


def child(phase: str, bundle: Path, database_url: str) -> dict:
    command = [sys.executable, __file__, "--child", phase, "--bundle", str(bundle)]
    env = {**os.environ, "BENCH_DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if completed.returncode != 0:
        sys.exit(f"phase {phase!r} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def prepare_database() -> str:
    """A migrated, empty `violet_bench` (embedded unless BENCH_DATABASE_URL is set)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        from violet.config import data_dir
        from violet.core import embedded_db

        url = embedded_db.database_url(data_dir() / "postgres", DATABASE, recreate=True)
    from flask_migrate import upgrade

    from violet import create_app

    config = {"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"}
    with create_app(config).app_context():
        upgrade()
    return url


def empty_catalogue(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE mitre_technique_tactics, mitre_subtechniques, mitre_techniques, "
                "mitre_tactics, mitre_syncs"
            )
        )
    engine.dispose()


def plain_json_copy(bundle: Path, directory: Path) -> Path:
    if not bundle.name.endswith(".gz"):
        return bundle
    target = directory / bundle.name.removesuffix(".gz")
    target.write_bytes(gzip.decompress(bundle.read_bytes()))
    return target


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda run: run["wall_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child:
        figures = run_phase(
            arguments.child, arguments.bundle, os.environ.get("BENCH_DATABASE_URL", "")
        )
        figures["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(figures))
        return 0

    if not arguments.bundle.exists():
        print(f"SKIPPED: the ATT&CK bundle is absent ({arguments.bundle}).")
        return 0
    database_url = prepare_database()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        bundle = plain_json_copy(arguments.bundle, Path(scratch))
        size_mb = bundle.stat().st_size / 1e6
        print(f"bundle: {bundle.name} ({size_mb:.1f} MB JSON), best of {arguments.repeat} runs")
        for phase in ("floor", "mitreattack-python"):
            results[phase] = best(
                [child(phase, bundle, database_url) for _ in range(arguments.repeat)]
            )
        first_runs = []
        for _ in range(arguments.repeat):
            empty_catalogue(database_url)
            first_runs.append(child("violet first sync", bundle, database_url))
        results["violet first sync"] = best(first_runs)
        results["violet re-sync"] = best(
            [child("violet re-sync", bundle, database_url) for _ in range(arguments.repeat)]
        )

    print_table(results)
    return 0


def print_table(results: dict[str, dict]) -> None:
    floor = results["floor"]["wall_s"]
    reference = results["mitreattack-python"]["wall_s"]
    header = (
        f"{'phase':<20} {'wall s':>8} {'× floor':>8} {'vs mitreattack':>15} "
        f"{'peak RSS MB':>12} {'rows written':>13}"
    )
    print()
    print(header)
    print("-" * len(header))
    for phase in PHASES:
        run = results[phase]
        faster = reference / run["wall_s"]
        print(
            f"{phase:<20} {run['wall_s']:>8.3f} {run['wall_s'] / floor:>8.2f} "
            f"{faster:>13.1f}× {run['peak_rss_mb']:>12.0f} {run['rows']:>13}"
        )
    print()
    for phase in PHASES:
        print(f"  {phase}: {results[phase]['note']}")
    print("\n'vs mitreattack' = mitreattack-python's wall time / this phase's (higher is faster).")


if __name__ == "__main__":
    sys.exit(main())
