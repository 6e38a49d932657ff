"""The Maps page in Debian's Chromium: the Leaflet layer holds one path per LA in scope and
works without the internet; a real mouse click on an LA makes it the shared filter and the
link; the scope fits clear of the legend and credits, LA names never overlap, and the view
is in the link."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely
from playwright.sync_api import expect
from shapely.geometry import shape
from shapely.ops import polylabel

from tests.browser.conftest import (ROOT, WIDE, app_idle, chosen_scope, full_screenshot,
                                    heading, new_page, no_exception, open_page, sidebar)

#: LAs drawn on the map at each scope (the LA scope draws its RCC's LAs).
IN_SCOPE = {"scope=england": 153, "scope=rcc&rcc=greater-manchester": 10,
            "scope=region&region=E12000001": 12}
CASE_LEVEL = "Where children are placed (case level)"
SIZES = {"projector": {"width": 1024, "height": 768}, "wide": WIDE}


def map_frame(page):
    """The page's first streamlit-folium iframe (looked up afresh at each use, as Streamlit
    may redraw it), once it is on the page."""
    frames = page.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(frames.first).to_be_visible()
    return frames.first.content_frame


def offline(page) -> list[str]:
    """Let the page talk only to the app on loopback: every other request fails, and is
    listed in the list returned."""
    outside = []

    def route(handled):
        if handled.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            handled.continue_()
        else:
            outside.append(handled.request.url)
            handled.abort()

    page.route("**/*", route)
    return outside


@pytest.fixture(scope="module")
def opened_map(browser, app_url):
    """The Maps page at a scope (its query) and a window size, opened once for every test
    that only looks at it (loading a page is what costs time), offline: a function of
    (query, size) giving the page and the requests it tried to make off loopback."""
    opened = {}

    def at(query: str, size: str):
        if (query, size) not in opened:
            page = new_page(browser, SIZES[size])
            outside = offline(page)
            open_page(page, f"{app_url}/maps?{query}", re.compile(r"^Maps: "))
            opened[query, size] = page, outside
        return opened[query, size]

    yield at
    for page, _ in opened.values():
        page.context.close()


@pytest.mark.parametrize("query, expected", IN_SCOPE.items())
def test_one_path_per_la_in_scope_with_no_internet(opened_map, query, expected):
    """Leaflet draws exactly one clickable path per LA in scope, from local files only."""
    page, outside = opened_map(query, "wide")
    frame = map_frame(page)
    expect(frame.locator("path.la-area")).to_have_count(expected)
    expect(frame.locator(".leaflet-control-attribution")).to_have_count(1)
    no_exception(page)
    full_screenshot(page, f"browser-maps-{query.split('=')[1].split('&')[0]}")
    assert not outside, outside


#: Published outlines, to find where on the map an LA is without asking the app.
BOUNDARIES = ROOT / "data/open/boundaries/england_ctyua_dec2023_buc_valid_with_region.geojson"
#: At each scope, an LA to click (a neighbour at LA scope) and its name in the sidebar.
TARGETS = {"england": ("scope=england", "E10000017", "Lancashire"),
           "rcc": ("scope=rcc&rcc=greater-manchester", "E08000010", "Wigan"),
           "la": ("scope=la&la=E08000009", "E08000003", "Manchester")}


@pytest.fixture(scope="module")
def outlines() -> dict:
    """Each LA's published outline (shapely) by code."""
    features = json.loads(BOUNDARIES.read_text())["features"]
    return {f["properties"]["ctyua23cd"]: shape(f["geometry"]) for f in features}


def rect(box: dict) -> shapely.Polygon:
    """A DOMRect as a shapely box (x right, y down, in px)."""
    return shapely.box(box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])


def free_area(frame) -> shapely.Geometry:
    """The map's area in container px that no legend, credit or zoom button covers."""
    boxes = frame.locator("body").evaluate("""() => {
        const map = document.getElementById("map_div").getBoundingClientRect();
        const covers = [...document.querySelectorAll(
            ".map-legend, .leaflet-control-attribution, .leaflet-control-zoom")];
        return [map.toJSON(), ...covers.map(c => c.getBoundingClientRect().toJSON())];
    }""")
    whole, *covers = map(rect, boxes)
    return whole.buffer(-5).difference(shapely.union_all([c.buffer(5) for c in covers]))


def point_inside(frame, outline: shapely.Geometry) -> tuple[float, float]:
    """A container point (px) well inside ``outline`` (lon/lat) and clear of the map's
    controls: the pole of inaccessibility of the part of the LA the map shows uncovered."""
    pixels = to_pixels(frame, outline).intersection(free_area(frame))
    largest = max(shapely.get_parts(pixels), key=lambda part: part.area)
    target = polylabel(largest, tolerance=1)
    return target.x, target.y


def to_pixels(frame, outline: shapely.Geometry) -> shapely.Geometry:
    """``outline`` in the map's container px, by spherical Mercator (Leaflet's projection)
    from the map's corners as Leaflet reports them."""
    view = frame.locator("body").evaluate("""() => {
        const size = window.map.getSize();
        return {size: size, corners: [[0, 0], [size.x, size.y]].map(
            p => window.map.containerPointToLatLng(p))};
    }""")
    (top_left, bottom_right), size = view["corners"], view["size"]
    west, east = top_left["lng"], bottom_right["lng"]
    north, south = mercator(top_left["lat"]), mercator(bottom_right["lat"])

    def project(coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - west) / (east - west) * size["x"]
        y = (north - mercator(coords[:, 1])) / (north - south) * size["y"]
        return np.column_stack([x, y])
    return shapely.transform(outline, project)


def mercator(latitude):
    """Spherical Mercator's y for a latitude in degrees (up to a constant factor)."""
    return np.log(np.tan(np.pi / 4 + np.radians(latitude) / 2))


@pytest.mark.parametrize("scope", TARGETS)
def test_a_real_click_selects_the_la(page, app_url, outlines, scope):
    """A real mouse click (Playwright's click at a point inside the LA's published outline,
    on a map the page may have to scroll to) makes that LA the shared filter and the link,
    at England, RCC and LA scope."""
    query, code, name = TARGETS[scope]
    page.set_viewport_size(SIZES["projector"])
    open_page(page, f"{app_url}/maps?{query}", re.compile(r"^Maps: "))
    frame = map_frame(page)
    expect(frame.locator("path.la-area").first).to_be_attached()
    x, y = point_inside(frame, outlines[code])
    frame.locator("#map_div").click(position={"x": x, "y": y})
    expect(page).to_have_url(re.compile(rf"[?&]la={code}\b"))
    expect(heading(page)).to_have_text(f"Maps: {name}")
    expect(chosen_scope(page)).to_have_text("Local authority")
    expect(sidebar(page).get_by_role("combobox", name="Local authority")).to_have_value(name)
    app_idle(page)
    no_exception(page)


def boxes(frame, selector: str) -> list[shapely.Polygon]:
    """The on-screen boxes of the elements matching ``selector`` in the map's frame."""
    return [rect(box) for box in frame.locator(selector).evaluate_all(
        "elements => elements.map(e => e.getBoundingClientRect().toJSON())")]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("rcc", ["greater-manchester", "south-west"])
def test_the_whole_rcc_is_in_view_clear_of_legend_and_credits(opened_map, rcc, size):
    """At RCC scope every LA lies wholly inside the map and under neither the legend nor
    the map's credits (each path's box, as the browser lays it out)."""
    page, _ = opened_map(f"scope=rcc&rcc={rcc}", size)
    frame = map_frame(page)
    expect(frame.locator(".map-legend")).to_be_visible()
    expect(frame.locator("path.la-area").first).to_be_attached()
    [whole] = boxes(frame, "#map_div")
    covers = boxes(frame, ".map-legend") + boxes(frame, ".leaflet-control-attribution")
    areas = boxes(frame, "path.la-area")
    assert areas and all(whole.contains(area) for area in areas)
    assert not any(area.intersects(cover) for area in areas for cover in covers)


@pytest.mark.parametrize("query, named", [("scope=rcc&rcc=greater-manchester", 8),
                                          ("scope=rcc&rcc=london", 8),
                                          ("scope=england", 0)])
def test_la_names_are_on_the_map_and_never_overlap(opened_map, query, named):
    """LA names are written on the map below England scope, at least ``named`` of them
    shown, and no two names shown overlap (those that would are hidden)."""
    page, _ = opened_map(query, "projector")
    frame = map_frame(page)
    expect(frame.locator("path.la-area").first).to_be_attached()
    shown = frame.locator(".la-label:not(.la-label-hidden) span")
    if not named:
        expect(frame.locator(".la-label")).to_have_count(0)
        return
    expect(shown.nth(named - 1)).to_be_visible()
    names = boxes(frame, ".la-label:not(.la-label-hidden) span")
    assert not any(a.intersection(b).area > 0 for i, a in enumerate(names)
                   for b in names[i + 1:])


def test_the_view_is_in_the_link(page, app_url):
    """Choosing a view puts it in the address, which keeps it after a rerun."""
    open_page(page, f"{app_url}/maps?scope=rcc&rcc=greater-manchester", re.compile("^Maps"))
    expect(page).to_have_url(re.compile(r"[?&]view=map\b"))
    page.get_by_text("Children's homes", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]view=homes\b"))
    expect(map_frame(page).locator("path.home-symbol").first).to_be_attached()
    app_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]view=homes\b"))


def test_a_link_to_a_view_reopens_it(browser, app_url):
    """A link with a view (as copied from the address bar) opens that view in a fresh tab."""
    fresh = new_page(browser)
    try:
        open_page(fresh, f"{app_url}/maps?scope=rcc&rcc=greater-manchester&view=homes",
                  re.compile("^Maps"))
        expect(fresh.get_by_role("radio", name="Children's homes")).to_be_checked()
        expect(map_frame(fresh).locator("path.home-symbol").first).to_be_attached()
        expect(fresh).to_have_url(re.compile(r"[?&]view=homes\b"))
    finally:
        fresh.context.close()


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
