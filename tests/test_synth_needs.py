"""Synthetic needs drawn from a mixture of cohorts: calibrated to the prevalence targets,
independent within a cohort, and recovered by a latent class analysis (stepmix), all on
large samples drawn by the pure function, without a store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from stepmix.stepmix import StepMix

from data.synth.calibration import REF_DAY
from data.synth.needs import (COHORTS, FREQUENCIES, INTENSITIES, KINDS, NEED_AGE_SCALE,
                              NEED_PREVALENCE, NEEDS, draw_needs, needs_for)

#: An age in each band of NEED_AGE_SCALE: under 1, 1-4, 5-9, 10-11, 12 and over.
BAND_AGES = [0, 3, 7, 11, 14]
PER_CELL = 4000
RESIDENTIAL = ["home", "secure", "school"]


def draw(kinds, ages, seed: int) -> pd.DataFrame:
    """One row per child: the needs as 0/1 columns, kind, age and the drawn cohort."""
    kinds, ages = np.asarray(kinds, dtype=object), np.asarray(ages)
    cohort, present = draw_needs(kinds, ages, np.random.default_rng(seed))
    frame = pd.DataFrame(present.astype(int), columns=NEEDS)
    return frame.assign(kind=kinds, age=ages, cohort=np.asarray(COHORTS)[cohort])


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """PER_CELL children in every placement kind x age band."""
    kinds = np.repeat(KINDS, len(BAND_AGES) * PER_CELL)
    ages = np.tile(np.repeat(BAND_AGES, PER_CELL), len(KINDS))
    return draw(kinds, ages, seed=1)


def target(kind: str, age: int) -> np.ndarray:
    """The published-style target: prevalence at 12+ times the age multiplier."""
    return np.asarray(NEED_PREVALENCE[kind]) * NEED_AGE_SCALE[:, BAND_AGES.index(age)]


def tolerance(kind: str, age: int) -> float:
    """What the mixture achieves (see the needs module's docstring), plus sampling noise
    (a prevalence from 4,000 children has a standard error of at most 0.008)."""
    if age >= 12 and kind in ("home", "school"):
        return 0.04 + 0.025
    if kind == "foster":
        return 0.09 + 0.025
    if age >= 12 and kind == "secure":
        return 0.11 + 0.025
    return 0.17 + 0.025


def test_prevalence_of_each_need_is_close_to_its_target(cells):
    errors = []
    for (kind, age), group in cells.groupby(["kind", "age"]):
        error = group[NEEDS].mean().to_numpy() - target(kind, age)
        assert np.abs(error).max() <= tolerance(kind, age), (kind, age, error.round(3))
        errors.append(np.abs(error))
    assert np.mean(errors) < 0.025


def test_about_four_needs_in_childrens_homes_and_under_two_in_foster_care(cells):
    count = cells[NEEDS].sum(axis=1)
    mean = count.groupby([cells["kind"], cells["age"]]).mean()
    assert 3.9 <= mean["home", 14] <= 4.6
    assert mean["secure", 14] > mean["home", 14] > mean["foster", 14]
    assert (mean["foster"].loc[[0, 3, 7, 11]] < 2).all()
    assert mean["foster", 14] < 2.5
    assert (mean["adoption"] < 0.6).all()
    for (kind, age), value in mean.items():
        assert abs(value - target(kind, age).sum()) < 0.4, (kind, age, value)


def test_cohort_chances_depend_on_age_and_placement(cells):
    share = pd.crosstab([cells["kind"], cells["age"]], cells["cohort"], normalize="index")
    young = cells[cells["age"] < 10]
    assert not (young["cohort"] == "extra_familial").any()  # an adolescent cohort
    assert not (cells[cells["age"] < 5]["cohort"] == "trauma").any()
    assert share.loc[("home", 14), "extra_familial"] > 2 * share.loc[("foster", 14),
                                                                     "extra_familial"]
    assert share.loc[("school", 14)].idxmax() == "disability"
    assert share.loc[("adoption", 3), "few_needs"] > 0.9
    assert share.loc[("foster", 0), "few_needs"] > share.loc[("foster", 14), "few_needs"]


def test_needs_impossible_at_an_age_are_never_drawn(cells):
    for age in BAND_AGES:
        impossible = [need for need, scale in zip(NEEDS, NEED_AGE_SCALE[:, BAND_AGES.index(age)])
                      if scale == 0]
        assert cells.loc[cells["age"] == age, impossible].to_numpy().sum() == 0, age


@pytest.fixture(scope="module")
def teenagers_in_homes() -> pd.DataFrame:
    """A large sample of children's home residents of 14, for correlations."""
    return draw(["home"] * 40_000, [14] * 40_000, seed=2)


def test_needs_are_independent_within_a_cohort_and_linked_across(teenagers_in_homes):
    for cohort, group in teenagers_in_homes.groupby("cohort"):
        corr = group[NEEDS].corr().to_numpy()[np.triu_indices(len(NEEDS), 1)]
        # ~4 standard errors of a correlation of independent variables
        assert np.nanmax(np.abs(corr)) < 4 / np.sqrt(len(group)), cohort
    overall = teenagers_in_homes[NEEDS].corr()
    for a, b in [("sexual_exploitation", "criminal_exploitation"),
                 ("going_missing", "criminal_exploitation"),
                 ("substance_misuse", "going_missing"), ("self_harm", "mental_health")]:
        assert overall.loc[a, b] > 0.2, (a, b)
    assert overall.loc["neurodevelopmental", "disability"] > 0.1


def test_each_cohort_stands_out_on_the_needs_that_define_it(teenagers_in_homes):
    rate = teenagers_in_homes.groupby("cohort")[NEEDS].mean()
    lift = rate / teenagers_in_homes[NEEDS].mean()
    assert set(lift.loc["extra_familial"].nlargest(4).index) == {
        "sexual_exploitation", "criminal_exploitation", "going_missing", "substance_misuse"}
    assert set(lift.loc["disability"].nlargest(2).index) == {"neurodevelopmental",
                                                             "disability"}
    for need in ("self_harm", "mental_health", "placement_breakdown", "risk_to_others"):
        assert rate[need].idxmax() == "trauma", need
    assert rate.loc["few_needs"].sum() < 1


def test_latent_class_analysis_recovers_the_cohorts():
    """BIC over 1-5 classes picks four (three cohorts and the few-needs children) among
    children in residential care aged 10-17, and the classes match the drawn cohorts. Ten
    starts: with three, EM can stop in a local optimum whose four classes fit worse than
    three."""
    rng = np.random.default_rng(3)
    n = 3000
    kinds = rng.choice(RESIDENTIAL, n, p=[0.9, 0.04, 0.06])
    sample = draw(kinds, rng.integers(10, 18, n), seed=4)
    needs = sample[NEEDS].to_numpy(dtype=float)
    fits = {k: StepMix(n_components=k, measurement="binary", n_init=10, abs_tol=1e-6,
                       random_state=1, progress_bar=0, verbose=0).fit(needs)
            for k in range(1, 6)}
    bic = {k: fit.bic(needs) for k, fit in fits.items()}
    assert min(bic, key=bic.get) == 4, bic
    assert adjusted_rand_score(sample["cohort"], fits[4].predict(needs)) >= 0.8


def test_same_seed_same_needs_and_an_edge_or_two():
    kinds, ages = ["home", "foster", "adoption"] * 10, [14, 7, 2] * 10
    assert draw(kinds, ages, seed=5).equals(draw(kinds, ages, seed=5))
    assert not draw(kinds, ages, seed=5).equals(draw(kinds, ages, seed=6))
    empty_cohort, empty = draw_needs(np.array([], dtype=object), np.array([]),
                                     np.random.default_rng(0))
    assert empty_cohort.shape == (0,) and empty.shape == (0, len(NEEDS))
    one_cohort, one = draw_needs(np.array(["secure"], dtype=object), np.array([15]),
                                 np.random.default_rng(0))
    assert one_cohort.shape == (1,) and one.shape == (1, len(NEEDS))


def current_children(places: list[str], ages: list[int], days_in_care: list[int]):
    current = pd.DataFrame({"age": np.asarray(ages, dtype=int)})
    since = REF_DAY - np.asarray(days_in_care, dtype=int)
    return current, np.asarray(places, dtype=object), since


def test_needs_rows_one_per_need_present_assessed_in_care():
    n = 3000
    rng = np.random.default_rng(7)
    places = rng.choice(["K2", "U1", "K1", "S1", "A3", "P1", "H5"], n).tolist()
    current, place, since = current_children(places, rng.integers(0, 18, n).tolist(),
                                             rng.integers(1, 2000, n).tolist())
    rows = needs_for(current, place, since, np.random.default_rng(8))
    assert list(rows.columns) == ["child", "assessed_on", "need", "frequency", "intensity"]
    assert not rows.duplicated(["child", "need"]).any()
    assert set(rows["need"]) <= set(NEEDS)
    assert set(rows["frequency"]) == set(FREQUENCIES)
    assert set(rows["intensity"]) == set(INTENSITIES)
    assert (rows["assessed_on"] <= REF_DAY).all()
    assert (rows["assessed_on"] >= np.maximum(since[rows["child"]], REF_DAY - 180)).all()
    assert (rows.groupby("child")["assessed_on"].nunique() == 1).all()
    residential = np.isin(place[rows["child"]], ["K2", "K1", "S1"])
    daily = rows["frequency"] == "daily"
    assert daily[residential].mean() > daily[~residential].mean()
    again = needs_for(current, place, since, np.random.default_rng(8))
    assert rows.equals(again)


def test_no_children_no_needs_rows():
    current, place, since = current_children([], [], [])
    rows = needs_for(current, place, since, np.random.default_rng(0))
    assert rows.empty
    assert list(rows.columns) == ["child", "assessed_on", "need", "frequency", "intensity"]
