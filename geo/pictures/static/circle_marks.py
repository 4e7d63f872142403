"""The static map's circles for counts: one per unit with data, its area proportional to the count.

:func:`marks` finds each circle's centre (:func:`geo.pictures.circles.unit_points`: a town's own point,
else inside the area) and radius in page points, largest first; :func:`town_marks` the dots
of towns' figures on a shaded map; :func:`draw` puts either on the map's axes (ids
``circle-<n>`` or ``town-<n>``, so a file's marks can be counted) and returns where each
landed on the page, for its label to go beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from geo.pictures import circles as circle_rules
from geo.pictures.static.labels import MapWindow

PROJECTED_CRS = 27700  # the static map draws in British National Grid (as geo.pictures.static.map_windows)


def _points(shapes: gpd.GeoDataFrame, geometries: np.ndarray) -> np.ndarray:
    """Each unit's centre (:func:`geo.pictures.circles.unit_points`) in the page's projection, from its projected ``geometries``."""
    projected = gpd.GeoDataFrame(
        shapes.drop(columns=shapes.geometry.name),
        geometry=gpd.GeoSeries(geometries, index=shapes.index, crs=PROJECTED_CRS),
    )
    return circle_rules.unit_points(projected)


def marks(
    shapes: gpd.GeoDataFrame, metric: str, geometries: np.ndarray, max_radius: float
) -> list[tuple[int, float, float, float]]:
    """The circles to draw, largest first: (row, x, y in metres, radius in points); zero and no data get none."""
    has_data = shapes["has_data"].astype(bool).to_numpy()
    values = np.where(has_data, numeric(shapes[metric]), np.nan)
    if not np.isfinite(values).any():
        return []
    points = _points(shapes, geometries)
    radii = circle_rules.radii(values, float(np.nanmax(values)), max_radius)
    return [
        (int(i), float(points[i, 0]), float(points[i, 1]), float(radii[i]))
        for i in circle_rules.draw_order(values)
        if radii[i] > 0 and np.isfinite(points[i]).all()
    ]


def town_marks(
    shapes: gpd.GeoDataFrame, geometries: np.ndarray, radius: float
) -> list[tuple[int, float, float, float]]:
    """On a shaded map, a dot of ``radius`` points at each town whose figure a unit carries
    (:func:`geo.pictures.circles.town_units`): (row, x, y in metres, radius)."""
    towns = circle_rules.town_units(shapes)
    if not towns.any():
        return []
    points = _points(shapes, geometries)
    return [
        (int(i), float(points[i, 0]), float(points[i, 1]), radius)
        for i in np.flatnonzero(towns)
        if np.isfinite(points[i]).all()
    ]


def numeric(column: object) -> np.ndarray:
    """A column as floats (text and missing become NaN)."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


CIRCLE_STYLE = {
    "facecolor": circle_rules.CIRCLE_FILL,
    "alpha": circle_rules.CIRCLE_OPACITY,
    "edgecolor": circle_rules.CIRCLE_EDGE,
    "linewidth": 0.6,
    "zorder": 20,
}
TOWN_DOT_STYLE = {"edgecolor": circle_rules.TOWN_DOT_EDGE, "linewidth": 0.8, "zorder": 21}


def draw(
    axes: list[tuple[Axes, MapWindow]],
    marks: list[tuple[int, float, float, float]],
    fills: Sequence[str] = (),
) -> dict[int, tuple[float, float, float]]:
    """Each mark on the view that shows its centre; their page positions by row (for the labels).

    Without ``fills`` the marks are a count's circles (ids ``circle-<n>``); with them, a town's
    dots in those colours, one per mark (ids ``town-<n>``).
    """
    kind = "town" if fills else "circle"
    page: dict[int, tuple[float, float, float]] = {}
    for n, (row, x, y, radius) in enumerate(marks):
        style = {**TOWN_DOT_STYLE, "facecolor": fills[n]} if fills else CIRCLE_STYLE
        for ax, view in axes:
            if view.shows(x, y):
                ax.add_patch(Circle((x, y), radius / view.scale, gid=f"{kind}-{n}", label=kind, **style))
                px = view.box.x0 + (x - view.window[0]) * view.scale
                py = view.box.y0 + (y - view.window[1]) * view.scale
                page[row] = (px, py, radius)
                break
    return page
