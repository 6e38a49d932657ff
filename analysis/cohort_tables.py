"""The cohort and specificity-gap tables of the Needs page, registered in the needs family
(``analysis.needs_family``) so they are protected together with every other needs table.

Why in the family: a cohort's children, by age or by where they are placed, add up to the
cohort's children, which add up (over cohorts) to the children in residential care that
the prevalence tables show; the children with a need placed inside or outside the RCC add
up to that need's total. Protected apart, a reader could subtract one table from another.

What is registered, per placing LA (RCCs and England are sums of LAs):

* the cohort as a grouping of children in residential care (every need by cohort, and
  the children of each cohort), with ``NeedsFamily.add_grouping``;
* each cohort's children by age band, sex, placement type, distance from home and where
  they are placed (inside their LA, elsewhere in the RCC, outside it, not recorded);
* the children by where they are placed, and each need's children by side of the RCC
  boundary (what the RCC "exports").

Matching places are not counts of LAs' children that add up across LAs (they are worked
out per RCC against its homes' offers), so they are protected after the family: for each
RCC and cohort, children = matching places + gap is one more line, with the children's
cell hidden as the family hid it (``protect_gap``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis import needs_audit as rules
from analysis import specificity
from analysis.disclosure import SUPPRESSED, Line
from analysis.needs_family import ENGLAND

POP = "residential"
NO_RCC = "LA in no RCC"
WHERE = (*specificity.WHERE, NO_RCC)
SIDES = (specificity.INSIDE_RCC, specificity.OUTSIDE_RCC, specificity.NOT_RECORDED, NO_RCC)
DISTANCES = ("20 miles or less", "more than 20 miles", "not recorded")
#: Each cohort's breakdowns: table name -> the children frame's column.
BREAKDOWNS = {"cohort_age": "age_band", "cohort_sex": "sex", "cohort_placement": "placement",
              "cohort_distance": "distance", "cohort_where": "where"}


def where_placed(children: pd.DataFrame, rcc_of: dict[str, str]) -> pd.DataFrame:
    """Each child's ``where`` (``WHERE``), ``side`` of the RCC boundary (``SIDES``) and
    ``distance`` band, from placing LA (la_code), placement LA (to_code) and distance_band
    ('<=20', '>20', 'unknown')."""
    rcc = children["la_code"].map(rcc_of)
    where = np.select(
        [rcc.isna(), children["to_code"].isna(), children["to_code"] == children["la_code"],
         children["to_code"].map(rcc_of) == rcc],
        [NO_RCC, specificity.NOT_RECORDED, specificity.INSIDE_LA,
         specificity.ELSEWHERE_IN_RCC], specificity.OUTSIDE_RCC)
    side = pd.Series(where, index=children.index).replace(
        {specificity.INSIDE_LA: specificity.INSIDE_RCC,
         specificity.ELSEWHERE_IN_RCC: specificity.INSIDE_RCC})
    distance = children["distance_band"].map({"<=20": DISTANCES[0], ">20": DISTANCES[1]})
    return children.assign(where=where, side=side, distance=distance.fillna(DISTANCES[2]))


def full_counts(rows: pd.DataFrame, columns: list[str], orders: list[list]) -> pd.DataFrame:
    """la_code, ``columns``, children for every LA and every combination of the orders
    (zeros included, so every cell of the table is registered)."""
    counts = rows.groupby(["la_code", *columns]).size()
    index = pd.MultiIndex.from_tuples(
        list(itertools.product(sorted(set(rows["la_code"])), *orders)),
        names=["la_code", *columns])
    return counts.reindex(index, fill_value=0).rename("children").reset_index()


def register(family, cohort_of: pd.Series, order: list[str], placed: pd.DataFrame) -> None:
    """Add the cohort grouping and the cohort and boundary tables to ``family`` (before it
    is protected). ``cohort_of``: child_id -> cohort name; ``placed``: child_id, where,
    side, distance (``where_placed``)."""
    family.add_grouping("cohort", cohort_of, order, populations=(POP,))
    rows = family.population(POP).merge(placed[["child_id", "where", "side", "distance"]],
                                        on="child_id", how="left")
    orders = {"age_band": rules.AGE_BANDS, "sex": rules.SEXES, "placement": list(rules.RESIDENTIAL),
              "distance": list(DISTANCES), "where": list(WHERE)}
    for name, column in BREAKDOWNS.items():
        family.add_table(name, full_counts(rows, ["cohort", column], [order, orders[column]]),
                         ["cohort", column], pop=POP,
                         totals={(c,): ("children", POP, "cohort", c) for c in order})
    family.add_table("where", full_counts(rows, ["where"], [orders["where"]]), ["where"],
                     pop=POP, totals={(): ("children", POP, None, rules.ALL)})
    for place in WHERE:
        family.add_sum([("cohort_where", POP, c, place) for c in order], ("where", POP, place))
    register_sides(family, rows)
    register_grids(family, order)


def register_sides(family, rows: pd.DataFrame) -> None:
    """Each need's children by side of the RCC boundary, adding up to the need's total."""
    matrix = family.matrix.loc[rows["child_id"]]
    with_need = [rows.loc[matrix[need].to_numpy(bool)].assign(need=need)
                 for need in family.vocabulary]
    frame = full_counts(pd.concat(with_need, ignore_index=True), ["need", "side"],
                        [family.vocabulary, list(SIDES)]) if len(rows) else \
        pd.DataFrame(columns=["la_code", "need", "side", "children"])
    family.add_table("side", frame, ["need", "side"], pop=POP,
                     totals={(n,): ("need", POP, n, None, rules.ALL) for n in family.vocabulary})


def register_grids(family, order: list[str]) -> None:
    """Each cohort's intensity x frequency grid of each need, adding up to the cohort's
    children with the need: for RCCs and England only, as the family's own grids (an LA's
    would be almost all counts under 5)."""
    rows = family.population(POP)
    grid = rules.grid_counts(rows, family.needs, by=["la_code", "cohort"])
    cells = [(i, f) for i in rules.INTENSITIES for f in rules.FREQUENCIES]
    keys = [("cohort_grid", POP, c, n, i, f) for c in order for n in family.vocabulary
            for i, f in cells]
    family.add_frame([(key, key[2:]) for key in keys], grid,
                     ["cohort", "need", "intensity", "frequency"], latent=family.areas.is_la)
    family.upper.update(keys)
    for cohort in order:
        for need in family.vocabulary:
            family.add_sum([("cohort_grid", POP, cohort, need, i, f) for i, f in cells],
                           ("need", POP, need, "cohort", cohort))


# --- tables for one area, from the protected family -------------------------------------------

def cohort_profile(family, area, order: list[str], fees: pd.Series) -> pd.DataFrame:
    """One row per cohort in ``area``: children, and the % aged 16 or over, female, in
    children's homes, placed outside their LA, outside the RCC and more than 20 miles from
    home ('c' wherever a count behind it is hidden), and the typical weekly fee (the
    median of ``fees``, child_id -> the weekly fee of their placement, protected by
    ``disclosure.protected_median``)."""
    rows = in_area(family, area)
    fee_of = rows["child_id"].map(fees)
    return pd.DataFrame([{**cohort_row(family, area, cohort),
                          "typical_weekly_fee": disclosure.protected_median(
                              fee_of[rows["cohort"] == cohort])} for cohort in order])


def in_area(family, area) -> pd.DataFrame:
    """The family's children in residential care placed by an area's LAs."""
    rows = family.population(POP)
    if area == ENGLAND:
        return rows
    if isinstance(area, tuple):
        return rows[rows["la_code"].map(family.areas.rcc_of) == area[1]]
    return rows[rows["la_code"] == area]


def cohort_row(family, area, cohort: str) -> dict:
    """One cohort's row of ``cohort_profile``."""
    def cell(name: str, value: str):
        return family.shown((name, POP, cohort, value), area)

    children = family.shown(("children", POP, "cohort", cohort), area)
    outside_la = added(cell("cohort_where", specificity.ELSEWHERE_IN_RCC),
                       cell("cohort_where", specificity.OUTSIDE_RCC))
    return {"cohort": cohort, "children": children,
            "pct_16_plus": rules.ratio(cell("cohort_age", rules.AGE_BANDS[-1]), children),
            "pct_female": rules.ratio(cell("cohort_sex", "Female"), children),
            "pct_childrens_homes": rules.ratio(cell("cohort_placement", rules.RESIDENTIAL[0]),
                                               children),
            "pct_outside_la": rules.ratio(outside_la, children),
            "pct_outside_rcc": rules.ratio(cell("cohort_where", specificity.OUTSIDE_RCC),
                                           children),
            "pct_over_20_miles": rules.ratio(cell("cohort_distance", DISTANCES[1]), children)}


def cohort_grid(family, area, cohort: str) -> pd.DataFrame:
    """need, intensity, frequency, children of one cohort's grids in ``area``, as shown."""
    return pd.DataFrame([{"need": n, "intensity": i, "frequency": f,
                          "children": family.shown(("cohort_grid", POP, cohort, n, i, f), area)}
                         for n in family.vocabulary for i in rules.INTENSITIES
                         for f in rules.FREQUENCIES])


def added(*values):
    """A sum of shown counts, 'c' if any is hidden."""
    return SUPPRESSED if rules.hidden(*values) else sum(values)


def exports(family, area) -> pd.DataFrame:
    """Each need's share among the area's children placed outside the RCC beside its share
    among those placed inside (need, placed_outside, pct_outside, pct_inside)."""
    outside = family.shown(("where", POP, specificity.OUTSIDE_RCC), area)
    inside = added(family.shown(("where", POP, specificity.INSIDE_LA), area),
                   family.shown(("where", POP, specificity.ELSEWHERE_IN_RCC), area))
    rows = [{"need": need,
             "placed_outside": family.shown(("side", POP, need, specificity.OUTSIDE_RCC), area),
             "pct_outside": rules.ratio(family.shown(("side", POP, need,
                                                      specificity.OUTSIDE_RCC), area), outside),
             "pct_inside": rules.ratio(family.shown(("side", POP, need, specificity.INSIDE_RCC),
                                                    area), inside),
             "children_outside": outside, "children_inside": inside}
            for need in family.vocabulary]
    return pd.DataFrame(rows)


def protect_gap(children, matching: int, gap: int) -> tuple:
    """(matching places, gap) as shown for one RCC and cohort whose children's count the
    family shows as ``children`` ('c' if hidden): children = matching + gap is a line, so
    a hidden children's count, or a matching or gap count of 1-4, hides both."""
    hidden_children = rules.hidden(children)
    values = np.array([0 if hidden_children else children, matching, gap], dtype=float)
    hidden = disclosure.protect(values, [Line((1, 2), 0)],
                                hidden=np.array([hidden_children, False, False]))
    return tuple(SUPPRESSED if hide else int(value)
                 for hide, value in zip(hidden[1:], values[1:]))
