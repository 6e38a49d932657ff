"""The whole cohort: every stage run LA by LA, and the rows in SSDA903 layout.

Every LA's current children are drawn first, because where children's home placements go
depends on all LAs together; the later stages then run one LA at a time. ``Cohort`` holds
the typed frames and gives each LA's Header and Episodes as a 903 file has them, so the
cohort can be written through the importer real files take.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from tqdm import tqdm

from data.errors import UserInputError
from data.postcodes import sectors_of_la
from data.sources import ENGLAND
from data.synth.calibration import Calibration
from data.synth.current import current_children
from data.synth.draws import STAGE_FEES, STAGE_NEEDS, STAGE_PLACES, stream
from data.synth.episodes import episodes_for
from data.synth.fees import fees_for, provider_ids, provider_sector
from data.synth.geography import Geography, geography_of, k2_flows
from data.synth.needs import needs_for
from data.synth.periods import periods


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


def generate(cal: Calibration, seed: int = 42, las: Iterable[str] | None = None,
             sectors: Callable[[str], list[str]] = sectors_of_la,
             progress: bool = False) -> Cohort:
    """Generate the synthetic cohort for ``las`` (default: every LA with a 2025 count).

    Every LA's current children are drawn first (cheap), because where children's home
    placements go depends on all LAs together; the rest is generated LA by LA. Postcode
    sectors are real ones of each LA (``data.postcodes.sectors_of_la``).
    """
    chosen = cal.las if las is None else sorted(set(las))
    unknown = [code for code in chosen if code not in cal.counts.index]
    if unknown:
        raise UserInputError(f"No published 2025 count of children looked after for "
                             f"{', '.join(unknown)}: give current LAs' GSS codes.")
    geo = geography_of(cal)
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
