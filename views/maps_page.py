"""Maps: where the children's homes are, where each LA's children live, and how many leave
their LA and their RCC. Clicking an LA on the map selects it in the shared filters."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import cached
from analysis import flows as flow_rules
from analysis import geometry, mapping
from analysis.disclosure import SYNTHETIC_LABEL, THRESHOLD, label_if_synthetic
from analysis.scope import Scope
from components import flow_selection, map_figures
from components import placement_charts
from components.source import short_source, source_line
from views import frame

#: The street map drawn under the LAs when the toggle is on (it needs the internet; the
#: maps are complete without it). ``RCC_MAP_TILES`` names another folium tile provider.
TILES = os.environ.get("RCC_MAP_TILES", "CartoDB positron")
MAP_HEIGHT = 640
HOMES_DATE = "31 March 2023"

filters = frame.current()
scope, year = filters.scope, filters.year
releases = cached.releases()
las = cached.local_authorities()
shapes = cached.shapes()
args = frame.export_args(filters)


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


def map_frame(codes: set[str]) -> dict:
    """What both maps share: the rest of England for context, region and RCC outlines
    (and the chosen LA's), the extent of the scope (one LA: that LA) and the optional
    street map."""
    zoom_to = {scope.code} if scope.kind == "la" else codes
    outlines = [(shapes["region"], "region"), (shapes["rcc"], "rcc")]
    if scope.kind == "la":  # the chosen LA stands out from its RCC's other LAs
        outlines.append((subset(shapes["la"], {scope.code}), "selected"))
    extent = geometry.bounds(shapes["la"], zoom_to)
    return dict(outlines=outlines,
                bounds=widened(extent) if scope.kind == "la" else extent,
                context=None if scope.kind == "england" else subset(shapes["la"], codes,
                                                                      keep=False),
                tiles=TILES if st.session_state.get("map_tiles_on") else None)


def widened(extent: list[list[float]], margin: float = 0.6) -> list[list[float]]:
    """An LA's extent grown by ``margin`` of its size on every side, so its neighbours
    show around it."""
    (south, west), (north, east) = extent
    tall, wide = (north - south) * margin, (east - west) * margin
    return [[south - tall, west - wide], [north + tall, east + wide]]


def select_clicked(result: dict | None) -> None:
    """Make a clicked LA the chosen scope; app.py applies it before drawing the filters
    (a widget's value cannot change once it is drawn in a run)."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("code")
    if code in set(las["code"]) and not (scope.kind == "la" and scope.code == code):
        st.session_state.pending_la = code
        st.rerun()


#: Headings of the homes table (codes hidden on screen, kept in the download).
SECTORS, JUDGEMENTS = map_figures.SECTOR_NAMES, map_figures.JUDGEMENT_NAMES
HOMES_COLUMNS = {"region_code": None, "rcc_id": None, "date": None,
                 **{f"{measure}_{key}": f"{measure.capitalize()}: {name}"
                    for measure in ("homes", "places") for key, name in SECTORS.items()},
                 **{f"homes_{key}": f"Judged {name}" if key != "not_yet_inspected"
                    else "Not yet inspected" for key, name in JUDGEMENTS.items()}}


def la_map(codes: set[str]) -> None:
    """The choropleth with its metric selector; a click selects the LA."""
    left, middle, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    key = left.selectbox("Colour LAs by", list(mapping.METRICS), key="map_metric",
                         format_func=lambda name: mapping.METRICS[name].label)
    with_homes = middle.toggle("Show children's homes as circles", key="map_homes")
    right.toggle("Street map (online only)", key="map_tiles_on",
                 help="Draws OpenStreetMap / CARTO tiles under the LAs. The maps are complete "
                      "without it, and it needs the internet.")
    metric = mapping.METRICS[key]
    metrics = cached.map_metrics(year)
    when = HOMES_DATE if metric.homes_date else f"31 March {year}"
    source = source_line(releases, [*metric.datasets, "boundaries"], when)
    figure = map_figures.build_choropleth(
        subset(shapes["la"], codes), mapping.metric_values(metrics, metric),
        title=metric.label, unit=metric.unit, diverging=metric.diverging,
        source=short_source(releases, list(metric.datasets), when),
        symbols=(map_figures.home_symbols(shapes["points"], cached.homes_by_la(), codes,
                                          HOMES_DATE) if with_homes else None),
        symbol_title="Children's-home places", **map_frame(codes))
    select_clicked(st_folium(figure, height=MAP_HEIGHT, use_container_width=True,
                             returned_objects=["last_active_drawing"],
                             key=f"la-map-{scope.kind}-{scope.code}-{key}"))
    st.caption(source)
    with st.expander("Map values (table)"):
        frame.table(metrics[metrics["la_code"].isin(codes)].reset_index(drop=True),
                    "map-metrics", "map values", scope=map_scope(), year=year)


def homes_panel() -> None:
    """Homes and places by sector and latest Ofsted judgement, per LA, sortable."""
    table = cached.homes_in_scope(map_scope())
    st.markdown(f"Children's homes registered with Ofsted at **{HOMES_DATE}**: "
                f"**{table['homes'].sum():,} homes** with **{table['places'].sum():,} places** "
                f"in {shown_title()}. Click a column heading to sort.")
    frame.table(table, "homes-by-la", "children's homes by LA", scope=map_scope(),
                column_config=HOMES_COLUMNS)
    st.caption(source_line(releases, ["ofsted_homes"], HOMES_DATE) + " Ofsted does not "
               "publish where homes are, so nothing finer than the LA is shown. Cumbria's "
               "homes are filed under Cumbria, split in April 2023, and are not apportioned.")


def map_scope() -> Scope:
    """The scope whose LAs the maps show: the filters' scope, or for one LA its RCC."""
    if scope.kind != "la":
        return scope
    return Scope("rcc", las.set_index("code").at[scope.code, "rcc_id"])


def map_filters() -> frame.Filters:
    """The filters with the maps' scope, for export commands."""
    return frame.Filters(map_scope(), year, shown_title())


def out_of_area_panel() -> None:
    """DfE's published % outside the LA and > 20 miles, with region and England."""
    table = cached.out_of_area(scope)
    this_year = table[table["year"] == year]
    if scope.kind == "england":
        this_year = this_year[this_year["level"] != "la"]
    title = f"Children placed outside their LA and far from home, 31 March {year}"
    source = source_line(releases, ["cla_characteristic"], f"31 March {year}")
    frame.chart(placement_charts.build_out_of_area_bars(this_year, title, source),
                f"Bar chart of the % of children looked after placed outside their LA and "
                f"more than 20 miles from home, {filters.title}, with region and England")
    st.caption("Published by DfE for every LA; 'x' where DfE shows a symbol (c: suppressed, "
               "z: not applicable). At England scope the regions are shown.")
    frame.table(table, "out-of-area", "out-of-area placements, every year", scope=scope)


def flow_filters() -> tuple[str | None, str | None]:
    """The children the area matrix counts: all, one placement type or one need (one at a
    time: the tables are protected together in that shape)."""
    needs = cached.needs_vocabulary().set_index("code")["label"]
    options = ["All", *(("placement", g) for g in flow_rules.PLACEMENT_GROUPS),
               *(("need", code) for code in needs.index)]
    chosen = st.selectbox(
        "Which children", options, key="flow_children",
        format_func=lambda o: "All children" if o == "All" else
        (o[1] if o[0] == "placement" else f"Children with this need: {needs.get(o[1], o[1])}"))
    if chosen == "All":
        return None, None
    return (chosen[1], None) if chosen[0] == "placement" else (None, chosen[1])


def case_panels(shown: set[str]) -> None:
    """The flow map and the area x area matrix, from imported or synthetic placements."""
    version = cached.case_version()
    years = cached.case_years(version)
    if not years:
        st.info("No case-level placements are loaded yet. Import SSDA903 or Placements v2 "
                "files on *Data & methods*, or run `python -m data synth` for the synthetic "
                "demonstration cohort.", icon=":material/upload_file:")
        return
    case_year = year if year in years else years[-1]
    if case_year != year:
        st.info(f"Case-level placements are held for 31 March {', '.join(map(str, years))}; "
                f"showing 31 March {case_year}.", icon=":material/event:")
    flows = cached.la_flows(case_year, scope, version)
    synthetic = bool(flows.attrs.get("synthetic"))
    if synthetic:
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    flow_map(flows, shown, case_year, synthetic)
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
    st_folium(figure, height=MAP_HEIGHT, use_container_width=True, returned_objects=[],
              key=f"flow-map-{scope.kind}-{scope.code}")
    drawn = (f"The largest {len(lines)} flows from an LA to an LA in another RCC are drawn; "
             "the table lists every flow." if scope.kind == "england"
             else f"{len(lines)} flows of {THRESHOLD} or more children are drawn.")
    st.caption(f"{source} {drawn} All children: flows between single LAs are not broken "
               "down by placement type or need (almost every such count is under "
               f"{THRESHOLD}); the table below the map does that between RCCs and regions.")
    frame.table(flows, "flows", "LA-to-LA flows", part="level-la", scope=scope,
                year=case_year)


def filter_args(placement: str | None, need: str | None) -> str:
    """The export command's filter arguments matching the page's."""
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
        first, second = st.columns(2)
        first.metric(f"{highlight}: children placed inside it", percent(row["placed_inside_pct"]))
        second.metric(f"{highlight}: its children's-home places used by its own LAs",
                      percent(row["own_use_of_home_places_pct"]))
    frame.chart(placement_charts.build_sufficiency_bars(
        sufficiency, highlight, f"Self-sufficiency, 31 March {case_year}", source),
        "Bar chart of each area's % of children placed inside it and % of its children's "
        "home places used by its own LAs")
    st.caption("Places are Ofsted's registered places at 31 March 2023; some are empty or "
               "used by other areas' children, so this share is not a measure of how full "
               "the homes are.")
    frame.table(table, "flows", f"{'RCC' if level == 'rcc' else 'region'} matrix",
                part=f"level-{level}{filter_args(placement, need)}", year=case_year)


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
st.markdown("Where the children's homes are, where each local authority's children live, "
            "and how many are placed outside their LA and their RCC. **Click an area on the "
            "map to choose that LA.**")
shown = areas_shown()
# One view at a time, not tabs: Leaflet cannot size a map drawn inside a hidden tab, and
# only the chosen view's map is built and sent to the browser.
VIEWS = {"LA map": lambda: la_map(shown), "Children's homes": homes_panel,
         "Placed out of area (published)": out_of_area_panel,
         "Where children are placed (case level)": lambda: case_panels(shown)}
view = st.radio("Show", list(VIEWS), horizontal=True, key="map_view",
                label_visibility="collapsed")
VIEWS[view]()
