"""The cap panel in an AppTest: words first at England, an RCC, an LA and the smallest LAs,
a what-if cap when the board has set none, the board's cap when it has, no count of 1-4
in any table, and the form writing a cap (or refusing bad input) through data.caps."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import cached
from analysis.disclosure import SYNTHETIC_LABEL
from data import caps

from tests.app_pages import words


def panel(kind: str, code: str | None, title: str) -> None:
    """The panel alone, as the Costs page calls it."""
    from analysis.scope import Scope
    from views import cap_panel, frame

    cap_panel.render(frame.Filters(Scope(kind, code), 2025, title))


def opened(kind: str, code: str | None, title: str) -> AppTest:
    at = AppTest.from_function(panel, args=(kind, code, title), default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def cohort_app(cohort_url):
    """The app pointed at the synthetic cohort; caches kept across this module's tests
    (the fee family is built once) and cleared at both ends."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", cohort_url)
    cached.clear()
    yield cohort_url
    cached.clear()
    patch.undo()


def shown_counts(at: AppTest) -> list:
    """Every value of every count column of the tables on the panel."""
    values = []
    for table in at.dataframe:
        for column in table.value.columns:
            if column.startswith("Placements"):
                values += table.value[column].tolist()
    return values


def assert_no_small_counts(at: AppTest) -> None:
    for value in shown_counts(at):
        text = str(value).replace(",", "")
        assert text in ("c", "") or not 1 <= float(text) <= 4, value


def test_england_without_a_cap_uses_a_what_if_clearly_not_the_boards(cohort_app):
    at = opened("england", None, "England")
    text = words(at)
    assert "The board has not set a cap yet" in text
    assert "At a what-if cap of **10% above operating cost** (not the board's)" in text
    assert "are charged above it" in text and "less in 2024-25" in text
    assert SYNTHETIC_LABEL in text
    assert "assuming its fee was the same for the whole placement" in text
    assert len(at.dataframe) >= 3  # make-up, providers, years
    assert_no_small_counts(at)
    at.number_input(key="cap_what_if").set_value(100.0).run()
    assert "No placement made by England is charged above it" in words(at)


def test_the_boards_cap_is_named_with_who_set_it(cohort_app, monkeypatch):
    cap = pd.Series({"percent": 12.5, "effective_from": pd.Timestamp("2025-04-01").date(),
                     "set_by": "The chair", "set_at": pd.Timestamp("2025-03-20 10:00"),
                     "note": None})
    monkeypatch.setattr(caps, "current_cap", lambda engine, on=None: cap)
    text = words(opened("rcc", "greater-manchester", "Greater Manchester RCC"))
    assert ("The board's cap is **12.5% above operating cost**, in force from 1 April "
            "2025, set by The chair on 20 March 2025.") in text
    assert "what-if" not in text


@pytest.mark.parametrize("code, title", [("E08000003", "Manchester"),
                                         ("E06000001", "Hartlepool")])
def test_an_la_shows_its_own_placements(cohort_app, code, title):
    at = opened("la", code, title)
    assert f"In {title}," in words(at)
    assert_no_small_counts(at)


@pytest.mark.parametrize("code, title", [("E06000053", "Isles of Scilly"),
                                         ("E09000001", "City of London")])
def test_the_smallest_las_say_they_have_no_fees_to_show(cohort_app, code, title):
    at = opened("la", code, title)
    assert f"No placements with a weekly fee in the records for {title}" in words(at)


def test_an_empty_store_says_so_and_still_offers_the_form(own_store, monkeypatch):
    url, engine = own_store
    monkeypatch.setenv("DATABASE_URL", url)
    cached.clear()
    try:
        at = opened("england", None, "England")
        assert "No placements with a weekly fee in the records for England" in words(at)
        at.button(key="cap_submit").click().run()  # nobody named
        assert [e.value for e in at.error] == ["Say who set the cap (a name)."]
        assert caps.cap_history(engine).empty
        at.text_input(key="cap_by").set_value("The chair")
        at.number_input(key="cap_percent").set_value(10.0)
        at.date_input(key="cap_from").set_value(pd.Timestamp("2025-04-01").date())
        at.button(key="cap_submit").click().run()
        assert "Recorded a cap of 10% above operating cost from 1 April 2025, set by The " \
            "chair." in at.success[0].value
        history = caps.cap_history(engine)
        assert history["percent"].tolist() == [10.0]
        at.run()
        assert "The board's cap is **10% above operating cost**" not in words(at)  # no fees
        assert "what-if" not in words(at)
    finally:
        cached.clear()
