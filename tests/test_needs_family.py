"""Attacks on the protected needs tables: whatever a reader combines (every LA's, every
RCC's and England's tables, every breakdown of a need), no count of 1-4 is pinned down.

The attacker is written from the tables' meaning, not from the protection code: the sums
a reader knows hold (an RCC is its LAs, England its RCCs; groups add up to the total;
grid cells to the need total; children by number of needs to the children, and, weighted
by k, to the need totals and pair counts; residential care is children's homes plus the
other residential settings; DfE publishes each LA's children looked after), then
(a) differencing, solving every sum with one unknown term again and again, and
(b) linear programming (scipy ``linprog``): the least and the most each hidden count can
be, counts never negative. Both on random small cohorts (hypothesis) and a denser one;
then an end-to-end read of the synthetic cohort's store.
"""

from __future__ import annotations

from math import comb
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from analysis import needs_audit as rules
from analysis import needs_family
from analysis.disclosure import SUPPRESSED, SYNTHETIC_LABEL, uses_synthetic
from analysis.needs_family import ENGLAND, MANY, NeedsFamily
from analysis.scope import Scope

NEEDS = ["going_missing", "criminal_exploitation", "self_harm"]
RCC_OF = {"L1": "A", "L2": "A", "L3": "A", "L4": "B", "L5": "B"}
PLACES = [rules.PLACEMENTS[0], rules.RESIDENTIAL[0], rules.RESIDENTIAL[1]]


def cohort(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children from (la, age, sex, place, needs bitmask, intensity, n) tuples. Each LA
    also has 5 children aged 10-15 in foster care without a recorded need: its total is
    then at least 5, as DfE's published totals (known to the reader) are."""
    children, needs = [], []
    child = 0
    own = [(la, 3, 0, 0, 0, 0, 5) for la in sorted({row[0] for row in rows})]
    for la, age, sex, place, mask, intensity, n in own + list(rows):
        for _ in range(n):
            child += 1
            children.append({"child_id": child, "la_code": f"L{la}",
                             "age_band": band(age), "sex": rules.SEXES[sex],
                             "placement": PLACES[place],
                             "residential": PLACES[place] in rules.RESIDENTIAL})
            for j, need in enumerate(NEEDS):
                if mask >> j & 1:
                    needs.append({"child_id": child, "need": need,
                                  "intensity": rules.INTENSITIES[intensity],
                                  "frequency": rules.FREQUENCIES[(child + j) % 2]})
    return pd.DataFrame(children), pd.DataFrame(needs, columns=["child_id", "need",
                                                                "intensity", "frequency"])


def band(age: int) -> str:
    """A row's age (DfE's five bands, 0-4: under 1, 1-4, 5-9, 10-15, 16+) as the needs
    tables' band (the three youngest are one)."""
    return rules.AGE_BANDS[max(0, age - 2)]


def family_of(rows) -> NeedsFamily:
    children, needs = cohort(rows)
    return NeedsFamily(children, needs, NEEDS, RCC_OF)


def by_parts():
    """Protect every component part by part (RCCs, then each RCC's LAs), as England's large
    components are, instead of whole as small ones are."""
    return mock.patch.object(needs_family, "SMALL", 0)


# --- what a reader knows ----------------------------------------------------------------------

def areas(family: NeedsFamily) -> list:
    return list(family.areas.names)


def relations(family: NeedsFamily) -> list[dict]:
    """Sums that hold, each as {cell: coefficient} adding up to 0. A cell is (key, area);
    ('exactly', pop, k) cells (children with exactly k needs) are never shown."""
    out = []
    las = family.areas.las
    rccs = sorted(set(RCC_OF[la] for la in las))
    keys = [*family.keys, *(("exactly", pop, k) for pop in ("all", "residential")
                            for k in range(len(NEEDS) + 1))]
    for key in keys:  # areas
        for rcc in rccs:
            out.append({**{(key, la): 1 for la in las if RCC_OF[la] == rcc},
                        (key, ("rcc", rcc)): -1})
        out.append({**{(key, ("rcc", rcc)): 1 for rcc in rccs}, (key, ENGLAND): -1})
    for area in areas(family):
        for pop, groupings in family.groupings.items():
            total = ("children", pop, None, rules.ALL)
            for grouping in groupings:
                groups = family.orders[grouping]
                out.append({**{(("children", pop, grouping, g), area): 1 for g in groups},
                            (total, area): -1})
                for need in NEEDS:
                    out.append({**{(("need", pop, need, grouping, g), area): 1
                                   for g in groups},
                                (("need", pop, need, None, rules.ALL), area): -1})
            for need in NEEDS:
                out.append({**{(("grid", pop, need, i, f), area): 1 for i in rules.INTENSITIES
                               for f in rules.FREQUENCIES},
                            (("need", pop, need, None, rules.ALL), area): -1})
            exact = [(("exactly", pop, k), area) for k in range(len(NEEDS) + 1)]
            out.append({**{cell: 1 for cell in exact}, (total, area): -1})
            for k in range(len(NEEDS) + 1):
                shown = str(k) if k < rules.TOP_BUCKET else rules.BUCKETS[-1]
                if k < rules.TOP_BUCKET:
                    out.append({exact[k]: 1, (("needs_count", pop, shown), area): -1})
            out.append({**{exact[k]: 1 for k in range(rules.MANY_NEEDS, len(NEEDS) + 1)},
                        (("needs_count", pop, MANY), area): -1})
            out.append({**{(("need", pop, n, None, rules.ALL), area): 1 for n in NEEDS},
                        **{exact[k]: -k for k in range(1, len(NEEDS) + 1)}})
            out.append({**{(("pair", pop, a, b), area): 1 for i, a in enumerate(NEEDS)
                           for b in NEEDS[i + 1:]},
                        **{exact[k]: -comb(k, 2) for k in range(2, len(NEEDS) + 1)}})
        out.append({**{(("children", "all", "placement", g), area): 1 for g in rules.RESIDENTIAL},
                    (("children", "residential", None, rules.ALL), area): -1})
        for need in NEEDS:
            out.append({**{(("need", "all", need, "placement", g), area): 1
                           for g in rules.RESIDENTIAL},
                        (("need", "residential", need, None, rules.ALL), area): -1})
    return [{cell: c for cell, c in rel.items() if c} for rel in out]


def truth(family: NeedsFamily, rows) -> dict:
    """True value of every cell, the never-shown 'exactly' cells counted from the rows."""
    out = {(key, area): family.true_value(key, area) for key in family.keys
           for area in areas(family)}
    children, needs = cohort(rows)
    count = children["child_id"].map(needs.groupby("child_id").size()).fillna(0)
    for pop in ("all", "residential"):
        chosen = children["residential"] | (pop == "all")
        for k in range(len(NEEDS) + 1):
            hit = chosen & (count == k)
            by_la = children[hit].groupby("la_code").size()
            for area in areas(family):
                members = [la for la in family.areas.las if area in (la, ENGLAND) or
                           area == ("rcc", RCC_OF[la])]
                out[(("exactly", pop, k), area)] = int(by_la.reindex(members).fillna(0).sum())
    return out


def published(family: NeedsFamily) -> dict:
    """Every count the product shows, by cell ('c' where hidden). Cells no table ever
    shows (an LA's children by number of needs, say) are left out: they are unknowns
    to the attacker, and counts of categories no table shows are not guarded."""
    return {(key, area): family.shown(key, area) for key in family.keys
            for area in areas(family) if family.ever_shown(key, area)}


def with_dfe(family: NeedsFamily, shown: dict) -> dict:
    """What a reader holds: the product's counts and DfE's count of each LA's children."""
    key = ("children", "all", None, rules.ALL)
    return {**shown, **{(key, la): family.true_value(key, la) for la in family.areas.las}}


def difference_attack(known: dict, sums: list[dict]) -> dict:
    known = {cell: value for cell, value in known.items() if value != SUPPRESSED}
    changed = True
    while changed:
        changed = False
        for terms in sums:
            unknown = [cell for cell in terms if cell not in known]
            if len(unknown) == 1:
                rest = sum(c * known[cell] for cell, c in terms.items() if cell in known)
                known[unknown[0]] = -rest / terms[unknown[0]]
                changed = True
    return known


def lp_pinned(shown: dict, true: dict, sums: list[dict]) -> dict:
    """Hidden counts of 1-4 whose least and most possible values (given every shown
    count and sum, counts never negative) are within 0.5 of each other."""
    cells = sorted(true, key=str)
    column = {cell: j for j, cell in enumerate(cells)}
    rows, cols, data, rhs = [], [], [], []
    equations = [(terms, 0.0) for terms in sums] + [
        ({cell: 1}, float(value)) for cell, value in shown.items() if value != SUPPRESSED]
    for r, (terms, value) in enumerate(equations):
        for cell, c in terms.items():
            rows.append(r)
            cols.append(column[cell])
            data.append(c)
        rhs.append(value)
    a = sparse.csr_matrix((data, (rows, cols)), shape=(len(equations), len(cells)))
    out = {}
    for cell, value in shown.items():
        if value == SUPPRESSED and 1 <= true[cell] <= 4:  # every cell ever shown
            objective = np.zeros(len(cells))
            objective[column[cell]] = 1
            low = linprog(objective, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
            high = linprog(-objective, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
            assert low.status == 0 and high.status == 0
            if -high.fun - low.fun <= 0.5:
                out[cell] = (low.fun, -high.fun)
    return out


def assert_safe(rows, lp: bool = True) -> NeedsFamily:
    family = family_of(rows)
    shown, true = published(family), truth(family, rows)
    for cell, value in shown.items():
        assert value == SUPPRESSED or value == true[cell], cell
        assert value == SUPPRESSED or not 1 <= value <= 4, f"{cell} shows {value}"
    sums = relations(family)
    for terms in sums:  # the attacker's sums hold
        assert sum(c * true[cell] for cell, c in terms.items()) == 0, terms
    held = with_dfe(family, shown)
    nothing = with_dfe(family, {cell: SUPPRESSED for cell in shown})
    already = difference_attack(nothing, sums)
    for cell, value in difference_attack(held, sums).items():
        if held.get(cell) == SUPPRESSED and cell not in already:
            assert value == true[cell], "the attack solved a sum wrongly"
            assert not 1 <= value <= 4, f"{cell} = {value} recovered by differencing"
    if lp:
        before = lp_pinned(nothing, true, sums)
        assert {cell: v for cell, v in lp_pinned(held, true, sums).items()
                if cell not in before} == {}
    return family


# --- random and planted cohorts ------------------------------------------------------------------

ROWS = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 4), st.integers(0, 2),
                          st.integers(0, 2), st.integers(0, 7), st.integers(0, 3),
                          st.one_of(st.integers(1, 4), st.integers(1, 15))),
                min_size=1, max_size=25)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
def test_property_differencing_recovers_no_count_of_one_to_four(rows):
    with by_parts():
        assert_safe(rows, lp=False)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(ROWS)
def test_property_linear_programming_pins_no_count_of_one_to_four(rows):
    with by_parts():
        assert_safe(rows)


@pytest.mark.parametrize("parts", [False, True])
def test_denser_cohorts_resist_differencing_and_linear_programming(parts):
    """Every LA with children of several ages, placements and needs, many counts 1-4
    (seed 1 needs a second round: its first left a count pinned by the joint audit)."""
    rng = np.random.default_rng(1)
    rows = [(la, int(rng.integers(0, 5)), int(rng.integers(0, 2)), int(rng.integers(0, 3)),
             int(rng.integers(0, 8)), int(rng.integers(0, 3)),
             int(rng.choice([1, 2, 3, 6, 9])))
            for la in range(1, 6) for _ in range(8)]
    with by_parts() if parts else mock.patch.object(needs_family, "SMALL", 10 ** 9):
        family = assert_safe(rows)
    assert family.withheld == []


def test_one_child_with_needs_shows_none_of_them():
    """One child in a children's home with three needs, beside the LA's five others: every
    count about needs is 0 or c (a count of 1 hidden, and its partners)."""
    family = family_of([(1, 3, 0, 1, 7, 2, 1)])
    for key in family.keys:
        for area in areas(family):
            if key[0] in ("need", "pair", "grid"):
                assert family.shown(key, area) in (0, SUPPRESSED)
    assert family.shown(("children", "all", None, rules.ALL), ENGLAND) == 6


def test_tables_for_a_scope_derive_shares_from_protected_counts():
    family = family_of([(la, age, 0, place, 3, 1, 6) for la in range(1, 6)
                        for age in (3, 4) for place in (0, 1)] + [(1, 2, 1, 2, 1, 0, 2)])
    table = family.prevalence(("rcc", "A"), "all", "age_band")
    for row in table.itertuples():
        if SUPPRESSED in (row.with_need, row.children):
            assert row.share_pct == SUPPRESSED
        elif row.children:
            assert row.share_pct == round(100 * row.with_need / row.children, 1)
    assert family.summary(ENGLAND)["mean_needs"] == round(
        sum(family.true_value(("need", "all", n, None, rules.ALL), ENGLAND) for n in NEEDS)
        / family.true_value(("children", "all", None, rules.ALL), ENGLAND), 1)
    assert set(family.distribution("L1")["children"]) == {SUPPRESSED}  # RCCs and England


def test_a_table_added_later_is_protected_with_the_rest():
    """A cohort grouping and a placed-where table tied to it, as the lead will add."""
    children, needs = cohort([(la, 3, 0, 1, 3, 1, 7) for la in range(1, 6)]
                             + [(2, 4, 1, 2, 4, 2, 3)])
    family = NeedsFamily(children, needs, NEEDS, RCC_OF)
    cohort_of = pd.Series(np.where(children["child_id"] % 2, "A", "B"),
                          index=children["child_id"])
    family.add_grouping("cohort", cohort_of, ["A", "B"], populations=("residential",))
    where = children[children["residential"]].assign(
        cohort=lambda f: f["child_id"].map(cohort_of),
        where=lambda f: np.where(f["child_id"] % 3, "inside LA", "outside RCC"),
        children=1)
    family.add_table("placed", where, ["cohort", "where"],
                     {(c,): ("children", "residential", "cohort", c) for c in "AB"},
                     pop="residential")
    table = family.table("placed", ("rcc", "A"), "residential")
    assert list(table.columns) == ["value_1", "value_2", "children"]
    shown = [v for key in family.keys for v in
             (family.shown(key, area) for area in areas(family))]
    assert not any(isinstance(v, int) and 1 <= v <= 4 for v in shown)
    for area in areas(family):
        for c in "AB":
            cells = [family.shown(("placed", "residential", c, w), area)
                     for w in ("inside LA", "outside RCC")]
            total = family.shown(("children", "residential", "cohort", c), area)
            assert [SUPPRESSED in (*cells, total)] and \
                sum(v == SUPPRESSED for v in (*cells, total)) != 1


# --- end to end: the synthetic cohort's store ----------------------------------------------------

def test_store_tables_are_protected_and_labelled(cohort_url):
    from data.errors import UserInputError
    from data.needs_tables import needs_export, needs_family, needs_tables
    from data.store import make_engine

    engine = make_engine(cohort_url)
    try:
        family = needs_family(engine, 2025)
        tables = needs_tables(engine, 2025, Scope("rcc", "greater-manchester"),
                              "residential", family)
        assert set(tables) == {"prevalence", "needs_per_child", "summary", "co_occurrence",
                               "readings", "intensity_frequency"}
        for table in tables.values():
            assert uses_synthetic(table)
        export = needs_export(engine, 2025, "la", family=family)
        assert uses_synthetic(export)
        assert export["area_code"].nunique() == 22
        values = export["children"].tolist() + export["denominator"].tolist()
        assert not any(isinstance(v, (int, np.integer)) and 1 <= v <= 4 for v in values)
        for value in export["share_pct"]:
            assert value == SUPPRESSED or pd.isna(value) or 0 <= value <= 100
        summary = tables["summary"].iloc[0]
        assert summary["mean_needs"] == SUPPRESSED or 2 < summary["mean_needs"] < 6
        assert SYNTHETIC_LABEL
        with pytest.raises(UserInputError, match="No case-level"):
            needs_tables(engine, 2019, family=None)
        with pytest.raises(UserInputError, match="not a region"):
            needs_tables(engine, 2025, Scope("region", "E12000002"), family=family)
    finally:
        engine.dispose()


def test_a_component_that_cannot_be_protected_is_withheld_whole():
    """With no round allowed the audit never passes: each large component is withheld,
    every count in it hidden (safe by construction), and named."""
    rows = [(la, 3, 0, 1, 3, 1, 6) for la in range(1, 6)]
    with by_parts(), mock.patch.object(needs_family, "ROUNDS", 0):
        family = family_of(rows)
        family.protect()
    assert len(family.withheld) == len(family.components())
    for key in family.keys:
        for area in areas(family):
            assert family.shown(key, area) in (0, SUPPRESSED) or \
                key == ("children", "all", None, rules.ALL)  # DfE's, and sums of DfE's


def test_the_weighted_tie_is_never_left_tight():
    """With seven needs, children with 6+ needs have 6 or 7: the three sums tying them
    (how many, how many needs, how many pairs) would pin their numbers and then the
    counts shown, so the distribution is not shown, and the attacker, who knows the sums
    (need totals add up to sum(k x children with exactly k needs), pair counts to
    sum(k(k-1)/2 x ...)), pins nothing."""
    import sys

    seven = NEEDS + ["mental_health", "disability", "substance_misuse", "risk_to_others"]
    rows = [(la, 3 + la % 2, la % 2, 1 + la % 2, mask, la % 3, n)
            for la in (1, 2, 4) for mask, n in ((127, 2), (63, 3), (7, 6), (1, 5), (96, 1))]
    with mock.patch.object(sys.modules[__name__], "NEEDS", seven):
        family = assert_safe(rows)
    for pop in ("all", "residential"):
        assert not family.ever_shown(("needs_count", pop, "2"), ENGLAND)
    assert family.summary(ENGLAND)["share_4_plus_pct"] != SUPPRESSED
