"""Sign-in, session persistence, return path and invitations, through the browser."""

import re
import time

import pyotp
import pytest
from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiCallError, ApiClient
from playwright.sync_api import Page, expect


def test_sign_in_success_lands_on_home(page: Page, reset):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))


def test_sign_in_failure_shows_the_problem_detail(page: Page, live_server: str, reset):
    with pytest.raises(ApiCallError) as refused:
        ApiClient(live_server).sign_in(ADMIN_EMAIL, "not the password at all")
    detail = refused.value.body["detail"]

    page.goto("/sign-in")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text(detail)
    check_a11y(page)
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_session_survives_a_reload(page: Page, reset, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="ATT&CK matrix").click()
    expect(page.get_by_role("heading", name="ATT&CK matrix")).to_be_visible()

    page.reload()

    expect(page.get_by_role("heading", name="ATT&CK matrix")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_page_script_cannot_read_the_refresh_token(page: Page, reset, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    refresh = cookies["violet_refresh"]
    assert refresh["httpOnly"] is True
    assert refresh["sameSite"] == "Strict"
    assert refresh["path"] == "/api/v1/auth"
    stored = page.evaluate("JSON.stringify(Object.entries(localStorage))")
    readable_cookies = page.evaluate("document.cookie")
    assert refresh["value"] not in stored
    assert refresh["value"] not in readable_cookies
    assert "violet_refresh" not in readable_cookies
    # And a reload still restores the session from the cookie.
    page.reload()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_a_refused_session_returns_to_sign_in_and_back(page: Page, reset):
    page.goto("/sign-in")
    # The marker says a session may exist, but there is no refresh cookie behind it.
    page.evaluate("localStorage.setItem('violet.signed_in', '1')")

    page.goto("/matrix")

    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fmatrix$"))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="ATT&CK matrix")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/matrix$"))


def test_sign_out_forgets_the_session(page: Page, reset, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("menuitem", name="Sign out")).to_be_visible()
    check_a11y(page)
    page.get_by_role("menuitem", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_signing_out_in_one_tab_signs_out_the_others(page: Page, reset, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    other_tab = page.context.new_page()
    other_tab.goto("/matrix")
    expect(other_tab.get_by_role("heading", name="ATT&CK matrix")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()

    expect(other_tab).to_have_url(re.compile(r"/sign-in\?next=%2Fmatrix$"))
    expect(other_tab.get_by_role("button", name="Sign in")).to_be_visible()


def test_accepting_an_invitation_signs_the_new_user_in(page: Page, admin_api: ApiClient):
    invitation = admin_api.create_invitation(email="new.analyst@e2e.violet.test")
    accept_path = invitation["accept_url"].split("://", 1)[-1].split("/", 1)[1]

    page.goto(f"/{accept_path}")

    expect(page.get_by_test_id("invitation-email")).to_have_text("new.analyst@e2e.violet.test")
    page.get_by_label("Display name").fill("New Analyst")
    page.get_by_role("textbox", name="Password", exact=True).fill(USER_PASSWORD)
    page.get_by_label("Confirm password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Accept invitation").click()

    expect(page.get_by_role("heading", name="Welcome, New Analyst")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_text("New Analyst")


def test_a_used_invitation_shows_why_it_cannot_be_used(page: Page, admin_api: ApiClient):
    invitation = admin_api.create_invitation()
    ApiClient(admin_api.base_url).call(
        "POST",
        "/invitations/accept",
        {"token": invitation["token"], "display_name": "First", "password": USER_PASSWORD},
    )
    with pytest.raises(ApiCallError) as gone:
        ApiClient(admin_api.base_url).call(
            "GET", f"/invitations/lookup?token={invitation['token']}"
        )
    assert gone.value.status == 410

    page.goto(f"/accept-invitation?token={invitation['token']}")

    expect(page.get_by_role("alert")).to_contain_text(gone.value.body["detail"])
    expect(page.get_by_label("Display name")).to_have_count(0)


def test_sign_in_with_two_factor_authentication(page: Page, admin_api: ApiClient):
    user = admin_api.create_user(groups=("Analysts",))
    as_user = ApiClient(admin_api.base_url)
    as_user.sign_in(user["email"], USER_PASSWORD)
    totp = pyotp.TOTP(as_user.call("POST", "/auth/mfa/setup")["secret"])
    as_user.call("POST", "/auth/mfa/enable", {"password": USER_PASSWORD, "code": totp.now()})

    page.goto("/sign-in")
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Authentication code")).to_be_visible()
    check_a11y(page)
    # Codes are single use: the next time step's code is still accepted (±1 step).
    page.get_by_label("Authentication code").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
