"""All RCCs: every RCC side by side, for the National Steering Group (and analysts).

A small chart per RCC of its rate of children looked after over time (England dashed in
each, every chart to the same scale), ordered by the column the reader picks, then one
table of every RCC and England: rate and trend, self-sufficiency, children placed in
another region, homes and places per 10,000, spend per child, fees above the cap,
forecast growth, flagged LAs and the register's progress. Every figure is one another
page already shows for that RCC (``data/rcc_comparison.py``); the table's reader refuses
anyone but National Steering Group members and analysts (``cached_rccs``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cached_costs
import cached_rccs
from components.rcc_charts import WIDTH
from data.rcc_comparison import MEANINGS
from data.sources import ENGLAND
from views import frame

#: The table's headings (the download keeps the column names).
HEADINGS = {
    "rcc": "RCC", "trend_direction": "Direction",
    "placed_inside_pct": "% placed inside the RCC",
    "placed_in_other_region": "Placed in another region",
    "homes_per_10k": "Homes per 10,000", "places_per_10k": "Places per 10,000",
    "spend_per_child_gbp": "Spend per child, £", "placements_above_cap": "Placements above the cap",
    "above_cap_pct": "% above the cap", "forecast_growth_pct": "Forecast change in 3 years, %",
    "flagged_las": "LAs flagged", "register_requested": "Asked to explain",
    "register_answered": "Answered", "register_closed": "Closed",
}
#: Columns the page keeps in the download but not on screen (one value for every row, or
#: said in the words above the table).
HIDDEN_COLUMNS = ("rcc_id", "year", "case_year", "cap_percent")
#: What the small multiples (and the table) can be ordered by: column -> its words.
SORTS = {"rate_per_10k": "Rate per 10,000 (highest first)",
         "trend_pct_per_year": "Trend (fastest rise first)",
         "placed_inside_pct": "Self-sufficiency (highest first)",
         "places_per_10k": "Home places per 10,000 (most first)",
         "spend_per_child_gbp": "Spend per child (highest first)",
         "above_cap_pct": "% of fees above the cap (highest first)",
         "forecast_growth_pct": "Forecast growth (highest first)",
         "flagged_las": "LAs flagged (most first)", "rcc": "Name (A to Z)"}


def ordered(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """The RCCs ordered by ``column`` (names A to Z, figures highest first, blanks last),
    England last."""
    rccs = table[table["rcc_id"] != ENGLAND]
    rccs = rccs.sort_values(column, ascending=column == "rcc", na_position="last",
                            kind="stable")
    out = pd.concat([rccs, table[table["rcc_id"] == ENGLAND]], ignore_index=True)
    out.attrs = dict(table.attrs)  # the synthetic label and the forecast note
    return out


#: The line under an RCC's name in its small chart, for the figure it is ordered by.
WORDS = {"trend_pct_per_year": "Rate {:+.1f}% a year over 5 years",
         "placed_inside_pct": "{:.0f}% placed inside the RCC",
         "places_per_10k": "{:,.1f} home places per 10,000",
         "spend_per_child_gbp": "£{:,.0f} a child a year",
         "above_cap_pct": "{:.0f}% of fees above the cap",
         "forecast_growth_pct": "{:+.1f}% forecast in 3 years",
         "flagged_las": "{:,.0f} LA(s) flagged"}


def value_words(row: pd.Series, column: str) -> str:
    """The line under an RCC's name in its small chart: its rate and direction, or the
    figure it is ordered by ("not shown" where that is blank)."""
    if column not in WORDS:
        direction = row["trend_direction"] if isinstance(row["trend_direction"], str) else ""
        return f"{row['rate_per_10k']:,.0f} per 10,000, {direction}".rstrip(", ")
    value = row[column]
    return "Not shown (see the table)" if pd.isna(value) else WORDS[column].format(value)


def headline(table: pd.DataFrame) -> str:
    """One sentence: the highest and lowest rate among the RCCs, beside England's."""
    rccs = table[table["rcc_id"] != ENGLAND].sort_values("rate_per_10k")
    england = table.loc[table["rcc_id"] == ENGLAND, "rate_per_10k"].iloc[0]
    high, low = rccs.iloc[-1], rccs.iloc[0]
    return (f"**{high['rcc']} has the highest rate of children looked after "
            f"({high['rate_per_10k']:,.0f} per 10,000), {low['rcc']} the lowest "
            f"({low['rate_per_10k']:,.0f}); England's is {england:,.0f}.**")


def small_multiples(table: pd.DataFrame, column: str, year: int) -> None:
    """One small chart per RCC, in rows that wrap to the screen's width."""
    with st.container(horizontal=True, gap="small"):
        for _, row in table[table["rcc_id"] != ENGLAND].iterrows():
            figure = cached_rccs.small_rate_figure(row["rcc_id"], year, value_words(row, column))
            st.plotly_chart(frame.frozen(figure), width=WIDTH, config={"displayModeBar": False},
                            alt=f"Line chart of {row['rcc']}'s rate of children looked after "
                                "per 10,000 by year, with England's dashed")
    st.caption(cached_rccs.rate_source())


def column_help(table: pd.DataFrame) -> dict:
    """Each column's heading, format and meaning (shown when the heading is pointed at)."""
    config: dict = {column: None for column in HIDDEN_COLUMNS}
    for column, meaning in MEANINGS.items():
        setting = dict(frame.column_setting(column, table[column]))
        setting["label"] = HEADINGS.get(column, setting.get("label"))
        config[column] = {**setting, "help": meaning}
    config["rcc"]["pinned"] = True  # the name stays in view while the reader scrolls across
    return config


def notes(table: pd.DataFrame, year: int) -> None:
    """What the table's blanks and case-level columns mean, in a few plain lines."""
    case_year = table["case_year"].iloc[0]
    lines = ["Blank cells: a count under 5, or a figure others could work one out from, "
             "is hidden to protect children (disclosure control), and so is any figure "
             "made from it; the row's note says which. England has no self-sufficiency."]
    if pd.isna(case_year):
        lines.append("No case-level placements are loaded, so self-sufficiency, other "
                     "regions and fees above the cap are blank.")
    elif int(case_year) != year:
        lines.append(f"Case-level placements are held for 31 March {int(case_year)} only: "
                     "self-sufficiency and other regions are for that day.")
    lines.append(f"Fees: current placements against a cap of {table['cap_percent'].iloc[0]:g}% "
                 "(the board's, or the reference cap until the board sets one). Spend: "
                 "2024-25. Homes and places: Ofsted, 31 March 2023. Children placed outside "
                 "England, or whose placement is not recorded, are not counted in another "
                 "region.")
    forecast = table.attrs.get("forecast_note")
    if forecast:
        lines.append(forecast)
    for line in lines:
        st.caption(line)


filters = frame.current()
year = filters.year
st.title(f"All RCCs, 31 March {year}")
st.caption("Every RCC side by side. The sidebar's year applies; its area does not (this "
           "page always shows every RCC).")
comparison = cached_rccs.rcc_comparison(year, cached_costs.fee_cap_percent())
st.markdown(headline(comparison))
sort = st.selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="rcc_sort")
comparison = ordered(comparison, sort)
st.subheader("Children looked after per 10,000 children, each RCC beside England",
             anchor=False)
small_multiples(comparison, sort, year)
st.subheader("Every RCC side by side", anchor=False)
st.caption("Point at a heading to read what it means; click it to sort the table.")
frame.table(comparison, "rcc-comparison", "the comparison of every RCC", year=year,
            column_config=column_help(comparison))
notes(comparison, year)
