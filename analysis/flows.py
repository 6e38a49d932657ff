"""Where children are placed: flows from placing LA to placement LA, area x area matrices
and each area's self-sufficiency, from case-level placements at 31 March.

RCCs exist to bring children back inside their region, so the board's two questions are
"what share of our children live inside the RCC?" and "what share of the children's-home
places in our RCC do our own LAs use?" (one regional needs analysis found 28%). Counts
here are case-level: every table leaves this module through ``analysis.disclosure``.
"""

from __future__ import annotations

from typing import Iterable

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
HOME_PLACEMENTS = PLACEMENT_GROUPS["Children's homes (incl. secure)"]
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


def la_flows(placements: pd.DataFrame) -> pd.DataFrame:
    """Children by placing LA and placement LA (from_code, to_code, children), largest first.

    ``placements`` has one row per child looked after (from_code, to_code); a blank
    to_code (not recorded) is kept as its own destination."""
    counted = placements.assign(to_code=placements["to_code"].fillna(ELSEWHERE)).groupby(
        ["from_code", "to_code"]).size().rename("children").reset_index()
    return counted.sort_values(["children", "from_code", "to_code"],
                               ascending=[False, True, True]).reset_index(drop=True)


def area_matrix(placements: pd.DataFrame, area_of: dict[str, str],
                order: list[str]) -> pd.DataFrame:
    """Children by placing area (rows) and placement area (columns), with a Total column.

    ``area_of`` maps LA code -> area name (RCC or region); placements into an LA not in it
    go to the ELSEWHERE column. Rows and columns follow ``order``; ELSEWHERE is shown only
    when some child is there."""
    rows = placements["from_code"].map(area_of)
    columns = placements["to_code"].map(area_of).fillna(ELSEWHERE)
    matrix = pd.crosstab(rows, columns).reindex(index=order, columns=order + [ELSEWHERE],
                                                fill_value=0)
    if not matrix[ELSEWHERE].any():
        matrix = matrix.drop(columns=ELSEWHERE)
    matrix[TOTAL] = matrix.sum(axis=1)
    return matrix.rename_axis(index="placing_area", columns=None)


def self_sufficiency(placements: pd.DataFrame, area_of: dict[str, str],
                     places_by_area: pd.Series, order: list[str]) -> pd.DataFrame:
    """Per area: its children, how many live inside it, and the use of its children's-home
    places by its own LAs.

    * placed_inside_pct: children placed in an LA of their own area, as a % of its
      children whose placement LA is recorded.
    * own_use_of_home_places_pct: the area's own children in children's homes inside the
      area, as a % of the Ofsted-registered places there (``places_by_area``).
    * own_share_of_home_residents_pct: the same children as a % of all children living in
      the area's children's homes (places can be empty, so the two differ).
    """
    frame = placements.assign(from_area=placements["from_code"].map(area_of),
                              to_area=placements["to_code"].map(area_of))
    recorded = frame[frame["to_code"].notna()]
    in_homes = frame[frame["place"].isin(HOME_PLACEMENTS)]
    table = pd.DataFrame(index=pd.Index(order, name="area"))
    table["children"] = frame.groupby("from_area").size()
    table["placement_recorded"] = recorded.groupby("from_area").size()
    table["placed_inside"] = recorded[recorded["from_area"] == recorded["to_area"]].groupby(
        "from_area").size()
    table["home_places"] = places_by_area
    table["children_in_homes_here"] = in_homes.groupby("to_area").size()
    table["own_children_in_homes_here"] = in_homes[
        in_homes["from_area"] == in_homes["to_area"]].groupby("to_area").size()
    table = table.fillna(0).astype(int)
    table["placed_inside_pct"] = share(table["placed_inside"], table["placement_recorded"])
    table["own_use_of_home_places_pct"] = share(table["own_children_in_homes_here"],
                                                table["home_places"])
    table["own_share_of_home_residents_pct"] = share(table["own_children_in_homes_here"],
                                                     table["children_in_homes_here"])
    return table.reset_index()


def share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as a % to one decimal place; NaN where whole is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (part / whole.where(whole > 0) * 100).round(1)


def protect_flows(flows: pd.DataFrame, placing: Iterable[str] = ()) -> pd.DataFrame:
    """LA-to-LA flows with disclosure control applied across both directions: each
    placing LA's row and each placement LA's column is a line whose total is known (DfE
    publishes how many each LA places out and takes in), so the flows are suppressed as
    a from x to matrix and read back in long form. Zero flows are dropped, except a zero
    hidden to protect a flow: it is listed as "c", as dropping it would leave that flow
    alone in its line, recoverable from the line's total. ``flows`` has no within-LA flows; an
    LA's own cell is not part of the table, so it is never hidden to protect anything.
    ``placing``: every LA whose placements are held, flows or not (a lone flow is then
    protected by a zero in its LA's row and column)."""
    if flows.empty:
        return flows.assign(children=flows["children"].astype(object))
    matrix = flows.pivot_table(index="from_code", columns="to_code", values="children",
                               aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(index=sorted(set(matrix.index) | set(placing)),
                            columns=sorted(set(matrix.columns) | set(placing)),
                            fill_value=0).astype(float)
    for code in matrix.index.intersection(matrix.columns):
        matrix.loc[code, code] = np.nan  # not a flow: known to the reader, never hidden
    shown = disclosure.suppress_matrix(matrix)
    long = shown.rename_axis(index="from_code", columns="to_code").stack(
        future_stack=True).rename("children").reset_index()
    counts = flows.set_index(["from_code", "to_code"])["children"]
    pairs = long.set_index(["from_code", "to_code"]).index
    hidden = long["children"].eq(disclosure.SUPPRESSED)
    long = long[pairs.isin(counts.index) | hidden].copy()
    long["children"] = long["children"].map(
        lambda value: value if value == disclosure.SUPPRESSED else int(value)).astype(object)
    long["true_order"] = counts.reindex(long.set_index(["from_code", "to_code"]).index) \
        .fillna(0).values
    return long.sort_values(["true_order", "from_code", "to_code"],
                            ascending=[False, True, True]).drop(columns="true_order") \
        .reset_index(drop=True)


def protect_matrix(matrix: pd.DataFrame, held: list[str] | None = None) -> pd.DataFrame:
    """An area x area matrix with its Total column, disclosure-controlled (1-4 -> 'c', plus
    the secondary cells that stop them being recovered). Only the rows of areas whose data
    are ``held`` (default: all) take part: a row with no data is known to be empty, so a
    zero hidden there would protect nothing. The other rows come back as 'x'."""
    held = list(matrix.index) if held is None else [area for area in matrix.index
                                                    if area in set(held)]
    shown = disclosure.suppress_matrix(matrix.loc[held], row_total=TOTAL).astype(object)
    missing = pd.DataFrame(NOT_AVAILABLE, index=matrix.index.difference(held),
                           columns=matrix.columns, dtype=object)
    return pd.concat([shown, missing]).reindex(matrix.index)


def protect_sufficiency(table: pd.DataFrame) -> pd.DataFrame:
    """Self-sufficiency counts with 1-4 shown as 'c', and each % hidden with its count."""
    counts = ["children", "placement_recorded", "placed_inside", "children_in_homes_here",
              "own_children_in_homes_here"]
    shown = table.copy()
    for column in counts:
        small = disclosure.is_primary(table[column].to_numpy(dtype=float))
        shown[column] = table[column].astype(object).where(~small, disclosure.SUPPRESSED)
    for pct, count in (("placed_inside_pct", "placed_inside"),
                       ("own_use_of_home_places_pct", "own_children_in_homes_here"),
                       ("own_share_of_home_residents_pct", "own_children_in_homes_here")):
        hidden = shown[count] == disclosure.SUPPRESSED
        shown[pct] = table[pct].astype(object).where(~hidden, disclosure.SUPPRESSED)
    return shown


def hide_with_matrix(sufficiency: pd.DataFrame, matrix: pd.DataFrame,
                     homes_matrix: pd.DataFrame) -> pd.DataFrame:
    """``sufficiency`` (indexed by area) with the figures that would give away a hidden
    cell hidden too: an area's placed_inside_pct where its own cell, its Total or its
    ELSEWHERE cell of the protected ``matrix`` is "c" (the % and the cells shown would give
    it back); and its own children in homes there, with both % of them, where its own cell
    is "c" in ``matrix`` or in ``homes_matrix``. That one is the same children in
    children's homes only, as the page shows them when filtered to children's homes: its
    own cell is that very count, so the two tables cannot be played off against each
    other."""
    shown = sufficiency.copy()
    own_homes = own_hidden(matrix) | own_hidden(homes_matrix)
    for column, hide in (("placed_inside_pct", own_hidden(matrix) | edges_hidden(matrix)),
                         ("own_children_in_homes_here", own_homes),
                         ("own_use_of_home_places_pct", own_homes),
                         ("own_share_of_home_residents_pct", own_homes)):
        hide = hide.reindex(shown.index, fill_value=False).to_numpy(dtype=bool)
        shown[column] = shown[column].astype(object).where(~hide, disclosure.SUPPRESSED)
    return shown


def own_hidden(matrix: pd.DataFrame) -> pd.Series:
    """Whether each area's own cell (placed inside itself) is shown as "c"."""
    return pd.Series([matrix.at[area, area] == disclosure.SUPPRESSED for area in matrix.index],
                     index=matrix.index, dtype=bool)


def edges_hidden(matrix: pd.DataFrame) -> pd.Series:
    """Whether an area's Total or its ELSEWHERE cell is shown as "c"."""
    edges = [column for column in (TOTAL, ELSEWHERE) if column in matrix.columns]
    return matrix[edges].eq(disclosure.SUPPRESSED).any(axis=1)


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
