"""The Costs page's published panels (views/spend_panel.py) opened in AppTest through a
tiny page script: the answer in words with the figures from the vendored files, the
charts' source lines, the tables and the smallest LAs."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.scope import Scope
from components import cost_charts
from tests.app_pages import words
from tests.test_cost_tables import (CITY, CLA_TOTAL, GM, LAIT, OPEN, RO3, SCILLY,
                                    brute_area, number, published_table, raw)

GM_LAS = [f"E080000{n:02d}" for n in range(1, 11)]


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """The vendored RO3, DfE and ONS figures per LA, read with plain pandas."""
    return published_table()


def panel_page() -> None:
    """Both panels for the scope in session state (kind, code, title)."""
    import streamlit as st

    from analysis.scope import Scope
    from views import frame, spend_panel

    kind, code, title = st.session_state["case"]
    filters = frame.Filters(Scope(kind, code), 2025, title)
    spend_panel.render(filters)
    spend_panel.render_unit_costs(filters)


def opened_panel(kind: str, code: str | None, title: str) -> AppTest:
    at = AppTest.from_function(panel_page, default_timeout=120)
    at.session_state["case"] = (kind, code, title)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    """The plotly figures on the page, as the browser gets them."""
    import json
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_an_rcc_reads_its_spend_against_england(app_store, published):
    at = opened_panel("rcc", GM, "Greater Manchester")
    text = words(at)
    gm = brute_area(GM_LAS, published)
    england = brute_area(list(published.index), published)
    assert f"£{gm['per_cla']:,.0f} a year for each child looked after" in text
    assert f"England's £{england['per_cla']:,.0f}" in text
    assert f"£{gm['total'] / 1e6:,.1f} million" in text
    change = round((gm["per_cla"] / england["per_cla"] - 1) * 100)
    assert f"{abs(change)}% less than" in text
    assert "cash terms" in text and "real terms (2023-24 prices)" in text


def test_an_la_reads_its_spend_against_england_and_its_neighbours(app_store, published):
    text = words(opened_panel("la", "E08000003", "Manchester"))
    wide = raw(OPEN / "lookups" / "dfe_statistical_neighbours_2025_wide.csv")
    numbers = raw(OPEN / "lookups" / "dfe_old_new_la_codes.csv")
    gss = dict(zip(numbers["old_la_code"], numbers["new_la_code"]))
    mine = wide[wide["old_la_code"] == "352"].iloc[0]
    near = brute_area([gss[mine[f"SN_{i}"]] for i in range(1, 11)], published)
    manchester = published.loc["E08000003"]
    per_cla = manchester["spend"] / manchester["count"]
    change = round((per_cla / near["per_cla"] - 1) * 100)
    assert (f"{abs(change)}% {'more' if change > 0 else 'less'} than its statistical "
            f"neighbours' £{near['per_cla']:,.0f}") in text
    assert f"Manchester spent £{manchester['spend'] / 1e6:,.1f} million" in text


def test_unit_costs_read_from_the_lait_file(app_store):
    text = words(opened_panel("rcc", GM, "Greater Manchester"))
    lait = raw(LAIT)
    residential = lait[(lait["measure_code"] == "RescareFinance")]
    latest = residential[residential["year"] == "2024-25 (OT)"]
    gm = latest[latest["new_la_code"].isin(GM_LAS)].assign(
        cost=lambda rows: rows["value"].map(number)).sort_values("cost")
    low, high = gm.iloc[0], gm.iloc[-1]
    assert (f"ranged from £{low['cost']:,.0f} ({low['area_name']}) to £{high['cost']:,.0f} "
            f"({high['area_name']})") in text
    england = residential[residential["area_name"] == "England"].set_index("year")["value"]
    first, last = number(england["2016-17 (OT)"]), number(england["2024-25 (OT)"])
    growth = ((last / first) ** (1 / 8) - 1) * 100
    assert (f"England's was £{last:,.0f} a week, up {growth:.1f}% a year on average since "
            "2016-17") in text


def test_every_chart_names_its_source_year_and_terms(app_store, published):
    at = opened_panel("rcc", GM, "Greater Manchester")
    charts = figures(at)
    assert len(charts) == 2
    for chart in charts:
        notes = " ".join(a["text"] for a in chart["layout"]["annotations"]).replace("<br>", " ")
        assert "cash terms" in notes and "Source:" in notes and "2024-25" in notes
    names = [trace.get("name", "") for trace in charts[1]["data"]]
    assert any("NAO, 2023-24: £6,123 a week (£318,400 a year ÷ 52), real terms" in name
               for name in names)
    assert any(name.startswith("CMA") and name.endswith("cash") for name in names)
    assert {"Each of its LAs", "North West", "England"} <= set(names)
    hovers = " ".join(trace.get("hovertemplate", "") for trace in charts[1]["data"])
    assert all(name in hovers for name in ("Bolton", "Wigan", "Salford"))


@pytest.mark.parametrize("code,title", [(SCILLY, "Isles of Scilly"), (CITY, "City of London")])
def test_the_smallest_las_render_and_say_why_there_is_no_figure(app_store, code, title):
    at = opened_panel("la", code, title)
    text = words(at)
    assert "No figure per child looked after can be given" in text
    assert "DfE published no count of its children looked after" in text
    assert {"E06000053": "'z': not applicable", "E09000001": "'c': confidential"}[code] in text
    assert {"E06000053": "spent £77,000", "E09000001": "spent £894,000"}[code] in text
    assert at.get("arrow_data_frame") or at.dataframe
    at.toggle(key="spend-map-on").set_value(True).run()  # the map of its RCC's LAs
    assert not at.exception, [e.value for e in at.exception]


def test_england_and_a_large_region_render(app_store, published):
    text = words(opened_panel("england", None, "England"))
    england = brute_area(list(published.index), published)
    assert f"£{england['per_cla']:,.0f} a year for each child looked after" in text
    ro3 = raw(RO3)
    spent = sum(v for v in (number(x) * 1000 for x in ro3[CLA_TOTAL]) if not math.isnan(v))
    assert f"the 150 of England's 153 LAs that published their spend spent " \
           f"£{spent / 1e9:,.2f} billion" in text
    london = words(opened_panel("region", "E12000007", "London region"))
    assert "more than 12 LAs" in london


def test_map_values_rank_only_las_with_a_figure():
    las = pd.DataFrame({"area_code": ["A", "B", "C", "D"],
                        "spend_per_child_looked_after_gbp": [10.0, math.nan, 30.0, math.nan],
                        "children_symbol": [None, None, None, "c"]})
    values = cost_charts.map_values(las)
    assert values.loc["C", "rank"] == "1 of 2" and values.loc["B", "rank"] == ""
    assert values.loc["B", "shown"] == "x" and values.loc["A", "shown"] == "£10"
    assert values.loc["D", "shown"] == "c"  # the suppressed count, not a made-up figure
    assert cost_charts.map_values(las.drop(columns="children_symbol")).loc["D", "shown"] == "x"


def test_unknown_scope_is_refused(engine):
    from data import cost_tables
    from data.errors import UserInputError
    with pytest.raises(UserInputError):
        cost_tables.spend_comparison(engine, Scope("rcc", "atlantis"))
