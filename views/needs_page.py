"""Needs: how many children, with what needs, where; which needs go together; the cohorts
they form; and, per RCC, the homes that match them (the specificity gap).

Every count comes from case-level records through one disclosure family
(``analysis.needs_family``): this page only asks for the protected tables and draws them.
"""

from __future__ import annotations

import streamlit as st

import cached
from analysis import needs_words
from analysis.disclosure import SUPPRESSED, SYNTHETIC_LABEL, uses_synthetic
from data.errors import UserInputError
from views import cohorts_panel, frame, offers_panel, specificity_panel

POPULATIONS = {"residential": "Children in residential care", "all": "All children looked after"}
GROUPINGS = {"age_band": "Age", "sex": "Sex", "placement": "Placement type", "cohort": "Cohort"}

filters = frame.current()
scope, year = filters.scope, filters.year


def choose_population() -> str:
    """Which children the tables describe: residential care by default (the RCCs' focus)."""
    return st.radio("Children", list(POPULATIONS), format_func=POPULATIONS.get,
                    horizontal=True, key="needs_population")


def prevalence_section(tables: dict, population: str, case_year: int, version: int) -> None:
    """How common each need is, against England, and by age, sex or placement type."""
    st.header("Which needs, and how common", anchor=False)
    frame.chart(cached.needs_prevalence_figure(case_year, scope, population, filters.title,
                                               version),
                f"Bar chart of the share of {POPULATIONS[population].lower()} in {filters.title} "
        "with each need")
    groupings = [g for g in GROUPINGS if g in set(tables["prevalence"]["grouping"])]
    grouping = st.radio("Break down by", groupings, format_func=GROUPINGS.get,
                        horizontal=True, key="needs_grouping")
    frame.chart(cached.needs_group_figure(case_year, scope, population, grouping,
                                          GROUPINGS[grouping], version),
                f"Heat map of the share with each need by {GROUPINGS[grouping].lower()}")
    with st.expander("The table"):
        frame.table(tables["prevalence"], "needs", "needs by group", scope=scope, year=year,
                    part=population)


def count_section(tables: dict, population: str, case_year: int, version: int) -> None:
    """How many needs each child has (RCCs and England; not for an LA, where the counts
    could let someone work out a small one)."""
    st.header("How many needs each child has", anchor=False)
    spread = tables["needs_per_child"]
    if spread["children"].eq(SUPPRESSED).all():
        st.markdown("For one LA the children by number of needs are not shown: beside the "
                    "LA's count of each need they could give away a small count. The average "
                    "number of needs is in the answer above.")
        return
    frame.chart(cached.needs_count_figure(case_year, scope, population, version),
                "Bar chart of children by their number of needs")
    with st.expander("The table"):
        frame.table(spread, "needs", "needs per child", scope=scope,
                    year=year, part=f"{population}-per-child")


def pairs_section(tables: dict, population: str, case_year: int, version: int) -> None:
    """Which needs go together: the heat map and the strongest pairs in words."""
    st.header("Which needs go together", anchor=False)
    readings = tables["readings"]["reading"].tolist()
    if readings:
        st.markdown("\n".join(f"- {reading}" for reading in readings))
    measure = st.radio("Show", ["share", "lift"], horizontal=True, key="needs_pair_measure",
                       format_func={"share": "Share of children with both needs",
                                    "lift": "How much more often than by chance"}.get)
    frame.chart(cached.needs_pairs_figure(case_year, scope, population, measure, version),
                "Heat map of how often each pair of needs occurs together")
    with st.expander("The table"):
        frame.table(tables["co_occurrence"], "needs", "pairs of needs", scope=scope,
                    year=year, part=f"{population}-pairs")


def grid_section(tables: dict, labels: dict, population: str, case_year: int,
                 version: int) -> None:
    """How often and how intensely each need shows (Rome & Stanley)."""
    st.header("How often and how intensely", anchor=False)
    st.markdown("Each need is rated by how often it shows (rarely, monthly, weekly, daily) "
                "and how intensely (low, medium, high), as in the Rome & Stanley framework.")
    grid = tables["intensity_frequency"]
    if grid["children"].eq(SUPPRESSED).all():
        st.markdown("The grids are shown for RCCs and England: for one LA almost every cell "
                    "would be a count of 1 to 4. Choose the LA's RCC to see them.")
        return
    left, right = st.columns(2)
    need = left.selectbox("Need", list(labels), format_func=labels.get, key="needs_grid_need")
    cohort = right.selectbox("Cohort", [None, *cached.cohort_names(case_year, version)],
                             key="needs_grid_cohort",
                             format_func=lambda c: c or "All of them",
                             disabled=population != "residential",
                             help="Cohorts are of children in residential care.")
    cohort = cohort if population == "residential" else None
    if cohort is not None:
        grid = cached.cohort_grid(case_year, scope, cohort, version)
    frame.chart(cached.needs_grid_figure(case_year, scope, population, need, cohort, version),
                f"Grid of children with {labels[need].lower()} by frequency and intensity")
    with st.expander("The table"):
        frame.table(grid, "needs", "intensity and frequency", scope=scope, year=year,
                    part=f"{population}-grid" + (f"-cohort-{cohort[:2]}" if cohort else ""))


def answer(tables: dict, labels: dict, population: str, case_year: int) -> None:
    """The page's answer in two sentences."""
    st.markdown(needs_words.answer(tables, labels, POPULATIONS[population].lower(),
                                   filters.title, case_year))


def needs_sections(case_year: int, version: int) -> None:
    """Everything counted from children's records: the answer, prevalence, needs per child,
    pairs, cohorts and the intensity x frequency grids."""
    population = choose_population()
    try:
        tables = cached.needs_tables(case_year, scope, population, version)
    except UserInputError as problem:
        st.info(str(problem), icon=":material/info:")
        return
    labels = cached.need_labels()
    if uses_synthetic(tables["summary"]):
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    answer(tables, labels, population, case_year)
    prevalence_section(tables, population, case_year, version)
    count_section(tables, population, case_year, version)
    pairs_section(tables, population, case_year, version)
    cohorts_panel.render(filters, case_year, version)
    grid_section(tables, labels, population, case_year, version)
    specificity_panel.render(filters, case_year, version, labels)


def main() -> None:
    """Read the filters, ask for the protected tables, draw the page; the provider offers
    show whatever children's records are held."""
    st.title(f"Needs: {filters.title}")
    version = cached.case_version()
    if scope.kind == "region":
        st.info("The needs audit is by RCC and LA: choose England, an RCC or an LA.",
                icon=":material/info:")
    else:
        case_year = frame.case_year(year, version)
        if case_year is not None:
            needs_sections(case_year, version)
    offers_panel.render(filters, cached.need_labels())


main()
