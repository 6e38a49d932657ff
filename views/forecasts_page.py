"""Forecasts: how many children looked after, starting and ceasing in the years ahead, for
the scope chosen, with how good past forecasts were.

The forecasts are fitted by an analyst (``python -m forecasting refresh``, see Data &
methods) and stored; this page only reads them, and says when the data have changed since.
The year filter does not apply: forecasts start from the latest published year.
"""

from __future__ import annotations

import streamlit as st

import cached
import live
from analysis import forecast_words as words
from forecasting.models import MODELS
from forecasting.series import SERIES
from views import frame

SERIES_NAMES = list(SERIES.values())
SCORE_HEADINGS = {"model": "Model", "mase": "Error (MASE)", "mape": "Out by, % (MAPE)",
                  "coverage_80": "80% range held", "coverage_95": "95% range held",
                  "forecasts": "Past forecasts", "default": "Shown by default"}

filters = frame.current()
scope = filters.scope


def choose_series() -> str:
    return st.radio("Children", SERIES_NAMES, horizontal=True, key="forecast_series",
                    format_func=str.capitalize)


def choose_model(view: dict) -> str:
    """The model to show: the series' default (best past accuracy) unless another is chosen."""
    available = [m for m in MODELS if m in set(view["forecasts"]["model"])]
    default = view["forecasts"].loc[view["forecasts"]["default"], "model"]
    first = available.index(default.iloc[0]) if len(default) else 0
    return st.selectbox("Model", available, index=first, format_func=MODELS.get,
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

series = choose_series()
view = cached.forecast_view(scope, series, run.id)
model = choose_model(view) if len(view["forecasts"]) else "prophet"
st.markdown(words.answer(view, series, filters.title, model) + " "
            + words.accuracy(view["scores"], model))
if len(view["forecasts"]):
    frame.vega_chart(cached.forecast_figure(scope, series, model, filters.title, run.id),
                     f"Line chart of {series} in {filters.title} by year, with the "
                     f"{MODELS[model]} forecast, its ranges and its past forecasts")
st.caption(words.default_reason(view["scores"]))

with st.expander("How good each model's past forecasts were"):
    st.markdown("Each model was fitted to the years up to 31 March 2020, 2021, ... 2024 "
                "and its forecasts 1 to 3 years ahead set beside what happened. *Error* "
                "is the average miss divided by the series' usual change from one year to "
                "the next: under 1 beats a forecast of 'same as last year'. The ranges "
                "should hold what happened about 8 and 9.5 times in 10.")
    frame.table(view["scores"].drop(columns=["level", "area_code", "series", "breakdown"],
                                    errors="ignore").replace({"model": MODELS}),
                "backtest", "accuracy of each model", scope=scope, part=series,
                column_config=SCORE_HEADINGS)

st.subheader("Tables")
with st.expander("The forecasts"):
    frame.table(view["forecasts"], "forecasts", "forecasts", scope=scope, part=series)
with st.expander("Past forecasts beside what happened"):
    frame.table(view["backtests"], "backtest", "past forecasts", scope=scope,
                part=f"{series}-past")
