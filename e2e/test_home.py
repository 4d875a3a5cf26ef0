from playwright.sync_api import Page, expect


def test_home_page_loads_the_spa_and_reaches_the_api(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Violet")).to_be_visible()
    expect(page.get_by_test_id("api-status")).to_have_text("ok")


def test_client_side_routes_fall_back_to_the_spa(page: Page):
    page.goto("/missions/some/deep/link")
    expect(page.get_by_role("heading", name="Violet")).to_be_visible()
