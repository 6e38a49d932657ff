"""LA boundaries as GeoJSON: outlines of groups, points inside areas, extents, distances.

The store keeps each boundary as GeoJSON text (ONS BUC polygons, 4 decimal places), so
maps work on GeoJSON FeatureCollections whose features carry just ``code`` and ``name``.
The synthetic cohort measures distances between areas from the same collections.
Everything here is pure shapely and numpy: no drawing, no data access.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

#: Grid (in degrees) that derived outlines snap to: about 11 m, far below what a map of
#: England or an RCC can show, and it keeps the page small.
GRID = 1e-4
EARTH_RADIUS_MILES = 3958.8


def feature_collection(rows: pd.DataFrame) -> dict:
    """A FeatureCollection from boundary rows (code, name, geometry as GeoJSON text)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": name},
         "geometry": json.loads(geometry)}
        for code, name, geometry in zip(rows["code"], rows["name"], rows["geometry"])]}


def shapes(collection: dict) -> dict[str, shapely.Geometry]:
    """Each feature's shapely geometry by its code."""
    return {feature["properties"]["code"]: shape(feature["geometry"])
            for feature in collection["features"]}


def dissolve(collection: dict, group_of: dict[str, str], names: dict[str, str]) -> dict:
    """One outline per group (e.g. an RCC from its LAs), with properties {code, name}.

    LAs that are in no group are left out. The union is snapped to ``GRID`` so the
    outline keeps no more detail than its members were published with.
    """
    members: dict[str, list[shapely.Geometry]] = {}
    for code, geometry in shapes(collection).items():
        if code in group_of:
            members.setdefault(group_of[code], []).append(geometry)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": group, "name": names[group]},
         "geometry": mapping(shapely.set_precision(shapely.union_all(parts), GRID))}
        for group, parts in members.items()]}


def points(collection: dict) -> pd.DataFrame:
    """A point inside each area (code, lat, lon), for symbols and the ends of flow lines.

    A representative point rather than the centroid: the centroid of a crescent or of an
    LA made of islands can fall outside it, even in the sea.
    """
    rows = []
    for code, geometry in shapes(collection).items():
        point = geometry.representative_point()
        rows.append((code, round(point.y, 5), round(point.x, 5)))
    return pd.DataFrame(rows, columns=["code", "lat", "lon"])


def clip(collection: dict, extent: list[list[float]]) -> dict:
    """The parts of the features inside ``extent`` ([[south, west], [north, east]]), those
    with none left out: e.g. where a map centred on one LA can name its neighbours."""
    (south, west), (north, east) = extent
    window = shapely.box(west, south, east, north)
    features = []
    for feature in collection["features"]:
        inside = shape(feature["geometry"]).intersection(window)
        if not inside.is_empty and inside.area > 0:
            features.append({**feature, "geometry": mapping(inside)})
    return {"type": "FeatureCollection", "features": features}


def label_points(collection: dict) -> pd.DataFrame:
    """Where each area's name goes on a map (code, name, lat, lon, and its size in square
    degrees of the flattened plane, largest first: the order names claim room on a map).

    The point is that of the area's largest part furthest from its edges (the pole of
    inaccessibility), so a name sits in the middle of the area rather than against a
    border, as a representative point may. Found on a plane with longitude scaled by
    cos(latitude), where distances are true."""
    rows = []
    for feature in collection["features"]:
        whole = shape(feature["geometry"])
        largest = max(shapely.get_parts(whole), key=lambda part: part.area)
        scale = np.cos(np.radians(largest.centroid.y))
        flat = shapely.affinity.scale(largest, xfact=scale, yfact=1, origin=(0, 0))
        point = polylabel(flat, tolerance=GRID * 10)
        rows.append((feature["properties"]["code"], feature["properties"]["name"],
                     round(point.y, 5), round(point.x / scale, 5), whole.area * scale))
    return pd.DataFrame(rows, columns=["code", "name", "lat", "lon", "size"]).sort_values(
        "size", ascending=False, ignore_index=True)


def bounds(collection: dict, codes: set[str] | None = None) -> list[list[float]]:
    """[[south, west], [north, east]] around the chosen features (all if ``codes`` is None),
    to fit a map to a scope."""
    chosen = [geometry for code, geometry in shapes(collection).items()
              if codes is None or code in codes]
    if not chosen:
        raise ValueError(f"No boundary for any of {sorted(codes or [])}")
    west, south, east, north = shapely.total_bounds(chosen)
    return [[float(south), float(west)], [float(north), float(east)]]


def outer_centroids(collection: dict) -> dict[str, tuple[float, float]]:
    """Each feature's area-weighted centroid (lon, lat) over its outer rings, by its code.

    Holes are filled first: a county around an enclave (Leicestershire around Leicester)
    is centred on the middle of the whole ring, as its distance to other areas is measured.
    """
    return {code: without_holes(geometry).centroid.coords[0]
            for code, geometry in shapes(collection).items()}


def without_holes(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    """A (Multi)Polygon with its holes filled."""
    return shapely.multipolygons([shapely.Polygon(part.exterior)
                                  for part in shapely.get_parts(geometry)])


def great_circle_miles(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Miles between every pair of points (degrees) along the Earth's surface (haversine)."""
    lon, lat = np.radians(lon), np.radians(lat)
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return EARTH_RADIUS_MILES * 2 * np.arcsin(np.sqrt(a))
