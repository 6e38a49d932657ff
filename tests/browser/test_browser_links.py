"""Links in a real browser: an address without a page opens a page that says so (no
Streamlit 'Page not found' box over the Overview), keeps the address and links every
page; a link with a long or Markdown-laden bad value gets one short warning line."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (full_screenshot, no_exception,
                                    open_page)
from tests.browser.accessibility import violations


def main_area(page):
    return page.get_by_test_id("stMain")


def test_a_page_address_that_was_once_planned_opens_its_page(page, app_url):
    """/board_pack said "not built" while the page was planned; it now opens the page."""
    open_page(page, f"{app_url}/board_pack", "Board pack")
    expect(main_area(page).get_by_text("no page called")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/board_pack"))
    no_exception(page)


def test_unknown_address_and_long_bad_values_get_short_messages(page, app_url):
    """A made-up address and a link whose values are 5,000 characters or Markdown: the
    page says which address is unknown; one warning, one line, nothing injected."""
    long_value = "x" * 5000
    open_page(page, f"{app_url}/nonsense?scope=la&la={long_value}"
                    "&rcc=[click](https://example.com)", "Page not found")
    alerts = main_area(page).get_by_test_id("stAlert")
    expect(alerts).to_have_count(2)  # the link's warning, then the page's own message
    expect(alerts.nth(1)).to_contain_text("There is no page called nonsense in RCC Insight")
    warning = alerts.nth(0)
    expect(warning).to_contain_text("Ignored from this link: RCC [click](https://example.com)")
    expect(warning).to_contain_text("x" * 39 + "…")
    assert len(warning.inner_text()) < 200
    expect(warning.locator("a")).to_have_count(0)
    no_exception(page)
    assert not [v for v in violations(page) if not v["streamlit"]]
    full_screenshot(page, "browser-links-long-bad-value")
