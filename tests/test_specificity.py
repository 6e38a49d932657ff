"""The specificity gap: the matching rule, matching places and what an RCC exports.

Answers are planted in a hand-made RCC (worked out by hand below, child by child) and the
matching count is checked against a brute-force search over every assignment of children
to places, with the rule written again as a plain per-child test from its wording.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis import specificity as sp

F = frozenset
LA_RCC = pd.Series({"A": "north", "B": "north", "C": "south"})
CHILD_COLUMNS = ["child_id", "placing_la", "placement_la", "age", "sex", "needs", "intensity",
                 "cohort"]
OFFER_COLUMNS = ["urn", "la_code", "needs", "max_intensity", "age_from", "age_to", "sex",
                 "places"]


def children_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CHILD_COLUMNS)


def offers_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=OFFER_COLUMNS)


# The planted RCC. north has homes h1 (A: mental health and self-harm, up to high, ages
# 10-17, any sex, 2 places) and h2 (B: exploitation and going missing, up to medium,
# 12-17, boys, 1 place); h3 (C, south) takes anyone and must not count for north.
OFFERS = offers_frame([
    ("h1", "A", F({"mental_health", "self_harm"}), "high", 10, 17, "any", 2),
    ("h2", "B", F({"criminal_exploitation", "going_missing"}), "medium", 12, 17, "male", 1),
    ("h3", "C", F({"mental_health", "self_harm", "criminal_exploitation", "going_missing"}),
     "high", 0, 18, "any", 10),
])
CHILDREN = children_frame([
    # trauma: t1-t3 fit h1 (2 places), t4 is too young for h1 -> 4 children, 2 matched
    ("t1", "A", "A", 12, "female", F({"mental_health"}), "high", "trauma"),
    ("t2", "A", "B", 15, "male", F({"self_harm", "mental_health"}), "medium", "trauma"),
    ("t3", "B", "C", 16, "male", F({"mental_health"}), "low", "trauma"),
    ("t4", "B", None, 9, "female", F({"self_harm"}), "low", "trauma"),
    # exploitation: e1 fits h2; e2 is too intense for h2; e3 is a girl -> 3 children, 1
    ("e1", "A", "C", 14, "male", F({"criminal_exploitation"}), "medium", "exploitation"),
    ("e2", "A", "C", 15, "male", F({"going_missing", "criminal_exploitation"}), "high",
     "exploitation"),
    ("e3", "B", "A", 13, "female", F({"going_missing"}), "low", "exploitation"),
    # south: one child with no needs, fits h3
    ("s1", "C", "C", 10, "male", F(), None, "trauma"),
])


def gap_of(table: pd.DataFrame) -> dict:
    """{(rcc, cohort): (children, matching places, gap)}"""
    wide = table.pivot_table(index=["rcc", "cohort"], columns="measure", values="count")
    return {key: (row[sp.CHILDREN], row[sp.MATCHING], row[sp.GAP])
            for key, row in wide.iterrows()}


def test_planted_gap_is_children_minus_matching_places():
    assert gap_of(sp.specificity_gap(CHILDREN, OFFERS, LA_RCC)) == {
        ("north", "trauma"): (4, 2, 2),
        ("north", "exploitation"): (3, 1, 2),
        ("north", sp.ALL): (7, 3, 4),  # h1's 2 places + h2's 1, each counted once
        ("south", "trauma"): (1, 1, 0),
        ("south", sp.ALL): (1, 1, 0),
    }


def test_planted_places():
    table = sp.placed_where(CHILDREN, LA_RCC).set_index(["rcc", "cohort", "where"])["count"]
    assert [table["north", "trauma", where] for where in sp.WHERE] == [1, 1, 1, 1]
    assert [table["north", "exploitation", where] for where in sp.WHERE] == [0, 1, 2, 0]
    assert [table["north", sp.ALL, where] for where in sp.WHERE] == [1, 2, 3, 1]
    assert [table["south", "trauma", where] for where in sp.WHERE] == [1, 0, 0, 0]


def test_summary_puts_the_tables_side_by_side_and_keeps_hidden_counts():
    placed = sp.placed_where(CHILDREN, LA_RCC)
    gap = sp.specificity_gap(CHILDREN, OFFERS, LA_RCC)
    table = sp.gap_summary(placed, gap).set_index(["rcc", "cohort"])
    assert list(table.columns) == [sp.CHILDREN, *sp.WHERE, sp.MATCHING, sp.GAP]
    assert table.loc[("north", "trauma")].tolist() == [4, 1, 1, 1, 1, 2, 2]
    assert table.loc[("north", "exploitation")].tolist() == [3, 0, 1, 2, 0, 1, 2]
    hidden = gap.assign(count=gap["count"].map(lambda n: "c" if 0 < n < 5 else n))
    shown = sp.gap_summary(placed, hidden).set_index(["rcc", "cohort"])
    assert shown.loc[("north", sp.ALL), sp.GAP] == "c"


def test_planted_exports():
    profile = sp.exports_profile(CHILDREN, LA_RCC)
    north = profile[profile["rcc"] == "north"].set_index(["where", "need"])["count"]
    # outside: t3, e1, e2; inside (own LA or elsewhere in north): t1, t2, e3; t4 unrecorded
    assert north[sp.OUTSIDE_RCC, sp.ALL] == 3 and north[sp.INSIDE_RCC, sp.ALL] == 3
    assert north[sp.OUTSIDE_RCC, "criminal_exploitation"] == 2
    assert north[sp.INSIDE_RCC, "criminal_exploitation"] == 0
    assert north[sp.OUTSIDE_RCC, "mental_health"] == 1
    assert north[sp.INSIDE_RCC, "mental_health"] == 2
    shares = sp.exports_shares(profile[profile["rcc"] == "north"]).set_index("need")
    assert shares.at["criminal_exploitation", "pct_outside"] == pytest.approx(200 / 3)
    assert shares.at["going_missing", "pct_inside"] == pytest.approx(100 / 3)
    assert shares["children_outside"].tolist() == [3] * len(shares)
    assert sp.exports_sentence(shares.reset_index(), {}).startswith("Too few")


def test_planted_exports_sentence_names_needs_of_five_or_more_children():
    """Five copies of the planted RCC: 10 children with criminal exploitation placed
    outside (67% against 0% inside) are named; going missing (33% both) is not."""
    five = pd.concat([CHILDREN] * 5, ignore_index=True)
    profile = sp.exports_profile(five, LA_RCC)
    shares = sp.exports_shares(profile[profile["rcc"] == "north"])
    labels = {"criminal_exploitation": "Criminal exploitation"}
    assert sp.exports_sentence(shares, labels) == (
        "We send children away whose needs include criminal exploitation: these are the "
        "homes we lack.")
    four = pd.concat([CHILDREN] * 2, ignore_index=True)  # 4 with it outside: not named
    profile = sp.exports_profile(four, LA_RCC)
    shares = sp.exports_shares(profile[profile["rcc"] == "north"])
    assert "No need stands out" in sp.exports_sentence(shares, labels)


def test_exports_sentence_when_nothing_stands_out_or_nobody_leaves():
    same = children_frame([
        ("a", "A", "A", 12, "male", F({"self_harm"}), "low", 1),
        ("b", "A", "C", 12, "male", F({"self_harm"}), "low", 1)] * 5)
    profile = sp.exports_profile(same, LA_RCC)
    shares = sp.exports_shares(profile[profile["rcc"] == "north"])
    assert "No need stands out" in sp.exports_sentence(shares, {})
    home = sp.exports_profile(same.iloc[:1], LA_RCC)
    assert sp.exports_sentence(sp.exports_shares(home), {}).startswith("We place none")


# --- the matching rule, edge by edge -----------------------------------------------------

def one_home(**changes) -> pd.DataFrame:
    home = {"urn": "h", "la_code": "A", "needs": F({"self_harm", "mental_health"}),
            "max_intensity": "medium", "age_from": 10, "age_to": 17, "sex": "any",
            "places": 1, **changes}
    return offers_frame([tuple(home[c] for c in OFFER_COLUMNS)])


def kids(**columns) -> pd.DataFrame:
    """Children that all fit ``one_home()`` except in the columns given (lists)."""
    n = len(next(iter(columns.values())))
    base = {"child_id": range(n), "placing_la": ["A"] * n, "placement_la": ["A"] * n,
            "age": [12] * n, "sex": ["female"] * n, "needs": [F({"self_harm"})] * n,
            "intensity": ["low"] * n, "cohort": [1] * n}
    return pd.DataFrame({**base, **columns})[CHILD_COLUMNS]


def test_age_bounds_are_inclusive_and_a_missing_age_rules_nothing_out():
    ages = [9, 10, 17, 18, None]
    assert sp.matches(kids(age=ages), one_home())[:, 0].tolist() == [False, True, True,
                                                                     False, True]


def test_sex_any_accepts_everyone_and_a_missing_sex_rules_nothing_out():
    sexes = ["male", "female", None]
    assert sp.matches(kids(sex=sexes), one_home())[:, 0].tolist() == [True, True, True]
    girls = sp.matches(kids(sex=sexes), one_home(sex="female"))[:, 0].tolist()
    assert girls == [False, True, True]


def test_intensity_order_low_medium_high():
    levels = ["low", "medium", "high", None, "unknown"]
    got = sp.matches(kids(intensity=levels), one_home(max_intensity="medium"))[:, 0]
    assert got.tolist() == [True, True, False, True, True]
    low = sp.matches(kids(intensity=levels), one_home(max_intensity="low"))[:, 0]
    assert low.tolist() == [True, False, False, True, True]


def test_every_need_must_be_accepted_and_a_child_without_needs_fits():
    needs = [F({"self_harm", "mental_health"}), F({"self_harm", "going_missing"}), F(),
             F({"going_missing"})]
    assert sp.matches(kids(needs=needs), one_home())[:, 0].tolist() == [True, False, True,
                                                                        False]


def test_empty_inputs_and_an_rcc_without_offers():
    assert sp.matching_places(CHILDREN.iloc[:0], OFFERS) == 0
    assert sp.matching_places(CHILDREN, OFFERS.iloc[:0]) == 0
    no_homes = gap_of(sp.specificity_gap(CHILDREN, OFFERS[OFFERS["la_code"] == "C"], LA_RCC))
    assert no_homes["north", sp.ALL] == (7, 0, 7)
    assert sp.specificity_gap(CHILDREN.iloc[:0], OFFERS, LA_RCC).empty
    assert sp.placed_where(CHILDREN.iloc[:0], LA_RCC).empty


def test_cohorts_as_text_and_children_outside_any_rcc_left_out():
    children = kids(cohort=[2, None, 2]).astype({"cohort": "float"})
    children.loc[2, "placing_la"] = "Z"  # an LA in no RCC
    table = sp.placed_where(children, LA_RCC)
    assert set(table["cohort"]) == {"2", sp.NO_COHORT, sp.ALL}
    assert table.loc[table["cohort"] == sp.ALL, "count"].sum() == 2


def test_one_child_one_place():
    child = kids(age=[12])
    assert gap_of(sp.specificity_gap(child, one_home(), LA_RCC))["north", "1"] == (1, 1, 0)
    assert gap_of(sp.specificity_gap(child, one_home(places=3), LA_RCC))["north", "1"] == \
        (1, 1, 0)


def test_with_needs_keeps_the_highest_known_intensity_and_fills_no_needs():
    long = pd.DataFrame({"child_id": [1, 1, 1, 2, 3],
                         "need": ["self_harm", "going_missing", "disability", "self_harm",
                                  "disability"],
                         "intensity": ["low", "high", "medium", "Not recorded", "medium"]})
    children = pd.DataFrame({"child_id": [1, 2, 3, 4]})
    got = sp.with_needs(children, long).set_index("child_id")
    assert got.at[1, "needs"] == F({"self_harm", "going_missing", "disability"})
    assert got.at[1, "intensity"] == "high" and got.at[3, "intensity"] == "medium"
    assert pd.isna(got.at[2, "intensity"])
    assert got.at[4, "needs"] == F() and pd.isna(got.at[4, "intensity"])


def test_sex_words_of_the_needs_tables_are_understood():
    sexes = ["Male", "Female", "Not recorded"]
    assert sp.matches(kids(sex=sexes), one_home(sex="male"))[:, 0].tolist() == [True, False,
                                                                                 True]


def test_need_sets_parse_the_register():
    parsed = sp.need_sets(pd.Series(["a;b", " c ; ", "", None]))
    assert parsed.tolist() == [F({"a", "b"}), F({"c"}), F(), F()]


# --- brute force -------------------------------------------------------------------------

RANK = {"low": 0, "medium": 1, "high": 2}


def fits(child, home) -> bool:
    """The rule from its wording, one child and one home at a time."""
    age_ok = child["age"] is None or home["age_from"] <= child["age"] <= home["age_to"]
    sex_ok = home["sex"] == "any" or child["sex"] is None or child["sex"] == home["sex"]
    needs_ok = all(need in home["needs"] for need in child["needs"])
    level = RANK.get(child["intensity"], -1)
    return age_ok and sex_ok and needs_ok and level <= RANK[home["max_intensity"]]


def most_placed(children: list[dict], slots: list[dict]) -> int:
    """Try every way of giving each child a free fitting slot or none; keep the best."""
    best = 0

    def place(i: int, used: frozenset, placed: int) -> None:
        nonlocal best
        best = max(best, placed)
        if i == len(children) or placed + len(children) - i <= best:
            return
        for k, slot in enumerate(slots):
            if k not in used and fits(children[i], slot):
                place(i + 1, used | {k}, placed + 1)
        place(i + 1, used, placed)

    place(0, frozenset(), 0)
    return best


def random_case(rng: random.Random):
    needs = ["a", "b", "c"]
    children = [{"child_id": i, "placing_la": "A", "placement_la": "A",
                 "age": rng.choice([None, 8, 11, 14, 17]),
                 "sex": rng.choice([None, "male", "female"]),
                 "needs": F(rng.sample(needs, rng.randint(0, 2))),
                 "intensity": rng.choice([None, "low", "medium", "high"]), "cohort": 1}
                for i in range(rng.randint(1, 7))]
    homes = [{"urn": f"h{j}", "la_code": "A", "needs": F(rng.sample(needs, rng.randint(1, 3))),
              "max_intensity": rng.choice(list(RANK)), "age_from": rng.choice([8, 11]),
              "age_to": rng.choice([14, 17]), "sex": rng.choice(["any", "male", "female"]),
              "places": rng.randint(1, 3)} for j in range(rng.randint(1, 3))]
    return children, homes


@pytest.mark.parametrize("seed", range(60))
def test_matching_places_equals_a_brute_force_search(seed):
    children, homes = random_case(random.Random(seed))
    child_frame, home_frame = pd.DataFrame(children), pd.DataFrame(homes)
    expected_fits = np.array([[fits(c, h) for h in homes] for c in children])
    assert (sp.matches(child_frame, home_frame) == expected_fits).all()
    slots = [home for home in homes for _ in range(home["places"])]
    assert sp.matching_places(child_frame, home_frame) == most_placed(children, slots)


def test_identical_children_share_one_group_without_changing_the_answer():
    """Many identical children (one group in the network) against few places."""
    many = kids(age=[12] * 40)
    assert sp.matching_places(many, one_home(places=7)) == 7
    twins = pd.concat([CHILDREN] * 3, ignore_index=True)
    north = twins[twins["placing_la"] != "C"]
    slots = [h for h in OFFERS[OFFERS["la_code"] != "C"].to_dict("records")
             for _ in range(h["places"])]
    records = north.astype(object).where(north.notna(), None).to_dict("records")
    assert sp.matching_places(north, OFFERS[OFFERS["la_code"] != "C"]) == \
        most_placed(records, slots)

