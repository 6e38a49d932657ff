"""How fees vary (Costs page): weekly fees by provider sector, provider size, placement type
and needs cohort (median and middle half), then whether placements outside the LA or the
RCC cost more than those inside it for children of the same needs cohort.

Every count and statistic is gated by the fee disclosure family for the board's cap (the cap
panel's family: ``cached_costs.fee_cap_percent``); no placement is drawn on its own."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cached_costs
from analysis import fee_stats
from views import frame

#: The breakdowns a reader picks between: breakdown -> words.
BREAKDOWNS = {"sector": "provider sector", "provider_size": "provider size",
              "placement": "placement type", "cohort": "needs cohort"}
BOUNDARIES = {"la": "the LA", "rcc": "the RCC"}
SPREAD_COLUMNS = {"breakdown": "Breakdown", "value": "Group", "placements": "Placements",
                  "median": "Median fee (£ a week)", "lower_quartile": "Lower quartile (£)",
                  "upper_quartile": "Upper quartile (£)", "mean": "Mean fee (£ a week)"}
COMPARISON_COLUMNS = {
    "cohort": "Needs cohort", "inside_placements": "Placements inside",
    "outside_placements": "Placements outside", "inside_mean_fee": "Mean fee inside (£)",
    "outside_mean_fee": "Mean fee outside (£)",
    "outside_more_pct": "Typical fee outside: % more", "outside_more_lower_pct": "95% from",
    "outside_more_upper_pct": "95% to", "inside_mean_miles": "Miles inside (mean)",
    "outside_mean_miles": "Miles outside (mean)", "miles_difference": "Extra miles outside",
    "miles_difference_lower": "95% from (miles)", "miles_difference_upper": "95% to (miles)"}
ASSUMPTIONS = (
    "**How to read it.** Fees are what LAs are charged a week for placements open on the "
    "records' last day, in cash terms. The *median* is the middle fee: half cost more, half "
    "less; the bar spans the *middle half* (lower to upper quartile). No figure is shown "
    "for fewer than 5 placements, and some other counts are hidden (\"c\") so they cannot "
    "be worked out from the rest. *Inside or outside*: each needs cohort's typical fee "
    "outside the LA (or RCC) is compared with inside; the interval is where the true "
    "difference most likely lies (95%), and an interval that includes 0% means the data "
    "cannot tell a difference from none. The first line also compares like placement "
    "types, since children's homes are dearer and more often out of area. This shows "
    "association, not cause: placements outside may differ in ways the records do not "
    "hold. Distances are from the child's home to the placement, where recorded.")


def render(filters: frame.Filters) -> None:
    """The section: words, then the spread chart and table, then inside or outside."""
    if not opened(filters, "How fees vary"):
        return
    scope, cap = filters.scope, cached_costs.fee_cap_percent()
    table = cached_costs.fee_spread(scope, cap)
    sentences = fee_stats.distribution_sentences(table)
    st.markdown(" ".join(sentences) if sentences else
                "Too few placements with a fee to describe here.")
    spread_section(filters, table, cap)
    inside_outside_section(filters, cap)
    st.markdown(ASSUMPTIONS)


def opened(filters: frame.Filters, heading: str) -> bool:
    """A fee section's heading, and whether the scope has fees to show (saying so if not)."""
    st.subheader(heading, anchor=False)
    if cached_costs.scope_fees(filters.scope).empty:
        st.info(f"No placements with a weekly fee are held for {filters.title}.",
                icon=":material/info:")
        return False
    return True


def spread_section(filters: frame.Filters, table: pd.DataFrame, cap: float) -> None:
    """The chosen breakdown's chart, and the whole table with its download."""
    scope = filters.scope
    breakdown = st.segmented_control("Fees by", list(BREAKDOWNS), format_func=BREAKDOWNS.get,
                                     default="sector", key="fee-spread-by") or "sector"
    if table.loc[table["breakdown"] == breakdown, "median"].notna().any():
        figure = cached_costs.fee_spread_figure(
            scope, breakdown, f"Weekly fees by {BREAKDOWNS[breakdown]}: {filters.title}", cap)
        frame.chart(figure, f"Bars of the middle half of weekly fees, with the median marked, "
                            f"by {BREAKDOWNS[breakdown]}")
    else:
        st.markdown(f"No {BREAKDOWNS[breakdown]} has enough placements to describe here.")
    with st.expander("The table: fees by every breakdown"):
        shown = table.assign(breakdown=table["breakdown"].map(
            {"all": "All placements", **BREAKDOWNS}).str.capitalize())
        frame.table(shown, "fees", "fee distribution", scope=scope, year=as_at_year(),
                    column_config=SPREAD_COLUMNS)


def inside_outside_section(filters: frame.Filters, cap: float) -> None:
    """Inside or outside the LA or RCC, within cohort: words, chart, table."""
    scope = filters.scope
    st.markdown("#### Do placements outside the area cost more?")
    boundary = st.segmented_control("Inside or outside", list(BOUNDARIES),
                                    format_func=BOUNDARIES.get, default="la",
                                    key="fee-boundary") or "la"
    table, adjusted = cached_costs.fee_inside_outside(scope, boundary, cap)
    sentences = fee_stats.inside_outside_sentences(table, adjusted, boundary)
    st.markdown("\n".join(f"- {line}" for line in sentences))
    if adjusted is not None:
        where = fee_stats.BOUNDARY_WORDS[boundary]
        frame.chart(cached_costs.fee_inside_outside_figure(
            scope, boundary, where, f"Typical fee outside {where} against inside, by needs "
                                    f"cohort: {filters.title}", cap),
            f"Points with 95% intervals: how much more the typical fee is outside {where} "
            f"than inside, for all cohorts and each needs cohort")
    with st.expander("The table: inside and outside by needs cohort"):
        frame.table(table, "fees-inside-outside", "fees inside and outside", scope=scope,
                    year=as_at_year(), part=boundary, column_config=COMPARISON_COLUMNS)


def as_at_year() -> int | None:
    """The year of the records' last day (31 March), for download names."""
    as_at = cached_costs.fee_as_at()[0]
    return None if as_at is None else as_at.year
