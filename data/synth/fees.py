"""Stage 5: providers and the weekly fees of current paid placements.

Fees are anchored to the region's S251 2024-25 unit costs so the cohort's spending is of
the published size, then spread by provider sector and by the child's needs; providers
get pseudonymous ids that can never collide with a real one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.sources import ENGLAND
from data.synth.calibration import (ADOPTION, FOSTER, HOMES, INDEPENDENT, OTHER, OTHER_RES,
                                    PARENTS, PLACE_GROUP, PLACEMENTS, RES_SCHOOL, Calibration)
from data.synth.draws import pick_by
from data.synth.needs import NEEDS

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
    current, terms = paid_placements(episodes)
    sector = provider_sector(current)
    has = needs_present(needs, current["child"])
    fee = weekly_fees(regional_costs(cal, code), current, terms, sector, needs, rng)
    parts = fee_parts(fee, current["place"].to_numpy(), terms["fee_basis"].to_numpy(), has, rng)
    low, high = np.array([SURPLUS_RANGE[x] for x in sector]).T
    return pd.DataFrame({
        "child": current["child"].to_numpy(), "seq": current["seq"].to_numpy(),
        "weekly_fee": fee, "core": np.round(fee - parts.sum(1), 2),
        "extra_staffing": parts[:, 0], "education": parts[:, 1], "therapy": parts[:, 2],
        "surplus_pct": np.round(rng.uniform(low, high), 1)})


def paid_placements(episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open episodes in placements that are paid for (a provider, and a fee basis in
    ``PLACEMENTS``), with their fee terms."""
    current = episodes[episodes["last"] & episodes["dec"].isna() & episodes["provider"].ne("PR0")]
    terms = PLACEMENTS.set_index("place").reindex(current["place"])
    paid = terms["fee_basis"].notna().to_numpy()
    return current[paid], terms[paid]


def regional_costs(cal: Calibration, code: str) -> pd.Series:
    """The S251 unit costs of the LA's region (England's where the region has none)."""
    region = cal.region_of.get(code, ENGLAND)
    return cal.unit_costs.loc[region] if region in cal.unit_costs.index else \
        cal.unit_costs.loc[ENGLAND]


def needs_present(needs: pd.DataFrame, children: pd.Series) -> pd.DataFrame:
    """Whether each of ``children`` has each of the ``NEEDS`` (one row per child)."""
    has = needs.assign(flag=True).pivot_table(index="child", columns="need", values="flag",
                                             aggfunc="any").reindex(children)
    return has.reindex(columns=NEEDS).notna() & has.reindex(columns=NEEDS).eq(True)


def weekly_fees(costs: pd.Series, current: pd.DataFrame, terms: pd.DataFrame,
                sector: np.ndarray, needs: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Each placement's weekly fee (to the penny): the unit cost of its basis times its
    placement and sector multiple and its needs lift, spread log-normally around that."""
    basis = terms["fee_basis"].to_numpy()
    place = current["place"].to_numpy()
    count = needs.groupby("child").size().reindex(current["child"]).fillna(0).to_numpy()
    spread = np.array([FEE_SPREAD[b] for b in basis])
    relative = terms["fee_multiple"].to_numpy() * pd.Series(sector).map(SECTOR_FEE).to_numpy()
    fee = (costs.reindex(basis).to_numpy() * anchored(relative, basis, place) *
           need_lift(count, basis, place) * rng.lognormal(-spread ** 2 / 2, spread))
    return np.round(fee, 2)


def need_lift(count: np.ndarray, basis: np.ndarray, place: np.ndarray) -> np.ndarray:
    """How much a child's number of needs raises the fee: needs reorder fees within a
    placement type, not raise them, so the lift averages 1 within each PLACE code."""
    per_need = np.array([FEE_PER_NEED[b] for b in basis])
    lift = np.exp(per_need * count)
    for code in set(place):
        lift[place == code] /= lift[place == code].mean()
    return lift


def anchored(relative: np.ndarray, basis: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Fee multiples scaled so the anchor placements' mean multiple is 1: the unit cost is
    the LA's average children's home (residential) or foster placement (fostering), so
    the sector mix only spreads fees around it."""
    for b, anchor in (("residential", place == "K2"), ("fostering", basis == "fostering")):
        rows = basis == b
        reference = relative[rows & anchor] if (rows & anchor).any() else relative[rows]
        if len(reference):
            relative[rows] /= reference.mean()
    return relative


def fee_parts(fee: np.ndarray, place: np.ndarray, basis: np.ndarray, has: pd.DataFrame,
              rng: np.random.Generator) -> np.ndarray:
    """Extra staffing, education and therapy parts of each fee (to the penny): staffing
    for residential placements of children at risk, education for residential schools and
    children out of education, therapy for mental health and self-harm."""
    n = len(fee)
    staffing_need = has[["risk_to_others", "going_missing", "self_harm",
                         "sexual_exploitation", "criminal_exploitation"]].any(axis=1).to_numpy()
    residential = basis == "residential"
    staffing = np.where(staffing_need & residential, rng.uniform(0.08, 0.25, n),
                        rng.uniform(0.0, 0.04, n) * residential)
    education = np.where(place == "S1", rng.uniform(0.2, 0.35, n),
                         np.where(has["out_of_education"].to_numpy(), rng.uniform(0.03, 0.1, n),
                                  0.0))
    therapy = np.where(has[["mental_health", "self_harm"]].any(axis=1).to_numpy(),
                       rng.uniform(0.03, 0.1, n), rng.uniform(0.0, 0.02, n))
    return np.round(fee[:, None] * np.column_stack([staffing, education, therapy]), 2)


def provider_types(group: np.ndarray, home_sector: np.ndarray, same_la: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """903 PLACE_PROVIDER: from the Ofsted sector of the home for K1/K2 (an LA home is
    the LA's own provision only if it is in the LA), else drawn by placement group."""
    out = pick_by(group, {g: (PROVIDERS, w) for g, w in PROVIDER_WEIGHTS.items()}, rng)
    known = pd.notna(home_sector)
    from_home = pd.Series(home_sector[known]).map(SECTOR_PROVIDER).fillna("PR4").to_numpy()
    out[known] = from_home
    out[known & (out == "PR1") & ~same_la] = "PR2"
    return out


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
