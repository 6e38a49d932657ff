"""Maps: where the children's homes are, where each LA's children live, and how many leave
their LA and their RCC. Clicking an LA on any map selects it in the shared filters; the
view shown is in the link (``?view=homes``), so a view can be shared."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import cached
from analysis import flows as flow_rules
from analysis import geometry, headline, mapping
from analysis.disclosure import SYNTHETIC_LABEL, THRESHOLD, label_if_synthetic
from analysis.scope import Scope
from components import flow_selection, map_figures
from components import placement_charts
from components.source import short_source, source_line
from views import frame, links

#: The street map drawn under the LAs when the toggle is on (it needs the internet; the
#: maps are complete without it). ``RCC_MAP_TILES`` names another folium tile provider.
TILES = os.environ.get("RCC_MAP_TILES", "CartoDB positron")
#: Tall enough to read an RCC from the back of a room, short enough that a 768-pixel-high
#: projector shows the whole map once scrolled to it.
MAP_HEIGHT = 580
HOMES_DATE = "31 March 2023"
#: The page's views: the link's ``view`` value -> the name the page shows.
VIEWS = {"map": "LA map", "homes": "Children's homes",
         "out-of-area": "Placed out of area (published)",
         "flows": "Where children are placed (case level)"}
DEFAULT_VIEW = "map"
#: The two published out-of-area figures the map can colour LAs by.
OUT_OF_AREA_METRICS = ("outside_la", "over_20_miles")

filters = frame.current()
scope, year = filters.scope, filters.year
releases = cached.releases()
las = cached.local_authorities()
shapes = cached.shapes()


# --- what the maps show --------------------------------------------------------------------

def map_scope() -> Scope:
    """The scope whose LAs the maps show: the filters' scope, or for one LA its RCC."""
    if scope.kind != "la":
        return scope
    return Scope("rcc", las.set_index("code").at[scope.code, "rcc_id"])


def areas_shown() -> set[str]:
    """The LAs drawn (and clickable) on the maps: the scope's, or for one LA its RCC's."""
    return set(map_scope().members(las)["code"])


def shown_title() -> str:
    """The name of the LAs on the maps: the scope's, or for one LA its RCC's."""
    if scope.kind != "la":
        return filters.title
    return f"{las.set_index('code').at[scope.code, 'rcc_name']} RCC"


def subset(collection: dict, codes: set[str], keep: bool = True) -> dict:
    """The features whose code is (or, with keep=False, is not) in ``codes``."""
    return {"type": "FeatureCollection", "features": [
        feature for feature in collection["features"]
        if (feature["properties"]["code"] in codes) == keep]}


def names_on_map(codes: set[str], extent: list[list[float]]) -> pd.DataFrame | None:
    """The LA names written on the maps: every LA drawn, except at England scope, where
    150 names would hide the map they name. Around one LA (``extent``) each neighbour is
    named inside the part of it in view, not at its middle, which may be off the map."""
    if scope.kind == "england":
        return None
    if scope.kind == "la":
        return geometry.label_points(geometry.clip(subset(shapes["la"], codes), extent))
    labels = shapes["labels"]
    return labels[labels["code"].isin(codes)]


def map_frame(codes: set[str]) -> dict:
    """What every map shares: the rest of England for context, region and RCC outlines
    (and the chosen LA's), the LAs' names, the extent of the scope (one LA: that LA and
    its neighbours) and the optional street map."""
    zoom_to = {scope.code} if scope.kind == "la" else codes
    outlines = [(shapes["region"], "region"), (shapes["rcc"], "rcc")]
    if scope.kind == "la":  # the chosen LA stands out from its RCC's other LAs
        outlines.append((subset(shapes["la"], {scope.code}), "selected"))
    extent = geometry.bounds(shapes["la"], zoom_to)
    extent = widened(extent) if scope.kind == "la" else extent
    return dict(outlines=outlines, labels=names_on_map(codes, extent), bounds=extent,
                context=None if scope.kind == "england" else subset(shapes["la"], codes,
                                                                      keep=False),
                tiles=TILES if st.session_state.get("map_tiles_on") else None)


def widened(extent: list[list[float]], margin: float = 0.6) -> list[list[float]]:
    """An LA's extent grown by ``margin`` of its size on every side, so its neighbours
    show around it."""
    (south, west), (north, east) = extent
    tall, wide = (north - south) * margin, (east - west) * margin
    return [[south - tall, west - wide], [north + tall, east + wide]]


def street_map_toggle() -> None:
    """The street map switch (one key and label in every view, so it keeps its state)."""
    st.toggle("Street map (online)", key="map_tiles_on",
              help="Draws OpenStreetMap / CARTO streets under the LAs. The maps are complete "
                   "without it, and it needs the internet.")


def show_map(figure, key: str) -> None:
    """A map on the page; clicking an LA on it selects that LA. Only the clicked layer
    comes back (its LA code), so panning or zooming never reruns the page."""
    result = st_folium(figure, height=MAP_HEIGHT, use_container_width=True,
                       returned_objects=["last_active_drawing"], key=key)
    select_clicked(result)


def select_clicked(result: dict | None) -> None:
    """Make a clicked LA the chosen scope; app.py applies it before drawing the filters
    (a widget's value cannot change once it is drawn in a run)."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("code")
    if code in set(las["code"]) and not (scope.kind == "la" and scope.code == code):
        st.session_state.pending_la = code
        st.rerun()


def choropleth(codes: set[str], view: str, key: str, with_homes: bool) -> None:
    """The LAs coloured by one metric (optionally with children's homes as circles), with
    its source under it; a click selects the LA."""
    metric = mapping.METRICS[key]
    when = HOMES_DATE if metric.homes_date else f"31 March {year}"
    figure = map_figures.build_choropleth(
        subset(shapes["la"], codes), mapping.metric_values(cached.map_metrics(year), metric),
        title=metric.label, unit=metric.unit, diverging=metric.diverging,
        source=short_source(releases, list(metric.datasets), when),
        symbols=(map_figures.home_symbols(shapes["points"], cached.homes_by_la(), codes,
                                          HOMES_DATE) if with_homes else None),
        symbol_title="Children's-home places", **map_frame(codes))
    show_map(figure, f"{view}-map-{scope.kind}-{scope.code}-{key}-{with_homes}")
    homes_source = ("" if metric.homes_date or not with_homes else " Circles: children's-home "
                    "places, " + source_line(releases, ["ofsted_homes"], HOMES_DATE))
    st.caption(source_line(releases, [*metric.datasets, "boundaries"], when) + homes_source)


# --- tables' words ----------------------------------------------------------------------------

#: Headings for the map-values table: each metric's own name, its DfE symbol beside it;
#: codes and ids that only a download needs are hidden.
METRIC_COLUMNS = {
    "region_code": None, "rcc_id": None,
    **{metric.column: metric.label for metric in mapping.METRICS.values()},
    **{f"{metric.column}_symbol": f"DfE symbol: {metric.label}"
       for metric in mapping.METRICS.values()},
    "placed_in": "Children placed in by other LAs", "placed_out": "Children placed outside",
    "placed_in_symbol": "DfE symbol: placed in", "placed_out_symbol": "DfE symbol: placed out",
}
#: Headings of the homes table (codes hidden on screen, kept in the download).
SECTORS, JUDGEMENTS = map_figures.SECTOR_NAMES, map_figures.JUDGEMENT_NAMES
HOMES_COLUMNS = {"region_code": None, "rcc_id": None, "date": None,
                 **{f"{measure}_{key}": f"{measure.capitalize()}: {name}"
                    for measure in ("homes", "places") for key, name in SECTORS.items()},
                 **{f"homes_{key}": f"Judged {name}" if key != "not_yet_inspected"
                    else "Not yet inspected" for key, name in JUDGEMENTS.items()}}
#: Headings of the published out-of-area table: the two figures DfE publishes.
OUT_OF_AREA_COLUMNS = {
    "pct_outside_la": mapping.METRICS["outside_la"].label,
    "pct_over_20_miles": mapping.METRICS["over_20_miles"].label,
    "pct_outside_la_symbol": "DfE symbol: outside the LA",
    "pct_over_20_miles_symbol": "DfE symbol: more than 20 miles", "area_code": "Area code"}
#: What each row of the out-of-area table is, in words.
LEVEL_NAMES = {"la": "LA", "region": "Region", "england": "England"}
#: Headings of the case-level tables.
FLOW_COLUMNS = {"from_code": "Placed by (LA code)", "to_code": "Placed in (LA code)",
                "placing_rcc": "Placing RCC", "placing_region": "Placing region",
                flow_rules.ELSEWHERE: "Outside England or not recorded",
                "own_children_in_homes_here": "Own children in its children's homes",
                "placement_type": "Placement type", "need": "Need"}


def codes_last(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its code columns moved to the end: people read names; a code is
    for matching a download to other data (the synthetic label kept)."""
    codes = [column for column in table.columns if column.endswith("_code")]
    moved = table[[c for c in table.columns if c not in codes] + codes]
    return label_if_synthetic(moved, bool(table.attrs.get("synthetic")))


def plural(count: int, thing: str, things: str | None = None) -> str:
    """'1 flow', '12 flows', '1,234 children'."""
    return f"{count:,} {thing if count == 1 else (things or thing + 's')}"


# --- the views -------------------------------------------------------------------------------

def la_map(codes: set[str]) -> None:
    """The choropleth with its metric selector, homes and street-map switches (stacked, so
    nothing is cut at 1024 pixels); a click selects the LA."""
    key = st.selectbox("Colour LAs by", list(mapping.METRICS), key="map_metric",
                       format_func=lambda name: mapping.METRICS[name].label)
    homes, streets = st.columns(2)
    with homes:
        with_homes = st.toggle("Children's homes as circles", key="map_homes")
    with streets:
        street_map_toggle()
    choropleth(codes, "map", key, with_homes)
    with st.expander("Map values (table)"):
        metrics = cached.map_metrics(year)
        frame.table(codes_last(metrics[metrics["la_code"].isin(codes)].reset_index(drop=True)),
                    "map-metrics", "map values", scope=map_scope(), year=year,
                    column_config=METRIC_COLUMNS)


def homes_panel(codes: set[str]) -> None:
    """Children's homes on the map (a circle per LA sized by places, over LAs coloured by
    places per 10,000 children) and, under it, homes and places by sector and latest
    Ofsted judgement per LA, sortable."""
    table = cached.homes_in_scope(map_scope())
    st.markdown(f"Children's homes registered with Ofsted at **{HOMES_DATE}**: "
                f"**{table['homes'].sum():,} homes** with **{table['places'].sum():,} places** "
                f"in {shown_title()}. Point at a circle for an LA's homes by provider "
                "sector and Ofsted judgement.")
    street_map_toggle()
    choropleth(codes, "homes", "home_places_rate", with_homes=True)
    st.caption("Ofsted does not publish where homes are, so nothing finer than the LA is "
               "shown: one circle per LA, its area in proportion to the LA's places.")
    frame.table(codes_last(table), "homes-by-la", "children's homes by LA", scope=map_scope(),
                column_config=HOMES_COLUMNS)
    st.caption("Click a column heading to sort. Cumbria's homes are filed under Cumbria, "
               "split in April 2023, and are not apportioned.")


def out_of_area_panel(codes: set[str]) -> None:
    """DfE's published % of children placed outside their LA, and % placed more than 20
    miles from home, on the map and as bars beside region and England."""
    key = st.radio("Colour LAs by", OUT_OF_AREA_METRICS, horizontal=True,
                   key="map_out_of_area", format_func=lambda k: mapping.METRICS[k].label)
    street_map_toggle()
    choropleth(codes, "out-of-area", key, with_homes=False)
    table = cached.out_of_area(scope)
    this_year = table[table["year"] == year]
    if scope.kind == "england":
        this_year = this_year[this_year["level"] != "la"]
    title = f"Children placed outside their LA, and far from home, 31 March {year}"
    source = source_line(releases, ["cla_characteristic"], f"31 March {year}")
    frame.chart(placement_charts.build_out_of_area_bars(this_year, title, source),
                f"Bar chart of the % of children looked after placed outside their LA and "
                f"the % placed more than 20 miles from home, {filters.title}, with region "
                "and England")
    st.caption("Two separate figures published by DfE for every LA: a child placed more "
               "than 20 miles from home may live inside or outside their LA. 'x' where DfE "
               "shows a symbol (c: suppressed, z: not applicable). At England scope the "
               "regions are shown.")
    frame.table(codes_last(table.assign(level=table["level"].map(LEVEL_NAMES))), "out-of-area",
                "out-of-area placements, every year", scope=scope,
                column_config=OUT_OF_AREA_COLUMNS)


def flow_filters() -> tuple[str | None, str | None]:
    """The children the area matrix counts: all, one placement type or one need (one at a
    time: the tables are protected together in that shape)."""
    needs = need_labels()
    options = ["All", *(("placement", g) for g in flow_rules.PLACEMENT_GROUPS),
               *(("need", code) for code in needs.index)]
    chosen = st.selectbox(
        "Which children", options, key="flow_children",
        format_func=lambda o: "All children" if o == "All" else
        (o[1] if o[0] == "placement" else f"Children with this need: {needs.get(o[1], o[1])}"))
    if chosen == "All":
        return None, None
    return (chosen[1], None) if chosen[0] == "placement" else (None, chosen[1])


def need_labels() -> pd.Series:
    """Each need's name as people read it ('Criminal exploitation'), by its code."""
    return cached.needs_vocabulary().set_index("code")["label"]


def case_panels(codes: set[str]) -> None:
    """The flow map and the area x area matrix, from imported or synthetic placements."""
    version = cached.case_version()
    case_year = frame.case_year(year, version)
    if case_year is None:
        return
    flows = cached.la_flows(case_year, scope, version)
    synthetic = bool(flows.attrs.get("synthetic"))
    if synthetic:
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    street_map_toggle()
    flow_map(flows, codes, case_year, synthetic)
    matrix_panel(case_year, version)


def flow_map(flows: pd.DataFrame, shown: set[str], case_year: int, synthetic: bool) -> None:
    """Lines from placing LA to placement LA for the flows touching the scope's LAs, width
    by children; flows under THRESHOLD (and those hidden to protect them) are not drawn."""
    codes = set(scope.members(las)["code"])
    lines = flow_selection.flow_lines(flows, scope, las, shapes["points"])
    origin = "synthetic cohort calibrated to DfE, Ofsted and ONS" if synthetic else "LA returns"
    short = label_if_synthetic(f"Case-level placements ({origin}), 31 March {case_year}. "
                               f"Flows under {THRESHOLD} not shown.", synthetic)
    source = label_if_synthetic(
        f"Children looked after at 31 March {case_year}: case-level placements ({origin}). "
        f"Flows of fewer than {THRESHOLD} children are not shown (disclosure control). "
        + source_line(releases, ["boundaries"]), synthetic)
    title = ("Children placed outside their own RCC: the largest flows"
             if scope.kind == "england" else
             f"Where {filters.title}'s children are placed, and who places children there")
    ends = codes | set(lines["from_code"]) | set(lines["to_code"])  # every line in view
    figure = map_figures.build_flow_map(subset(shapes["la"], shown), lines, title=title,
                                        source=short, **{**map_frame(shown), "bounds":
                                                         geometry.bounds(shapes["la"], ends)})
    show_map(figure, f"flow-map-{scope.kind}-{scope.code}")
    drawn = (f"The largest {plural(len(lines), 'flow')} from an LA to an LA in another RCC "
             "are drawn; the table lists every flow." if scope.kind == "england"
             else f"{plural(len(lines), 'flow')} of {THRESHOLD} or more children drawn.")
    st.caption(f"{source} {drawn} All children: flows between single LAs are not broken "
               "down by placement type or need (almost every such count is under "
               f"{THRESHOLD}); the table below the map does that between RCCs and regions.")
    frame.table(codes_last(flows), "flows", "LA-to-LA flows", part="level-la", scope=scope,
                year=case_year, column_config=FLOW_COLUMNS)


def filter_args(placement: str | None, need: str | None) -> str:
    """The filter part of a download's name matching the page's choice of children."""
    return (f' --placement "{placement}"' if placement else "") + \
        (f" --need {need}" if need else "")


def matrix_panel(case_year: int, version: int) -> None:
    """The RCC x RCC (or region x region) matrix and each area's self-sufficiency."""
    st.subheader("Between RCCs: where each RCC's children live")
    placement, need = flow_filters()
    level = st.radio("Areas", ["rcc", "region"], horizontal=True, key="flow_level",
                     format_func={"rcc": "RCCs", "region": "Regions"}.get)
    table = cached.area_flows(case_year, level, placement, need, version)
    if table.attrs.get("note"):
        st.info(table.attrs["note"])
    synthetic = bool(table.attrs.get("synthetic"))
    area_column = f"placing_{level}"
    names = list(table[area_column])
    highlight = chosen_area(level)
    source = label_if_synthetic(f"Children looked after at 31 March {case_year}, case-level "
                                f"placements; counts under {THRESHOLD} shown as c. "
                                "Children's-home places: "
                                + source_line(releases, ["ofsted_homes"], HOMES_DATE), synthetic)
    matrix = table.set_index(area_column)[[c for c in table.columns if c in names
                                           or c == flow_rules.ELSEWHERE]]
    frame.chart(placement_charts.build_flow_matrix(
        matrix, highlight, f"Where each {'RCC' if level == 'rcc' else 'region'}'s children "
        f"live, 31 March {case_year}", source),
        "Heatmap of children by placing area and the area where they live")
    sufficiency = table.rename(columns={area_column: "area"})
    if highlight in names:
        row = sufficiency.set_index("area").loc[highlight]
        st.markdown(f"**{highlight}**")
        first, second = st.columns(2)
        first.metric("Its children placed inside it", percent(row["placed_inside_pct"]))
        second.metric("Its home places used by its own LAs",
                      percent(row["own_use_of_home_places_pct"]))
    frame.chart(placement_charts.build_sufficiency_bars(
        sufficiency, highlight, f"Self-sufficiency, 31 March {case_year}", source),
        "Bar chart of each area's % of children placed inside it and % of its children's "
        "home places used by its own LAs")
    st.caption("Places are Ofsted's registered places at 31 March 2023; some are empty or "
               "used by other areas' children, so this share is not a measure of how full "
               "the homes are.")
    frame.table(in_words(table), "flows", f"{'RCC' if level == 'rcc' else 'region'} matrix",
                part=f"level-{level}{filter_args(placement, need)}", year=case_year,
                column_config={**FLOW_COLUMNS, **{name: name for name in names}})


def in_words(table: pd.DataFrame) -> pd.DataFrame:
    """The matrix with its need named as people read it ('Criminal exploitation', not
    the code), the synthetic label kept."""
    named = table.assign(need=table["need"].map(need_labels()).fillna(table["need"]))
    return label_if_synthetic(named, bool(table.attrs.get("synthetic")))


def chosen_area(level: str) -> str | None:
    """The name of the scope's RCC or region at this level, to highlight (None: England)."""
    if scope.kind == "england":
        return None
    column = {"rcc": "rcc_name", "region": "region_name"}[level]
    return scope.members(las)[column].iloc[0] if scope.kind in (level, "la") else None


def percent(value) -> str:
    """A % for a metric card, or its symbol."""
    return value if isinstance(value, str) else f"{value:.0f}%"


st.title(f"Maps: {filters.title}")
st.markdown(headline.maps_answer(cached.scope_summary(scope, year), filters.title, scope.kind)
            + " **Click an area on the map to choose that LA.**")
# One view at a time, not tabs: Leaflet cannot size a map drawn inside a hidden tab, and
# only the chosen view's map is built and sent to the browser.
PANELS = {"map": la_map, "homes": homes_panel, "out-of-area": out_of_area_panel,
          "flows": case_panels}
PANELS[links.chosen_view(VIEWS, DEFAULT_VIEW, "map_view")](areas_shown())
