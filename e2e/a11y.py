"""The accessibility gate: axe-core checks every page the e2e suite visits against WCAG 2.0/2.1
A and AA, and a serious or critical violation fails the test.

axe-core comes from the SPA's devDependencies (frontend/node_modules/axe-core, installed by
`make frontend`). `A11yGate` installs it with e2e/a11y_watch.js as an init script of a browser
context, so it runs in every document without touching the page's own scripts or its CSP; the
watcher checks each URL path once, when its page has settled, and reports here. States a URL
does not capture (an open drawer, a dialog) are checked on demand with `check_a11y(page)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Error, Page

REPO_ROOT = Path(__file__).resolve().parents[1]
AXE_SCRIPT = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WATCH_SCRIPT = Path(__file__).with_name("a11y_watch.js")
BLOCKING_IMPACTS = ("serious", "critical")
# A path whose page keeps changing while axe looks at it is looked at again, this many times at
# most; the last result then counts as it is.
MAX_ATTEMPTS = 3
# How long a check asked for (or the one at the end of a test) waits for the page to settle
# before it checks it anyway.
SETTLE_TIMEOUT_MS = 5_000
NODES_SHOWN = 5


@dataclass(frozen=True)
class Violation:
    """One failed axe rule on one page: where, what, how bad, and which elements."""

    path: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    snippets: tuple[str, ...]
    failures: tuple[str, ...]


@cache
def init_script() -> str:
    if not AXE_SCRIPT.is_file():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `make frontend` (npm ci installs it)")
    return AXE_SCRIPT.read_text() + "\n" + WATCH_SCRIPT.read_text()


def blocking_violations(result: dict[str, Any]) -> list[Violation]:
    """The serious and critical violations in a result sent by a11y_watch.js."""
    return [
        Violation(
            path=result["path"],
            rule=violation["rule"],
            impact=violation["impact"],
            help=violation["help"],
            help_url=violation["helpUrl"],
            targets=tuple(" ".join(node["target"]) for node in violation["nodes"]),
            snippets=tuple(node["html"] for node in violation["nodes"]),
            failures=tuple(node["summary"] for node in violation["nodes"]),
        )
        for violation in result["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def format_report(violations: list[Violation]) -> str:
    """One paragraph per violation: page, impact, rule, what it means, where to read more, and
    the first elements at fault (CSS selector, opening HTML, what axe found wrong with it)."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s) (axe-core):"]
    for violation in violations:
        lines.append(f"- {violation.path}: [{violation.impact}] {violation.rule}: {violation.help}")
        lines.append(f"    {violation.help_url}")
        nodes = zip(violation.targets, violation.snippets, violation.failures, strict=True)
        for target, snippet, failure in list(nodes)[:NODES_SHOWN]:
            lines.append(f"    at {target}   {shorten(snippet)}")
            lines.append(f"       {shorten(failure, 200)}")
        if len(violation.targets) > NODES_SHOWN:
            lines.append(f"    … and {len(violation.targets) - NODES_SHOWN} more elements")
    return "\n".join(lines)


def shorten(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def axe_violations(page: Page) -> list[Violation]:
    """Run axe on the page once it has settled; its serious and critical violations."""
    if not page.evaluate("() => Boolean(window.__violetA11y)"):
        page.evaluate(init_script())  # a page opened without A11yGate, or replaced content
    result = page.evaluate("(ms) => window.__violetA11y.check(ms)", SETTLE_TIMEOUT_MS)
    return blocking_violations(result)


def check_a11y(page: Page) -> None:
    """Fail now on a serious or critical violation in the page's current state. For states the
    gate does not see by itself: an open drawer, menu or dialog (a URL path is checked once)."""
    violations = axe_violations(page)
    if violations:
        raise AssertionError(format_report(violations))


class A11yGate:
    """Checks every page of a browser context once per URL path (see a11y_watch.js) and keeps
    the serious and critical violations for `assert_accessible()` at the end of the test."""

    def __init__(self, context: BrowserContext):
        self.context = context
        self.checked_paths: set[str] = set()  # claimed by a page, checked or being checked
        self.reported_paths: set[str] = set()  # their result is in
        self.attempts: dict[str, int] = {}
        self.violations: list[Violation] = []
        self.errors: list[str] = []
        context.expose_binding("__violetA11yClaim", self._claim)
        context.expose_binding("__violetA11yReport", self._report)
        context.add_init_script(script=init_script())

    def _claim(self, _source: Any, path: str) -> bool:
        """True once per path: the page asking may check it."""
        if path in self.checked_paths:
            return False
        self.checked_paths.add(path)
        return True

    def _report(self, _source: Any, result: dict[str, Any]) -> None:
        path = result["path"]
        self.attempts[path] = self.attempts.get(path, 0) + 1
        trusted = result["final"] or (result["stable"] and "error" not in result)
        if not trusted and self.attempts[path] < MAX_ATTEMPTS:
            self.checked_paths.discard(path)  # checked again once the page settles
            return
        self.reported_paths.add(path)
        if "error" in result:
            self.errors.append(f"axe could not check {path}: {result['error']}")
        self.violations.extend(blocking_violations(result))

    def finish(self) -> list[Violation]:
        """Check what the test left open (each page's current path, if not checked yet) and
        return every violation found so far."""
        for page in self.context.pages:
            if page.is_closed():
                continue
            try:
                page.evaluate("(ms) => window.__violetA11y?.finish(ms)", SETTLE_TIMEOUT_MS)
            except Error:
                # The test ended mid-navigation: check the page it was going to.
                page.wait_for_load_state()
                page.evaluate("(ms) => window.__violetA11y?.finish(ms)", SETTLE_TIMEOUT_MS)
        return self.violations

    def assert_accessible(self) -> None:
        violations = self.finish()
        if self.errors:
            raise AssertionError("\n".join(self.errors))
        if violations:
            raise AssertionError(format_report(violations))
