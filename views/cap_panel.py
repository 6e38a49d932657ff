"""What placements cost, and the board's cap (Costs page): what a typical fee is made of,
which placements and providers are charged above the board's cap on surplus, how much
above it per year ("what the cap would have saved"), the cap's history, and a form to set
the cap.

Every count comes from the fee disclosure family (``cached_costs.fee_family``), and every
amount is shown only where its placements' count may be described (5 or more)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import cached_costs
from analysis import fee_cap
from analysis.disclosure import SUPPRESSED, label_if_synthetic
from components.source import records_origin
from data.errors import UserInputError
from data.fee_cap_tables import MAKE_UP_COLUMNS, YEAR_COLUMNS
from views import frame

HISTORY_COLUMNS = {"percent": "Cap, % above operating cost", "effective_from": "From",
                   "set_by": "Set by", "set_at": "Set on", "note": "Note"}
ASSUMPTIONS = (
    "**How to read it.** A provider declares its *surplus* (or reinvestment) as a % of its "
    "*operating cost*, so operating cost = weekly fee ÷ (1 + surplus %). The board's cap "
    "allows operating cost plus the cap %; what a placement is charged beyond that is its "
    "*amount above the cap*. Placements whose provider declared no surplus are counted "
    "as *not declared*, never as within the cap. *What the cap would have saved* in the "
    "records' last financial year multiplies each placement's weekly amount above the cap "
    "by the weeks it was open in that year, **assuming its fee was the same for the whole "
    "placement** (the records hold today's fee only), and counts only placements still "
    "open at the year's end (one that ended during the year is left out, so the figure is "
    "lower than what was paid); *a full year at today's fees* is the weekly amount above "
    "the cap times 52.18. Earlier years are not shown: the few of today's placements open "
    "then would say little and could point to single children. The fee's parts (core "
    "care, extra staffing, education, therapy) add up to the fee as charged; the chart "
    "takes the surplus out of them in proportion. Cash terms. Counts of 1 to 4 are hidden "
    "(\"c\"), with some others so they cannot be worked out, and no amount is shown for "
    "fewer than 5 placements.")


def render(filters: frame.Filters) -> None:
    """The section: words first, then the make-up, providers, years, history and form."""
    st.subheader("What placements cost, and the board's cap", anchor=False)
    cap = cached_costs.board_cap()
    rows = cached_costs.scope_fees(filters.scope)
    if rows.empty:
        st.markdown(f"No placements with a weekly fee in the records for {filters.title}.")
    else:
        percent = cached_costs.fee_cap_percent()
        if cap is None:
            st.info(f"The board has not set a cap yet. The figures below use a reference cap "
                    f"of {percent:g}% above operating cost; it is not the board's. The board "
                    "sets one under *Set the board's cap* below.", icon=":material/info:")
        tables = cached_costs.cap_tables(filters.scope, percent)
        st.markdown(headline(cap, percent, tables["summary"], filters.title))
        make_up_section(filters, tables["make_up"], rows)
        providers_section(filters, tables["providers"], percent)
        years_section(filters, tables["by_year"], rows, percent)
        st.markdown(ASSUMPTIONS)
    history_section()
    cap_form()


def count_words(count, noun: str) -> str:
    """'1,234 placements', or words for a hidden or small count."""
    if count == SUPPRESSED:
        return f"a few {noun}s (the number is hidden to protect children)"
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def headline(cap, percent: float, summary: dict, title: str) -> str:
    """The answer in plain words: the cap, who set it, what is above it, what it saves."""
    if cap is not None:
        opening = (f"The board's cap is **{percent:g}% above operating cost**, in force from "
                   f"{cap['effective_from']:%-d %B %Y}, set by {cap['set_by']} on "
                   f"{pd.Timestamp(cap['set_at']):%-d %B %Y}.")
    else:
        opening = (f"At a reference cap of **{percent:g}% above operating cost** (not the "
                   "board's):")
    above = summary[fee_cap.ABOVE]
    if above == 0:
        return f"{opening} No placement made by {title} is charged above it."
    providers = summary["providers"]
    words = (f"{opening} In {title}, {count_words(above, 'placement')} "
             + (f"by {providers:,} provider{'' if providers == 1 else 's'} " if
                above != SUPPRESSED else "")
             + "are charged above it.")
    if summary["last_year_amount"] is not None:
        words += (f" At the cap, {title} would have paid **£{summary['last_year_amount']:,.0f} "
                  f"less in {summary['last_year']}** (cash terms).")
    not_declared = summary[fee_cap.NOT_DECLARED]
    if not_declared not in (0, SUPPRESSED):
        words += (f" {count_words(not_declared, 'placement')} had no surplus declared, so "
                  "cannot be checked against the cap.")
    return words


def source(rows: pd.DataFrame, what: str, unit: str = "£ a week") -> str:
    """A chart's source line: the records' day, cash terms, their origin, the label."""
    as_at, synthetic = rows.attrs.get("as_at"), bool(rows.attrs.get("synthetic"))
    day = f"{as_at:%-d %B %Y}" if as_at is not None else "the records' last day"
    return label_if_synthetic(f"{what}: placements open at {day}, {unit}, cash terms, from "
                              f"case-level records: {records_origin(synthetic)}. Computed by "
                              "RCC Insight.", synthetic)


def make_up_section(filters: frame.Filters, table: pd.DataFrame, rows: pd.DataFrame) -> None:
    """The typical fee of each placement type, split into operating parts and surplus."""
    st.markdown(f"**What a typical weekly fee is made of, {filters.title}**")
    if table.empty:
        st.markdown("Too few placements with every part of the fee declared to show here.")
        return
    names = {MAKE_UP_COLUMNS[p]: fee_cap.PART_LABELS[p] for p in (*fee_cap.PARTS, "surplus")}
    group = MAKE_UP_COLUMNS["group"]
    long = table.melt(id_vars=[group], value_vars=list(names), var_name="Part",
                      value_name="£ a week")
    long["Part"] = long["Part"].map(names)
    st.vega_lite_chart(bars(long, "£ a week", group, "Part"), width="stretch",
                       alt="Stacked bars: the mean weekly fee of each placement type, split "
                           "into core care, extra staffing, education, therapy and surplus")
    st.caption(source(rows, "Mean weekly fee by part"))
    frame.table(table, "cap-make-up", "fee make-up", scope=filters.scope)


def providers_section(filters: frame.Filters, table: pd.DataFrame, percent: float) -> None:
    """The providers charging above the cap for the scope's placements."""
    st.markdown(f"**Providers charging above a cap of {percent:g}%, {filters.title}**")
    if table.empty:
        st.markdown("No provider is charging above the cap here.")
        return
    frame.table(table, "cap-breaches", "providers above the cap", scope=filters.scope)


def years_section(filters: frame.Filters, table: pd.DataFrame, rows: pd.DataFrame,
                  percent: float) -> None:
    """What the cap would have saved: the records' last financial year, and a full year."""
    st.markdown(f"**What a cap of {percent:g}% would have saved, {filters.title}**")
    if table.empty:
        st.markdown("Too few placements above the cap to show amounts here.")
        return
    st.vega_lite_chart(bars(table, YEAR_COLUMNS["amount"], YEAR_COLUMNS["financial_year"]),
                       width="stretch", alt="Bars: the amount charged above the cap in the "
                                            "last financial year and in a full year")
    st.caption(source(rows, "Amount above the cap in the last financial year (placements "
                            "open at its end, each for its weeks open in the year, fee assumed "
                            "the same throughout) and in a full year at today's fees",
                      "£ a year"))
    frame.table(table, "cap-by-year", "what the cap would have saved", scope=filters.scope)


def bars(table: pd.DataFrame, amount: str, label: str, part: str | None = None) -> dict:
    """A Vega-Lite bar chart of ``amount`` (£) by ``label``, stacked by ``part`` if given:
    a plain specification, cheaper on every run than a chart object, large type for a
    projector."""
    encoding = {"y": {"field": label, "type": "nominal", "sort": None, "title": None},
                "x": {"field": amount, "type": "quantitative", "stack": "zero",
                      "axis": {"format": ",.0f"}},
                "tooltip": [{"field": c, "type": "quantitative" if c == amount else
                             "nominal", **({"format": ",.0f"} if c == amount else {})}
                            for c in (label, part, amount) if c]}
    rows = table[[c for c in (label, part, amount) if c]].copy()
    if part is not None:
        order = list(pd.unique(rows[part]))
        rows["order"] = rows[part].map(order.index)
        encoding["color"] = {"field": part, "type": "nominal", "sort": order,
                             "legend": {"orient": "bottom", "title": None, "columns": 3}}
        encoding["order"] = {"field": "order", "type": "quantitative"}
    return {"data": {"values": rows.to_dict("records")}, "mark": {"type": "bar"},
            "encoding": encoding, "height": {"step": 44},
            "config": {"axis": {"labelFontSize": 15, "titleFontSize": 15, "labelLimit": 260},
                       "legend": {"labelFontSize": 15, "labelLimit": 260}}}


def history_section() -> None:
    """Every cap the board has set, newest first."""
    history = cached_costs.cap_history()
    with st.expander("The cap's history"):
        if history.empty:
            st.markdown("The board has not set a cap yet.")
        else:
            frame.table(history.rename(columns=HISTORY_COLUMNS), "cap-history",
                        "the cap's history")


def cap_form() -> None:
    """Set the board's cap: recorded with the date it applies from and who set it; every
    earlier cap stays on record."""
    with st.expander("Set the board's cap"):
        with st.form("cap_form", border=False):
            percent = st.number_input("Cap, % above operating cost", 0.0, 100.0, 10.0,
                                      step=0.5, format="%.1f", key="cap_percent")
            start = st.date_input("Applies from", date.today(), key="cap_from")
            who = st.text_input("Set by", placeholder="Your name and role", key="cap_by")
            note = st.text_input("Note (optional)", placeholder="e.g. board meeting, date",
                                 key="cap_note")
            if st.form_submit_button("Record the cap", key="cap_submit"):
                record(percent, start, who, note)


def record(percent: float, start, who: str, note: str) -> None:
    """Write the cap through data.caps and say what was done (or what was wrong)."""
    try:
        row = cached_costs.set_cap(percent, start, who, note or None)
    except UserInputError as problem:
        st.error(str(problem))
        return
    st.success(f"Recorded a cap of {row['percent']:g}% above operating cost from "
               f"{row['effective_from']:%-d %B %Y}, set by {row['set_by']}. Every earlier "
               "cap stays in the history; the figures use the cap in force today.")
