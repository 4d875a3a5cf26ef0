"""The header's bell: every open tab polls it, so it asks only for the unread count; the list of
the latest notifications is read when the bell opens."""

from urllib.parse import parse_qs, urlparse

from a11y import check_a11y
from api_client import USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def test_the_bell_asks_for_the_count_and_lists_only_when_opened(
    page: Page, admin_api: ApiClient, sign_in
):
    user = admin_api.create_user(groups=("Analysts",))
    asked: list[dict[str, list[str]]] = []
    page.on(
        "request",
        lambda request: (
            asked.append(parse_qs(urlparse(request.url).query))
            if urlparse(request.url).path == "/api/v1/notifications"
            else None
        ),
    )
    sign_in(page, user["email"], USER_PASSWORD)
    bell = page.get_by_role("banner").get_by_test_id("notification-bell")
    expect(bell).to_have_accessible_name("Notifications: 0 unread")
    assert asked and all(query.get("unread") == ["true"] for query in asked), asked

    bell.click()
    expect(page.get_by_test_id("notification-list")).to_contain_text("No notifications.")
    assert any(query.get("limit") == ["20"] and "unread" not in query for query in asked), asked
    check_a11y(page)


def test_the_bell_works_from_the_keyboard(page: Page, admin_api: ApiClient, sign_in):
    """Enter on the bell moves the focus into the list (rendered at the end of the document),
    Tab stays in it, Escape gives the focus back to the bell, Enter opens a notification."""
    user = admin_api.create_user(groups=("Analysts",))
    mission = admin_api.create_mission("Keyboard week", members={user["id"]: "blue"})
    sign_in(page, user["email"], USER_PASSWORD)
    bell = page.get_by_role("banner").get_by_test_id("notification-bell")
    expect(bell).to_have_accessible_name("Notifications: 1 unread")
    bell.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("notification-list")).to_be_focused()
    joined = page.get_by_role("button", name="You joined Keyboard week as blue")
    expect(joined).to_be_visible()
    page.keyboard.press("Tab")
    expect(joined).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Mark all as read")).to_be_focused()
    page.keyboard.press("Tab")
    expect(joined).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("notification-list")).to_be_hidden()
    expect(bell).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.get_by_test_id("notification-list")).to_be_focused()
    page.keyboard.press("Tab")
    expect(joined).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard week", level=1)).to_be_visible()
    assert urlparse(page.url).path == f"/missions/{mission['id']}"
    expect(bell).to_have_accessible_name("Notifications: 0 unread")


def test_a_removed_tests_hand_over_leaves_the_bell_until_it_is_restored(
    page: Page, admin_api: ApiClient, sign_in
):
    """The lead removes a test added by mistake after handing it to blue: blue's bell no longer
    counts or lists its hand-over (it opened the mission without the test); restored, it is back."""
    user = admin_api.create_user(groups=("Analysts",))
    mission = admin_api.create_mission("Removal week", members={user["id"]: "blue"})
    url = f"/missions/{mission['id']}/tests"
    test = admin_api.call("POST", url, {"name": "Kerberoasting"})
    for state in ("in_progress", "waiting_blue"):
        admin_api.call("PATCH", f"{url}/{test['id']}", {"state": state})
    admin_api.call("DELETE", f"{url}/{test['id']}")

    sign_in(page, user["email"], USER_PASSWORD)
    bell = page.get_by_role("banner").get_by_test_id("notification-bell")
    expect(bell).to_have_accessible_name("Notifications: 1 unread")
    bell.click()
    listed = page.get_by_test_id("notification-list")
    expect(listed).to_contain_text("You joined Removal week as blue")
    expect(listed).not_to_contain_text("Kerberoasting")
    check_a11y(page)

    admin_api.call("POST", f"{url}/{test['id']}/restore")
    page.reload()
    expect(bell).to_have_accessible_name("Notifications: 2 unread")
    bell.click()
    expect(
        listed.get_by_role("button", name="Kerberoasting is waiting for blue (Removal week)")
    ).to_be_visible()
