"""Accountability: which LAs owe the board an explanation, why, and what was asked.

The answer comes first (who, why, and whether the board has asked them yet), with the
request form beside it; the rule's settings and the statistics behind it sit in expanders
below. The settings are read before the answer can be worked out, so the answer is
drawn into a space reserved above them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cached
import live
from analysis import access
from analysis import accountability as rule
from analysis.scope import Scope
from views import frame, register_panel

#: The columns of the scope's rates table (the LA's own row at LA scope).
RATE_COLUMNS = ["la_name", "rate_per_10k", "quartile", "rank", "trend_pct_per_year",
                "trend_direction", "flag", "la_code"]
#: Short headings, so the rates table fits a 1024-pixel projector (the quartile and LA
#: code are in the download only).
RATE_HEADINGS = {
    "la_name": st.column_config.TextColumn("LA", width="medium"),
    "rate_per_10k": "Rate", "rank": "Rank", "trend_pct_per_year": "Trend",
    "flag": "Explanation owed", "quartile": None, "la_code": None}


def rule_settings(scope: Scope) -> rule.RuleSettings:
    """The rule's settings, from widgets in an expander (the board may change them)."""
    with st.expander("The rule and its settings", icon=":material/tune:"):
        rule_words = st.empty()
        left, right = st.columns(2)
        target = left.radio("Target line", rule.TARGETS, horizontal=True,
                            format_func={"england": "England's rate",
                                         "rcc": "The RCC's rate"}.get, key="rule_target",
                            disabled=scope.kind not in ("rcc", "la"),
                            help="The RCC's rate is available when an RCC or LA is chosen.")
        limits = left.radio("Control limits", rule.LIMITS, horizontal=True, key="rule_limits",
                            format_func={"auto": "Widened if LAs differ more than chance "
                                                 "would (recommended)",
                                         "adjusted": "Always widened",
                                         "exact": "Chance alone, never widened"}.get)
        years = right.slider("Years in the trend", 3, 10, 5, key="rule_years")
        above_998 = right.checkbox("Flag: above the 99.8% limit", True, key="rule_998")
        above_95 = right.checkbox("Flag: above the 95% limit and rising", True, key="rule_95")
        in_a_row = right.number_input("Flag: up in each of this many years and rising "
                                      "significantly (0 = off)", 0, 5, 3, key="rule_row")
    settings = rule.RuleSettings(
        limits=limits, target=target if scope.kind in ("rcc", "la") else "england",
        trend_years=years, above_998=above_998, above_95_and_rising=above_95,
        rising_years=int(in_a_row))
    rule_words.markdown(rule.in_words(settings))
    return settings


def answer(in_scope: pd.DataFrame, flagged: pd.DataFrame, requests: pd.DataFrame,
           settings: rule.RuleSettings, filters: frame.Filters) -> None:
    """The answer in a sentence or two, then who and why with the register's status of
    each, and the form to ask for an explanation right under the list."""
    headline, details = rule.answer_in_words(in_scope, filters.title, filters.year, settings)
    st.subheader(headline, anchor=False)
    if details:
        st.markdown(" ".join(details))
    may_ask = requests is not None and access.may_act(cached.viewer(), access.RECORD)
    if flagged.empty:
        if not may_ask:
            return
        with st.expander("Ask an LA for an explanation all the same",
                         expanded="register_flash" in st.session_state):
            request_form(flagged, in_scope, settings, filters.year)
        return
    flagged_list(flagged, requests, filters.year)
    if not may_ask:
        return
    with st.container(border=True):
        st.markdown("**Ask for an explanation**")
        request_form(flagged, in_scope, settings, filters.year)


def flagged_list(flagged: pd.DataFrame, requests: pd.DataFrame | None, year: int) -> None:
    """Each flagged LA, where the board stands with it in the register (for those who may
    read the register), and why: one block of text (one element, however many LAs)."""
    statuses = None if requests is None else rule.register_statuses(requests, year)
    st.markdown("\n\n".join(flagged_entry(row, statuses) for row in flagged.itertuples()))


def flagged_entry(row, statuses: dict[str, str] | None) -> str:
    """One flagged LA: name, RCC, register status (orange if never asked), reason."""
    rcc = f" · {row.rcc} RCC" if isinstance(row.rcc, str) else ""
    if statuses is None:
        return f"**{row.la_name}**{rcc}  \n{row.flag_reason}"
    status = statuses.get(row.la_code, rule.NOT_ASKED)
    colour = "blue" if row.la_code in statuses else "orange"
    return f"**{row.la_name}**{rcc} · :{colour}-badge[{status}]  \n{row.flag_reason}"


def request_form(flagged: pd.DataFrame, in_scope: pd.DataFrame,
                 settings: rule.RuleSettings, year: int) -> None:
    """The register's new-request form, with the confirmation of the last request."""
    register_panel.show_flash()
    register_panel.record_request(flagged, in_scope, settings, year)


def method(table: pd.DataFrame, settings: rule.RuleSettings, scope: Scope) -> None:
    """How the limits and trends are worked out, and how often each part of the rule
    bites: for whoever asks, folded away."""
    with st.expander("How the limits and trends are worked out", icon=":material/functions:"):
        st.info(rule.spread_in_words(table), icon=":material/info:")
        st.markdown(rule.method_in_words(table))
    with st.expander("How many LAs each part of the rule flags, year by year (all England)",
                     icon=":material/table_chart:"):
        st.markdown("Counted with these settings, every part switched on, with either kind of "
                    "limit. A part that flags no LA in any year never bites.")
        frame.table(cached.rule_variants(settings, scope), "rule-variants", "rule variants",
                    scope=scope,
                    column_config={"limits": "Limits", "above_998": "Above 99.8%",
                                   "above_95_and_rising": "Above 95% and rising",
                                   "rising_in_a_row": f"Up {settings.rising_years or 3} "
                                                      "years running and rising",
                                   "any_branch": "Any of these"})


def funnel(table: pd.DataFrame, in_scope: pd.DataFrame, flagged: pd.DataFrame,
           settings: rule.RuleSettings, filters: frame.Filters) -> None:
    """The funnel plot, what its lines mean, and which LAs of the scope it cannot show."""
    target_name = rule.target_name(table, settings, filters.scope.kind,
                                  cached.scope_codes(filters.scope))
    frame.chart(cached.funnel_figure(filters.year, settings, filters.scope, filters.title),
                f"Funnel plot of each LA's rate per 10,000 against its number of children, "
                f"with {target_name}'s rate and the control limits; {len(flagged)} LAs in "
                f"{filters.title} lie in the flagged region and are named")
    missing = in_scope.loc[~rule.assessable(in_scope), "la_name"].tolist()
    off_plot = f" Not on the plot (no rate): {', '.join(missing)}." if missing else ""
    st.caption(rule.limits_caption(table["limits_used"].iloc[0]) + off_plot)


def rates(in_scope: pd.DataFrame, filters: frame.Filters, years: int) -> None:
    """The scope's LAs' rates, ranks and trends; at LA scope, that LA's row alone."""
    shown = in_scope.assign(flag=rule.verdicts(in_scope))
    shown = shown.sort_values("rank")[RATE_COLUMNS]
    if filters.scope.kind == "la":
        st.header(f"{filters.title}'s rate and rank", anchor=False)
        st.markdown("Its statistical neighbours are on the **Overview** page.")
    else:
        st.header(f"Rates of the LAs in {filters.title}", anchor=False)
    st.markdown(f"Rates are per 10,000 children; rank 1 is the highest in England. A trend is "
                f"the average % change a year over the {years} years to {filters.year}.")
    frame.table(shown, "la-rates", "LA rates", scope=filters.scope, year=filters.year,
                column_config=RATE_HEADINGS)


def main() -> None:
    """Read the filters and settings, work out the answer, draw the page."""
    filters = frame.current()
    st.title(f"Accountability: {filters.title}")
    answer_space = st.container()
    settings = rule_settings(filters.scope)
    table = cached.accountability(filters.year, settings, filters.scope)
    in_scope = table[table["la_code"].isin(cached.scope_codes(filters.scope))]
    flagged = in_scope[in_scope["flag"]].sort_values("z_score_adjusted", ascending=False)
    requests = register_requests(in_scope)
    with answer_space:
        answer(in_scope, flagged, requests, settings, filters)
    method(table, settings, filters.scope)
    funnel(table, in_scope, flagged, settings, filters)
    rates(in_scope, filters, settings.trend_years)
    register_panel.render(requests)


def register_requests(in_scope: pd.DataFrame) -> pd.DataFrame | None:
    """The scope's register, or None where the viewer may not read it (the board's own
    business: not published data); the register section then says why."""
    try:
        return live.register_requests(set(in_scope["la_code"]))
    except access.AccessDenied:
        return None


main()
