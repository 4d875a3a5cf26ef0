"""axe-core in the page: WCAG 2.1 A and AA rules, run on what the page shows right now."""

from __future__ import annotations

from live_server import REPO_ROOT
from playwright.sync_api import Page

AXE_SCRIPT = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Page, context: str = "body") -> None:
    """Fail with each violated rule, its impact and the first offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "([context, tags]) => axe.run(context, {runOnly: {type: 'tag', values: tags}})",
        [context, WCAG_21_AA],
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
    ]
    assert not problems, f"accessibility violations on {page.url}:\n" + "\n".join(problems)
