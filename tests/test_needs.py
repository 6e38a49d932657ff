"""The needs audit's raw tables, checked against counts made child by child (loops over a
hand-made cohort of 12 children written out below), and the shares and readings made
from counts that may be hidden."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from analysis import needs_audit as rules
from analysis.disclosure import SUPPRESSED

NEEDS = ["going_missing", "criminal_exploitation", "self_harm", "disability"]
LABELS = {"going_missing": "Going missing", "criminal_exploitation": "Criminal exploitation",
          "self_harm": "Self-harm", "disability": "Disability"}
HOME, FOSTER = "Children's homes (incl. secure)", "Foster care"
#: child: (LA, age band, sex, placement, {need: (intensity, frequency)})
COHORT = {
    1: ("L1", "16 years and over", "Male", HOME,
        {"going_missing": ("high", "daily"), "criminal_exploitation": ("high", "weekly"),
         "self_harm": ("medium", "weekly")}),
    2: ("L1", "16 years and over", "Male", HOME,
        {"going_missing": ("high", "daily"), "criminal_exploitation": ("medium", "weekly")}),
    3: ("L1", "10 to 15 years", "Female", HOME,
        {"going_missing": ("medium", "monthly"), "criminal_exploitation": ("low", "rarely"),
         "self_harm": ("high", "daily"), "disability": ("low", "rarely")}),
    4: ("L1", "10 to 15 years", "Female", FOSTER, {"self_harm": ("low", "monthly")}),
    5: ("L1", "5 to 9 years", "Male", FOSTER, {"disability": ("medium", "daily")}),
    6: ("L1", "1 to 4 years", "Female", FOSTER, {}),
    7: ("L2", "16 years and over", "Not recorded", HOME,
        {"going_missing": ("Not recorded", "Not recorded"),
         "criminal_exploitation": ("Not recorded", "Not recorded")}),
    8: ("L2", "10 to 15 years", "Male", HOME,
        {"going_missing": ("high", "weekly"), "self_harm": ("high", "weekly"),
         "disability": ("medium", "weekly")}),
    9: ("L2", "10 to 15 years", "Female", FOSTER, {"disability": ("low", "monthly")}),
    10: ("L2", "Under 10 years", "Male", FOSTER, {}),
    11: ("L2", "5 to 9 years", "Female", FOSTER, {}),
    12: ("L2", "16 years and over", "Female", HOME,
         {"going_missing": ("medium", "weekly"), "criminal_exploitation": ("high", "daily"),
          "self_harm": ("medium", "monthly"), "disability": ("low", "weekly")}),
}


def frames(cohort: dict = COHORT) -> tuple[pd.DataFrame, pd.DataFrame]:
    children = pd.DataFrame(
        [{"child_id": c, "la_code": la, "age_band": age, "sex": sex, "placement": place,
          "residential": place in rules.RESIDENTIAL, "is_synthetic": False}
         for c, (la, age, sex, place, _) in cohort.items()],
        columns=["child_id", "la_code", "age_band", "sex", "placement", "residential",
                 "is_synthetic"])
    needs = pd.DataFrame([{"child_id": c, "need": n, "intensity": i, "frequency": f}
                          for c, (*_, has) in cohort.items() for n, (i, f) in has.items()],
                         columns=["child_id", "need", "frequency", "intensity"])
    return children, needs


def matrix_of(children, needs):
    return rules.need_matrix(children, needs, NEEDS)


# --- describing children ----------------------------------------------------------------------

def test_age_bands_at_31_march():
    """Born in March: the birthday has passed by the 31st; born in April: not yet."""
    born = pd.Series(["2024-04", "2015-04", "2015-03", "2009-04", "2009-03", None])
    assert list(rules.age_band(born, 2025)) == [
        "Under 10 years", "Under 10 years", "10 to 15 years", "10 to 15 years",
        "16 years and over", "Not recorded"]
    assert list(rules.age_years(born, 2025).fillna(-1)) == [0, 9, 10, 15, 16, -1]


def test_sex_codes_and_blank():
    assert list(rules.sex_label(pd.Series(["1", "2", None]))) == ["Male", "Female",
                                                                  "Not recorded"]


def test_describe_children_groups_placements_and_flags_residential():
    placements = pd.DataFrame({"child_id": [1, 2, 3], "from_code": ["L1", "L1", "L2"],
                               "place": ["K2", "U1", "S1"], "is_synthetic": [1, 1, 0]})
    people = pd.DataFrame({"child_id": [1, 2, 3], "birth_year_month": ["2010-01", None,
                                                                       "2008-12"],
                           "sex": ["1", "2", None]})
    out = rules.describe_children(placements, people, 2025)
    assert list(out["placement"]) == [HOME, FOSTER, rules.RESIDENTIAL[1]]
    assert list(out["residential"]) == [True, False, True]
    assert list(out["age_band"]) == ["10 to 15 years", "Not recorded", "16 years and over"]
    assert list(out["sex"]) == ["Male", "Female", "Not recorded"]


def test_only_the_latest_assessment_counts():
    """An earlier assessment's need that the latest no longer records has gone."""
    rows = pd.DataFrame({
        "child_id": [1, 1, 1, 2], "need": ["self_harm", "going_missing", "disability",
                                           "self_harm"],
        "assessed_on": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-09-01",
                                       "2023-05-05"]).date,
        "frequency": ["daily", "weekly", "unknown", "rarely"],
        "intensity": ["high", "low", "unknown", "low"]})
    out = rules.latest_needs(rows).sort_values("child_id")
    assert list(zip(out["child_id"], out["need"])) == [(1, "disability"), (2, "self_harm")]
    assert list(out["frequency"]) == ["Not recorded", "rarely"]


# --- raw tables against child-by-child counts ---------------------------------------------------

def has(child: int, need: str) -> bool:
    return need in COHORT[child][4]


@pytest.mark.parametrize("grouping", [None, "age_band", "sex", "placement"])
def test_prevalence_matches_a_count_child_by_child(grouping):
    children, needs = frames()
    table = rules.prevalence(children, matrix_of(children, needs), grouping)
    column = {None: None, "age_band": 1, "sex": 2, "placement": 3}[grouping]
    for row in table.itertuples():
        members = [c for c, values in COHORT.items()
                   if column is None or values[column] == row.group]
        assert row.children == len(members)
        assert row.with_need == sum(has(c, row.need) for c in members)
        if members:
            assert row.share_pct == round(100 * row.with_need / len(members), 1)
    if grouping is not None:  # every group listed, empty ones too
        assert set(table["group"]) == set(rules.GROUPINGS[grouping])


def test_co_occurrence_shares_and_lift_match_a_brute_force_count():
    children, needs = frames()
    table = rules.co_occurrence(children, matrix_of(children, needs)).set_index(
        ["need_a", "need_b"])
    assert len(table) == len(list(combinations(NEEDS, 2)))
    n = len(COHORT)
    for a, b in combinations(NEEDS, 2):
        both = sum(has(c, a) and has(c, b) for c in COHORT)
        with_a, with_b = sum(has(c, a) for c in COHORT), sum(has(c, b) for c in COHORT)
        row = table.loc[(a, b)]
        assert row["both"] == both
        assert row["share_of_all_pct"] == round(100 * both / n, 1)
        assert row["b_given_a_pct"] == round(100 * both / with_a, 1)
        assert row["a_given_b_pct"] == round(100 * both / with_b, 1)
        assert row["lift"] == round((both / n) / ((with_a / n) * (with_b / n)), 2)
    # planted: 5 of the 6 children who go missing are at risk of criminal exploitation
    assert table.loc[("going_missing", "criminal_exploitation"), "b_given_a_pct"] == 83.3


def test_number_of_needs_distribution_mean_and_share_with_four_or_more():
    children, needs = frames()
    matrix = matrix_of(children, needs)
    counts = [len(values[4]) for values in COHORT.values()]
    spread = rules.distribution(children, matrix).set_index("needs")["children"]
    for k in range(rules.TOP_BUCKET):
        assert spread[str(k)] == counts.count(k)
    assert spread["6+"] == 0
    summary = rules.need_count_summary(children, matrix)
    assert summary["mean_needs"] == pytest.approx(np.mean(counts))
    assert summary["share_4_plus"] == pytest.approx(np.mean([k >= 4 for k in counts]))
    totals = rules.prevalence(children, matrix)["with_need"]
    assert rules.mean_needs(totals, len(counts)) == round(np.mean(counts), 1)


def test_grid_counts_children_per_intensity_and_frequency():
    children, needs = frames()
    grid = rules.intensity_frequency(children, needs, NEEDS)
    assert len(grid) == len(NEEDS) * len(rules.INTENSITIES) * len(rules.FREQUENCIES)
    for row in grid.itertuples():
        expected = sum(values[4].get(row.need) == (row.intensity, row.frequency)
                       for values in COHORT.values())
        assert row.children == expected
    assert grid.groupby("need")["children"].sum().to_dict() == {
        n: sum(has(c, n) for c in COHORT) for n in NEEDS}
    missing = grid[(grid["need"] == "going_missing") & (grid["intensity"] == "Not recorded")]
    assert missing["children"].sum() == 1  # child 7, from a Placements v2 return


def test_counts_by_la_add_up_to_the_whole():
    children, needs = frames()
    matrix = matrix_of(children, needs)
    by_la = rules.pair_counts(children, matrix, by=["la_code"])
    whole = rules.pair_counts(children, matrix)
    assert by_la.groupby(["need_a", "need_b"])["both"].sum().to_dict() == \
        whole.set_index(["need_a", "need_b"])["both"].to_dict()
    buckets = rules.bucket_counts(children, matrix, "sex", by=["la_code"])
    assert buckets["children"].sum() == len(COHORT)


# --- edges ---------------------------------------------------------------------------------

def test_empty_scope():
    children, needs = frames({})
    matrix = matrix_of(children, needs)
    assert rules.prevalence(children, matrix)["with_need"].eq(0).all()
    assert rules.co_occurrence(children, matrix)["both"].eq(0).all()
    assert rules.distribution(children, matrix)["children"].eq(0).all()
    assert np.isnan(rules.need_count_summary(children, matrix)["mean_needs"])
    assert rules.intensity_frequency(children, needs, NEEDS)["children"].eq(0).all()


def test_no_child_with_a_need():
    cohort = {c: (*values[:4], {}) for c, values in COHORT.items()}
    children, needs = frames(cohort)
    matrix = matrix_of(children, needs)
    table = rules.prevalence(children, matrix)
    assert table["with_need"].eq(0).all() and table["share_pct"].eq(0).all()
    pairs = rules.co_occurrence(children, matrix)
    assert pairs["lift"].isna().all()  # no need: nothing to compare with chance
    assert rules.pair_readings(pairs, LABELS) == []
    assert rules.distribution(children, matrix).set_index("needs").at["0", "children"] == 12


def test_one_child():
    children, needs = frames({1: COHORT[1]})
    matrix = matrix_of(children, needs)
    pairs = rules.co_occurrence(children, matrix).set_index(["need_a", "need_b"])
    assert pairs.at[("going_missing", "criminal_exploitation"), "both"] == 1
    assert pairs.at[("going_missing", "criminal_exploitation"), "lift"] == 1.0
    assert rules.need_count_summary(children, matrix)["mean_needs"] == 3


# --- shares from protected counts and readings ----------------------------------------------

def test_a_hidden_count_hides_every_share_made_from_it():
    pairs = pd.DataFrame({"need_a": ["a", "a"], "need_b": ["b", "c"],
                          "both": [SUPPRESSED, 6], "with_a": [20, 20],
                          "with_b": [10, SUPPRESSED], "children": [50, 50]})
    out = rules.co_occurrence_shares(pairs)
    assert list(out.iloc[0][["share_of_all_pct", "b_given_a_pct", "a_given_b_pct",
                             "lift"]]) == [SUPPRESSED] * 4
    assert out.iloc[1]["b_given_a_pct"] == 30.0
    assert out.iloc[1]["a_given_b_pct"] == SUPPRESSED and out.iloc[1]["lift"] == SUPPRESSED
    assert rules.mean_needs(pd.Series([5, SUPPRESSED], dtype=object), 10) == SUPPRESSED
    assert rules.ratio(3, SUPPRESSED) == SUPPRESSED


def test_readings_say_most_from_half_and_n_in_ten_below():
    children, needs = frames()
    pairs = rules.co_occurrence(children, matrix_of(children, needs))
    readings = rules.pair_readings(pairs, LABELS, top=10)
    assert readings, "some pairs go together more often than chance"
    # every child at risk of criminal exploitation goes missing (5 of 5; 5 of 6 the
    # other way round): read in the direction with the larger share
    assert any(r.startswith("Most children with criminal exploitation also have going "
                            "missing recorded (100%") for r in readings)
    planted = pd.DataFrame({"need_a": ["a"], "need_b": ["b"], "both": [3], "with_a": [20],
                            "with_b": [10], "children": [100]})
    text = rules.pair_readings(rules.co_occurrence_shares(planted), {"a": "A", "b": "B"})
    assert text == ["About 3 in 10 children with b also have a recorded (30%, 1.5 times as "
                    "often as if the two were unrelated)."]
