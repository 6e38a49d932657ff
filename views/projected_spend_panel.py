"""Projected spend (the Costs page): what the children forecast to be looked after would
cost in each of the next five years at today's weekly costs plus an inflation rate the
reader sets (carried in the page's link), by placement group for an RCC and for all
children elsewhere. Words first, then the chart, the table and the assumptions.

The figures are ``data.spend_projection``'s (read through ``cached_costs``); the ranges
are the forecast's, of how many children, not of prices (said on the page)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import cached_costs
import live
from analysis import projected_spend as ps
from analysis.disclosure import label_if_synthetic, uses_synthetic
from components.charts import SCOPE_COLOUR
from components.overview_charts import configured
from components.source import records_origin
from views import frame

LINK_KEY = "inflation"  # the page link's parameter: inflation, % a year
WIDGET = "projected_spend_inflation"
#: Okabe-Ito colours for the groups, the total drawn in the scope colour.
GROUP_COLOURS = {"fostering": "#009E73", "children's homes": "#D55E00",
                 "supported accommodation": "#56B4E9", "other placements": "#999999",
                 ps.TOTAL: SCOPE_COLOUR}
RANGES = "Black lines: the total's 80% range (thick) and 95% range (thin)"
#: Why an area's spend is not split by placement group: (not an RCC, an RCC).
WHY_NOT_BY_GROUP = ("Forecasts by placement group are made for RCCs only: choose an RCC to "
                    "see spending by kind of placement. ",
                    "This RCC's children's records do not reach back far enough, or are too "
                    "few, to forecast each kind of placement. ")
COLUMNS = {"years_ahead": "Years ahead", "year_ending": None, "financial_year": "Year",
           "placement": "Placement", "children": "Children (forecast)",
           "weekly_cost": st.column_config.NumberColumn("Weekly cost per child today (£)",
                                                        format="%,.0f"),
           "cost_source": "Weekly cost from", "price_factor": None,
           "spend": st.column_config.NumberColumn("Spend (£)", format="%,.0f"),
           "spend_lower_80": st.column_config.NumberColumn("80% range from (£)", format="%,.0f"),
           "spend_upper_80": st.column_config.NumberColumn("to (£)", format="%,.0f"),
           "spend_lower_95": st.column_config.NumberColumn("95% range from (£)", format="%,.0f"),
           "spend_upper_95": st.column_config.NumberColumn("to (£)", format="%,.0f"),
           "interval": None}


def render(filters: frame.Filters) -> None:
    """The panel: heading, the answer in words, the inflation setting, chart, table,
    assumptions."""
    st.subheader("Projected spend", anchor=False)
    run = live.forecast_run()
    if run is None:
        st.info("Forecasts have not been made for this data yet. An analyst makes them (see "
                "*Data & methods*); this part then shows what the children forecast would "
                "cost.", icon=":material/schedule:")
        return
    said = st.container()  # the answer goes above the setting it depends on
    inflation = inflation_setting()
    table = cached_costs.projected_spend(filters.scope, inflation, run.id,
                                         cached_costs.fee_cap_percent())
    if table.empty:
        said.info(table.attrs.get("reason") or "Nothing to project here.",
                  icon=":material/info:")
        return
    said.markdown(answer(table, filters.title, inflation))
    frame.vega_chart(spend_chart(table, chart_title(filters.title), source(table)),
                     "Bar chart of spend on placements in each of the next five years, "
                     "today first, with the range of the total")
    st.caption(RANGES)
    st.markdown(assumptions(table, inflation, filters.scope.kind))
    with st.expander("The table"):
        frame.table(table, "projected-spend", "projected spend", scope=filters.scope,
                    year=int(table["year_ending"].max()),
                    part=f"inflation-{rate_words(inflation)}", column_config=COLUMNS)


def inflation_setting() -> float:
    """The inflation slider (% a year), started from the page's link and written back to
    it so the link shares the setting; returns a fraction."""
    if WIDGET not in st.session_state:
        st.session_state[WIDGET] = from_link(st.query_params.get(LINK_KEY))
    percent = st.slider("If costs rise each year by (%)", 0.0, ps.MAX_INFLATION * 100,
                        step=0.5, key=WIDGET, format="%.1f%%")
    if percent == ps.DEFAULT_INFLATION * 100:
        st.query_params.pop(LINK_KEY, None)
    else:
        st.query_params[LINK_KEY] = f"{percent:g}"
    return percent / 100


def from_link(text: str | None) -> float:
    """The link's inflation (% a year), or the default if missing or not a rate 0-10."""
    try:
        percent = float(text)
    except (TypeError, ValueError):
        return ps.DEFAULT_INFLATION * 100
    if not 0 <= percent <= ps.MAX_INFLATION * 100:
        return ps.DEFAULT_INFLATION * 100
    return round(percent * 2) / 2  # the slider's half-percent steps


def rate_words(inflation: float) -> str:
    """'3%', '2.5%': a rate as the slider shows it."""
    return f"{inflation * 100:g}%"


def money(amount: float) -> str:
    """'£478 million', '£9.9 billion', '£950,000': money as a board says it."""
    if abs(amount) >= 1e9:
        return f"£{amount / 1e9:,.1f} billion"
    if abs(amount) >= 1e6:
        return f"£{amount / 1e6:,.0f} million"
    return f"£{amount:,.0f}"


def answer(table: pd.DataFrame, title: str, inflation: float) -> str:
    """The answer in plain words: the last year's spend, its 80% range, and today's."""
    last = int(table["years_ahead"].max())
    words = ps.headline(table, last)
    if words is None:
        return f"No spending can be projected for {title}."
    who = "placements" if table.attrs.get("mode") == "groups" else "children in care"
    change = "up from" if words["spend"] >= words["today"] else "down from"
    return (f"If costs rise {rate_words(inflation)} a year, {title}'s {who} would cost about "
            f"**{money(words['spend'])}** in {words['year']} (80% range "
            f"{money(words['lower_80'])} to {money(words['upper_80'])}), {change} "
            f"{money(words['today'])} in {words['today_year']}, cash terms.")


def chart_title(title: str) -> str:
    return f"Projected spend, {title}: each year, cash terms"


def source(table: pd.DataFrame) -> str:
    """The chart's source line: the forecast, where costs come from, cash terms, and the
    synthetic label when children's records are synthetic."""
    cost_year = table.attrs.get("cost_year")
    s251 = (f"DfE, S251 outturn unit costs {ps.financial_year(cost_year)} (LAIT)"
            if cost_year else "DfE, S251 outturn unit costs (LAIT)")
    if table.attrs.get("mode") == "groups":
        text = (f"Forecasts by RCC Insight (stock-and-flow model) from case-level records: "
                f"{records_origin(uses_synthetic(table))}; weekly costs from the fees of "
                f"today's placements or {s251}. Cash terms.")
    else:
        text = (f"Forecasts by RCC Insight of DfE's published children looked after at 31 "
                f"March; weekly cost per child: {s251}. Cash terms.")
    return label_if_synthetic(text, uses_synthetic(table))


def spend_chart(table: pd.DataFrame, title: str, source_text: str) -> dict:
    """Bars stacked by placement group (or one bar of all children) for each year, today
    first, with the total's 80% range as a thick line and its 95% range as a thin one."""
    groups = table[table["placement"] != ps.TOTAL] if (table["placement"] != ps.TOTAL).any() \
        else table
    names = [name for name in GROUP_COLOURS if name in set(groups["placement"])]
    bars = groups.assign(millions=groups["spend"] / 1e6, what=groups["placement"].str.capitalize(),
                         order=groups["placement"].map(names.index))
    labels = [name.capitalize() for name in names]
    colours = alt.Scale(domain=labels, range=[GROUP_COLOURS[name] for name in names])
    years = list(dict.fromkeys(table.sort_values("years_ahead")["financial_year"]))
    x = alt.X("financial_year:N", sort=years, title=None, axis=alt.Axis(labelAngle=0))
    stacked = alt.Chart(bars).mark_bar().encode(
        x=x, y=alt.Y("sum(millions):Q", title="£ million a year, cash terms"),
        color=alt.Color("what:N", scale=colours, sort=labels, title=None),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("financial_year:N", title="Year"),
                 alt.Tooltip("what:N", title="Placement"),
                 alt.Tooltip("millions:Q", title="£ million", format=",.1f")]
    )
    total = table[table["placement"] == ps.TOTAL].assign(
        **{f"m_{c}": table[c] / 1e6 for c in ps.SPEND})
    ranges = alt.Chart(total[total["years_ahead"] > 0])
    wide = ranges.mark_rule(color="black", strokeWidth=1.5).encode(
        x=x, y="m_spend_lower_95:Q", y2="m_spend_upper_95:Q")
    narrow = ranges.mark_rule(color="black", strokeWidth=5).encode(
        x=x, y="m_spend_lower_80:Q", y2="m_spend_upper_80:Q",
        tooltip=[alt.Tooltip("financial_year:N", title="Year"),
                 alt.Tooltip("m_spend:Q", title="Total, £ million", format=",.1f"),
                 alt.Tooltip("m_spend_lower_80:Q", title="80% range from", format=",.1f"),
                 alt.Tooltip("m_spend_upper_80:Q", title="to", format=",.1f"),
                 alt.Tooltip("m_spend_lower_95:Q", title="95% range from", format=",.1f"),
                 alt.Tooltip("m_spend_upper_95:Q", title="to", format=",.1f")])
    chart = alt.layer(stacked, wide, narrow).properties(height=380)
    return configured(chart, title, source_text)


def assumptions(table: pd.DataFrame, inflation: float, kind: str) -> str:
    """What the figures assume, in plain words (``kind``: the scope's kind, saying why an
    area has no figures by placement group)."""
    method = table.loc[table["placement"] == ps.TOTAL, "interval"].dropna()
    total_range = ps.INTERVAL_WORDS.get(method.iloc[0] if len(method) else "single")
    by_group = table.attrs.get("mode") == "groups"
    who = ("the children forecast in each kind of placement (fostering, children's homes, "
           "supported accommodation, other placements) x what a week of that placement "
           "costs per child today" if by_group else
           "the children forecast to be looked after x what a week of care costs per "
           "child looked after today (the published S251 unit cost)")
    costs = ("A group's weekly cost is the fees of today's placements in it shared over all "
             "its children (a child placed with parents costs no fee); where too few "
             "placements have a fee to show, the published S251 unit cost is used instead "
             "(the table says which). " if by_group else WHY_NOT_BY_GROUP[kind == "rcc"])
    return (f"**What this assumes.** Spend in a year = {who} x {ps.WEEKS_PER_YEAR} weeks, "
            f"with prices rising {rate_words(inflation)} a year from today's. {costs}The thick and "
            f"thin lines are the 80% and 95% ranges: they show how uncertain the number of "
            f"children is, not prices, which are held at today's level plus inflation. The "
            f"total's range is {total_range}. All figures are cash terms (not adjusted for "
            f"inflation back to today's pounds).")

