"""A synthetic, all-England case-level cohort calibrated to the published figures in the store.

Nothing here describes a real child. The cohort exists so the case-level pages, exports and
disclosure control can be built and tested before any LA sends a real SSDA903 file, and
every row it writes is flagged ``is_synthetic``.

What the cohort is (per LA with a published DfE count at 31 March 2025):

* **Current children**: exactly DfE's count of children looked after at 31 March 2025,
  each with the episodes of their current period of care (the last one open). Their age
  group, sex, UASC status, placement type, locality and distance band, legal status,
  category of need and ethnic group reproduce the LA's DfE 2025 breakdowns exactly where
  DfE publishes a number; where DfE shows 'c', the residual (total less the published
  cells) is shared among the suppressed cells by England's proportions. The characteristics
  are combined with realistic associations (UASC are mostly boys aged 16-17, babies are
  placed for adoption or in foster care, not in supported accommodation, and so on) by
  fitting each contingency table to both margins (iterative proportional fitting) and
  rounding it with the margins held exactly.
* **Children who came and went**: a light child (one period of care, one or two episodes)
  for every child LAIT says ceased to be looked after in the LA in the window, so that
  periods of care starting and ending in each month add up to LAIT's annual
  ``LACnum_Start`` and ``LACceased`` for every year LAIT publishes for the LA, 2016-2025
  (years ending 31 March). Start dates are filled in backwards in time: each month's
  starts are drawn from the children in care at the end of that month, so the stock of
  children in care never goes negative and nobody starts before they were born.
  LAs created by a reorganisation (BCP, Dorset, the Northamptonshires, Cumberland,
  Westmorland and Furness) are matched for the years LAIT publishes under their code;
  abolished councils have no current children and are not generated.
* **Placements**: the 903 PLACE code of each current episode comes from its DfE placement
  group (``PLACEMENTS``). Children's home (K2) placements outside the LA go to LAs in
  proportion to Ofsted places by a doubly-constrained gravity model (origin totals from
  DfE's locality/distance counts, destination totals from Ofsted places, distance decay
  between LA centroids), each with the URN of a real home in that LA. Postcode sectors
  come from ``data.postcodes.sectors_of_la``.
* **Needs**: current children get needs assessments over the 11 needs categories from a
  correlated (multivariate probit) model whose prevalences depend on placement and age:
  about 4 co-occurring needs for children in children's homes, under 2 in foster care,
  with exploitation, going missing and substance misuse strongly linked.
* **Fees**: every current episode in a paid placement gets a weekly fee drawn around its
  region's S251 2024-25 residential or fostering unit cost (LAIT ``RescareFinance`` /
  ``FosteringFinance``), split into core, extra staffing, education and therapy, with
  a declared surplus / reinvestment % (private providers higher).

Everything is deterministic given the seed: each LA and stage draws from its own
``numpy`` Generator seeded by (seed, LA, stage), so one LA's rows do not depend on
which other LAs are generated.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from sqlalchemy import Engine, delete, insert, select
from tqdm import tqdm

from analysis.disclosure import SYNTHETIC_LABEL
from data import queries
from data import schema as s
from data.errors import UserInputError
from data.sources import ENGLAND

YEAR = 2025
REF_DAY = np.datetime64("2025-03-31")
REF_MONTH = np.datetime64("2025-03", "M").astype(int)  # months since 1970-01
FIRST_FLOW_YEAR = 2016
IMPORTED_BY = "python -m data synth"
__all__ = ["SYNTHETIC_LABEL", "generate", "load_calibration", "run", "write", "present"]

# Stage numbers for the per-LA random streams.
STAGE_ATTRIBUTES, STAGE_FLOWS, STAGE_EPISODES, STAGE_PLACES, STAGE_NEEDS, STAGE_FEES = range(6)

# --- DfE breakdowns the current cohort is calibrated to ---------------------------------

AGE_GROUP = "Age group"
AGE_BANDS = ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years",
             "16 years and over"]
AGE_LIMITS = np.array([[0, 0], [1, 4], [5, 9], [10, 15], [16, 17]])
SEX_GROUP = "Sex"
SEXES = ["Male", "Female"]  # 903 SEX 1, 2
UASC_GROUP = "Unaccompanied asylum-seeking children"
UASC_STATUS = ["Non-UASC", "UASC"]
PLACEMENT_GROUP = "Placement"
PLACEMENT_GROUPS = [
    "Foster placements",
    "Secure homes and children's homes",
    "Other residential settings",
    "Residential schools",
    "Placed with parents or other person with parental responsibility",
    "Independent and semi-independent living arrangements/supported accommodation",
    "Placed for adoption",
    "Other placements",
]
FOSTER, HOMES, OTHER_RES, RES_SCHOOL, PARENTS, INDEPENDENT, ADOPTION, OTHER = range(8)
DISTANCE_GROUP = "Distance between home and placement and locality of placement"
DISTANCE_BANDS = [
    "1. Placed inside the LA boundary, 20 miles or less from home",
    "2. Placed outside the LA boundary, 20 miles or less from home",
    "3. Placed inside the LA boundary, more than 20 miles from home",
    "4. Placed outside the LA boundary, more than 20 miles from home",
    "5. Placed inside the LA boundary, distance not known or not recorded",
    "6. Placed outside the LA boundary, distance not known or not recorded",
]
DISTANCE_INSIDE = np.array([True, False, True, False, True, False])
DISTANCE_BAND = np.array([0, 0, 1, 1, 2, 2])  # 0: <= 20 miles, 1: > 20 miles, 2: not known
LEGAL_GROUP = "Legal status"
LEGAL_GROUPS = ["Full care order", "Interim care order", "Placement order granted",
                "Voluntary agreements under S20 CA 1989", "Detained for child protection",
                "Youth justice legal statuses"]
LEGAL_CODES = [["C2"], ["C1"], ["E1"], ["V2"], ["L1", "L2", "L3"], ["J1", "J2", "J3"]]
LEGAL_CODE_WEIGHTS = [[1.0], [1.0], [1.0], [1.0], [0.5, 0.45, 0.05], [0.2, 0.6, 0.2]]
NEED_GROUP = "Category of need"
NEED_GROUPS = ["N1. Abuse or neglect", "N2. Child's disability",
               "N3. Parental illness or disability", "N4. Family in acute stress",
               "N5. Family dysfunction", "N6. Socially unacceptable behaviour",
               "N7. Low income", "N8. Absent parenting"]
ETHNICITY_GROUP = "Ethnicity"
ETHNIC_GROUPS = ["White", "Mixed or Multiple ethnic groups", "Asian or Asian British",
                 "Black, African, Caribbean or Black British", "Other ethnic group",
                 "Refused or information not yet available"]
#: 903 ETHNIC codes within each DfE group: (codes, weights if not UASC, weights if UASC).
ETHNIC_CODES = [
    (["WBRI", "WIRI", "WIRT", "WOTH", "WROM"], [0.86, 0.01, 0.015, 0.1, 0.015],
     [0.1, 0.0, 0.0, 0.9, 0.0]),
    (["MWBC", "MWBA", "MWAS", "MOTH"], [0.4, 0.15, 0.15, 0.3], [0.1, 0.3, 0.2, 0.4]),
    (["AIND", "APKN", "ABAN", "CHNE", "AOTH"], [0.2, 0.3, 0.2, 0.05, 0.25],
     [0.01, 0.04, 0.01, 0.01, 0.93]),
    (["BCRB", "BAFR", "BOTH"], [0.3, 0.55, 0.15], [0.0, 0.95, 0.05]),
    (["OOTH"], [1.0], [1.0]),
    (["REFU", "NOBT"], [0.3, 0.7], [0.2, 0.8]),
]
CALIBRATED = {AGE_GROUP: AGE_BANDS, SEX_GROUP: SEXES, UASC_GROUP: UASC_STATUS,
              PLACEMENT_GROUP: PLACEMENT_GROUPS, DISTANCE_GROUP: DISTANCE_BANDS,
              LEGAL_GROUP: LEGAL_GROUPS, NEED_GROUP: NEED_GROUPS,
              ETHNICITY_GROUP: ETHNIC_GROUPS}

#: The one mapping from DfE placement groups to SSDA903 PLACE codes, with the share of
#: each code within its group and the fee basis used for ``placement_fee`` (None: no fee).
PLACEMENTS = pd.DataFrame([
    # group, PLACE, weight, fee basis, fee multiple
    (FOSTER, "U1", 0.10, "fostering", 0.75),
    (FOSTER, "U2", 0.01, "fostering", 0.8),
    (FOSTER, "U3", 0.13, "fostering", 0.75),
    (FOSTER, "U4", 0.30, "fostering", 1.05),
    (FOSTER, "U5", 0.01, "fostering", 1.0),
    (FOSTER, "U6", 0.45, "fostering", 1.05),
    (HOMES, "K1", 0.0, "residential", 1.6),  # secure: chosen separately (few, outside LA)
    (HOMES, "K2", 1.0, "residential", 1.0),
    (OTHER_RES, "R1", 0.25, "residential", 0.8),
    (OTHER_RES, "R2", 0.15, "residential", 0.9),
    (OTHER_RES, "R3", 0.30, "residential", 0.6),
    (OTHER_RES, "R5", 0.30, None, 0.0),
    (RES_SCHOOL, "S1", 1.0, "residential", 0.9),
    (PARENTS, "P1", 1.0, None, 0.0),
    (INDEPENDENT, "H5", 0.60, "residential", 0.25),
    (INDEPENDENT, "P2", 0.38, "residential", 0.2),
    (INDEPENDENT, "P3", 0.02, "residential", 0.15),
    (ADOPTION, "A3", 0.05, None, 0.0),
    (ADOPTION, "A4", 0.10, None, 0.0),
    (ADOPTION, "A5", 0.25, None, 0.0),
    (ADOPTION, "A6", 0.60, None, 0.0),
    (OTHER, "Z1", 1.0, None, 0.0),
], columns=["group", "place", "weight", "fee_basis", "fee_multiple"])
PLACE_GROUP = dict(zip(PLACEMENTS["place"], PLACEMENTS["group"]))

#: Who provides each kind of placement (903 PLACE_PROVIDER PR0-PR5), for placements whose
#: provider is not read from an Ofsted home.
PROVIDERS = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
PROVIDER_WEIGHTS = {
    FOSTER: [0, 0.55, 0.02, 0, 0.35, 0.08], OTHER_RES: [0, 0.1, 0.05, 0.35, 0.4, 0.1],
    RES_SCHOOL: [0, 0.1, 0.1, 0, 0.4, 0.4], PARENTS: [1, 0, 0, 0, 0, 0],
    INDEPENDENT: [0, 0.2, 0.05, 0, 0.55, 0.2], ADOPTION: [0, 0.6, 0.2, 0, 0, 0.2],
    OTHER: [0, 0.4, 0.1, 0.1, 0.3, 0.1], HOMES: [0, 0.15, 0.05, 0, 0.72, 0.08],
}
PROVIDER_SECTOR = {"PR0": None, "PR1": "Local Authority", "PR2": "Local Authority",
                   "PR3": "Health Authority", "PR4": "Private", "PR5": "Voluntary"}
SECTOR_PROVIDER = {"Local Authority": "PR1", "Private": "PR4", "Voluntary": "PR5",
                   "Health Authority": "PR3"}

# --- needs (regional needs analyses' 11 categories) -------------------------------------

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

# --- flows ------------------------------------------------------------------------------

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


# --- small calibration tools ------------------------------------------------------------

def largest_remainder(total: int, weights) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that add up to ``total`` exactly.

    Hamilton's method (floors, then one each to the largest remainders) is used wherever a
    published total is shared out, so totals are preserved exactly, never approximately.
    """
    weights = np.clip(np.asarray(weights, dtype=float), 0, None)
    if total <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=int)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(int)
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:total - base.sum()]] += 1
    return base


def complete_breakdown(numbers: pd.Series, symbols: pd.Series, total: int,
                       prior: np.ndarray) -> np.ndarray:
    """A published breakdown with its suppressed cells filled so it adds up to ``total``.

    Published numbers are kept. The residual (total less the published cells) is shared
    among cells DfE shows as 'c' (or 'x'/'low'): one each first, since 'c' hides a count
    of at least one, then in proportion to England's ``prior``. 'z' (not applicable) is 0.
    """
    known = numbers.to_numpy(dtype=float, na_value=np.nan)
    hidden = np.isnan(known) & ~symbols.fillna("").eq("z").to_numpy()
    out = np.where(np.isnan(known), 0, known).astype(int)
    residual = int(total - out.sum())
    if residual < 0:  # should not happen: published cells exceed the total
        return largest_remainder(total, out)
    if not hidden.any():
        return out + largest_remainder(residual, out if out.sum() else prior)
    cells = np.flatnonzero(hidden)
    ones = min(residual, len(cells))
    first = np.zeros(len(cells), dtype=int)
    first[np.argsort(-prior[cells], kind="stable")[:ones]] = 1
    out[cells] += first + largest_remainder(residual - ones, prior[cells])
    return out


def fit_table(row_totals: np.ndarray, col_totals: np.ndarray, weights: np.ndarray,
              iterations: int = 500, allowed: np.ndarray | None = None) -> np.ndarray:
    """An integer table with exactly these row and column totals, shaped like ``weights``.

    Iterative proportional fitting gives the table closest to ``weights`` (odds of each
    combination) with both margins; controlled rounding then keeps both margins exact,
    so every published count survives the combination of two breakdowns. Cells outside
    ``allowed`` (if given) stay empty.
    """
    rows = np.asarray(row_totals, dtype=float)
    cols = np.asarray(col_totals, dtype=float)
    table = np.where(weights > 0, weights, 1e-9) * (rows[:, None] > 0) * (cols[None, :] > 0)
    if allowed is not None:  # structural zeros: cells that must stay empty
        table = table * allowed
    for _ in range(iterations):
        sums = table.sum(1)
        table *= np.divide(rows, sums, out=np.zeros_like(rows), where=sums > 0)[:, None]
        sums = table.sum(0)
        table *= np.divide(cols, sums, out=np.zeros_like(cols), where=sums > 0)[None, :]
        if np.abs(table.sum(1) - rows).max() < 1e-6:
            break
    return round_table(table, np.asarray(row_totals, int), np.asarray(col_totals, int))


ROUNDING_TIERS = (0.05, 0.005, 1e-9)


def round_table(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Round a fractional table to integers keeping both margins exact (controlled rounding).

    Each cell is rounded down or up. The cells to round up are chosen largest fraction
    first, then completed by augmenting paths through ever less likely cells (a bipartite
    matching on the fractional cells, which always exists when the margins are whole
    numbers), so an unlikely cell is never filled just because a greedy pass ran out of
    room. Only if the fitting had not converged does a leftover unit go to the likeliest
    cell whose row and column still fall short.
    """
    base = np.floor(table + 1e-9).astype(int)
    base = np.minimum(base, rows[:, None], out=base)
    row_short = rows - base.sum(1)
    col_short = cols - base.sum(0)
    if row_short.min() < 0 or col_short.min() < 0:  # float noise above a margin
        base = np.floor(table - 1e-6).clip(0).astype(int)
        row_short, col_short = rows - base.sum(1), cols - base.sum(0)
    fraction = table - base
    up = np.zeros(table.shape, dtype=bool)
    for flat in np.argsort(-fraction, axis=None, kind="stable"):
        if not row_short.any() or fraction.flat[flat] <= 0.05:
            break
        i, j = divmod(int(flat), table.shape[1])
        if row_short[i] > 0 and col_short[j] > 0:
            up[i, j] = True
            row_short[i] -= 1
            col_short[j] -= 1
    for floor in ROUNDING_TIERS:  # likely cells first; unlikely ones only if unavoidable
        eligible = fraction > floor
        while row_short.any() and augment(eligible, up, row_short, col_short):
            pass
    base += up
    while row_short.any():
        short = np.ix_(row_short > 0, col_short > 0)
        sub = table[short]
        i, j = np.unravel_index(np.argmax(sub), sub.shape)
        i, j = np.flatnonzero(row_short > 0)[i], np.flatnonzero(col_short > 0)[j]
        base[i, j] += 1
        row_short[i] -= 1
        col_short[j] -= 1
    return base


def augment(eligible: np.ndarray, up: np.ndarray, row_short: np.ndarray,
            col_short: np.ndarray) -> bool:
    """Find one augmenting path (short row -> ... -> short column) alternating between
    cells to round up and cells already rounded up, and apply it. False if none exists."""
    came_from: dict[tuple[str, int], tuple[str, int] | None] = {}
    frontier = [("r", int(i)) for i in np.flatnonzero(row_short > 0)]
    for node in frontier:
        came_from[node] = None
    while frontier:
        following = []
        for kind, k in frontier:
            if kind == "r":
                steps = [("c", int(j)) for j in np.flatnonzero(eligible[k] & ~up[k])]
            else:
                steps = [("r", int(i)) for i in np.flatnonzero(up[:, k])]
            for step in steps:
                if step in came_from:
                    continue
                came_from[step] = (kind, k)
                if step[0] == "c" and col_short[step[1]] > 0:
                    flip_path(came_from, step, up, row_short, col_short)
                    return True
                following.append(step)
        frontier = following
    return False


def flip_path(came_from: dict, end: tuple[str, int], up: np.ndarray,
              row_short: np.ndarray, col_short: np.ndarray) -> None:
    """Apply an augmenting path: cells entered from a row are rounded up, cells entered
    from a column are rounded down, so only the path's two ends change their margins."""
    col_short[end[1]] -= 1
    node = end
    while came_from[node] is not None:
        previous = came_from[node]
        if node[0] == "c":
            up[previous[1], node[1]] = True
        else:
            up[node[1], previous[1]] = False
        node = previous
    row_short[node[1]] -= 1


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


def la_number(la_code: str) -> int:
    """The digits of a GSS code, to key an LA's random stream."""
    return int(la_code[1:])


def stream(seed: int, la_code: str, stage: int) -> np.random.Generator:
    """The random stream of one LA and stage: independent of the other LAs generated."""
    return np.random.default_rng([seed, la_number(la_code), stage])


def weighted_sample(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability ~ weights
    (Efraimidis-Spirakis keys, vectorised)."""
    if k <= 0:
        return np.zeros(0, dtype=int)
    if k >= len(weights):
        return np.arange(len(weights))
    keys = np.log(rng.random(len(weights))) / np.maximum(weights, 1e-300)
    return np.argpartition(-keys, k - 1)[:k]


def months_to_days(months: np.ndarray, rng: np.random.Generator,
                   low: np.ndarray | None = None) -> np.ndarray:
    """A random day (datetime64[D]) within each month, on or after ``low`` if given."""
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    last = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    if low is not None:
        first = np.maximum(first, low)
    span = (last - first).astype(int)
    return first + np.floor(rng.random(len(months)) * (span + 1)).astype(int)


# --- what the generator is calibrated to ------------------------------------------------

@dataclass
class Calibration:
    """The published figures the cohort is fitted to, read once from the store."""

    counts: pd.Series  # DfE children looked after at 31 March 2025, by LA
    skipped: list[str]  # current LAs with no published 2025 count (none generated)
    targets: dict[str, pd.DataFrame]  # cla_group -> LA x characteristic, whole numbers
    starts: pd.DataFrame  # LAIT LACnum_Start, LA x year
    ceased: pd.DataFrame  # LAIT LACceased, LA x year
    homes: pd.DataFrame  # Ofsted homes with a current LA code
    region_of: pd.Series  # LA -> region code
    unit_costs: pd.DataFrame  # region -> residential, fostering (S251 2024-25, GBP/week)
    miles: pd.DataFrame  # LA x LA distance between centroids
    population: pd.Series  # children 0-17, mid-2024, by LA

    @property
    def las(self) -> list[str]:
        """The LAs the cohort covers, in code order."""
        return sorted(self.counts.index)


def load_calibration(engine: Engine) -> Calibration:
    """Read every published figure the generator needs from the store."""
    las = queries.all_local_authorities(engine)
    current = las[las["is_current"].astype(bool)]
    counts = queries.cla_counts(engine)
    counts = counts[(counts["level"] == "la") & (counts["year"] == YEAR)]
    counts = counts[counts["area_code"].isin(current["code"])].set_index("area_code")
    published = counts["children"].dropna().astype(int)
    published = published[published > 0]
    skipped = sorted(set(current["code"]) - set(published.index))
    targets = {group: characteristic_targets(engine, group, labels, published)
               for group, labels in CALIBRATED.items() if group != DISTANCE_GROUP}
    targets[DISTANCE_GROUP] = distance_targets(engine, published)
    miles = centroid_miles(engine, sorted(current["code"]))
    population = queries.population(engine)
    population = population[(population["level"] == "la") & (population["mid_year"] == YEAR - 1)]
    return Calibration(
        counts=published, skipped=skipped, targets=targets,
        starts=lait_table(engine, "LACnum_Start"), ceased=lait_table(engine, "LACceased"),
        homes=current_homes(engine, las, population),
        region_of=las.set_index("code")["region_code"],
        unit_costs=unit_costs(engine), miles=miles,
        population=population.set_index("area_code")["population_0_17"].astype(float)
        .reindex(miles.index).fillna(1.0))


def characteristic_targets(engine: Engine, group: str, labels: list[str],
                           counts: pd.Series) -> pd.DataFrame:
    """Whole-number targets per LA for one DfE breakdown at 31 March 2025, adding up to
    the LA's count, with suppressed cells filled (see ``complete_breakdown``)."""
    table = queries.characteristic(engine, group)
    table = table[table["year"] == YEAR]
    england = table[table["level"] == "england"].set_index("characteristic")["number"]
    prior = england.reindex(labels).astype(float).fillna(1.0).to_numpy() + 1.0
    la = table[table["level"] == "la"].set_index(["area_code", "characteristic"])
    rows = {}
    for code, total in counts.items():
        if code in la.index.get_level_values(0):
            cells = la.loc[code].reindex(labels)
            numbers, symbols = cells["number"], cells["number_symbol"]
        else:  # no breakdown published: share the total by England's mix
            numbers = pd.Series([np.nan] * len(labels))
            symbols = pd.Series(["c"] * len(labels))
        rows[code] = complete_breakdown(numbers, symbols, int(total), prior)
    return pd.DataFrame.from_dict(rows, orient="index", columns=labels)


LOCALITY_GROUP = "Locality of placement"
LOCALITIES = ["Placed inside the local authority boundary",
              "Placed outside the local authority boundary"]
BAND_GROUP = "Distance between home and placement"
BANDS = ["Placed 20 miles or less from home", "Placed more than 20 miles from home",
         "Distance not known or not recorded"]


def published_cells(engine: Engine, group: str, labels: list[str]) -> pd.DataFrame:
    """DfE's 2025 LA numbers for one breakdown as LA x characteristic (NaN: suppressed)."""
    table = queries.characteristic(engine, group)
    table = table[(table["year"] == YEAR) & (table["level"] == "la")]
    wide = table.pivot(index="area_code", columns="characteristic", values="number")
    return wide.reindex(columns=labels).astype(float)


def distance_targets(engine: Engine, counts: pd.Series) -> pd.DataFrame:
    """Targets for the six locality x distance cells that also reproduce DfE's separate
    inside/outside and distance-band counts wherever those are published.

    The six cells are a 2 x 3 table whose margins DfE also publishes (each possibly
    suppressed); hidden cells are filled from the residuals of the published margins
    (``fill_two_way``), so a filled cell never contradicts a published number.
    """
    table = queries.characteristic(engine, DISTANCE_GROUP)
    table = table[table["year"] == YEAR]
    england = table[table["level"] == "england"].set_index("characteristic")["number"]
    order = [0, 2, 4, 1, 3, 5]  # DISTANCE_BANDS as a 2 x 3 table: inside, outside
    prior = (england.reindex(DISTANCE_BANDS).astype(float).fillna(1.0).to_numpy() + 1.0)
    prior = prior[order].reshape(2, 3)
    cells = published_cells(engine, DISTANCE_GROUP, DISTANCE_BANDS)
    rows = published_cells(engine, LOCALITY_GROUP, LOCALITIES)
    cols = published_cells(engine, BAND_GROUP, BANDS)
    out = {}
    for code, total in counts.items():
        grid = cells.reindex([code]).to_numpy()[0][order].reshape(2, 3)
        filled = fill_two_way(grid, rows.reindex([code]).to_numpy()[0],
                              cols.reindex([code]).to_numpy()[0], int(total), prior)
        out[code] = filled.ravel()[np.argsort(order)]
    return pd.DataFrame.from_dict(out, orient="index", columns=DISTANCE_BANDS)


def fill_two_way(grid: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray,
                 total: int, prior: np.ndarray) -> np.ndarray:
    """Fill the hidden (NaN) cells of a small integer table, keeping every published cell
    and meeting every published margin (NaN margins are unknown) and the grand total.

    A margin missing on one side of a two-way split is the total less the other. Hidden
    cells then take the residuals: of both margins by fitting (IPF and controlled
    rounding restricted to the hidden cells), of the one margin that is known, or of the
    grand total, in proportion to England's mix.
    """
    hidden = np.isnan(grid)
    known = np.where(hidden, 0, grid).astype(int)
    row_totals = complete_pair(row_totals, total)
    col_totals = complete_pair(col_totals, total) if len(col_totals) == 2 else col_totals
    if np.isnan(col_totals).sum() == 1:
        col_totals = np.where(np.isnan(col_totals), total - np.nansum(col_totals), col_totals)
    rows_known, cols_known = ~np.isnan(row_totals).any(), ~np.isnan(col_totals).any()
    row_rest = np.nan_to_num(row_totals) - known.sum(1)
    col_rest = np.nan_to_num(col_totals) - known.sum(0)
    weights = np.where(hidden, prior, 0.0)
    filled = known.copy()
    if rows_known and cols_known and row_rest.min() >= 0 and col_rest.min() >= 0:
        filled += fit_table(row_rest.astype(int), col_rest.astype(int), prior, allowed=hidden)
    elif cols_known and col_rest.min() >= 0:
        for j in range(grid.shape[1]):
            filled[:, j] += largest_remainder(int(col_rest[j]), weights[:, j] + hidden[:, j] * 1e-9)
    elif rows_known and row_rest.min() >= 0:
        for i in range(grid.shape[0]):
            filled[i] += largest_remainder(int(row_rest[i]), weights[i] + hidden[i] * 1e-9)
    else:
        rest = largest_remainder(total - known.sum(), (weights + hidden * 1e-9).ravel())
        filled += rest.reshape(grid.shape)
    return filled


def complete_pair(values: np.ndarray, total: int) -> np.ndarray:
    """A two-way split with one side suppressed: that side is the total less the other."""
    values = np.asarray(values, dtype=float)
    if len(values) == 2 and np.isnan(values).sum() == 1:
        values = np.where(np.isnan(values), total - np.nansum(values), values)
    return values


def lait_table(engine: Engine, measure: str) -> pd.DataFrame:
    """A LAIT count as an LA x year table (years ending 31 March; NaN where unpublished)."""
    lait = queries.lait(engine, measure)
    lait = lait[lait["level"] == "la"]
    return lait.pivot(index="area_code", columns="year", values="value")


def current_homes(engine: Engine, las: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Ofsted homes (2023) that take placements, filed under a current LA: homes offering
    only short breaks are left out, since children living in a home are what K2 counts.

    Homes Ofsted files under a council abolished since (Cumbria) are shared between its
    successors by their child population. This apportioning is for synthetic placements
    only; published figures are never apportioned (see analysis.geography).
    """
    h = s.ChildrensHome
    homes = queries.frame(engine, select(h.urn, h.la_code, h.provision_type, h.sector,
                                         h.places).where(h.short_break_only.is_(False)))
    changes = queries.code_changes(engine)
    current = set(las.loc[las["is_current"].astype(bool), "code"])
    pop = population.set_index("area_code")["population_0_17"].astype(float)
    homes = homes.sort_values("urn").reset_index(drop=True)
    for old, group in homes[~homes["la_code"].isin(current)].groupby("la_code"):
        successors = sorted(set(changes.loc[changes["old_code"] == old, "new_code"]) & current)
        if not successors:
            continue
        shares = largest_remainder(len(group), pop.reindex(successors).fillna(1.0))
        homes.loc[group.index, "la_code"] = np.repeat(successors, shares)
    homes = homes[homes["la_code"].isin(current) & (homes["places"] > 0)]
    return homes.reset_index(drop=True)


def unit_costs(engine: Engine) -> pd.DataFrame:
    """S251 2024-25 weekly unit costs by region (England where a region has none)."""
    out = {}
    for name, measure in (("residential", "RescareFinance"), ("fostering", "FosteringFinance")):
        lait = queries.lait(engine, measure)
        lait = lait[(lait["year"] == YEAR) & lait["level"].isin(["region", "england"])]
        out[name] = lait.set_index("area_code")["value"]
    table = pd.DataFrame(out)
    return table.fillna(table.loc[ENGLAND]) if ENGLAND in table.index else table


def centroid_miles(engine: Engine, codes: list[str]) -> pd.DataFrame:
    """Miles between LA centroids (ONS December 2023 boundaries), for placement distances."""
    boundaries = queries.frame(engine, select(s.Boundary.code, s.Boundary.geometry)
                               .where(s.Boundary.level == "la"))
    centres = {row.code: polygon_centroid(json.loads(row.geometry))
               for row in boundaries.itertuples()}
    fallback = np.nanmean(np.array(list(centres.values())), axis=0)
    xy = np.array([centres.get(code, fallback) for code in codes])
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return pd.DataFrame(3958.8 * 2 * np.arcsin(np.sqrt(a)), index=codes, columns=codes)


def polygon_centroid(geometry: dict) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of a GeoJSON (Multi)Polygon's outer rings."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    area = cx = cy = 0.0
    for polygon in polygons:
        ring = np.asarray(polygon[0], dtype=float)
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area += cross.sum() / 2
        cx += ((x[:-1] + x[1:]) * cross).sum() / 6
        cy += ((y[:-1] + y[1:]) * cross).sum() / 6
    if abs(area) < 1e-12:
        ring = np.asarray(polygons[0][0], dtype=float)
        return float(ring[:, 0].mean()), float(ring[:, 1].mean())
    return cx / area, cy / area


# --- weights: which combinations of characteristics are likely --------------------------

EPS = 1e-5
#: Odds of UASC by age band (UASC are almost all adolescents).
UASC_WEIGHTS = np.array([[1, EPS], [1, EPS], [1, 0.005], [1, 0.25], [1, 1.0]])
#: Odds of male / female by (age band, UASC): UASC are mostly boys.
SEX_WEIGHTS = np.array([[1.0, 1.0], [12.0, 1.0]] * 3 + [[1.15, 1.0], [12.0, 1.0]] * 2)
#: Odds of each DfE placement group by age band (columns in PLACEMENT_GROUPS order).
PLACEMENT_BY_AGE = np.array([
    [1.0, EPS, 0.8, EPS, 0.6, EPS, 1.0, 0.3],      # under 1
    [1.0, 0.005, 0.05, 0.002, 0.8, EPS, 1.5, 0.3],  # 1-4
    [1.0, 0.08, 0.03, 0.1, 0.8, EPS, 0.1, 0.3],     # 5-9
    [1.0, 1.0, 0.08, 1.0, 0.8, 0.005, 0.003, 0.4],  # 10-15
    [1.0, 0.9, 0.6, 0.8, 0.6, 1.0, EPS, 0.5],       # 16-17
])
PLACEMENT_UASC = np.array([1.0, 0.15, 0.2, 0.02, 0.001, 2.5, EPS, 0.5])
#: Odds of each locality/distance band (DISTANCE_BANDS order) by placement group.
DISTANCE_WEIGHTS = np.array([
    [1.0, 0.6, 0.2, 0.35, 0.1, 0.1],   # foster
    [0.4, 0.6, 0.3, 1.5, 0.2, 0.3],    # children's homes
    [0.5, 0.5, 0.2, 0.8, 0.3, 0.3],    # other residential
    [0.3, 0.5, 0.3, 1.2, 0.3, 0.3],    # residential schools
    [1.0, 0.5, 0.1, 0.2, 0.4, 0.3],    # placed with parents
    [1.0, 0.5, 0.2, 0.4, 0.3, 0.3],    # independent / supported
    [0.5, 0.5, 0.3, 1.0, 0.6, 0.6],    # placed for adoption
    [0.6, 0.4, 0.2, 0.4, 1.0, 1.0],    # other
])
ETHNIC_WEIGHTS = np.array([[1, 1, 1, 1, 1, 1], [0.03, 0.05, 3, 3, 6, 0.5]])
#: Single years of age within each DfE age band (relative weights).
AGE_YEAR_WEIGHTS = {0: [1.0], 1: [0.28, 0.26, 0.24, 0.22], 2: [1.0] * 5,
                    3: [0.12, 0.13, 0.15, 0.17, 0.20, 0.23], 4: [0.45, 0.55]}


def legal_weights() -> np.ndarray:
    """Odds of each legal status group by (placement group, age band, UASC): placement
    orders go with adoption and the very young, S20 with UASC and older teenagers, youth
    justice statuses with secure and custodial settings."""
    out = np.empty((8, 5, 2, 6))
    for group in range(8):
        for band in range(5):
            for uasc in range(2):
                w = np.array([1.0, 0.35, 0.001, 0.25, 0.01, 0.003])
                w[2] = {0: 0.25, 1: 0.25, 2: 0.05}.get(band, 0.001)
                if band == 0:
                    w[1] *= 3
                if band == 4:
                    w[3] *= 2.5
                    w[5] *= 3
                if group == ADOPTION:
                    w[2], w[0] = 40.0, 0.3
                if group == INDEPENDENT:
                    w[3] *= 2.5
                if group == PARENTS:
                    w[3] *= 0.1
                    w[1] *= 1.5
                if group in (HOMES, OTHER_RES) and band >= 3:
                    w[5] *= 5
                if uasc:
                    w = w * np.array([0.1, 0.05, 0.0, 40.0, 0.2, 0.5])
                out[group, band, uasc] = w
    return out.reshape(80, 6)


def need_group_weights() -> np.ndarray:
    """Odds of each DfE category of need by (placement group, age band, UASC): UASC are
    recorded under absent parenting, children in residential schools under disability."""
    out = np.empty((8, 5, 2, 8))
    for group in range(8):
        for band in range(5):
            for uasc in range(2):
                w = np.array([1.0, 0.04, 0.04, 0.1, 0.15, 0.02, 0.005, 0.08])
                if group == RES_SCHOOL:
                    w[1] *= 15
                if group == HOMES:
                    w[1] *= 2
                    w[5] *= 3
                if band >= 3:
                    w[5] *= 2
                    w[3] *= 1.5
                else:
                    w[5] *= 0.05
                if uasc:
                    w = w * np.array([0.02, 0.05, 0.05, 1.0, 0.05, 0.05, 0.5, 300.0])
                out[group, band, uasc] = w
    return out.reshape(80, 8)


LEGAL_WEIGHTS = legal_weights()
NEED_GROUP_WEIGHTS = need_group_weights()


# --- stage 1: the current cohort's characteristics --------------------------------------

def current_children(cal: Calibration, code: str, seed: int) -> pd.DataFrame:
    """The LA's children looked after at 31 March 2025, one row each, with every DfE
    breakdown reproduced exactly (see the module docstring)."""
    rng = stream(seed, code, STAGE_ATTRIBUTES)
    target = {group: cal.targets[group].loc[code].to_numpy() for group in CALIBRATED}
    band = rng.permutation(np.repeat(np.arange(5), target[AGE_GROUP]))
    uasc = assign(band, 5, target[UASC_GROUP], UASC_WEIGHTS, rng)
    kind = band * 2 + uasc
    sex = assign(kind, 10, target[SEX_GROUP], SEX_WEIGHTS, rng)
    placement_odds = np.repeat(PLACEMENT_BY_AGE, 2, axis=0) * \
        np.where(np.arange(10)[:, None] % 2 == 1, PLACEMENT_UASC, 1.0)
    group = assign(kind, 10, target[PLACEMENT_GROUP], placement_odds, rng)
    distance_odds = DISTANCE_WEIGHTS.copy()
    if not (cal.homes["la_code"] == code).any():  # nowhere inside the LA to place in a home
        distance_odds[HOMES, DISTANCE_INSIDE] *= EPS
    distance = assign(group, 8, target[DISTANCE_GROUP], distance_odds, rng)
    full = (group * 5 + band) * 2 + uasc
    legal = assign(full, 80, target[LEGAL_GROUP], LEGAL_WEIGHTS, rng)
    need = assign(full, 80, target[NEED_GROUP], NEED_GROUP_WEIGHTS, rng)
    ethnic = assign(uasc, 2, target[ETHNICITY_GROUP], ETHNIC_WEIGHTS, rng)
    age = single_years(band, uasc, rng)
    return pd.DataFrame({
        "la": code, "age_band": band, "age": age, "dob": birth_dates(age, rng),
        "uasc": uasc.astype(bool), "sex": np.where(sex == 0, "1", "2"),
        "group": group, "distance": distance, "legal": legal, "cin": need,
        "ethnic_group": ethnic, "ethnic": ethnic_codes(ethnic, uasc.astype(bool), rng),
        "place": place_codes(group, age, distance, rng),
        "ls": legal_codes(legal, rng), "cin_code": np.array([f"N{k + 1}" for k in range(8)])[need],
    })


def place_codes(group: np.ndarray, age: np.ndarray, distance: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """The 903 PLACE code of each current placement within its DfE placement group
    (``PLACEMENTS``), with the age limits of a few codes: fostering-for-adoption only for
    under-5s, mother-and-baby units for babies and teenage mothers, custody from 10, and
    secure children's homes (K1) for a few adolescents placed outside the LA."""
    out = np.empty(len(group), dtype=object)
    for g, rows in PLACEMENTS.groupby("group"):
        at = np.flatnonzero(group == g)
        if not len(at):
            continue
        codes = rows["place"].tolist()
        weights = np.tile(rows["weight"].to_numpy(dtype=float), (len(at), 1))
        years = age[at][:, None]
        code_ix = {code: k for k, code in enumerate(codes)}
        for code, allowed in (("U2", years < 5), ("U5", years < 5),
                              ("R3", (years < 1) | (years >= 16)), ("R5", years >= 10),
                              ("R1", years >= 1)):
            if code in code_ix:
                weights[:, code_ix[code]] *= np.where(allowed[:, 0], 1.0, 0.0)
        if "R3" in code_ix:
            weights[:, code_ix["R3"]] *= np.where(years[:, 0] < 1, 20.0, 1.0)
        weights[weights.sum(1) == 0] = rows["weight"].to_numpy(dtype=float) + 1e-9
        cumulative = np.cumsum(weights, axis=1) / weights.sum(1, keepdims=True)
        choice = (rng.random(len(at))[:, None] > cumulative).sum(1)
        out[at] = np.asarray(codes, dtype=object)[np.minimum(choice, len(codes) - 1)]
    secure = (group == HOMES) & ~DISTANCE_INSIDE[distance] & (age >= 10) & \
        (rng.random(len(group)) < 0.03)
    out[secure] = "K1"
    return out


def legal_codes(legal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """903 LS codes within each DfE legal status group."""
    out = np.empty(len(legal), dtype=object)
    for g, (codes, weights) in enumerate(zip(LEGAL_CODES, LEGAL_CODE_WEIGHTS)):
        at = np.flatnonzero(legal == g)
        out[at] = pick(codes, weights, len(at), rng)
    return out


def single_years(band: np.ndarray, uasc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Age in whole years at 31 March 2025 within each child's DfE age band."""
    age = np.empty(len(band), dtype=int)
    for b, weights in AGE_YEAR_WEIGHTS.items():
        rows = np.flatnonzero(band == b)
        w = np.asarray(weights, dtype=float)
        age[rows] = AGE_LIMITS[b, 0] + rng.choice(len(w), size=len(rows), p=w / w.sum())
    older = (band == 4) & (uasc == 1)  # UASC are mostly 17 (ages are assessed at arrival)
    age[older] = np.where(rng.random(older.sum()) < 0.7, 17, 16)
    return age


def birth_dates(age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A date of birth giving each child exactly ``age`` on 31 March 2025."""
    april = (np.datetime64("2025-04", "M") - 12 * age).astype("datetime64[D]")
    return april - 1 - rng.integers(0, 365, size=len(age))


def ethnic_codes(groups: np.ndarray, uasc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """903 ETHNIC codes within each child's DfE ethnic group."""
    out = np.empty(len(groups), dtype=object)
    for g, (codes, weights, uasc_weights) in enumerate(ETHNIC_CODES):
        for flag, w in ((False, weights), (True, uasc_weights)):
            rows = np.flatnonzero((groups == g) & (uasc == flag))
            out[rows] = pick(codes, w, len(rows), rng)
    return out


# --- placement places: which LA, which home, how far -----------------------------------

@dataclass
class Geography:
    """Where placements can go: LA order, distance kernels and homes by LA."""

    codes: list[str]
    index: dict[str, int]
    miles: np.ndarray
    near: np.ndarray  # outside the LA, within about 20 miles
    far: np.ndarray  # outside the LA, more than 20 miles
    unknown: np.ndarray  # outside the LA, distance not recorded
    places: np.ndarray  # Ofsted children's home places by LA
    secure_places: np.ndarray  # Ofsted secure children's home places by LA
    population: np.ndarray
    homes: pd.DataFrame
    k2_flows: np.ndarray | None = None  # band x origin x destination probabilities

    def kernel(self, band: int) -> np.ndarray:
        """Distance decay for placements outside the LA in distance band ``band``."""
        return (self.near, self.far, self.unknown)[band]


def geography(cal: Calibration) -> Geography:
    """Distance kernels between LA centroids: near placements (outside the LA, within 20
    miles) go to neighbours; far ones decay slowly with distance, so most stay in region."""
    codes = list(cal.miles.index)
    miles = cal.miles.to_numpy()
    off = ~np.eye(len(codes), dtype=bool)
    near = np.where(off & (miles <= 35), np.exp(-miles / 10), 0.0)
    nearest = np.argsort(np.where(off, miles, np.inf), axis=1)[:, :3]
    rows = np.arange(len(codes))[:, None]
    near[rows, nearest] = np.maximum(near[rows, nearest], np.exp(-miles[rows, nearest] / 10))
    far = np.where(off & (miles > 12), np.exp(-miles / 80), 0.0)
    unknown = np.where(off, np.exp(-miles / 50), 0.0)
    homes = cal.homes[cal.homes["provision_type"] == "Children's home"]
    places = homes.groupby("la_code")["places"].sum().reindex(codes).fillna(0).to_numpy()
    secure = cal.homes[cal.homes["provision_type"] == "Secure children's home"]
    secure = secure.groupby("la_code")["places"].sum().reindex(codes).fillna(0).to_numpy()
    return Geography(codes, {c: i for i, c in enumerate(codes)}, miles, near, far, unknown,
                     places, secure, cal.population.reindex(codes).fillna(1.0).to_numpy(),
                     cal.homes)


def k2_flows(geo: Geography, current: pd.DataFrame) -> np.ndarray:
    """Where children's home placements outside the LA go: a doubly-constrained gravity
    model whose origin totals are each LA's K2 children outside it (by distance band) and
    whose destination totals make every LA's K2 placements (its own children placed
    inside plus those arriving) proportional to its Ofsted places.

    Returns probabilities band x origin x destination.
    """
    homes = current[current["place"] == "K2"]
    n = len(geo.codes)
    origin = homes["la"].map(geo.index).to_numpy()
    inside = DISTANCE_INSIDE[homes["distance"].to_numpy()]
    band = DISTANCE_BAND[homes["distance"].to_numpy()]
    totals = np.zeros((3, n))
    np.add.at(totals, (band[~inside], origin[~inside]), 1)
    own = np.bincount(origin[inside], minlength=n)
    share = geo.places / geo.places.sum()
    arriving = np.clip(share * len(homes) - own, 0, None)
    arriving *= totals.sum() / arriving.sum()
    kernels = np.stack([geo.kernel(b) for b in range(3)]) * (geo.places > 0)[None, None, :]
    flows = kernels * totals[:, :, None]
    for _ in range(300):
        flows *= np.divide(arriving, flows.sum((0, 1)), out=np.zeros(n),
                           where=flows.sum((0, 1)) > 0)[None, None, :]
        sums = flows.sum(2)
        flows *= np.divide(totals, sums, out=np.zeros_like(totals), where=sums > 0)[:, :, None]
    sums = flows.sum(2, keepdims=True)
    fallback = kernels / np.maximum(kernels.sum(2, keepdims=True), 1e-300)
    return np.where(sums > 0, flows / np.where(sums > 0, sums, 1), fallback)


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


def homes_in(geo: Geography, la: np.ndarray, provision: str, rng: np.random.Generator):
    """(URN, sector, places) of a home of the given provision type in each LA, chosen in
    proportion to places; None where the LA has no such home."""
    homes = geo.homes[geo.homes["provision_type"] == provision]
    homes = homes.assign(ix=homes["la_code"].map(geo.index)).sort_values(["ix", "urn"])
    cumulative = np.cumsum(homes["places"].to_numpy(dtype=float))
    ix = homes["ix"].to_numpy()
    first = np.searchsorted(ix, np.arange(len(geo.codes)), side="left")
    last = np.searchsorted(ix, np.arange(len(geo.codes)), side="right")
    below = np.concatenate([[0.0], cumulative])
    wanted = np.array([geo.index[code] for code in la], dtype=int)
    has = last[wanted] > first[wanted]
    low, high = below[first[wanted]], below[last[wanted]]
    at = np.searchsorted(cumulative, low + rng.random(len(la)) * (high - low), side="right")
    at = np.clip(at, first[wanted], np.maximum(last[wanted] - 1, first[wanted]))
    at = np.minimum(at, len(homes) - 1)
    urn = np.where(has, homes["urn"].to_numpy(dtype=object)[at], None)
    sector = np.where(has, homes["sector"].to_numpy(dtype=object)[at], None)
    places = np.where(has, homes["places"].to_numpy(dtype=float)[at], np.nan)
    return urn, sector, places


def distances(geo: Geography, origin: int, destination: np.ndarray, inside: np.ndarray,
              band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Miles from home to placement (1 d.p.) consistent with the locality and band: within
    the LA drawn from a gamma distribution, outside it from the distance between LA
    centroids, clipped to the band; NaN where the distance is not recorded."""
    n = len(band)
    centre = geo.miles[origin, destination] * rng.uniform(0.7, 1.2, n)
    near_inside = np.clip(rng.gamma(2.0, 2.5, n), 0.2, 20.0)
    far_inside = np.clip(20.1 + rng.exponential(10.0, n), 20.1, 80.0)
    miles = np.where(inside, np.where(band == 0, near_inside, far_inside),
                     np.where(band == 0, np.clip(centre, 1.0, 20.0), np.maximum(centre, 20.1)))
    miles = np.round(miles, 1)
    miles = np.where(band == 0, np.minimum(miles, 20.0), np.maximum(miles, 20.1))
    return np.where(band == 2, np.nan, miles)


# --- stage 2: periods of care that add up to LAIT's starts and ceased -------------------

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


# --- stage 3: episodes --------------------------------------------------------------------

#: Placements of earlier episodes (not calibrated) by age at the episode's start.
HISTORY_PLACEMENTS = {
    0: (["U6", "U3", "U5", "U4", "U1", "P1", "R3"], [0.5, 0.15, 0.05, 0.05, 0.1, 0.05, 0.1]),
    1: (["U6", "U3", "U4", "U1", "P1", "U5"], [0.5, 0.15, 0.1, 0.1, 0.1, 0.05]),
    2: (["U6", "U4", "U3", "U1", "P1", "K2"], [0.5, 0.15, 0.12, 0.1, 0.1, 0.03]),
    3: (["U6", "U4", "U3", "U1", "K2", "P1", "S1", "Z1"],
        [0.45, 0.12, 0.08, 0.05, 0.18, 0.07, 0.03, 0.02]),
    4: (["U6", "U4", "K2", "H5", "P2", "P1", "R5", "Z1"],
        [0.3, 0.08, 0.17, 0.25, 0.08, 0.05, 0.02, 0.05]),
}
#: Why children who left ceased (903 REC), by age at ceasing.
EXIT_REASONS = {
    "18": (["E17", "E5", "E6", "E8", "E4A", "E13", "E7"],
           [0.25, 0.30, 0.08, 0.20, 0.10, 0.05, 0.02]),
    "16-17": (["E4A", "E13", "E5", "E8", "E9", "E41", "E6", "E4B"],
              [0.32, 0.15, 0.12, 0.15, 0.05, 0.06, 0.05, 0.05]),
    "10-15": (["E4A", "E13", "E41", "E45", "E47", "E8", "E4B", "E9"],
              [0.45, 0.15, 0.10, 0.07, 0.08, 0.08, 0.05, 0.02]),
    "5-9": (["E4A", "E45", "E46", "E47", "E41", "E11", "E12", "E13", "E8"],
            [0.35, 0.1, 0.08, 0.12, 0.15, 0.05, 0.03, 0.1, 0.02]),
    "1-4": (["E11", "E12", "E45", "E46", "E47", "E48", "E4A", "E41"],
            [0.30, 0.15, 0.08, 0.07, 0.07, 0.03, 0.20, 0.10]),
    "0": (["E4A", "E41", "E45", "E47", "E11", "E8"], [0.45, 0.2, 0.07, 0.08, 0.05, 0.15]),
}
#: The last placement of a child who left, by why they left.
EXIT_PLACEMENTS = {
    "E11": (["A3", "A4", "A5", "A6"], [0.05, 0.1, 0.25, 0.6]),
    "E12": (["A5", "A6"], [0.3, 0.7]),
    "E17": (["U4", "U6", "U1"], [0.4, 0.4, 0.2]),
    "E5": (["H5", "P2"], [0.8, 0.2]), "E6": (["P2"], [1.0]), "E7": (["R1"], [1.0]),
    "E8": (["U6", "H5", "K2"], [0.5, 0.3, 0.2]), "E9": (["R5"], [1.0]),
    "E13": (["U6", "U3", "P1"], [0.6, 0.2, 0.2]), "E15": (["H5", "U6"], [0.7, 0.3]),
    "E4A": (["U6", "P1", "K2", "U3"], [0.5, 0.3, 0.1, 0.1]),
    "E4B": (["U6", "P1", "K2"], [0.5, 0.3, 0.2]),
    "E41": (["U3", "U1", "U6"], [0.5, 0.3, 0.2]), "E45": (["U3", "U1"], [0.6, 0.4]),
    "E46": (["U6", "U4"], [0.6, 0.4]), "E47": (["U3", "U1", "U6"], [0.5, 0.3, 0.2]),
    "E48": (["U6", "U4"], [0.6, 0.4]),
}
#: Chance an uncalibrated placement is inside the LA, by DfE placement group.
INSIDE_SHARE = {FOSTER: 0.6, HOMES: 0.35, OTHER_RES: 0.4, RES_SCHOOL: 0.3, PARENTS: 0.85,
                INDEPENDENT: 0.6, ADOPTION: 0.4, OTHER: 0.5}
PLACE_CHANGE_REASONS = (["CARPL", "CHILD", "LAREQ", "PLACE", "CREQB", "CREQO", "CLOSE",
                         "ALLEG", "STAND", "APPRR", "OTHER"],
                        [0.3, 0.15, 0.2, 0.1, 0.05, 0.05, 0.03, 0.02, 0.05, 0.03, 0.02])


def age_bands(age_years: np.ndarray) -> np.ndarray:
    """DfE age band (0-4) of ages in whole years."""
    return np.searchsorted(AGE_LIMITS[:, 0], np.clip(age_years, 0, 17), side="right") - 1


def whole_years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Completed years between two datetime64[D] arrays (age on a date)."""
    months = later.astype("datetime64[M]").astype(int) - earlier.astype("datetime64[M]").astype(int)
    day_later = (later - later.astype("datetime64[M]").astype("datetime64[D]")).astype(int)
    day_earlier = (earlier - earlier.astype("datetime64[M]").astype("datetime64[D]")).astype(int)
    return (months - (day_later < day_earlier)) // 12


def split_periods(start: np.ndarray, end: np.ndarray, k: np.ndarray,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Cut each period of care [start, end] into ``k`` back-to-back episodes on distinct
    days (an episode's DEC is the next one's DECOM, as in SSDA903). NaT end: still open."""
    open_end = np.isnat(end)
    span = (np.where(open_end, REF_DAY, end) - start).astype(int)
    k = np.clip(np.minimum(k, span // 7 + 1), 1, None)
    child = np.repeat(np.arange(len(k)), k)
    first = np.repeat(np.cumsum(k) - k, k)
    seq = np.arange(len(child)) - first
    cut_child = np.repeat(np.arange(len(k)), k - 1)
    fraction = rng.random(len(cut_child))
    fraction = fraction[np.lexsort((fraction, cut_child))]
    cut_seq = np.arange(len(cut_child)) - np.repeat(np.cumsum(k - 1) - (k - 1), k - 1)
    offset = np.floor(fraction * (span[cut_child] - k[cut_child] + 1)).astype(int) + cut_seq + 1
    cut_day = start[cut_child] + offset
    decom = start[child].copy()
    later = seq > 0
    decom[later] = cut_day  # the (j-1)th cut starts episode j; blocks line up child by child
    last = seq == k[child] - 1
    dec = np.empty(len(child), dtype="datetime64[D]")
    dec[~last] = decom[np.flatnonzero(~last) + 1]
    dec[last] = end[child[last]]
    return pd.DataFrame({"child": child, "seq": seq, "last": last, "decom": decom, "dec": dec})


def history_places(age_at_start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """PLACE codes for uncalibrated episodes, by the child's age when each began."""
    out = np.empty(len(age_at_start), dtype=object)
    band = np.minimum(age_bands(age_at_start), 4)
    for b, (codes, weights) in HISTORY_PLACEMENTS.items():
        at = np.flatnonzero(band == b)
        out[at] = pick(codes, weights, len(at), rng)
    return out


def exit_reasons(age: np.ndarray, uasc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """903 REC for children who ceased, by age at ceasing (UASC found to be adults: E15)."""
    key = np.select([age >= 18, age >= 16, age >= 10, age >= 5, age >= 1],
                    ["18", "16-17", "10-15", "5-9", "1-4"], "0")
    out = np.empty(len(age), dtype=object)
    for band, (codes, weights) in EXIT_REASONS.items():
        at = np.flatnonzero(key == band)
        out[at] = pick(codes, weights, len(at), rng)
    assessed_adult = uasc & (age < 18) & (rng.random(len(age)) < 0.15)
    out[assessed_adult] = "E15"
    out[rng.random(len(age)) < 0.001] = "E2"
    return out


def exit_places(reason: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The last placement of children who left, consistent with why they left and age."""
    out = np.full(len(reason), "U6", dtype=object)
    for code, (places, weights) in EXIT_PLACEMENTS.items():
        at = np.flatnonzero(reason == code)
        out[at] = pick(places, weights, len(at), rng)
    out[(out == "K2") & (age < 10)] = "U6"
    out[np.isin(out, ["H5", "P2"]) & (age < 16)] = "U6"
    return out


def episodes_for(geo: Geography, code: str, current: pd.DataFrame,
                 spans: Periods, seed: int, sectors: Callable[[str], list[str]]):
    """The LA's children (903 Header fields) and episodes (903 Episodes fields)."""
    rng = stream(seed, code, STAGE_EPISODES)
    left = spans.left
    n_cur, n_left = len(current), len(left)
    years_in_care = (REF_DAY - spans.current_start).astype(int) / 365.25
    k = np.concatenate([1 + rng.poisson(0.45 * years_in_care),
                        1 + ((rng.random(n_left) < 0.2) &
                             ((left["end"] - left["start"]).dt.days.to_numpy() >= 14))])
    start = np.concatenate([spans.current_start, left["start"].to_numpy().astype("datetime64[D]")])
    end = np.concatenate([np.full(n_cur, np.datetime64("NaT"), dtype="datetime64[D]"),
                          left["end"].to_numpy().astype("datetime64[D]")])
    dob = np.concatenate([spans.current_dob, left["dob"].to_numpy().astype("datetime64[D]")])
    episodes = split_periods(start, end, np.minimum(k, 9), rng)
    child = episodes["child"].to_numpy()
    is_current = child < n_cur
    last = episodes["last"].to_numpy()
    current_last = is_current & last
    age_at = whole_years(episodes["decom"].to_numpy(), dob[child])
    place = history_places(age_at, rng)
    place[current_last] = current["place"].to_numpy()[child[current_last]]
    left_age = left["age"].to_numpy()
    reason = exit_reasons(left_age, left["uasc"].to_numpy(), rng)
    left_last = ~is_current & last
    place[left_last] = exit_places(reason, left_age, rng)[child[left_last] - n_cur]
    episodes["place"] = place
    episodes["rec"] = np.where(last, None, "X1").astype(object)
    episodes.loc[left_last, "rec"] = reason[child[left_last] - n_cur]
    episodes["ls"] = legal_statuses(episodes, current, left, reason, n_cur, rng)
    donors = donor_children(current, left, rng)
    cin = np.concatenate([current["cin_code"].to_numpy(), current["cin_code"].to_numpy()[donors]])
    episodes["cin"] = cin[child]
    episodes["rne"], episodes["reason_place_change"] = new_episode_reasons(episodes, rng)
    episodes.loc[(episodes["rne"] == "L") & last, "rne"] = "U"
    keep_placement(episodes)
    episodes = episodes.join(placement_places(geo, code, episodes, current, rng, sectors))
    children = pd.DataFrame({
        "child": np.arange(n_cur + n_left), "la": code,
        "child_ref": [f"SYN-{code}-{i:06d}" for i in range(n_cur + n_left)],
        "sex": np.concatenate([current["sex"].to_numpy(), left["sex"].to_numpy()]),
        "dob": dob,
        "ethnic": np.concatenate([current["ethnic"].to_numpy(),
                                  current["ethnic"].to_numpy()[donors]]),
        "uasc": np.concatenate([current["uasc"].to_numpy(), left["uasc"].to_numpy()]),
        "current": np.arange(n_cur + n_left) < n_cur,
    })
    children.loc[n_cur:, "ethnic"] = np.where(
        left["uasc"].to_numpy() & np.isin(children["ethnic"].to_numpy()[n_cur:],
                                           ["WBRI", "WIRI", "WIRT", "MWBC"]),
        "OOTH", children["ethnic"].to_numpy()[n_cur:])
    return children, episodes


def keep_placement(episodes: pd.DataFrame) -> None:
    """An episode that only changed legal status (RNE L) keeps the previous placement."""
    for _ in range(9):
        same = (episodes["rne"] == "L").to_numpy()
        previous = np.roll(episodes["place"].to_numpy(), 1)
        if not (same & (episodes["place"].to_numpy() != previous)).any():
            break
        episodes.loc[same, "place"] = previous[same]


def donor_children(current: pd.DataFrame, left: pd.DataFrame,
                   rng: np.random.Generator) -> np.ndarray:
    """For each child who left, a current child of the same UASC status whose ethnicity
    and category of need they share, so the LA's mix carries over to its leavers."""
    out = np.zeros(len(left), dtype=int)
    for flag in (False, True):
        at = np.flatnonzero(left["uasc"].to_numpy() == flag)
        pool = np.flatnonzero(current["uasc"].to_numpy() == flag)
        if not len(pool):
            pool = np.arange(len(current))
        if len(pool) and len(at):
            out[at] = pool[rng.integers(0, len(pool), len(at))]
    return out


def legal_statuses(episodes: pd.DataFrame, current: pd.DataFrame, left: pd.DataFrame,
                   reason: np.ndarray, n_cur: int, rng: np.random.Generator) -> np.ndarray:
    """903 LS per episode: the calibrated status for current children's episodes (an
    interim order, S20 or police protection often came first), and for children who left
    a status fitting how and how soon they left."""
    child = episodes["child"].to_numpy()
    seq = episodes["seq"].to_numpy()
    n_left = len(left)
    duration = (left["end"] - left["start"]).dt.days.to_numpy()
    short = pick(["V2", "C1", "L1", "L2"], [0.55, 0.3, 0.1, 0.05], n_left, rng)
    long = pick(["C2", "V2", "C1", "J2"], [0.45, 0.35, 0.15, 0.05], n_left, rng)
    left_ls = np.where(duration < 56, short, long)
    left_ls = np.where(np.isin(reason, ["E11", "E12"]), "E1", left_ls)
    left_ls = np.where(reason == "E9", "J2", left_ls)
    left_ls = np.where(left["uasc"].to_numpy(), "V2", left_ls)
    status = np.concatenate([current["ls"].to_numpy(), left_ls])
    out = status[child].astype(object)
    first = seq == 0
    later_ls = np.isin(status[child], ["C2", "E1"]) & ~episodes["last"].to_numpy()
    initial = pick(["C1", "V2", "L1", "L2"], [0.55, 0.25, 0.1, 0.1], len(out), rng)
    out[first & later_ls] = initial[first & later_ls]
    middle = ~first & later_ls & (status[child] == "E1")
    out[middle] = "C2"
    return out


def new_episode_reasons(episodes: pd.DataFrame, rng: np.random.Generator):
    """903 RNE (S for a new period; L, P, U for legal status, placement or both changing)
    and, where the placement changed, REASON_PLACE_CHANGE."""
    ls = episodes["ls"].to_numpy()
    first = episodes["seq"].to_numpy() == 0
    previous_ls = np.roll(ls, 1)
    legal_change = ls != previous_ls
    move = rng.random(len(ls)) < np.where(legal_change, 0.5, 1.0)
    rne = np.where(first, "S", np.where(legal_change, np.where(move, "U", "L"), "P"))
    reason = pick(*PLACE_CHANGE_REASONS, len(ls), rng)
    return rne.astype(object), np.where(np.isin(rne, ["P", "U"]), reason, None).astype(object)


def placement_places(geo: Geography, code: str, episodes: pd.DataFrame, current: pd.DataFrame,
                     rng: np.random.Generator, sectors: Callable[[str], list[str]]) -> pd.DataFrame:
    """Where each episode's placement is: LA, home URN, provider, distance and postcode
    sectors. Current episodes follow the calibrated locality and distance band (children's
    homes outside the LA by the Ofsted-places gravity model); earlier ones are drawn."""
    rng = np.random.default_rng(rng.integers(1 << 62))
    origin = geo.index[code]
    n = len(episodes)
    place = episodes["place"].to_numpy()
    group = np.array([PLACE_GROUP[p] for p in place])
    child = episodes["child"].to_numpy()
    current_last = episodes["last"].to_numpy() & (child < len(current))
    own_homes = geo.places[origin] > 0
    inside = rng.random(n) < np.array([INSIDE_SHARE[g] for g in range(8)])[group]
    inside &= ~((place == "K2") & ~own_homes)
    band = np.where(inside, rng.choice(3, n, p=[0.92, 0.03, 0.05]),
                    rng.choice(3, n, p=[0.45, 0.48, 0.07]))
    calibrated = current["distance"].to_numpy()[child[current_last]]
    inside[current_last] = DISTANCE_INSIDE[calibrated]
    band[current_last] = DISTANCE_BAND[calibrated]
    destination = np.full(n, origin)
    for b in range(3):
        out = ~inside & (band == b)
        k2_now = out & current_last & (place == "K2")
        destination[k2_now] = systematic(int(k2_now.sum()), geo.k2_flows[b, origin], rng)
        k2_then = out & ~current_last & (place == "K2")
        weights = geo.kernel(b)[origin] * geo.places
        destination[k2_then] = draw(weights, int(k2_then.sum()), rng)
        others = out & ~np.isin(place, ["K1", "K2"])
        weights = geo.kernel(b)[origin] * geo.population
        destination[others] = draw(weights, int(others.sum()), rng)
    secure = (place == "K1") & ~inside
    weights = geo.secure_places * np.exp(-geo.miles[origin] / 100)
    weights[origin] = 0
    destination[secure] = draw(weights, int(secure.sum()), rng)
    la = np.asarray(geo.codes, dtype=object)[destination]
    urn = np.full(n, None, dtype=object)
    sector = np.full(n, None, dtype=object)
    places = np.full(n, np.nan)
    for code_, provision in (("K2", "Children's home"), ("K1", "Secure children's home")):
        at = np.flatnonzero(place == code_)
        urn[at], sector[at], places[at] = homes_in(geo, la[at], provision, rng)
    provider = provider_types(group, sector, destination == origin, rng)
    miles = distances(geo, origin, destination, inside, band, rng)
    home_sectors = sectors(code)
    home_post = pick_sector(home_sectors, n, rng)
    pl_post = np.full(n, None, dtype=object)
    for dest in np.unique(destination):
        at = np.flatnonzero((destination == dest) & (band != 2))
        pl_post[at] = pick_sector(sectors(geo.codes[dest]), len(at), rng)
    return pd.DataFrame({
        "pl_la": la, "inside": inside, "band": band, "distance_miles": miles, "urn": urn,
        "home_sector": sector, "home_places": places, "provider": provider,
        "home_post": home_post, "pl_post": pl_post}, index=episodes.index)


def pick_sector(choices: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` postcode sectors drawn from an LA's sectors (None if it has none)."""
    if not choices:
        return np.full(n, None, dtype=object)
    return np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)]


def provider_types(group: np.ndarray, home_sector: np.ndarray, same_la: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """903 PLACE_PROVIDER: from the Ofsted sector of the home for K1/K2 (an LA home is
    the LA's own provision only if it is in the LA), else drawn by placement group."""
    out = np.empty(len(group), dtype=object)
    for g, weights in PROVIDER_WEIGHTS.items():
        at = np.flatnonzero(group == g)
        out[at] = pick(PROVIDERS, weights, len(at), rng)
    known = pd.notna(home_sector)
    from_home = pd.Series(home_sector[known]).map(SECTOR_PROVIDER).fillna("PR4").to_numpy()
    out[known] = from_home
    out[known & (out == "PR1") & ~same_la] = "PR2"
    return out


# --- stage 4: needs -----------------------------------------------------------------------

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


# --- stage 5: fees and providers ----------------------------------------------------------

SECTOR_FEE = {"Private": 1.05, "Voluntary": 0.95, "Local Authority": 0.85,
              "Health Authority": 1.0}
SURPLUS_RANGE = {"Private": (12.0, 25.0), "Voluntary": (5.0, 12.0),
                 "Local Authority": (5.0, 8.0), "Health Authority": (5.0, 8.0)}
FEE_SPREAD = {"residential": 0.3, "fostering": 0.2}
FEE_PER_NEED = {"residential": 0.07, "fostering": 0.05}


def fees_for(cal: Calibration, code: str, episodes: pd.DataFrame, needs: pd.DataFrame,
             rng: np.random.Generator) -> pd.DataFrame:
    """Weekly fees of current paid placements, drawn around the region's S251 2024-25
    residential or fostering unit cost: children's home and foster fees average the unit
    cost, other placements are a multiple of it (``PLACEMENTS``); private providers charge
    more than voluntary and LA ones, children with more needs more than those with few.
    Each fee is split into core, extra staffing, education and therapy parts that add up
    to it, with the provider's declared surplus / reinvestment %."""
    current = episodes[episodes["last"] & episodes["dec"].isna() & episodes["provider"].ne("PR0")]
    terms = PLACEMENTS.set_index("place").reindex(current["place"])
    paid = terms["fee_basis"].notna().to_numpy()
    current, terms = current[paid], terms[paid]
    region = cal.region_of.get(code, ENGLAND)
    costs = cal.unit_costs.loc[region] if region in cal.unit_costs.index else \
        cal.unit_costs.loc[ENGLAND]
    basis = terms["fee_basis"].to_numpy()
    sector = provider_sector(current)
    count = needs.groupby("child").size().reindex(current["child"]).fillna(0).to_numpy()
    has = needs.assign(flag=True).pivot_table(index="child", columns="need", values="flag",
                                             aggfunc="any").reindex(current["child"])
    has = has.reindex(columns=NEEDS).notna() & has.reindex(columns=NEEDS).eq(True)
    spread = np.array([FEE_SPREAD[b] for b in basis])
    per_need = np.array([FEE_PER_NEED[b] for b in basis])
    lift = np.exp(per_need * count)
    place = current["place"].to_numpy()
    for code in set(place):  # needs reorder fees within a placement type, not raise them
        lift[place == code] /= lift[place == code].mean()
    relative = terms["fee_multiple"].to_numpy() * pd.Series(sector).map(SECTOR_FEE).to_numpy()
    for b, anchor in (("residential", place == "K2"), ("fostering", basis == "fostering")):
        # the unit cost is the LA's average children's home / foster placement, so the
        # anchor placements' mean multiple is 1: sector mix only spreads fees around it
        rows = basis == b
        reference = relative[rows & anchor] if (rows & anchor).any() else relative[rows]
        if len(reference):
            relative[rows] /= reference.mean()
    fee = (costs.reindex(basis).to_numpy() * relative * lift *
           rng.lognormal(-spread ** 2 / 2, spread))
    fee = np.round(fee, 2)
    n = len(fee)
    staffing_need = has[["risk_to_others", "going_missing", "self_harm",
                         "sexual_exploitation", "criminal_exploitation"]].any(axis=1).to_numpy()
    residential = basis == "residential"
    staffing = np.where(staffing_need & residential, rng.uniform(0.08, 0.25, n),
                        rng.uniform(0.0, 0.04, n) * residential)
    school = current["place"].to_numpy() == "S1"
    education = np.where(school, rng.uniform(0.2, 0.35, n),
                         np.where(has["out_of_education"].to_numpy(), rng.uniform(0.03, 0.1, n),
                                  0.0))
    therapy = np.where(has[["mental_health", "self_harm"]].any(axis=1).to_numpy(),
                       rng.uniform(0.03, 0.1, n), rng.uniform(0.0, 0.02, n))
    parts = np.round(fee[:, None] * np.column_stack([staffing, education, therapy]), 2)
    low, high = np.array([SURPLUS_RANGE[x] for x in sector]).T
    return pd.DataFrame({
        "child": current["child"].to_numpy(), "seq": current["seq"].to_numpy(),
        "weekly_fee": fee, "core": np.round(fee - parts.sum(1), 2),
        "extra_staffing": parts[:, 0], "education": parts[:, 1], "therapy": parts[:, 2],
        "surplus_pct": np.round(rng.uniform(low, high), 1)})


def provider_sector(episodes: pd.DataFrame) -> np.ndarray:
    """Ofsted-style sector of each episode's provider (the home's, else by PLACE_PROVIDER)."""
    by_type = episodes["provider"].map(PROVIDER_SECTOR).fillna("Local Authority")
    return episodes["home_sector"].fillna(by_type).to_numpy()


def provider_ids(code: str, region: str, episodes: pd.DataFrame,
                 rng: np.random.Generator) -> np.ndarray:
    """Pseudonymous provider ids: Ofsted homes by URN; an LA's own services by LA; private
    and voluntary agencies from a pool per region and kind of placement. All start 'SYN-'
    so they can never collide with a real provider."""
    kind = episodes["place"].map(lambda p: {0: "FOS", 2: "RES", 3: "SCH", 5: "SA",
                                            6: "ADO"}.get(PLACE_GROUP[p], "OTH")).to_numpy()
    provider = episodes["provider"].to_numpy()
    la = np.where(provider == "PR1", code, episodes["pl_la"].to_numpy())
    pool = np.where(kind == "FOS", 15, 6)
    number = np.floor(rng.random(len(kind)) * pool).astype(int)
    agency = np.char.add(np.char.add(np.char.add(np.char.add(
        "SYN-", kind.astype(str)), np.where(provider == "PR5", "-V-", "-P-")), region),
        np.char.add("-", np.char.zfill(number.astype(str), 2)))
    ids = np.select([episodes["urn"].notna().to_numpy(), np.isin(provider, ["PR1", "PR2"]),
                     provider == "PR3", np.isin(provider, ["PR4", "PR5"])],
                    [np.char.add("SYN-URN-", episodes["urn"].fillna("").to_numpy().astype(str)),
                     np.char.add(np.char.add(np.char.add("SYN-LA-", la.astype(str)), "-"),
                                 kind.astype(str)),
                     np.full(len(kind), f"SYN-NHS-{region}"), agency], "")
    return np.where(ids == "", None, ids).astype(object)


# --- the whole cohort ---------------------------------------------------------------------

@dataclass
class Cohort:
    """A generated synthetic cohort: typed frames for every table, all LAs together
    (child_ref is unique across LAs). ``ssda903`` gives one LA's 903-shaped files."""

    children: pd.DataFrame
    episodes: pd.DataFrame
    needs: pd.DataFrame
    fees: pd.DataFrame
    providers: pd.DataFrame
    skipped: list[str]
    shortfall: dict[str, int]
    seed: int

    @cached_property
    def files_903(self) -> tuple[pd.DataFrame, pd.DataFrame, dict, dict]:
        """Header and Episodes of every LA in 903 layout, with each LA's row positions."""
        return (header_903(self.children), episodes_903(self.episodes),
                self.children.groupby("la").indices, self.episodes.groupby("la").indices)

    def ssda903(self, la: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(Header, Episodes) of one LA as SSDA903 files have them: text, dd/mm/yyyy."""
        header, episodes, child_rows, episode_rows = self.files_903
        empty = np.zeros(0, dtype=int)
        return (header.iloc[child_rows.get(la, empty)].reset_index(drop=True),
                episodes.iloc[episode_rows.get(la, empty)].reset_index(drop=True))


def uk_dates(days) -> np.ndarray:
    """datetime64 values as dd/mm/yyyy text ('' where missing), as in 903 files. Each
    distinct day is formatted once (a cohort has a few thousand days, not 600,000)."""
    values = np.asarray(days, dtype="datetime64[D]")
    unique, inverse = np.unique(values, return_inverse=True)
    text = pd.Series(pd.to_datetime(unique)).dt.strftime("%d/%m/%Y").fillna("").to_numpy()
    return text[inverse].astype(object)


def one_decimal(values) -> np.ndarray:
    """Numbers as text with one decimal place ('' where missing), as PL_DISTANCE is."""
    values = np.asarray(values, dtype=float)
    unique, inverse = np.unique(np.where(np.isnan(values), -1.0, values), return_inverse=True)
    text = np.array(["" if u < 0 else f"{u:.1f}" for u in unique], dtype=object)
    return text[inverse]


def header_903(children: pd.DataFrame) -> pd.DataFrame:
    """The 903 Header table (UASC added as 1/0; UPN left blank: no pupil numbers)."""
    return pd.DataFrame({
        "CHILD": children["child_ref"].to_numpy(), "SEX": children["sex"].to_numpy(),
        "DOB": uk_dates(children["dob"]), "ETHNIC": children["ethnic"].to_numpy(),
        "UPN": "", "UASC": np.where(children["uasc"].to_numpy(), "1", "0")})


def episodes_903(episodes: pd.DataFrame) -> pd.DataFrame:
    """The 903 Episodes table, one row per episode, in child then date order."""
    return pd.DataFrame({
        "CHILD": episodes["child_ref"].to_numpy(),
        "DECOM": uk_dates(episodes["decom"]), "RNE": episodes["rne"].to_numpy(),
        "LS": episodes["ls"].to_numpy(), "CIN": episodes["cin"].to_numpy(),
        "PLACE": episodes["place"].to_numpy(), "PLACE_PROVIDER": episodes["provider"].to_numpy(),
        "DEC": uk_dates(episodes["dec"]), "REC": episodes["rec"].fillna("").to_numpy(),
        "REASON_PLACE_CHANGE": episodes["reason_place_change"].fillna("").to_numpy(),
        "HOME_POST": episodes["home_post"].fillna("").to_numpy(),
        "PL_POST": episodes["pl_post"].fillna("").to_numpy(),
        "URN": episodes["urn"].fillna("").to_numpy(),
        "PL_LA": episodes["pl_la"].to_numpy(),
        "PL_LOCATION": np.where(episodes["inside"].to_numpy(), "IN", "OUT"),
        "PL_DISTANCE": one_decimal(episodes["distance_miles"])})


def no_sectors(_la_code: str) -> list[str]:
    """Stand-in when data.postcodes is not available: no postcode sectors."""
    return []


def default_sectors() -> Callable[[str], list[str]]:
    """``data.postcodes.sectors_of_la`` (cached per LA), or no sectors if it is missing."""
    try:
        from data.postcodes import sectors_of_la
    except ImportError:
        print("data.postcodes is not available: synthetic postcodes left blank.",
              file=sys.stderr)
        return no_sectors
    cache: dict[str, list[str]] = {}

    def cached(la_code: str) -> list[str]:
        if la_code not in cache:
            cache[la_code] = list(sectors_of_la(la_code))
        return cache[la_code]
    return cached


def generate(cal: Calibration, seed: int = 42, las: Iterable[str] | None = None,
             sectors: Callable[[str], list[str]] | None = None,
             progress: bool = False) -> Cohort:
    """Generate the synthetic cohort for ``las`` (default: every LA with a 2025 count).

    Every LA's current children are drawn first (cheap), because where children's home
    placements go depends on all LAs together; the rest is generated LA by LA.
    """
    sectors = sectors or default_sectors()
    chosen = cal.las if las is None else sorted(set(las))
    unknown = [code for code in chosen if code not in cal.counts.index]
    if unknown:
        raise UserInputError(f"No published 2025 count of children looked after for "
                             f"{', '.join(unknown)}: give current LAs' GSS codes.")
    geo = geography(cal)
    current = {code: current_children(cal, code, seed) for code in cal.las}
    geo.k2_flows = k2_flows(geo, pd.concat(current.values(), ignore_index=True))
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in ("children", "episodes", "needs",
                                                              "fees")}
    shortfall = {}
    for code in tqdm(chosen, desc="Synthetic cohort", unit="LA", disable=not progress,
                     file=sys.stderr):
        frames, short = generate_la(cal, geo, code, current[code], seed, sectors)
        for key, frame in frames.items():
            parts[key].append(frame)
        if short:
            shortfall[code] = short
    tables = {key: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
              for key, frames in parts.items()}
    return Cohort(tables["children"], tables["episodes"], tables["needs"], tables["fees"],
                  providers_of(tables["episodes"]), [c for c in cal.skipped], shortfall, seed)


def generate_la(cal: Calibration, geo: Geography, code: str, current: pd.DataFrame,
                seed: int, sectors: Callable[[str], list[str]]):
    """Every table's rows for one LA (keyed by child_ref), and any flow shortfall."""
    spans = periods(cal, code, current, seed)
    children, episodes = episodes_for(geo, code, current, spans, seed, sectors)
    region = cal.region_of.get(code, ENGLAND)
    episodes["provider_id"] = provider_ids(code, region, episodes,
                                           stream(seed, code, STAGE_PLACES))
    open_last = episodes[episodes["last"] & episodes["dec"].isna()].set_index("child")
    place_now = open_last["place"].reindex(np.arange(len(current))).to_numpy()
    needs = needs_for(current, place_now, spans.current_start, stream(seed, code, STAGE_NEEDS))
    fees = fees_for(cal, code, episodes, needs, stream(seed, code, STAGE_FEES))
    refs = children["child_ref"].to_numpy()
    decom = episodes.set_index(["child", "seq"])["decom"]
    fees.insert(0, "decom", decom.reindex(pd.MultiIndex.from_arrays(
        [fees["child"], fees["seq"]])).to_numpy())
    frames = {"children": children, "episodes": episodes, "needs": needs, "fees": fees}
    for key, frame in frames.items():
        if "child_ref" not in frame:
            frame.insert(0, "child_ref", refs[frame["child"].to_numpy()])
            frame.insert(0, "la", code)
        frames[key] = frame.drop(columns="child")
    return frames, spans.shortfall


def providers_of(episodes: pd.DataFrame) -> pd.DataFrame:
    """One provider row per provider id used: sector and (for Ofsted homes) places."""
    if episodes.empty:
        return pd.DataFrame(columns=["id", "sector", "places"])
    used = episodes[episodes["provider_id"].notna()]
    table = pd.DataFrame({"id": used["provider_id"].to_numpy(),
                          "sector": provider_sector(used),
                          "places": used["home_places"].to_numpy()})
    table = table.drop_duplicates("id").sort_values("id").reset_index(drop=True)
    table["places"] = table["places"].astype("Int64")
    return table


# --- writing: through the SSDA903 importer, in one transaction ----------------------------

SYNTHETIC_TABLES = (s.PlacementFee, s.NeedsAssessment, s.Episode, s.Child, s.Provider,
                    s.CaseImport)  # children's rows before their parents'


def remove_synthetic(connection) -> dict[str, int]:
    """Delete every synthetic row (and the synthetic import log rows), children first.

    Real imports are never touched: every synthetic row carries is_synthetic, and real
    rows never do. The log rows go too, so a re-run is a clean replacement rather than
    an 'unchanged' import of data that were just deleted.
    """
    removed = {}
    for table in SYNTHETIC_TABLES:
        result = connection.execute(delete(table).where(table.is_synthetic.is_(True)))
        removed[table.__tablename__] = result.rowcount
    return removed


def submission(cohort: Cohort, la: str, reference, imported_by: str):
    """One LA's cohort validated and enriched by the SSDA903 importer (the path real
    files take), with its needs assessments, fees and provider ids attached."""
    from data.importers import ssda903
    from data.importers.common import frame_hash

    header, episodes = cohort.ssda903(la)
    header = ssda903.as_text(header, f"{la} {ssda903.HEADER}")
    episodes = ssda903.as_text(episodes, f"{la} {ssda903.EPISODES}")
    sub = ssda903.prepare(header, episodes, la_code=la, year=YEAR, imported_by=imported_by,
                          synthetic=True, file_hash=frame_hash(header, episodes),
                          reference=reference, header_name=f"{la} {ssda903.HEADER}",
                          episodes_name=f"{la} {ssda903.EPISODES}")
    sub.format = "synthetic"
    typed = cohort.episodes.iloc[cohort.files_903[3].get(la, [])].reset_index(drop=True)
    sub.episodes["provider_id"] = typed["provider_id"].to_numpy()
    row_of = pd.Series(typed.index, index=pd.MultiIndex.from_arrays(
        [typed["child_ref"], typed["decom"]]))
    fees = cohort.fees[cohort.fees["la"] == la]
    sub.fees = pd.DataFrame({
        "episode_row": row_of.reindex(pd.MultiIndex.from_arrays(
            [fees["child_ref"], fees["decom"]])).to_numpy(),
        **{column: fees[column].to_numpy() for column in FEE_COLUMNS}})
    needs = cohort.needs[cohort.needs["la"] == la]
    sub.needs = pd.DataFrame({
        "child_ref": needs["child_ref"].to_numpy(),
        "assessed_on": pd.to_datetime(needs["assessed_on"]).dt.date.to_numpy(),
        "need": needs["need"].to_numpy(), "frequency": needs["frequency"].to_numpy(),
        "intensity": needs["intensity"].to_numpy()})
    return sub


_JOB: tuple | None = None  # (cohort, reference, imported_by) shared with forked workers


def _prepare(la: str):
    """Worker: one LA's submission (the cohort is inherited from the parent by fork)."""
    cohort, reference, imported_by = _JOB
    return submission(cohort, la, reference, imported_by)


def submissions(cohort: Cohort, las: list[str], reference, imported_by: str,
                progress: bool = False, workers: int | None = None) -> list:
    """Every LA's submission, validated on all CPUs: validation is per LA and needs no
    database, so LAs are prepared in forked worker processes (serially where fork is
    unavailable or there is one CPU). Results come back in ``las`` order."""
    global _JOB
    workers = workers or min(os.cpu_count() or 1, 8)
    cohort.files_903  # built once, before forking, so every worker shares it
    bar = dict(desc="Validating", unit="LA", total=len(las), disable=not progress,
               file=sys.stderr)
    if workers <= 1 or "fork" not in mp.get_all_start_methods() or len(las) < 4:
        return [submission(cohort, la, reference, imported_by) for la in tqdm(las, **bar)]
    _JOB = (cohort, reference, imported_by)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(tqdm(pool.map(_prepare, las, chunksize=2), **bar))
    finally:
        _JOB = None


FEE_COLUMNS = ["weekly_fee", "core", "extra_staffing", "education", "therapy", "surplus_pct"]


def write(engine: Engine, cohort: Cohort, *, imported_by: str = IMPORTED_BY,
          progress: bool = False) -> dict[str, int]:
    """Replace the store's synthetic cohort with ``cohort`` in one transaction.

    Each LA goes through the SSDA903 importer's validation and enrichment (refused
    with its report if anything is invalid, writing nothing); then, in one transaction,
    every earlier synthetic row is deleted and each LA is written as a synthetic import
    (format 'synthetic'), with its needs assessments, fees and the providers used.
    Returns rows written per table.
    """
    from data.importers.common import write_submission
    from data.importers.validation import load_reference

    reference = load_reference(engine)
    las = sorted(cohort.children["la"].unique())
    subs = submissions(cohort, las, reference, imported_by, progress)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        remove_synthetic(connection)
        first_import = {}
        for sub in tqdm(subs, desc="Writing", unit="LA", disable=not progress, file=sys.stderr):
            result = write_submission(connection, sub)
            for table, rows in result.rows.items():
                counts[table] = counts.get(table, 0) + rows
            for provider in sub.episodes["provider_id"].dropna().unique():
                first_import.setdefault(provider, result.import_id)
        providers = cohort.providers[cohort.providers["id"].isin(first_import)]
        rows = [{"id": row.id, "import_id": first_import[row.id], "sector": row.sector,
                 "places": None if pd.isna(row.places) else int(row.places),
                 "is_synthetic": True} for row in providers.itertuples()]
        if rows:
            connection.execute(insert(s.Provider), rows)
        counts["provider"] = len(rows)
        counts["case_import"] = len(subs)
    return counts


def run(engine: Engine, seed: int = 42, *, progress: bool = False,
        las: Iterable[str] | None = None) -> tuple[Cohort, dict[str, int]]:
    """Generate the cohort from the store's published figures and write it back."""
    cohort = generate(load_calibration(engine), seed, las=las, progress=progress)
    return cohort, write(engine, cohort, progress=progress)


def present(engine: Engine) -> bool:
    """True when the store already holds synthetic case-level rows."""
    with engine.connect() as connection:
        return connection.execute(select(s.Child.id).where(s.Child.is_synthetic.is_(True))
                                  .limit(1)).first() is not None
