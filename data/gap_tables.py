"""The cohorts and the specificity gap, read from the store into the needs family: each
child's cohort (data/cohort_store.py), where they are placed, and the matching places of
each RCC's homes (the provider offer register) for the Needs page and the
``cohort-profile`` / ``specificity-gap`` exports."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from analysis import cohort_tables, specificity
from analysis import needs_audit as rules
from analysis.disclosure import label_if_synthetic
from data import cohort_store, map_tables, queries
from data import schema as s

ALL = specificity.ALL


def cohort_labels(fit) -> dict[int, str]:
    """Cohort number -> the label tables show ('1. Criminal exploitation, ...'): numbered,
    so two cohorts with the same kind of name stay apart."""
    return {c.number: f"{c.number}. {c.name}" for c in fit.cohorts}


def register(engine: Engine, year: int, family) -> list[str]:
    """Fit (or read) the year's cohorts and register them and the boundary tables in
    ``family``; returns the cohort labels in order."""
    fit = cohort_store.cohorts(engine, year)
    labels = cohort_labels(fit)
    members = cohort_store.members(engine, year)
    cohort_of = members.set_index("child_id")["cohort"].map(labels)
    placed = cohort_tables.where_placed(
        family.children[["child_id", "la_code"]].merge(
            map_tables.placements_at(engine, year)[["child_id", "to_code", "distance_band"]],
                                                       on="child_id", how="left"),
        family.areas.rcc_of)
    order = list(labels.values())
    cohort_tables.register(family, cohort_of, order, placed)
    family.cohort_order = order
    family.placed = placed
    family.fees = weekly_fees(engine, year)
    return order


def weekly_fees(engine: Engine, year: int) -> pd.Series:
    """child_id -> the weekly fee of the placement each child was in at 31 March ``year``
    (children whose placement has no fee recorded are absent)."""
    e, f = s.Episode, s.PlacementFee
    rows = queries.frame(engine, select(e.child_id, f.weekly_fee).join(
        f, f.episode_id == e.id).where(map_tables.open_on(year)))
    return rows.drop_duplicates("child_id", keep="last").set_index("child_id")["weekly_fee"]


def gap_children(engine: Engine, year: int, family) -> pd.DataFrame:
    """The children in residential care as the matching rule reads them: placing and
    placement LA, age in whole years, sex, cohort, needs and highest intensity."""
    rows = family.population(cohort_tables.POP).merge(
        family.placed[["child_id", "to_code"]], on="child_id")
    people = queries.frame(engine, select(s.Child.id.label("child_id"),
                                          s.Child.birth_year_month))
    born = rows["child_id"].map(people.drop_duplicates("child_id")
                                .set_index("child_id")["birth_year_month"])
    frame = pd.DataFrame({"child_id": rows["child_id"], "placing_la": rows["la_code"],
                          "placement_la": rows["to_code"],
                          "age": rules.age_years(born, year), "sex": rows["sex"],
                          "cohort": rows["cohort"]})
    return specificity.with_needs(frame, family.needs)


def gap_table(engine: Engine, year: int, family, offers: pd.DataFrame) -> pd.DataFrame:
    """Per RCC and cohort (and all children): children in residential care placed by its
    LAs, where they are placed, matching places in its homes and the gap, protected."""
    la_rcc = pd.Series(family.areas.rcc_of, dtype=object)
    offers = offers.assign(needs=specificity.need_sets(offers["needs"]))
    raw = specificity.specificity_gap(gap_children(engine, year, family), offers, la_rcc)
    raw = raw.pivot(index=["rcc", "cohort"], columns="measure", values="count")
    rows = []
    for (rcc, cohort), counts in raw.iterrows():
        area = ("rcc", rcc)
        key = ("children", cohort_tables.POP, None, rules.ALL) if cohort == ALL else \
            ("children", cohort_tables.POP, "cohort", cohort)
        children = family.shown(key, area)
        matching, gap = cohort_tables.protect_gap(children, int(counts[specificity.MATCHING]),
                                                  int(counts[specificity.GAP]))
        rows.append({"rcc": rcc, "cohort": cohort, "children": children,
                     **where_counts(family, area, cohort),
                     "matching_places": matching, "gap": gap})
    table = pd.DataFrame(rows)
    return label_if_synthetic(table.assign(year=year), family.synthetic)


def exports_table(year: int, family, rcc: str) -> pd.DataFrame:
    """What one RCC exports: each need's share among its children placed outside the RCC
    beside its share among those placed inside, protected and labelled."""
    table = cohort_tables.exports(family, ("rcc", rcc)).assign(rcc=rcc, year=year)
    return label_if_synthetic(table, family.synthetic)


def where_counts(family, area, cohort: str) -> dict:
    """The shown children of a cohort (or all) by where they are placed."""
    if cohort == ALL:
        return {place: family.shown(("where", cohort_tables.POP, place), area)
                for place in specificity.WHERE}
    return {place: family.shown(("cohort_where", cohort_tables.POP, cohort, place), area)
            for place in specificity.WHERE}


def cohort_profile_table(year: int, family, area) -> pd.DataFrame:
    """Each cohort in an area of the family (England, an RCC, an LA): children and the
    shares by age, sex, placement type and where they are placed, protected, labelled."""
    table = cohort_tables.cohort_profile(family, area, family.cohort_order, family.fees)
    return label_if_synthetic(table.assign(year=year), family.synthetic)


def cohort_trend(families: dict, areas: dict) -> pd.DataFrame:
    """Children in each cohort by year (31 March) in one area, each year's counts as that
    year's family protected them: ``families`` and ``areas`` map year -> needs family and
    the area in it. Cohort numbers are kept across years' fits (``lca.match_to_previous``);
    a name may change as a cohort's needs do, so a row carries the year's own label."""
    rows = [{"year": year, "cohort": cohort,
             "children": family.shown(("children", cohort_tables.POP, "cohort", cohort),
                                      areas[year])}
            for year, family in sorted(families.items()) for cohort in family.cohort_order]
    table = pd.DataFrame(rows, columns=["year", "cohort", "children"])
    return label_if_synthetic(table, any(f.synthetic for f in families.values()))


def cohort_grid_table(year: int, family, area, cohort: str) -> pd.DataFrame:
    """One cohort's intensity x frequency grids in an area, protected and labelled."""
    table = cohort_tables.cohort_grid(family, area, cohort).assign(cohort=cohort, year=year)
    return label_if_synthetic(table, family.synthetic)
