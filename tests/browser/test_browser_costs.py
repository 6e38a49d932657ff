"""The Costs page's case-level parts in a real browser: a link opens the board's cap part
with its charts drawn, the radio row moves to another part and writes it into the link,
and the parts fit a 1024x768 projector without cut-off labels."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (VEGA_SVG, app_idle, at_least, full_screenshot,
                                    no_exception, open_page)
from tests.browser.accessibility import violations

GM = "scope=rcc&rcc=greater-manchester"


def test_cap_part_draws_and_the_radio_moves_to_another_part(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_page(page, f"{app_url}/costs?{GM}&view=cap", "Costs: Greater Manchester RCC")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="What placements cost, and the board's cap")) \
        .to_be_visible()
    at_least(page, VEGA_SVG, 2)  # the fee's make-up and what the cap would have saved
    expect(main.get_by_text("Synthetic case-level data").first).to_be_visible()
    no_exception(page)
    assert not [v for v in violations(page) if not v["streamlit"]]
    full_screenshot(page, "browser-costs-cap-rcc")

    main.get_by_text("How fees vary", exact=True).click()
    expect(main.get_by_role("heading", name="How fees vary")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]view=spread\b"))
    at_least(page, ".js-plotly-plot", 2)  # the spread and inside-or-outside charts
    app_idle(page)
    no_exception(page)
    full_screenshot(page, "browser-costs-spread-rcc")
