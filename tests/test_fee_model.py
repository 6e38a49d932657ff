"""The fee model recovers planted effects (intervals cover the truth, R² near the planted
one, a planted dear provider found), drops what cannot be identified, and refuses small
areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import fee_model
from tests.test_fee_stats import (AGE_BANDS, AREA, COHORTS, PLACEMENTS, CountGate,
                                   planted)

TRUTH = {"needs": 0.06, "high_intensity": 0.10, "daily": 0.04,
         "cohort": {"Complex needs": 0.30, "Risk outside home": 0.15},
         "age_band": {"16 and over": -0.10, "Under 10": -0.05},
         "placement_type": {"K2": 0.9, "H5": 0.2},
         "provider": {"P03": 0.35}}
NOISE = 0.2


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return planted(1500, seed=7, effects=TRUTH, noise=NOISE)


@pytest.fixture(scope="module")
def model(frame) -> fee_model.FeeModel:
    return fee_model.fit_fee_model(frame)


def planted_r_squared(frame: pd.DataFrame) -> float:
    """The share of the log fee's variance the planted terms (provider's aside) explain."""
    total = np.log(frame["weekly_fee"]).var()
    return 1 - (NOISE ** 2 + np.var(np.where(frame["provider_id"] == "P03", 0.35, 0))) / total


def planted_effects(references: dict) -> dict:
    """Each reported coefficient's planted value (% effect), given the reference levels
    (placement types are reported as code and name)."""
    effects = {("Each extra need", ""): TRUTH["needs"],
               ("Each extra high-intensity need", ""): TRUTH["high_intensity"],
               ("Each extra daily need", ""): TRUTH["daily"]}
    named = {f"{code} {fee_model.PLACE_NAMES[code]}": code for code in PLACEMENTS}
    for term, words, levels in (("cohort", "Needs cohort", {c: c for c in COHORTS}),
                                ("age_band", "Age band", {a: a for a in AGE_BANDS}),
                                ("placement_type", "Placement type", named)):
        reference = references["placement_kind" if term == "placement_type" else term]
        base = TRUTH[term].get(levels[reference], 0)
        effects.update({(words, level): TRUTH[term].get(code, 0) - base
                        for level, code in levels.items() if level != reference})
    return {key: 100 * np.expm1(effect) for key, effect in effects.items()}


def covered(table: pd.DataFrame, truth: dict) -> dict:
    """Whether each planted effect lies in its reported interval."""
    rows = table.set_index(["term", "group"])
    return {key: rows.loc[key, "lower_pct"] < value < rows.loc[key, "upper_pct"]
            for key, value in truth.items()}


def test_coefficients_near_the_planted_effects(model):
    """One large fit: every planted effect within its 99.9% interval and the reported 95%
    intervals the same as statsmodels' own."""
    assert model.dropped == [] and model.references["placement_kind"] == "U1 " + \
        fee_model.PLACE_NAMES["U1"]
    wide = model.fit.conf_int(0.001)
    table = fee_model.coefficients(model).assign(
        lower_pct=100 * np.expm1(wide[0].to_numpy()[1:]),
        upper_pct=100 * np.expm1(wide[1].to_numpy()[1:]))
    assert all(covered(table, planted_effects(model.references)).values())


def test_95_intervals_cover_the_truth_about_95_percent_of_the_time():
    hits = []
    for seed in range(60):
        model = fee_model.fit_fee_model(planted(500, seed=100 + seed, effects=TRUTH,
                                                noise=NOISE))
        hits.append(covered(fee_model.coefficients(model), planted_effects(model.references)))
    rates = pd.DataFrame(hits).mean()
    assert (rates >= 0.85).all(), rates


def test_r_squared_near_the_planted(model, frame):
    fit = fee_model.summary(model)
    assert fit["placements"] == len(frame)
    assert fit["r_squared"] == pytest.approx(planted_r_squared(frame), abs=0.03)
    assert fit["adj_r_squared"] < fit["r_squared"]


def test_intervals_match_statsmodels_hc3_by_hand(model):
    """HC3 by hand: (X'X)^-1 X' diag(e²/(1-h)²) X (X'X)^-1."""
    x = model.fit.model.exog
    e = model.fit.resid.to_numpy()
    bread = np.linalg.inv(x.T @ x)
    h = np.einsum("ij,jk,ik->i", x, bread, x)
    cov = bread @ (x.T * (e / (1 - h)) ** 2) @ x @ bread
    assert np.sqrt(np.diag(cov)) == pytest.approx(model.fit.bse.to_numpy(), rel=1e-8)


def test_planted_dear_provider_found(model, frame):
    providers = fee_model.provider_residuals(model, AREA, CountGate(frame))
    top = providers.iloc[0]
    assert top["provider_id"] == "P03" and top["rank"] == 1
    assert top["lower_pct"] < 100 * np.expm1(0.35) < top["upper_pct"] + 8
    others = providers.iloc[1:]
    assert (others["lower_pct"] < 5).all()
    residual = model.fit.resid[model.data["provider_id"] == "P03"]
    assert top["excess_pct"] == pytest.approx(100 * np.expm1(residual.mean()))
    count = (frame["provider_id"] == "P03").sum()
    low, high = {"5-9": (5, 9), "10-19": (10, 19), "20-49": (20, 49),
                 "50 or more": (50, np.inf)}[top["placements"]]
    assert low <= count <= high
    words = " ".join(fee_model.model_sentences(model, fee_model.coefficients(model), providers))
    assert "P03 charges about" in words and "explain about" in words


def test_providers_gated_by_the_area_and_by_five(frame, model):
    gate = CountGate(frame, hidden={("all", "all")})
    assert fee_model.provider_residuals(model, AREA, gate).empty
    small = frame.copy()
    small.loc[small["provider_id"] == "P05", "provider_id"] = [
        "P99"] * 4 + ["P05"] * int((small["provider_id"] == "P05").sum() - 4)
    refit = fee_model.fit_fee_model(small)
    shown = fee_model.provider_residuals(refit, AREA, CountGate(small))
    assert "P99" not in set(shown["provider_id"])
    assert not shown.empty and "P05" in set(shown["provider_id"])
    assert set(shown["placements"]) <= {"5-9", "10-19", "20-49", "50 or more"}


def test_terms_with_no_variation_dropped_and_small_levels_pooled():
    frame = planted(400, seed=2)
    frame["daily"] = 0
    frame["age_band"] = "Not recorded"
    frame.loc[frame.index[:6], "cohort"] = "Rare"
    frame.loc[frame.index[6:18], "placement"] = "other placements"
    frame.loc[frame.index[6:18], "placement_type"] = ["R1"] * 8 + ["Z1"] * 4  # codes < 10
    model = fee_model.fit_fee_model(frame)
    assert any(words.startswith("Each extra daily need") for words in model.dropped)
    assert any(words.startswith("Age band") for words in model.dropped)
    assert set(model.data.loc[frame.index[:6], "cohort"]) == {fee_model.SMALL}
    assert len(model.data) == 400 and model.fit.nobs == 400
    assert set(model.data.loc[frame.index[6:18], "placement_kind"]) == {"other placements"}
    table = fee_model.coefficients(model)
    assert "Each extra daily need" not in set(table["term"])
    assert fee_model.SMALL not in set(table["group"])  # the 6 pooled rows' effect unreported


def test_a_term_the_others_determine_is_dropped():
    frame = planted(400, seed=4)
    frame["daily"] = frame["needs"] - frame["high_intensity"]
    model = fee_model.fit_fee_model(frame)
    assert any(words.startswith("Each extra daily need") for words in model.dropped)
    assert np.linalg.matrix_rank(model.fit.model.exog) == model.fit.model.exog.shape[1]


def test_a_term_a_later_placement_type_determines_is_dropped():
    """A cohort that is exactly the children of one placement type says nothing the
    placement type does not: the cohort goes, every placement type stays."""
    frame = planted(600, seed=6)
    frame["cohort"] = np.where(frame["placement_type"] == "H5", "Complex needs", "Few needs")
    model = fee_model.fit_fee_model(frame)
    assert model.dropped == ["Needs cohort (no variation, or told apart by the terms before it)"]
    groups = set(fee_model.coefficients(model)["group"]) | {model.references["placement_kind"]}
    assert groups >= {f"{c} {fee_model.PLACE_NAMES[c]}" for c in PLACEMENTS}
    assert np.linalg.matrix_rank(model.fit.model.exog) == model.fit.model.exog.shape[1]


def test_cohorts_of_one_placement_type_do_not_take_its_price():
    """Needs are recorded for children in homes only (as cohorts are fitted): the
    children's home keeps its planted price, the cohorts are compared with a recorded
    cohort, and 'Not assessed' is left out as what placement type already says."""
    frame = planted(1500, seed=8, effects={**TRUTH, "cohort": {}}, noise=NOISE)
    frame["cohort"] = frame["cohort"].where(frame["placement_type"] == "K2", "Not assessed")
    model = fee_model.fit_fee_model(frame)
    table = fee_model.coefficients(model)
    assert model.dropped == ["Needs cohort: Not assessed (told apart by the terms before it)"]
    assert set(table.loc[table["term"] == "Needs cohort", "compared_with"]) <= set(COHORTS)
    k2 = table[table["group"] == f"K2 {fee_model.PLACE_NAMES['K2']}"].iloc[0]
    assert k2["lower_pct"] < 100 * np.expm1(0.9) < k2["upper_pct"]


@pytest.mark.parametrize("n", [0, 1, 30])
def test_small_areas_get_no_model(n):
    frame = planted(max(n, 1), seed=9).iloc[:n]
    model = fee_model.fit_fee_model(frame)
    assert model.fit is None and "LA is usually too small" in model.note
    assert fee_model.coefficients(model).empty
    assert fee_model.provider_residuals(model, AREA, CountGate(frame)).empty
    assert fee_model.summary(model)["r_squared"] is None
    assert fee_model.model_sentences(model, fee_model.coefficients(model),
                                     pd.DataFrame()) == [model.note]
