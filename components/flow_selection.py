"""Which LA-to-LA flows a flow map draws, and which way each runs for the scope shown.

Kept apart from the folium builders in ``components.map_figures``: this is a choice about
the data (protected counts of THRESHOLD or more, the largest flows out of an RCC at
England scope), not about drawing.
"""

from __future__ import annotations

import pandas as pd

from analysis.disclosure import THRESHOLD
from analysis.scope import Scope

#: At England scope only the largest flows out of an RCC are drawn (the table lists all).
ENGLAND_FLOW_LINES = 150


def flow_lines(flows: pd.DataFrame, scope: Scope, las: pd.DataFrame, points: pd.DataFrame,
               limit: int = ENGLAND_FLOW_LINES) -> pd.DataFrame:
    """The flows a map can draw (THRESHOLD or more children, between English LAs) with both
    ends' points and their direction: the ``flows`` of build_flow_map, from an LA-to-LA flows
    table (from_code, to_code, children: a count or a symbol). ``las`` has code and
    rcc_id; ``points`` code, lat and lon. At England scope every flow is inside, so the
    map shows what a board asks of England: the ``limit`` largest flows out of an LA's
    own RCC."""
    codes = set(scope.members(las)["code"])
    lines = flows[pd.to_numeric(flows["children"], errors="coerce") >= THRESHOLD]
    lines = lines[lines["to_code"].isin(set(las["code"]))]
    lines = lines.assign(children=lines["children"].astype(int))
    if scope.kind == "england":
        rcc_of = las.set_index("code")["rcc_id"]
        lines = lines[lines["from_code"].map(rcc_of) != lines["to_code"].map(rcc_of)]
        lines = lines.nlargest(limit, "children", keep="first")
    points = points.set_index("code")
    return lines.assign(
        from_lat=lines["from_code"].map(points["lat"]),
        from_lon=lines["from_code"].map(points["lon"]),
        to_lat=lines["to_code"].map(points["lat"]), to_lon=lines["to_code"].map(points["lon"]),
        direction=["out" if scope.kind == "england" else direction(a in codes, b in codes)
                   for a, b in zip(lines["from_code"], lines["to_code"])])


def direction(from_inside: bool, to_inside: bool) -> str:
    """'within' the scope, 'out' of it, or 'in' to it."""
    if from_inside and to_inside:
        return "within"
    return "out" if from_inside else "in"
