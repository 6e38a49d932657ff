"""The Maps page in Debian's Chromium: the Leaflet layer holds one path per LA in scope,
works without the internet, and clicking an LA makes it the shared filter and the link."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (GREATER_MANCHESTER, app_idle, chosen_scope,
                                    full_screenshot, heading, no_exception, open_page, sidebar)

#: LAs drawn on the map at each scope (the LA scope draws its RCC's LAs).
IN_SCOPE = {"scope=england": 153, "scope=rcc&rcc=greater-manchester": 10,
            "scope=region&region=E12000001": 12}
CASE_LEVEL = "Where children are placed (case level)"


def map_frame(page):
    """The page's first streamlit-folium iframe (looked up afresh at each use, as Streamlit
    may redraw it), once it is on the page."""
    frames = page.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(frames.first).to_be_visible()
    return frames.first.content_frame


@pytest.fixture
def offline(page):
    """A page that may only talk to the app on loopback: any other request fails the test."""
    outside = []

    def route(handled):
        if handled.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            handled.continue_()
        else:
            outside.append(handled.request.url)
            handled.abort()

    page.route("**/*", route)
    yield page
    assert not outside, outside


@pytest.mark.parametrize("query, expected", IN_SCOPE.items())
def test_one_path_per_la_in_scope_with_no_internet(offline, app_url, query, expected):
    """Leaflet draws exactly one clickable path per LA in scope, from local files only."""
    open_page(offline, f"{app_url}/maps?{query}", re.compile(r"^Maps: "))
    frame = map_frame(offline)
    expect(frame.locator("path.la-area")).to_have_count(expected)
    expect(frame.locator(".leaflet-control-attribution")).to_have_count(1)
    no_exception(offline)
    full_screenshot(offline, f"browser-maps-{query.split('=')[1].split('&')[0]}")


def test_clicking_an_la_selects_it(page, app_url):
    """Clicking an LA on the RCC map changes the shared filter, the heading and the URL."""
    open_page(page, f"{app_url}/maps?scope=rcc&rcc=greater-manchester",
              "Maps: Greater Manchester RCC")
    areas = map_frame(page).locator("path.la-area")
    expect(areas).to_have_count(10)
    app_idle(page)
    areas.nth(4).dispatch_event("click")
    expect(page).to_have_url(re.compile(r"[?&]scope=la\b"))
    expect(chosen_scope(page)).to_have_text("Local authority")
    expect(heading(page)).to_have_text(re.compile(r"^Maps: (?!Greater Manchester RCC$).+"))
    expect(page).to_have_url(re.compile(r"[?&]la=E\d{8}\b"))
    app_idle(page)
    code = parse_qs(urlparse(page.url).query)["la"][0]
    assert code in GREATER_MANCHESTER
    name = heading(page).inner_text().removeprefix("Maps: ")
    expect(sidebar(page).get_by_role("combobox", name="Local authority")).to_have_value(name)
    no_exception(page)


def test_case_level_flows_are_drawn_and_labelled(page, app_url):
    """The case-level tab draws flow lines of 5 or more children under the synthetic label."""
    open_page(page, f"{app_url}/maps?scope=rcc&rcc=greater-manchester",
              "Maps: Greater Manchester RCC")
    page.get_by_text(CASE_LEVEL, exact=True).click()
    expect(page.get_by_text("Synthetic case-level data — not real children").first
           ).to_be_visible()
    expect(map_frame(page).locator("path.flow-line").first).to_be_attached()
    app_idle(page)
    no_exception(page)
    full_screenshot(page, "browser-maps-flows-rcc")
