"""The signed-in shell on a phone and from the keyboard: the header keeps its controls inside
it, the navigation burger says whether it is open, Escape closes the bell and the navigation,
and a password's show/hide button can be reached with Tab."""

from api_client import ADMIN_EMAIL, ADMIN_PASSWORD
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}


def test_escape_closes_the_bell_and_gives_the_focus_back(page: Page, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    bell = page.get_by_role("banner").get_by_test_id("notification-bell")
    list_ = page.get_by_test_id("notification-list")

    bell.click()
    expect(list_).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(list_).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(bell).to_be_focused()

    # The next click opens it again; from inside the list, Escape closes it too.
    bell.click()
    expect(list_).to_be_visible()
    list_.get_by_text("No notifications.").click()
    page.keyboard.press("Escape")
    expect(list_).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(bell).to_be_focused()


def test_the_phone_navigation_burger_says_open_and_escape_closes_it(page: Page, sign_in):
    page.set_viewport_size(PHONE)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    burger = page.get_by_role("button", name="Toggle navigation")
    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(burger).to_have_attribute("aria-expanded", "false")
    controlled = burger.get_attribute("aria-controls")
    assert controlled and page.locator(f"#{controlled}").get_attribute("aria-label") == (
        "Main navigation"
    )
    expect(navigation).not_to_be_in_viewport()

    burger.click()
    expect(burger).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="Missions")).to_be_in_viewport()
    navigation.get_by_role("link", name="Missions").focus()
    page.keyboard.press("Escape")
    expect(burger).to_have_attribute("aria-expanded", "false")
    expect(navigation).not_to_be_in_viewport()
    expect(burger).to_be_focused()

    # Opened with the keyboard, closed with Escape from the burger itself.
    page.keyboard.press("Enter")
    expect(burger).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(burger).to_have_attribute("aria-expanded", "false")


def test_the_show_password_button_is_reached_with_tab(page: Page):
    page.goto("/sign-in")
    password = page.get_by_label("Password")
    password.fill("secret words")
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name="Show or hide the characters typed")
    expect(toggle).to_be_focused()
    expect(password).to_have_attribute("type", "password")
    page.keyboard.press("Enter")
    expect(password).to_have_attribute("type", "text")
