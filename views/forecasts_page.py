"""Forecasts: how many children looked after, starting and ceasing in the years ahead, for
the scope chosen, with how good past forecasts were.

The forecasts are fitted by an analyst (``python -m forecasting refresh``, see Data &
methods) and stored; this page only reads them, and says when the data have changed since.
The year filter does not apply: forecasts start from the latest published year.
"""

from __future__ import annotations

import streamlit as st

import cached_forecasts
import live
from analysis import forecast_words as words
from analysis.disclosure import SYNTHETIC_LABEL
from data.forecast_reads import ALL, SOURCES
from forecasting.series import SERIES
from views import frame

SERIES_NAMES = list(SERIES.values())
SCORE_HEADINGS = {"model": "Model", "mase": "Error (MASE)", "mape": "Out by, % (MAPE)",
                  "coverage_80": "80% range held", "coverage_95": "95% range held",
                  "forecasts": "Past forecasts", "default": "Shown by default"}
BREAKDOWN_WORDS = {ALL: "All children"}

filters = frame.current()
scope = filters.scope


def choose_source() -> str:
    """Published counts (every area, each 31 March) or the case-level records (month by
    month, with placement and cohort breakdowns for RCCs)."""
    return st.radio("Counted from", list(SOURCES), horizontal=True, key="forecast_source",
                    format_func=SOURCES.get)


def choose_series() -> str:
    return st.radio("Children", SERIES_NAMES, horizontal=True, key="forecast_series",
                    format_func=str.capitalize)


def choose_breakdown(source: str, run_id: int) -> str:
    """All children, or one placement group or needs cohort (where stored)."""
    options = cached_forecasts.forecast_breakdowns(scope, source, run_id)
    if len(options) <= 1:
        return ALL
    return st.selectbox("Which children", options, key="forecast_breakdown",
                        format_func=lambda b: BREAKDOWN_WORDS.get(b, b.capitalize()))


def choose_model(view: dict) -> str:
    """The model to show: the series' default (best past accuracy) unless another is chosen."""
    available = [m for m in words.MODEL_NAMES if m in set(view["forecasts"]["model"])]
    default = view["forecasts"].loc[view["forecasts"]["default"], "model"]
    first = available.index(default.iloc[0]) if len(default) else 0
    return st.selectbox("Model", available, index=first, format_func=words.MODEL_NAMES.get,
                        key=f"forecast_model_{default.iloc[0] if len(default) else ''}")


st.title(f"Forecasts: {filters.title}")
run = live.forecast_run()
if run is None:
    st.info("Forecasts have not been made for this data yet. An analyst makes them (see "
            "*Data & methods*); this page then shows them.", icon=":material/schedule:")
    st.stop()
if run.stale:
    st.warning(f"These forecasts were made on {run.fitted_at:%d %B %Y}, before the data "
               "last changed: an analyst should make them again.", icon=":material/update:")

source = choose_source()
if source == "case" and cached_forecasts.case_synthetic():
    st.warning(SYNTHETIC_LABEL, icon=":material/science:")
series = choose_series()
breakdown = choose_breakdown(source, run.id)
pick = cached_forecasts.forecast_pick(scope, source, series, breakdown)
view = cached_forecasts.forecast_view(pick, run.id, run.with_backtest)
model = choose_model(view) if len(view["forecasts"]) else "prophet"
st.markdown(words.answer(view, series, filters.title, model) + " "
            + words.accuracy(view["scores"], model, view["backtests"].query("model == @model")))
if len(view["forecasts"]):
    frame.vega_chart(cached_forecasts.forecast_figure(pick, model, filters.title, run.id,
                                            run.with_backtest),
                     f"Line chart of {series} in {filters.title}, with the "
                     f"{words.MODEL_NAMES[model]} forecast, its ranges and its past forecasts")
st.caption(words.default_reason(view["scores"]))

with st.expander("How good each model's past forecasts were"):
    st.markdown("Each model was fitted to the data up to a past date only and its "
                "forecasts set beside what then happened. *Error* is the average miss "
                "divided by the series' usual change from one count to the next: under 1 "
                "beats carrying the last count forward one step. The ranges should hold "
                "what happened about 8 and 9.5 times in 10.")
    frame.table(view["scores"].drop(columns=["source", "level", "area_code", "series",
                                             "breakdown"], errors="ignore")
                .replace({"model": words.MODEL_NAMES}),
                "forecast-scores", "accuracy of each model", scope=scope, part=series,
                column_config=SCORE_HEADINGS)

st.subheader("Tables")
with st.expander("The forecasts"):
    frame.table(view["forecasts"], "forecasts", "forecasts", scope=scope, part=series)
with st.expander("Past forecasts beside what happened"):
    frame.table(view["backtests"], "backtest", "past forecasts", scope=scope,
                part=f"{series}-past")
