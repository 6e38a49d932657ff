"""Cohorts of children by latent class analysis (LCA) of their eleven binary needs.

Why a latent class model: regional needs analyses describe children in residential care
by a few broad cohorts (learning and physical disability; multiple complex needs rooted
in trauma; extra-familial harm such as exploitation). LCA finds such groups from the
needs alone, says how many the data support (BIC) and how clearly each child belongs to
one (posterior probabilities), and is reproducible: a fixed seed and several random
starts give the same answer every time.

The model: each child belongs to one of k unobserved classes; within a class each need
is present with its own probability, independently of the other needs (**local
independence**); the class shares and the probabilities are estimated by maximum
likelihood with the EM algorithm (``stepmix``, measurement="binary"). k runs from 1 to
``MAX_CLASSES`` and the k with the smallest BIC is kept. Children with the same needs have
the same posterior, so the fit runs on the distinct need patterns weighted by how many
children share each (at most 2^11 rows whatever the number of children): the same
likelihood, in a fraction of the time.

The assumptions, in plain words for the page, are ``ASSUMPTIONS``.

The counts kept here (children per cohort, the number fitted) are raw case-level counts:
they must go through ``analysis.disclosure`` before any page or export shows them.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp

SEED = 42
MAX_CLASSES = 6
# Random starts per k, each run to convergence; the best likelihood is kept. On England's
# synthetic children in residential care up to half the starts for k = 6 stop at a local
# optimum 17 log-likelihood units short; 10 starts found the best for every seed tried,
# where screening 20 starts for 20 iterations and finishing the best 4 missed it 2 times in
# 5. EM stops when the mean log-likelihood per child gains less than ABS_TOL: 1e-6 ends
# within 0.5 units of 1e-10 (BIC within 1, where k differ by 170 or more) in half the time.
N_INIT = 10
MAX_ITER = 1000
ABS_TOL = 1e-6
MIN_CLASS_CHILDREN = 20  # a smaller class is neither plannable nor safe to profile
DEFINING_PROBABILITY = 0.5  # a defining need is present for at least half the cohort
DEFINING_LIFT = 1.5  # ... and at least 1.5 times as common as among all children
NAMED_NEEDS = 3  # at most this many needs in a cohort's name
FEW_NEEDS = "Few recorded needs"
ASSUMPTIONS = (
    "Within a cohort, one need tells us nothing more about another (local independence). "
    "Where two needs go together more than the cohorts explain, the method may add a cohort.",
    "Cohorts are statistical groupings of recorded needs, not diagnoses. A child's cohort is "
    "the most likely one given their needs, shown with its probability.",
    "A need that is not recorded counts as absent.",
    "The number of cohorts is the one with the lowest BIC among models whose every cohort "
    f"has at least {MIN_CLASS_CHILDREN} children; names come from the needs that are common "
    "in a cohort and much more common than among all children.",
    "In synthetic data, cohorts illustrate the method and are not findings.",
)


@dataclass(frozen=True)
class ClassCount:
    """How well a model with ``classes`` classes fits: one row of the BIC table."""

    classes: int
    log_likelihood: float
    parameters: int
    bic: float  # -2 log L + parameters x ln(children): the smaller the better
    entropy: float | None  # normalised relative entropy (``relative_entropy``); None if k=1
    mean_posterior: float  # mean over children of the posterior of their modal class
    smallest_class: int  # children in the smallest modal class
    converged: bool


@dataclass(frozen=True)
class Cohort:
    """One latent class of the chosen model, numbered stably across refits."""

    number: int
    name: str
    defining: tuple[str, ...]  # need codes the name is made from
    share: float  # the estimated class share (model weight)
    children: int  # children whose modal class it is (raw count: protect before showing)
    mean_posterior: float  # mean posterior of its own children (how clearly they belong)
    profile: tuple[float, ...]  # P(need | cohort), in ``FitSummary.needs`` order


@dataclass(frozen=True)
class FitSummary:
    """What a page needs of a cohort fit: the BIC table, the chosen model's cohorts and
    how it was fitted. Serialises to and from JSON (``to_json``, ``from_json``)."""

    seed: int
    n_init: int
    max_iter: int
    children: int
    needs: tuple[str, ...]  # need codes, the order of every profile
    labels: tuple[str, ...]  # their plain-English labels
    prevalence: tuple[float, ...]  # share of all children with each need
    selection: tuple[ClassCount, ...]  # one row per k tried
    classes: int  # the chosen k (0 when there were no children)
    cohorts: tuple[Cohort, ...]
    synthetic: bool = False

    def profiles(self) -> pd.DataFrame:
        """P(need | cohort): one row per cohort number, one column per need code."""
        return pd.DataFrame([c.profile for c in self.cohorts], columns=list(self.needs),
                            index=pd.Index([c.number for c in self.cohorts], name="cohort"))

    def names(self) -> dict[int, str]:
        """Cohort number -> name."""
        return {c.number: c.name for c in self.cohorts}

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> FitSummary:
        raw = json.loads(text)
        selection = tuple(ClassCount(**row) for row in raw.pop("selection"))
        cohorts = tuple(Cohort(**{**row, "defining": tuple(row["defining"]),
                                  "profile": tuple(row["profile"])})
                        for row in raw.pop("cohorts"))
        return cls(**{key: tuple(value) if isinstance(value, list) else value
                      for key, value in raw.items()}, selection=selection, cohorts=cohorts)


# --- fit statistics (from posteriors) ------------------------------------------------------

def relative_entropy(posterior: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Normalised relative entropy of the class posteriors, 1 = every child certain:

        E_k = 1 - sum_i sum_k (-p_ik ln p_ik) / (N ln K)

    (Ramaswamy, DeSarbo, Reibstein and Robinson 1993, "An empirical pooling approach for
    estimating marketing mix elasticities with PIMS data", Marketing Science 12(1); the
    formula of stepmix's ``StepMix.relative_entropy`` and of Mplus's "Entropy"). Rows may
    stand for several children (``weights``). None for one class, where it is undefined."""
    n_classes = posterior.shape[1]
    if n_classes < 2:
        return None
    weights = np.ones(len(posterior)) if weights is None else weights
    p = np.clip(posterior, 1e-15, 1.0)
    entropy = -(weights[:, None] * p * np.log(p)).sum()
    return float(1 - entropy / (weights.sum() * np.log(n_classes)))


def mean_posterior(posterior: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Mean over children of the posterior probability of their modal (assigned) class."""
    return float(np.average(posterior.max(axis=1), weights=weights))


# --- fitting ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Patterns:
    """The distinct rows of a 0/1 needs matrix, how many children have each, and which
    pattern each child has: children with equal needs have equal posteriors."""

    rows: np.ndarray  # (patterns, needs) 0/1
    counts: np.ndarray  # children per pattern
    of_child: np.ndarray  # pattern index of each child


def patterns(matrix: np.ndarray) -> Patterns:
    rows, of_child, counts = np.unique(matrix, axis=0, return_inverse=True,
                                       return_counts=True)
    return Patterns(rows.astype(float), counts.astype(float), of_child.ravel())


def fit_k(data: Patterns, classes: int, seed: int, n_init: int, max_iter: int):
    """The stepmix binary LCA with ``classes`` classes, best of ``n_init`` random starts."""
    from sklearn.exceptions import ConvergenceWarning
    from stepmix.stepmix import StepMix

    model = StepMix(n_components=classes, measurement="binary", n_init=n_init,
                    max_iter=max_iter, abs_tol=ABS_TOL, random_state=seed, progress_bar=0,
                    verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(data.rows, sample_weight=data.counts)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, converged


def class_count(model, data: Patterns, converged: bool) -> tuple[ClassCount, np.ndarray]:
    """The fit statistics of a model, and its posterior per pattern."""
    posterior = model.predict_proba(data.rows)
    profiles = model.get_parameters()["measurement"]["pis"]
    log_like = float(data.counts @ logsumexp(joint_log_likelihoods(
        profiles, model.weights_, data.rows), axis=1))
    parameters = int(model.n_parameters)
    children = data.counts.sum()
    modal = np.bincount(posterior.argmax(axis=1), weights=data.counts,
                        minlength=posterior.shape[1])
    return ClassCount(classes=posterior.shape[1], log_likelihood=log_like,
                      parameters=parameters,
                      bic=-2 * log_like + parameters * float(np.log(children)),
                      entropy=relative_entropy(posterior, data.counts),
                      mean_posterior=mean_posterior(posterior, data.counts),
                      smallest_class=int(modal.min()), converged=converged), posterior


def joint_log_likelihoods(profiles: np.ndarray, weights: np.ndarray,
                          rows: np.ndarray) -> np.ndarray:
    """log P(row, class k) = log w_k + sum_j log p_kj^x (1 - p_kj)^(1 - x), per row and
    class: summed over classes, the likelihood; normalised, the posterior."""
    profiles = np.clip(profiles, 1e-15, 1 - 1e-15)
    per_class = rows @ np.log(profiles).T + (1 - rows) @ np.log(1 - profiles).T
    return per_class + np.log(np.asarray(weights))


def chosen(selection: list[ClassCount]) -> int:
    """The k with the smallest BIC among models whose every class holds at least
    ``MIN_CLASS_CHILDREN`` children (one class always qualifies)."""
    admissible = [row for row in selection
                  if row.classes == 1 or row.smallest_class >= MIN_CLASS_CHILDREN]
    return min(admissible, key=lambda row: row.bic).classes


def fit_cohorts(needs: pd.DataFrame, labels: Mapping[str, str], *, seed: int = SEED,
                max_classes: int = MAX_CLASSES, n_init: int = N_INIT, max_iter: int = MAX_ITER,
                previous: pd.DataFrame | None = None,
                synthetic: bool = False) -> tuple[FitSummary, pd.DataFrame]:
    """Fit LCA for k = 1..max_classes to ``needs`` (index child_id, one 0/1 column per need
    code; a child with no need is a row of zeros), keep the k with the smallest BIC and
    name its cohorts with ``labels`` (need code -> label, the store's vocabulary).

    Cohorts are numbered by size (1 = largest) unless ``previous`` profiles are given
    (``FitSummary.profiles`` of the last fit), whose numbers they then keep
    (``match_to_previous``). ``synthetic`` marks a fit to synthetic data. Returns the
    summary and each child's modal cohort and its posterior probability (columns
    child_id, cohort, probability)."""
    codes = list(needs.columns)
    matrix = needs.to_numpy(dtype=float)
    base = dict(seed=seed, n_init=n_init, max_iter=max_iter, children=len(needs),
                needs=tuple(codes), labels=tuple(labels.get(c, c) for c in codes),
                synthetic=synthetic)
    if not len(needs):
        empty = pd.DataFrame({"child_id": needs.index, "cohort": pd.Series(dtype=int),
                              "probability": pd.Series(dtype=float)})
        return FitSummary(**base, prevalence=(0.0,) * len(codes), selection=(), classes=0,
                          cohorts=()), empty
    data = patterns(matrix)
    fits = {}
    for k in range(1, min(max_classes, len(data.rows)) + 1):
        model, converged = fit_k(data, k, seed, n_init, max_iter)
        fits[k] = (model, *class_count(model, data, converged))
    best = chosen([row for _, row, _ in fits.values()])
    model, _, posterior = fits[best]
    prevalence = matrix.mean(axis=0)
    profiles = pd.DataFrame(model.get_parameters()["measurement"]["pis"], columns=codes)
    numbers = cohort_numbers(profiles, posterior, data.counts, previous)
    cohorts = describe(profiles, numbers, model.weights_, posterior, data, prevalence,
                       dict(zip(codes, base["labels"])))
    child_posterior = posterior[data.of_child]
    members = pd.DataFrame({"child_id": needs.index.to_numpy(),
                            "cohort": numbers[child_posterior.argmax(axis=1)],
                            "probability": child_posterior.max(axis=1)})
    summary = FitSummary(**base, prevalence=tuple(map(float, prevalence)),
                         selection=tuple(row for _, row, _ in fits.values()), classes=best,
                         cohorts=tuple(sorted(cohorts, key=lambda c: c.number)))
    return summary, members


def cohort_numbers(profiles: pd.DataFrame, posterior: np.ndarray, counts: np.ndarray,
                   previous: pd.DataFrame | None) -> np.ndarray:
    """The cohort number of each fitted class: the previous fit's via ``match_to_previous``,
    else by size (1 = most children) so the same data always give the same numbers."""
    if previous is not None and len(previous):
        return match_to_previous(profiles, previous)
    sizes = np.bincount(posterior.argmax(axis=1), weights=counts, minlength=len(profiles))
    order = sorted(range(len(profiles)), key=lambda k: (-sizes[k], k))
    numbers = np.empty(len(profiles), dtype=int)
    numbers[order] = np.arange(1, len(profiles) + 1)
    return numbers


def match_to_previous(profiles_new: pd.DataFrame, profiles_old: pd.DataFrame) -> np.ndarray:
    """The cohort number of each new class (rows of ``profiles_new``, in order), so that a
    refit keeps the numbers of the classes it shares with the old fit (``profiles_old``:
    index = cohort number, columns = need codes).

    New and old classes are paired to minimise the total Euclidean distance between their
    profiles over the needs both have (the Hungarian method,
    ``scipy.optimize.linear_sum_assignment``); a paired class takes the old number. New
    classes left over (the refit has more) take the smallest numbers not in use."""
    common = [c for c in profiles_new.columns if c in profiles_old.columns]
    new = profiles_new[common].to_numpy(dtype=float)
    old = profiles_old[common].to_numpy(dtype=float)
    distance = np.sqrt(((new[:, None, :] - old[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(distance)
    numbers = np.zeros(len(new), dtype=int)
    numbers[rows] = profiles_old.index.to_numpy()[cols]
    free = (n for n in range(1, len(new) + len(old) + 1) if n not in set(numbers))
    for row in np.flatnonzero(numbers == 0):
        numbers[row] = next(free)
    return numbers


def classify(summary: FitSummary, needs: pd.DataFrame) -> pd.DataFrame:
    """Children's cohorts under a stored fit, without refitting (e.g. another year's
    children, for a cohort's trend with the cohorts held fixed): each child's modal cohort
    and its posterior probability (columns child_id, cohort, probability). ``needs`` is
    shaped as for ``fit_cohorts``; a need the fit did not have is ignored, one it had and
    ``needs`` lacks counts as absent. A fit without cohorts (no children) assigns none."""
    rows = needs.reindex(columns=list(summary.needs), fill_value=0).to_numpy(dtype=float)
    if not summary.cohorts:
        return pd.DataFrame({"child_id": needs.index.to_numpy(),
                             "cohort": pd.array([pd.NA] * len(needs), dtype="Int64"),
                             "probability": np.full(len(needs), np.nan)})
    joint = joint_log_likelihoods(np.array([c.profile for c in summary.cohorts]),
                                  np.array([c.share for c in summary.cohorts]), rows)
    posterior = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    numbers = np.array([c.number for c in summary.cohorts])
    return pd.DataFrame({"child_id": needs.index.to_numpy(),
                         "cohort": numbers[posterior.argmax(axis=1)],
                         "probability": posterior.max(axis=1)})


# --- tables for the page and exports -------------------------------------------------------

def bic_table(summary: FitSummary) -> pd.DataFrame:
    """The model choice, one row per k: log-likelihood, parameters, BIC, entropy, mean
    posterior and whether it was chosen. No child counts (the smallest class's size is
    left out: it can be under 5)."""
    return pd.DataFrame({
        "classes": [row.classes for row in summary.selection],
        "log_likelihood": [row.log_likelihood for row in summary.selection],
        "parameters": [row.parameters for row in summary.selection],
        "bic": [row.bic for row in summary.selection],
        "entropy": [row.entropy for row in summary.selection],
        "mean_posterior": [row.mean_posterior for row in summary.selection],
        "converged": [row.converged for row in summary.selection],
        "chosen": [row.classes == summary.classes for row in summary.selection]})


def cohort_table(summary: FitSummary) -> pd.DataFrame:
    """One row per cohort: its number, name, defining needs in words, estimated share of
    the children (%) and how clearly its children belong (mean posterior). No child
    counts: the share is the model's estimate for all the children fitted."""
    words = dict(zip(summary.needs, summary.labels))
    return pd.DataFrame({
        "cohort": [c.number for c in summary.cohorts],
        "name": [c.name for c in summary.cohorts],
        "defining_needs": ["; ".join(words[code] for code in c.defining)
                           for c in summary.cohorts],
        "share_pct": [round(100 * c.share, 1) for c in summary.cohorts],
        "mean_posterior": [round(c.mean_posterior, 3) for c in summary.cohorts]})


def profile_table(summary: FitSummary) -> pd.DataFrame:
    """Each need's prevalence overall and its probability in each cohort, one row per
    need (columns: need, label, all_children, then one per cohort name). Model estimates,
    not counts, though times a cohort's size they come close to counts of its children:
    one reason no model with a cohort under ``MIN_CLASS_CHILDREN`` children is chosen."""
    table = pd.DataFrame({"need": list(summary.needs), "label": list(summary.labels),
                          "all_children": list(summary.prevalence)})
    for cohort in summary.cohorts:
        table[cohort.name] = list(cohort.profile)
    return table


# --- naming ------------------------------------------------------------------------------

def defining_needs(profile: pd.Series, prevalence: pd.Series) -> list[str]:
    """Needs present for at least half the cohort and at least 1.5 times as common as
    among all children, most distinctive first (largest excess over all children)."""
    excess = (profile - prevalence)[(profile >= DEFINING_PROBABILITY)
                                    & (profile >= DEFINING_LIFT * prevalence)]
    return list(excess.sort_values(ascending=False, kind="stable").index)


def cohort_name(defining: list[str], labels: Mapping[str, str], expected_needs: float,
                mean_needs: float) -> str:
    """A cohort's plain-English name from its defining needs ("Criminal exploitation,
    going missing and substance misuse"; past three, "Many needs: going missing,
    self-harm, mental health and 4 more"); "Few recorded needs" for a cohort without any
    whose children have under half the average number of needs; otherwise "Mixed needs"."""
    if not defining:
        return FEW_NEEDS if expected_needs < mean_needs / 2 else "Mixed needs"
    words = [labels[code][:1].lower() + labels[code][1:] for code in defining[:NAMED_NEEDS]]
    more = len(defining) - NAMED_NEEDS
    if more > 0:
        return f"Many needs: {', '.join(words)} and {more} more"
    name = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return name[:1].upper() + name[1:]


def describe(profiles: pd.DataFrame, numbers: np.ndarray, weights: np.ndarray,
             posterior: np.ndarray, data: Patterns, prevalence: np.ndarray,
             labels: Mapping[str, str]) -> list[Cohort]:
    """Each class as a numbered, named cohort; equal names get their number appended."""
    modal = posterior.argmax(axis=1)
    prevalent = pd.Series(prevalence, index=profiles.columns)
    mean_needs = float(prevalence.sum())
    cohorts = []
    for k, number in enumerate(numbers):
        mine = modal == k
        defining = defining_needs(profiles.iloc[k], prevalent)
        size = data.counts[mine].sum()
        cohorts.append(Cohort(
            number=int(number),
            name=cohort_name(defining, labels, float(profiles.iloc[k].sum()), mean_needs),
            defining=tuple(defining), share=float(weights[k]), children=int(size),
            mean_posterior=float(np.average(posterior[mine, k], weights=data.counts[mine]))
            if size else 0.0,
            profile=tuple(map(float, profiles.iloc[k]))))
    names = pd.Series([c.name for c in cohorts])
    return [replace(c, name=f"{c.name} (cohort {c.number})") if dup else c
            for c, dup in zip(cohorts, names.duplicated(keep=False))]
