"""Admin → Invitations: invite into groups and workspaces, hand over the link, revoke, follow the
status; only the groups whose permissions the inviter holds are offered."""

import re

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Browser, Page, expect


def open_invitations(page: Page) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Invitations"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/invitations$"))
    expect(page.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
    page.mouse.move(0, 0)  # axe checks the page at rest, not the hovered navigation link


def invite(page: Page, email: str, groups: list[str], workspaces: tuple[str, ...] = ()) -> str:
    """Fill and send the form (workspaces chosen with the keyboard); returns the link shown once."""
    form = page.get_by_role("form", name="Invite someone")
    form.get_by_label("Email").fill(email)
    for group in groups:
        form.get_by_role("checkbox", name=group, exact=True).check()
    for workspace in workspaces:
        form.get_by_role("combobox", name="Workspaces").fill(workspace)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Create invitation").click()
    link = form.get_by_role("textbox", name="Invitation link")
    expect(link).to_have_value(re.compile(r"/accept-invitation\?token="))
    return link.input_value()


def row(page: Page, email: str):
    return page.get_by_role("table", name="Invitations").get_by_role("row").filter(has_text=email)


def test_invite_accept_and_revoke(page: Page, browser: Browser, admin_api: ApiClient, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_invitations(page)
    check_a11y(page)

    link = invite(page, "blue.one@e2e.violet.test", ["Analysts"])
    expect(row(page, "blue.one@e2e.violet.test")).to_contain_text("pending")
    expect(row(page, "blue.one@e2e.violet.test")).to_contain_text("Analysts")
    check_a11y(page)

    # The invitee, in a browser of their own, follows the link.
    invitee = browser.new_context(base_url=page.url.split("/admin")[0]).new_page()
    invitee.goto(link)
    invitee.get_by_label("Display name").fill("Blue One")
    invitee.get_by_role("textbox", name="Password", exact=True).fill(USER_PASSWORD)
    invitee.get_by_label("Confirm password").fill(USER_PASSWORD)
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_test_id("user-menu")).to_have_text("Blue One")
    invitee.context.close()

    invite(page, "never.mind@e2e.violet.test", [])
    # Revoking is for good, so it asks first; declining keeps the invitation pending.
    revoke = page.get_by_role("button", name="Revoke the invitation of never.mind@e2e.violet.test")
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    expect(row(page, "never.mind@e2e.violet.test")).to_contain_text("pending")
    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    expect(row(page, "never.mind@e2e.violet.test")).to_contain_text("revoked")

    page.reload()
    expect(row(page, "blue.one@e2e.violet.test")).to_contain_text("accepted")
    statuses = {
        item["email"]: item["status"] for item in admin_api.call("GET", "/invitations")["items"]
    }
    assert statuses == {
        "blue.one@e2e.violet.test": "accepted",
        "never.mind@e2e.violet.test": "revoked",
    }


def test_only_groups_the_inviter_holds_are_offered(page: Page, admin_api: ApiClient, sign_in):
    admin_api.call(
        "POST",
        "/groups",
        {"name": "Inviters", "permissions": ["invitation.manage", "user.read"]},
    )
    inviter = admin_api.create_user(groups=("Inviters",))
    sign_in(page, inviter["email"], USER_PASSWORD)
    open_invitations(page)

    form = page.get_by_role("form", name="Invite someone")
    expect(form.get_by_role("checkbox", name="Inviters")).to_be_visible()
    expect(form.get_by_role("checkbox", name="Administrators")).to_have_count(0)
    expect(form.get_by_role("checkbox", name="Analysts")).to_have_count(0)


def test_an_invitation_into_the_second_workspace_only(
    page: Page, browser: Browser, admin_api: ApiClient, sign_in
):
    far = admin_api.create_workspace("Far side")
    ApiClient(admin_api.base_url, admin_api.token, workspace=far["id"]).create_mission(
        "Far side sweep"
    )
    ApiClient(admin_api.base_url, admin_api.token, workspace="default").create_mission(
        "Home base audit"
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_invitations(page)
    form = page.get_by_role("form", name="Invite someone")
    form.get_by_role("combobox", name="Workspaces").click()
    expect(page.get_by_role("option")).to_have_count(2)  # Default and Far side
    page.keyboard.press("Escape")
    check_a11y(page)

    # Administrators see every mission of the workspace they act in: only Far side's, here.
    link = invite(page, "far.one@e2e.violet.test", ["Administrators"], workspaces=("Far side",))
    expect(row(page, "far.one@e2e.violet.test")).to_contain_text("Far side")
    check_a11y(page)

    invitee = browser.new_context(base_url=page.url.split("/admin")[0]).new_page()
    invitee.goto(link)
    invitee.get_by_label("Display name").fill("Far One")
    invitee.get_by_role("textbox", name="Password", exact=True).fill(USER_PASSWORD)
    invitee.get_by_label("Confirm password").fill(USER_PASSWORD)
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_test_id("user-menu")).to_have_text("Far One")
    header = invitee.get_by_role("banner")
    expect(header.get_by_test_id("current-workspace")).to_have_text("Workspace: Far side")
    # In one workspace only: no switcher.
    expect(header.get_by_role("button", name=re.compile("Workspace"))).to_have_count(0)
    invitee.get_by_role("link", name="Missions", exact=True).click()
    table = invitee.get_by_test_id("missions-table")
    expect(table).to_contain_text("Far side sweep")
    expect(table).not_to_contain_text("Home base audit")
    check_a11y(invitee)
    invitee.context.close()


def test_two_pending_invitations_of_one_email_are_told_apart_and_revoked_by_keyboard(
    page: Page, admin_api: ApiClient, sign_in
):
    """One person invited twice (other groups): each Revoke names its groups; once revoked (the
    button gone with the pending status), the focus is on the table, not the page."""
    admin_api.create_invitation(email="twice@e2e.violet.test", groups=("Analysts",))
    admin_api.create_invitation(email="twice@e2e.violet.test", groups=("Operators",))
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_invitations(page)
    table = page.get_by_role("table", name="Invitations")
    revoke = r"^Revoke the invitation of twice@e2e\.violet\.test "
    analysts = table.get_by_role("button", name=re.compile(revoke + r"\(Analysts, "))
    operators = table.get_by_role("button", name=re.compile(revoke + r"\(Operators, "))
    expect(analysts).to_have_count(1)
    expect(operators).to_have_count(1)
    check_a11y(page)

    page.once("dialog", lambda dialog: dialog.accept())
    operators.focus()
    page.keyboard.press("Enter")
    expect(operators).to_have_count(0)
    expect(table).to_be_focused()
    # The one left pending is told apart from nothing now: its plain name.
    expect(
        table.get_by_role("button", name="Revoke the invitation of twice@e2e.violet.test")
    ).to_have_count(1)
    statuses = sorted(
        (item["groups"][0]["name"], item["status"])
        for item in admin_api.call("GET", "/invitations")["items"]
    )
    assert statuses == [("Analysts", "pending"), ("Operators", "revoked")]
