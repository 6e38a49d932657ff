"""Is an LA's rate rising? A log-linear trend test and year-on-year comparisons.

The trend over the last N years is a Poisson regression of the count on the year with
log(population) as offset, fitted by iteratively reweighted least squares. Counts of
children in care vary more from year to year than Poisson chance alone (children
enter and leave in sibling groups; practice changes), so the standard error is scaled
by the Pearson dispersion when that exceeds 1 (quasi-Poisson): without it, a drift of
1% a year in a large LA would look 'significant'. The change is reported as % a year.

A year-on-year rise is significant when the two rates differ by an exact conditional
test: given the two years' total, the later count is binomial with probability
n2 / (n1 + n2) under equal rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

RISING, FALLING, FLAT = "rising", "falling", "no clear change"


@dataclass(frozen=True)
class Trend:
    """A fitted trend: % change a year, its two-sided p-value and the direction."""

    pct_per_year: float
    p_value: float
    direction: str
    years: int


def poisson_trend(years, children, population, alpha: float = 0.05) -> Trend:
    """Quasi-Poisson log-linear trend of the rate; needs at least three years."""
    t = np.asarray(years, dtype=float)
    y = np.asarray(children, dtype=float)
    offset = np.log(np.asarray(population, dtype=float))
    if len(t) < 3:
        return Trend(np.nan, np.nan, FLAT, len(t))
    x = np.column_stack([np.ones_like(t), t - t.mean()])
    beta = np.array([np.log(y.sum() / np.exp(offset).sum()), 0.0])
    for _ in range(50):
        mu = np.exp(x @ beta + offset)
        step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    mu = np.exp(x @ beta + offset)
    covariance = np.linalg.inv(x.T @ (mu[:, None] * x))
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2)))
    se = np.sqrt(covariance[1, 1] * dispersion)
    p = float(2 * stats.norm.sf(abs(beta[1] / se)))
    direction = FLAT if p >= alpha else (RISING if beta[1] > 0 else FALLING)
    return Trend(float(np.expm1(beta[1]) * 100), p, direction, len(t))


def rise_is_significant(before: float, after: float, pop_before: float, pop_after: float,
                        alpha: float = 0.05) -> bool:
    """True if the later rate is higher and the two rates differ (exact conditional test)."""
    if not after / pop_after > before / pop_before:
        return False
    total = int(round(before + after))
    share = pop_after / (pop_before + pop_after)
    return stats.binomtest(int(round(after)), total, share).pvalue < alpha


def rising_years_in_a_row(series: pd.DataFrame, end_year: int, alpha: float = 0.05) -> int:
    """How many consecutive years up to ``end_year`` each saw a significant rise.

    ``series`` has year, children and population_0_17 for one LA.
    """
    rows = series.set_index("year")
    streak, year = 0, end_year
    while year - 1 in rows.index and year in rows.index:
        now, then = rows.loc[year], rows.loc[year - 1]
        if now[["children", "population_0_17"]].isna().any() or \
                then[["children", "population_0_17"]].isna().any():
            break
        if not rise_is_significant(then["children"], now["children"],
                                   then["population_0_17"], now["population_0_17"], alpha):
            break
        streak, year = streak + 1, year - 1
    return streak
