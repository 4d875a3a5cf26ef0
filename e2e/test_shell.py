"""The signed-in shell on a phone and from the keyboard: the header keeps its controls inside
it, the navigation burger says whether it is open, Escape closes the bell and the navigation,
and a password's show/hide button can be reached with Tab."""

from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_phone_header_keeps_its_controls_inside_it_and_off_the_title(
    page: Page, admin_api: ApiClient, sign_in
):
    # The widest header: a long name, two workspaces (the switcher is a button), an unread badge.
    user = admin_api.create_user(display_name="Maximiliane Longname-Example", groups=("Operators",))
    admin_api.create_workspace("Second floor", member_ids=(user["id"],))
    admin_api.create_mission("Phone week", members={user["id"]: "red"})
    page.set_viewport_size(PHONE)
    sign_in(page, user["email"], USER_PASSWORD)
    banner = page.get_by_role("banner")
    expect(banner.get_by_test_id("notification-count")).to_be_visible()

    for path in ("/", "/missions", "/account"):
        page.goto(path)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible()
        header = banner.bounding_box()
        assert header is not None and header["height"] <= 60, header
        controls = {
            "bell": banner.get_by_test_id("notification-bell"),
            "user menu": banner.get_by_test_id("user-menu"),
        }
        for name, control in controls.items():
            box = control.bounding_box()
            assert box is not None and _inside(box, header), (path, name, box, header)
        # Nothing visible in the header spills out of it (a wrapped row would).
        spilled = banner.evaluate(
            """header => {
                const outer = header.getBoundingClientRect();
                return [...header.querySelectorAll('*')].filter(element => {
                    const box = element.getBoundingClientRect();
                    if (box.width === 0 || box.height === 0) return false;
                    if (getComputedStyle(element).visibility === 'hidden') return false;
                    return box.top < outer.top - 0.5 || box.bottom > outer.bottom + 0.5 ||
                        box.left < outer.left - 0.5 || box.right > outer.right + 0.5;
                }).map(element => element.outerHTML.slice(0, 120));
            }"""
        )
        assert spilled == [], (path, spilled)
        title = heading.first.bounding_box()
        assert title is not None and not _overlap(title, header), (path, title, header)

    # The user menu still opens, and names the user inside.
    banner.get_by_test_id("user-menu").click()
    expect(page.get_by_role("menu")).to_contain_text(user["email"])


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
