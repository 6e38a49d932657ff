"""The random streams, and the ways values are drawn from them.

Each LA and stage draws from its own numpy Generator seeded by (seed, LA, stage), so one
LA's rows never depend on which other LAs are generated, and a change to one stage leaves
the others' draws alone. The helpers here deal categories with exact counts, pick codes
by weight, sample without replacement and put days in months, for every stage alike.
"""

from __future__ import annotations

import numpy as np

from data.synth.fitting import fit_table

# Stage numbers for the per-LA random streams.
STAGE_ATTRIBUTES, STAGE_FLOWS, STAGE_EPISODES, STAGE_PLACES, STAGE_NEEDS, STAGE_FEES = range(6)


def la_number(la_code: str) -> int:
    """The digits of a GSS code, to key an LA's random stream."""
    return int(la_code[1:])


def stream(seed: int, la_code: str, stage: int) -> np.random.Generator:
    """The random stream of one LA and stage: independent of the other LAs generated."""
    return np.random.default_rng([seed, la_number(la_code), stage])


def deal(types: np.ndarray, table: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Give each child a category so each type gets exactly its row of ``table``.

    Children are shuffled within their type and dealt the type's categories in turn,
    which is a uniformly random assignment with the table's counts.
    """
    order = np.lexsort((rng.random(len(types)), types))
    labels = np.repeat(np.tile(np.arange(table.shape[1]), table.shape[0]), table.ravel())
    out = np.empty(len(types), dtype=int)
    out[order] = labels
    return out


def assign(types: np.ndarray, n_types: int, targets: np.ndarray, weights: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """Categories for children of the given types with exactly ``targets`` per category,
    favouring the combinations ``weights`` (n_types x categories) makes likely."""
    rows = np.bincount(types, minlength=n_types)
    return deal(types, fit_table(rows, targets, weights), rng)


def pick(codes: list[str], weights, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` codes drawn with the given relative weights."""
    p = np.asarray(weights, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=size, p=p / p.sum())]


def pick_by(keys: np.ndarray, choices: dict, rng: np.random.Generator,
            default: object = None) -> np.ndarray:
    """A code for each row, drawn from the (codes, weights) that ``choices`` gives its key;
    keys are drawn in ``choices`` order, and rows whose key is not there get ``default``."""
    out = np.full(len(keys), default, dtype=object)
    for key, (codes, weights) in choices.items():
        at = np.flatnonzero(keys == key)
        out[at] = pick(codes, weights, len(at), rng)
    return out


def weighted_sample(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability ~ weights
    (Efraimidis-Spirakis keys, vectorised)."""
    if k <= 0:
        return np.zeros(0, dtype=int)
    if k >= len(weights):
        return np.arange(len(weights))
    keys = np.log(rng.random(len(weights))) / np.maximum(weights, 1e-300)
    return np.argpartition(-keys, k - 1)[:k]


def systematic(n: int, p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws from ``p`` by systematic sampling (counts within one of n*p), shuffled."""
    if n == 0:
        return np.zeros(0, dtype=int)
    cumulative = np.cumsum(p / p.sum()) * n
    drawn = np.searchsorted(cumulative, rng.random() + np.arange(n), side="right")
    return rng.permutation(np.minimum(drawn, len(p) - 1))


def draw(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn with probability proportional to ``weights`` (all zero: the
    likeliest is never defined, so index 0 stands in and callers avoid that case)."""
    total = weights.sum()
    if n == 0 or total <= 0:
        return np.zeros(n, dtype=int)
    cumulative = np.cumsum(weights) / total
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"),
                      len(weights) - 1)


def months_to_days(months: np.ndarray, rng: np.random.Generator,
                   low: np.ndarray | None = None) -> np.ndarray:
    """A random day (datetime64[D]) within each month, on or after ``low`` if given."""
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    last = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    if low is not None:
        first = np.maximum(first, low)
    span = (last - first).astype(int)
    return first + np.floor(rng.random(len(months)) * (span + 1)).astype(int)
