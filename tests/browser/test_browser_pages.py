"""Every page in the navigation, in a real browser, at England, RCC and LA scope.

Checks what AppTest cannot: the page draws (no exception box), its heading and charts
appear, and its URL is a working shareable link. A full-page screenshot of each is
saved under tests/artifacts/ for looking at. Every check waits for what it checks
(Playwright's ``expect``), so a slow machine cannot make it read a half-drawn page.

Loading a Streamlit page is what costs time on a busy machine, so each page at each scope
is loaded once and every per-page check runs on that load (each a subtest, so one failing
does not hide the others): at England and LA scope also accessibility (accessibility.py)
and the layout at a projector's width (layout.py), and on the link reopened on a phone,
the phone's layout.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from analysis.scope import KIND_LABELS
from tests.browser.accessibility import (no_serious_violations_in_our_markup,
                                         write_streamlit_report)
from tests.browser.conftest import (SCOPES, VEGA_SVG, app_idle, charts_drawn, chosen_scope,
                                    filters, full_screenshot, heading, navigation, new_page,
                                    no_exception, open_page, sidebar)
from tests.browser.layout import SIZES, nothing_is_cut_off

#: What each scope's link names, as headings show it ("<page>: <name>").
SCOPE_NAMES = {"england": "England", "rcc": "Greater Manchester RCC", "la": "Blackpool"}
#: The sidebar's selectboxes at each scope: RCC and LA as the scope needs, and the year.
FILTERS_SHOWN = {"england": 1, "rcc": 2, "la": 3}
#: Headings that name no scope: All RCCs compares every RCC, at 31 March of the year shown.
UNSCOPED_HEADINGS = {"All RCCs": r"^All RCCs, 31 March \d{4}$"}
#: The scopes each page's accessibility and layout are checked at.
CLOSE_SCOPES = ("england", "la")


@pytest.fixture(scope="module", autouse=True)
def streamlit_report():
    """Once every page is checked, what Streamlit's own markup causes, for the README."""
    yield
    write_streamlit_report()


def draws_with_its_filters(page, url: str, title: str, scope: str) -> tuple[str, list, str]:
    """No exception, the right heading, charts, scope and filters, and the app wrote the
    year into the link: (the heading, the filters' texts, the link) as drawn."""
    expected_heading = re.compile(UNSCOPED_HEADINGS.get(title) or
                                  rf"^{re.escape(title)}(: {re.escape(SCOPE_NAMES[scope])})?$")
    open_page(page, url, expected_heading)
    charts_drawn(page, title)
    expect(chosen_scope(page)).to_have_text(KIND_LABELS[scope])
    expect(filters(page)).to_have_count(FILTERS_SHOWN[scope])
    expect(page).to_have_url(re.compile(r"[?&]year=\d{4}\b"))  # the app wrote the link
    app_idle(page)
    no_exception(page)
    return heading(page).inner_text(), filters(page).all_inner_texts(), page.url


def reopens_the_same_view(page, link: str, shown: str, boxes: list, title: str,
                          scope: str) -> None:
    """The link, opened in a fresh browser, draws the same heading, scope and filters."""
    open_page(page, link, shown)
    expect(chosen_scope(page)).to_have_text(KIND_LABELS[scope])
    expect(filters(page)).to_have_text(boxes, use_inner_text=True)
    charts_drawn(page, title)
    no_exception(page)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("title, path", navigation())
def test_page_draws_and_its_link_reopens_the_same_view(browser, page, app_url, subtests,
                                                       title, path, scope):
    """No exception, the right heading and charts, and the URL reopens identically (on a
    phone); at England and LA scope also no serious accessibility violation in our markup
    and nothing cut off at a projector's or a phone's size."""
    shown, boxes, link = draws_with_its_filters(page, f"{app_url}/{path}?{SCOPES[scope]}",
                                                title, scope)
    full_screenshot(page, f"browser-{path or 'overview'}-{scope}")
    close = scope in CLOSE_SCOPES
    if close:
        with subtests.test("accessibility"):
            no_serious_violations_in_our_markup(page, title)
        with subtests.test("projector"):
            page.set_viewport_size(SIZES["projector"])
            nothing_is_cut_off(page, title, path, scope)
    reopened = new_page(browser, SIZES["phone"])
    try:
        reopens_the_same_view(reopened, link, shown, boxes, title, scope)
        if close:
            with subtests.test("phone"):
                nothing_is_cut_off(reopened, title, path, scope)
    finally:
        reopened.context.close()


def choose(page, label: str, option: str) -> None:
    """Pick an option from a sidebar selectbox by its label (typing narrows long lists)."""
    box = sidebar(page).get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_key_flow_rcc_then_la_then_accountability_then_register(page, app_url):
    """A trustee picks an RCC, then an LA, opens Accountability and records a request."""
    open_page(page, app_url, "Overview: England")
    sidebar(page).get_by_text("RCC", exact=True).click()
    expect(chosen_scope(page)).to_have_text("RCC")
    choose(page, "Regional Care Co-operative", "North West")
    expect(heading(page)).to_have_text("Overview: North West RCC")
    expect(page).to_have_url(re.compile(r"[?&]rcc=north-west\b"))
    sidebar(page).get_by_text("Local authority", exact=True).click()
    expect(chosen_scope(page)).to_have_text("Local authority")
    choose(page, "Local authority", "Blackpool")
    expect(heading(page)).to_have_text("Overview: Blackpool")
    expect(page).to_have_url(re.compile(r"[?&]la=E06000009\b"))
    app_idle(page)
    sidebar(page).get_by_role("link", name="Accountability", exact=True).click()
    expect(heading(page)).to_have_text("Accountability: Blackpool")
    expect(page).to_have_url(re.compile(r"[?&]la=E06000009\b"))  # filters follow the user
    app_idle(page)
    page.get_by_label("Meeting").fill("Board, 3 December 2026")
    page.get_by_label("Asked by").fill("A. Trustee (chair)")
    page.get_by_role("button", name="Record request").click()
    expect(page.get_by_text("Request #1 recorded for Blackpool")).to_have_count(1)
    no_exception(page)
    full_screenshot(page, "browser-flow-register")


def test_a_download_is_the_table_shown_under_its_own_name(page, app_url):
    """Downloads are made when clicked (not on every run): the file arrives, named for its
    table, scope and year, and holds the same headline figures as the page's table
    (DfE's 81,770 children looked after in England at 31 March 2025)."""
    open_page(page, f"{app_url}/?scope=england&year=2025", "Overview: England")
    page.get_by_text("Headline figures", exact=True).click()
    button = page.get_by_role("button", name="Download headline figures (CSV)")
    expect(button).to_be_visible()
    app_idle(page)  # a click during a run can be lost with the run it interrupts
    with page.expect_download() as arrived:
        button.click()
    download = arrived.value
    assert download.suggested_filename == "overview-england-2025.csv"
    text = open(download.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("measure,")
    assert "Children looked after,81770," in text


def test_a_scenario_link_reopens_the_scenario_with_its_charts(page, app_url):
    """A shared what-if link opens Homes needed on that scenario: its words, the provider
    view's chart and the scenario's chart drawn; moving a slider puts the change in the
    link."""
    link = (f"{app_url}/homes_needed?scope=rcc&rcc=greater-manchester&scenario=Fewer+entries"
            "&in=Greater+Manchester&entries=-10&back=50&back_by=3")
    open_page(page, link, "Homes needed: Greater Manchester RCC")
    expect(page.get_by_text(re.compile("10% fewer children entering care"))).to_be_visible()
    charts_drawn(page, "Homes needed")
    expect(page.locator(VEGA_SVG).nth(1)).to_be_attached()
    no_exception(page)
    full_screenshot(page, "browser-homes-needed-scenario")
    expect(page).to_have_url(re.compile(r"[?&]entries=-10\b"))
