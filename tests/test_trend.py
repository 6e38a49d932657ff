"""Trend tests against independent computations and planted answers, and the no-trend rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import optimize, stats
from statsmodels.genmod.families import Poisson

from analysis import trend
from analysis.scope import Scope
from data import tables

YEARS = [2021, 2022, 2023, 2024, 2025]
SERIES = {
    "rising": ([400, 430, 455, 500, 520], [60_000, 60_500, 61_000, 61_200, 61_500]),
    "flat and noisy": ([500, 520, 490, 515, 505], [50_000] * 5),
    "falling, small LA": ([41, 35, 37, 30, 28], [9_000, 9_100, 9_050, 9_200, 9_300]),
    "rising, bumpy": ([200, 260, 230, 290, 275], [40_000] * 5),
    "three years": ([120, 131, 150], [30_000, 30_100, 30_300]),
}


def formula_fit(years, counts, population) -> tuple[float, float]:
    """(% a year, p-value) from statsmodels' formula interface and scipy's t distribution,
    the Pearson scale floored at 1."""
    data = pd.DataFrame({"year": years, "children": counts, "population": population})
    fit = smf.glm("children ~ year", data, family=Poisson(),
                  offset=np.log(data["population"])).fit()
    scale = max(fit.pearson_chi2 / (len(years) - 2), 1.0)
    t_value = fit.params["year"] / (fit.bse["year"] * math.sqrt(scale))
    return math.expm1(fit.params["year"]) * 100, 2 * stats.t.sf(abs(t_value), len(years) - 2)


def scratch_fit(years, counts, population) -> tuple[float, float]:
    """(% a year, p-value) from first principles: the Poisson likelihood maximised by
    Nelder-Mead, the slope's variance from a finite-difference Hessian, scaled by Pearson's
    chi-square over n - 2 (at least 1), and a t(n - 2) tail."""
    t = np.asarray(years, float) - np.mean(years)
    y, n = np.asarray(counts, float), np.asarray(population, float)

    def negative_log_likelihood(beta):
        mu = n * np.exp(beta[0] + beta[1] * t)
        return float(np.sum(mu - y * np.log(mu)))

    start = [math.log(y.sum() / n.sum()), 0.0]
    beta = optimize.minimize(negative_log_likelihood, start, method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20_000}).x
    hessian = np.empty((2, 2))
    h = 1e-4
    for i in range(2):
        for j in range(2):
            steps = [np.eye(2)[i] * h * a + np.eye(2)[j] * h * b for a, b in
                     ((1, 1), (1, -1), (-1, 1), (-1, -1))]
            f = [negative_log_likelihood(beta + s) for s in steps]
            hessian[i, j] = (f[0] - f[1] - f[2] + f[3]) / (4 * h * h)
    mu = n * np.exp(beta[0] + beta[1] * t)
    scale = max(np.sum((y - mu) ** 2 / mu) / (len(y) - 2), 1.0)
    se = math.sqrt(np.linalg.inv(hessian)[1, 1] * scale)
    return math.expm1(beta[1]) * 100, 2 * stats.t.sf(abs(beta[1] / se), len(y) - 2)


#: Independent fits and how closely each must agree (% a year absolute, p-value relative):
#: the formula interface converges like the code; the numerical Hessian is rougher.
REFERENCES = {"statsmodels formula fit": (formula_fit, 1e-9, 1e-5),
              "from-scratch likelihood": (scratch_fit, 1e-4, 1e-3)}


@pytest.mark.parametrize("reference", REFERENCES)
@pytest.mark.parametrize("name", SERIES)
def test_trend_matches_independent_fits(name, reference):
    """% a year and p-value equal a quasi-Poisson fit with a t(n-2) tail, computed by
    statsmodels' formula interface and by a likelihood maximised numerically."""
    counts, population = SERIES[name]
    years = YEARS[:len(counts)]
    fitted = trend.poisson_trend(years, counts, population)
    fit, pct_tolerance, p_tolerance = REFERENCES[reference]
    pct, p_value = fit(years, counts, population)
    assert fitted.pct_per_year == pytest.approx(pct, rel=1e-6, abs=pct_tolerance)
    assert fitted.p_value == pytest.approx(p_value, rel=p_tolerance)


def test_p_value_uses_t_with_years_minus_two_degrees_of_freedom():
    """With 5 years, t(3) has far heavier tails than the normal: the bumpy rise is not
    significant at 5%, though a normal reference would call it so."""
    counts, population = SERIES["rising, bumpy"]
    fitted = trend.poisson_trend(YEARS, counts, population)
    assert fitted.p_value > 0.05 and fitted.direction == trend.FLAT
    data = pd.DataFrame({"year": YEARS, "children": counts})
    fit = smf.glm("children ~ year", data, family=Poisson(),
                  offset=np.log(population)).fit(scale="X2")
    assert 2 * stats.norm.sf(abs(fit.tvalues["year"])) < 0.05


@pytest.mark.filterwarnings("ignore:Perfect separation or prediction")
def test_planted_five_percent_a_year_is_found():
    """Counts growing exactly 5% a year (a perfect fit) give +5.0% a year; with no scatter
    the Poisson standard error applies (the scale's floor), which still calls ~500
    children rising 5% a year for 5 years significant: p as a plain Poisson fit, t(3)."""
    population = np.array([80_000, 80_400, 80_900, 81_000, 81_600], float)
    counts = population * 0.006 * 1.05 ** np.arange(5)
    fitted = trend.poisson_trend(YEARS, counts, population)
    assert fitted.pct_per_year == pytest.approx(5.0, abs=1e-9)
    fit = smf.glm("children ~ year", pd.DataFrame({"year": YEARS, "children": counts}),
                  family=Poisson(), offset=np.log(population)).fit()
    expected = 2 * stats.t.sf(abs(fit.params["year"] / fit.bse["year"]), 3)
    assert fitted.p_value == pytest.approx(expected, rel=1e-5)
    assert fitted.p_value < 0.05 and fitted.direction == trend.RISING


def test_equal_counts_fit_without_error():
    """Equal counts (common in small LAs) are fitted, not refused as statsmodels' default
    start would: 7 children a year in a growing population is a falling rate."""
    counts, population = [7, 7, 7, 7], [900, 950, 1_000, 1_050]
    fitted = trend.poisson_trend(YEARS[:4], counts, population)
    pct, p_value = scratch_fit(YEARS[:4], counts, population)
    assert fitted.pct_per_year == pytest.approx(pct, abs=1e-4) and pct < 0
    assert fitted.p_value == pytest.approx(p_value, rel=1e-3)


def test_the_same_rate_every_year_is_no_change():
    """An unchanging rate has no scatter to estimate a scale from: 0% a year, p = 1."""
    fitted = trend.poisson_trend(YEARS[:3], [100, 100, 100], [5_000] * 3)
    assert (fitted.pct_per_year, fitted.p_value, fitted.direction) == (0.0, 1.0, trend.FLAT)


def test_flat_noisy_series_is_not_called_a_trend():
    """Year-to-year noise around a constant rate must not be reported as rising."""
    counts, population = SERIES["flat and noisy"]
    assert trend.poisson_trend(YEARS, counts, population).direction == trend.FLAT


@pytest.mark.parametrize("years, counts", [
    ([2017, 2018, 2019], [0, 0, 0]),                # all zero: the Isles of Scilly
    ([2021, 2022, 2023, 2024, 2025], [0, 0, 0, 0, 3]),  # one year with children
    ([2024, 2025], [40, 45]),                       # too short
    ([2021, 2022, 2024, 2025], [40, 45, 50, 52]),   # a gap
    ([2021, 2022, 2023, 2024, 2025], [40, 45, np.nan, 50, 52]),  # a missing count
])
def test_series_that_cannot_carry_a_trend_give_no_trend(years, counts):
    """All-zero, single-non-zero, short or gappy series give 'no trend' (not an error, and
    not 'no clear change', which is a verdict on a trend that was fitted)."""
    fitted = trend.poisson_trend(years, counts, [300] * len(years))
    assert fitted.direction == "no trend"
    assert math.isnan(fitted.pct_per_year) and math.isnan(fitted.p_value)


def series(counts, years=YEARS, population=50_000) -> pd.DataFrame:
    """One LA's series in the shape tables.trends passes to analysis.trend."""
    return pd.DataFrame({"year": years, "children": counts,
                         "population_0_17": [population] * len(years)})


def test_no_trend_when_the_year_assessed_is_missing():
    """A window whose latest year has no figure is not reported as the trend to that year."""
    out = trend.la_trend(series([400, 420, 440, 460, np.nan]), 2025, 5)
    assert out["trend_direction"] == "no trend" and math.isnan(out["trend_pct_per_year"])
    assert math.isnan(out["change_since_pct"])


def test_la_trend_uses_only_the_window():
    """The trend to 2023 over 3 years uses 2021-2023 only, and the change is 2021 to 2023."""
    out = trend.la_trend(series([400, 420, 460, 100, 100]), 2023, 3)
    expected, _ = formula_fit([2021, 2022, 2023], [400, 420, 460], [50_000] * 3)
    assert out["trend_pct_per_year"] == pytest.approx(expected, rel=1e-6)
    assert out["change_since_pct"] == pytest.approx(15.0)


@pytest.mark.parametrize("counts, end_year, expected", [
    ([400, 410, 420, 430, 440], 2025, 4),
    ([400, 410, 400, 430, 440], 2025, 2),
    ([400, 410, 420, 430, 430], 2025, 0),           # level is not a rise
    ([400, 410, 420, 430, 420], 2024, 3),
    ([400, 410, np.nan, 430, 440], 2025, 1),         # a missing year ends the run
])
def test_years_rising_counts_the_run_of_rises(counts, end_year, expected):
    """The run counts consecutive year-on-year rises in the rate, up to the year assessed."""
    assert trend.years_rising(series(counts), end_year) == expected


def test_years_rising_follows_the_rate_not_the_count():
    """More children in a growing population is not a rising rate."""
    frame = pd.DataFrame({"year": [2023, 2024, 2025], "children": [100, 101, 102],
                          "population_0_17": [10_000, 10_200, 10_400]})
    assert trend.years_rising(frame, 2025) == 0


@pytest.mark.parametrize("year, code", [(2021, "E06000053"), (2025, "E06000053"),
                                        (2021, "E09000001"), (2025, "E09000001")])
def test_isles_of_scilly_and_city_of_london_assess_without_error(engine, year, code):
    """The smallest LAs (all-zero or suppressed counts) are assessed, with no trend where
    their series cannot carry one."""
    table = tables.accountability(engine, year, scope=Scope("la", code))
    row = table.set_index("la_code").loc[code]
    if code == "E06000053":
        assert row["trend_direction"] == "no trend" and math.isnan(row["trend_p_value"])
        assert not row["flag"]


def test_scatter_below_poisson_chance_is_not_read_as_precision():
    """A series hugging its trend (Pearson dispersion well under 1) is judged with the
    Poisson standard error, not a smaller one: the p-value is the plain Poisson fit's
    slope with a t(3) tail."""
    counts, population = [400, 411, 420, 431, 440], [50_000] * 5
    data = pd.DataFrame({"year": YEARS, "children": counts})
    fit = smf.glm("children ~ year", data, family=Poisson(),
                  offset=np.log(population)).fit()
    assert fit.pearson_chi2 / 3 < 1
    expected = 2 * stats.t.sf(abs(fit.params["year"] / fit.bse["year"]), 3)
    assert trend.poisson_trend(YEARS, counts, population).p_value == pytest.approx(expected)
