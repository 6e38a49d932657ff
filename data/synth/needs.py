"""Stage 4: needs assessments of the current children.

Regional needs analyses report needs that co-occur (exploitation, going missing and
substance misuse together) and that depend on placement and age, so needs are drawn from
a correlated (multivariate probit) model rather than one by one: about 4 needs for a
child in a children's home, under 2 in foster care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from data.synth.calibration import REF_DAY

NEEDS = ["risk_to_others", "going_missing", "self_harm", "mental_health",
         "neurodevelopmental", "disability", "sexual_exploitation", "criminal_exploitation",
         "substance_misuse", "placement_breakdown", "out_of_education"]
#: Prevalence of each need (in NEEDS order) by kind of current placement, for children of
#: 12 and over; younger children's risks are scaled by NEED_AGE_SCALE. Children's homes
#: sum to about 4.2 co-occurring needs at 12 and over (3.9 across ages), foster care to
#: 2.2 (1.6 across ages), as regional needs analyses report.
NEED_PREVALENCE = {
    "home": [0.50, 0.45, 0.35, 0.60, 0.42, 0.08, 0.25, 0.32, 0.33, 0.55, 0.40],
    "secure": [0.70, 0.65, 0.55, 0.75, 0.45, 0.05, 0.40, 0.45, 0.45, 0.75, 0.50],
    "school": [0.40, 0.20, 0.25, 0.50, 0.70, 0.40, 0.10, 0.10, 0.10, 0.45, 0.20],
    "residential": [0.30, 0.25, 0.30, 0.45, 0.30, 0.15, 0.15, 0.20, 0.25, 0.35, 0.25],
    "independent": [0.10, 0.20, 0.20, 0.35, 0.15, 0.03, 0.10, 0.15, 0.30, 0.25, 0.40],
    "foster": [0.20, 0.15, 0.15, 0.45, 0.40, 0.12, 0.10, 0.10, 0.10, 0.28, 0.18],
    "parents": [0.10, 0.08, 0.08, 0.20, 0.20, 0.05, 0.05, 0.05, 0.06, 0.05, 0.10],
    "adoption": [0.01, 0.0, 0.0, 0.03, 0.15, 0.06, 0.0, 0.0, 0.0, 0.02, 0.0],
    "other": [0.20, 0.20, 0.15, 0.30, 0.20, 0.05, 0.10, 0.15, 0.15, 0.25, 0.20],
}
#: Multipliers of each need's prevalence by age band (under 1, 1-4, 5-9, 10-11, 12+):
#: exploitation, going missing and substance misuse are adolescent risks.
NEED_AGE_SCALE = np.array([
    # <1    1-4   5-9  10-11  12+
    [0.00, 0.10, 0.50, 0.80, 1.0],  # risk_to_others
    [0.00, 0.00, 0.10, 0.50, 1.0],  # going_missing
    [0.00, 0.00, 0.10, 0.60, 1.0],  # self_harm
    [0.00, 0.15, 0.60, 0.90, 1.0],  # mental_health
    [0.10, 0.60, 1.00, 1.00, 1.0],  # neurodevelopmental
    [1.00, 1.00, 1.00, 1.00, 1.0],  # disability
    [0.00, 0.00, 0.02, 0.30, 1.0],  # sexual_exploitation
    [0.00, 0.00, 0.02, 0.30, 1.0],  # criminal_exploitation
    [0.00, 0.00, 0.00, 0.15, 1.0],  # substance_misuse
    [0.00, 0.20, 0.60, 0.90, 1.0],  # placement_breakdown
    [0.00, 0.00, 0.40, 0.80, 1.0],  # out_of_education
])
#: Pairs of needs that go together, with the latent correlation between them; every pair
#: also shares a common 'complexity' correlation of NEED_BASE_CORRELATION.
NEED_BASE_CORRELATION = 0.25
NEED_LINKS = {
    ("sexual_exploitation", "going_missing"): 0.65,
    ("criminal_exploitation", "going_missing"): 0.65,
    ("sexual_exploitation", "criminal_exploitation"): 0.45,
    ("substance_misuse", "criminal_exploitation"): 0.55,
    ("substance_misuse", "sexual_exploitation"): 0.45,
    ("substance_misuse", "going_missing"): 0.45,
    ("self_harm", "mental_health"): 0.65,
    ("self_harm", "sexual_exploitation"): 0.4,
    ("risk_to_others", "placement_breakdown"): 0.55,
    ("neurodevelopmental", "disability"): 0.45,
    ("neurodevelopmental", "risk_to_others"): 0.35,
    ("out_of_education", "criminal_exploitation"): 0.4,
    ("out_of_education", "placement_breakdown"): 0.4,
    ("out_of_education", "going_missing"): 0.35,
}
FREQUENCIES = ["daily", "weekly", "monthly", "rarely"]
INTENSITIES = ["high", "medium", "low"]
NEED_KIND = {"K2": "home", "K1": "secure", "S1": "school", "R1": "residential",
             "R2": "residential", "R3": "residential", "R5": "residential",
             "H5": "independent", "P2": "independent", "P3": "independent", "P1": "parents",
             "Z1": "other"}


def need_kind(place: str) -> str:
    """Which prevalence profile (NEED_PREVALENCE) a current placement uses."""
    return NEED_KIND.get(place, "adoption" if place.startswith("A") else "foster")


def need_correlation() -> np.ndarray:
    """Latent correlation between the 11 needs: a shared 'complexity' factor plus the
    known links (exploitation, going missing and substance misuse; self-harm and mental
    health; ...), nudged to the nearest positive-definite matrix if needed."""
    k = len(NEEDS)
    corr = np.full((k, k), NEED_BASE_CORRELATION)
    for (a, b), value in NEED_LINKS.items():
        i, j = NEEDS.index(a), NEEDS.index(b)
        corr[i, j] = corr[j, i] = value
    np.fill_diagonal(corr, 1.0)
    values, vectors = np.linalg.eigh(corr)
    if values.min() <= 1e-6:
        corr = vectors @ np.diag(np.clip(values, 1e-3, None)) @ vectors.T
        scale = np.sqrt(np.diag(corr))
        corr = corr / np.outer(scale, scale)
    return corr


NEED_CHOLESKY = np.linalg.cholesky(need_correlation())


def needs_for(current: pd.DataFrame, place: np.ndarray, in_care_since: np.ndarray,
              rng: np.random.Generator) -> pd.DataFrame:
    """Needs assessment rows (one per need present) for current children: a multivariate
    probit whose thresholds give each need its prevalence for the child's placement and
    age, and whose correlations make needs co-occur. Frequency and intensity (Rome &
    Stanley) rise with how far into the tail the child's latent score lies."""
    n = len(current)
    age = current["age"].to_numpy()
    age_ix = np.select([age < 1, age < 5, age < 10, age < 12], [0, 1, 2, 3], 4)
    kinds = np.array([need_kind(p) for p in place])
    prevalence = np.zeros((n, len(NEEDS)))
    for kind, values in NEED_PREVALENCE.items():
        prevalence[kinds == kind] = values
    prevalence = np.clip(prevalence * NEED_AGE_SCALE.T[age_ix], 0, 0.97)
    latent = rng.standard_normal((n, len(NEEDS))) @ NEED_CHOLESKY.T
    with np.errstate(divide="ignore"):
        present = latent < ndtri(prevalence)
    child, need = np.nonzero(present)
    depth = ndtr(latent[child, need]) / prevalence[child, need]  # 0 = most severe
    residential = np.isin(kinds[child], ["home", "secure", "school"])
    frequency_score = np.clip(depth + np.where(residential, -0.1, 0.1) +
                              rng.normal(0, 0.1, len(child)), 0, 1)
    frequency = np.asarray(FREQUENCIES, dtype=object)[
        np.searchsorted([0.25, 0.55, 0.85], frequency_score, side="right")]
    intensity_score = 0.6 * depth + 0.4 * rng.random(len(child))
    intensity = np.asarray(INTENSITIES, dtype=object)[
        np.searchsorted([0.3, 0.7], intensity_score, side="right")]
    days_in_care = (REF_DAY - in_care_since[child]).astype(int)
    assessed = REF_DAY - np.floor(rng.random(len(child)) *
                                  (np.minimum(days_in_care, 180) + 1)).astype(int)
    first = np.unique(child, return_index=True)[1]
    same_day = np.repeat(assessed[first], np.diff(np.append(first, len(child))))
    return pd.DataFrame({"child": child, "assessed_on": same_day,
                         "need": np.asarray(NEEDS, dtype=object)[need],
                         "frequency": frequency, "intensity": intensity})
