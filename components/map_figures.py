"""Folium maps for the Maps page: a classed choropleth of LAs and a map of placement flows.

Built for a board meeting on a projector: few classes with round-number ranges, a large
legend, colour-blind-safe colours (ColorBrewer YlGnBu and PuOr, Okabe-Ito for flows) and
no basemap unless asked for. Every map loads Leaflet from the app's own static files, never
from a CDN, so it works with no internet (the Streamlit component loads every link in
each element's ``default_js``/``default_css``).

Each LA is one SVG path with class ``la-area`` whose GeoJSON feature carries its ``code``:
clicking it is how the page learns which LA was chosen. Class breaks and colours come
from ``components.map_classes``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from analysis.disclosure import THRESHOLD
from analysis.suppression import SYMBOL_MEANINGS
from components.map_behaviour import CODE_ONLY, FitClear, FocusWithoutScrolling, NoOverlap
from components.map_classes import (NOT_AVAILABLE, class_breaks, class_labels, colour_for,
                                    number, palette_for, reference_values, whole_numbers)

#: Where the vendored Leaflet is served (``static/`` with Streamlit static serving),
#: relative to the component's iframe at /component/streamlit_folium.st_folium/index.html,
#: so it also works under a ``server.baseUrlPath``.
LEAFLET_BASE = "../../app/static/leaflet"

#: [[south, west], [north, east]] of England, the default view.
ENGLAND = [[49.86, -6.42], [55.82, 1.77]]

BOUNDARY_ATTRIBUTION = "Boundaries: ONS (OGL v3.0), contains OS data © Crown copyright 2023"

SCOPE_FILL = "#ffffff"  # LAs under a flow map: plain, so the lines stand out

#: Okabe-Ito colours for where children go, and how the legend names them.
FLOW_COLOURS = {"out": "#D55E00", "in": "#0072B2", "within": "#009E73"}
FLOW_LABELS = {"out": "Placed outside the area", "in": "Placed here from elsewhere",
               "within": "Placed within the area"}
OUTLINE_STYLES = {
    "region": {"color": "#404040", "weight": 1.5, "className": "region-outline"},
    "rcc": {"color": "#000000", "weight": 3, "className": "rcc-outline"},
    "selected": {"color": "#D55E00", "weight": 5, "className": "selected-outline"},
}
LA_BORDER = {"color": "#6b6b6b", "weight": 0.6, "opacity": 1}
LEGEND_WIDTH = 260  # px; maps are fitted beside or above the legend, never under it
CREDITS_HEIGHT = 30  # px kept clear at the bottom for the map's credits (one small line)
MAX_RADIUS = 25  # px, the largest home symbol
HOME_FILL = "#E69F00"  # Okabe-Ito orange: a home circle shows on the palest and darkest LAs
LINE_WIDTHS = (1.5, 14)  # px, the smallest and largest flow line

CSS = """
.leaflet-container { background: #ffffff; font-family: Arial, Helvetica, sans-serif; }
.map-legend { box-sizing: border-box; background: #ffffff; color: #1a1a1a;
  padding: 10px 14px; border-radius: 4px; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4);
  font-size: 15px; line-height: 1.35; }
.map-legend h4 { margin: 0; font-size: 17px; font-weight: 700; }
.map-legend .unit { margin: 0 0 6px; }
.map-legend .row { display: flex; align-items: center; gap: 10px; margin: 4px 0; }
.map-legend .key { flex: none; width: 52px; display: flex; justify-content: center;
  align-items: center; }
.map-legend .swatch { width: 30px; height: 20px; border: 1px solid #6b6b6b; }
.map-legend .circle { border-radius: 50%; border: 1.5px solid #1a1a1a;
  background: rgba(230, 159, 0, 0.6); }
.map-legend .line { width: 48px; border-radius: 2px; }
.map-legend section + section { margin-top: 10px; padding-top: 8px;
  border-top: 1px solid #cccccc; }
.map-legend .source { margin: 8px 0 0; font-size: 13px; color: #404040; }
.map-tooltip { font-size: 15px; line-height: 1.35; }
.leaflet-container .leaflet-control-attribution { font-size: 11px; line-height: 1.4;
  background: rgba(255, 255, 255, 0.85); }
.la-label span { position: absolute; transform: translate(-50%, -50%); width: max-content;
  max-width: 9em; text-align: center; font-size: 14px; font-weight: 700; line-height: 1.1;
  color: #1a1a1a; text-shadow: 0 0 3px #ffffff, 0 0 3px #ffffff, 0 0 2px #ffffff; }
.la-label-hidden { visibility: hidden; }
.map-tooltip .map-tooltip-title { font-weight: 700; font-size: 16px; }
"""


class Legend(MacroElement):
    """A legend box in the bottom-right corner, with the page's CSS for maps and tooltips.

    A Leaflet control rather than branca's colormap: that would make the Streamlit
    component fetch d3 from the internet, and its text is too small for a meeting room.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "bottomright"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, sections: Sequence[str], source: str):
        super().__init__()
        self._name = "Legend"
        self.css = CSS + f".map-legend {{ width: {LEGEND_WIDTH}px; }}"
        self.content = ("".join(sections)
                        + f'<p class="source">{html.escape(labelled_source(source))}</p>')


class Tooltip(folium.GeoJsonTooltip):
    """A feature's tooltip as lines of text: the first field in bold (the LA's name), then
    "alias: value" for the rest ("Rate per 10,000: 74 per 10,000").

    Folium's version is a two-column table that leaves the name in the value column. Text
    goes in as textContent, so names and values need no escaping.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var div = L.DomUtil.create("div"), properties = layer.feature.properties;
            var aliases = {{ this.aliases|tojson }};
            {{ this.fields|tojson }}.forEach(function (field, i) {
                var line = L.DomUtil.create("div", i ? "" : "map-tooltip-title", div);
                line.textContent = (aliases[i] ? aliases[i] + ": " : "") + properties[field];
            });
            return div;
        }, {{ this.tooltip_options|tojavascript }});
        {% endmacro %}
    """)

    def __init__(self, fields: list[str], aliases: list[str] | None = None):
        super().__init__(fields=fields, aliases=aliases or [""] * len(fields),
                         class_name="map-tooltip")


def labelled_source(source: str) -> str:
    """'Source: DfE, 2025', unless the text already says it is a source."""
    return source if "source" in source.lower() else f"Source: {source}"


# Geometry of symbols and flows ----------------------------------------------------------

def circle_radius(size: float, largest: float) -> float:
    """Radius in px with the circle's *area* proportional to ``size`` (the eye compares
    areas), the largest at ``MAX_RADIUS``."""
    return round(MAX_RADIUS * math.sqrt(max(size, 0) / largest), 1) if largest > 0 else 0.0


def line_width(children: float, largest: float) -> float:
    """Line width in px, growing with the square root of the children it carries."""
    thinnest, thickest = LINE_WIDTHS
    return round(thinnest + (thickest - thinnest) * math.sqrt(children / largest), 1)


def curve(start: tuple[float, float], end: tuple[float, float], bend: float = 0.2,
          samples: int = 12) -> list[list[float]]:
    """[lat, lon] points along a quadratic Bézier from ``start`` to ``end``, bowed to the
    left of travel: A to B and B to A then curve apart instead of hiding each other.

    Worked on a plane with longitude scaled by cos(latitude), so the bow looks the same in
    every direction on the map.
    """
    scale = math.cos(math.radians((start[0] + end[0]) / 2))
    (y0, x0), (y1, x1) = start, end
    x0, x1 = x0 * scale, x1 * scale
    cx, cy = (x0 + x1) / 2 - bend * (y1 - y0), (y0 + y1) / 2 + bend * (x1 - x0)
    points = []
    for t in np.linspace(0, 1, samples):
        x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1
        y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1
        points.append([round(float(y), 4), round(float(x / scale), 4)])
    return points


# Building blocks ------------------------------------------------------------------------

def use_leaflet(m: folium.Map, base: str = LEAFLET_BASE) -> folium.Map:
    """Make ``m`` load only Leaflet's own JS and CSS, from ``base``.

    Folium's defaults add jQuery, Bootstrap and Font Awesome from CDNs; these maps need
    none of them. Set on the instance: folium's lists are shared by every map.
    """
    m.default_js = [("leaflet", f"{base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base}/leaflet.css")]
    return m


def base_map(tiles: str | None) -> folium.Map:
    """An empty map without a basemap unless ``tiles`` names one, fitted to its areas by
    ``finish``. Scrolling the page must not zoom the map, so the wheel is off."""
    m = folium.Map(location=None, tiles=tiles, zoom_snap=0.25, scroll_wheel_zoom=False)
    FocusWithoutScrolling().add_to(m)
    return use_leaflet(m)


def finish(m: folium.Map, sections: list[str], source: str,
           bounds: list[list[float]] | None) -> folium.Map:
    """The legend, then the map fitted to ``bounds`` (England by default) clear of it."""
    Legend(sections, source).add_to(m)
    extent = bounds or ENGLAND
    FitClear(extent, CREDITS_HEIGHT).add_to(m)
    # streamlit-folium asks the map for its bounds on every run, which folium works out by
    # walking every coordinate of every layer (~65 ms for England); the extent is known.
    m.get_bounds = lambda: extent
    return m


def add_context(m: folium.Map, context: dict | None) -> None:
    """The rest of England in pale grey under the scope, to show where it lies."""
    if context and context["features"]:
        folium.GeoJson(context, interactive=False, style_function=lambda _: {
            "color": "#c8c8c8", "weight": 0.5, "fillColor": "#f0f0f0", "fillOpacity": 1,
            "className": "context-area"}).add_to(m)


def add_outlines(m: folium.Map, outlines: Iterable[tuple[dict, str]]) -> None:
    """Region or RCC outlines over the LAs: lines only, letting clicks through to the LAs."""
    for collection, kind in outlines:
        style = {**OUTLINE_STYLES[kind], "fill": False, "opacity": 1}
        folium.GeoJson(collection, interactive=False,
                       style_function=lambda _, style=style: style).add_to(m)


def with_properties(areas: dict, extra: dict[str, dict]) -> dict:
    """A copy of ``areas`` whose features also carry ``extra[code]`` (geometry shared)."""
    return {"type": "FeatureCollection", "features": [
        {**feature, "properties": {**feature["properties"],
                                   **extra.get(feature["properties"]["code"], {})}}
        for feature in areas["features"]]}


def add_areas(m: folium.Map, areas: dict, fill: dict[str, str], tooltip: Tooltip) -> None:
    """The LAs in scope, one ``la-area`` path each, filled by code, lit up under the mouse."""
    def style(feature: dict) -> dict:
        return {**LA_BORDER, "fillColor": fill[feature["properties"]["code"]],
                "fillOpacity": 1, "className": "la-area"}

    folium.GeoJson(areas, style_function=style, tooltip=tooltip, on_each_feature=CODE_ONLY,
                   highlight_function=lambda _: {"weight": 3, "color": "#000000"},
                   attribution=BOUNDARY_ATTRIBUTION).add_to(m)


def add_labels(m: folium.Map, labels: pd.DataFrame | None) -> None:
    """Each LA's name at its label point (``labels``: name, lat, lon, in the order names
    claim room), on top of everything but letting clicks through to the LA under it; a
    name that would overlap one already shown is hidden (its tooltip still names it)."""
    if labels is None or labels.empty:
        return
    for row in labels.itertuples():
        folium.Marker([row.lat, row.lon], interactive=False, keyboard=False,
                      icon=folium.DivIcon(html=f"<span>{html.escape(row.name)}</span>",
                                          icon_size=(0, 0), class_name="la-label")).add_to(m)
    NoOverlap().add_to(m)


def key_section(title: str, keys: list[tuple[str, str]], unit: str = "") -> str:
    """Legend block: title, unit, then each key (a swatch, circle or line, as HTML) with
    its label."""
    items = "".join(f'<div class="row"><span class="key">{key}</span>{html.escape(label)}</div>'
                    for key, label in keys)
    unit_line = f'<p class="unit">{html.escape(unit)}</p>' if unit else ""
    return f"<section><h4>{html.escape(title)}</h4>{unit_line}{items}</section>"


def swatch(colour: str) -> str:
    """A legend key filled with ``colour``."""
    return f'<span class="swatch" style="background:{colour}"></span>'


def line_key(colour: str, width: float) -> str:
    """A legend key drawn as a stretch of flow line."""
    return f'<span class="line" style="height:{width}px;background:{colour}"></span>'


def circle_key(radius: float) -> str:
    """A legend key drawn as a home symbol."""
    return f'<span class="circle" style="width:{2 * radius}px;height:{2 * radius}px"></span>'


# Choropleth -----------------------------------------------------------------------------

def value_text(value: float, shown: str, unit: str) -> str:
    """'74 per 10,000', or a DfE symbol with its meaning: 'c (confidential: ...)'."""
    if pd.isna(value):
        return f"{shown} ({SYMBOL_MEANINGS.get(shown, 'not available')})"
    return f"{shown}{'' if unit.startswith('%') else ' '}{unit}".strip()


def not_available_label(values: pd.DataFrame) -> str:
    """'Not available or suppressed', with the DfE symbols the map actually uses."""
    symbols = sorted(set(values.loc[values["value"].isna(), "shown"]) & set(SYMBOL_MEANINGS))
    return "Not available or suppressed" + (f" ({', '.join(symbols)})" if symbols else "")


def add_symbols(m: folium.Map, symbols: pd.DataFrame, title: str) -> list[str]:
    """Proportional circles (e.g. children's home places) on top; returns their legend.

    Sizes of 0 or missing get no circle. Drawn largest first so small circles stay on top
    and can be pointed at. Each circle's feature carries its LA ``code``, so clicking one
    selects the LA too."""
    rows = symbols[symbols["size"].gt(0)].sort_values("size", ascending=False)
    if rows.empty:
        return []
    rows = rows.reset_index(drop=True)
    largest = float(rows["size"].max())
    features = [{"type": "Feature", "id": i, "properties": {"code": row.code, "label": row.label},
                 "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]}}
                for i, row in enumerate(rows.itertuples())]
    radius = [circle_radius(size, largest) for size in rows["size"]]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=1, color="#1a1a1a", weight=1.5, opacity=0.85,
                                   fill_color=HOME_FILL, fill_opacity=0.6),
        style_function=lambda feature: {"radius": radius[feature["id"]],
                                        "className": "home-symbol"},
        tooltip=Tooltip(["label"])).add_to(m)
    keys = [(circle_key(circle_radius(size, largest)), number(size))
            for size in reference_values(float(rows["size"].min()), largest)]
    return [key_section(title, keys)]


SECTOR_NAMES = {"private": "private", "la": "LA", "voluntary": "voluntary", "health": "health"}
JUDGEMENT_NAMES = {"outstanding": "outstanding", "good": "good",
                   "requires_improvement": "requires improvement", "inadequate": "inadequate",
                   "not_yet_inspected": "not yet inspected"}


def home_symbols(points: pd.DataFrame, homes: pd.DataFrame, codes: set[str],
                 date: str) -> pd.DataFrame:
    """One circle per LA in ``codes``, at its point (``points``: code, lat, lon), sized by
    its children's-home places (never finer than the LA), its tooltip giving homes and
    places by sector and homes by latest Ofsted judgement (``homes``: a homes-by-la table,
    at ``date``). The ``symbols`` of build_choropleth."""
    points = points.set_index("code").loc[sorted(codes)]
    counts = homes.set_index("la_code").reindex(points.index)
    return pd.DataFrame({"code": points.index, "lat": points["lat"], "lon": points["lon"],
                         "size": counts["places"],
                         "label": [home_label(row, date) for row in counts.itertuples()]})


def home_label(row, date: str) -> str:
    """'Bolton: 25 homes, 98 places (private 20 homes / 80 places, ...); judged ...'."""
    sectors = ", ".join(f"{name} {getattr(row, f'homes_{key}')} / {getattr(row, f'places_{key}')}"
                        for key, name in SECTOR_NAMES.items() if getattr(row, f"homes_{key}"))
    judged = ", ".join(f"{name} {getattr(row, f'homes_{key}')}"
                       for key, name in JUDGEMENT_NAMES.items() if getattr(row, f"homes_{key}"))
    return (f"{row.la_name}: {counted(row.homes, 'home')}, {counted(row.places, 'place')} "
            f"(Ofsted, {date}). "
            f"By sector, homes / places: {sectors or 'none'}. Latest judgement: "
            f"{judged or 'none'}.")


def counted(n: int, thing: str) -> str:
    """'1 home', '25 homes', '1,234 places'."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def build_choropleth(areas: dict, values: pd.DataFrame, *, title: str, unit: str, source: str,
                     diverging: bool = False, outlines: Iterable[tuple[dict, str]] = (),
                     context: dict | None = None, bounds: list[list[float]] | None = None,
                     tiles: str | None = None, symbols: pd.DataFrame | None = None,
                     symbol_title: str = "", labels: pd.DataFrame | None = None) -> folium.Map:
    """LAs shaded by a measure in up to five classes, with outlines, symbols, names and a
    legend.

    ``values`` is indexed by LA code: ``value`` (NaN where not published), ``shown`` (the
    text to display, a DfE symbol where there is one) and ``rank`` (text, may be "").
    ``outlines`` are (FeatureCollection, "region" | "rcc" | "selected"); ``context`` the
    rest of England; ``symbols`` has code, lat, lon, size and label; ``labels`` (name, lat,
    lon) the names written on the map.
    """
    in_scope = values.reindex([f["properties"]["code"] for f in areas["features"]])
    in_scope = in_scope.assign(shown=in_scope["shown"].fillna("x"),
                               rank=in_scope["rank"].fillna(""))
    breaks = class_breaks(in_scope["value"], diverging=diverging)
    palette = palette_for(breaks, diverging)
    fill = {code: colour_for(value, breaks, palette)
            for code, value in in_scope["value"].items()}
    ranked = in_scope["rank"].ne("").any()
    extra = {row.Index: {"value_text": value_text(row.value, row.shown, unit),
                         **({"rank": row.rank or "not ranked"} if ranked else {}),
                         "source": labelled_source(source)}
             for row in in_scope.itertuples()}
    fields = ["name", "value_text", *(["rank"] if ranked else []), "source"]
    aliases = ["", title, *(["Rank"] if ranked else []), ""]

    m = base_map(tiles)
    add_context(m, context)
    add_areas(m, with_properties(areas, extra), fill, Tooltip(fields, aliases))
    add_outlines(m, outlines)
    add_labels(m, labels)
    ranges = class_labels(breaks, whole_numbers(in_scope["value"]))
    keys = [(swatch(colour), label) for colour, label in zip(palette, ranges)][::-1]
    keys.append((swatch(NOT_AVAILABLE), not_available_label(in_scope)))
    sections = [key_section(title, keys, unit)]
    if symbols is not None:
        sections += add_symbols(m, symbols, symbol_title)
    return finish(m, sections, source, bounds)


# Flow map -------------------------------------------------------------------------------

def flow_features(flows: pd.DataFrame) -> dict:
    """The flows as curved LineStrings, largest first: thin lines are drawn over thick ones
    and stay visible."""
    features = []
    for i, row in enumerate(flows.sort_values("children", ascending=False).itertuples()):
        line = curve((row.from_lat, row.from_lon), (row.to_lat, row.to_lon))
        features.append({"type": "Feature", "id": i, "properties": {
            "from_code": row.from_code, "to_code": row.to_code, "children": int(row.children),
            "direction": row.direction,
            "label": f"From {row.from_name} to {row.to_name}: {int(row.children):,} children"},
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in line]}})
    return {"type": "FeatureCollection", "features": features}


def add_flows(m: folium.Map, flows: pd.DataFrame, title: str) -> list[str]:
    """Flow lines coloured by direction and widened by children, a dot where children are
    placed; returns the legend sections for both."""
    largest = float(flows["children"].max())

    def style(feature: dict) -> dict:
        properties = feature["properties"]
        return {"color": FLOW_COLOURS[properties["direction"]], "opacity": 0.6,
                "weight": line_width(properties["children"], largest), "className": "flow-line"}

    folium.GeoJson(flow_features(flows), style_function=style,
                   highlight_function=lambda _: {"opacity": 0.95},
                   tooltip=Tooltip(["label"])).add_to(m)
    ends = flows.drop_duplicates("to_code")
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": row.to_code},
             "geometry": {"type": "Point", "coordinates": [row.to_lon, row.to_lat]}}
            for row in ends.itertuples()]},
        marker=folium.CircleMarker(radius=3.5, color="#1a1a1a", weight=1, fill_color="#1a1a1a",
                                   fill_opacity=0.8),
        style_function=lambda _: {"className": "flow-end", "interactive": False}).add_to(m)
    colour_keys = [(line_key(FLOW_COLOURS[direction], 6), FLOW_LABELS[direction])
                   for direction in FLOW_COLOURS if direction in set(flows["direction"])]
    width_keys = [(line_key("#595959", line_width(n, largest)), f"{number(n)} children")
                  for n in reference_values(float(flows["children"].min()), largest)]
    return [key_section(title, colour_keys), key_section("Line width", width_keys)]


def build_flow_map(areas: dict, flows: pd.DataFrame, *, title: str, source: str,
                   outlines: Iterable[tuple[dict, str]] = (), context: dict | None = None,
                   bounds: list[list[float]] | None = None, tiles: str | None = None,
                   labels: pd.DataFrame | None = None) -> folium.Map:
    """Children placed from one LA to another as curved lines over a plain map of ``areas``
    (named where ``labels`` gives name, lat and lon).

    ``flows`` has from_code, from_name, to_code, to_name, children (already protected:
    at least THRESHOLD), from_lat, from_lon, to_lat, to_lon and direction ("out" of the scope,
    "in" to it, or "within" it). A flow with an end off the map (no coordinates) gets no
    line; the page's table still lists it.
    """
    m = base_map(tiles)
    add_context(m, context)
    codes = [feature["properties"]["code"] for feature in areas["features"]]
    add_areas(m, areas, dict.fromkeys(codes, SCOPE_FILL), Tooltip(["name"]))
    add_outlines(m, outlines)
    drawable = flows.dropna(subset=["from_lat", "from_lon", "to_lat", "to_lon"])
    if drawable.empty:
        sections = [key_section(title, [], f"No flows of {THRESHOLD} or more children")]
    else:
        sections = add_flows(m, drawable, title)
    add_labels(m, labels)
    return finish(m, sections, source, bounds)
