"""The fee spread and fee model panels in AppTest on the synthetic cohort (England, an RCC,
an LA, the smallest LAs) and on a store with no children's records; the exports and scope
tables gated by the real fee family (no statistic where it may not describe a cell)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import disclosure
from analysis.scope import Scope
from data import fee_frame, fee_stat_tables
from data.errors import UserInputError
from data.store import make_engine
from tests.app_pages import words

SCRIPT = """
import streamlit as st

import cached
from analysis.access import SINGLE_USER
from analysis.scope import Scope
from views import fee_model_panel, fee_spread_panel, frame

cached.store_ready()
st.session_state["viewer"] = SINGLE_USER  # app.py's viewer on a server without sign-in
filters = frame.Filters(Scope({kind!r}, {code!r}), 2025, {title!r})
fee_spread_panel.render(filters)
fee_model_panel.render(filters)
"""
GM = Scope("rcc", "greater-manchester")


def test_charts_draw_no_placement_and_carry_their_source():
    from components import fee_charts
    from tests.test_fee_stats import AREA, CountGate, planted
    from analysis import fee_stats

    frame = planted(300)
    frame.loc[frame.index[:3], "sector"] = "Health authority"  # 3: not described
    table = fee_stats.fee_distribution(frame, AREA, CountGate(frame))
    source = fee_charts.fee_source(pd.Timestamp("2025-03-31"), True)
    figure = fee_charts.spread_chart(table[table["breakdown"] == "sector"], "Fees", source)
    assert [len(trace.y) for trace in figure.data] == [3, 3]  # one bar and mark per sector
    assert "Health authority" not in " ".join(figure.data[0].y)
    notes = " ".join(a.text for a in figure.layout.annotations).replace("<br>", " ")
    assert disclosure.SYNTHETIC_LABEL in notes and "cash terms" in notes
    assert "31 March 2025" in notes


def panels(kind: str, code: str | None, title: str) -> AppTest:
    """Both panels rendered for a scope, with no exception."""
    at = AppTest.from_string(SCRIPT.format(kind=kind, code=code, title=title),
                             default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("kind, code, title", [
    ("england", None, "England"), ("rcc", "greater-manchester", "Greater Manchester RCC"),
    ("la", "E08000003", "Manchester"), ("la", "E06000005", "Darlington"),
    ("la", "E08000023", "South Tyneside")])
def test_panels_on_the_cohort(cohort_app, kind, code, title):
    at = panels(kind, code, title)
    text = words(at)
    assert "How fees vary" in text and "Price that is not need" in text
    assert "Half of placements cost more than £" in text
    assert "explain about" in text or "too small" in text
    assert disclosure.SYNTHETIC_LABEL in text
    assert "cash terms" in " ".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert len(at.get("download_button")) >= 2
    if kind == "la":  # an LA of a few hundred placements still gets a model here
        assert at.get("plotly_chart")


def test_panels_say_so_for_an_la_without_records(cohort_app):
    text = words(panels("la", "E09000001", "City of London"))
    assert "No placements with a weekly fee are held for City of London" in text


def test_panels_on_a_store_without_records(built_url, monkeypatch):
    import cached

    monkeypatch.setenv("DATABASE_URL", built_url)
    cached.clear()
    try:
        text = words(panels("england", None, "England"))
    finally:
        cached.clear()
    assert "No placements with a weekly fee are held for England" in text


@pytest.fixture(scope="module")
def cohort_family(cohort_url):
    """The cohort store's fee frame and the board's fee family (no cap set: 10%)."""
    engine = make_engine(cohort_url)
    frame = fee_frame.fee_frame(engine)
    family = fee_stat_tables.board_family(engine, frame)
    yield engine, frame, family
    engine.dispose()


def test_fees_export_gated_by_the_family_at_every_level(cohort_family):
    engine, frame, family = cohort_family
    for level in fee_stat_tables.LEVELS:
        table = fee_stat_tables.fees_export(engine, level, family, frame)
        assert disclosure.uses_synthetic(table)
        assert {"level", "area_code", "breakdown", "median"} <= set(table.columns)
        for row in table.itertuples():
            scope = Scope() if level == "england" else Scope(level, row.area_code)
            assert row.placements == family.shown_count(scope, row.breakdown, row.value)
            assert pd.isna(row.median) != family.may_describe(scope, row.breakdown, row.value)
        shown = table[table["median"].notna()]
        assert (shown["placements"].map(lambda n: n != "c" and n >= 5)).all()
    england = fee_stat_tables.fees_export(engine, "england", family, frame)
    private = england[(england["breakdown"] == "sector") & (england["value"] == "Private")]
    fees = frame.loc[frame["sector"] == "Private", "weekly_fee"]
    assert private["median"].iloc[0] == pytest.approx(np.percentile(fees, 50))


def test_inside_outside_and_model_exports(cohort_family):
    engine, frame, family = cohort_family
    both = fee_stat_tables.inside_outside_export(engine, "rcc", family, frame)
    assert set(both["boundary"]) == {"la", "rcc"}
    coefficients = fee_stat_tables.model_export(engine, "rcc", "coefficients", family, frame)
    assert (coefficients["area_code"] == "greater-manchester").any()
    assert coefficients["effect_pct"].notna().all()
    providers = fee_stat_tables.model_export(engine, "england", "providers", family, frame)
    assert providers.columns[:3].tolist() == fee_stat_tables.AREA_COLUMNS + ["rank"]
    with pytest.raises(UserInputError):
        fee_stat_tables.fees_export(engine, "ward", family, frame)


def test_model_summary_count_is_the_familys(cohort_family):
    engine, frame, family = cohort_family
    rows = frame[frame["rcc"] == "greater-manchester"]
    summary, table, providers, sentences = fee_stat_tables.model_tables(rows, GM, family)
    assert summary["placements"] == family.shown_count(GM, "all", "all")
    assert 0 < summary["r_squared"] <= 1 and not table.empty
    assert set(providers["placements"]) <= {"5-9", "10-19", "20-49", "50 or more"}
