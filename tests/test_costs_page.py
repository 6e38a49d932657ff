"""The Costs page as links open it, on the synthetic-cohort store: every part at England, an
RCC and the two smallest LAs with no exception and its heading; a link names the part it
opens; an unknown part warns and opens the first; case-level parts say they are synthetic."""

from __future__ import annotations

import pytest

from tests.app_pages import app_on, opened, words

PAGE = "views/costs_page.py"
SCOPES = {"England": {"scope": "england"},
          "Greater Manchester RCC": {"scope": "rcc", "rcc": "greater-manchester"},
          "Isles of Scilly": {"scope": "la", "la": "E06000053"},
          "City of London": {"scope": "la", "la": "E09000001"}}
#: Each part: the link's view -> (its name on the page's radio row, its heading's start).
PARTS = {"spend": ("What councils spend", "What councils spend"),
         "unit-costs": ("A week of care", "What a week of care costs"),
         "cap": ("Fees and the cap", "What placements cost"),
         "spread": ("How fees vary", "How fees vary"),
         "need": ("Price that is not need", "Price that is not need"),
         "ahead": ("Spend ahead", "Projected spend")}
CASE_LEVEL = {"cap", "spread", "need"}


@pytest.fixture(scope="module")
def store(cohort_url):
    """The app pointed at the cohort store, caches emptied before and after."""
    with app_on(cohort_url) as url:
        yield url


@pytest.mark.parametrize("title", SCOPES)
@pytest.mark.parametrize("view", PARTS)
def test_every_part_opens_from_a_link_at_every_kind_of_scope(store, view, title):
    at = opened(PAGE, {**SCOPES[title], "view": view}, timeout=300)
    assert at.title[0].value == f"Costs: {title}"
    name, heading = PARTS[view]
    assert at.radio(key="costs_view").value == name
    headings = [s.value for s in at.subheader]
    assert any(h.startswith(heading) for h in headings), headings
    assert view in str(at.query_params["view"])


@pytest.mark.parametrize("view", sorted(CASE_LEVEL))
def test_case_level_parts_say_the_data_are_synthetic(store, view):
    at = opened(PAGE, {**SCOPES["Greater Manchester RCC"], "view": view}, timeout=300)
    assert "Synthetic case-level data" in words(at)


def test_an_unknown_part_warns_and_opens_the_first(store):
    at = opened(PAGE, {"scope": "england", "view": "nonsense"}, timeout=300)
    assert any("nonsense" in w.value for w in at.warning)
    assert any(s.value.startswith(PARTS["spend"][1]) for s in at.subheader)


def test_choosing_a_part_writes_it_into_the_link(store):
    at = opened(PAGE, {"scope": "england"}, timeout=300)
    at.radio(key="costs_view").set_value("How fees vary").run()
    assert not at.exception
    assert any(s.value.startswith(PARTS["spread"][1]) for s in at.subheader)
    assert "spread" in str(at.query_params["view"])
