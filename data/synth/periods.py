"""Stage 2: periods of care that add up to LAIT's starts and ceased.

The current children alone would leave LAIT's flows unexplained, so every child LAIT says
ceased in the window becomes a light child, and start dates are filled in backwards in
time from the children in care at the end of each month: monthly starts and ends then add
up to LAIT's annual figures, the stock never goes negative and nobody starts before birth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.synth.calibration import REF_DAY, REF_MONTH, YEAR, Calibration
from data.synth.draws import STAGE_FLOWS, months_to_days, stream, weighted_sample

FIRST_FLOW_YEAR = 2016
#: Age (years) at ceasing of children who came and went: share by band, then by year.
CEASE_AGE_SHARES = {0: 0.06, 1: 0.07, 2: 0.06, 3: 0.05, 4: 0.04, 5: 0.03, 6: 0.025,
                    7: 0.025, 8: 0.02, 9: 0.02, 10: 0.02, 11: 0.02, 12: 0.025, 13: 0.03,
                    14: 0.035, 15: 0.04, 16: 0.05, 17: 0.06, 18: 0.30}
#: Relative monthly chance, looking back in time, that a child in care started this month:
#: current children have been in care longer than children who came and went.
START_RATE_CURRENT = 1 / 30
START_RATE_LEFT = 1 / 11
START_RATE_UASC = 3.0
START_RATE_NEWBORN = 12.0


def flow_years(cal: Calibration, code: str) -> list[int]:
    """The years (ending 31 March) whose starts and ceased LAIT publishes for the LA, as
    the unbroken run back from 2025 (a successor council's run begins when it did)."""
    years = []
    for year in range(YEAR, FIRST_FLOW_YEAR - 1, -1):
        starts = cal.starts.get(year, pd.Series(dtype=float)).get(code, np.nan)
        ceased = cal.ceased.get(year, pd.Series(dtype=float)).get(code, np.nan)
        if pd.isna(starts) or pd.isna(ceased):
            break
        years.append(year)
    return sorted(years)


def monthly(annual: dict[int, int], rng: np.random.Generator) -> dict[int, int]:
    """Split each year's count (April to March) into months; the months add up exactly."""
    out = {}
    for year, total in annual.items():
        first = np.datetime64(f"{year - 1}-04", "M").astype(int)
        for k, count in enumerate(rng.multinomial(int(total), np.full(12, 1 / 12))):
            out[first + k] = int(count)
    return out


@dataclass
class Periods:
    """Periods of care of one LA: current children's start dates and the children who
    started and/or ceased within the window."""

    current_start: np.ndarray  # datetime64[D], one per current child
    current_dob: np.ndarray  # datetime64[D] (moved only if a start had to precede birth)
    left: pd.DataFrame  # children who ceased in the window: dob, start, end, age, uasc, sex
    shortfall: int  # months' starts that could not be drawn (0 when LAIT adds up)


def periods(cal: Calibration, code: str, current: pd.DataFrame, seed: int) -> Periods:
    """Start dates for current children and a light child for every child LAIT says
    ceased, so monthly starts and ends add up to LAIT's annual figures.

    Going back month by month from March 2025, the month's ceasers join the children in
    care, then the month's starters are drawn from them (children who left are likelier
    to have started recently; a child must have started by the month they were born).
    Whoever is still unstarted at the beginning of the window started before it.
    """
    rng = stream(seed, code, STAGE_FLOWS)
    years = flow_years(cal, code)
    starts = monthly({y: cal.starts.at[code, y] for y in years}, rng)
    ceased = monthly({y: cal.ceased.at[code, y] for y in years}, rng)
    cease_month = np.repeat(np.fromiter(ceased.keys(), int), np.fromiter(ceased.values(), int))
    left = ceasers(cease_month, rng)
    n_current = len(current)
    dob_month = np.concatenate([current["dob"].to_numpy().astype("datetime64[M]").astype(int),
                                left["dob_month"].to_numpy()])
    ends = np.concatenate([np.full(n_current, REF_MONTH + 1), cease_month])
    is_current = np.arange(len(ends)) < n_current
    uasc = np.concatenate([current["uasc"].to_numpy(), left["uasc"].to_numpy()])
    rate = np.where(is_current, START_RATE_CURRENT, START_RATE_LEFT) * \
        np.where(uasc, START_RATE_UASC, 1.0)
    start = np.full(len(ends), -1)
    shortfall = 0
    for month in sorted(starts, reverse=True):
        pool = np.flatnonzero((start < 0) & (ends >= month))
        due = pool[dob_month[pool] >= month]
        k = starts[month]
        if len(due) >= k:
            chosen = due[np.lexsort((-dob_month[due], ~is_current[due]))[:k]]
        else:
            rest = pool[dob_month[pool] < month]
            weight = rate[rest] * np.where(month - dob_month[rest] <= 2, START_RATE_NEWBORN, 1.0)
            chosen = np.concatenate([due, rest[weighted_sample(weight, k - len(due), rng)]])
            shortfall += k - len(chosen)
        start[chosen] = month
    before = np.flatnonzero(start < 0)
    window = min(starts) if starts else REF_MONTH + 1
    mean = np.where(is_current[before], 40.0, 20.0)
    start[before] = np.maximum(window - 1 - np.floor(rng.exponential(mean)).astype(int),
                               np.minimum(dob_month[before], window - 1))
    born_late = start < dob_month  # only if LAIT's months could not be met
    dob_month = np.where(born_late, start, dob_month)
    return dated(current, left, start, dob_month, n_current, shortfall, rng)


def ceasers(cease_month: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Children who ceased to be looked after in the given months: age at ceasing (a
    30% on reaching 18), UASC status and sex."""
    n = len(cease_month)
    ages = np.fromiter(CEASE_AGE_SHARES.keys(), int)
    shares = np.fromiter(CEASE_AGE_SHARES.values(), float)
    age = rng.choice(ages, size=n, p=shares / shares.sum())
    uasc = rng.random(n) < np.where(age >= 16, 0.12, np.where(age >= 13, 0.03, 0.0))
    age_months = np.where(age == 18, 216, age * 12 + rng.integers(0, 12, n))
    male = rng.random(n) < np.where(uasc, 0.92, 0.53)
    return pd.DataFrame({"cease_month": cease_month, "age": age, "uasc": uasc,
                         "sex": np.where(male, "1", "2"),
                         "dob_month": cease_month - age_months})


def dated(current: pd.DataFrame, left: pd.DataFrame, start: np.ndarray, dob_month: np.ndarray,
          n_current: int, shortfall: int, rng: np.random.Generator) -> Periods:
    """Turn months into days: nobody starts before birth or ends before starting, and a
    child leaving at 18 leaves on their 18th birthday, so every episode began before it."""
    current_dob = current["dob"].to_numpy().astype("datetime64[D]")
    moved = dob_month[:n_current] < current_dob.astype("datetime64[M]").astype(int)
    current_dob = np.where(moved, months_to_days(dob_month[:n_current], rng), current_dob)
    current_start = np.minimum(months_to_days(start[:n_current], rng, low=current_dob), REF_DAY)
    eighteen = left["age"].to_numpy() == 18
    cease_month = left["cease_month"].to_numpy()
    second = cease_month.astype("datetime64[M]").astype("datetime64[D]") + 1
    end = months_to_days(cease_month, rng, low=np.where(eighteen, second, second - 1))
    dob = months_to_days(dob_month[n_current:], rng)
    dob = np.where(eighteen, add_months(end, -216), dob)  # they leave on their birthday
    dob = np.minimum(dob, end)
    latest = np.where(eighteen, end - 1, end)  # nobody starts care at 18 (ends >= 2nd)
    left_start = np.minimum(months_to_days(start[n_current:], rng, low=dob), latest)
    left = left.assign(dob=dob, start=left_start, end=end)
    return Periods(current_start, current_dob, left.drop(columns="dob_month"), shortfall)


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day of the month ``months`` later (clipped to the month's last day)."""
    month = days.astype("datetime64[M]")
    offset = days - month.astype("datetime64[D]")
    target = month + months
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + offset, last)
