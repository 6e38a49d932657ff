"""Where children are placed: flows from placing LA to placement LA, area x area matrices
and each area's self-sufficiency, from case-level placements at 31 March.

RCCs exist to bring children back inside their region, so the board's two questions are
"what share of our children live inside the RCC?" and "what share of the children's-home
places in our RCC do our own LAs use?". Counts here are case-level: every count comes
from ``analysis.placement_family``, which protects all these tables together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure

#: 903 PLACE codes grouped the way a board talks about placements.
PLACEMENT_GROUPS = {
    "Foster care": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "Children's homes (incl. secure)": ("K1", "K2"),
    "Supported accommodation and independent living": ("H5", "P2", "P3"),
    "Placed with parents": ("P1",),
    "Placed for adoption": ("A3", "A4", "A5", "A6"),
    "Residential schools, health and other residential settings": ("R1", "R2", "R3", "R5",
                                                                   "S1"),
    "Other placements": ("Z1",),
}
#: The PLACE codes of children's homes, whose places Ofsted registers.
HOME_GROUP = "Children's homes (incl. secure)"
HOME_PLACEMENTS = PLACEMENT_GROUPS[HOME_GROUP]
#: Where a placement LA is blank or not an English LA (e.g. Wales, Scotland).
ELSEWHERE = "Outside England or not recorded"
TOTAL = "Total"
NOT_AVAILABLE = "x"  # DfE's symbol: not available (no case-level data for the area)


def placement_group(place: pd.Series) -> pd.Series:
    """The board-level group of each 903 PLACE code ('Other placements' if unknown)."""
    lookup = {code: group for group, codes in PLACEMENT_GROUPS.items() for code in codes}
    return place.map(lookup).fillna("Other placements")


def prefer_real(placements: pd.DataFrame) -> pd.DataFrame:
    """Real imported rows replace synthetic ones LA by LA: an LA that has sent real data is
    never counted twice, and the synthetic cohort fills in only for LAs that have not."""
    real_las = set(placements.loc[~placements["is_synthetic"], "from_code"])
    keep = ~placements["is_synthetic"] | ~placements["from_code"].isin(real_las)
    return placements[keep]


def self_sufficiency(matrix: pd.DataFrame, homes_matrix: pd.DataFrame,
                     places_by_area: pd.Series) -> pd.DataFrame:
    """Per area, from the protected matrices only (so it gives away nothing they hide):

    * placed_inside_pct: children placed in an LA of their own area, as a % of its
      children placed in England (Total less the ELSEWHERE column);
    * home_places: Ofsted-registered children's-home places in the area (published);
    * own_children_in_homes_here: the area's own children in children's homes inside it
      (the diagonal of the children's-homes matrix);
    * own_use_of_home_places_pct: those children as a % of the places.
    Each figure is "c" where a count it is made from is hidden."""
    table = pd.DataFrame(index=matrix.index)
    elsewhere = matrix[ELSEWHERE] if ELSEWHERE in matrix.columns else 0
    table["placed_inside_pct"] = [
        percent(matrix.at[area, area] if area in matrix.columns else 0,
                minus(matrix.at[area, TOTAL],
                      elsewhere if np.isscalar(elsewhere) else elsewhere[area]))
        for area in matrix.index]
    table["home_places"] = places_by_area.reindex(matrix.index).fillna(0).astype(int)
    own = [homes_matrix.at[area, area] if area in homes_matrix.columns else 0
           for area in matrix.index]
    # object, so the counts stay whole numbers when rows of areas without data join them
    table["own_children_in_homes_here"] = pd.Series(own, index=matrix.index, dtype=object)
    table["own_use_of_home_places_pct"] = [
        percent(own, places) for own, places in zip(table["own_children_in_homes_here"],
                                                    table["home_places"])]
    return table


def minus(total, part):
    """total - part, or "c" if either is hidden."""
    if disclosure.SUPPRESSED in (total, part):
        return disclosure.SUPPRESSED
    return total - part


def percent(part, whole):
    """part / whole as a % to one decimal place; "c" if either is hidden, blank if the
    whole is 0."""
    if disclosure.SUPPRESSED in (part, whole):
        return disclosure.SUPPRESSED
    return round(part / whole * 100, 1) if whole else np.nan


def mark_no_data(table: pd.DataFrame, coverage: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Rows of areas none of whose LAs' placements are held show 'x' (not available), not
    0, so a board never reads missing returns as 'no children'. ``coverage`` (with_data
    and las, by area) becomes the ``las_with_data`` column ('7 of 10'); ``keep`` columns
    are published figures."""
    out = table.copy()
    counts = coverage.reindex(out.index)
    none = counts["with_data"].fillna(0).eq(0)
    for column in out.columns.difference(keep):
        out[column] = out[column].astype(object).where(~none, NOT_AVAILABLE)
    out["las_with_data"] = [f"{int(have)} of {int(every)}" for have, every in
                            zip(counts["with_data"].fillna(0), counts["las"].fillna(0))]
    return out
