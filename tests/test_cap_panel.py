"""The cap panel in an AppTest: words first at England, an RCC, an LA and the smallest LAs,
the reference cap when the board has set none, the board's cap when it has, no count of 1-4
in any table, and the form writing a cap (or refusing bad input) through data.caps."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import cached
from analysis.disclosure import SYNTHETIC_LABEL
from analysis.scope import Scope
from data import caps

from analysis.access import SINGLE_USER
from tests.app_pages import words


def panel(kind: str, code: str | None, title: str) -> None:
    """The panel alone, as the Costs page calls it (AppTest runs this function's source on
    its own, so it imports what it uses)."""
    from analysis.scope import Scope
    from views import cap_panel, frame

    cap_panel.render(frame.Filters(Scope(kind, code), 2025, title))


def opened(kind: str, code: str | None, title: str) -> AppTest:
    at = AppTest.from_function(panel, args=(kind, code, title), default_timeout=240)
    at.session_state["viewer"] = SINGLE_USER  # app.py's viewer on a server without sign-in
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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


def test_england_without_a_cap_uses_the_reference_cap_clearly_not_the_boards(cohort_app):
    at = opened("england", None, "England")
    text = words(at)
    assert "The board has not set a cap yet" in text
    assert "At a reference cap of **10% above operating cost** (not the board's)" in text
    assert "are charged above it" in text and "less in 2024-25" in text
    assert SYNTHETIC_LABEL in text
    assert "assuming its fee was the same for the whole placement" in text
    assert len(at.dataframe) >= 3  # make-up, providers, what the cap would have saved
    assert_no_small_counts(at)
    assert [box.key for box in at.number_input] == ["cap_percent"]  # the board's form only


def test_what_the_cap_would_have_saved_recomputed_from_the_records(cohort_url):
    """The last financial year and a full year at today's fees, worked out here from the
    placement and fee rows in SQL (a reference cap of 10%: operating cost is the fee over
    1 + surplus %, the fee at the cap 1.1 times that)."""
    from sqlalchemy import text

    from data import fee_cap_tables, fee_frame
    from data.store import make_engine

    engine = make_engine(cohort_url)
    try:
        with engine.connect() as connection:
            rows = pd.read_sql(text(
                "SELECT f.weekly_fee, f.surplus_pct, e.start_date FROM placement_fee f "
                "JOIN episode e ON e.id = f.episode_id JOIN child c ON c.id = e.child_id "
                "WHERE e.end_date IS NULL AND c.la_code = 'E08000003'"), connection)
        frame = fee_frame.fee_frame(engine)
        family = fee_cap_tables.fee_family(engine, frame, 10.0)
    finally:
        engine.dispose()
    above = (rows["weekly_fee"] - rows["weekly_fee"] / (1 + rows["surplus_pct"] / 100) * 1.1)
    above = above.clip(lower=0)
    start = pd.to_datetime(rows["start_date"]).clip(lower=pd.Timestamp("2024-04-01"))
    weeks = ((pd.Timestamp("2025-03-31") - start).dt.days + 1) / 7
    manchester = Scope("la", "E08000003")
    table = fee_cap_tables.by_year_table(
        fee_frame.scope_rows(frame, manchester, {"E08000003"}), family, manchester)
    amounts = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    assert list(amounts) == ["2024-25", "A full year at today's fees"]
    # the page rounds each weekly amount to the penny first: within pounds of millions
    assert amounts["2024-25"] == pytest.approx((above * weeks).sum(), rel=1e-5)
    assert amounts["A full year at today's fees"] == pytest.approx(above.sum() * 365.25 / 7,
                                                                   rel=1e-5)


def test_the_boards_cap_is_named_with_who_set_it(cohort_app, monkeypatch):
    cap = pd.Series({"percent": 12.5, "effective_from": pd.Timestamp("2025-04-01").date(),
                     "set_by": "The chair", "set_at": pd.Timestamp("2025-03-20 10:00"),
                     "note": None})
    monkeypatch.setattr(caps, "current_cap", lambda engine, on=None: cap)
    text = words(opened("rcc", "greater-manchester", "Greater Manchester RCC"))
    assert ("The board's cap is **12.5% above operating cost**, in force from 1 April "
            "2025, set by The chair on 20 March 2025.") in text
    assert "reference cap" not in text


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
        assert "reference cap" not in words(at)
    finally:
        cached.clear()
