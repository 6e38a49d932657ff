"""Presentation mode in a real browser at 1024x768: the Right arrow key moves to the next
slide and the Left one back, the link follows, and every slide is drawn (a screenshot of
each is saved to tests/artifacts for a person to look at)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, TIMEOUT, app_idle, heading, no_exception

GM = "scope=rcc&rcc=greater-manchester"
#: Every slide, as the single-user analyst sees them.
SLIDES = 7


def slide_number(page):
    return page.locator(".slide-number")


def test_the_arrow_keys_move_between_slides_at_1024x768(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/present?{GM}&year=2025&slide=1")
    # the first view of a fresh server computes every LA's rates: allow it longer
    expect(heading(page)).to_have_text("Presentation: Greater Manchester RCC",
                                       timeout=3 * TIMEOUT)
    expect(slide_number(page)).to_have_text(f"1 of {SLIDES}")
    app_idle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number in range(1, SLIDES + 1):
        expect(slide_number(page)).to_have_text(f"{number} of {SLIDES}")
        expect(page).to_have_url(re.compile(rf"[?&]slide={number}\b"))
        app_idle(page)
        expect(page.locator(".slide-takeaway")).to_be_visible()
        no_exception(page)
        page.screenshot(path=str(ARTIFACTS / f"browser-present-{number}.png"))
        if number < SLIDES:
            page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(slide_number(page)).to_have_text(f"{SLIDES - 1} of {SLIDES}")
    expect(page).to_have_url(re.compile(r"[?&]rcc=greater-manchester\b"))
