"""The static map's units as matplotlib paths, one :class:`Layer` per style, and drawing them.

Owns what a unit looks like on the printed map: context land, no-data units (hatched), classed
units (or plain outlines under count circles), a town's council (pale, striped), the
partial-coverage hatch and the selection outline (:func:`unit_layers`), and
:func:`draw_layers`, which draws the layers that reach into one window of axes. Where the
windows are and which axes exist is :mod:`geo.pictures.static.map_windows`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.path import Path
from shapely.geometry.base import BaseGeometry

from geo.pictures import circles as circle_rules
from geo.pictures.classes import Classes
from geo.pictures.static.legend import KEYS, LAND, LAND_EDGE

UNIT_FILL, UNIT_EDGE = "#e3e3e3", "#8c8c8c"  # a circle map's units with data: outlines under the circles
BORDER = "#ffffff"  # between units
SELECTED_EDGE = "#1a1a1a"


@dataclass(frozen=True)
class Layer:
    """Paths drawn with one style, with their bounds (for the inset and the locator)."""

    paths: list[Path]
    bounds: np.ndarray
    style: dict
    land: bool = True  # part of the country's outline (the locator draws these)


def unit_path(geometry: BaseGeometry | None) -> Path:
    """A matplotlib path of a (multi)polygon: one closed ring after another."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    if geometry is not None and not geometry.is_empty:
        polygons = [p for p in shapely.get_parts(shapely.get_parts(geometry)) if p.geom_type == "Polygon"]
        for ring in (r for p in polygons for r in (p.exterior, *p.interiors)):
            xy = shapely.get_coordinates(ring)
            if len(xy) < 4:
                continue
            ring_codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            ring_codes[0], ring_codes[-1] = Path.MOVETO, Path.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    if not vertices:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    return Path(np.concatenate(vertices), np.concatenate(codes))


def unit_layers(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    geometries: np.ndarray,
    context: np.ndarray,
    selected: np.ndarray,
    level_edge: float,
    circles: bool = False,
) -> list[Layer]:
    """Context land, no-data units, classed units (plain outlines under circles), the partial-coverage
    hatch, the selection outline."""
    has_data = shapes["has_data"].astype(bool).to_numpy()
    partial = has_data & (shapes["coverage"].fillna(1).to_numpy(dtype=float) < 1)
    paths = [unit_path(g) for g in geometries]
    bounds = shapely.bounds(geometries) if len(geometries) else np.zeros((0, 4))

    def layer(mask: np.ndarray, **style: object) -> Layer:
        return Layer([p for p, m in zip(paths, mask) if m], bounds[mask], style)

    layers = []
    if len(context):
        layers.append(
            Layer(
                [unit_path(g) for g in context],
                shapely.bounds(context),
                {"facecolors": LAND, "edgecolors": LAND_EDGE, "linewidths": 0.3},
            )
        )
    no_data, partial_key = KEYS["no_data"], KEYS["partial"]
    layers.append(
        layer(
            ~has_data,
            facecolors=no_data.face,
            edgecolors=BORDER,
            linewidths=level_edge,
            hatch=no_data.hatch,
            hatchcolor=no_data.hatch_color,
        )
    )
    if circles:
        layers.append(layer(has_data, facecolors=UNIT_FILL, edgecolors=UNIT_EDGE, linewidths=level_edge))
    else:
        # A town's figure is a dot at the town (:func:`geo.pictures.static.circle_marks.town_marks`), not the colour of its whole council.
        towns = circle_rules.town_units(shapes)
        shaded = has_data & ~towns
        colors = [classes.color_for(v) for v, d in zip(shapes[metric], shaded) if d]
        layers.append(layer(shaded, facecolors=colors, edgecolors=BORDER, linewidths=level_edge))
        town_key = KEYS["town"]
        layers.append(
            layer(
                towns,
                facecolors=town_key.face,
                edgecolors=UNIT_EDGE,
                linewidths=level_edge,
                hatch=town_key.hatch,
                hatchcolor=town_key.hatch_color,
            )
        )
        partial = partial & ~towns
    layers.append(
        replace(
            layer(
                partial,
                facecolors="none",
                edgecolors="none",
                linewidths=0,
                hatch=partial_key.hatch,
                hatchcolor=partial_key.hatch_color,
            ),
            land=False,
        )
    )
    layers.append(replace(layer(selected, facecolors="none", edgecolors=SELECTED_EDGE, linewidths=1.3), land=False))
    return [item for item in layers if item.paths]


def draw_layers(ax: Axes, layers: list[Layer], window: tuple[float, float, float, float]) -> None:
    """The layers' paths that reach into ``window``, one collection per layer (hatches filled once)."""
    minx, miny, maxx, maxy = window
    for z, item in enumerate(layers):
        b = item.bounds
        keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        paths = [p for p, k in zip(item.paths, keep) if k]
        if not paths:
            continue
        style = dict(item.style)
        hatch, hatchcolor = style.pop("hatch", None), style.pop("hatchcolor", None)
        colors = style.pop("facecolors")
        if not isinstance(colors, str):
            colors = [c for c, k in zip(colors, keep) if k]
        if hatch:  # one compound path: Agg then fills the hatch once instead of once per unit
            paths, colors = [Path.make_compound_path(*paths)], colors if isinstance(colors, str) else colors[:1]
        collection = PathCollection(paths, facecolors=colors, zorder=z + 1, **style)
        if hatch:
            collection.set_hatch(hatch)
            collection.set_hatchcolor(hatchcolor)
            collection.set_hatch_linewidth(0.7)
        ax.add_collection(collection, autolim=False)
