"""Homes needed: for providers deciding where to open a home and boards commissioning one.
Per RCC and needs cohort, the children in children's homes now and forecast in 1, 3 and 5
years, against the places in the RCC's own homes that match their needs, ranked by the
shortfall; then what-ifs on one RCC (``views/scenario_panel.py``).

Counts come from children's records through the needs audit's disclosure control; the
forecasts are the stored case-level ones (``python -m forecasting refresh``)."""

from __future__ import annotations

import streamlit as st

import cached
import cached_forecasts
import live
from forecasting import outlook
from views import frame, scenario_panel, specificity_panel

COLUMNS = {"rcc": "RCC", "cohort": st.column_config.TextColumn("Children in", width=240),
           "children_now": "Now",
           "in_1_year": "In 1 year", "in_3_years": "In 3 years", "in_5_years": "In 5 years",
           "matching_places": "Matching places", "shortfall_5_years": "Short in 5 years",
           "rank": "Rank", "note": "Note",
           **{f"in_{span}_lower_80": f"{words}: 80% range from" for span, words in (
               ("1_year", "1 year"), ("3_years", "3 years"), ("5_years", "5 years"))},
           **{f"in_{span}_upper_80": "to" for span in ("1_year", "3_years", "5_years")}}
HOW = ("**How to read it.** *Now*: children in children's homes placed by the RCC's LAs at "
       "31 March. *In 1, 3, 5 years*: the RCC's stock-and-flow forecast of children in "
       "children's homes (from today's children and the rates children enter, move and "
       "leave at), shared among the cohorts as they are now (the cohorts' own histories "
       "cannot be forecast: needs are recorded only for children in care now). *Matching "
       "places*: places in the RCC's own homes whose offer fits the children's age, sex and "
       "every need (the Needs page's rule). *Short in 5 years*: the forecast less the "
       "matching places; negative means spare places.")

filters = frame.current()
scope, year = filters.scope, filters.year


def ranked_section(table, run, offers: tuple, case_year: int, version: int) -> None:
    """The answer in words, the chart and the ranked table for the scope's RCCs."""
    rcc = specificity_panel.scope_rcc(scope)
    mine = table if rcc is None else table[table["rcc"] == rcc]
    if mine.empty:
        st.markdown(f"{rcc} has no children in children's homes in the records held.")
        return
    sentences = outlook.outlook_sentences(mine)
    st.markdown("\n".join(f"- {line}" for line in sentences) if sentences else
                "No cohort's shortfall can be shown here (too few children to show).")
    if mine["rank"].notna().any():
        frame.vega_chart(cached_forecasts.outlook_figure(case_year, offers, run.id,
                                                         run.with_backtest, version, rcc),
                         "Bar chart of children forecast in children's homes in five years "
                         "and matching places, by RCC and cohort, largest shortfall first")
    st.markdown(HOW)
    shown = mine.drop(columns=["rcc"]) if rcc is not None else mine
    with st.expander("The table", expanded=rcc is not None):
        frame.table(shown, "homes-needed", "homes needed", scope=scope, year=case_year,
                    column_config=COLUMNS)


def main() -> None:
    st.title(f"Homes needed: {filters.title}")
    st.markdown("Where homes for which children are needed: children in children's homes "
                "now and in the years ahead, against the places in each RCC's own homes "
                "that match their needs.")
    run = live.forecast_run()
    if run is None:
        st.info("Forecasts have not been made for this data yet. An analyst makes them (see "
                "*Data & methods*); this page then shows them.", icon=":material/schedule:")
        return
    version = cached.case_version()
    case_year = frame.case_year(year, version)
    if case_year is None:
        return
    offers = live.offers_version()
    table = cached_forecasts.provider_view(case_year, offers, run.id, run.with_backtest, version)
    if table.empty:
        st.markdown("No children in children's homes are placed by an RCC's LAs in the "
                    "records held.")
        return
    ranked_section(table, run, offers, case_year, version)
    rcc = specificity_panel.chosen_rcc(filters, sorted(set(table["rcc"])))
    if rcc is not None:
        scenario_panel.render(rcc, case_year, offers, run, version)


main()
