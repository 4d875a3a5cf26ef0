"""Forms say what is wrong, in words, next to the field: never a silent change or a bare
disabled button."""

from __future__ import annotations

import re

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, Route, expect


def test_a_token_lifetime_over_the_limit_is_named_not_cut(
    page: Page, admin_api: ApiClient, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/account")
    section = page.get_by_role("region", name="API tokens")
    days = section.get_by_label("Expires in (days)")

    days.fill("400")

    expect(days).to_have_value("400")
    expect(days).to_have_accessible_description(re.compile("At most 365 days"))
    section.get_by_role("textbox", name="Name", exact=True).fill("too long")
    section.get_by_role("button", name="Create token").click()
    expect(section.get_by_test_id("created-token")).to_have_count(0)
    assert admin_api.call("GET", "/auth/tokens")["items"] == []
    check_a11y(page)


def test_an_empty_display_name_says_why_it_cannot_be_saved(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(display_name="Kept Name", groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    page.goto("/account")
    profile = page.get_by_role("region", name="Profile")
    name = profile.get_by_role("textbox", name="Display name")

    name.fill("")

    expect(name).to_have_accessible_description(re.compile("cannot be empty"))
    profile.get_by_role("button", name="Save name").click()
    expect(page.get_by_test_id("user-menu")).to_have_text("Kept Name")
    check_a11y(page)


def test_a_rate_limited_sign_in_says_when_to_try_again(page: Page, live_server: str):
    # The server's limiter is covered by the backend tests; tripping it here would lock the
    # suite's own sign-ins out for 15 minutes, so the browser gets the same 429 answer.
    def too_many(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "840", "Content-Type": "application/problem+json"},
            body='{"title": "Too Many Requests", "status": 429, "detail": "10 per 15 minute"}',
        )

    page.route("**/api/v1/auth/login", too_many)
    page.goto("/sign-in")
    page.get_by_label("Email").fill("someone@e2e.violet.test")
    page.get_by_label("Password").fill("wrong password 1")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many attempts; try again in 14 minutes.")
    expect(alert).not_to_contain_text("per 15 minute")
    check_a11y(page)
