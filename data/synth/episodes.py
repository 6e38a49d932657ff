"""Stage 3: the 903 Header and Episodes of each LA's children.

Each period of care is cut into back-to-back episodes. The last episode of a current
child carries its calibrated placement and legal status; earlier ones, and those of the
children who left, are drawn by age and by why the child left, with legal statuses and
reasons for new episodes that the SSDA903 validation accepts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from data.synth.calibration import AGE_LIMITS, REF_DAY
from data.synth.draws import STAGE_EPISODES, pick, pick_by, stream
from data.synth.geography import Geography, placement_places
from data.synth.periods import Periods

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
PLACE_CHANGE_REASONS = (["CARPL", "CHILD", "LAREQ", "PLACE", "CREQB", "CREQO", "CLOSE",
                         "ALLEG", "STAND", "APPRR", "OTHER"],
                        [0.3, 0.15, 0.2, 0.1, 0.05, 0.05, 0.03, 0.02, 0.05, 0.03, 0.02])


def episodes_for(geo: Geography, code: str, current: pd.DataFrame,
                 spans: Periods, seed: int, sectors: Callable[[str], list[str]]):
    """The LA's children (903 Header fields) and episodes (903 Episodes fields)."""
    rng = stream(seed, code, STAGE_EPISODES)
    left = spans.left
    k = episode_counts(spans, rng)
    start = np.concatenate([spans.current_start, left["start"].to_numpy().astype("datetime64[D]")])
    end = np.concatenate([np.full(len(current), np.datetime64("NaT"), dtype="datetime64[D]"),
                          left["end"].to_numpy().astype("datetime64[D]")])
    dob = np.concatenate([spans.current_dob, left["dob"].to_numpy().astype("datetime64[D]")])
    episodes = split_periods(start, end, np.minimum(k, 9), rng)
    reason = place_episodes(episodes, current, left, dob, rng)
    episodes["ls"] = legal_statuses(episodes, current, left, reason, len(current), rng)
    donors = donor_children(current, left, rng)
    cin = np.concatenate([current["cin_code"].to_numpy(), current["cin_code"].to_numpy()[donors]])
    episodes["cin"] = cin[episodes["child"].to_numpy()]
    episodes["rne"], episodes["reason_place_change"] = new_episode_reasons(episodes, rng)
    episodes.loc[(episodes["rne"] == "L") & episodes["last"].to_numpy(), "rne"] = "U"
    keep_placement(episodes)
    episodes = episodes.join(placement_places(geo, code, episodes, current, rng, sectors))
    return header_children(code, current, left, dob, donors), episodes


def episode_counts(spans: Periods, rng: np.random.Generator) -> np.ndarray:
    """Episodes in each period of care: for current children one more for about every two
    years in care; for children who came and went one, or two for a fifth of those in
    care for two weeks or more."""
    left = spans.left
    years_in_care = (REF_DAY - spans.current_start).astype(int) / 365.25
    return np.concatenate([1 + rng.poisson(0.45 * years_in_care),
                           1 + ((rng.random(len(left)) < 0.2) &
                                ((left["end"] - left["start"]).dt.days.to_numpy() >= 14))])


def place_episodes(episodes: pd.DataFrame, current: pd.DataFrame, left: pd.DataFrame,
                   dob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Set each episode's PLACE and REC: a current child's open episode keeps its
    calibrated placement, the last placement of a child who left fits why they left, and
    earlier ones are drawn by age. Returns why each child who left ceased (903 REC)."""
    n_cur = len(current)
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
    return reason


def header_children(code: str, current: pd.DataFrame, left: pd.DataFrame, dob: np.ndarray,
                    donors: np.ndarray) -> pd.DataFrame:
    """The LA's children with their 903 Header fields: those who left take their donor's
    ethnicity, except that a UASC child is not given a White British or Irish, or Mixed
    White and Black Caribbean, one (OOTH instead)."""
    n_cur, n_left = len(current), len(left)
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
    return children


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
    return pick_by(np.minimum(age_bands(age_at_start), 4), HISTORY_PLACEMENTS, rng)


def exit_reasons(age: np.ndarray, uasc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """903 REC for children who ceased, by age at ceasing (UASC found to be adults: E15)."""
    key = np.select([age >= 18, age >= 16, age >= 10, age >= 5, age >= 1],
                    ["18", "16-17", "10-15", "5-9", "1-4"], "0")
    out = pick_by(key, EXIT_REASONS, rng)
    assessed_adult = uasc & (age < 18) & (rng.random(len(age)) < 0.15)
    out[assessed_adult] = "E15"
    out[rng.random(len(age)) < 0.001] = "E2"
    return out


def exit_places(reason: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The last placement of children who left, consistent with why they left and age."""
    out = pick_by(reason, EXIT_PLACEMENTS, rng, default="U6")
    out[(out == "K2") & (age < 10)] = "U6"
    out[np.isin(out, ["H5", "P2"]) & (age < 16)] = "U6"
    return out


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
