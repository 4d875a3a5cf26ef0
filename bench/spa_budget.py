"""SPA budget: first-page JavaScript weight and time to interactive of home.

Prints, beside baselines measured in the same run:

1. Gzipped JS of the first page: the entry chunk of frontend/dist/index.html plus everything it
   loads before running (its modulepreloads and the closure of its static imports). Budget:
   250 KB. Also the signed-in home route (first page + the lazily loaded HomePage chunk).
2. Time to interactive of home on a live e2e-style server (gunicorn, embedded PostgreSQL, a small
   ATT&CK bundle synced): sign in through the API, then for each run a fresh browser context
   (cold cache) with the refresh cookie and the signed-in marker, navigation start → the home
   cards show their data (Database table count and MITRE badge), and the browser's own timing
   (domInteractive, load). Median of RUNS. Baselines: the bare index.html with its scripts
   blocked (the floor: HTML + CSS only), and the Swagger UI page /api/docs (a JS page of
   comparable weight served by the same server).

Usage: .venv/bin/python bench/spa_budget.py [--runs N]   (needs `make frontend` first)
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "e2e"))

from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, admin_client  # noqa: E402
from live_server import CHROMIUM, CHROMIUM_ARGS, reset_database, running_server  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from stix import write_bundle  # noqa: E402

DIST = REPO_ROOT / "frontend" / "dist"
BUDGET_KB = 250
SIGNED_IN_KEY = "violet.signed_in"
STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*)["']\./([^"']+\.js)["']""")
HOME_READY = """() => {
  const tables = document.querySelector('[data-testid="db-table-count"]');
  const mitre = document.querySelector('[data-testid="mitre-badge"]');
  return tables && mitre && tables.textContent.trim() !== '' ? performance.now() : false;
}"""
NAVIGATION_TIMING = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  return {domInteractive: nav.domInteractive, load: nav.loadEventEnd};
}"""


# ---------------------------------------------------------------- 1. bundle weight


def gzipped_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024


def static_closure(chunks: list[str]) -> list[str]:
    """The chunks plus every chunk they import statically, transitively (names under assets/)."""
    seen: list[str] = []
    pending = list(chunks)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        source = (DIST / "assets" / name).read_text()
        pending.extend(STATIC_IMPORT.findall(source))
    return seen


def first_page_chunks() -> list[str]:
    html = (DIST / "index.html").read_text()
    entry = re.findall(r'<script[^>]+type="module"[^>]+src="/assets/([^"]+\.js)"', html)
    preloads = re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="/assets/([^"]+\.js)"', html)
    if not entry:
        raise SystemExit("dist/index.html has no module entry: run `make frontend`")
    return static_closure(entry + preloads)


def report_weight() -> float:
    first = first_page_chunks()
    first_kb = sum(gzipped_kb(DIST / "assets" / name) for name in first)
    home_chunk = next((DIST / "assets").glob("HomePage-*.js")).name
    home = static_closure(first + [home_chunk])
    home_kb = sum(gzipped_kb(DIST / "assets" / name) for name in home)
    css_kb = sum(gzipped_kb(path) for path in (DIST / "assets").glob("index-*.css"))
    all_js_kb = sum(gzipped_kb(path) for path in (DIST / "assets").glob("*.js"))
    verdict = "within" if first_kb <= BUDGET_KB else "OVER"
    print("== SPA bundle (gzip -9)")
    print(f"{f'first page JS ({len(first)} chunks)':34} {first_kb:7.1f} KB", end="")
    print(f"  (budget {BUDGET_KB} KB: {verdict})")
    print(f"{f'signed-in home JS ({len(home)} chunks)':34} {home_kb:7.1f} KB")
    print(f"{'all JS chunks (every route)':34} {all_js_kb:7.1f} KB")
    print(f"{'entry CSS':34} {css_kb:7.1f} KB")
    return first_kb


# ---------------------------------------------------------------- 2. time to interactive


@dataclass
class Timing:
    ready_ms: float
    dom_interactive_ms: float
    load_ms: float


def measure_home(browser: Browser, base_url: str) -> Timing:
    """One cold visit of home as a signed-in user (refresh cookie kept from an API sign-in)."""
    pair = ApiClient(base_url).sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    context = browser.new_context(base_url=base_url)
    # What a returning user's browser holds: the HttpOnly refresh cookie and the marker.
    context.add_cookies(
        [
            {
                "name": "violet_refresh",
                "value": pair["refresh_token"],
                "url": f"{base_url}/api/v1/auth",
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    context.add_init_script(f"localStorage.setItem({SIGNED_IN_KEY!r}, '1')")
    page = context.new_page()
    page.goto("/", wait_until="commit")
    ready = page.wait_for_function(HOME_READY, polling="raf", timeout=30_000).json_value()
    page.wait_for_load_state("load")
    navigation = page.evaluate(NAVIGATION_TIMING)
    context.close()
    return Timing(ready, navigation["domInteractive"], navigation["load"])


def measure_static(browser: Browser, base_url: str, path: str, ready: str | None) -> Timing:
    """A baseline page: navigation timing, and `ready` (a CSS selector) when given."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    if ready is None:  # the bare index.html: its scripts never run
        page.route("**/*.js", lambda route: route.abort())
    page.goto(path, wait_until="load")
    ready_ms = float("nan")
    if ready is not None:
        ready_ms = page.wait_for_function(
            f"() => document.querySelector({ready!r}) ? performance.now() : false",
            polling="raf",
            timeout=30_000,
        ).json_value()
    navigation = page.evaluate(NAVIGATION_TIMING)
    context.close()
    return Timing(ready_ms, navigation["domInteractive"], navigation["load"])


def median(timings: list[Timing], field: str) -> float:
    return statistics.median(getattr(timing, field) for timing in timings)


def report_timing(runs: int) -> None:
    with running_server("violet_spa_bench") as base_url, sync_playwright() as playwright:
        reset_database(base_url)
        api = admin_client(base_url)
        with tempfile.TemporaryDirectory() as scratch:
            bundle = Path(scratch) / "bundle.json"
            write_bundle(bundle)
            api.sync_mitre_file(bundle)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            measure_home(browser, base_url)  # warm the server (imports, pools)
            rows = {
                "home (SPA, signed in)": [measure_home(browser, base_url) for _ in range(runs)],
                "bare index.html, no JS (floor)": [
                    measure_static(browser, base_url, "/", None) for _ in range(runs)
                ],
                "Swagger UI /api/docs": [
                    measure_static(browser, base_url, "/api/docs", ".swagger-ui .info")
                    for _ in range(runs)
                ],
            }
        finally:
            browser.close()
    print(f"\n== Time to interactive, cold cache, median of {runs} runs (ms from navigation start)")
    print(f"{'page':34} {'content ready':>14} {'domInteractive':>15} {'load':>8}")
    for name, timings in rows.items():
        ready = median(timings, "ready_ms")
        ready_text = "—" if ready != ready else f"{ready:.0f}"  # NaN: no content to wait for
        print(
            f"{name:34} {ready_text:>14} {median(timings, 'dom_interactive_ms'):15.0f}"
            f" {median(timings, 'load_ms'):8.0f}"
        )
    print("content ready: home = cards show the API's data; Swagger UI = the spec's info block")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured visits per page")
    parser.add_argument("--weight-only", action="store_true", help="skip the browser timings")
    arguments = parser.parse_args()
    report_weight()
    if not arguments.weight_only:
        report_timing(arguments.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
