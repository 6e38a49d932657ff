"""An LA's statistical neighbours on the Overview: its rate beside the LAs most like it.

DfE publishes two models of which LAs are alike (2021 and 2025); a trustee picks one. A
region and an RCC made of the same LAs have the same rate every year, so the chart draws
them as one line and says so, rather than hiding one exactly under the other.
"""

from __future__ import annotations

import streamlit as st

import cached
from components import charts
from views import frame

MODELS = {"2025": "DfE 2025 model", "2021": "DfE 2021 model"}


def render(filters: frame.Filters) -> None:
    """The neighbours' chart and table for the LA in ``filters``, for the chosen model."""
    scope, year, name = filters.scope, filters.year, filters.title
    st.header("Statistical neighbours")
    st.markdown(f"DfE's statistical neighbours are the ten LAs most like {name} in their "
                "population and circumstances: the fairest comparison for its rate.")
    model = st.radio("Statistical neighbours model", list(MODELS), horizontal=True,
                     format_func=MODELS.get, key="sn_model")
    frame.vega_chart(cached.benchmark_figure(scope.code, model, name),
                     f"Line chart of {name}'s rate per 10,000 by year beside its region, RCC, "
                     "England and its statistical neighbours' average")
    _, twins = charts.merge_identical(cached.benchmark_trend(scope.code, model),
                                      [name, "England"])
    for dropped, kept in twins.items():
        st.caption(f"{dropped} has the same rate as {kept} in every year (the same LAs), so "
                   "one line shows both.")
    frame.table(cached.benchmarks(scope.code, year, model), "benchmarks",
                f"statistical neighbours ({MODELS[model]})", scope=scope, year=year,
                model=model)
    st.caption("Counts for England, the region and the RCC here are sums of the LAs' "
               "published counts; DfE rounds its own totals for England and regions (the "
               "headline figures above) to the nearest 10.")
