"""Every page at a meeting room's 1024x768 projector and a 390x844 phone: nothing cut off.

A trustee reads the page from the back of the room, or on a phone, and cannot scroll a
heading sideways or widen a card. So, measured in the browser's own layout (the DOM):
no headline number or heading wider than its box (``scrollWidth <= clientWidth``, which
catches "8…" and a title running off the page), every chart title inside its chart, the
sidebar closed on a phone and no chart toolbar there. A screenshot of each page at each
size is kept in tests/artifacts/ (layout-<page>-<scope>-<w>x<h>.png) for looking at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (ARTIFACTS, LEAFLET_MAPS, PLOTLY_CHARTS, SCOPES, TIMEOUT,
                                    VEGA_CHARTS, VEGA_SVG, app_idle, charts_drawn, navigation,
                                    next_frames, no_exception, open_page, sidebar)

SIZES = {"projector": (1024, 768), "phone": (390, 844)}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: What the tests measure, as the browser laid it out: each text box that is wider inside
#: than its box (a headline number, a heading), and each chart title not inside its chart
#: or a chart wider than the window. Returns a description of each, [] when all fit.
CUT_OFF = """() => {
  const cut = [];
  const shown = el => el.getClientRects().length > 0;
  const boxes = document.querySelectorAll(
    '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, '
    + '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3');
  for (const el of boxes) {
    if (shown(el) && el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${el.tagName} "${el.textContent.trim().slice(0, 60)}": `
               + `${el.scrollWidth} px of text in ${el.clientWidth} px`);
    }
  }
  const width = document.documentElement.clientWidth;
  for (const title of document.querySelectorAll('.js-plotly-plot .gtitle')) {
    if (!shown(title)) continue;
    const chart = title.closest('svg').getBoundingClientRect();
    const box = title.getBoundingClientRect();
    if (box.left < chart.left - 1 || box.right > chart.right + 1 || box.top < chart.top - 1
        || box.bottom > chart.bottom + 1 || chart.right > width + 1) {
      cut.push(`chart title "${title.textContent.slice(0, 60)}" spans ${box.left}-`
               + `${box.right} px in a chart at ${chart.left}-${chart.right} px`);
    }
  }
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks')) {
    const box = chart.getBoundingClientRect();
    if (shown(chart) && box.right > width + 1) {
      cut.push(`a chart spans ${box.left}-${box.right} px in a ${width} px window`);
    }
  }
  return cut;
}"""


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def sized_page(request, browser):
    """A fresh page at one of the meeting-room sizes."""
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT)
    context.set_default_navigation_timeout(TIMEOUT)
    opened = context.new_page()
    yield opened
    context.close()


def drawn(page, title: str) -> None:
    """Wait for each of the page's charts to have drawn its title, and its map its areas
    (inside the map's frame), so what is measured and pictured is the finished page."""
    expected = PLOTLY_CHARTS.get(title, 0)
    if expected:
        expect(page.locator(".js-plotly-plot .gtitle").nth(expected - 1)).to_be_attached()
    expected = VEGA_CHARTS.get(title, 0)
    if expected:
        expect(page.locator(VEGA_SVG).nth(expected - 1)).to_be_attached()
    if LEAFLET_MAPS.get(title):
        expect(page.frame_locator(MAP_FRAME).first.locator(".leaflet-interactive").first
               ).to_be_attached()


def screenshot(page, name: str) -> None:
    """The whole page at this width (Streamlit scrolls inside its main area, so the window
    is made as tall as the page for the picture, then put back)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 50, 16000)})
    next_frames(page)
    app_idle(page)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)
    next_frames(page)


@pytest.mark.parametrize("scope", ["england", "la"])
@pytest.mark.parametrize("title, path", navigation())
def test_nothing_is_cut_off(sized_page, app_url, title, path, scope):
    """Headline numbers, headings and chart titles fit their boxes; on a phone the sidebar
    starts closed and no chart toolbar shows."""
    page = sized_page
    open_page(page, f"{app_url}/{path}?{SCOPES[scope]}")
    charts_drawn(page, title)
    drawn(page, title)
    app_idle(page)
    no_exception(page)
    next_frames(page)
    assert page.evaluate(CUT_OFF) == [], f"{title} at {scope}, {page.viewport_size}"
    if page.viewport_size["width"] < 640:
        expect(sidebar(page)).not_to_be_in_viewport()
        for toolbar in page.locator(".js-plotly-plot .modebar-container").all():
            expect(toolbar).to_be_hidden()
    else:
        expect(sidebar(page)).to_be_in_viewport()
    size = page.viewport_size
    screenshot(page, f"layout-{path or 'overview'}-{scope}-{size['width']}x{size['height']}")
