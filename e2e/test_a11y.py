"""The accessibility gate can fail: deliberately inaccessible pages are reported with the rule,
its impact, the elements at fault and where to read more; an accessible page passes."""

import pytest
from a11y import A11yGate, check_a11y
from playwright.sync_api import Page, Route

INACCESSIBLE = """<!doctype html>
<html lang="en"><head><title>Inaccessible</title></head>
<body><main>
  <h1>Inaccessible</h1>
  <img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <input id="unlabelled" type="text">
  <p id="faint" style="color: #aaaaaa; background: #ffffff">Grey on white</p>
</main></body></html>"""

ACCESSIBLE = """<!doctype html>
<html lang="en"><head><title>Accessible</title></head>
<body><main>
  <h1>Accessible</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Violet logo">
  <label for="name">Name</label><input id="name" type="text">
  <p style="color: #495057; background: #ffffff">Dark grey on white</p>
</main></body></html>"""

CHECKED_PAGES = "http://a11y.test"


def test_check_a11y_reports_rule_impact_elements_and_help(page: Page):
    page.set_content(INACCESSIBLE)

    with pytest.raises(AssertionError) as failure:
        check_a11y(page)

    report = str(failure.value)
    assert "3 serious or critical accessibility violation(s)" in report
    assert "[critical] image-alt: Images must have alternative text" in report
    assert "[critical] label: Form elements must have labels" in report
    assert "[serious] color-contrast:" in report
    for selector in ("at #logo", "at #unlabelled", "at #faint"):
        assert selector in report
    assert "https://dequeuniversity.com/rules/axe/" in report

    page.set_content(ACCESSIBLE)
    check_a11y(page)


def serve(page: Page, html_by_path: dict[str, str]) -> None:
    """Answer requests to CHECKED_PAGES from `html_by_path`, as an http origin would."""

    def answer(route: Route) -> None:
        path = "/" + route.request.url.removeprefix(CHECKED_PAGES).lstrip("/")
        route.fulfill(status=200, content_type="text/html", body=html_by_path[path])

    page.route(f"{CHECKED_PAGES}/**", answer)


def wait_until_checked(page: Page, gate: A11yGate, path: str) -> None:
    """The watcher checks a page once it has settled; give it up to ten seconds."""
    for _ in range(100):
        if path in gate.reported_paths:
            return
        page.wait_for_timeout(100)
    pytest.fail(f"the accessibility gate never checked {path}")


def test_the_gate_checks_every_path_the_test_visits_once(page: Page, a11y_gate: A11yGate):
    serve(page, {"/broken": INACCESSIBLE, "/fine": ACCESSIBLE})

    page.goto(f"{CHECKED_PAGES}/broken")
    wait_until_checked(page, a11y_gate, "/broken")
    # A client-side route change, as the SPA's router makes, is a new page to check.
    page.evaluate(
        """() => {
            history.pushState({}, "", "/broken/drawer");
            document.querySelector("main").insertAdjacentHTML("beforeend", "<button></button>");
        }"""
    )
    wait_until_checked(page, a11y_gate, "/broken/drawer")
    page.goto(f"{CHECKED_PAGES}/fine")
    wait_until_checked(page, a11y_gate, "/fine")
    page.goto(f"{CHECKED_PAGES}/broken")  # seen already: not checked again

    violations = a11y_gate.finish()

    found = sorted((violation.path, violation.rule) for violation in violations)
    assert found == [
        ("/broken", "color-contrast"),
        ("/broken", "image-alt"),
        ("/broken", "label"),
        ("/broken/drawer", "button-name"),
        ("/broken/drawer", "color-contrast"),
        ("/broken/drawer", "image-alt"),
        ("/broken/drawer", "label"),
    ]
    assert a11y_gate.reported_paths == {"/broken", "/broken/drawer", "/fine"}
    with pytest.raises(AssertionError, match=r"/broken/drawer: \[critical\] button-name"):
        a11y_gate.assert_accessible()
    a11y_gate.violations.clear()  # the gate must not fail this test for what it was shown
