"""The static map's circles for counts: one per unit with data, its area proportional to the count.

:func:`marks` finds each circle's centre (:func:`geo.circles.unit_points`: a town's own point,
else inside the area) and radius in page points, largest first; :func:`draw` puts them on the
map's axes (ids ``circle-<n>``, so a file's circles can be counted) and returns where each
landed on the page, for its label to go beside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from geo import circles as circle_rules
from geo.classes import Classes
from geo.map_labels import View

PROJECTED_CRS = 27700  # the static map draws in British National Grid (as geo.static_map)


def marks(
    shapes: gpd.GeoDataFrame, metric: str, geometries: np.ndarray, max_radius: float
) -> list[tuple[int, float, float, float]]:
    """The circles to draw, largest first: (row, x, y in metres, radius in points); zero and no data get none."""
    has_data = shapes["has_data"].astype(bool).to_numpy()
    values = np.where(has_data, numeric(shapes[metric]), np.nan)
    if not np.isfinite(values).any():
        return []
    projected = gpd.GeoDataFrame(shapes.drop(columns=shapes.geometry.name),
                                 geometry=gpd.GeoSeries(geometries, index=shapes.index, crs=PROJECTED_CRS))
    points = circle_rules.unit_points(projected)
    radii = circle_rules.radii(values, float(np.nanmax(values)), max_radius)
    return [(int(i), float(points[i, 0]), float(points[i, 1]), float(radii[i]))
            for i in circle_rules.draw_order(values) if radii[i] > 0 and np.isfinite(points[i]).all()]


def numeric(column: object) -> np.ndarray:
    """A column as floats (text and missing become NaN)."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def draw(
    axes: list[tuple[Axes, View]], marks: list[tuple[int, float, float, float]]
) -> dict[int, tuple[float, float, float]]:
    """Each circle on the view that shows its centre (ids ``circle-<n>``); their page positions by row."""
    page: dict[int, tuple[float, float, float]] = {}
    for n, (row, x, y, radius) in enumerate(marks):
        for ax, view in axes:
            if view.shows(x, y):
                ax.add_patch(Circle((x, y), radius / view.scale, facecolor=circle_rules.CIRCLE_FILL,
                                    alpha=circle_rules.CIRCLE_OPACITY, edgecolor=circle_rules.CIRCLE_EDGE,
                                    linewidth=0.6, zorder=20, gid=f"circle-{n}", label="circle"))
                px = view.box.x0 + (x - view.window[0]) * view.scale
                py = view.box.y0 + (y - view.window[1]) * view.scale
                page[row] = (px, py, radius)
                break
    return page


def draw_town_dots(
    axes: list[tuple[Axes, View]], shapes: gpd.GeoDataFrame, metric: str, classes: Classes,
    geometries: np.ndarray, radius: float,
) -> dict[int, tuple[float, float, float]]:
    """On a shaded map, a dot in its class colour at each town whose figure a unit carries
    (:func:`geo.circles.town_units`; ids ``town-<n>``); their page positions by row, for the labels."""
    towns = circle_rules.town_units(shapes)
    if not towns.any():
        return {}
    projected = gpd.GeoDataFrame(shapes.drop(columns=shapes.geometry.name),
                                 geometry=gpd.GeoSeries(geometries, index=shapes.index, crs=PROJECTED_CRS))
    points = circle_rules.unit_points(projected)
    page: dict[int, tuple[float, float, float]] = {}
    for n, row in enumerate(np.flatnonzero(towns)):
        x, y = points[row]
        for ax, view in axes:
            if np.isfinite([x, y]).all() and view.shows(x, y):
                ax.add_patch(Circle((x, y), radius / view.scale, facecolor=classes.color_for(shapes[metric].iat[row]),
                                    edgecolor=circle_rules.TOWN_DOT_EDGE, linewidth=0.8, zorder=21,
                                    gid=f"town-{n}", label="town"))
                px = view.box.x0 + (x - view.window[0]) * view.scale
                py = view.box.y0 + (y - view.window[1]) * view.scale
                page[int(row)] = (px, py, radius)
                break
    return page
