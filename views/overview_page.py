"""Overview: the answer first (how many children, at what rate, against England), then the
headline figures, the charts and, for one LA, the accountability rule and its neighbours."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import headline, reorganisation
from analysis.accountability import RuleSettings
from analysis.suppression import SYMBOL_MEANINGS, show
from components.source import left_out_note
from views import frame, neighbours_panel

#: Headline cards per row: three fit beside the sidebar on a 1024 px projector.
CARDS_PER_ROW = 3
SUFFIX = {"% placed outside the LA and more than 20 miles from home": "%"}
#: What a card's figure means where its heading alone could be misread.
MEANS = {"% placed outside the LA and more than 20 miles from home":
         "DfE's measure of both at once: placed outside their own LA and more than 20 miles "
         "from home. Not the Maps page's '% placed more than 20 miles from home', which "
         "counts any placement that far, in or outside the LA."}

filters = frame.current()
scope, year = filters.scope, filters.year
releases = cached.releases().set_index("dataset")
summary = cached.scope_summary(scope, year)


def card(row) -> None:
    """One headline figure: its name, the value (or DfE's symbol), England's, the source."""
    suffix = SUFFIX.get(row.measure, "")
    with st.container(border=True, height="stretch"):
        st.markdown(f"**{row.measure}**", help=card_help(row))
        st.metric(row.measure, show(row.scope_value, row.scope_symbol, 0, suffix),
                  label_visibility="collapsed")
        if row.scope_symbol:
            st.caption(f"{row.scope_symbol}: "
                       f"{SYMBOL_MEANINGS.get(row.scope_symbol, 'not available')}.")
        if scope.kind != "england":
            st.markdown(f"England: {show(row.england_value, None, 0, suffix)}")
        st.caption(f"{releases.at[row.dataset, 'publisher']}, {row.date}.")


def card_help(row) -> str | None:
    """A card's tooltip: what the figure counts where its name could be misread, and how
    it was worked out."""
    return " ".join(part for part in (MEANS.get(row.measure), row.note) if part) or None


def accountability() -> None:
    """Whether the LA meets the accountability rule this year (default settings), with a
    link to the Accountability page for the why and the register."""
    table = cached.accountability(year, RuleSettings(), scope)
    rows = table[table["la_code"] == scope.code]
    state, words = headline.accountability_status(rows.iloc[0] if len(rows) else None,
                                                  filters.title, year)
    show_box = {"flagged": st.warning, "clear": st.success, "unknown": st.info}[state]
    show_box(words, icon={"flagged": ":material/gavel:", "clear": ":material/check_circle:",
                          "unknown": ":material/help:"}[state])
    st.page_link("views/accountability_page.py", icon=":material/gavel:",
                 label="Accountability page: the rule, the funnel and the register")


st.title(f"Overview: {filters.title}")
st.markdown(headline.answer(summary, filters.title, scope.kind, year))
if scope.kind == "la":
    accountability()

rows = list(summary.itertuples())
for start in range(0, len(rows), CARDS_PER_ROW):
    for column, row in zip(st.columns(CARDS_PER_ROW), rows[start:start + CARDS_PER_ROW]):
        with column:
            card(row)

trend = cached.rate_trend(scope)
breaks = (reorganisation.break_years(cached.code_changes(), {scope.code})
          if scope.kind == "la" else {})
frame.vega_chart(cached.trend_figure(scope, filters.title),
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
frame.vega_chart(cached.comparison_figure(scope, year, filters.title),
                 f"Bar chart of the rate per 10,000 children at 31 March {year} for {compared}, "
                 "with England's rate marked")

if scope.kind == "la":
    neighbours_panel.render(filters)

st.subheader("Tables")
with st.expander("Headline figures", expanded=False):
    frame.table(summary, "overview", "headline figures", scope=scope, year=year)
with st.expander(f"Rates of {compared}"):
    frame.table(comparison, "scope-comparison", "comparison", scope=scope, year=year)
with st.expander("Rate per 10,000 over time"):
    frame.table(trend, "rate-trend", "rate over time", scope=scope)
