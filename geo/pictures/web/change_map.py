"""The interactive map of the change between two datasets: a diverging choropleth with its own styles and legend.

:func:`build_change_map` draws a :func:`geo.figures.compare.comparison_shapes` frame on the base
and data layer of :mod:`geo.pictures.web.map_parts`. Units only one dataset lists are hue-free
greys, told apart by shade and outline; units neither lists are left unfilled.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd

from geo.core.errors import AtlasError
from geo.official import assets
from geo.pictures.captions import Attribution
from geo.pictures.classes import Classes
from geo.pictures.numbers import as_float, format_change, format_pct_change, format_value
from geo.pictures.palettes import CONTEXT_EDGE
from geo.pictures.web import controls
from geo.pictures.web.map_parts import MapParts, base, data_layer, to_wgs84
from geo.pictures.web.units import unit_geometry

CHANGE_LABEL = "Change in camera networks (B \u2212 A)"
# Units only one dataset lists: hue-free greys (never a change colour), told apart by
# shade and outline; units neither lists are left unfilled.
ONLY_A_STYLE: dict[str, Any] = {
    "fillColor": "#d9d9d9",
    "fillOpacity": 0.8,
    "color": "#333333",
    "weight": 1.2,
    "dashArray": "6 4",
}
ONLY_B_STYLE: dict[str, Any] = {
    "fillColor": "#969696",
    "fillOpacity": 0.8,
    "color": "#333333",
    "weight": 1.4,
    "dashArray": "1 4",
}
NEITHER_STYLE: dict[str, Any] = {"fillColor": "#ffffff", "fillOpacity": 0.0, "color": CONTEXT_EDGE, "weight": 0.5}


def _change_properties(shapes: gpd.GeoDataFrame, label_a: str, label_b: str) -> list[dict]:
    status = {
        "both": "",
        "only_a": f"Only in {label_a}: not listed in {label_b}",
        "only_b": f"Only in {label_b}: not listed in {label_a}",
        "neither": "In neither dataset",
    }
    props = []
    for row in shapes.itertuples(index=False):
        item: dict[str, Any] = {
            "code": controls.esc(row.code),
            "name": controls.esc(row.name),
            "s": controls.esc(status.get(row.listed, "")),
        }
        if row.listed == "neither":
            item["nd"] = 1
        else:
            a = as_float(row.networks_a)
            item.update(
                a=controls.esc(format_value("networks", row.networks_a) if a is not None else "not listed"),
                b=controls.esc(
                    format_value("networks", row.networks_b) if as_float(row.networks_b) is not None else "not listed"
                ),
                c=controls.esc(format_change(row.change)),
                p=controls.esc("n/a (A is 0)" if a == 0 else format_pct_change(row.pct_change)),
            )
        props.append(item)
    return props


def change_style(listed: str, change: object, classes: Classes) -> dict:
    """The Leaflet path style of a unit of a change map (``listed``: both, only_a, only_b, neither)."""
    if listed == "both":
        return {"fillColor": classes.color_for(change), "fillOpacity": 0.85, "color": "#6e6e6e", "weight": 0.7}
    return dict({"only_a": ONLY_A_STYLE, "only_b": ONLY_B_STYLE}.get(listed, NEITHER_STYLE))


def change_legend_html(
    classes: Classes, *, label_a: str = "A", label_b: str = "B", kinds: Sequence[str] = (), context: bool = False
) -> str:
    """The change map's legend (increases on top), with a swatch for each of ``kinds`` shown."""
    extras = []
    for kind, style, border, label in (
        ("only_a", ONLY_A_STYLE, "dashed", f"Only in {label_a}"),
        ("only_b", ONLY_B_STYLE, "dotted", f"Only in {label_b}"),
        ("neither", NEITHER_STYLE, "solid", "In neither dataset"),
    ):
        if kind in kinds:
            fill = "transparent" if style["fillOpacity"] == 0 else style["fillColor"]
            width = 1 if border == "solid" else 1.5
            extras.append(controls.item(label, fill, f"{width}px {border} {style['color']}", f"atlas-{kind}"))
    if context:
        extras.append(controls.item("Not in either dataset", "transparent", f"1px solid {CONTEXT_EDGE}"))
    return controls.legend_html(CHANGE_LABEL, classes.scheme_label, classes, extras, descending=True)


def build_change_map(
    shapes: gpd.GeoDataFrame,
    classes: Classes,
    *,
    attribution: Attribution,
    context: gpd.GeoDataFrame | None = None,
    selected: Sequence[str] = (),
    label_a: str = "A",
    label_b: str = "B",
    url_base: str = assets.URL_BASE,
    static_dir: str | os.PathLike[str] | None = None,
) -> MapParts:
    """An interactive diverging choropleth of the change between two datasets.

    ``shapes``: a :func:`geo.figures.compare.comparison_shapes` frame; ``classes``: from
    :func:`geo.pictures.classes.classify_diverging` over the ``change`` of the units in both
    datasets. Units only one dataset lists are grey (light and dashed for A, darker and
    dotted for B), never a change colour; units neither lists are unfilled outlines.
    """
    missing = [
        c
        for c in ("code", "name", "networks_a", "networks_b", "change", "pct_change", "listed")
        if c not in shapes.columns
    ]
    if missing:
        raise AtlasError(
            f"the shapes have no {', '.join(missing)} column(s): pass a frame from geo.figures.compare.comparison_shapes"
        )
    shapes = to_wgs84(shapes).reset_index(drop=True)
    styles = [
        change_style(listed, change, classes) for listed, change in zip(shapes["listed"].astype(str), shapes["change"])
    ]
    kinds = sorted(set(shapes["listed"].astype(str)) - {"both"})
    rows = [(f"Networks in {label_a}", "a"), (f"Networks in {label_b}", "b"), ("Change", "c"), ("% change", "p")]
    legend = change_legend_html(classes, label_a=label_a, label_b=label_b, kinds=kinds, context=context is not None)
    geometry = unit_geometry(shapes)
    return MapParts(
        base(attribution, context, False, url_base, geometry, static_dir=static_dir),
        data_layer(
            shapes,
            geometry,
            styles,
            lambda frame: _change_properties(frame, label_a, label_b),
            controls.Tooltip(rows, attribution.counts),
            legend,
            selected,
        ),
    )
