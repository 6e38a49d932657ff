"""Accountability: which LAs owe the board an explanation, why, and what was asked."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import accountability as rule
from views import frame, register_panel

filters = frame.current()
scope, year = filters.scope, filters.year

st.title(f"Accountability: {filters.title}")
st.markdown("Local authorities whose rate of children in care is unusually high, or rising, "
            "are asked to **explain themselves to the board**. This page shows who meets the "
            f"rule at **31 March {year}**, why, and what has been asked and answered.")

with st.expander("The rule and its settings", icon=":material/tune:"):
    rule_words = st.empty()
    left, right = st.columns(2)
    target = left.radio("Target line", rule.TARGETS, horizontal=True,
                        format_func={"england": "England's rate",
                                     "rcc": "The RCC's rate"}.get, key="rule_target",
                        disabled=scope.kind not in ("rcc", "la"),
                        help="The RCC's rate is available when an RCC or LA is chosen.")
    limits = left.radio("Control limits", rule.LIMITS, horizontal=True, key="rule_limits",
                        format_func={"auto": "Adjusted if overdispersed (recommended)",
                                     "adjusted": "Overdispersion-adjusted",
                                     "exact": "Exact Poisson"}.get)
    years = right.slider("Years in the trend", 3, 10, 5, key="rule_years")
    above_998 = right.checkbox("Flag: above the 99.8% limit", True, key="rule_998")
    above_95 = right.checkbox("Flag: above the 95% limit and rising", True, key="rule_95")
    in_a_row = right.number_input("Flag: up in each of this many years and rising "
                                  "significantly (0 = off)", 0, 5, 3, key="rule_row")
settings = rule.RuleSettings(limits=limits, target=target if scope.kind in ("rcc", "la")
                             else "england", trend_years=years, above_998=above_998,
                             above_95_and_rising=above_95, rising_years=int(in_a_row))
rule_words.markdown(rule.in_words(settings))

table = cached.accountability(year, settings, scope)
members = set(cached.scope_codes(scope))
in_scope = table[table["la_code"].isin(members)]
kind = table["limits_used"].iloc[0]
target_name = cached.table_target_name(table, settings, scope)

st.info(rule.spread_in_words(table), icon=":material/info:")
with st.expander("How the limits and trends are worked out"):
    st.markdown(rule.method_in_words(table))

flagged = in_scope[in_scope["flag"]].sort_values("z_score_adjusted", ascending=False)
st.header(f"{len(flagged)} of {len(in_scope)} LAs owe the board an explanation")
if flagged.empty:
    st.success(f"No LA in {filters.title} meets the rule for 31 March {year}.")
for row in flagged.itertuples():
    st.markdown(f"- **{row.la_name}** ({row.rcc} RCC): {row.flag_reason}")
flag_columns = ["la_name", "rcc", "rate_per_10k", "target_rate_per_10k", "flag_reason",
                "trend_pct_per_year", "trend_p_value", "rank", "la_code"]
with st.expander("The flagged LAs as a table"):
    frame.table(flagged[flag_columns], "la-rates", "flagged LAs", part="flagged",
                scope=scope, year=year,
                column_config={"target_rate_per_10k": st.column_config.NumberColumn(
                                   f"{target_name} rate", format="%.0f"),
                               "flag_reason": st.column_config.TextColumn("Why",
                                                                          width="large")})

frame.chart(cached.funnel_figure(year, settings, scope, filters.title),
            f"Funnel plot of each LA's rate per 10,000 against its number of children, with "
            f"{target_name}'s rate and the control limits; {len(flagged)} LAs in "
            f"{filters.title} lie in the flagged region")
st.caption(rule.limits_caption(kind))

with st.expander("How many LAs each part of the rule flags, year by year (all England)"):
    st.markdown("Counted with these settings, every part switched on, with either kind of "
                "limit. A part that flags no LA in any year never bites.")
    variants = cached.rule_variants(settings, scope)
    frame.table(variants, "rule-variants", "rule variants", scope=scope,
                column_config={"limits": "Limits", "above_998": "Above 99.8%",
                               "above_95_and_rising": "Above 95% and rising",
                               "rising_in_a_row": f"Up {settings.rising_years or 3} years "
                                                  "running and rising",
                               "any_branch": "Any of these",
                               "year": st.column_config.NumberColumn("Year", format="%d")})

st.header("Rates, trends and benchmarks")
if scope.kind == "la":
    model = st.radio("Statistical neighbours", ["2025", "2021"], horizontal=True,
                     format_func=lambda m: f"DfE {m} model", key="sn_model")
    bench = cached.benchmarks(scope.code, year, model)
    frame.chart(cached.benchmark_figure(scope.code, model, filters.title),
                f"Line chart of {filters.title}'s rate per 10,000 by year beside its region, "
                "RCC, England and its statistical neighbours' average")
    frame.table(bench, "benchmarks", "benchmarks", scope=scope, year=year, model=model)
else:
    scope_columns = ["la_name", "rate_per_10k", "quartile", "rank", "trend_pct_per_year",
                     "trend_p_value", "trend_direction", "flag", "la_code"]
    st.markdown("Quartile 4 holds the quarter of English LAs with the highest rates; rank 1 "
                f"is the highest in England. Trends are over the {years} years to {year}.")
    frame.table(in_scope.sort_values("rank")[scope_columns], "la-rates", "LA rates",
                scope=scope, year=year)

register_panel.render(flagged, in_scope, settings, year)
