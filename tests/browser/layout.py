"""Every page at a meeting room's 1024x768 projector and a 390x844 phone: nothing cut off.

A trustee reads the page from the back of the room, or on a phone, and cannot scroll a
heading sideways or widen a card. So, measured in the browser's own layout (the DOM):
no headline number or heading wider than its box (``scrollWidth <= clientWidth``, which
catches "8…" and a title running off the page), every chart title inside its chart, the
sidebar closed on a phone and no chart toolbar there. A screenshot of each page at each
size is kept in tests/artifacts/ (layout-<page>-<scope>-<w>x<h>.png) for looking at.
The checks run on loads test_browser_pages.py makes anyway: the projector on the page
opened on a wide screen and then made narrower, the phone on its link reopened on one.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import (ARTIFACTS, LEAFLET_MAPS, PLOTLY_CHARTS, VEGA_CHARTS,
                                    VEGA_SVG, app_idle, next_frames, no_exception, sidebar)
from views.style import NARROW

SIZES = {"projector": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
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
#: True once no chart is wider than its box: each Plotly chart's laid-out width, and each
#: Vega chart's drawing, within the box Streamlit gives it.
RELAID_OUT = """() => {
  const width = el => el.getBoundingClientRect().width;
  const plotly = [...document.querySelectorAll('.js-plotly-plot')]
    .every(plot => !plot._fullLayout || plot._fullLayout.width <= width(plot) + 1);
  const vega = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks')]
    .every(svg => width(svg) <= width(svg.closest('[data-testid="stVegaLiteChart"]')) + 1);
  return plotly && vega;
}"""


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


def charts_fit_their_boxes(page) -> None:
    """Wait until every chart has been laid out for the window's width: after the window
    is made narrower each Plotly and Vega chart redraws a moment later, and until then it
    is wider than its box."""
    page.wait_for_function(RELAID_OUT, polling="raf")


def nothing_is_cut_off(page, title: str, path: str, scope: str) -> None:
    """At the page's window size: headline numbers, headings and chart titles fit their
    boxes; on a phone the sidebar is closed (as it starts there) and no chart toolbar shows.
    Then the page is pictured at that size."""
    size = page.viewport_size
    phone = size["width"] < NARROW
    if phone:
        expect(sidebar(page)).not_to_be_in_viewport()
    else:
        expect(sidebar(page)).to_be_in_viewport()
    charts_fit_their_boxes(page)
    drawn(page, title)
    app_idle(page)
    no_exception(page)
    next_frames(page)
    assert page.evaluate(CUT_OFF) == [], f"{title} at {scope}, {page.viewport_size}"
    if phone:
        for toolbar in page.locator(".js-plotly-plot .modebar-container").all():
            expect(toolbar).to_be_hidden()
    screenshot(page, f"layout-{path or 'overview'}-{scope}-{size['width']}x{size['height']}")
