"""Is an LA's rate rising? A log-linear trend over the last N years, and runs of rises.

**The trend** over the last N years (default 5) is a Poisson regression of the count on
the year with log(population) as offset, fitted by statsmodels' GLM; the change is
reported as % a year. Counts of children in care vary more from year to year than Poisson
chance allows (children enter and leave in sibling groups; practice changes), so the
standard error is scaled by the Pearson dispersion estimated from the fit (quasi-Poisson),
never by less than 1 (a series that scatters less than Poisson chance over a handful of
years is luck, not precision: without the floor about twice as many trends would look
significant), and the p-value comes from a t distribution with (years - 2) degrees of
freedom, because that dispersion is itself estimated from only a handful of years.

**No trend is reported** (direction "no trend", no % or p-value) unless the LA has
a count and a population for at least 3 consecutive years ending in the year assessed
(window years before the data begin simply shorten it; a gap, such as a suppressed count,
or a missing latest year means no trend), and children in care in at least two of those
years: an all-zero series, such as the Isles of Scilly's, has no rate to trend.

**A run of rises** counts how many years in a row, up to the year assessed, the rate was
higher than the year before. Counts at 31 March are mostly the same children from one year
to the next, so the years are not independent chances; the run is not tested year by year
but is only read beside the trend's significance (see the flag rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

RISING, FALLING, FLAT = "rising", "falling", "no clear change"
#: A series that cannot carry a trend: not the same as a trend that shows no clear change.
NO_TREND = "no trend"
MIN_YEARS = 3
MIN_YEARS_WITH_CHILDREN = 2


@dataclass(frozen=True)
class Trend:
    """A fitted trend: % change a year, its two-sided p-value and the direction."""

    pct_per_year: float
    p_value: float
    direction: str
    years: int


def no_trend(years: int) -> Trend:
    """What is reported when the series cannot carry a trend (see the module's rule)."""
    return Trend(np.nan, np.nan, NO_TREND, years)


def can_fit(years: np.ndarray, children: np.ndarray, population: np.ndarray) -> bool:
    """True if the series meets the rule: 3+ consecutive years, all with a count and a
    positive population, and children in at least two years (else the slope is
    undefined or infinite)."""
    if len(years) < MIN_YEARS or np.isnan(children).any() or np.isnan(population).any():
        return False
    consecutive = bool(np.all(np.diff(years) == 1))
    return consecutive and bool(np.all(population > 0)) and \
        int(np.count_nonzero(children)) >= MIN_YEARS_WITH_CHILDREN


def poisson_trend(years, children, population, alpha: float = 0.05) -> Trend:
    """Quasi-Poisson log-linear trend of the rate, tested against t(years - 2)."""
    t = np.asarray(years, dtype=float)
    y = np.asarray(children, dtype=float)
    n = np.asarray(population, dtype=float)
    if not can_fit(t, y, n):
        return no_trend(len(t))
    if np.ptp(y / n) == 0:
        return Trend(0.0, 1.0, FLAT, len(t))  # the same rate every year: no scatter to scale
    slope, t_value = fitted_slope(t, y, n)
    p = float(2 * stats.t.sf(abs(t_value), len(t) - 2))
    direction = FLAT if not p < alpha else (RISING if slope > 0 else FALLING)
    return Trend(float(np.expm1(slope) * 100), p, direction, len(t))


def fitted_slope(years: np.ndarray, children: np.ndarray,
                 population: np.ndarray) -> tuple[float, float]:
    """(log-rate slope per year, its t statistic with the standard error scaled by the
    Pearson dispersion, floored at 1).

    The fit starts from the pooled rate with no slope: statsmodels' default start ignores
    the offset and, when every count is equal, estimates a zero scale and fails.
    """
    design = sm.add_constant(years - years.mean())
    model = sm.GLM(children, design, family=sm.families.Poisson(), offset=np.log(population))
    start = [np.log(children.sum() / population.sum()), 0.0]
    result = model.fit(start_params=start, scale="X2")
    if result.scale < 1:
        result = model.fit(start_params=start, scale=1.0)
    return float(result.params[1]), float(result.tvalues[1])


def years_rising(series: pd.DataFrame, end_year: int) -> int:
    """How many years in a row, up to ``end_year``, the rate was above the year before.

    ``series`` has year, children and population_0_17 for one LA; a missing year or figure
    ends the run.
    """
    rows = series.dropna(subset=["children", "population_0_17"]).set_index("year")
    rate = rows["children"] / rows["population_0_17"]
    run, year = 0, end_year
    while year in rate.index and year - 1 in rate.index and rate[year] > rate[year - 1]:
        run, year = run + 1, year - 1
    return run


def la_trend(series: pd.DataFrame, end_year: int, trend_years: int,
             alpha: float = 0.05) -> dict:
    """One LA's trend over the ``trend_years`` to ``end_year``, the % change in its rate
    since the window's first year (only when both ends have figures) and its run of rises.

    ``series`` has year, children and population_0_17 for one LA, any years.
    """
    first_year = end_year - trend_years + 1
    rows = series.dropna(subset=["children", "population_0_17"]).sort_values("year")
    window = rows[rows["year"].between(first_year, end_year)]
    ends_now = not window.empty and window["year"].iloc[-1] == end_year
    fitted = poisson_trend(window["year"], window["children"], window["population_0_17"],
                           alpha) if ends_now else no_trend(len(window))
    return {"trend_pct_per_year": fitted.pct_per_year, "trend_p_value": fitted.p_value,
            "trend_direction": fitted.direction,
            "change_since_pct": change_since(window, first_year, end_year),
            "years_rising": years_rising(rows, end_year)}


def change_since(window: pd.DataFrame, first_year: int, end_year: int) -> float:
    """% change in the rate from ``first_year`` to ``end_year``; NaN unless both have a
    figure and the first is not zero."""
    rate = (window["children"] / window["population_0_17"]).set_axis(window["year"])
    if first_year not in rate.index or end_year not in rate.index or rate[first_year] == 0:
        return np.nan
    return float(rate[end_year] / rate[first_year] * 100 - 100)
