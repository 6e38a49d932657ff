"""The cohort and specificity-gap tables registered in the needs family: counts and
shares against a child-by-child count of a planted cohort, no shown count of 1-4, no
hidden count of 1-4 pinned by linear programming over every shown table, and the gap's
line (children = matching places + gap) never giving a hidden count back."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis import cohort_tables, specificity
from analysis import needs as rules
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
        "age_band": rng.choice(rules.AGE_BANDS[3:], children),
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
    """(key, area, value) of every count of every table the family shows."""
    hidden = family.protect()
    return [(key, area, family.values[index][position])
            for key, index in family.keys.items()
            for area, position in family.areas.position.items()
            if not hidden[index, position] and not family.latent[index][position]]


@pytest.mark.parametrize("seed", [2, 3])
def test_no_shown_count_is_one_to_four(seed):
    family, _ = family_of(seed, children=90)
    assert not any(1 <= value <= 4 for _, _, value in shown_cells(family))


def test_linear_programming_pins_no_hidden_count_of_one_to_four():
    """A reader with every shown cell and every sum of the family (cohort tables
    included) cannot pin a hidden count of 1-4: its minimum and maximum over all
    non-negative solutions differ."""
    family, _ = family_of(4, children=70)
    hidden = family.protect()
    for keys in family.components():
        offset, values, latent, _, lines = family.system(keys)
        mask = np.concatenate([hidden[family.keys[k]] for k in keys]) | latent
        equations = np.zeros((len(lines), len(values)))
        totals = np.zeros(len(lines))
        for row, line in enumerate(lines):
            equations[row, list(line.members)] = 1
            if line.total is not None:
                equations[row, line.total] -= 1
            else:  # the total is known from elsewhere
                totals[row] = values[list(line.members)].sum()
        fixed = ~mask
        bounds = [(v, v) if f else (0, None) for v, f in zip(values, fixed)]
        for cell in np.flatnonzero(mask & ~latent & (values >= 1) & (values <= 4)):
            objective = np.zeros(len(values))
            objective[cell] = 1
            low = linprog(objective, A_eq=equations, b_eq=totals, bounds=bounds)
            high = linprog(-objective, A_eq=equations, b_eq=totals, bounds=bounds)
            assert low.status == 0
            assert high.status == 3 or low.fun < -high.fun - 0.5, (keys[0], cell)


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
