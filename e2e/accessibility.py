"""axe-core in the page: WCAG 2.1 A and AA rules, run on every page a test visits.

axe-core comes from the SPA's dev dependencies (frontend/node_modules/axe-core), injected into
the page as a script; nothing is fetched from the network.
"""

from __future__ import annotations

from live_server import REPO_ROOT
from playwright.sync_api import Page

AXE_SCRIPT = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Page) -> None:
    """No axe violation of WCAG 2.1 AA on the page as it is now (with a readable report)."""
    # Colours mid-transition (a modal fading in) are not the page's colours.
    page.wait_for_function(
        "document.getAnimations().every((animation) => animation.playState !== 'running')"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    problems = [
        f"{violation['id']}: {violation['help']} — "
        + "; ".join(
            f"{node['target'][0]} ({node.get('failureSummary', '').splitlines()[-1].strip()})"
            for node in violation["nodes"][:5]
        )
        for violation in result["violations"]
    ]
    assert not problems, f"accessibility violations on {page.url}:\n" + "\n".join(problems)
