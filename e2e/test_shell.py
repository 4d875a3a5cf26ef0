"""The signed-in shell on a phone and from the keyboard: the header keeps its controls inside
it, the navigation burger says whether it is open, Escape closes the bell and the navigation,
and a password's show/hide button can be reached with Tab."""

from playwright.sync_api import Page, expect


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
