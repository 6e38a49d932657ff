"""Presentation mode under AppTest, on the store with a synthetic cohort: every slide at
every year the filter offers, for England, an RCC, an LA and the two smallest LAs (DfE
publishes no rate for them), with no exception and a title and takeaway on each; Next and
Previous move the slide and the link follows; slides a viewer may not see are left out;
a slide with nothing to draw says so. The takeaways' words are tested against planted
tables in test_presentation_words.py."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from analysis import access
from analysis.disclosure import SYNTHETIC_LABEL
from data import tables
from tests.app_pages import opened

PAGE = "views/present_page.py"
SCOPES = {
    "england": {"scope": "england"},
    "rcc": {"scope": "rcc", "rcc": "greater-manchester"},
    "la": {"scope": "la", "la": "E08000003"},
    "scilly": {"scope": "la", "la": "E06000053"},
    "city": {"scope": "la", "la": "E09000001"},
}
#: Every slide, as the single-user analyst sees them.
SLIDES = 7


def presentation(params: dict) -> AppTest:
    """The Presentation page as a link with these parameters opens it, with no exception."""
    return opened(PAGE, params, timeout=300)


def markup(at: AppTest) -> str:
    """Every markdown block on the page (the slide's title, takeaway, number and source)."""
    return "\n".join(str(block.value) for block in at.markdown)


def position(at: AppTest) -> tuple[int, int]:
    """The slide's number and the deck's length, as the page shows them ('3 of 7')."""
    found = re.search(r'class="slide-number">(\d+) of (\d+)<', markup(at))
    assert found, markup(at)
    return int(found[1]), int(found[2])


def slide_words(at: AppTest) -> tuple[str, str]:
    """The slide's title and takeaway, as shown."""
    found = re.search(r'slide-title">([^<]+)</p><p class="slide-takeaway">([^<]+)</p>',
                      markup(at))
    assert found, markup(at)
    return found[1], found[2]


def step(at: AppTest, button: str) -> AppTest:
    """Press Next or Previous; the run must raise nothing."""
    at.button(key=f"present_{button}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("scope", list(SCOPES))
def test_every_slide_at_every_year_opens(cohort_app, cohort_engine, scope):
    """Walk the deck forward at one year and back at the next, at every year the filter
    offers for England and an RCC, and at the earliest and latest for the LAs (every other
    year opens there in test_every_page): each slide has a title, a one-sentence takeaway
    and (unless it says there is nothing to draw) one chart, and its number is in the link."""
    at = presentation({**SCOPES[scope], "slide": "1"})
    years = tables.available_years(cohort_engine)
    if SCOPES[scope]["scope"] == "la":
        years = [years[0], years[-1]]
    for index, year in enumerate(years):
        at.selectbox(key="f_year").select(year).run()
        assert not at.exception, [e.value for e in at.exception]
        forward = index % 2 == 0
        for _ in range(SLIDES):
            number, count = position(at)
            assert count == SLIDES and at.query_params["slide"] == str(number)
            title, takeaway = slide_words(at)
            assert title and takeaway.endswith(".") and takeaway.count(". ") == 0, takeaway
            charts = len(at.get("plotly_chart")) + len(at.get("arrow_vega_lite_chart"))
            assert charts <= 1
            if number < SLIDES if forward else number > 1:
                step(at, "next" if forward else "previous")
        assert position(at)[0] == (SLIDES if forward else 1)


def test_next_and_previous_move_the_slide_and_the_link_keeps_the_filters(cohort_app):
    at = presentation({**SCOPES["rcc"], "year": "2024", "slide": "2"})
    assert position(at) == (2, SLIDES)
    step(at, "next")
    assert position(at) == (3, SLIDES)
    assert at.query_params["slide"] == "3" and at.query_params["rcc"] == "greater-manchester"
    assert at.query_params["year"] == "2024"
    step(at, "previous")
    step(at, "previous")
    assert position(at) == (1, SLIDES)
    assert at.button(key="present_previous").disabled


@pytest.mark.parametrize("asked, opened", [("99", SLIDES), ("0", 1), ("three", 1)])
def test_a_link_to_a_slide_out_of_range_opens_the_nearest(cohort_app, asked, opened):
    at = presentation({**SCOPES["england"], "slide": asked})
    assert position(at)[0] == opened
    assert at.button(key="present_next").disabled == (opened == SLIDES)


def test_the_needs_slide_is_labelled_synthetic_and_a_region_is_pointed_to_rccs(cohort_app):
    at = presentation({**SCOPES["rcc"], "slide": "5"})
    title, takeaway = slide_words(at)
    assert title.startswith("The needs") and "had 4 or more needs" in takeaway
    assert SYNTHETIC_LABEL in [w.value for w in at.warning]
    region = presentation({"scope": "region", "region": "E12000001", "slide": "5"})
    assert "by RCC and LA" in slide_words(region)[1]


def test_without_forecasts_the_forecast_slide_says_so(cohort_app):
    """The cohort store has no forecast run: one line says so, and no chart is drawn."""
    at = presentation({**SCOPES["england"], "slide": "6"})
    assert slide_words(at)[1] == "Forecasts have not been made for this data yet."
    assert not at.get("arrow_vega_lite_chart") and not at.get("plotly_chart")


@pytest.mark.parametrize("viewer, count, left_out", [
    (access.ANONYMOUS, 5, ("The needs", "Children looked after: the forecast")),
    (access.Viewer("trustee", email="t@example.org", rccs=frozenset({"london"}), how="local"),
     6, ("The needs",)),
    (access.Viewer("trustee", email="t@example.org", rccs=frozenset({"greater-manchester"}),
                   how="local"), SLIDES, ()),
])
def test_slides_a_viewer_may_not_see_are_left_out(cohort_app, monkeypatch, viewer, count,
                                                  left_out):
    """An anonymous visitor sees the published slides only; a trustee of another RCC
    sees no needs of Greater Manchester; no slide is shown as an error."""
    from views import signin

    monkeypatch.setattr(signin, "current_viewer", lambda engine: viewer)
    at = presentation({**SCOPES["rcc"], "slide": "1"})
    titles = []
    for _ in range(count):
        titles.append(slide_words(at)[0])
        assert position(at)[1] == count
        if position(at)[0] < count:
            step(at, "next")
    assert not any(title.startswith(left_out) for title in titles) if left_out else True
    assert not at.error
