"""Funnel limits, overdispersion, trend tests and the flag rule, against independent sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from analysis import accountability as rule
from analysis import funnel, trend
from analysis.scope import Scope
from data import tables

POPULATIONS = [300, 2_500, 40_000, 131_831, 600_000]
TARGETS = [5.0, 67.12, 180.0]
PROBABILITIES = [0.001, 0.025, 0.975, 0.999]


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), via the regularised upper incomplete gamma."""
    return 0.0 if k < 0 else float(special.gammaincc(k + 1, mean))


def independent_limit(population: float, target: float, p: float) -> float:
    """Spiegelhalter's interpolated Poisson quantile, found by walking up the CDF."""
    mean = population * target / 10_000
    r = 0
    while poisson_cdf(r, mean) < p:
        r += 1
    alpha = (poisson_cdf(r, mean) - p) / (poisson_cdf(r, mean) - poisson_cdf(r - 1, mean))
    return max(r - alpha, 0.0) / population * 10_000


@pytest.mark.parametrize("population", POPULATIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("p", PROBABILITIES)
def test_exact_limits_match_an_independent_poisson_computation(population, target, p):
    """The funnel's exact limits equal a from-scratch Poisson computation to 1e-6."""
    ours = funnel.exact_limit([population], target, p)[0]
    assert ours == pytest.approx(independent_limit(population, target, p), abs=1e-6)


def independent_tau2(observed, population, target) -> float:
    """DerSimonian-Laird tau^2 written out longhand (Spiegelhalter 2005), as a check."""
    z = [2 * (math.sqrt(o) - math.sqrt(n * target / 10_000))
         for o, n in zip(observed, population)]
    low, high = np.percentile(z, [10, 90])
    z = [min(max(v, low), high) for v in z]
    k = len(z)
    phi = sum(v * v for v in z) / k
    if k * phi <= k - 1:
        return 0.0
    w = [4 * n for n in population]
    return (k * phi - (k - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))


def test_tau_squared_matches_an_independent_implementation(engine):
    """tau^2 on the real 2025 LA rates equals the longhand DerSimonian-Laird estimate."""
    table = tables.accountability(engine, 2025)
    rated = table.dropna(subset=["children", "population_0_17"])
    target = float(table["target_rate_per_10k"].iloc[0])
    expected = independent_tau2(rated["children"], rated["population_0_17"], target)
    assert table["tau_squared"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert expected > 0, "CLA rates are overdispersed"


def test_no_overdispersion_gives_zero_tau_and_adjusted_equals_poisson_width():
    """Counts exactly at expectation are not overdispersed: tau^2 = 0, and the adjusted
    limits then differ from the exact ones only by the normal approximation."""
    population = np.array([10_000, 20_000, 40_000, 80_000, 160_000] * 4, dtype=float)
    observed = population * 67 / 10_000
    spread = funnel.dispersion(observed, population, 67.0)
    assert spread.tau2 == 0 and not spread.overdispersed
    exact = funnel.exact_limit(population, 67.0, 0.999)
    adjusted = funnel.adjusted_limit(population, 67.0, 0.999, 0.0)
    assert np.allclose(adjusted, exact, rtol=0.02)


def independent_slope(years, counts, population) -> float:
    """Maximum-likelihood Poisson log-rate slope by direct optimisation."""
    t = np.asarray(years, float) - np.mean(years)

    def negative_log_likelihood(beta):
        mu = np.exp(beta[0] + beta[1] * t + np.log(population))
        return float(np.sum(mu - counts * np.log(mu)))

    start = [math.log(sum(counts) / sum(population)), 0.0]
    return optimize.minimize(negative_log_likelihood, start, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12}).x[1]


def test_trend_slope_matches_direct_maximum_likelihood():
    """The IRLS fit finds the same slope as maximising the Poisson likelihood directly."""
    years = [2021, 2022, 2023, 2024, 2025]
    counts = np.array([400, 430, 455, 500, 520], float)
    population = np.array([60_000, 60_500, 61_000, 61_200, 61_500], float)
    fitted = trend.poisson_trend(years, counts, population)
    slope = independent_slope(years, counts, population)
    assert fitted.pct_per_year == pytest.approx(math.expm1(slope) * 100, abs=1e-4)
    assert fitted.direction == trend.RISING and fitted.p_value < 0.01


def test_flat_noisy_series_is_not_called_a_trend():
    """Year-to-year noise around a constant rate must not be reported as rising."""
    fitted = trend.poisson_trend([1, 2, 3, 4, 5], [500, 520, 490, 515, 505], [5e4] * 5)
    assert fitted.direction == trend.FLAT


def test_rising_streak_counts_consecutive_significant_rises():
    """Three significant rises in a row count 3; a flat year breaks the run."""
    series = pd.DataFrame({"year": [2021, 2022, 2023, 2024, 2025],
                           "children": [400, 400, 480, 580, 700],
                           "population_0_17": [50_000] * 5})
    assert trend.rising_years_in_a_row(series, 2025) == 3
    assert trend.rising_years_in_a_row(series, 2022) == 0


def la(**overrides) -> dict:
    """A hand-built LA row in the shape rule.assess expects; nothing flagged by default."""
    row = {"la_code": "E0", "la_name": "Test", "year": 2025, "rate_per_10k": 70.0,
           "rate_per_10k_exact": 70.0, "target_rate_per_10k": 67.0,
           "funnel_upper_95": 80.0, "funnel_upper_998": 90.0,
           "funnel_adj_upper_95": 110.0, "funnel_adj_upper_998": 140.0,
           "trend_direction": trend.FLAT, "trend_pct_per_year": 0.0, "rising_streak": 0,
           "change_since_pct": 0.0}
    row.update(overrides)
    return row


CASES = {
    "above 99.8% (adjusted)": (la(rate_per_10k=150, rate_per_10k_exact=150), True,
                               "above the 99.8% limit"),
    "above 95% and rising": (la(rate_per_10k=120, rate_per_10k_exact=120,
                                trend_direction=trend.RISING, trend_pct_per_year=6.0),
                             True, "above the 95% limit, rising significantly (+6.0% a year)"),
    "above 95% but not rising": (la(rate_per_10k=120, rate_per_10k_exact=120), False, ""),
    "rising 3 years in a row": (la(rising_streak=3), True, "up significantly 3 years in a row"),
    "rising only 2 years": (la(rising_streak=2), False, ""),
    "above exact limit only": (la(rate_per_10k=95, rate_per_10k_exact=95), False, ""),
}


@pytest.mark.parametrize("case", CASES)
def test_each_branch_of_the_rule(case):
    """Each branch flags exactly when its conditions hold, with the right words."""
    row, flagged, words = CASES[case]
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), True, "England").iloc[0]
    assert out["flag"] == flagged
    assert words in out["flag_reason"]


def test_auto_limits_use_exact_poisson_when_not_overdispersed():
    """'auto' falls back to the exact limits when tau^2 = 0: the 95 rate then breaches 99.8%."""
    row = la(rate_per_10k=95, rate_per_10k_exact=95)
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), False, "England").iloc[0]
    assert out["limits_used"] == "exact" and out["flag"]


def test_switched_off_branch_does_not_flag():
    """The board can switch a branch off, and then it never flags."""
    row = la(rate_per_10k=150, rate_per_10k_exact=150)
    settings = rule.RuleSettings(above_998=False)
    assert not rule.assess(pd.DataFrame([row]), settings, True, "England").iloc[0]["flag"]


def test_reason_reads_as_one_plain_sentence():
    """The reason is the sentence a trustee reads out in the meeting."""
    row = la(rate_per_10k=112, rate_per_10k_exact=150, change_since_pct=18.2)
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), True, "England").iloc[0]
    assert out["flag_reason"] == ("Rate 112 per 10,000 against 67 for England; above the "
                                  "99.8% limit and up 18% since 2021.")


@pytest.mark.parametrize("bad", [dict(limits="loose"), dict(target="moon"),
                                 dict(trend_years=2), dict(alpha=0.9), dict(rising_years=9)])
def test_settings_are_validated(bad):
    """Settings come from a form and are stored with decisions, so nonsense is refused."""
    with pytest.raises(ValueError):
        rule.RuleSettings(**bad)


def test_default_rule_flags_a_handful_not_dozens(engine):
    """Against exact limits dozens of LAs breach 99.8%; the default (adjusted) rule flags
    few enough for a board to follow up."""
    table = tables.accountability(engine, 2025)
    counts = rule.variant_counts(table, rule.RuleSettings()).set_index("limits")
    assert counts.at["exact", "above_998"] > 30
    assert 0 < table["flag"].sum() < 20
    assert set(table["limits_used"]) == {"adjusted"}


def test_la_rates_export_carries_the_funnel_columns(engine):
    """The la-rates export has every column the issue names, for all current LAs."""
    exported = tables.la_rates_assessed(engine, 2025)
    for column in tables.LA_RATES_FUNNEL_COLUMNS:
        assert column in exported.columns
    current = exported[exported["current_la"]]
    assert len(current) == 153
    assert current["flag"].sum() == tables.accountability(engine, 2025)["flag"].sum()
    flagged = current[current["flag"]]
    assert flagged["flag_reason"].str.startswith("Rate ").all()


def test_rcc_target_uses_the_rccs_own_rate(engine):
    """With the RCC target, the line is the RCC's rate (Greater Manchester 2025: 89)."""
    settings = rule.RuleSettings(target="rcc")
    table = tables.accountability(engine, 2025, settings, Scope("rcc", "greater-manchester"))
    assert round(table["target_rate_per_10k"].iloc[0]) == 89
