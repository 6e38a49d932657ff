"""Where placements go: which LA, which home, how far.

Children's homes outside the LA are placed by a doubly-constrained gravity model (origin
totals from DfE's locality and distance counts, destination totals from Ofsted places,
distance decay between LA centroids), each with the URN of a real home; other placements
decay with distance from the LA and go where children live. The miles between LAs come
from the calibration (``analysis.geometry`` centroids of the ONS boundaries); postcode
sectors are drawn from ``data.postcodes``, so the importer locates them as real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from data.synth.calibration import (ADOPTION, DISTANCE_BAND, DISTANCE_INSIDE, FOSTER, HOMES,
                                    INDEPENDENT, OTHER, OTHER_RES, PARENTS, PLACE_GROUP,
                                    RES_SCHOOL, Calibration)
from data.synth.draws import draw, systematic
from data.synth.fees import provider_types

#: Chance an uncalibrated placement is inside the LA, by DfE placement group.
INSIDE_SHARE = {FOSTER: 0.6, HOMES: 0.35, OTHER_RES: 0.4, RES_SCHOOL: 0.3, PARENTS: 0.85,
                INDEPENDENT: 0.6, ADOPTION: 0.4, OTHER: 0.5}


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


def geography_of(cal: Calibration) -> Geography:
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


def placement_places(geo: Geography, code: str, episodes: pd.DataFrame, current: pd.DataFrame,
                     rng: np.random.Generator, sectors: Callable[[str], list[str]]) -> pd.DataFrame:
    """Where each episode's placement is: LA, home URN, provider, distance and postcode
    sectors. Current episodes follow the calibrated locality and distance band (children's
    homes outside the LA by the Ofsted-places gravity model); earlier ones are drawn."""
    rng = np.random.default_rng(rng.integers(1 << 62))
    origin = geo.index[code]
    place = episodes["place"].to_numpy()
    group = np.array([PLACE_GROUP[p] for p in place])
    child = episodes["child"].to_numpy()
    current_last = episodes["last"].to_numpy() & (child < len(current))
    calibrated = current["distance"].to_numpy()[child[current_last]]
    inside, band = localities(geo, origin, place, group, current_last, calibrated, rng)
    destination = destinations(geo, origin, place, inside, band, current_last, rng)
    la = np.asarray(geo.codes, dtype=object)[destination]
    urn, sector, places = homes_placed(geo, la, place, rng)
    provider = provider_types(group, sector, destination == origin, rng)
    miles = distances(geo, origin, destination, inside, band, rng)
    home_post, pl_post = postcode_sectors(geo, code, destination, band, rng, sectors)
    return pd.DataFrame({
        "pl_la": la, "inside": inside, "band": band, "distance_miles": miles, "urn": urn,
        "home_sector": sector, "home_places": places, "provider": provider,
        "home_post": home_post, "pl_post": pl_post}, index=episodes.index)


def localities(geo: Geography, origin: int, place: np.ndarray, group: np.ndarray,
               current_last: np.ndarray, calibrated: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Whether each placement is inside the LA, and its distance band: the calibrated
    DISTANCE_BANDS cell for current placements, drawn by placement group for the rest
    (never a children's home inside an LA that has none)."""
    n = len(place)
    own_homes = geo.places[origin] > 0
    inside = rng.random(n) < np.array([INSIDE_SHARE[g] for g in range(8)])[group]
    inside &= ~((place == "K2") & ~own_homes)
    band = np.where(inside, rng.choice(3, n, p=[0.92, 0.03, 0.05]),
                    rng.choice(3, n, p=[0.45, 0.48, 0.07]))
    inside[current_last] = DISTANCE_INSIDE[calibrated]
    band[current_last] = DISTANCE_BAND[calibrated]
    return inside, band


def destinations(geo: Geography, origin: int, place: np.ndarray, inside: np.ndarray,
                 band: np.ndarray, current_last: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """The index of each placement's LA: the origin inside it; outside it, current
    children's homes by the gravity model, earlier ones by distance and Ofsted places,
    secure homes by secure places, everything else by distance and child population."""
    destination = np.full(len(place), origin)
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
    return destination


def homes_placed(geo: Geography, la: np.ndarray, place: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(URN, Ofsted sector, places) of the home of each children's home (K2) and secure
    children's home (K1) placement, in its LA; None (NaN places) for other placements."""
    n = len(place)
    urn = np.full(n, None, dtype=object)
    sector = np.full(n, None, dtype=object)
    places = np.full(n, np.nan)
    for code, provision in (("K2", "Children's home"), ("K1", "Secure children's home")):
        at = np.flatnonzero(place == code)
        urn[at], sector[at], places[at] = homes_in(geo, la[at], provision, rng)
    return urn, sector, places


def postcode_sectors(geo: Geography, code: str, destination: np.ndarray, band: np.ndarray,
                     rng: np.random.Generator, sectors: Callable[[str], list[str]]):
    """(HOME_POST, PL_POST): a sector of the LA for home, and one of the placement's LA
    where the distance is recorded (none where it is not)."""
    home_post = pick_sector(sectors(code), len(destination), rng)
    pl_post = np.full(len(destination), None, dtype=object)
    for dest in np.unique(destination):
        at = np.flatnonzero((destination == dest) & (band != 2))
        pl_post[at] = pick_sector(sectors(geo.codes[dest]), len(at), rng)
    return home_post, pl_post


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


def pick_sector(choices: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` postcode sectors drawn from an LA's sectors (None if it has none)."""
    if not choices:
        return np.full(n, None, dtype=object)
    return np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)]
