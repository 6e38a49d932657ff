"""Stage 1: the children looked after at 31 March 2025 and their characteristics.

Each LA's current children reproduce every DfE 2025 breakdown exactly. The breakdowns are
combined one after another (age, then UASC, sex, placement, locality and distance, legal
status, category of need, ethnicity), each fitted to both the published margin and the
children already drawn, with odds (the weights below) that give realistic associations:
UASC are mostly boys of 16-17, babies are fostered or placed for adoption, not in
supported accommodation. 903 codes are then drawn within each DfE group.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from data.synth.calibration import (ADOPTION, AGE_GROUP, AGE_LIMITS, CALIBRATED,
                                    DISTANCE_GROUP, DISTANCE_INSIDE, ETHNICITY_GROUP, HOMES,
                                    INDEPENDENT, LEGAL_GROUP, NEED_GROUP, OTHER_RES, PARENTS,
                                    PLACEMENT_GROUP, PLACEMENTS, RES_SCHOOL, SEX_GROUP,
                                    UASC_GROUP, Calibration)
from data.synth.draws import STAGE_ATTRIBUTES, assign, pick_by, stream

LEGAL_CODES = [["C2"], ["C1"], ["E1"], ["V2"], ["L1", "L2", "L3"], ["J1", "J2", "J3"]]
LEGAL_CODE_WEIGHTS = [[1.0], [1.0], [1.0], [1.0], [0.5, 0.45, 0.05], [0.2, 0.6, 0.2]]
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


def by_child_type(odds: Callable[[int, int, int], np.ndarray]) -> np.ndarray:
    """Odds of each category for every type of child, one row per (placement group, age
    band, UASC) in the order ``current_children`` numbers them: (group * 5 + band) * 2 + uasc."""
    return np.array([odds(group, band, uasc)
                     for group in range(8) for band in range(5) for uasc in range(2)])


def legal_odds(group: int, band: int, uasc: int) -> np.ndarray:
    """Odds of each legal status group for one type of child: placement orders go with
    adoption and the very young, S20 with UASC and older teenagers, youth justice
    statuses with secure and custodial settings."""
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
    return w


def need_group_odds(group: int, band: int, uasc: int) -> np.ndarray:
    """Odds of each DfE category of need for one type of child: UASC are recorded under
    absent parenting, children in residential schools under disability."""
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
    return w


LEGAL_WEIGHTS = by_child_type(legal_odds)
NEED_GROUP_WEIGHTS = by_child_type(need_group_odds)


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
    return pick_by(legal, dict(enumerate(zip(LEGAL_CODES, LEGAL_CODE_WEIGHTS))), rng)


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
    """903 ETHNIC codes within each child's DfE ethnic group (UASC with their own mix)."""
    choices = {2 * g + flag: (codes, weights[flag])
               for g, (codes, *weights) in enumerate(ETHNIC_CODES) for flag in (0, 1)}
    return pick_by(2 * groups + uasc, choices, rng)
