"""Proportional circles for counts: a circle's *area* is proportional to its value.

The one place both map renderers (the interactive map and the static snapshot) take their
circles from, so a count reads the same in each: which selections draw circles
(:func:`draws_circles`), where a unit's circle sits (:func:`unit_points`: a town's own point
for a count that came from a town, an interior point of the area otherwise), how big it is
(:func:`radii`), in which order circles are drawn (:func:`draw_order`, largest first so small
ones stay on top) and the round values of the legend's reference circles
(:func:`reference_values`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.errors import AtlasError
from geo.figures.vocabulary import STYLES

CIRCLE_FILL = "#c8553d"  # one colour: the size carries the value
CIRCLE_EDGE = "#ffffff"  # a thin white edge keeps overlapping circles apart
CIRCLE_OPACITY = 0.72
# Columns a table row may carry when its count came from a town inside a larger area.
TOWN_LON, TOWN_LAT = "town_lon", "town_lat"


def visual_centre(geometry: shapely.Geometry) -> tuple[float, float]:
    """The centre of the largest inscribed circle of the geometry's largest part."""
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if p.geom_type == "Polygon"] or list(parts)
    largest = max(polygons, key=lambda p: p.area)
    if largest.geom_type != "Polygon" or largest.area == 0:
        point = shapely.point_on_surface(largest)
        return float(point.x), float(point.y)
    xmin, ymin, xmax, ymax = largest.bounds
    circle = shapely.maximum_inscribed_circle(largest, max(xmax - xmin, ymax - ymin) / 200)
    x, y = shapely.get_coordinates(circle)[0]
    return float(x), float(y)


def draws_circles(metric: str, style: str | None) -> bool:
    """Whether a map of ``metric`` drawn in ``style`` (None: follow the metric) uses circles.

    Counts are circles unless shading is asked for; rates are always shaded (a circle for a
    rate would read as a count). Asking for circles of a rate is a one-line error.
    """
    if style is not None and style not in STYLES:
        raise AtlasError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    if metric != "networks":
        if style == "circles":
            raise AtlasError("circles are for counts: use --metric networks, or --style shaded for a rate")
        return False
    return style != "shaded"


def unit_points(shapes: gpd.GeoDataFrame, centres: np.ndarray | None = None) -> np.ndarray:
    """Each unit's circle centre as ``(x, y)`` rows in ``shapes``' CRS.

    A unit whose count came from a town (``town_lon``/``town_lat`` given, WGS84) sits on the
    town; any other on the visual centre of its largest part (inside the area, never in the
    sea between islands). A unit without geometry gets NaN. ``centres``: visual centres already
    found, one row per unit (NaN where not known), so they are not searched for again.
    """
    out = np.full((len(shapes), 2), np.nan) if centres is None else np.array(centres, dtype=float)
    for i, geometry in enumerate(shapes.geometry.to_numpy()):
        if np.isnan(out[i]).any() and geometry is not None and not geometry.is_empty:
            out[i] = visual_centre(geometry)
    if TOWN_LON in shapes.columns and TOWN_LAT in shapes.columns:
        lon = shapes[TOWN_LON].to_numpy(dtype=float)
        lat = shapes[TOWN_LAT].to_numpy(dtype=float)
        town = ~(np.isnan(lon) | np.isnan(lat))
        if town.any():
            points = gpd.GeoSeries(gpd.points_from_xy(lon[town], lat[town]), crs=4326)
            if shapes.crs is not None:
                points = points.to_crs(shapes.crs)
            out[town] = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    return out


def radii(values: Sequence[float] | np.ndarray, max_value: float, max_radius: float) -> np.ndarray:
    """Radii with area proportional to value: ``max_value`` gets ``max_radius``; NaN stays NaN, 0 gets 0."""
    v = np.asarray(values, dtype=float)
    if not max_value or not np.isfinite(max_value) or max_value <= 0:
        return np.where(np.isnan(v), np.nan, 0.0)
    return max_radius * np.sqrt(np.clip(v, 0, None) / max_value)


def draw_order(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Positions of the units with a value, largest first (so small circles are drawn on top)."""
    v = np.asarray(values, dtype=float)
    finite = np.flatnonzero(~np.isnan(v))
    return finite[np.argsort(-v[finite], kind="stable")]


def _round_down(value: float) -> float:
    """The largest 1, 2, 3, 4, 5, 6 or 8 × 10^k at most ``value`` (40,000 for 44,766, not 20,000)."""
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 3, 4, 5, 6, 8) if step * power <= value)


def reference_values(values: Sequence[float] | np.ndarray, n: int = 3) -> tuple[int, ...]:
    """Up to ``n`` round values (:func:`_round_down`) for the legend's reference circles, largest first.

    The largest is the biggest round value not above the data's maximum; the smaller ones
    are round values near a quarter and a sixteenth of it (so their circles are about half and a
    quarter as wide) and still at least the data's minimum where possible. Nothing for no data.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return ()
    top = _round_down(float(v.max()))
    out = [top]
    for share in (1 / 4, 1 / 16)[: max(n - 1, 0)]:
        candidate = _round_down(top * share) if top * share >= 1 else 0
        if candidate >= 1 and candidate not in out and candidate < out[-1]:
            out.append(candidate)
    return tuple(int(x) for x in out)


TOWN_COLUMN = "town"
TOWN_DOT_EDGE = "#1a1a1a"
TOWN_KEY = "A town's figure: the dot, not the area"


def town_units(shapes: pd.DataFrame) -> np.ndarray:
    """Which units (with data) carry a town's figure rather than their whole area's.

    On a shaded map such a unit's colour goes on a dot at the town and the area around it is
    drawn as only partly counted: a count from Inverness must not paint the whole of Highland.
    """
    has = shapes["has_data"].astype(bool).to_numpy()
    if TOWN_COLUMN not in shapes.columns:
        return np.zeros(len(has), dtype=bool)
    town = shapes[TOWN_COLUMN]
    return has & town.notna().to_numpy() & (town.astype(str).str.strip() != "").to_numpy()


def label_names(shapes: pd.DataFrame) -> list[str]:
    """Each unit's name on a map label: the town's for a unit whose figure is a town's ("Inverness", not "Highland")."""
    names = [str(n) for n in shapes["name"]]
    towns = town_units(shapes)
    if towns.any():
        town = shapes[TOWN_COLUMN].to_numpy()
        names = [str(town[i]) if towns[i] else name for i, name in enumerate(names)]
    return names
