"""Stage 4: needs assessments of the current children.

Regional needs analyses of children in residential care find about four co-occurring needs
per child out of eleven and three broad cohorts: learning and physical disability; multiple
complex needs rooted in trauma; extra-familial harm (exploitation, going missing, substance
misuse). So each child's needs are drawn from a *mixture of cohorts* rather than one need at
a time: the child first falls in a cohort, with chances that depend on the kind of placement
and age band (extra-familial harm is an adolescent cohort, disability dominates residential
special schools), then each need is present or not *independently* within the cohort, with
the cohort's own chance of each need. That is exactly the latent class model, so a latent
class analysis of the drawn needs can recover the cohorts (and the needs page's cohort fit
has something real to find); needs co-occur across children because cohorts differ.

A fourth, *few-needs* component holds the children with few or no needs: most children in
foster care, placed with parents or for adoption, and young children. The three broad
cohorts are what residential care shows; the fourth exists because without it the mixture
could not give a fostered toddler, or the one in six children in a children's home with
only a need or two, so few needs. A latent class analysis of residential care therefore
finds three cohorts plus a small few-needs class.

The cohort profiles and membership chances are not hand-tuned: ``cohort_model`` fits them by
least squares to the prevalence targets (``NEED_PREVALENCE`` by placement kind at 12 and
over, scaled by ``NEED_AGE_SCALE`` for younger children), inside bounds that say what the
evidence says each cohort is (``COHORT_BOUNDS``). A cohort is open to an age band only from
``COHORT_FIRST_BAND`` on, and a cohort has one profile from 10 on (``age_onset``). The
targets are not exactly a mixture of four profiles, so the fit is close, not exact: each
need's prevalence is within 0.04 of its target at 12 and over in children's homes and
residential special schools, 0.11 in secure homes, 0.09 in foster care at every age, 0.17
in the worst cell (supported accommodation at 10-11, where there are next to no children),
0.02 on average over all cells. A child in a children's home at 12 and over has about 4.3
needs, in foster care 2.3 at 12 and over and under 2 when younger. Each child's cohort is
never written to the store, as real data never has it: ``draw_needs`` returns it for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import softmax

from data.synth.calibration import REF_DAY

NEEDS = ["risk_to_others", "going_missing", "self_harm", "mental_health",
         "neurodevelopmental", "disability", "sexual_exploitation", "criminal_exploitation",
         "substance_misuse", "placement_breakdown", "out_of_education"]
#: Prevalence of each need (in NEEDS order) by kind of current placement, for children of
#: 12 and over; younger children's risks are scaled by NEED_AGE_SCALE. Children's homes
#: sum to about 4.2 co-occurring needs at 12 and over (3.9 across ages), foster care to
#: 2.2 (1.6 across ages), as regional needs analyses report. These are the targets the
#: cohort mixture is fitted to.
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
#: Upper age of each band of NEED_AGE_SCALE (the last band is 12 and over).
NEED_AGE_BANDS = [1, 5, 10, 12]
#: The age bands (under 10) in which every cohort's needs grow with age (``age_onset``).
YOUNG_BANDS = 3
COHORTS = ["disability", "trauma", "extra_familial", "few_needs"]
#: The first age band (index into NEED_AGE_SCALE's columns) each cohort is open to: complex
#: trauma shows from school age, extra-familial harm from 10.
COHORT_FIRST_BAND = {"disability": 0, "trauma": 2, "extra_familial": 3, "few_needs": 0}
#: What the evidence says each cohort is, as bounds on the share of its children with a
#: need: at least so many for the needs that define it, at most so many for those it lacks,
#: and otherwise anywhere from NEED_FLOOR (no cohort rules a need out) to NEED_CAP.
COHORT_BOUNDS = {
    "disability": {
        "at_least": {"neurodevelopmental": 0.7, "disability": 0.3},
        "at_most": {"going_missing": 0.1, "sexual_exploitation": 0.1,
                    "criminal_exploitation": 0.1, "substance_misuse": 0.1,
                    "mental_health": 0.3, "self_harm": 0.2}},
    "trauma": {
        "at_least": {"mental_health": 0.7, "self_harm": 0.5, "risk_to_others": 0.5,
                     "placement_breakdown": 0.6, "out_of_education": 0.4},
        "at_most": {"going_missing": 0.25, "sexual_exploitation": 0.2,
                    "criminal_exploitation": 0.2, "substance_misuse": 0.3, "disability": 0.1,
                    "neurodevelopmental": 0.5}},
    "extra_familial": {
        "at_least": {"sexual_exploitation": 0.4, "criminal_exploitation": 0.6,
                     "going_missing": 0.7, "substance_misuse": 0.5, "risk_to_others": 0.3,
                     "out_of_education": 0.3},
        "at_most": {"neurodevelopmental": 0.3, "disability": 0.2, "mental_health": 0.4,
                    "self_harm": 0.25, "placement_breakdown": 0.4}},
    "few_needs": {"at_least": {}, "at_most": {need: 0.25 for need in NEEDS}},
}
NEED_FLOOR, NEED_CAP = 0.02, 0.95
#: How acute each cohort's needs are: a need's severity score is a uniform draw raised to
#: this power (0 = most severe), so exploitation is the most often daily and high intensity
#: and the few-needs children's needs the least.
COHORT_SEVERITY = {"disability": 1.0, "trauma": 1.3, "extra_familial": 1.6, "few_needs": 0.7}
FREQUENCIES = ["daily", "weekly", "monthly", "rarely"]
INTENSITIES = ["high", "medium", "low"]
NEED_KIND = {"K2": "home", "K1": "secure", "S1": "school", "R1": "residential",
             "R2": "residential", "R3": "residential", "R5": "residential",
             "H5": "independent", "P2": "independent", "P3": "independent", "P1": "parents",
             "Z1": "other"}
KINDS = list(NEED_PREVALENCE)


def need_kind(place: str) -> str:
    """Which prevalence profile (NEED_PREVALENCE) a current placement uses."""
    return NEED_KIND.get(place, "adoption" if place.startswith("A") else "foster")


def age_band(age: np.ndarray) -> np.ndarray:
    """Index of each age's band (a column of NEED_AGE_SCALE)."""
    return np.searchsorted(NEED_AGE_BANDS, np.asarray(age), side="right")


def target_prevalence(kind: str, band: int) -> np.ndarray:
    """The prevalence of each need the mixture is fitted to for one placement kind and
    age band: what the synthetic needs are calibrated to, and what tests check them
    against."""
    return np.asarray(NEED_PREVALENCE[kind]) * NEED_AGE_SCALE[:, band]


@dataclass(frozen=True)
class CohortModel:
    """The fitted mixture: ``profiles[band, cohort, need]`` is the chance that a child of
    that age band and cohort has the need; ``weights[kind, band, cohort]`` the chance that
    a child of that placement kind (KINDS order) and age band is in the cohort."""

    profiles: np.ndarray
    weights: np.ndarray


def profile_bounds() -> tuple[np.ndarray, np.ndarray]:
    """COHORT_BOUNDS as (lower, upper) arrays of cohort x need."""
    low = np.full((len(COHORTS), len(NEEDS)), NEED_FLOOR)
    high = np.full_like(low, NEED_CAP)
    for i, cohort in enumerate(COHORTS):
        for need, value in COHORT_BOUNDS[cohort]["at_least"].items():
            low[i, NEEDS.index(need)] = value
        for need, value in COHORT_BOUNDS[cohort]["at_most"].items():
            high[i, NEEDS.index(need)] = value
    return low, high


def age_onset(band: int) -> np.ndarray:
    """Cohort x need multipliers of the cohort profiles at an age band. From 10 on a broad
    cohort keeps its profile (but for needs a child that young cannot have, age scale 0),
    so that a latent class analysis of the children in residential care, nearly all 10 or
    over, sees the same classes at every age; under 10, and in the few-needs component
    at every age, needs grow with age as the targets do (NEED_AGE_SCALE)."""
    scale = NEED_AGE_SCALE[:, band]
    grows = np.array([cohort == "few_needs" or band < YOUNG_BANDS for cohort in COHORTS])
    return np.where(grows[:, None], scale, scale > 0)


def fit_band(band: int, start: np.ndarray, free: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares fit of one age band's targets (every kind's prevalences) by a mixture:
    the profiles of the ``free`` cohorts (within their bounds) and every kind's chance of
    each cohort open to the band (a softmax of free logits, so they stay a distribution).
    Returns (profiles, weights), the profiles as they apply at that age (``age_onset``)."""
    targets = np.array([target_prevalence(kind, band) for kind in KINDS])
    onset = age_onset(band)
    opened = np.array([COHORT_FIRST_BAND[c] <= band for c in COHORTS])
    low, high = (bound[free] for bound in profile_bounds())

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        profiles = start.copy()
        profiles[free] = x[:low.size].reshape(low.shape)
        logits = np.full((len(KINDS), len(COHORTS)), -np.inf)
        logits[:, opened] = x[low.size:].reshape(len(KINDS), -1)
        return profiles * onset, softmax(logits, axis=1)

    def loss(x: np.ndarray) -> tuple[float, np.ndarray]:
        """Sum of squared errors and its gradient (by the chain rule through the softmax)."""
        profiles, weights = unpack(x)
        error = weights @ profiles - targets
        by_profile = (2 * weights.T @ error * onset)[free]
        by_weight = 2 * error @ profiles.T
        by_logit = weights * (by_weight - (by_weight * weights).sum(axis=1, keepdims=True))
        return float((error ** 2).sum()), np.concatenate([by_profile.ravel(),
                                                          by_logit[:, opened].ravel()])

    x0 = np.concatenate([start[free].ravel(), np.zeros(len(KINDS) * opened.sum())])
    bounds = [*zip(low.ravel(), high.ravel()), *[(-20, 20)] * (len(x0) - low.size)]
    # TNC, not L-BFGS-B: scipy's L-BFGS-B calls BLAS on tiny matrices, which under a
    # multi-threaded BLAS on a busy machine takes a minute instead of a tenth of a second.
    result = minimize(loss, x0, jac=True, method="TNC", bounds=bounds,
                      options={"maxfun": 20_000, "ftol": 1e-10})
    return unpack(result.x)


@cache
def cohort_model() -> CohortModel:
    """Fit the mixture to the targets: the four cohort profiles and the cohort chances at
    12 and over (where the cohorts are described), then each younger band's cohort chances
    with the profiles held (as they apply at that age, ``age_onset``), so that a cohort is
    the same cohort at every age. Rounded to 3 decimals so that the draws do not move with
    floating-point noise in the optimiser."""
    last = len(NEED_AGE_BANDS)
    low, high = profile_bounds()
    profiles, weights = fit_band(last, (low + high) / 2, list(range(len(COHORTS))))
    bands = [fit_band(band, profiles, []) for band in range(last)] + [(profiles, weights)]
    profiles = np.round(np.stack([p for p, _ in bands]), 3)
    weights = np.round(np.stack([w for _, w in bands], axis=1), 3)
    return CohortModel(profiles, weights / weights.sum(axis=2, keepdims=True))


def draw_needs(kinds: np.ndarray, age: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each child's cohort (index into COHORTS) and needs (children x NEEDS, True where
    present), for children of the given placement kinds (KINDS) and ages. The cohort is the
    synthetic truth a latent class analysis should find; it is not stored."""
    model = cohort_model()
    band = age_band(age)
    kind_ix = np.array([KINDS.index(kind) for kind in kinds], dtype=int)
    chances = model.weights[kind_ix, band].cumsum(axis=1)
    cohort = np.minimum((rng.random(len(band))[:, None] >= chances).sum(axis=1),
                        len(COHORTS) - 1)
    present = rng.random((len(band), len(NEEDS))) < model.profiles[band, cohort]
    return cohort, present


def needs_for(current: pd.DataFrame, place: np.ndarray, in_care_since: np.ndarray,
              rng: np.random.Generator) -> pd.DataFrame:
    """Needs assessment rows (one per need present) for current children, drawn from the
    cohort mixture (``draw_needs``). Frequency and intensity (Rome & Stanley) rise with a
    severity score drawn per need, more acute in some cohorts (COHORT_SEVERITY) and, for
    frequency, in residential care (more often daily)."""
    kinds = np.array([need_kind(p) for p in place], dtype=object)
    cohort, present = draw_needs(kinds, current["age"].to_numpy(), rng)
    child, need = np.nonzero(present)
    severity = np.array([COHORT_SEVERITY[c] for c in COHORTS])[cohort[child]]
    depth = rng.random(len(child)) ** severity  # 0 = most severe
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
