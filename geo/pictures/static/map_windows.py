"""Where the static map looks: British National Grid, the main window and the small maps beside it.

Owns the projection (:func:`project`), the main window (the whole UK without Shetland, or
zoomed to the chosen units: :func:`zoom_window`, :func:`fill_to`), the axes that show a window
in a box of the page (:func:`map_axes`), Shetland's boxed inset at the same scale
(:func:`shetland_inset`) and the locator, a small UK with the zoomed window marked
(:func:`locator`). What is drawn inside a window is :mod:`geo.pictures.static.map_layers`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path

from geo.pictures.static.labels import Box
from geo.pictures.static.map_layers import SELECTED_EDGE, Layer

PROJECTED_CRS = 27700  # British National Grid: the UK as Ordnance Survey draws it
# The UK without Shetland, and Shetland (drawn in an inset), in EPSG:27700 metres.
MAINLAND = (-120.0, 7_040.0, 655_660.0, 1_056_300.0)
SHETLAND = (393_000.0, 1_069_000.0, 469_500.0, 1_220_500.0)
ZOOM_MIN_SPAN = 110_000.0  # a zoomed map shows at least this much country (metres)
ZOOM_ASPECT = (0.75, 1.25)  # height / width of a zoomed map window


def pad(window: tuple[float, float, float, float], share: float) -> tuple[float, float, float, float]:
    """``window`` grown on every side by ``share`` of its longer side."""
    minx, miny, maxx, maxy = window
    margin = max(maxx - minx, maxy - miny) * share
    return minx - margin, miny - margin, maxx + margin, maxy + margin


def project(frame: gpd.GeoDataFrame | None) -> np.ndarray:
    """Geometries in EPSG:27700, polygons oriented so holes stay holes."""
    if frame is None or not len(frame):
        return np.array([], dtype=object)
    geometries = frame.geometry
    if geometries.crs is None or geometries.crs.to_epsg() != PROJECTED_CRS:
        geometries = geometries.to_crs(PROJECTED_CRS)
    return shapely.orient_polygons(np.asarray(geometries.values))


def zoom_window(geometries: np.ndarray, selected: np.ndarray) -> tuple[tuple[float, float, float, float], bool]:
    """The map window in metres, and whether it is zoomed (to the selected units, with surroundings)."""
    uk = pad(MAINLAND, 0.012)
    if not selected.any():
        return uk, False
    minx, miny, maxx, maxy = shapely.total_bounds(geometries[selected])
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return uk, False
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    width = max((maxx - minx) * 1.5, ZOOM_MIN_SPAN)
    height = max((maxy - miny) * 1.5, ZOOM_MIN_SPAN)
    low, high = ZOOM_ASPECT
    width, height = max(width, height / high), max(height, width * low)
    if width >= uk[2] - uk[0] or height >= (uk[3] - uk[1]) * 0.8:
        return uk, False
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2), True


def fill_to(window: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """``window`` grown in its short direction to ``aspect`` (height / width), about the same centre."""
    minx, miny, maxx, maxy = window
    w, h = maxx - minx, maxy - miny
    w, h = (w, w * aspect) if aspect > h / w else (h / aspect, h)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def map_axes(figure: Figure, box: Box, height_pt: float, window: tuple, frame: bool = False) -> Axes:
    """Axes covering ``box`` (points from the lower left of the page) showing ``window``."""
    width_pt = figure.get_size_inches()[0] * 72
    ax = figure.add_axes(
        (box.x0 / width_pt, box.y0 / height_pt, (box.x1 - box.x0) / width_pt, (box.y1 - box.y0) / height_pt)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_visible(frame)
        spine.set_edgecolor("#b5b5b5")
        spine.set_linewidth(0.6)
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    return ax


def shetland_inset(geometries: np.ndarray, context: np.ndarray, main: Box, scale: float) -> tuple[tuple, Box] | None:
    """Shetland's window and box (same scale, top right of the map), when something is drawn there."""
    frames = [g for g in (geometries, context) if len(g)]
    shetland = shapely.box(*SHETLAND)
    if not any(shapely.intersects(g, shetland).any() for g in frames):
        return None
    window = pad(SHETLAND, 0.05)
    width, height = (window[2] - window[0]) * scale, (window[3] - window[1]) * scale
    return window, Box(main.x1 - 4 - width, main.y1 - 4 - height, main.x1 - 4, main.y1 - 4)


def locator(figure: Figure, page_h: float, layers: list[Layer], window: tuple, main: Box, avoid: list[Box]) -> Box:
    """A small UK with the zoomed window marked, in the corner of the map that covers least of the data."""
    minx, miny, maxx, maxy = window
    uk = pad((min(MAINLAND[0], minx), min(MAINLAND[1], miny), max(MAINLAND[2], maxx), max(MAINLAND[3], maxy)), 0.03)
    width = 62.0
    height = width * (uk[3] - uk[1]) / (uk[2] - uk[0])
    corners = [
        Box(main.x1 - 6 - width, main.y0 + 6, main.x1 - 6, main.y0 + 6 + height),
        Box(main.x0 + 6, main.y0 + 6, main.x0 + 6 + width, main.y0 + 6 + height),
        Box(main.x1 - 6 - width, main.y1 - 6 - height, main.x1 - 6, main.y1 - 6),
        Box(main.x0 + 6, main.y1 - 6 - height, main.x0 + 6 + width, main.y1 - 6),
    ]
    box = min(corners, key=lambda c: sum(c.grow(4).overlaps(a) for a in avoid))
    ax = map_axes(figure, box, page_h, uk, frame=True)
    ax.set_zorder(2)
    land = [p for layer in layers if layer.land for p in layer.paths]
    ax.add_collection(
        PathCollection([Path.make_compound_path(*land)], facecolors="#c9c9c9", edgecolors="none"), autolim=False
    )
    ax.add_patch(
        Rectangle((minx, miny), maxx - minx, maxy - miny, facecolor="none", edgecolor=SELECTED_EDGE, linewidth=0.9)
    )
    return box
