"""The Maps page in Debian's Chromium: the Leaflet layer holds one path per LA in scope,
works without the internet, and clicking an LA makes it the shared filter and the link."""

from __future__ import annotations

import pytest

from tests.browser.conftest import GREATER_MANCHESTER, full_screenshot, open_page, settle

#: LAs drawn on the map at each scope (the LA scope draws its RCC's LAs).
IN_SCOPE = {"scope=england": 153, "scope=rcc&rcc=greater-manchester": 10,
            "scope=region&region=E12000001": 12}


def map_frame(page):
    """The page's streamlit-folium iframe, once Leaflet has drawn its LA paths in it."""
    frames = page.locator('iframe[title="streamlit_folium.st_folium"]')
    frames.first.wait_for(timeout=60_000)
    frame = frames.first.content_frame
    frame.locator("path.la-area").first.wait_for(timeout=60_000)
    return frame


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
    open_page(offline, f"{app_url}/maps?{query}")
    frame = map_frame(offline)
    assert frame.locator("path.la-area").count() == expected
    assert frame.locator(".leaflet-control-attribution").count() == 1
    full_screenshot(offline, f"browser-maps-{query.split('=')[1].split('&')[0]}")


def test_clicking_an_la_selects_it(page, app_url):
    """Clicking an LA on the RCC map changes the shared filter, the heading and the URL."""
    open_page(page, f"{app_url}/maps?scope=rcc&rcc=greater-manchester")
    frame = map_frame(page)
    frame.locator("path.la-area").nth(4).dispatch_event("click")
    page.wait_for_function("() => location.search.includes('scope=la')", timeout=30_000)
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert page.evaluate("""() => document.querySelector('[data-testid="stSidebar"] '
        + 'input[type=radio]:checked').closest('label').innerText""") == "Local authority"
    code = page.evaluate("() => new URLSearchParams(location.search).get('la')")
    assert code in GREATER_MANCHESTER
    heading = page.locator("h1").first.inner_text()
    assert heading.startswith("Maps: ") and heading != "Maps: Greater Manchester RCC"
    chosen = sidebar.get_by_role("combobox", name="Local authority").input_value()
    assert chosen == heading.removeprefix("Maps: ")


def test_case_level_flows_are_drawn_and_labelled(page, app_url):
    """The case-level tab draws flow lines of 5 or more children under the synthetic label."""
    open_page(page, f"{app_url}/maps?scope=rcc&rcc=greater-manchester")
    page.get_by_text("Where children are placed (case level)", exact=True).click()
    settle(page)
    assert page.get_by_text("Synthetic case-level data — not real children").first.is_visible()
    frame = map_frame(page)
    assert frame.locator("path.flow-line").count() > 0
    full_screenshot(page, "browser-maps-flows-rcc")
