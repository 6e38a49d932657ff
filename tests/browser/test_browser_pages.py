"""Every page in the navigation, in a real browser, at England, RCC and LA scope.

Checks what AppTest cannot: the page draws (no exception box), its heading and charts
appear, and its URL is a working shareable link. A full-page screenshot of each is
saved under tests/artifacts/ for looking at.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCOPES, full_screenshot, navigation, open_page, settle

#: Charts each page must draw at least (pages not named need none).
PLOTLY_CHARTS = {"Overview": 2, "Accountability": 1}
#: Leaflet maps each page must draw (each in streamlit-folium's iframe).
LEAFLET_MAPS = {"Maps": 1}


def wait_for_count(page, selector: str, expected: int) -> bool:
    """True once at least ``expected`` elements match (charts draw after the script run)."""
    if expected:
        page.wait_for_function(f"() => document.querySelectorAll('{selector}').length >= "
                               f"{expected}", timeout=30_000)
    return page.locator(selector).count() >= expected


def filter_state(page) -> dict:
    """What the sidebar shows: the chosen scope and every selectbox's value."""
    return page.evaluate("""() => {
        const bar = document.querySelector('[data-testid="stSidebar"]');
        const scope = bar.querySelector('input[type=radio]:checked')
            ?.closest('label')?.innerText;
        const boxes = [...bar.querySelectorAll('[data-testid="stSelectbox"]')]
            .map(box => box.innerText.trim());
        return {scope, boxes};
    }""")


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("title, path", navigation())
def test_page_draws_and_its_link_reopens_the_same_view(browser, page, app_url, title, path,
                                                       scope):
    """No exception, the right heading and charts, and the URL reopens identically."""
    open_page(page, f"{app_url}/{path}?{SCOPES[scope]}")
    assert page.locator('[data-testid="stException"]').count() == 0
    heading = page.locator("h1").first.inner_text()
    assert heading.startswith(title), heading
    assert wait_for_count(page, ".js-plotly-plot", PLOTLY_CHARTS.get(title, 0))
    assert wait_for_count(page, 'iframe[title="streamlit_folium.st_folium"]',
                          LEAFLET_MAPS.get(title, 0))
    shown, link = filter_state(page), page.url
    full_screenshot(page, f"browser-{path or 'overview'}-{scope}")

    other = browser.new_context(viewport={"width": 1440, "height": 900})
    reopened = other.new_page()
    open_page(reopened, link)
    assert reopened.locator("h1").first.inner_text() == heading
    assert filter_state(reopened) == shown
    other.close()


def choose(page, label: str, option: str) -> None:
    """Pick an option from a sidebar selectbox by its label."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_key_flow_rcc_then_la_then_accountability_then_register(page, app_url):
    """A trustee picks an RCC, then an LA, opens Accountability and records a request."""
    open_page(page, app_url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("RCC", exact=True).click()
    settle(page)
    choose(page, "Regional Care Co-operative", "North West")
    assert page.locator("h1").first.inner_text() == "Overview: North West RCC"
    sidebar.get_by_text("Local authority", exact=True).click()
    settle(page)
    choose(page, "Local authority", "Blackpool")
    assert "la=E06000009" in page.url
    page.get_by_role("link", name="Accountability").click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "Accountability: Blackpool"
    assert "la=E06000009" in page.url, "the filters follow the user across pages"
    page.get_by_label("Meeting").fill("Board, 3 December 2026")
    page.get_by_label("Asked by").fill("A. Trustee (chair)")
    page.get_by_role("button", name="Record request").click()
    settle(page)
    assert page.get_by_text("Request #1 recorded for Blackpool").count() == 1
    full_screenshot(page, "browser-flow-register")
