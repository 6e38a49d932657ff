"""Cohorts on the Needs page: the groups of children in residential care with similar
needs, found by latent class analysis once per year and data version (analysis/lca.py,
data/cohort_store.py), named by their defining needs, with how they were found folded
away."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import lca
from analysis.access import AccessDenied
from views import frame

SPINNER = ("Finding cohorts in the children's needs (once after each data update; "
           "a few seconds)…")
BIC_COLUMNS = {"classes": "Cohorts", "log_likelihood": "Log-likelihood",
               "parameters": "Parameters", "bic": "BIC (lower is better)",
               "entropy": "Entropy (1 = clear-cut)",
               "mean_posterior": "Mean probability of own cohort", "converged": "Converged",
               "chosen": "Chosen"}
PROFILE_COLUMNS = {"cohort": st.column_config.TextColumn("Cohort", width="large"),
                   "children": "Children", "pct_16_plus": "% aged 16+",
                   "pct_female": "% girls", "pct_childrens_homes": "% in children's homes",
                   "pct_outside_la": "% placed outside their LA",
                   "pct_outside_rcc": "% outside the RCC",
                   "pct_over_20_miles": "% more than 20 miles away",
                   "typical_weekly_fee": "Typical weekly fee, £ (median)"}
COHORT_COLUMNS = {"cohort": "Cohort", "name": "Name", "defining_needs": "Defining needs",
                  "share_pct": "% of children (estimate)",
                  "mean_posterior": "Mean probability of own cohort"}


def render(filters: frame.Filters, year: int, version: int) -> None:
    """The cohorts: what they are, their needs profile, and how they were found."""
    st.header("Cohorts: children with similar needs", anchor=False)
    with st.spinner(SPINNER):
        fit = cached.cohorts(year, version)
    if not fit.cohorts:
        st.markdown("Too few children in residential care have records to find cohorts.")
        return
    if fit.synthetic:
        st.info("These cohorts come from synthetic data: they illustrate the method and are "
                "not findings.", icon=":material/science:")
    st.markdown(in_words(fit))
    frame.chart(cached.cohort_figure(year, version),
                "Heat map of how common each need is in each cohort")
    profile_section(filters, year, version)
    trend(filters, version)
    with st.expander("The cohorts as a table"):
        frame.table(lca.cohort_table(fit), "cohorts", "cohorts", year=year,
                    column_config=COHORT_COLUMNS)
    with st.expander("How the cohorts were found", icon=":material/functions:"):
        st.markdown(method_in_words(fit))
        frame.table(lca.bic_table(fit), "cohort-fit", "model choice", year=year,
                    column_config=BIC_COLUMNS)


def profile_section(filters: frame.Filters, year: int, version: int) -> None:
    """Each cohort's children in the scope, with their typical fee: fees are not a needs
    table, so a viewer who may see needs but not fees (a provider) reads why instead."""
    try:
        profile = cached.cohort_profile(year, filters.scope, version)
    except AccessDenied as refused:
        st.info(str(refused), icon=":material/lock:")
        return
    st.markdown(f"**The cohorts in {filters.title}**: how many children, how old, where "
                "they are placed, and the typical weekly fee (the median, to the nearest "
                "£10; c where fewer than 10 fees lie behind it).")
    frame.table(profile, "cohort-profile", "cohort profile", scope=filters.scope, year=year,
                column_config=PROFILE_COLUMNS)


def trend(filters: frame.Filters, version: int) -> None:
    """Each cohort's children in the scope, year by year."""
    table = cached.cohort_trend(filters.scope, version)
    years = sorted(set(table["year"]))
    st.markdown(f"**Year by year in {filters.title}**" + (
        f": records are held for 31 March {years[0]} only, so there is no trend yet; each "
        "year imported adds a row per cohort." if len(years) == 1 else "."))
    frame.table(table, "cohort-trend", "cohorts by year", scope=filters.scope,
                column_config={"year": "31 March", "cohort": st.column_config.TextColumn(
                    "Cohort", width="large"), "children": "Children"})


def in_words(fit: lca.FitSummary) -> str:
    """'England's children in residential care fall into 4 cohorts by their needs:' and
    one line per cohort with its estimated share."""
    lines = [f"- **{c.name}**: about {100 * c.share:.0f}% of children" for c in fit.cohorts]
    return (f"Across England, the {fit.children:,} children in residential care with "
            f"records fall into **{fit.classes} cohorts** by their needs:\n" + "\n".join(lines))


def method_in_words(fit: lca.FitSummary) -> str:
    """The method and its assumptions, in plain words."""
    return (f"Latent class analysis of the {len(fit.needs)} recorded needs (present or not), "
            f"fitted with 1 to {len(fit.selection)} cohorts from {fit.n_init} random starts "
            f"each (seed {fit.seed}); the number of cohorts is the one with the lowest BIC.\n\n"
            + "\n".join(f"- {sentence}" for sentence in lca.ASSUMPTIONS))
