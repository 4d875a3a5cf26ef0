"""Workspaces in the SPA: the name in the header, the switcher (only with several), the
admin page (create, members, rename, delete), and every API call carrying the workspace."""

import re
import uuid

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def open_workspaces_page(page: Page) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Workspaces"
    ).click()
    expect(page.get_by_role("heading", name="Workspaces", level=1)).to_be_visible()


def test_a_single_team_sees_its_workspace_name_and_no_switcher(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    sign_in(page, user["email"], USER_PASSWORD)
    header = page.get_by_role("banner")
    expect(header.get_by_test_id("current-workspace")).to_have_text("Workspace: Default")
    expect(header.get_by_role("button", name=re.compile("Workspace"))).to_have_count(0)


def test_an_administrator_creates_a_workspace_adds_a_member_and_switches_to_it(
    page: Page, admin_api: ApiClient, sign_in
):
    analyst = admin_api.create_user(display_name="Ana Lyst", groups=("Analysts",))
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_workspaces_page(page)

    form = page.get_by_role("form", name="New workspace")
    form.get_by_label("Name").fill("Acme Corp")
    form.get_by_label("Slug").fill("acme")
    form.get_by_role("button", name="Create workspace").click()
    row = page.get_by_test_id("workspace-acme")
    expect(row).to_contain_text("Acme Corp")
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")  # the creator

    row.get_by_role("button", name="Members of Acme Corp").click()
    dialog = page.get_by_role("dialog", name="Members of Acme Corp")
    dialog.get_by_role("combobox", name="Members").fill("Ana")
    dialog.get_by_role("option", name=re.compile("Ana Lyst")).click()
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="Save members").click()
    expect(dialog).to_be_hidden()
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")

    as_analyst = ApiClient(admin_api.base_url)
    as_analyst.sign_in(analyst["email"], USER_PASSWORD)
    mine = as_analyst.call("GET", "/workspaces?mine=true")["items"]
    assert sorted(workspace["slug"] for workspace in mine) == ["acme", "default"]

    # The administrator now belongs to two workspaces: the switcher appears.
    sent: list[tuple[str, str | None]] = []
    page.on(
        "request",
        lambda request: (
            sent.append((request.url, request.headers.get("x-violet-workspace")))
            if "/api/v1/" in request.url and "/auth/refresh" not in request.url
            else None
        ),
    )
    switcher = page.get_by_role("banner").get_by_role("button", name="Workspace: Default")
    switcher.click()
    page.get_by_role("menuitem", name="Acme Corp").click()
    expect(page.get_by_role("banner").get_by_test_id("current-workspace")).to_have_text(
        "Workspace: Acme Corp"
    )
    acme_id = next(w["id"] for w in mine if w["slug"] == "acme")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    after_switch = [header for url, header in sent if "/workspaces/current" not in url]
    assert after_switch, "the home page made no API call"
    assert set(after_switch) == {acme_id}

    # Remembered for the user: a new sign-in (fresh tab, no state) starts in Acme.
    page.context.clear_cookies()
    page.evaluate("window.localStorage.clear()")
    page.goto("/sign-in")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_role("banner").get_by_test_id("current-workspace")).to_have_text(
        "Workspace: Acme Corp"
    )


def test_a_deleted_member_shows_in_the_members_dialog_and_stays_when_saved(
    page: Page, admin_api: ApiClient, sign_in
):
    """A member deleted since (they left the company) is named in the workspace's Members
    dialog, marked "(deleted)", so the manager can take them out; saving the list untouched
    keeps them, as the API does with a list that names them."""
    leaver = admin_api.create_user(display_name="Leo Leaver", groups=("Analysts",))
    admin_id = admin_api.call("GET", "/auth/me")["id"]
    slug = f"client-{uuid.uuid4().hex[:6]}"
    workspace = admin_api.call("POST", "/workspaces", {"name": "Client Y", "slug": slug})
    members_url = f"/workspaces/{workspace['id']}/members"
    admin_api.call("PUT", members_url, [{"user_id": admin_id}, {"user_id": leaver["id"]}])
    admin_api.call("DELETE", f"/users/{leaver['id']}")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_workspaces_page(page)

    page.get_by_role("button", name="Members of Client Y").click()
    dialog = page.get_by_role("dialog", name="Members of Client Y")
    expect(dialog).to_contain_text(f"Leo Leaver <{leaver['email']}> (deleted)")
    check_a11y(page)
    dialog.get_by_role("button", name="Save members").click()
    expect(dialog).to_be_hidden()

    listed = admin_api.call("GET", members_url)["items"]
    assert {(m["user_id"], m["deleted"]) for m in listed} == {
        (admin_id, False),
        (leaver["id"], True),
    }


def test_renaming_and_deleting_a_workspace(page: Page, admin_api: ApiClient, sign_in):
    admin_api.call("POST", "/workspaces", {"name": "Short lived", "slug": "short-lived"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_workspaces_page(page)
    row = page.get_by_test_id("workspace-short-lived")

    row.get_by_role("button", name="Rename Short lived").click()
    dialog = page.get_by_role("dialog", name="Rename workspace")
    dialog.get_by_label("Name").fill("Renamed")
    dialog.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Renamed")

    row.get_by_role("button", name="Delete Renamed").click()
    page.get_by_role("dialog", name="Delete workspace").get_by_role(
        "button", name="Delete workspace"
    ).click()
    expect(row).to_be_hidden()
    slugs = [w["slug"] for w in admin_api.call("GET", "/workspaces")["items"]]
    assert "short-lived" not in slugs
    expect(page.get_by_role("status")).to_contain_text("Deleted the workspace Renamed.")

    # Restored later from the deleted workspaces (the Undo would do it at once).
    page.get_by_role("status").get_by_role("button", name="Dismiss").click()
    page.get_by_label("Show deleted workspaces").check()
    deleted = page.get_by_role("table", name="Deleted workspaces")
    check_a11y(page)
    deleted.get_by_role("button", name="Restore Renamed").click()
    expect(row).to_contain_text("Renamed")
    expect(page.get_by_text("No deleted workspaces.")).to_be_visible()
    slugs = [w["slug"] for w in admin_api.call("GET", "/workspaces")["items"]]
    assert "short-lived" in slugs
    # The default workspace offers no delete button.
    expect(
        page.get_by_test_id("workspace-default").get_by_role("button", name=re.compile("Delete"))
    ).to_have_count(0)


def test_a_notification_from_another_workspace_opens_its_mission_there(
    page: Page, admin_api: ApiClient, sign_in
):
    """The bell lists every workspace's notifications: opening one of another workspace acts
    in that workspace (its mission would be "not found" in the current one)."""
    analyst = admin_api.create_user(display_name="Nia Night", groups=("Analysts",))
    slug = f"night-{uuid.uuid4().hex[:8]}"
    night = admin_api.call("POST", "/workspaces", {"name": "Night shift", "slug": slug})
    admin = admin_api.call("GET", "/auth/me")
    admin_api.call(
        "PUT",
        f"/workspaces/{night['id']}/members",
        [{"user_id": admin["id"]}, {"user_id": analyst["id"]}],
    )
    in_night = ApiClient(admin_api.base_url, admin_api.token, workspace=night["id"])
    mission = in_night.call("POST", "/missions", {"name": "Night watch", "status": "active"})
    in_night.call(
        "PUT",
        f"/missions/{mission['id']}/members",
        [{"user_id": admin["id"], "role": "lead"}, {"user_id": analyst["id"], "role": "blue"}],
    )

    sign_in(page, analyst["email"], USER_PASSWORD)
    header = page.get_by_role("banner")
    expect(header.get_by_test_id("current-workspace")).to_have_text("Workspace: Default")
    header.get_by_test_id("notification-bell").click()
    page.get_by_test_id("notification").filter(has_text="Night watch").click()

    expect(page.get_by_role("heading", name="Night watch", level=1)).to_be_visible()
    expect(header.get_by_test_id("current-workspace")).to_have_text("Workspace: Night shift")
    check_a11y(page)
