"""Map drawing: classing, the choropleth and flow maps, offline Leaflet, and boundary geometry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from shapely.geometry import Point, shape

from analysis import geometry
from components import flow_selection, map_behaviour, map_classes, map_figures

BOUNDARIES = (Path(__file__).resolve().parents[1]
              / "data/open/boundaries/england_ctyua_dec2023_buc_valid_with_region.geojson")


@pytest.fixture(scope="module")
def england() -> dict:
    """All 153 LAs as the store holds them: properties code and name only."""
    published = json.loads(BOUNDARIES.read_text())
    rows = pd.DataFrame([(f["properties"]["ctyua23cd"], f["properties"]["ctyua23nm"],
                          json.dumps(f["geometry"])) for f in published["features"]],
                        columns=["code", "name", "geometry"])
    return geometry.feature_collection(rows)


@pytest.fixture(scope="module")
def region_of() -> dict[str, str]:
    """LA code -> region name, from the same file."""
    published = json.loads(BOUNDARIES.read_text())
    return {f["properties"]["ctyua23cd"]: f["properties"]["rgn23nm"]
            for f in published["features"]}


def codes_of(collection: dict) -> list[str]:
    return [feature["properties"]["code"] for feature in collection["features"]]


def made_up_values(codes: list[str], seed: int = 1) -> pd.DataFrame:
    """Rates for every LA, two of them suppressed ("c") and one not available ("x")."""
    rng = np.random.default_rng(seed)
    values = pd.DataFrame({"value": rng.gamma(4, 20, len(codes)).round(1)}, index=codes)
    values.iloc[[0, 1], 0] = np.nan
    values.iloc[2, 0] = np.nan
    values["shown"] = [f"{v:.0f}" for v in values["value"]]
    values.iloc[[0, 1], 1] = "c"
    values.iloc[2, 1] = "x"
    values["rank"] = [f"{i % 12 + 1} of 12 in North East" for i in range(len(codes))]
    return values


def walk(element):
    """Every element under ``element``, as streamlit_folium walks them for JS/CSS links."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def geojson_layers(m: folium.Map) -> list[folium.GeoJson]:
    return [e for e in walk(m) if isinstance(e, folium.GeoJson)]


def class_name(layer: folium.GeoJson) -> str | None:
    """The className a GeoJson layer gives its paths (None if it has no features)."""
    features = layer.data["features"]
    return layer.style_function(features[0])["className"] if features else None


def layer_with(m: folium.Map, name: str) -> folium.GeoJson:
    """The one GeoJson layer whose paths have class ``name``."""
    [layer] = [layer for layer in geojson_layers(m) if class_name(layer) == name]
    return layer


def legend_of(m: folium.Map) -> str:
    [legend] = [e for e in walk(m) if isinstance(e, map_figures.Legend)]
    return legend.content


@pytest.fixture(scope="module")
def choropleth(england, region_of) -> folium.Map:
    regions = geometry.dissolve(england, region_of, {name: name for name in region_of.values()})
    points = geometry.points(england)
    symbols = points.assign(size=np.arange(len(points)) % 90 + 1,
                            label=points["code"] + ": children's home places")
    return map_figures.build_choropleth(
        england, made_up_values(codes_of(england)), title="Children looked after per 10,000",
        unit="per 10,000 children", source="DfE, CLA 2025", outlines=[(regions, "region")],
        symbols=symbols, symbol_title="Children's home places")


# Classing -------------------------------------------------------------------------------

def test_breaks_are_k_nice_increasing_classes():
    values = np.random.default_rng(4).gamma(4, 20, 150)
    breaks = map_classes.class_breaks(values)
    assert len(breaks) == 6
    assert breaks == sorted(set(breaks))
    assert breaks[0] <= values.min() and breaks[-1] >= values.max()
    assert all(map_classes.nice(edge) == edge for edge in breaks)


def test_nice_rounds_to_numbers_a_reader_can_hold():
    assert [map_classes.nice(x) for x in (47.9, 62.3, 74.6, 0.0341)] == [50, 60, 75, 0.034]
    assert map_classes.nice(187, "ceil") == 200 and map_classes.nice(12.3, "floor") == 12


def test_few_distinct_values_give_fewer_classes():
    assert map_classes.class_breaks([10, 20, 10, 20]) == [10, 15, 20]


@pytest.mark.parametrize("values", [[], [np.nan, np.nan], [7], [7, 7, np.nan]])
def test_empty_and_single_values_do_not_crash(values):
    breaks = map_classes.class_breaks(values)
    palette = map_classes.palette_for(breaks)
    colours = {map_classes.colour_for(v, breaks, palette) for v in values}
    assert len(map_classes.class_labels(breaks, True)) == max(len(breaks) - 1, 0)
    assert colours <= {map_classes.NOT_AVAILABLE, *palette}
    if [v for v in values if not np.isnan(v)]:
        assert breaks == [7, 7] and map_classes.class_labels(breaks, True) == ["7"]


def test_diverging_breaks_are_symmetric_with_zero_in_a_neutral_middle_class():
    values = np.random.default_rng(2).normal(-30, 80, 150).round()
    breaks = map_classes.class_breaks(values, diverging=True)
    assert len(breaks) == 6
    assert breaks == [-b for b in reversed(breaks)]
    palette = map_classes.palette_for(breaks, diverging=True)
    assert map_classes.colour_for(0, breaks, palette) == palette[2] == "#f7f7f7"
    for edge in breaks[2:4]:  # the neutral class holds both its edges
        assert map_classes.colour_for(edge, breaks, palette) == palette[2]
    assert map_classes.colour_for(breaks[0], breaks, palette) == palette[0]
    assert map_classes.colour_for(breaks[-1], breaks, palette) == palette[-1]


def test_diverging_all_zero_is_one_neutral_class():
    breaks = map_classes.class_breaks([0, 0, 0], diverging=True)
    assert map_classes.colour_for(0, breaks, map_classes.palette_for(breaks, True)) == "#f7f7f7"


def test_labels_follow_the_class_edges():
    assert map_classes.class_labels([0, 25, 50, 75], whole=True) == [
        "0 to 25", "26 to 50", "51 to 75"]
    assert map_classes.class_labels([-50, -10, 10, 50], whole=True) == [
        "\u221250 to \u221211", "\u221210 to 10", "11 to 50"]
    assert map_classes.class_labels([10, 20.5, 30], whole=False) == [
        "10 to 20.5", "over 20.5 to 30"]
    assert map_classes.class_labels([-30, -20.5, -10], whole=False) == [
        "\u221230 to under \u221220.5", "\u221220.5 to \u221210"]
    breaks, palette = [0, 25, 50, 75], map_classes.SEQUENTIAL[3]
    assert [map_classes.colour_for(v, breaks, palette) for v in (0, 25, 26, 50, 51, 75)] == [
        palette[0], palette[0], palette[1], palette[1], palette[2], palette[2]]


def test_not_available_is_grey():
    assert map_classes.colour_for(np.nan, [0, 10], ["#ffffcc"]) == map_classes.NOT_AVAILABLE


def test_reference_values_are_round_and_in_range():
    assert map_classes.reference_values(5, 87) == [50, 10]
    assert map_classes.reference_values(1, 300) == [200, 50, 10]
    assert map_classes.reference_values(37, 37) == [map_classes.nice(37)]


# Choropleth -----------------------------------------------------------------------------

def test_every_la_is_one_la_area_feature(choropleth, england):
    layer = layer_with(choropleth, "la-area")
    assert codes_of(layer.data) == codes_of(england)
    assert '"className": "la-area"' in choropleth.get_root().render()


def test_tooltip_shows_name_value_rank_and_source(choropleth):
    layer = layer_with(choropleth, "la-area")
    [tooltip] = [e for e in layer._children.values() if isinstance(e, map_figures.Tooltip)]
    assert tooltip.fields == ["name", "value_text", "rank", "source"]
    assert tooltip.aliases == ["", "Children looked after per 10,000", "Rank", ""]
    hartlepool, middlesbrough, redcar, stockton = layer.data["features"][:4]
    assert hartlepool["properties"]["name"] == "Hartlepool"
    assert hartlepool["properties"]["value_text"].startswith("c (confidential")
    assert redcar["properties"]["value_text"] == "x (not available)"
    assert stockton["properties"]["value_text"].endswith(" per 10,000 children")
    assert stockton["properties"]["rank"] == "4 of 12 in North East"
    assert stockton["properties"]["source"] == "Source: DfE, CLA 2025"
    script = choropleth.get_root().render()
    assert "map-tooltip" in script and "textContent" in script


def test_fill_colours_follow_the_classes(choropleth):
    layer = layer_with(choropleth, "la-area")
    values = made_up_values(codes_of(layer.data))
    breaks = map_classes.class_breaks(values["value"])
    palette = map_classes.palette_for(breaks)
    for feature in layer.data["features"]:
        value = values.at[feature["properties"]["code"], "value"]
        assert layer.style_function(feature)["fillColor"] == map_classes.colour_for(value, breaks,
                                                                                    palette)


def test_legend_has_unit_every_class_and_not_available(choropleth):
    legend = legend_of(choropleth)
    values = made_up_values(codes_of(layer_with(choropleth, "la-area").data))["value"]
    labels = map_classes.class_labels(map_classes.class_breaks(values), whole=False)
    assert len(labels) == 5
    assert "Children looked after per 10,000" in legend and "per 10,000 children" in legend
    assert all(label in legend for label in labels)
    assert "Not available or suppressed (c, x)" in legend
    assert map_classes.NOT_AVAILABLE in legend
    assert "Children&#x27;s home places" in legend and "Source: DfE, CLA 2025" in legend


def test_outlines_and_symbols_are_drawn_over_the_las(choropleth, england):
    regions = layer_with(choropleth, "region-outline")
    assert len(regions.data["features"]) == 9
    assert regions.options["interactive"] is False
    symbols = layer_with(choropleth, "home-symbol")
    assert len(symbols.data["features"]) == len(england["features"])
    radii = [symbols.style_function(f)["radius"] for f in symbols.data["features"]]
    assert max(radii) == map_figures.MAX_RADIUS and radii == sorted(radii, reverse=True)
    order = geojson_layers(choropleth)
    assert order.index(layer_with(choropleth, "la-area")) < order.index(regions) < \
        order.index(symbols)


def test_no_circle_for_no_places(england):
    points = geometry.points(england).head(3)
    symbols = points.assign(size=[0, np.nan, 8], label="places")
    m = map_figures.build_choropleth(england, made_up_values(codes_of(england)), title="Rate",
                                     unit="", source="DfE", symbols=symbols, symbol_title="Places")
    assert len(layer_with(m, "home-symbol").data["features"]) == 1
    empty = map_figures.build_choropleth(england, made_up_values(codes_of(england)), title="Rate",
                                         unit="", source="DfE", symbols=symbols.head(2))
    assert "home-symbol" not in [class_name(layer) for layer in geojson_layers(empty)]


def test_circle_area_is_proportional_to_size():
    assert map_figures.circle_radius(25, 100) == pytest.approx(map_figures.MAX_RADIUS / 2)


def test_context_is_pale_and_not_interactive(england):
    scope = {"type": "FeatureCollection", "features": england["features"][:12]}
    rest = {"type": "FeatureCollection", "features": england["features"][12:]}
    m = map_figures.build_choropleth(scope, made_up_values(codes_of(england)), title="Rate",
                                     unit="per 10,000", source="DfE", context=rest,
                                     bounds=geometry.bounds(scope))
    context = layer_with(m, "context-area")
    assert context.options["interactive"] is False and not context._children
    assert len(layer_with(m, "la-area").data["features"]) == 12


def test_only_the_vendored_leaflet_is_loaded(choropleth):
    links = [url for element in walk(choropleth)
             for _, url in [*getattr(element, "default_js", []),
                            *getattr(element, "default_css", [])]]
    assert links == ["../../app/static/leaflet/leaflet.js",
                     "../../app/static/leaflet/leaflet.css"]
    assert not any(isinstance(e, folium.TileLayer) for e in walk(choropleth))
    static = Path(__file__).resolve().parents[1] / "static/leaflet"
    assert {"leaflet.js", "leaflet.css", "LICENSE"} <= {p.name for p in static.iterdir()}
    assert 'version="1.9.4"' in (static / "leaflet.js").read_text()


def test_folium_defaults_are_left_alone_for_other_maps(choropleth):
    assert any("cdn" in url for _, url in folium.Map.default_js)


def test_all_england_stays_under_a_megabyte(choropleth):
    assert len(choropleth.get_root().render()) < 1_000_000


# Flow map -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def flows(england) -> pd.DataFrame:
    points = geometry.points(england).set_index("code")
    names = {f["properties"]["code"]: f["properties"]["name"] for f in england["features"]}
    pairs = [("E08000003", "E06000057", 40, "out"), ("E06000057", "E08000003", 12, "in"),
             ("E08000003", "E08000010", 5, "within"), ("E08000010", "E08000003", 23, "within")]
    frame = pd.DataFrame(pairs, columns=["from_code", "to_code", "children", "direction"])
    for end in ("from", "to"):
        frame[f"{end}_name"] = frame[f"{end}_code"].map(names)
        frame[[f"{end}_lat", f"{end}_lon"]] = points.loc[frame[f"{end}_code"],
                                                         ["lat", "lon"]].to_numpy()
    return frame


def test_one_line_per_flow_wider_for_more_children(england, flows):
    m = map_figures.build_flow_map(england, flows, title="Where children live", source="Synthetic")
    lines = layer_with(m, "flow-line")
    assert len(lines.data["features"]) == len(flows)
    by_children = sorted(lines.data["features"], key=lambda f: f["properties"]["children"])
    widths = [lines.style_function(f)["weight"] for f in by_children]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    assert widths[-1] == map_figures.LINE_WIDTHS[1] and widths[0] >= map_figures.LINE_WIDTHS[0]
    colours = {f["properties"]["direction"]: lines.style_function(f)["color"]
               for f in lines.data["features"]}
    assert colours == map_figures.FLOW_COLOURS
    assert "From Manchester to Northumberland: 40 children" in [
        f["properties"]["label"] for f in lines.data["features"]]
    assert len(layer_with(m, "la-area").data["features"]) == len(england["features"])
    legend = legend_of(m)
    assert all(label in legend for label in map_figures.FLOW_LABELS.values())
    assert "20 children" in legend and "Where children live" in legend


def test_flows_there_and_back_do_not_overlap():
    there = map_figures.curve((53.5, -2.2), (55.2, -2.0))
    back = map_figures.curve((55.2, -2.0), (53.5, -2.2))
    assert len(there) == 12 and there[0] == [53.5, -2.2] and there[-1] == [55.2, -2.0]
    middle_there, middle_back = there[6], back[5]
    assert abs(middle_there[1] - middle_back[1]) > 0.3  # bowed to opposite sides


def test_flows_with_an_end_off_the_map_get_no_line(england, flows):
    off_map = flows.assign(to_lat=[np.nan, *flows["to_lat"].iloc[1:]])
    m = map_figures.build_flow_map(england, off_map, title="Where children live", source="S")
    assert len(layer_with(m, "flow-line").data["features"]) == len(flows) - 1


def test_no_flows_still_draws_the_areas(england, flows):
    m = map_figures.build_flow_map(england, flows.iloc[:0], title="Where children live", source="S")
    assert "No flows of 5 or more children" in legend_of(m)
    assert [class_name(layer) for layer in geojson_layers(m)] == ["la-area"]


# Geometry -------------------------------------------------------------------------------

def test_feature_collection_keeps_code_and_name(england):
    assert len(england["features"]) == 153
    assert england["features"][0]["properties"] == {"code": "E06000001", "name": "Hartlepool"}


def test_dissolve_gives_one_outline_per_group_with_the_members_area(england, region_of):
    regions = geometry.dissolve(england, region_of, {r: r.upper() for r in region_of.values()})
    assert len(regions["features"]) == 9
    members = geometry.shapes(england)
    for feature in regions["features"]:
        group = feature["properties"]["code"]
        assert feature["properties"]["name"] == group.upper()
        total = sum(members[code].area for code, r in region_of.items() if r == group)
        assert shape(feature["geometry"]).area == pytest.approx(total, rel=1e-3)
    assert max(len(decimals) for decimals in re.findall(r"\.(\d+)", json.dumps(regions))) <= 5


def test_dissolve_skips_las_in_no_group(england):
    one = geometry.dissolve(england, {"E06000001": "tees", "E06000004": "tees"}, {"tees": "T"})
    assert [f["properties"] for f in one["features"]] == [{"code": "tees", "name": "T"}]


def test_points_lie_inside_their_areas(england):
    points = geometry.points(england)
    shapes = geometry.shapes(england)
    assert list(points.columns) == ["code", "lat", "lon"] and len(points) == 153
    for row in points.itertuples():
        assert shapes[row.code].buffer(1e-4).contains(Point(row.lon, row.lat)), row.code


def test_bounds_of_england_and_of_a_scope(england):
    (south, west), (north, east) = geometry.bounds(england)
    assert 49.8 < south < 50.0 and 55.7 < north < 55.9
    assert -6.5 < west < -6.2 and 1.6 < east < 1.8
    (south, west), (north, east) = geometry.bounds(england, {"E06000001"})
    assert 54.6 < south < north < 54.8 and -1.4 < west < east < -1.1
    with pytest.raises(ValueError):
        geometry.bounds(england, {"nowhere"})


def test_flow_lines_drawn_are_the_protected_ones_with_their_direction(england):
    """Only flows of 5 or more children between English LAs are drawn (symbols and 1-4
    never), each with both ends' points and its direction relative to the scope."""
    from analysis.scope import Scope

    las = pd.DataFrame({"code": ["E08000003", "E08000010", "E06000057"],
                        "rcc_id": ["gm", "gm", "ne"]})
    table = pd.DataFrame({"from_code": ["E08000003", "E06000057", "E08000003", "E08000010",
                                        "E08000010", "E08000003"],
                          "to_code": ["E06000057", "E08000003", "E08000010", "E08000003",
                                      "W06000001", "E06000057"],
                          "children": [40, "12", "c", 4, 30, 0]})
    points = geometry.points(england)
    lines = flow_selection.flow_lines(table, Scope("rcc", "gm"), las, points)
    assert list(zip(lines["from_code"], lines["to_code"], lines["children"],
                    lines["direction"])) == [("E08000003", "E06000057", 40, "out"),
                                             ("E06000057", "E08000003", 12, "in")]
    assert lines[["from_lat", "from_lon", "to_lat", "to_lon"]].notna().all().all()
    england_lines = flow_selection.flow_lines(table, Scope(), las, points, limit=1)
    assert list(england_lines["children"]) == [40]
    assert set(england_lines["direction"]) == {"out"}


def test_home_symbol_tooltips_give_sectors_and_judgements():
    homes = pd.DataFrame({"la_code": ["E08000003"], "la_name": ["Manchester"], "homes": [3],
                          "places": [10],
                          **{f"{m}_{k}": [0] for m in ("homes", "places")
                             for k in map_figures.SECTOR_NAMES},
                          **{f"homes_{k}": [0] for k in map_figures.JUDGEMENT_NAMES}})
    homes = homes.assign(homes_private=2, places_private=8, homes_la=1, places_la=2,
                         homes_good=3)
    points = pd.DataFrame({"code": ["E08000003"], "lat": [53.4], "lon": [-2.2]})
    [symbol] = map_figures.home_symbols(points, homes, {"E08000003"},
                                        "31 March 2023").itertuples()
    assert symbol.size == 10 and symbol.label == (
        "Manchester: 3 homes, 10 places (Ofsted, 31 March 2023). By sector, homes / places: "
        "private 2 / 8, LA 1 / 2. Latest judgement: good 3.")


def test_label_points_sit_well_inside_their_areas(england):
    """Each LA's name goes at a point inside it (checked with shapely against the published
    outline) at least as far from its border as its representative point, measured where
    distances are true (longitude scaled by cos(latitude)), to polylabel's tolerance.
    Larger LAs come first (they claim room on the map first)."""
    labels = geometry.label_points(england)
    shapes = geometry.shapes(england)
    names = {f["properties"]["code"]: f["properties"]["name"] for f in england["features"]}
    representative = geometry.points(england).set_index("code")
    assert sorted(labels["code"]) == sorted(shapes) and list(labels["size"]) == sorted(
        labels["size"], reverse=True)
    for row in labels.itertuples():
        area = shapes[row.code]
        assert area.contains(Point(row.lon, row.lat)) and row.name == names[row.code]
        scale = np.cos(np.radians(area.centroid.y))

        def flat(geom, scale=scale):
            return shapely.affinity.scale(geom, xfact=scale, yfact=1, origin=(0, 0))
        border = flat(area).boundary
        other = representative.loc[row.code]
        assert border.distance(flat(Point(row.lon, row.lat))) >= border.distance(
            flat(Point(other["lon"], other["lat"]))) - 1e-3, row.name


def test_names_are_drawn_only_when_given_and_let_clicks_through(england):
    """LA names are markers that take no clicks (the LA under them does) and are kept
    from overlapping in the browser; without labels no name is drawn."""
    scope = {"type": "FeatureCollection", "features": england["features"][:12]}
    codes = set(codes_of(scope))
    labels = geometry.label_points(england)
    labels = labels[labels["code"].isin(codes)]
    m = map_figures.build_choropleth(scope, made_up_values(codes_of(england)), title="Rate",
                                     unit="", source="DfE", labels=labels)
    markers = [e for e in walk(m) if isinstance(e, folium.Marker)]
    assert [marker.icon.options["class_name"] for marker in markers] == ["la-label"] * 12
    assert all(marker.options["interactive"] is False for marker in markers)
    assert {marker.icon.options["html"] for marker in markers} == {
        f"<span>{name}</span>" for name in labels["name"]}
    assert any(isinstance(e, map_behaviour.NoOverlap) for e in walk(m))
    plain = map_figures.build_choropleth(scope, made_up_values(codes_of(england)), title="Rate",
                                         unit="", source="DfE")
    assert not [e for e in walk(plain) if isinstance(e, (folium.Marker,
                                                         map_behaviour.NoOverlap))]


def test_every_map_keeps_clicks_on_the_la_and_fits_clear_of_the_legend(england):
    """Both maps focus without scrolling the page (else a click is lost), fit the scope
    after the legend is drawn, and send back only a clicked LA's code."""
    scope = {"type": "FeatureCollection", "features": england["features"][:12]}
    bounds = geometry.bounds(scope)
    flows = pd.DataFrame(columns=["from_code", "from_name", "to_code", "to_name", "children",
                                  "from_lat", "from_lon", "to_lat", "to_lon", "direction"])
    for m in (map_figures.build_choropleth(scope, made_up_values(codes_of(england)),
                                           title="Rate", unit="", source="DfE", bounds=bounds),
              map_figures.build_flow_map(scope, flows, title="Flows", source="S",
                                         bounds=bounds)):
        elements = list(walk(m))
        kinds = [type(e) for e in elements]
        assert map_behaviour.FocusWithoutScrolling in kinds
        assert kinds.index(map_figures.Legend) < kinds.index(map_behaviour.FitClear)
        [fit] = [e for e in elements if isinstance(e, map_behaviour.FitClear)]
        assert fit.bounds == bounds and fit.credits == map_figures.CREDITS_HEIGHT
        assert layer_with(m, "la-area").on_each_feature is map_behaviour.CODE_ONLY
        html = m.get_root().render()
        assert "preventScroll: true" in html and "geometry: null" in html


def test_clipped_names_sit_inside_the_part_in_view(england):
    """Around one LA, a neighbour is named inside the part of it the map shows: its name
    point lies in both its outline and the window; LAs outside the window get none."""
    window = [[53.40, -2.40], [53.55, -2.15]]  # around Manchester and Salford
    (south, west), (north, east) = window
    box = shapely.box(west, south, east, north)
    shapes = geometry.shapes(england)
    labels = geometry.label_points(geometry.clip(england, window))
    assert {"E08000003", "E08000006"} <= set(labels["code"])
    assert set(labels["code"]) == {code for code, area in shapes.items()
                                   if area.intersection(box).area > 0}
    for row in labels.itertuples():
        point = Point(row.lon, row.lat)
        assert shapes[row.code].contains(point) and box.contains(point), row.name


def test_the_extent_handed_to_streamlit_folium_is_the_areas_drawn(england):
    """streamlit-folium asks each map for its bounds on every run; the map answers with
    the extent it is fitted to instead of walking every coordinate. That extent must be
    where the areas are: checked against folium's own walk over the area layer."""
    scope = {"type": "FeatureCollection", "features": england["features"][:12]}
    m = map_figures.build_choropleth(scope, made_up_values(codes_of(england)), title="Rate",
                                     unit="", source="DfE", bounds=geometry.bounds(scope))
    walked = layer_with(m, "la-area").get_bounds()
    assert np.allclose(m.get_bounds(), walked, atol=1e-6)
