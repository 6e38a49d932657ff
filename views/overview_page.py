"""Overview: the headline figures for the chosen scope, each beside England's."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import reorganisation
from analysis.suppression import show
from components.source import left_out_note
from views import frame

filters = frame.current()
scope, year = filters.scope, filters.year
releases = cached.releases()
summary = cached.scope_summary(scope, year)

st.title(f"Overview: {filters.title}")
st.markdown(f"Children looked after by local authorities at **31 March {year}**, "
            "with England for comparison.")

SUFFIX = {"% placed outside the LA and more than 20 miles from home": "%"}
columns = st.columns(len(summary))
for column, row in zip(columns, summary.itertuples()):
    suffix = SUFFIX.get(row.measure, "")
    with column, st.container(border=True, height="stretch"):
        st.markdown(f"**{row.measure}**")
        st.metric(row.measure, show(row.scope_value, row.scope_symbol, 0, suffix),
                  label_visibility="collapsed")
        if scope.kind != "england":
            st.markdown(f"England: {show(row.england_value, None, 0, suffix)}")
        publisher = releases.set_index("dataset").at[row.dataset, "publisher"]
        st.caption(f"{publisher}, {row.date}. {row.note}")

trend = cached.rate_trend(scope)
breaks = (reorganisation.break_years(cached.code_changes(), {scope.code})
          if scope.kind == "la" else {})
frame.chart(cached.trend_figure(scope, filters.title),
            f"Line chart of children looked after per 10,000 children by year for "
            f"{filters.title} and England")
left_out = left_out_note(trend[trend["series"] == filters.title])
if left_out:
    st.caption(left_out)
if breaks:
    st.info("This LA was created by a reorganisation, so its series starts afresh. The "
            "earlier council's figures are shown as a separate line and are not apportioned. "
            "See *Data & methods*.", icon=":material/info:")

comparison = cached.comparison_rates(scope, year)
compared = cached.compared_with(scope, filters.title)
frame.chart(cached.comparison_figure(scope, year, filters.title),
            f"Bar chart of the rate per 10,000 children at 31 March {year} for {compared}, "
            "with England's rate marked")

st.subheader("Tables")
with st.expander("Headline figures", expanded=False):
    frame.table(summary, "overview", "headline figures", scope=scope, year=year)
with st.expander(f"Rates of {compared}"):
    frame.table(comparison, "scope-comparison", "comparison", scope=scope, year=year)
with st.expander("Rate per 10,000 over time"):
    frame.table(trend, "rate-trend", "rate over time", scope=scope)
