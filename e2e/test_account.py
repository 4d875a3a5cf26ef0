"""The signed-in user's own account page: display name, password, TOTP enrolment and recovery
codes, API tokens, and the enrolment screen every page becomes while the administrator requires
TOTP."""

import re
import time

import pyotp
import pytest
from a11y import check_a11y
from api_client import USER_PASSWORD, ApiCallError, ApiClient
from playwright.sync_api import Page, expect

NEW_PASSWORD = "a brand new passphrase 2"


def open_account_page(page: Page) -> None:
    """Through the user menu, as a user would."""
    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Account").click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account$"))


def sign_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))


def enrol_totp(page: Page) -> pyotp.TOTP:
    """Set up two-factor authentication on the screen shown; returns the app's generator."""
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_test_id("mfa-qr-code")).to_be_visible()
    check_a11y(page)
    totp = pyotp.TOTP(page.get_by_test_id("mfa-secret").inner_text().strip())
    form = page.get_by_role("form", name="Turn on two-factor authentication")
    form.get_by_label("Your password").fill(USER_PASSWORD)
    form.get_by_label("Authentication code").fill(totp.now())
    form.get_by_role("button", name="Turn on").click()
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """Codes are single use: the next time step's code is still accepted (±1 step)."""
    return totp.at(time.time() + totp.interval)


def three_codes(totp: pyotp.TOTP) -> list[str]:
    """Codes of the previous, current and next time step, to spend in that order (the API
    accepts ±1 step, each step once). Waits out a step about to end so the first stays valid."""
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left)
    now = time.time()
    return [totp.at(now - totp.interval), totp.at(now), totp.at(now + totp.interval)]


def test_changing_the_display_name(page: Page, admin_api: ApiClient, sign_in):
    user = admin_api.create_user(display_name="Before Rename", groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)

    profile = page.get_by_role("region", name="Profile")
    expect(profile.get_by_test_id("profile-email")).to_have_text(user["email"])
    expect(profile.get_by_test_id("profile-groups")).to_have_text("Analysts")
    expect(profile.get_by_test_id("profile-permissions")).to_contain_text("test_template.read")
    profile.get_by_role("textbox", name="Display name").fill("After Rename")
    profile.get_by_role("button", name="Save name").click()

    expect(profile.get_by_role("status")).to_have_text("Display name saved.")
    expect(page.get_by_test_id("user-menu")).to_have_text("After Rename")
    as_user = ApiClient(admin_api.base_url)
    as_user.sign_in(user["email"], USER_PASSWORD)
    assert as_user.call("GET", "/auth/me")["display_name"] == "After Rename"


def test_changing_the_password_then_signing_in_with_the_new_one(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="Password")

    # A wrong current password: the problem detail, and the field's own message beside it.
    section.get_by_label("Current password").fill("not my password at all")
    section.get_by_role("textbox", name="New password", exact=True).fill(NEW_PASSWORD)
    section.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    section.get_by_role("button", name="Change password").click()
    expect(section.get_by_role("alert")).to_contain_text("The current password is wrong.")
    expect(section.get_by_text("Incorrect password.")).to_be_visible()
    check_a11y(page)

    section.get_by_label("Current password").fill(USER_PASSWORD)
    section.get_by_role("button", name="Change password").click()

    # Two argon2 checks (the change, then the new sign-in) first: slow on a busy machine.
    expect(section.get_by_test_id("password-changed")).to_be_visible(timeout=20_000)
    # The API ended every session: this tab signed in again with the new password, so a reload
    # (which needs the new refresh cookie) keeps the session.
    page.reload()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    with pytest.raises(ApiCallError) as refused:
        ApiClient(admin_api.base_url).sign_in(user["email"], USER_PASSWORD)
    assert refused.value.status == 401

    sign_out(page)
    sign_in(page, user["email"], NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()


def test_a_password_change_says_it_revoked_the_api_tokens_and_shows_them_revoked(
    page: Page, admin_api: ApiClient, sign_in
):
    # The page said only "other sessions were signed out" and kept listing the tokens as active.
    user = admin_api.create_user(groups=("Analysts",))
    me = ApiClient(admin_api.base_url)
    me.sign_in(user["email"], USER_PASSWORD)
    me.call("POST", "/auth/tokens", {"name": "nightly export", "permissions": []})
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    tokens = page.get_by_role("region", name="API tokens")
    row = tokens.get_by_test_id("api-token-row").filter(has_text="nightly export")
    expect(row.get_by_test_id("api-token-state")).to_have_text("Active")
    section = page.get_by_role("region", name="Password")
    expect(section).to_contain_text("revokes your API tokens")

    section.get_by_label("Current password").fill(USER_PASSWORD)
    section.get_by_role("textbox", name="New password", exact=True).fill(NEW_PASSWORD)
    section.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    section.get_by_role("button", name="Change password").click()

    expect(section.get_by_test_id("password-changed")).to_contain_text(
        "API tokens revoked", timeout=20_000
    )
    expect(row.get_by_test_id("api-token-state")).to_have_text("Revoked")
    check_a11y(page)


def test_with_totp_a_password_change_signs_out_with_a_notice(page: Page, admin_api: ApiClient):
    user = admin_api.create_user(groups=("Analysts",))
    as_user = ApiClient(admin_api.base_url)
    as_user.sign_in(user["email"], USER_PASSWORD)
    totp = pyotp.TOTP(as_user.call("POST", "/auth/mfa/setup")["secret"])
    codes = three_codes(totp)
    as_user.call("POST", "/auth/mfa/enable", {"password": USER_PASSWORD, "code": codes[0]})
    page.goto("/account")
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(codes[1])
    page.get_by_role("button", name="Verify").click()
    section = page.get_by_role("region", name="Password")

    section.get_by_label("Current password").fill(USER_PASSWORD)
    section.get_by_role("textbox", name="New password", exact=True).fill(NEW_PASSWORD)
    section.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    section.get_by_role("button", name="Change password").click()

    # Signing in again needs a code the SPA does not have: back to sign-in, with the reason.
    # (Two argon2 checks, the change and the new sign-in, come first: slow on a busy machine.)
    expect(page.get_by_test_id("sign-in-notice")).to_contain_text(
        "Your password was changed", timeout=20_000
    )
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Faccount$"))
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(codes[2])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()


def test_enrolling_totp_then_signing_in_with_a_code(page: Page, admin_api: ApiClient, sign_in):
    user = admin_api.create_user(groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="Two-factor authentication")
    expect(section.get_by_test_id("mfa-status")).to_have_text("Off")

    totp = enrol_totp(page)

    expect(section.get_by_test_id("mfa-status")).to_have_text("On")
    expect(section.get_by_role("status")).to_have_text(
        re.compile("^Two-factor authentication is on")
    )
    expect(section.get_by_role("button", name="Turn off two-factor authentication")).to_be_visible()
    sign_out(page)
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(next_code(totp))
    page.get_by_role("button", name="Verify").click()
    # Back where the user signed out from.
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()


def sign_in_with_recovery_code(page: Page, email: str, recovery_code: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(recovery_code)
    check_a11y(page)
    page.get_by_role("button", name="Verify").click()


def test_recovery_codes_are_shown_once_and_each_signs_in_once(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="Two-factor authentication")
    totp = enrol_totp(page)

    codes = section.get_by_test_id("recovery-codes-list").inner_text().split()
    assert len(set(codes)) == 10
    check_a11y(page)
    with page.expect_download() as download:
        section.get_by_role("button", name="Download").click()
    saved = download.value
    assert saved.suggested_filename == "violet-recovery-codes.txt"
    with open(saved.path(), encoding="utf-8") as file:
        assert file.read().split("\n")[3:13] == codes
    section.get_by_role("button", name="I have saved them").click()
    expect(section.get_by_test_id("recovery-codes")).to_have_count(0)
    expect(section.get_by_test_id("recovery-codes-remaining")).to_have_text(
        "Unused recovery codes: 10"
    )
    page.reload()  # shown once: never again
    expect(section.get_by_test_id("mfa-status")).to_have_text("On")
    expect(section.get_by_test_id("recovery-codes")).to_have_count(0)

    sign_out(page)
    sign_in_with_recovery_code(page, user["email"], codes[0].upper())
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    expect(section.get_by_test_id("recovery-codes-remaining")).to_have_text(
        "Unused recovery codes: 9"
    )

    sign_out(page)
    sign_in_with_recovery_code(page, user["email"], codes[0])
    expect(page.get_by_role("alert")).to_contain_text("already used")

    page.get_by_label("Recovery code").fill(codes[1])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()

    # A new set, with the password and a code from the app: the old codes stop working.
    section.get_by_role("button", name="Generate new recovery codes").click()
    form = section.get_by_role("form", name="Generate new recovery codes")
    form.get_by_label("Password").fill(USER_PASSWORD)
    form.get_by_label("Authentication code").fill(next_code(totp))
    form.get_by_role("button", name="Generate").click()
    expect(section.get_by_role("status")).to_have_text(re.compile("^New recovery codes"))
    new_codes = section.get_by_test_id("recovery-codes-list").inner_text().split()
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    section.get_by_role("button", name="I have saved them").click()
    sign_out(page)
    sign_in_with_recovery_code(page, user["email"], codes[2])
    expect(page.get_by_role("alert")).to_contain_text("already used")


def test_an_api_token_created_in_the_ui_works_until_revoked(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Operators",))
    me = ApiClient(admin_api.base_url)
    me.sign_in(user["email"], USER_PASSWORD)
    my_permissions = me.call("GET", "/auth/me")["permissions"]
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="API tokens")
    expect(section.get_by_test_id("no-api-tokens")).to_be_visible()

    section.get_by_role("textbox", name="Name", exact=True).fill("e2e automation")
    section.get_by_label("Expires in (days)").fill("7")
    section.get_by_role("combobox", name="Permissions").click()
    # Only the user's own permissions are offered.
    options = page.get_by_role("option")
    expect(options).to_have_count(len(my_permissions))
    assert sorted(options.all_inner_texts()) == sorted(my_permissions)
    check_a11y(page)
    page.get_by_role("option", name="test_template.read").click()
    page.keyboard.press("Escape")
    section.get_by_role("button", name="Create token").click()

    created = section.get_by_test_id("created-token")
    expect(created).to_contain_text("you will not see it again")
    secret = created.get_by_test_id("created-token-secret").inner_text().strip()
    assert secret.startswith("vlt_")
    check_a11y(page)
    as_token = ApiClient(admin_api.base_url, token=secret)
    assert as_token.call("GET", "/auth/me")["email"] == user["email"]
    created.get_by_role("button", name="Done").click()
    expect(created).to_have_count(0)
    row = section.get_by_test_id("api-token-row").filter(has_text="e2e automation")
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("test_template.read")
    expect(row.get_by_test_id("api-token-state")).to_have_text("Active")

    row.get_by_role("button", name="Revoke e2e automation").click()
    dialog = page.get_by_role("dialog", name="Revoke API token")
    expect(dialog).to_be_visible()
    check_a11y(page)
    dialog.get_by_role("button", name="Revoke token").click()

    expect(dialog).to_have_count(0)
    expect(row.get_by_test_id("api-token-state")).to_have_text("Revoked")
    with pytest.raises(ApiCallError) as refused:
        as_token.call("GET", "/auth/me")
    assert refused.value.status == 401


def test_revoking_a_token_by_keyboard_leaves_the_focus_on_the_token_table(
    page: Page, admin_api: ApiClient, sign_in
):
    """The revoked token's Revoke is gone (it is no longer active): the focus goes to the table
    instead of dropping to the page."""
    user = admin_api.create_user(groups=("Analysts",))
    me = ApiClient(admin_api.base_url)
    me.sign_in(user["email"], USER_PASSWORD)
    for name in ("ci reader", "nightly export"):
        me.call(
            "POST",
            "/auth/tokens",
            {"name": name, "expires_in_days": 7, "permissions": ["test_template.read"]},
        )
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="API tokens")
    section.get_by_role("button", name="Revoke ci reader").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Revoke API token")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    row = section.get_by_test_id("api-token-row").filter(has_text="ci reader")
    expect(row.get_by_test_id("api-token-state")).to_have_text("Revoked")
    expect(section.get_by_role("table", name="Your API tokens")).to_be_focused()
    # Escape from the next one's dialog gives the focus back to its Revoke, as before.
    section.get_by_role("button", name="Revoke nightly export").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(section.get_by_role("button", name="Revoke nightly export")).to_be_focused()


def test_a_token_reaches_missions_only_as_far_as_its_mission_access(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    mission = admin_api.create_mission("Purple week", members={user["id"]: "lead"})
    mission_path = f"/missions/{mission['id']}"
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="API tokens")
    access = section.get_by_role("radiogroup", name="Mission access")

    def create(name: str) -> ApiClient:
        section.get_by_role("textbox", name="Name", exact=True).fill(name)
        section.get_by_role("button", name="Create token").click()
        created = section.get_by_test_id("created-token")
        secret = created.get_by_test_id("created-token-secret").inner_text().strip()
        created.get_by_role("button", name="Done").click()
        return ApiClient(admin_api.base_url, token=secret)

    # None unless chosen: the token is told the mission does not exist.
    expect(access.get_by_role("radio", name="None")).to_be_checked()
    check_a11y(page)
    hidden = create("monitoring")
    with pytest.raises(ApiCallError) as refused:
        hidden.call("GET", mission_path)
    assert refused.value.status == 404
    assert hidden.call("GET", "/missions")["items"] == []

    access.get_by_role("radio", name="Read").check()
    reader = create("nightly export")
    assert reader.call("GET", mission_path)["my_role"] == "viewer"
    with pytest.raises(ApiCallError) as refused:
        reader.call("PATCH", mission_path, {"name": "Renamed by a reader"})
    assert refused.value.status == 403

    rows = section.get_by_test_id("api-token-row")
    expect(
        rows.filter(has_text="monitoring").get_by_test_id("api-token-mission-access")
    ).to_have_text("None")
    expect(
        rows.filter(has_text="nightly export").get_by_test_id("api-token-mission-access")
    ).to_have_text("Read")
    # The form is back to the default for the next token.
    expect(access.get_by_role("radio", name="None")).to_be_checked()
    check_a11y(page)


def test_a_token_bound_to_the_second_workspace_acts_only_there(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    far = admin_api.create_workspace("Far side", member_ids=(user["id"],))
    for workspace, mission in (("default", "Home base audit"), (far["id"], "Far side sweep")):
        in_workspace = ApiClient(admin_api.base_url, admin_api.token, workspace=workspace)
        in_workspace.create_mission(mission, members={user["id"]: "blue"})
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="API tokens")

    section.get_by_role("textbox", name="Name", exact=True).fill("far side export")
    section.get_by_role("combobox", name="Workspace", exact=True).click()
    options = page.get_by_role("option")
    expect(options).to_have_text(
        ["Any of mine (chosen per request with X-Violet-Workspace)", "Default", "Far side"]
    )
    check_a11y(page)
    page.get_by_role("option", name="Far side").click()
    section.get_by_role("radio", name="Read").check()
    section.get_by_role("button", name="Create token").click()
    created = section.get_by_test_id("created-token")
    secret = created.get_by_test_id("created-token-secret").inner_text().strip()
    created.get_by_role("button", name="Done").click()
    row = section.get_by_test_id("api-token-row").filter(has_text="far side export")
    expect(row).to_contain_text("Far side")
    check_a11y(page)

    as_token = ApiClient(admin_api.base_url, token=secret)
    missions = as_token.call("GET", "/missions")["items"]
    assert [mission["name"] for mission in missions] == ["Far side sweep"]
    as_token.workspace = "default"
    with pytest.raises(ApiCallError) as refused:
        as_token.call("GET", "/missions")
    assert refused.value.status == 404


def test_forced_enrolment_comes_before_every_page(page: Page, admin_api: ApiClient):
    user = admin_api.create_user(groups=("Analysts",))
    admin_api.call("PUT", "/settings/mfa_required", {"value": True})

    page.goto("/matrix")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fmatrix$"))
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("mfa-enrolment-required")).to_contain_text(
        "administrator requires two-factor authentication"
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    page.goto("/")  # any other page is the same screen
    expect(page.get_by_test_id("mfa-enrolment-required")).to_be_visible()

    page.goto("/matrix")
    enrol_totp(page)
    # The recovery codes first: the next page would hide them for good.
    expect(page.get_by_test_id("recovery-codes-list")).to_be_visible()
    page.get_by_role("button", name="I have saved them").click()

    # Enrolled: the page that was asked for, then the rest of the app.
    expect(page.get_by_role("heading", name="ATT&CK matrix")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_signing_out_everywhere_ends_every_session_and_api_token(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    elsewhere = ApiClient(admin_api.base_url)  # another device, signed in too
    elsewhere.sign_in(user["email"], USER_PASSWORD)
    token = elsewhere.call(
        "POST", "/auth/tokens", {"name": "ci", "expires_in_days": 30, "permissions": []}
    )["token"]
    sign_in(page, user["email"], USER_PASSWORD)
    open_account_page(page)
    section = page.get_by_role("region", name="Sessions")
    check_a11y(page)

    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Sign out everywhere").click()

    expect(page.get_by_test_id("sign-in-notice")).to_contain_text("You signed out everywhere")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    with pytest.raises(ApiCallError) as refused:
        elsewhere.call("GET", "/auth/me")
    assert refused.value.status == 401
    with pytest.raises(ApiCallError) as refused:
        ApiClient(admin_api.base_url, token=token).call("GET", "/auth/me")
    assert refused.value.status == 401
