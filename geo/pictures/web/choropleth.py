"""The interactive map of a metric: a folium (Leaflet) choropleth or circles, with legend, tooltips and attribution.

:func:`build_map` draws a :func:`geo.figures.join.level_shapes` frame with :mod:`geo.pictures.classes`
classes on the base and data layer of :mod:`geo.pictures.web.map_parts` (the change between two
datasets is :mod:`geo.pictures.web.change_map`; its names are kept here too). Every text that
reaches the page is escaped here for HTML: feature properties with ``html.escape`` (the tooltip
concatenates them as HTML), the legend by an autoescaping Jinja template. Every element that
carries it is a :class:`geo.pictures.web.elements.AtlasElement`, so no text is ever read as a template.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np

from geo.core.errors import AtlasError
from geo.figures.vocabulary import METRIC_LABELS, METRIC_SHORT, check
from geo.names.towns import town_line
from geo.official import assets
from geo.pictures.captions import Attribution
from geo.pictures.circles import TOWN_KEY, draws_circles, town_units
from geo.pictures.classes import NO_DATA_LABEL, Classes
from geo.pictures.numbers import DASH, as_float, format_value
from geo.pictures.palettes import CONTEXT_EDGE, DATA_EDGE, NO_DATA_COLOR, NO_DATA_EDGE
from geo.pictures.web import circle_markers, controls
from geo.pictures.web.change_map import build_change_map, change_legend_html, change_style
from geo.pictures.web.map_parts import UK_BOUNDS, MapParts, base, data_layer, map_html, to_wgs84
from geo.pictures.web.units import unit_geometry

__all__ = ["MapParts", "UK_BOUNDS", "build_change_map", "build_map", "change_legend_html", "change_style", "map_html"]

PARTIAL_STYLE: dict[str, Any] = {"color": "#202020", "weight": 2.2, "dashArray": "6 3"}
# The council around a counted town: a quiet dashed edge (the eye goes to the town's dot, not the area).
TOWN_AREA_STYLE: dict[str, Any] = {"color": "#6b6b6b", "weight": 1.2, "dashArray": "4 3"}
# Under circles, an area with data is an outline on a light neutral fill: the circle carries the count.
OUTLINE_STYLE: dict[str, Any] = {"fillColor": "#ffffff", "fillOpacity": 0.55, "color": DATA_EDGE, "weight": 0.7}


def _rank_text(rank: object, with_data: int) -> str:
    value = as_float(rank)
    return f"{int(value)} of {with_data}" if value is not None else DASH


def _unit_properties(shapes: gpd.GeoDataFrame) -> list[dict]:
    with_data = int(shapes["has_data"].sum())
    props = []
    for row in shapes.itertuples(index=False):
        item: dict[str, Any] = {"code": controls.esc(row.code), "name": controls.esc(row.name)}
        if bool(row.has_data):
            coverage = as_float(row.coverage)
            item.update(
                n=format_value("networks", row.networks),
                a=format_value("per_1k", row.per_1k),
                d=format_value("per_km2", row.per_km2),
                r=_rank_text(row.rank, with_data),
            )
            town = town_line(getattr(row, "town", None), str(row.name), as_float(row.per_1k) is not None)
            if town is not None:  # a town inside the area: say so, rather than a share of residents
                item["s"] = controls.esc(town)
            elif coverage is not None and coverage < 1:
                item["s"] = controls.esc(
                    f"Counts cover {coverage:.0%} of its residents; rates use those residents only"
                )
        else:
            item["nd"] = 1
            item["s"] = "No data in this dataset"
        props.append(item)
    return props


def _styles(shapes: gpd.GeoDataFrame, metric: str, classes: Classes | None) -> list[dict]:
    """Each unit's path style: its class colour, or (``classes`` None: circles carry the count) a light outline."""
    styles = []
    # A town's figure colours a dot at the town (circle_markers.town_features), not its whole council.
    towns = town_units(shapes) if classes is not None else np.zeros(len(shapes), dtype=bool)
    for value, data, coverage, town in zip(shapes[metric], shapes["has_data"].astype(bool), shapes["coverage"], towns):
        if not data:
            styles.append(
                {
                    "fillColor": NO_DATA_COLOR,
                    "fillOpacity": 0.6,
                    "color": NO_DATA_EDGE,
                    "weight": 0.6,
                    "dashArray": "3 3",
                }
            )
            continue
        style = (
            dict(OUTLINE_STYLE)
            if classes is None or town
            else {"fillColor": classes.color_for(value), "fillOpacity": 0.85, "color": DATA_EDGE, "weight": 0.7}
        )
        covered = as_float(coverage)  # 0 (a town of unknown size) is partial too, not whole
        if covered is not None and covered < 1:
            style.update(TOWN_AREA_STYLE if town else PARTIAL_STYLE)
        styles.append(style)
    return styles


def build_map(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    *,
    attribution: Attribution,
    context: gpd.GeoDataFrame | None = None,
    selected: Sequence[str] = (),
    title_html: str = "",
    inline_assets: bool = False,
    url_base: str = assets.URL_BASE,
    static_dir: str | os.PathLike[str] | None = None,
    style: str | None = None,
    note: str = "",
    geometry_from: gpd.GeoDataFrame | None = None,
) -> MapParts:
    """An interactive map of ``shapes`` (a :func:`geo.figures.join.level_shapes` frame), in parts (:class:`MapParts`).

    ``metric``: networks, per_1k or per_km2. ``style`` (None: follow the metric; see
    :func:`geo.pictures.circles.draws_circles`): a count is drawn as circles (:mod:`geo.pictures.web.circle_markers`,
    area ∝ count, over the areas drawn as light outlines), a rate or a count asked for
    ``"shaded"`` is shaded with ``classes``. Units without data are grey with a dashed
    outline either way (never the colour of zero); units whose counts cover only part of
    their residents get a dark dashed outline. ``context``: LAD polygons drawn underneath as
    thin grey outlines (pass it at place level). Units whose code is in ``selected`` get a
    thick dark outline and the map fits them; otherwise it opens on the whole UK.
    ``title_html``: an already-escaped HTML fragment shown top right (for the HTML
    download, which also sets ``inline_assets`` so it works offline). ``url_base``: where
    the dashboard serves Leaflet; ``static_dir``: the app's ``static/`` folder, where the map's own
    scripts and the units' geometry are published (:mod:`geo.pictures.web.scripts`,
    :func:`geo.pictures.web.units.publish`; None: scripts assumed there, geometry in the map's
    script). ``note``: a line for the legend (:func:`geo.pictures.captions.off_map_note`).
    ``geometry_from``: the units the base map draws (default ``shapes``): a frame that stays the
    same while the selection changes (at place level, the dataset's places without the chosen
    ones), so that only the figures change; units of ``shapes`` it lacks travel with the figures.
    """
    check("metric", metric)
    if metric not in shapes.columns:
        raise AtlasError(f"the shapes have no {metric} column: pass a frame from geo.figures.join.level_shapes")
    circles = draws_circles(metric, style)
    shapes = to_wgs84(shapes).reset_index(drop=True)
    geometry = unit_geometry(to_wgs84(geometry_from) if geometry_from is not None else shapes)
    has = shapes["has_data"].astype(bool)
    extras = []
    if (~has).any():
        extras.append(controls.item(NO_DATA_LABEL, NO_DATA_COLOR, f"1px dashed {NO_DATA_EDGE}", "atlas-no-data"))
    towns = np.zeros(len(shapes), dtype=bool) if circles else town_units(shapes)
    if towns.any():
        extras.append(
            controls.item(TOWN_KEY, OUTLINE_STYLE["fillColor"], f"1px dashed {TOWN_AREA_STYLE['color']}", "atlas-town")
        )
    if (has & (shapes["coverage"] < 1) & ~towns).any():
        extras.append(
            controls.item(
                "Counts cover part of the area", "transparent", f"2px dashed {PARTIAL_STYLE['color']}", "atlas-partial"
            )
        )
    if context is not None:
        extras.append(controls.item("Not in this dataset", "transparent", f"1px solid {CONTEXT_EDGE}"))
    if circles:
        legend = circle_markers.circle_legend_html(
            METRIC_LABELS[metric], shapes.loc[has, metric].to_numpy(dtype=float), extras, note
        )
    else:
        legend = controls.legend_html(
            METRIC_LABELS[metric], classes.scheme_label if len(classes.colors) > 1 else "", classes, extras, note=note
        )
    rows = [
        (METRIC_SHORT["networks"], "n"),
        (METRIC_SHORT["per_1k"], "a"),
        (METRIC_SHORT["per_km2"], "d"),
        ("Rank", "r"),
    ]
    return MapParts(
        base(attribution, context, inline_assets, url_base, geometry, title_html, static_dir),
        data_layer(
            shapes,
            geometry,
            _styles(shapes, metric, None if circles else classes),
            _unit_properties,
            controls.Tooltip(rows, attribution.counts),
            legend,
            selected,
            circles=circles,
            town_dots=circle_markers.town_features(shapes, [classes.color_for(v) for v in shapes[metric]])
            if towns.any()
            else None,
        ),
    )


# -- change between two datasets (diverging) ----------------------------------------------
