"""Children-looked-after rates per 10,000 children aged 0-17, computed as DfE does.

DfE's rate is the count at 31 March over the ONS mid-year estimate of children aged
0-17 for the previous June (31 March 2025 uses mid-2024), times 10,000, rounded half
up to a whole number. For regions and England DfE publishes counts rounded to the
nearest 10 but computes the rate from the unrounded count, which is the sum of its
LAs' counts; so aggregate rates here are computed from summed LA counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PER = 10_000


def population_mid_year(year: int | pd.Series) -> int | pd.Series:
    """The ONS mid-year estimate used for a count at 31 March of ``year``: the June before."""
    return year - 1


def rate_per_10k(children, population):
    """Unrounded rate per 10,000; NaN where either figure is missing or population is zero."""
    children = pd.to_numeric(children, errors="coerce")
    population = pd.to_numeric(population, errors="coerce")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = children / population * PER
    return rate.where(population > 0) if isinstance(rate, pd.Series) else rate


def dfe_round(value):
    """Round half up to a whole number, as DfE publishes rates (not Python's half-to-even)."""
    return np.floor(np.asarray(value, dtype=float) + 0.5)


def with_population(counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Attach the population 0-17 that DfE pairs with each (area_code, year) count."""
    pop = population[["area_code", "mid_year", "population_0_17"]]
    merged = counts.assign(mid_year=population_mid_year(counts["year"])).merge(
        pop, on=["area_code", "mid_year"], how="left")
    return merged.drop(columns="mid_year")


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the unrounded and DfE-rounded rate columns to a frame of children and population."""
    rate = rate_per_10k(frame["children"], frame["population_0_17"])
    return frame.assign(rate_per_10k_exact=rate,
                        rate_per_10k=pd.Series(dfe_round(rate), index=frame.index))


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum LA counts and populations to groups (region, RCC, England) and rate them.

    Only LAs with both a count and a population enter the sum, so the numerator and the
    denominator always cover the same area (an LA whose count is suppressed, or a
    pre-2019 Dorset council with no population on old boundaries, is left out of both).
    ``las_left_out`` says how many LAs in each group were left out, for a caveat.
    """
    rated = frame["children"].notna() & frame["population_0_17"].notna()
    present = frame["children"].notna() | frame["population_0_17"].notna()
    both = frame.assign(children=frame["children"].where(rated),
                        population_0_17=frame["population_0_17"].where(rated),
                        _left_out=present & ~rated)
    out = both.groupby(by, dropna=False).agg(
        children=("children", lambda s: s.sum(min_count=1)),
        population_0_17=("population_0_17", lambda s: s.sum(min_count=1)),
        las=("children", "count"), las_left_out=("_left_out", "sum")).reset_index()
    out["las_left_out"] = out["las_left_out"].astype(int)
    return add_rates(out)


def pooled_rate(frame: pd.DataFrame) -> float:
    """Unrounded rate of the summed counts over the summed populations of the rows with both
    (e.g. England's or an RCC's rate as the funnel's target or yardstick)."""
    both = frame[["children", "population_0_17"]].dropna().sum()
    return float(rate_per_10k(both["children"], both["population_0_17"]))
