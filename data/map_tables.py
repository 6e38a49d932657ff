"""The tables the Maps page shows and ``python -m data export`` writes: LA map metrics,
children's homes by LA, published out-of-area placements, and case-level flows.

Published figures (DfE, Ofsted, ONS) keep their symbols. Case-level flows come from the
imported or synthetic placements at 31 March and leave here disclosure-controlled and,
when synthetic, labelled (``attrs['synthetic']``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, or_, select

from analysis import flows as flow_rules
from analysis import rates, reorganisation
from analysis import homes as home_rules
from analysis.disclosure import label_if_synthetic
from analysis.placement_family import Geography, PlacementFamily
from analysis.scope import Scope
from data import queries
from data import schema as s
from data.errors import UserInputError
from data.kept import kept
from data.sources import ENGLAND
from data.tables import check_scope, check_year, la_rates, las_with_history, scope_codes

HOMES_YEAR = 2023  # Ofsted's list of children's homes is at 31 March 2023
LOCALITY = "Locality of placement"
OUTSIDE = "Placed outside the local authority boundary"
DISTANCE = "Distance between home and placement"
FAR = "Placed more than 20 miles from home"
PLACED_IN_GROUP = "LA of placement"
PLACED_IN = "2. Other LA children externally placed within the local authority boundary"
LEVELS = ("la", "rcc", "region")


def place_columns(engine: Engine) -> pd.DataFrame:
    """Current LAs with the names of their region and RCC (the rows of every map table)."""
    las = queries.local_authorities(engine)
    return pd.DataFrame({"la_code": las["code"], "la_name": las["name"],
                         "region_code": las["region_code"], "region_name": las["region_name"],
                         "rcc_id": las["rcc_id"], "rcc": las["rcc_name"]})


# --- children's homes -------------------------------------------------------------------

def homes_by_la(engine: Engine) -> pd.DataFrame:
    """Homes and places per LA by sector and latest Ofsted judgement, 31 March 2023: the
    ``homes-by-la`` table. Every current LA is listed (0 where Ofsted lists no home), and
    so is any council Ofsted still filed homes under (Cumbria, split in April 2023)."""
    counted = home_rules.homes_by_la(queries.homes(engine))
    places = place_columns(engine)
    historic = queries.all_local_authorities(engine).set_index("code")
    extra = sorted(set(counted["la_code"]) - set(places["la_code"]))
    old = pd.DataFrame({"la_code": extra, "la_name": [f"{historic.at[c, 'name']} (former)"
                                                      for c in extra],
                        "region_code": [historic.at[c, "region_code"] for c in extra]})
    old["region_name"] = old["region_code"].map(
        queries.regions(engine).set_index("code")["name"])
    table = pd.concat([places, old], ignore_index=True).merge(counted, on="la_code",
                                                               how="left")
    counts = [column for column in counted.columns if column != "la_code"]
    table[counts] = table[counts].fillna(0).astype(int)
    return table.assign(date=f"31 March {HOMES_YEAR}").sort_values("la_name").reset_index(
        drop=True)


def homes_in_scope(engine: Engine, scope: Scope) -> pd.DataFrame:
    """``homes_by_la`` for the scope's LAs: the ``homes-by-la --scope`` table. A former
    council Ofsted still files homes under (Cumbria) is listed where all its successors
    are in scope, as every aggregate treats it."""
    check_scope(engine, scope)
    table = homes_by_la(engine)
    if scope.kind == "england":
        return table
    return table[table["la_code"].isin(scope_codes(engine, scope))].reset_index(drop=True)


def homes_symbols(engine: Engine) -> pd.Series:
    """'x' for current LAs whose homes Ofsted filed under a council split after its list
    (nothing is apportioned), by LA code."""
    homes = queries.homes(engine)
    changes = queries.code_changes(engine)
    current = set(queries.local_authorities(engine)["code"])
    split = changes[changes["change"].isin(reorganisation.BREAKING)
                    & changes["old_code"].isin(set(homes["la_code"]))
                    & changes["new_code"].isin(current)]
    return pd.Series("x", index=sorted(set(split["new_code"])), dtype=object)


# --- the choropleth's metrics -------------------------------------------------------------

def characteristic_values(engine: Engine, group: str, characteristic: str, year: int,
                          column: str) -> pd.DataFrame:
    """One DfE characteristic's published LA value for a year (number or percentage,
    with its symbol), indexed by LA code."""
    table = queries.characteristic(engine, group)
    table = table[(table["year"] == year) & (table["characteristic"] == characteristic)
                  & (table["level"] == "la")].set_index("area_code")
    return pd.DataFrame({"value": table[column], "symbol": table[f"{column}_symbol"]})


def map_metrics(engine: Engine, year: int) -> pd.DataFrame:
    """Every current LA's value of each map metric for ``year``, with DfE symbols: the
    ``map-metrics`` table. Homes and places are Ofsted's at 31 March 2023, rated per
    10,000 children with ONS mid-2022; net flow is DfE's children placed in the LA by
    other LAs minus the LA's own children placed outside it."""
    check_year(engine, year)
    table = place_columns(engine).set_index("la_code")
    rated = la_rates(engine, year).set_index("la_code")
    table["year"] = year
    table["cla_rate_per_10k"] = rated["rate_per_10k"]
    table["cla_rate_per_10k_symbol"] = rated["children_symbol"]
    homes = homes_by_la(engine).set_index("la_code")
    no_homes = homes_symbols(engine)
    for column in ("homes", "places"):
        table[column] = homes[column].where(~homes.index.isin(no_homes.index))
        table[f"{column}_symbol"] = no_homes
    population = queries.population(engine)
    population = population[population["mid_year"] == rates.population_mid_year(HOMES_YEAR)]
    table["home_places_per_10k"] = rates.rate_per_10k(
        table["places"], population.set_index("area_code")["population_0_17"]).round(1)
    table["home_places_per_10k_symbol"] = no_homes
    published = {
        "pct_outside_la": (LOCALITY, OUTSIDE, "percentage"),
        "pct_over_20_miles": (DISTANCE, FAR, "percentage"),
        "placed_in": (PLACED_IN_GROUP, PLACED_IN, "number"),
        "placed_out": (LOCALITY, OUTSIDE, "number"),
    }
    for name, (group, characteristic, column) in published.items():
        values = characteristic_values(engine, group, characteristic, year, column)
        table[name] = values["value"]
        table[f"{name}_symbol"] = values["symbol"]
    table["net_flow"] = table["placed_in"] - table["placed_out"]
    table["net_flow_symbol"] = table["placed_in_symbol"].fillna(table["placed_out_symbol"])
    return table.reset_index()


def metrics_in_scope(engine: Engine, year: int, scope: Scope) -> pd.DataFrame:
    """``map_metrics`` for the scope's current LAs: the ``map-metrics --scope`` table."""
    check_scope(engine, scope)
    table = map_metrics(engine, year)
    members = set(scope.members(queries.local_authorities(engine))["code"])
    return table[table["la_code"].isin(members)].reset_index(drop=True)


# --- published out-of-area placements -----------------------------------------------------

def out_of_area(engine: Engine, scope: Scope) -> pd.DataFrame:
    """DfE's % of children looked after placed outside their LA and > 20 miles from home,
    every year, for the scope's LAs, their regions and England: the ``out-of-area`` table."""
    check_scope(engine, scope)
    members = set(scope.members(queries.local_authorities(engine))["code"])
    names = pd.concat([queries.all_local_authorities(engine).set_index("code")["name"],
                       queries.regions(engine).set_index("code")["name"],
                       pd.Series({ENGLAND: "England"})])
    las = queries.local_authorities(engine).set_index("code")
    areas = members | set(las.loc[sorted(members), "region_code"]) | {ENGLAND}
    parts = []
    for name, group, characteristic in (("pct_outside_la", LOCALITY, OUTSIDE),
                                        ("pct_over_20_miles", DISTANCE, FAR)):
        table = queries.characteristic(engine, group)
        table = table[(table["characteristic"] == characteristic)
                      & table["area_code"].isin(areas)]
        parts.append(table.set_index(["area_code", "year", "level"])[
            ["percentage", "percentage_symbol"]].rename(
            columns={"percentage": name, "percentage_symbol": f"{name}_symbol"}))
    table = pd.concat(parts, axis=1).reset_index()
    table.insert(1, "area_name", table["area_code"].map(names))
    order = table["level"].map({"la": 0, "region": 1, "england": 2})
    return table.assign(_order=order).sort_values(["_order", "area_name", "year"]).drop(
        columns="_order").reset_index(drop=True)


# --- case-level flows ---------------------------------------------------------------------

def case_years(engine: Engine) -> list[int]:
    """Years (31 March) for which case-level placements have been imported or generated."""
    c = s.CaseImport
    periods = queries.frame(engine, select(c.period).where(
        c.outcome.in_(["imported", "replaced"])).distinct())["period"]
    return sorted({int(str(period)[:4]) for period in periods})


def placements_at(engine: Engine, year: int) -> pd.DataFrame:
    """One row per child looked after at 31 March ``year`` (from_code = placing LA,
    to_code = placement LA, place = 903 PLACE, distance_band), real data preferred to
    synthetic LA by LA."""
    e = s.Episode
    statement = select(e.child_id, e.placing_la.label("from_code"),
                       e.placement_la.label("to_code"), e.placement_type.label("place"),
                       e.distance_band, e.is_synthetic).where(open_on(year))
    rows = queries.frame(engine, statement)
    rows["is_synthetic"] = rows["is_synthetic"].astype(bool)
    rows = rows.drop_duplicates("child_id", keep="last")  # one placement per child
    return flow_rules.prefer_real(rows).reset_index(drop=True)


def open_on(year: int):
    """The condition of an episode open at 31 March ``year`` (started by then, not ended)."""
    e = s.Episode
    day = pd.Timestamp(year=year, month=3, day=31).date()
    return and_(e.start_date <= day, or_(e.end_date.is_(None), e.end_date > day))


def needs_at(engine: Engine, year: int) -> pd.DataFrame:
    """(child_id, need) for needs recorded at an assessment on or before 31 March ``year``."""
    n = s.NeedsAssessment
    day = pd.Timestamp(year=year, month=3, day=31).date()
    return queries.frame(engine, select(n.child_id, n.need).where(
        n.assessed_on <= day).distinct())


def placement_family(engine: Engine, year: int) -> PlacementFamily:
    """Every table of children by placing and placement area for 31 March ``year``,
    protected together, as kept in the store for the current data (made and kept first if
    it is not: ``data.kept``). The expensive step of the case-level views, the All RCCs
    comparison and a board pack; the app also caches it in memory."""
    return kept(engine, f"placement-family:{year}", lambda: build_placement_family(engine, year))


def build_placement_family(engine: Engine, year: int) -> PlacementFamily:
    """The same, made and protected now (``analysis.placement_family``); a UserInputError
    for a year without case-level data."""
    check_case_year(engine, year)
    placements = placements_at(engine, year)
    placements["group"] = flow_rules.placement_group(placements["place"])
    everyone = las_with_history(engine)
    geography = Geography(*({code: area for code, area in zip(everyone["code"], everyone[c])
                             if isinstance(area, str)} for c in ("rcc_name", "region_name")))
    held = set(placements["from_code"])
    return PlacementFamily(placements, needs_at(engine, year), geography, held,
                           list(flow_rules.PLACEMENT_GROUPS),
                           synthetic=bool(placements["is_synthetic"].any()),
                           every_la_held=held >= set(queries.local_authorities(engine)["code"]))


def check_filters(engine: Engine, placement: str | None, need: str | None) -> None:
    """A UserInputError unless the filters name a known placement type or need, and at
    most one of them (tables break down by one or the other)."""
    if placement is not None and need is not None:
        raise UserInputError("Choose a placement type or a need, not both: the tables "
                             "break down by one at a time.")
    if placement is not None and placement not in flow_rules.PLACEMENT_GROUPS:
        raise UserInputError(f"Unknown placement type '{placement}': choose from "
                             f"{', '.join(flow_rules.PLACEMENT_GROUPS)}.")
    if need is not None:
        known = set(queries.frame(engine, select(s.NeedCategory.code))["code"])
        if need not in known:
            raise UserInputError(f"Unknown need '{need}': choose from {', '.join(sorted(known))}.")


def check_case_year(engine: Engine, year: int) -> int:
    """``year`` if case-level placements exist for 31 March of it, else a UserInputError."""
    years = case_years(engine)
    if year not in years:
        have = ", ".join(map(str, years)) or "none (run python -m data synth or import)"
        raise UserInputError(f"No case-level placements at 31 March {year}. Years held: {have}.")
    return year


def la_flows(engine: Engine, year: int, scope: Scope = Scope(),
             family: PlacementFamily | None = None) -> pd.DataFrame:
    """Children placed by one LA in another at 31 March ``year``, for flows leaving or
    entering the scope: the ``flows --level la`` table (all children: LA-to-LA counts are
    not broken down by placement type or need, see ``analysis.placement_family``)."""
    check_scope(engine, scope)
    every = england_la_flows(engine, year, family)
    if scope.kind == "england":
        return every
    return flows_touching(every, scope_codes(engine, scope))


def england_la_flows(engine: Engine, year: int,
                     family: PlacementFamily | None = None) -> pd.DataFrame:
    """Every LA-to-LA flow in England, both ends named, cut from the protected family, so
    a flow shows the same in every scope and every table."""
    family = family or placement_family(engine, year)
    shown = family.la_flows()
    names = queries.all_local_authorities(engine).set_index("code")["name"]
    table = pd.DataFrame({
        "year": year, "from_code": shown["from_code"],
        "from_name": shown["from_code"].map(names),
        "to_code": shown["to_code"], "to_name": shown["to_code"].map(names).fillna(
            flow_rules.ELSEWHERE),
        "children": shown["children"]})
    return label_if_synthetic(table, family.synthetic)


def flows_touching(table: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """The flows that leave or enter the LAs ``codes`` (the synthetic label kept)."""
    inside = table["from_code"].isin(codes) | table["to_code"].isin(codes)
    return label_if_synthetic(table[inside].reset_index(drop=True),
                              table.attrs.get("synthetic", False))


TYPES_WITHHELD = ("Too few children this year to show them by placement type without "
                  "giving away small numbers, so every count of this table is shown as c.")


def area_flows(engine: Engine, year: int, level: str = "rcc", placement: str | None = None,
               need: str | None = None, family: PlacementFamily | None = None) -> pd.DataFrame:
    """Where each RCC's (or region's) children are placed at 31 March ``year``, as a matrix
    (rows placing area, columns placement area, Total), then each area's self-sufficiency:
    the ``flows --level rcc|region`` table, for all children, one placement type or
    children with one need."""
    if level not in ("rcc", "region"):
        raise UserInputError(f"Unknown level '{level}': use la, rcc or region.")
    check_filters(engine, placement, need)
    family = family or placement_family(engine, year)
    las = queries.local_authorities(engine)
    column = {"rcc": "rcc_name", "region": "region_name"}[level]
    order = sorted(set(las[column].dropna()))
    matrix = family.area_table(level, placement, need)
    homes_matrix = family.area_table(level, flow_rules.HOME_GROUP)
    homes = queries.homes(engine)
    places = homes.groupby(homes["la_code"].map(area_lookup(engine, column)))["places"].sum()
    sufficiency = flow_rules.self_sufficiency(matrix, homes_matrix, places)
    table = matrix.join(sufficiency[SUFFICIENCY_COLUMNS]).reindex(order)
    table = flow_rules.mark_no_data(table, coverage(las, column, family.held),
                                    keep=["home_places"])
    table["home_places"] = places.reindex(table.index).fillna(0).astype(int)
    table = table.rename_axis(index="placing_" + level).reset_index()
    table.insert(0, "year", year)
    table["placement_type"], table["need"] = placement or "All", need or "All"
    if placement is not None and family.types_withheld:
        table.attrs["note"] = TYPES_WITHHELD
    return label_if_synthetic(table, family.synthetic)


def coverage(las: pd.DataFrame, column: str, held) -> pd.DataFrame:
    """Per area: how many of its LAs' case-level placements are held (with_data), of all
    its LAs (las)."""
    with_data = las[las["code"].isin(set(held))].groupby(column).size()
    every = las.groupby(column).size()
    return pd.DataFrame({"with_data": with_data.reindex(every.index, fill_value=0),
                         "las": every})


SUFFICIENCY_COLUMNS = ["placed_inside_pct", "home_places", "own_children_in_homes_here",
                       "own_use_of_home_places_pct"]


def area_lookup(engine: Engine, column: str) -> dict[str, str]:
    """LA code -> RCC or region name, including councils abolished since (Ofsted still
    files some homes under Cumbria) where ``las_with_history`` places them."""
    everyone = las_with_history(engine)
    return {code: area for code, area in zip(everyone["code"], everyone[column])
            if isinstance(area, str)}


def flows(engine: Engine, year: int, level: str = "la", scope: Scope = Scope(),
          placement: str | None = None, need: str | None = None) -> pd.DataFrame:
    """The ``flows`` export: LA-to-LA flows (``level='la'``) or the RCC / region matrix."""
    if level == "la":
        if placement is not None or need is not None:
            raise UserInputError("LA-to-LA flows are for all children: use --level rcc or "
                                 "region to break them down by placement type or need.")
        return la_flows(engine, year, scope)
    return area_flows(engine, year, level, placement, need)


# --- boundaries ---------------------------------------------------------------------------

def boundaries(engine: Engine, level: str) -> pd.DataFrame:
    """Stored ONS boundaries (code, name, GeoJSON geometry text) for 'la' or 'region'."""
    b = s.Boundary
    return queries.frame(engine, select(b.code, b.name, b.geometry).where(b.level == level)
                         .order_by(b.code))
