"""The dependency locks (requirements/*.txt, written by `make lock`) agree with pyproject.toml.

`make install` and the Docker image install the locks with `--require-hashes`, then Violet
itself without its dependencies: a requirement added to pyproject.toml but not locked would be
missing at run time. These tests fail until `make lock` has run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = REPO_ROOT / "requirements" / "runtime.txt"
DEV_LOCK = REPO_ROOT / "requirements" / "dev.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, set[Version]]:
    """Each locked package and its version(s): a universal lock may pin one per Python range."""
    found: dict[str, set[Version]] = {}
    for line in lock.read_text().splitlines():
        if match := PIN.match(line):
            found.setdefault(canonicalize_name(match[1]), set()).add(Version(match[2]))
    return found


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return {
        # The image carries the S3 evidence back-end (boto3) too.
        "runtime": [
            Requirement(text)
            for text in project["dependencies"] + project["optional-dependencies"]["s3"]
        ],
        "dev": [Requirement(text) for text in project["optional-dependencies"]["dev"]],
    }


@pytest.mark.parametrize(
    ("group", "lock"), [("runtime", RUNTIME_LOCK), ("dev", DEV_LOCK), ("runtime", DEV_LOCK)]
)
def test_every_declared_requirement_is_locked_at_a_version_it_accepts(group, lock):
    locked = pins(lock)
    problems = []
    for requirement in declared()[group]:
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement} is not in {lock.name}")
        elif not all(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement} does not accept the locked {sorted(versions)}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_the_dev_lock_pins_the_runtime_packages_at_the_same_versions():
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)

    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda path: path.name)
def test_a_lock_has_hashes_and_names_no_index(lock):
    text = lock.read_text()
    # The index comes from each machine's pip configuration (a mirror here, PyPI elsewhere).
    assert not re.search(r"^\s*--(index-url|extra-index-url|find-links)", text, re.MULTILINE)
    assert text.count("--hash=sha256:") >= len(pins(lock))
