"""The cohort and specificity-gap tables registered in the needs family: counts and
shares against a child-by-child count of a planted cohort, no shown count of 1-4, no
hidden count of 1-4 pinned by linear programming over every shown table, and the gap's
line (children = matching places + gap) never giving a hidden count back."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import cohort_tables, specificity
from analysis import needs_audit as rules
from analysis.disclosure import SUPPRESSED
from analysis.needs_family import ENGLAND, NeedsFamily

NEEDS = ["going_missing", "criminal_exploitation", "disability"]
RCC_OF = {"E1": "North", "E2": "North", "E3": "South", "E4": "South"}
COHORTS = ["1. Exploitation", "2. Disability"]


def planted(seed: int, children: int = 240) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series,
                                                    pd.DataFrame]:
    """A cohort of children in residential care across four LAs in two RCCs, with needs
    drawn from two planted cohorts and placements inside and outside their LA and RCC."""
    rng = np.random.default_rng(seed)
    las = rng.choice(list(RCC_OF), children)
    cohort = rng.choice(COHORTS, children, p=[0.6, 0.4])
    frame = pd.DataFrame({
        "child_id": np.arange(children), "la_code": las,
        "age_band": rng.choice(rules.AGE_BANDS[1:], children),
        "sex": rng.choice(["Male", "Female"], children),
        "placement": rng.choice(list(rules.RESIDENTIAL), children, p=[0.8, 0.2]),
        "residential": True, "is_synthetic": True})
    probability = {COHORTS[0]: [0.8, 0.7, 0.05], COHORTS[1]: [0.1, 0.05, 0.9]}
    rows = [(child, need, "weekly", "high") for child, c in enumerate(cohort)
            for need, p in zip(NEEDS, probability[c]) if rng.random() < p]
    needs = pd.DataFrame(rows, columns=["child_id", "need", "frequency", "intensity"])
    to_code = np.where(rng.random(children) < 0.5, las, rng.choice(list(RCC_OF), children))
    places = frame[["child_id", "la_code"]].assign(
        to_code=np.where(rng.random(children) < 0.05, None, to_code),
        distance_band=rng.choice(["<=20", ">20", "unknown"], children))
    return frame, needs, pd.Series(cohort, index=frame["child_id"]), places


def family_of(seed: int, children: int = 240) -> tuple[NeedsFamily, pd.DataFrame]:
    """The planted cohort's needs family with the cohort tables registered."""
    frame, needs, cohort, places = planted(seed, children)
    family = NeedsFamily(frame, needs, NEEDS, RCC_OF, synthetic=True)
    placed = cohort_tables.where_placed(places, RCC_OF)
    cohort_tables.register(family, cohort, COHORTS, placed)
    return family, frame.assign(cohort=cohort.to_numpy()).merge(placed, on=["child_id",
                                                                          "la_code"])


def test_where_placed_against_each_child():
    """Inside the LA, elsewhere in the RCC, outside it, not recorded, LA in no RCC."""
    children = pd.DataFrame({"la_code": ["E1", "E1", "E1", "E1", "E9"],
                             "to_code": ["E1", "E2", "E3", None, "E9"],
                             "distance_band": ["<=20", ">20", ">20", "unknown", "<=20"]})
    placed = cohort_tables.where_placed(children, RCC_OF)
    assert placed["where"].tolist() == [specificity.INSIDE_LA, specificity.ELSEWHERE_IN_RCC,
                                        specificity.OUTSIDE_RCC, specificity.NOT_RECORDED,
                                        cohort_tables.NO_RCC]
    assert placed["side"].tolist()[:3] == [specificity.INSIDE_RCC, specificity.INSIDE_RCC,
                                           specificity.OUTSIDE_RCC]
    assert placed["distance"].tolist()[3] == "not recorded"


def test_cohort_profile_matches_a_count_of_each_child():
    """Every shown figure of the profile equals the share worked out child by child."""
    family, children = family_of(1)
    for area in [ENGLAND, ("rcc", "North"), "E3"]:
        mine = children if area == ENGLAND else children[
            children["la_code"].map(RCC_OF) == area[1]] if isinstance(area, tuple) else \
            children[children["la_code"] == area]
        fees = pd.Series(1000.0 + 10 * children["child_id"].to_numpy(),
                         index=children["child_id"])
        table = cohort_tables.cohort_profile(family, area, COHORTS, fees).set_index("cohort")
        for cohort in COHORTS:
            rows = mine[mine["cohort"] == cohort]
            expected = {"children": len(rows),
                        "pct_female": 100 * (rows["sex"] == "Female").mean(),
                        "pct_outside_rcc": 100 * (rows["where"] == specificity.OUTSIDE_RCC
                                                  ).mean(),
                        "pct_over_20_miles": 100 * (rows["distance_band"] == ">20").mean()}
            fee = table.at[cohort, "typical_weekly_fee"]
            if len(rows) >= 10:
                assert fee == 10 * round(float(np.median(fees[rows["child_id"]])) / 10)
            else:
                assert fee == SUPPRESSED
            for column, value in expected.items():
                shown = table.at[cohort, column]
                if shown != SUPPRESSED:
                    assert shown == pytest.approx(value, abs=0.05), (area, cohort, column)


def shown_cells(family: NeedsFamily) -> list[tuple]:
    """(key, area, value) of every count the family shows."""
    return [(key, area, family.shown(key, area)) for key in family.keys
            for area in family.areas.names if family.ever_shown(key, area)]


@pytest.mark.parametrize("seed", [2, 3])
def test_no_shown_count_is_one_to_four(seed):
    family, _ = family_of(seed, children=90)
    assert not any(value != SUPPRESSED and 1 <= value <= 4
                   for _, _, value in shown_cells(family))


def cohort_relations(family: NeedsFamily, cohorts: list[str]) -> list[dict]:
    """The sums a reader knows among the cohort and boundary tables, written out from
    their meaning (each {cell: coefficient} adds up to 0), beside the needs family's own
    (``tests.test_needs_family.relations``)."""
    pop, out = "residential", []
    breakdowns = {"cohort_age": rules.AGE_BANDS, "cohort_sex": rules.SEXES,
                  "cohort_placement": list(rules.RESIDENTIAL),
                  "cohort_distance": list(cohort_tables.DISTANCES),
                  "cohort_where": list(cohort_tables.WHERE)}
    total = ("children", pop, None, rules.ALL)
    for area in family.areas.names:
        for cohort in cohorts:
            whole = (("children", pop, "cohort", cohort), area)
            for table, values in breakdowns.items():
                out.append({**{((table, pop, cohort, v), area): 1 for v in values},
                            whole: -1})
        out.append({**{(("where", pop, w), area): 1 for w in cohort_tables.WHERE},
                    (total, area): -1})
        for place in cohort_tables.WHERE:
            out.append({**{(("cohort_where", pop, c, place), area): 1 for c in cohorts},
                        (("where", pop, place), area): -1})
        for need in family.vocabulary:
            out.append({**{(("side", pop, need, side), area): 1
                           for side in cohort_tables.SIDES},
                        (("need", pop, need, None, rules.ALL), area): -1})
            for cohort in cohorts:
                out.append({**{(("cohort_grid", pop, cohort, need, i, f), area): 1
                               for i in rules.INTENSITIES for f in rules.FREQUENCIES},
                            (("need", pop, need, "cohort", cohort), area): -1})
    return out


def test_attacks_on_every_table_together_recover_no_count_of_one_to_four():
    """A reader with every shown count of the needs family and the cohort and boundary
    tables, every sum among them and DfE's LA totals: neither repeated differencing nor
    linear programming (least and most of each hidden cell) pins a hidden count of 1-4
    that nothing shown already gave away."""
    from tests import test_needs_family as attack

    rng = np.random.default_rng(1)
    rows = [(la, int(rng.integers(2, 5)), int(rng.integers(0, 2)), int(rng.integers(1, 3)),
             int(rng.integers(0, 8)), int(rng.integers(0, 3)), int(rng.choice([1, 2, 3, 6])))
            for la in range(1, 6) for _ in range(6)]
    children, needs = attack.cohort(rows)
    family = NeedsFamily(children, needs, attack.NEEDS, attack.RCC_OF)
    ids = children["child_id"]
    cohorts = ["1. A", "2. B"]
    places = children[["child_id", "la_code"]].assign(
        to_code=[f"L{1 + (i * 7) % 5}" for i in ids],
        distance_band=[("<=20", ">20")[i % 2] for i in ids])
    cohort_tables.register(family, pd.Series(np.where(ids % 3 == 0, *cohorts), index=ids),
                           cohorts, cohort_tables.where_placed(places, attack.RCC_OF))
    shown, true = attack.published(family), attack.truth(family, rows)
    sums = attack.relations(family) + cohort_relations(family, cohorts)
    for terms in sums:
        assert sum(c * true[cell] for cell, c in terms.items()) == 0, terms
    held = attack.with_dfe(family, shown)
    nothing = attack.with_dfe(family, {cell: SUPPRESSED for cell in shown})
    already = attack.difference_attack(nothing, sums)
    for cell, value in attack.difference_attack(held, sums).items():
        if held.get(cell) == SUPPRESSED and cell not in already:
            assert not 1 <= value <= 4, f"{cell} = {value} recovered by differencing"
    before = attack.lp_pinned(nothing, true, sums)
    assert {cell: v for cell, v in attack.lp_pinned(held, true, sums).items()
            if cell not in before} == {}


def test_gap_line_never_gives_a_hidden_count_back():
    """Over every children / matching combination up to 12: no shown count of 1-4, and
    never exactly one hidden cell in children = matching places + gap."""
    for children in range(0, 13):
        for matching in range(0, children + 1):
            gap = children - matching
            for children_hidden in (False, True):
                if not children_hidden and 1 <= children <= 4:
                    continue  # the family never shows such a count
                shown_children = SUPPRESSED if children_hidden else children
                shown = [shown_children, *cohort_tables.protect_gap(shown_children,
                                                                    matching, gap)]
                assert not any(isinstance(v, int) and 1 <= v <= 4 for v in shown)
                assert sum(v == SUPPRESSED for v in shown) != 1, (children, matching)


def test_gap_tables_add_up():
    """Each cohort's children by where placed add up to the cohort's children, and the
    cohorts' to all children in residential care, at every area where all are shown."""
    family, _ = family_of(5)
    for area in family.areas.names:
        for cohort in COHORTS:
            parts = [family.true_value(("cohort_where", "residential", cohort, w), area)
                     for w in cohort_tables.WHERE]
            assert sum(parts) == family.true_value(("children", "residential", "cohort",
                                                    cohort), area)
        assert sum(family.true_value(("children", "residential", "cohort", c), area)
                   for c in COHORTS) == family.true_value(("children", "residential", None,
                                                           rules.ALL), area)


def test_exports_shares_against_each_child():
    """Each need's share among children placed outside the RCC, child by child."""
    family, children = family_of(6, children=400)
    table = cohort_tables.exports(family, ("rcc", "South")).set_index("need")
    south = children[children["la_code"].map(RCC_OF) == "South"]
    outside = south[south["where"] == specificity.OUTSIDE_RCC]
    for need in NEEDS:
        with_need = family.matrix.loc[outside["child_id"], need].sum()
        shown = table.at[need, "pct_outside"]
        if shown != SUPPRESSED:
            assert shown == pytest.approx(100 * with_need / len(outside), abs=0.05)


def test_every_combination_of_where_and_cohort_is_registered():
    family, _ = family_of(7, children=30)
    for cohort, place in itertools.product(COHORTS, cohort_tables.WHERE):
        assert ("cohort_where", "residential", cohort, place) in family.keys


def test_a_median_needs_ten_values_behind_it():
    """The typical fee: none without values, "c" for fewer than ten, else the median to
    the nearest 10 pounds (numpy's median, rounded)."""
    from analysis.disclosure import protected_median

    assert np.isnan(protected_median(pd.Series([], dtype=float)))
    assert protected_median(pd.Series([4000.0] * 9)) == SUPPRESSED
    values = pd.Series(np.random.default_rng(8).uniform(3000, 9000, 25))
    assert protected_median(values) == 10 * round(float(np.median(values)) / 10)


def test_cohort_trend_counts_each_years_children_as_each_year_protected_them():
    """Two years: one row per year and cohort, each the count of that year's children in
    the cohort (child by child) or "c" where that year's family hid it."""
    from data.gap_tables import cohort_trend

    families, children = {}, {}
    for year, seed in ((2024, 9), (2025, 10)):
        families[year], children[year] = family_of(seed, children=150)
        families[year].cohort_order = COHORTS
    table = cohort_trend(families, {2024: ("rcc", "North"), 2025: ("rcc", "North")})
    assert list(zip(table["year"], table["cohort"])) == [(y, c) for y in (2024, 2025)
                                                         for c in COHORTS]
    for row in table.itertuples():
        rows = children[row.year]
        expected = int(((rows["la_code"].map(RCC_OF) == "North")
                        & (rows["cohort"] == row.cohort)).sum())
        assert row.children in (expected, SUPPRESSED)
        assert row.children == SUPPRESSED or not 1 <= row.children <= 4
    assert table.attrs["synthetic"]


def test_cohort_grids_match_each_child_where_shown_and_are_never_shown_for_an_la():
    family, children = family_of(11, children=300)
    north = children[children["la_code"].map(RCC_OF) == "North"]
    for cohort in COHORTS:
        grid = cohort_tables.cohort_grid(family, ("rcc", "North"), cohort)
        mine = family.needs[family.needs["child_id"].isin(
            north.loc[north["cohort"] == cohort, "child_id"])]
        for row in grid.itertuples():
            expected = int(((mine["need"] == row.need) & (mine["intensity"] == row.intensity)
                            & (mine["frequency"] == row.frequency)).sum())
            assert row.children in (expected, SUPPRESSED)
        assert (cohort_tables.cohort_grid(family, "E1", cohort)["children"] == SUPPRESSED).all()
