"""Funnel-plot control limits for rates per 10,000, exact and overdispersion-adjusted.

Exact limits follow Spiegelhalter (2005, "Funnel plots for comparing institutional
performance", appendix A.1.2): for a population n and target rate theta, the expected
count is E = n * theta / 10,000; the p-quantile r_p of Poisson(E) is interpolated,
y_p = r_p - alpha with alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)), so the limits are
smooth in n; the limit rate is y_p / n * 10,000. The 95% limits use p = 0.025 / 0.975
and the 99.8% limits p = 0.001 / 0.999, as in the PHE / OHID indicator methods.

CLA rates vary between LAs far more than Poisson chance allows (different needs,
deprivation, practice), so against exact limits dozens of LAs fall outside. The
adjustment (Spiegelhalter 2005, "Handling over-dispersion of performance indicators")
works on the square-root scale, where a Poisson rate has variance 1/(4n): z-scores
z_i = 2 (sqrt(O_i) - sqrt(E_i)) are winsorised at 10% each end; phi = mean(z_w^2) is the
ratio of the spread of LAs' rates to what chance alone gives, as a variance (their
standard deviation is about sqrt(phi) times chance). The DerSimonian-Laird between-LA
variance is tau^2 = (k * phi - (k - 1)) / (sum(w) - sum(w^2) / sum(w)), w_i = 4 n_i, or 0
when k * phi <= k - 1. Adjusted limits are (sqrt(theta) +/- z_p * sqrt(1/(4n) + tau^2))^2.

The yardstick is national: phi and tau^2 are estimated once, over all English LAs against
England's rate, and the limits are then centred on whichever target line is chosen (an
RCC's rate, say). Re-estimating them against each target would widen the limits as the
target moved away from England's rate, so the same LA would be judged on a different
scale depending on the line drawn.

Whether the rates are overdispersed is a stated test: k * phi, the sum of the k squared
winsorised z-scores, is compared with a chi-square distribution on k - 1 degrees of
freedom (England's rate is estimated from the same LAs); p < 0.05 means overdispersed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

PER = 10_000
LEVELS = {"95": (0.025, 0.975), "998": (0.001, 0.999)}
WINSOR = 0.10
OVERDISPERSION_ALPHA = 0.05


def exact_limit(population, target_rate: float, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated exact Poisson p-quantile, as a rate per 10,000."""
    n = np.asarray(population, dtype=float)
    expected = n * target_rate / PER
    r = stats.poisson.ppf(p, expected)
    upper_cdf = stats.poisson.cdf(r, expected)
    lower_cdf = stats.poisson.cdf(r - 1, expected)
    alpha = (upper_cdf - p) / (upper_cdf - lower_cdf)
    return np.maximum(r - alpha, 0.0) / n * PER


def adjusted_limit(population, target_rate: float, p: float, tau2: float) -> np.ndarray:
    """Overdispersion-adjusted limit (square-root scale, additive random effect tau^2)."""
    n = np.asarray(population, dtype=float)
    z = stats.norm.ppf(p)
    root = np.sqrt(target_rate / PER) + z * np.sqrt(1 / (4 * n) + tau2)
    return np.where(root > 0, root, 0.0) ** 2 * PER


def z_scores(children, population, target_rate: float) -> np.ndarray:
    """Square-root-scale z-scores: 2 (sqrt(observed) - sqrt(expected))."""
    expected = np.asarray(population, dtype=float) * target_rate / PER
    return 2 * (np.sqrt(np.asarray(children, dtype=float)) - np.sqrt(expected))


def winsorise(values: np.ndarray, fraction: float = WINSOR) -> np.ndarray:
    """Pull values beyond the fraction / 1 - fraction quantiles in to those quantiles."""
    low, high = np.quantile(values, [fraction, 1 - fraction])
    return np.clip(values, low, high)


@dataclass(frozen=True)
class Dispersion:
    """The national overdispersion estimate: phi (1 = Poisson), tau^2, the number of LAs
    and the p-value of phi's chi-square test."""

    phi: float
    tau2: float
    las: int
    p_value: float

    @property
    def overdispersed(self) -> bool:
        """The stated test: more spread than chance alone gives, at the 5% level."""
        return self.p_value < OVERDISPERSION_ALPHA


def dispersion(children, population, yardstick_rate: float) -> Dispersion:
    """phi, its chi-square test and DerSimonian-Laird tau^2 on winsorised square-root
    z-scores (Spiegelhalter 2005), against ``yardstick_rate`` (England's)."""
    z = winsorise(z_scores(children, population, yardstick_rate))
    k = len(z)
    phi = float(np.mean(z ** 2))
    p_value = float(stats.chi2.sf(k * phi, k - 1))
    weights = 4 * np.asarray(population, dtype=float)
    if k * phi <= k - 1:
        return Dispersion(phi, 0.0, k, p_value)
    tau2 = (k * phi - (k - 1)) / (weights.sum() - (weights ** 2).sum() / weights.sum())
    return Dispersion(phi, float(tau2), k, p_value)


def rated_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The LAs with both a count and a population: the ones that can be placed on the funnel."""
    return frame[frame["children"].notna() & frame["population_0_17"].notna()]


def national_dispersion(frame: pd.DataFrame, england_rate: float) -> Dispersion:
    """The yardstick: ``dispersion`` over every LA in ``frame`` (all of England) that has a
    count and a population, against England's rate."""
    rows = rated_rows(frame)
    return dispersion(rows["children"], rows["population_0_17"], england_rate)


def limits(population, target_rate: float, tau2: float) -> pd.DataFrame:
    """All eight limits for each population: exact and adjusted, 95% and 99.8%."""
    out = {}
    for level, (low, high) in LEVELS.items():
        out[f"funnel_lower_{level}"] = exact_limit(population, target_rate, low)
        out[f"funnel_upper_{level}"] = exact_limit(population, target_rate, high)
        out[f"funnel_adj_lower_{level}"] = adjusted_limit(population, target_rate, low, tau2)
        out[f"funnel_adj_upper_{level}"] = adjusted_limit(population, target_rate, high, tau2)
    return pd.DataFrame(out)


def funnel_table(frame: pd.DataFrame, target_rate: float, spread: Dispersion) -> pd.DataFrame:
    """Limits centred on ``target_rate`` and z-scores against it, for LAs with a count and
    population (others left as NaN); the width comes from ``spread``, the national
    yardstick, whatever the target.

    ``frame`` has children and population_0_17.
    """
    rows = rated_rows(frame)
    bounds = limits(rows["population_0_17"], target_rate, spread.tau2).set_index(rows.index)
    z = z_scores(rows["children"], rows["population_0_17"], target_rate)
    adjusted = z / np.sqrt(1 + 4 * rows["population_0_17"].to_numpy(float) * spread.tau2)
    return frame.join(bounds).assign(
        target_rate_per_10k=target_rate, tau_squared=spread.tau2,
        overdispersion_phi=spread.phi, overdispersion_p_value=spread.p_value,
        z_score=pd.Series(z, index=rows.index),
        z_score_adjusted=pd.Series(adjusted, index=rows.index))


def curve(table: pd.DataFrame, points: int = 200) -> pd.DataFrame:
    """Limits along a smooth grid spanning the table's populations, for drawing the funnel.

    ``table`` is a funnel_table result (one target and tau^2 throughout).
    """
    population = table.dropna(subset=["children", "population_0_17"])["population_0_17"]
    grid = np.geomspace(population.min() * 0.8, population.max() * 1.2, points)
    target = float(table["target_rate_per_10k"].iloc[0])
    tau2 = float(table["tau_squared"].iloc[0])
    return limits(grid, target, tau2).assign(population=grid, target_rate_per_10k=target)
