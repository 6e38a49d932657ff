"""Attacks on the protected placement tables: whatever a reader combines, no count of 1-4
is pinned down.

The attacker here is written from the tables' meaning, not from the protection code:
(a) differencing, solving every published sum that has exactly one hidden term, again
and again with what it has learnt; (b) a linear-programming audit (scipy ``linprog``):
the least and the most each hidden cell can be, given every number published and every
total known from DfE, over children counted by placing LA, placement LA and placement type.
Both run on random small cohorts (hypothesis) whose RCCs cut across regions, and (a) on
the synthetic cohort of two areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis.disclosure import SUPPRESSED
from analysis.placement_family import ALL, ELSEWHERE, TOTAL, Geography, PlacementFamily

TYPES = ["Foster", "Homes", "Other"]
NEEDS = ["self_harm", "missing"]
#: Six LAs; RCC "A" spans regions "N" and "S", so the two levels cut across each other.
GEOGRAPHY = Geography(rcc={"L1": "A", "L2": "A", "L3": "A", "L4": "B", "L5": "B", "L6": "B"},
                      region={"L1": "N", "L2": "N", "L3": "S", "L4": "S", "L5": "S",
                              "L6": "S"})
DESTINATIONS = [*GEOGRAPHY.rcc, ELSEWHERE]


def cohort(draw_flows: list[tuple[int, int, int, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Placements (one row per child) and needs from (from, to, type, n) tuples. Each
    placing LA also has 5 children in foster care inside it: an LA's total is then at
    least 5, as DfE's published totals (which the reader is assumed to know) are."""
    rows, needs = [], []
    child = 0
    own = [(f, f - 1, 0, 5) for f in sorted({flow[0] for flow in draw_flows})]
    for f, t, g, n in own + draw_flows:
        for _ in range(n):
            rows.append({"child_id": child, "from_code": f"L{f}", "to_code": DESTINATIONS[t],
                         "group": TYPES[g]})
            if child % 3 == 0:
                needs.append({"child_id": child, "need": NEEDS[child % 2]})
            child += 1
    return pd.DataFrame(rows), pd.DataFrame(needs, columns=["child_id", "need"])


def family_of(placements: pd.DataFrame, needs: pd.DataFrame) -> PlacementFamily:
    held = set(placements["from_code"])
    return PlacementFamily(placements, needs, GEOGRAPHY, held, TYPES,
                           every_la_held=held == set(GEOGRAPHY.rcc))


def every_la_held(family: PlacementFamily) -> bool:
    """Whether the reader knows the column sums (DfE's placed-in figures cover only the
    held LAs when every LA is held)."""
    return set(family.held) == set(GEOGRAPHY.rcc)


# --- what a reader holds ----------------------------------------------------------------------

def published(family: PlacementFamily) -> dict:
    """Every number the product shows for the family, by key: ('la', f, t) for LA flows
    (zero where not listed), (level, from area, to area or Total, type or All)."""
    out = {}
    listed = family.la_flows().set_index(["from_code", "to_code"])["children"]
    for f in family.held:
        for t in DESTINATIONS:
            if t != f:
                out[("la", f, t)] = listed.get((f, t), 0)
    for level in ("rcc", "region"):
        for label in [ALL, *TYPES]:
            table = family.area_table(level, None if label == ALL else label)
            for af in table.index:
                for at in table.columns:
                    out[(level, af, at, label)] = table.at[af, at]
    return out


def nothing_shown(family: PlacementFamily) -> dict:
    """The same keys with every number hidden: what a reader knows from DfE's figures
    alone. A count those figures already pin (e.g. an LA's only child placed outside, when
    every other destination's figures are 0) is not the product's to protect."""
    return {key: SUPPRESSED for key in published(family)}


def truth(placements: pd.DataFrame) -> dict:
    """The true value of every published key (and of hidden ones)."""
    out = {}
    for f in sorted(set(placements["from_code"])):
        for t in DESTINATIONS:
            if t != f:
                out[("la", f, t)] = int(((placements["from_code"] == f)
                                         & (placements["to_code"] == t)).sum())
    for level in ("rcc", "region"):
        area = getattr(GEOGRAPHY, level)
        frm = placements["from_code"].map(area)
        to = placements["to_code"].map(area).fillna(ELSEWHERE)
        for label in [ALL, *TYPES]:
            chosen = placements["group"].eq(label) | (label == ALL)
            for af in set(frm):
                for at in [*sorted(set(area.values())), ELSEWHERE, TOTAL]:
                    hit = chosen & (frm == af) & ((to == at) | (at == TOTAL))
                    out[(level, af, at, label)] = int(hit.sum())
    return out


def relations(placements: pd.DataFrame, family: PlacementFamily) -> list[tuple[dict, int]]:
    """Sums a reader knows hold, as ({key: coefficient}, constant): the terms times their
    coefficients add up to the constant.

    LA rows and columns (DfE publishes each LA's children placed outside it and placed in
    it by others), area cells as sums of LA cells (own-LA placements known), types adding
    up to all children, area rows adding up to their Total, area columns (all children)
    adding up to a known figure."""
    true = truth(placements)
    held = family.held
    out = []
    for f in held:
        keys = [("la", f, t) for t in DESTINATIONS if t != f]
        out.append(({k: 1 for k in keys}, sum(true[k] for k in keys)))
    for t in DESTINATIONS if every_la_held(family) else []:
        keys = [("la", f, t) for f in held if f != t]
        out.append(({k: 1 for k in keys}, sum(true[k] for k in keys)))
    own = placements[placements["from_code"] == placements["to_code"]]
    for level in ("rcc", "region"):
        area = getattr(GEOGRAPHY, level)
        areas = [*sorted(set(area.values())), ELSEWHERE]
        placing = sorted({area[f] for f in held})
        for af in placing:
            for at in areas:
                terms = {("la", f, t): 1 for f in held if area[f] == af for t in DESTINATIONS
                         if t != f and area.get(t, ELSEWHERE) == at}
                terms[(level, af, at, ALL)] = -1
                inside = int(own["from_code"].map(area).eq(af).sum()) if at == af else 0
                out.append((terms, -inside))
                out.append(({**{(level, af, at, g): 1 for g in TYPES},
                             (level, af, at, ALL): -1}, 0))
            for label in [ALL, *TYPES]:
                out.append(({**{(level, af, at, label): 1 for at in areas},
                             (level, af, TOTAL, label): -1}, 0))
        for at in areas if every_la_held(family) else []:
            keys = [(level, af, at, ALL) for af in placing]
            out.append(({k: 1 for k in keys}, sum(true[k] for k in keys)))
    return out


def difference_attack(shown: dict, sums: list[tuple[dict, int]]) -> dict:
    """Solve every sum with one unknown term, repeatedly: what differencing gives back."""
    known = {k: v for k, v in shown.items() if v != SUPPRESSED}
    changed = True
    while changed:
        changed = False
        for terms, constant in sums:
            unknown = [k for k in terms if k not in known]
            if len(unknown) != 1 or unknown[0] not in shown:
                continue
            rest = sum(coefficient * known[k] for k, coefficient in terms.items()
                       if k in known)
            known[unknown[0]] = (constant - rest) / terms[unknown[0]]
            changed = True
    return known


def assert_no_small_count_recovered(placements: pd.DataFrame, family: PlacementFamily) -> None:
    shown, true = published(family), truth(placements)
    for key, value in shown.items():
        assert value == SUPPRESSED or value == true[key], key
        assert value == SUPPRESSED or not 1 <= value <= 4, f"{key} shows {value}"
    sums = relations(placements, family)
    recovered = difference_attack(shown, sums)
    already = difference_attack(nothing_shown(family), sums)
    for key, value in recovered.items():
        if shown.get(key) == SUPPRESSED and key not in already:
            assert value == true[key], "the attack solved a sum wrongly"
            assert not 1 <= value <= 4, f"{key} = {value} recovered by differencing"


# --- (b) linear programming ------------------------------------------------------------------

def pinned_by_lp(placements: pd.DataFrame, family: PlacementFamily) -> dict:
    """Hidden counts of 1-4 that the linear programme pins (least and most within 0.5)
    from what the product shows, and that DfE's figures alone do not pin."""
    before = lp_ranges(placements, family, nothing_shown(family))
    return {key: (low, high) for key, (low, high) in lp_ranges(placements, family).items()
            if high - low <= 0.5 and before[key][1] - before[key][0] > 0.5}


def lp_ranges(placements: pd.DataFrame, family: PlacementFamily,
              shown: dict | None = None) -> dict:
    """(least, most) of each hidden cell whose true value is 1-4, given everything shown
    (default: what the family publishes) and known, over non-negative counts by
    (placing LA, placement LA, type)."""
    held = family.held
    atoms = [(f, t, g) for f in held for t in DESTINATIONS for g in TYPES]
    column = {atom: j for j, atom in enumerate(atoms)}
    true, shown = truth(placements), shown or published(family)

    def members(key):
        if key[0] == "la":
            return [column[(key[1], key[2], g)] for g in TYPES]
        level, af, at, label = key
        area = getattr(GEOGRAPHY, level)
        return [column[(f, t, g)] for f in held if area[f] == af for t in DESTINATIONS
                if (at == TOTAL or area.get(t, ELSEWHERE) == at)
                for g in TYPES if label in (ALL, g)]

    rows, rhs = [], []

    def equal(cols, value):
        row = np.zeros(len(atoms))
        row[cols] = 1
        rows.append(row)
        rhs.append(value)

    for key, value in shown.items():
        if value != SUPPRESSED:
            equal(members(key), value)
    for f in held:  # DfE: placed outside the LA, and inside it
        equal([column[(f, t, g)] for t in DESTINATIONS if t != f for g in TYPES],
              sum(true[("la", f, t)] for t in DESTINATIONS if t != f))
        if f in DESTINATIONS:
            equal([column[(f, f, g)] for g in TYPES],
                  int(((placements["from_code"] == f) & (placements["to_code"] == f)).sum()))
    for t in DESTINATIONS if every_la_held(family) else []:  # DfE: placed in by others
        equal([column[(f, t, g)] for f in held if f != t for g in TYPES],
              sum(true[("la", f, t)] for f in held if f != t))
    a, b = np.array(rows), np.array(rhs, dtype=float)
    ranges = {}
    for key, value in shown.items():
        if value == SUPPRESSED and 1 <= true[key] <= 4:
            objective = np.zeros(len(atoms))
            objective[members(key)] = 1
            low = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            high = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            assert low.status == 0 and high.status == 0
            ranges[key] = (low.fun, -high.fun)
    return ranges


# --- random small cohorts --------------------------------------------------------------------

FLOWS = st.lists(st.tuples(st.integers(1, 6), st.integers(0, 6), st.integers(0, 2),
                           st.one_of(st.integers(1, 4), st.integers(1, 12))),
                 min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FLOWS)
def test_property_differencing_recovers_no_count_of_one_to_four(flows):
    placements, needs = cohort(flows)
    assert_no_small_count_recovered(placements, family_of(placements, needs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FLOWS)
def test_property_linear_programming_pins_no_count_of_one_to_four(flows):
    placements, needs = cohort(flows)
    assert pinned_by_lp(placements, family_of(placements, needs)) == {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FLOWS)
def test_property_need_tables_show_no_small_count_and_leave_none_alone(flows):
    placements, needs = cohort(flows)
    family = family_of(placements, needs)
    for need in NEEDS:
        for level in ("rcc", "region"):
            table = family.area_table(level, need=need)
            values = table.to_numpy().ravel()
            assert not any(isinstance(v, (int, np.integer)) and 1 <= v <= 4 for v in values)
            for _, row in table.iterrows():  # a row and its Total: never one hidden cell
                hidden = [v == SUPPRESSED for v in row]
                assert sum(hidden) != 1


@pytest.mark.parametrize("seed", range(6))
def test_dense_cohorts_resist_differencing_and_linear_programming(seed):
    """Cohorts like real ones, where every LA places children in several others (many of
    them 1-4 to one LA): no count of 1-4 is recovered by differencing or pinned by the
    linear programme."""
    rng = np.random.default_rng(seed)
    flows = [(f, t, int(rng.integers(0, 3)), int(rng.choice([1, 2, 3, 4, 6, 9, 15])))
             for f in range(1, 7) for t in range(7) if t != f - 1 and rng.random() < 0.7]
    placements, needs = cohort(flows)
    family = family_of(placements, needs)
    assert_no_small_count_recovered(placements, family)
    assert pinned_by_lp(placements, family) == {}
    assert not family.types_withheld


def test_a_planted_leak_is_closed():
    """The leak the issue found: types add up to All. L1 places 3 children in L4 (homes)
    and 9 in foster care there; protecting each type table alone would show the foster 9
    and the All 12, giving the 3 back."""
    placements, needs = cohort([(1, 3, 1, 3), (1, 3, 0, 9), (2, 3, 0, 20), (2, 4, 1, 20),
                                (1, 4, 0, 15), (4, 0, 0, 30), (5, 1, 2, 25)])
    family = family_of(placements, needs)
    assert_no_small_count_recovered(placements, family)
    assert pinned_by_lp(placements, family) == {}


@pytest.mark.parametrize("flows", [[(1, 1, 0, 1), (3, 6, 0, 1)],
                                   [(2, 5, 0, 2), (4, 3, 2, 9), (6, 3, 1, 4), (1, 0, 0, 12),
                                    (4, 3, 1, 4), (3, 4, 1, 1), (5, 6, 2, 11), (3, 1, 2, 2)]])
def test_sparse_years_that_the_stepwise_search_misses_are_caught_by_the_audit(flows):
    """Two pilot-sized years found by random search: L1 and L3 each with one child placed
    outside; and a year of every LA with few children placed outside. The stepwise
    protection alone left a count of 1 pinned in the first; the joint audit withholds
    what it must, and neither attack then pins anything DfE's figures do not."""
    placements, needs = cohort(flows)
    family = family_of(placements, needs)
    assert_no_small_count_recovered(placements, family)
    assert pinned_by_lp(placements, family) == {}


def test_types_withheld_in_a_year_too_sparse_to_break_down():
    """In the pilot-sized year the type tables cannot be shown safely: every cell of them
    is c (they then add nothing), while the all-children Totals DfE publishes stay."""
    placements, needs = cohort([(1, 1, 0, 1), (3, 6, 0, 1)])
    family = family_of(placements, needs)
    assert family.types_withheld
    for label in TYPES:
        assert set(family.area_table("rcc", label).to_numpy().ravel()) == {SUPPRESSED}
    assert family.area_table("rcc").at["A", TOTAL] == 12


def test_breakdowns_by_type_and_need_at_once_are_refused():
    placements, needs = cohort([(1, 3, 1, 6)])
    with pytest.raises(ValueError, match="not both"):
        family_of(placements, needs).area_table("rcc", "Homes", "missing")
