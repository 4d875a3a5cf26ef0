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
