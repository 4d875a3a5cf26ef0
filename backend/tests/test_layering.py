"""The layering rules that import-linter cannot see (docs/architecture.md, "Layering")."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import violet
from violet.config import REPO_ROOT
from violet.domains import DOMAINS

PACKAGE = Path(violet.__file__).parent


def service_modules() -> list[Path]:
    """`<domain>/service.py`, `<domain>/service/…` and the mitre sync (a service too)."""
    paths = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if len(parts) > 1 and parts[1] in ("service", "sync"):
            paths.append(path)
    return paths


def test_services_never_inspect_the_request():
    """Services know nothing of HTTP: renaming a view must not change what a service does."""
    modules = service_modules()
    assert len(modules) > 10
    offenders = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "flask"
                and any(alias.name in {"request", "g", "session"} for alias in node.names)
            ):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_import_contracts_cover_every_domain():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {f"violet.{domain.name}" for domain in DOMAINS if domain.blueprints}
    for contract in config["contracts"]:
        listed = (
            contract.get("forbidden_modules") or contract.get("modules") or contract["containers"]
        )
        assert packages <= set(listed), contract["name"]
