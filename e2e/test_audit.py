"""Admin → Audit trail: what the team did, in words, with filters; only for `audit.read`."""

from __future__ import annotations

import re

import pytest
from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiCallError, ApiClient
from playwright.sync_api import Page, expect


def test_an_administrator_reads_who_did_what(
    page: Page, admin_api: ApiClient, live_server: str, sign_in
):
    red = admin_api.create_user(display_name="Rob Red", groups=("Operators",))
    red_api = ApiClient(live_server)
    red_api.sign_in(red["email"], USER_PASSWORD)
    mission = red_api.call("POST", "/missions", {"name": "Purple week"})
    test = red_api.call("POST", f"/missions/{mission['id']}/tests", {"name": "Kerberoasting"})
    red_api.call("PATCH", f"/missions/{mission['id']}/tests/{test['id']}", {"state": "in_progress"})
    with pytest.raises(ApiCallError):
        ApiClient(live_server).sign_in("mallory@example.test", "not the password")

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Audit trail"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    events = page.get_by_test_id("audit-event")
    changed = events.filter(has_text="changed the mission test")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("Kerberoasting")
    expect(changed.get_by_role("link", name="Purple week")).to_have_attribute(
        "href", f"/missions/{mission['id']}"
    )
    expect(changed).to_contain_text("state: Pending → In progress")
    expect(changed).to_contain_text(red["email"])
    expect(changed).to_contain_text("127.0.0.1")
    expect(events.filter(has_text="failed to sign in")).to_contain_text("mallory@example.test")
    # The suite's reset re-seeds the instance: the machine's doing, not in the trail.
    expect(events.filter(has_text="created the group")).to_have_count(0)
    page.mouse.move(0, 0)
    check_a11y(page)

    # Sign-ins only: the filter is in the URL, so a reload keeps it.
    page.get_by_role("combobox", name="What").click()
    page.get_by_role("option", name="Sign-ins and accounts").click()
    expect(page).to_have_url(re.compile(r"action=auth\."))
    expect(changed).to_have_count(0)
    expect(events.filter(has_text="signed in").first).to_be_visible()
    page.reload()
    expect(events.filter(has_text="failed to sign in")).to_have_count(1)
    expect(changed).to_have_count(0)

    # A shared link with a filter, then a search; a day with nothing says so.
    page.goto("/admin/audit?action=mission_test.")
    expect(page.get_by_role("combobox", name="What")).to_have_value("Mission tests")
    page.get_by_label("Search").fill("Kerberoasting")
    expect(events).to_have_count(2)  # created, then changed
    page.get_by_label("To", exact=True).fill("2020-01-01")
    expect(page.get_by_text("No event matches.")).to_be_visible()

    # From a mission's page: that mission's events only, until asked for every event.
    page.goto(f"/missions/{mission['id']}")
    page.get_by_role("main").get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(re.compile(f"mission_id={mission['id']}"))
    expect(changed).to_have_count(1)
    created = events.filter(has_text=re.compile(r"created the mission(?! test)"))
    expect(created).to_contain_text("Purple week")
    expect(events.filter(has_text="failed to sign in")).to_have_count(0)
    page.get_by_role("button", name="Show every event").click()
    expect(events.filter(has_text="failed to sign in")).to_have_count(1)


def test_the_trail_is_not_offered_without_audit_read(page: Page, admin_api: ApiClient, sign_in):
    operator = admin_api.create_user(groups=("Operators",))
    sign_in(page, operator["email"], USER_PASSWORD)
    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(navigation.get_by_role("link", name="Missions")).to_be_visible()
    expect(navigation.get_by_role("link", name="Audit trail")).to_have_count(0)
    page.goto("/admin/audit")
    expect(page.get_by_role("alert", name="Not allowed")).to_contain_text("audit.read")


def test_a_pipelines_write_names_its_token(
    page: Page, admin_api: ApiClient, live_server: str, sign_in
):
    """A CI job's write reads "via token ci-import" under its owner; a click of the same person
    does not; the token's name shows that token's events only (revoked, as after a leak)."""
    red = admin_api.create_user(display_name="Rob Red", groups=("Operators",))
    red_api = ApiClient(live_server)
    red_api.sign_in(red["email"], USER_PASSWORD)
    mission = red_api.call("POST", "/missions", {"name": "Purple week"})
    token = red_api.call(
        "POST", "/auth/tokens", {"name": "ci-import", "permissions": [], "mission_access": "write"}
    )
    pipeline = ApiClient(live_server, token=token["token"])
    pipeline.call("POST", f"/missions/{mission['id']}/tests", {"name": "DCSync"})
    red_api.call("POST", f"/missions/{mission['id']}/tests", {"name": "Kerberoasting"})
    red_api.call("DELETE", f"/auth/tokens/{token['id']}")

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/audit?action=mission_test.")
    events = page.get_by_test_id("audit-event")
    by_pipeline = events.filter(has_text="DCSync")
    by_person = events.filter(has_text="Kerberoasting")
    expect(by_pipeline).to_contain_text(red["email"])
    expect(by_pipeline).to_contain_text("via token ci-import")
    expect(by_person).to_contain_text(red["email"])
    expect(by_person).not_to_contain_text("via token")
    page.mouse.move(0, 0)
    check_a11y(page)

    by_pipeline.get_by_role("link", name="ci-import").click()
    expect(page).to_have_url(re.compile(f"token_id={token['id']}"))
    expect(page.get_by_text("Only the events of one API token.")).to_be_visible()
    expect(by_person).to_have_count(0)
    expect(by_pipeline).to_have_count(1)
    page.get_by_role("button", name="Show everyone's events").click()
    expect(by_person).to_have_count(1)
