"""The Costs page's published half: what councils spend on children in care (MHCLG RO3
2024-25) and what a week of care costs (DfE S251 unit costs), with the published
benchmarks. ``render`` and ``render_unit_costs`` each draw a subheader, the answer in
words, a chart, the table with its download and the assumptions in plain words."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import cached
import cached_costs
from analysis import geometry
from analysis.scope import Scope
from analysis.suppression import SYMBOL_MEANINGS
from components import cost_charts
from components.source import short_source
from data.cost_tables import SPEND_YEAR, UNIT_COSTS
from views import frame

PER_CHILD = cost_charts.PER_CHILD
pounds = cost_charts.pounds
#: Headings of the spend table; codes and the net breakdown stay in the download only.
SPEND_COLUMNS = {
    "comparator": "Compared as", "rank": "Rank (1 = highest per child)", "level": None,
    "area_name": "Area", "area_code": None, "region_code": None, "rcc_id": None,
    "spend_total_gbp": "Spent on children looked after (£, gross)",
    "spend_residential_gbp": "of which residential care (£)",
    "spend_fostering_gbp": "of which fostering (£)",
    "spend_asylum_gbp": "of which asylum-seeking children (£)",
    "spend_other_gbp": "of which other (£)",
    "net_spend_total_gbp": "Net current spend (£)",
    **{f"net_spend_{part}_gbp": None for part in ("residential", "fostering", "asylum",
                                                  "other")},
    "children_looked_after": "Children looked after, 31 March 2025",
    "children_symbol": "DfE symbol: children", "population_0_17": "Children aged 0-17 (mid-2024)",
    PER_CHILD: "£ a year per child looked after",
    "spend_per_child_0_17_gbp": "£ a year per child aged 0-17",
    "las": "LAs", "las_left_out": "LAs left out of per-child figures", "note": "Note",
}
UNIT_COLUMNS = {"measure_code": None, "level": None, "area_code": None, "year": None,
                "area_name": "Area", "year_label": "Financial year",
                "weekly_cost_gbp": "£ a week", "symbol": "DfE symbol",
                "growth_pct": "Change on the year before (%)",
                "average_growth_pct": "Average yearly growth 2016-17 to 2024-25 (%)",
                "terms": "Terms"}
BENCHMARK_COLUMNS = {"source_id": None, "source_url": st.column_config.LinkColumn("Source page"),
                     "weekly_equivalent_gbp": "£ a week (yearly figures ÷ 52)",
                     "chart": "Drawn on", "terms": "Cash or real terms"}
SPEND_HOW = (
    "**How to read it.** *Spent*: the LAs' gross (total) expenditure on children looked "
    "after in 2024-25 from their Revenue Outturn (RO3) returns, in cash terms; net current "
    "spend (after income such as health contributions) is in the table. *Per child looked "
    "after*: that spend over the children looked after at 31 March 2025 (DfE). *Per child "
    "aged 0-17*: over the ONS mid-2024 estimate DfE uses for its rates. An RCC's, region's "
    "or England's total is given only when every one of its LAs published it; its figures "
    "per child use the LAs that published both the spend and the count (the note names any "
    "left out). Where DfE suppressed a count (c) no figure per child is worked out.")
UNIT_HOW = (
    "**How to read it.** S251 weekly unit costs are each LA's outturn spend on a service "
    "divided by the weeks of care it bought, as DfE publishes them in LAIT; in cash terms "
    "(not adjusted for inflation). LAIT publishes no RCC figure and none is made up here: "
    "an RCC is shown through its LAs and their region. The dotted lines are published "
    "benchmarks for comparison, each labelled with its source and year; they measure "
    "prices or costs in other ways (a provider's price, a place's cost) and the NAO's "
    "yearly cost of a children's home place is in real terms (2023-24 prices), shown here "
    "as a weekly figure (÷ 52).")
#: More LAs than this and the unit-cost chart shows the regions and England only.
MAX_LINES = 12


# --- what councils spend ---------------------------------------------------------------------

def scope_row(rows: pd.DataFrame, scope: Scope) -> pd.Series:
    """The row of ``spend_comparison`` that is the scope itself."""
    role = {"la": "This LA", "rcc": "RCC", "region": "Region"}.get(scope.kind, "England")
    return rows[rows["comparator"] == role].iloc[0]


def spent_words(row: pd.Series, members: pd.DataFrame, title: str) -> str:
    """'Greater Manchester's LAs spent £566m', or, when some LAs published no spend, what
    those that did spent."""
    who = title if row["level"] == "la" else f"{title}'s LAs"
    if pd.notna(row["spend_total_gbp"]):
        return f"{who} spent {millions(row['spend_total_gbp'])} on children in care"
    published = members["spend_total_gbp"].dropna()
    return (f"the {len(published)} of {title}'s {len(members)} LAs that published their "
            f"spend spent {millions(published.sum())} on children in care")


def millions(value: float) -> str:
    """'£566.0 million' (or '£1.27 billion', or '£77,000' under a million)."""
    if value >= 1e9:
        return f"£{value / 1e9:,.2f} billion"
    return f"£{value / 1e6:,.1f} million" if value >= 1e6 else f"£{value:,.0f}"


def compared(value: float, england: float) -> str:
    """'12% more than' / '8% less than' / 'the same as'."""
    change = round((value / england - 1) * 100)
    if change == 0:
        return "about the same as"
    return f"{abs(change)}% {'more' if change > 0 else 'less'} than"


def spend_sentence(rows: pd.DataFrame, scope: Scope, title: str) -> str:
    """The answer in words: what the scope spent, per child looked after, against England."""
    row = scope_row(rows, scope)
    members = rows[rows["comparator"].isin(["LA", "This LA"])]
    start = f"In 2024-25 {spent_words(row, members, title)}"
    if scope.kind == "england":
        return (f"{start}: {pounds(row[PER_CHILD])} a year for each child looked after "
                f"(gross spend, cash terms).")
    england = scope_row(rows, Scope())[PER_CHILD]
    if pd.isna(row[PER_CHILD]):
        return f"{start}. No figure per child looked after can be given: {why_blank(row)}."
    return (f"{start}: {pounds(row[PER_CHILD])} a year for each child looked after, "
            f"{compared(row[PER_CHILD], england)} England's {pounds(england)}"
            f"{beside_neighbours(rows, row[PER_CHILD])} (gross spend, cash terms).")


def beside_neighbours(rows: pd.DataFrame, value: float) -> str:
    """' and 5% less than its statistical neighbours' £95,000' for one LA, else ''."""
    together = rows.loc[rows["comparator"] == "Statistical neighbours", PER_CHILD]
    if together.empty or pd.isna(together.iloc[0]):
        return ""
    return (f" and {compared(value, together.iloc[0])} its statistical neighbours' "
            f"{pounds(together.iloc[0])}")


def why_blank(row: pd.Series) -> str:
    """Why a scope has no spend per child looked after, in words."""
    symbol = row["children_symbol"]
    if pd.isna(row["spend_total_gbp"]) and row["level"] == "la":
        return "its RO3 spend was not published"
    if isinstance(symbol, str):
        return (f"DfE published no count of its children looked after ('{symbol}': "
                f"{SYMBOL_MEANINGS.get(symbol, 'not available')})")
    return row["note"] or "no LA in it published both the spend and the count"


def spend_map(scope: Scope) -> None:
    """The scope's LAs (one LA: its RCC's) shaded by spend per child looked after."""
    las = cached.local_authorities()
    shown = scope if scope.kind != "la" else Scope("rcc", las.set_index("code").at[
        scope.code, "rcc_id"])
    codes = set(shown.members(las)["code"])
    shapes = cached.shapes()
    areas = {"type": "FeatureCollection", "features": [
        f for f in shapes["la"]["features"] if f["properties"]["code"] in codes]}
    values = cached_costs.spend("la")
    figure = cost_charts.spend_map(
        areas, values[values["area_code"].isin(codes)],
        title="£ per child looked after, 2024-25 (cash terms)",
        source=short_source(cached.releases(), ["ro3", "cla_count"], "2024-25, cash terms"),
        outlines=[(shapes["region"], "region"), (shapes["rcc"], "rcc")],
        bounds=geometry.bounds(shapes["la"], codes),
        labels=None if scope.kind == "england" else shapes["labels"][
            shapes["labels"]["code"].isin(codes)])
    st_folium(figure, height=520, use_container_width=True, returned_objects=[],
              key=f"spend-map-{shown.kind}-{shown.code}")
    st.caption(cached_costs.spend_source())


def render(filters: frame.Filters) -> None:
    """What councils spend: words, the ranked chart (and a map), the table, how to read it."""
    scope, title = filters.scope, filters.title
    st.subheader("What councils spend on children in care", anchor=False)
    rows = cached_costs.spend_comparison(scope)
    st.markdown(spend_sentence(rows, scope, title))
    if filters.year != SPEND_YEAR:
        st.caption(f"RO3 spend is published for 2024-25 only (31 March {SPEND_YEAR}), "
                   f"whatever year is chosen.")
    if st.toggle("Show on a map", key="spend-map-on"):
        spend_map(scope)
    else:
        frame.chart(cached_costs.spend_bars_figure(scope, title),
                    f"Bar chart of spend per child looked after in 2024-25, {title}, with "
                    "England")
    with st.expander("The table", expanded=scope.kind == "la"):
        frame.table(rows, "costs", "spend", scope=scope, year=SPEND_YEAR,
                    column_config=SPEND_COLUMNS)
    st.markdown(SPEND_HOW)


# --- what a week of care costs -----------------------------------------------------------------

def latest(rows: pd.DataFrame, level: str, code: str | None = None) -> pd.Series | None:
    """The 2024-25 row of one area (the first of ``level`` if no code), or None."""
    mine = rows[(rows["level"] == level) & (rows["year"] == SPEND_YEAR)]
    if code is not None:
        mine = mine[mine["area_code"] == code]
    return None if mine.empty else mine.iloc[0]


def cost_text(row: pd.Series | None) -> str:
    """'£6,775 a week, up 6.1% a year on average since 2016-17', or 'not published'."""
    if row is None or pd.isna(row["weekly_cost_gbp"]):
        return "not published"
    growth = row["average_growth_pct"]
    since = "" if pd.isna(growth) else (f", {'up' if growth >= 0 else 'down'} "
                                        f"{abs(growth):.1f}% a year on average since 2016-17")
    return f"£{row['weekly_cost_gbp']:,.0f} a week{since}"


def unit_sentence(rows: pd.DataFrame, scope: Scope, title: str, measure: str) -> str:
    """The answer in words for one measure: the scope (or its LAs' range) against England."""
    what = measure.lower()
    england = cost_text(latest(rows, "england"))
    if scope.kind == "england":
        return f"In 2024-25 the weekly unit cost of {what} in England was {england}. Cash terms."
    if scope.kind == "la":
        return (f"In 2024-25 {title}'s weekly unit cost of {what} was "
                f"{cost_text(latest(rows, 'la', scope.code))}; England's was {england}. "
                "Cash terms.")
    las = rows[(rows["level"] == "la") & (rows["year"] == SPEND_YEAR)].dropna(
        subset=["weekly_cost_gbp"])
    if las.empty:
        return f"None of {title}'s LAs published a weekly unit cost of {what} for 2024-25."
    low, high = las.loc[las["weekly_cost_gbp"].idxmin()], las.loc[las["weekly_cost_gbp"].idxmax()]
    return (f"In 2024-25 the weekly unit cost of {what} in {title}'s LAs ranged from "
            f"£{low['weekly_cost_gbp']:,.0f} ({low['area_name']}) to "
            f"£{high['weekly_cost_gbp']:,.0f} ({high['area_name']}); England's was {england}. "
            "Cash terms.")


def render_unit_costs(filters: frame.Filters) -> None:
    """What a week of care costs: words, the lines with benchmarks, the tables."""
    scope, title = filters.scope, filters.title
    st.subheader("What a week of care costs", anchor=False)
    measures = list(UNIT_COSTS.values())
    measure = st.radio("Unit cost", measures, index=measures.index("Residential care"),
                       horizontal=True, key="unit-cost-measure")
    rows = cached_costs.unit_costs(scope)
    mine = rows[rows["measure"] == measure]
    st.markdown(unit_sentence(mine, scope, title, measure))
    with_las = mine.loc[mine["level"] == "la", "area_code"].nunique() <= MAX_LINES
    if not with_las:
        st.caption("The chart shows each region and England; every LA is in the table." if
                   scope.kind == "england" else f"{title} has more than {MAX_LINES} LAs: the "
                   "chart shows its region and England; every LA is in the table.")
    frame.chart(cached_costs.unit_cost_figure(scope, measure, title, with_las),
                f"Line chart of the weekly unit cost of {measure.lower()} from 2016-17 to "
                f"2024-25, {title} and England, with published benchmarks")
    with st.expander("The table"):
        frame.table(mine.reset_index(drop=True), "unit-costs", "weekly unit costs",
                    scope=scope, part=measure, column_config=UNIT_COLUMNS)
    with st.expander("Published benchmarks"):
        frame.table(cached_costs.cost_benchmarks(), "cost-benchmarks", "published benchmarks",
                    column_config=BENCHMARK_COLUMNS)
    st.markdown(UNIT_HOW)
