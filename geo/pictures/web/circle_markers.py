"""Proportional circles on the interactive map: one ``L.circleMarker`` per unit with data, area ∝ count.

The counts drawn as :mod:`geo.pictures.circles` says (where each circle sits, its area-proportional
radius, largest first), for :func:`geo.pictures.web.choropleth.build_map`. Radii are in screen pixels,
not metres: a circle keeps its size while the reader zooms, so a count reads the same at the
UK view and at a city (a circle in metres that fits London at the UK view would cover the
whole screen at street level). The largest value gets :data:`MAX_RADIUS_PX` (28 px: for the
shipped four cities London's circle is 56 px across, about the South East at the UK view of a
600 px map, and Liverpool's, the smallest, still 16 px, easy to hover); a value too small to see or
hover is drawn at :data:`MIN_RADIUS_PX`, which only touches values under 0.5% of the largest. On a
narrow map (a phone, :data:`NARROW`) every circle and the legend's key are :data:`NARROW_SCALE`
times as large, so the four cities of the shipped study do not bury the whole of England.

:class:`Circles` is a :class:`geo.pictures.web.elements.AtlasElement`: the points and their
properties travel as ``|data`` JSON, never as template text; its legend
(:func:`circle_legend_html`) is an autoescaped fragment of reference circles drawn at the
map's own scale, with the values of :func:`geo.pictures.circles.reference_values`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
from jinja2 import Environment
from markupsafe import Markup

from geo.pictures.circles import (
    CIRCLE_EDGE,
    CIRCLE_FILL,
    CIRCLE_OPACITY,
    TOWN_DOT_EDGE,
    draw_order,
    radii,
    reference_values,
    town_units,
    unit_points,
)
from geo.pictures.palettes import SELECTED_EDGE
from geo.pictures.web.elements import AtlasElement, template

MAX_RADIUS_PX = 28.0
MIN_RADIUS_PX = 2.0
NARROW = "(max-width: 600px)"  # the media query of the map's other phone rules (geo.pictures.web.controls.Decorations)
NARROW_SCALE = 0.7
CIRCLE_STYLE = {"color": CIRCLE_EDGE, "weight": 1, "fillColor": CIRCLE_FILL, "fillOpacity": CIRCLE_OPACITY}
HIGHLIGHT = {"color": "#000000", "weight": 2, "fillOpacity": 0.9}
SELECTED_STYLE = {**CIRCLE_STYLE, "color": SELECTED_EDGE, "weight": 2.5}
# On a shaded map, a town's figure: a dot in its class colour, not the colour of its whole council.
TOWN_DOT_PX = 6.0
TOWN_DOT_STYLE = {"color": TOWN_DOT_EDGE, "weight": 1.2, "fillOpacity": 1, "interactive": False}


class Circles(AtlasElement):
    """Circle markers of a FeatureCollection of points: ``properties`` for the tooltip, ``r`` the radius in px,
    ``k`` the style (0: plain, 1: a chosen unit). Drawn in the features' order (largest first).

    A :class:`geo.pictures.web.controls.Tooltip` added as a child binds to each circle; a click on a
    circle reports its feature (``properties.code``), as a click on an area does. Drawn by
    ``CameraAtlas.circles`` (``js/layers.js``).
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name()|name }} = CameraAtlas.circles(
            {{ this._parent.get_name()|name }}, {{ this.options|data }}, {{ this.data|data }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "Circles"
        self.data = data
        self.styles = [CIRCLE_STYLE, SELECTED_STYLE, TOWN_DOT_STYLE]
        self.highlight = HIGHLIGHT
        self.narrow, self.narrow_scale, self.least = NARROW, NARROW_SCALE, MIN_RADIUS_PX
        self.options = {
            "styles": self.styles,
            "highlight": HIGHLIGHT,
            "narrow": NARROW,
            "narrowScale": NARROW_SCALE,
            "least": MIN_RADIUS_PX,
        }


def circle_radii(values: np.ndarray, largest: float | None = None) -> np.ndarray:
    """Radii in screen px with area ∝ value: ``largest`` (default: the largest value) gets :data:`MAX_RADIUS_PX`;
    a positive value never gets less than :data:`MIN_RADIUS_PX`; NaN stays NaN."""
    v = np.asarray(values, dtype=float)
    top = largest if largest is not None else (float(np.nanmax(v)) if np.isfinite(v).any() else 0.0)
    r = radii(v, top, MAX_RADIUS_PX)
    return np.where(v > 0, np.maximum(r, MIN_RADIUS_PX), r)


def circle_features(
    shapes: gpd.GeoDataFrame, properties: list[dict], selected: set[str], centres: np.ndarray | None = None
) -> dict:
    """The units with data of ``shapes`` (WGS84) as a FeatureCollection of points, largest first.

    ``properties``: each row's tooltip properties (as the areas carry them); ``selected``:
    the codes of the chosen units (drawn with a dark edge); ``centres``: their visual centres
    where already known (:func:`geo.pictures.circles.unit_points`).
    """
    has = shapes["has_data"].astype(bool).to_numpy()
    values = np.where(has, shapes["networks"].to_numpy(dtype=float), np.nan)
    points = unit_points(shapes, centres)
    sizes = circle_radii(values)
    features = []
    for i in draw_order(values):
        x, y = points[i]
        if not (np.isfinite(x) and np.isfinite(y)):
            continue  # a unit without geometry has no place to draw
        features.append(
            {
                "type": "Feature",
                "id": f"c{i}",
                "properties": properties[i],
                "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]},
                "r": round(float(sizes[i]), 2),
                "k": int(str(shapes["code"].iat[i]) in selected),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def town_features(shapes: gpd.GeoDataFrame, colors: Sequence[str]) -> dict:
    """On a shaded map, a dot at each town whose figure a unit carries (:func:`geo.pictures.circles.town_units`), in
    ``colors`` (the unit's class colour, one per row of ``shapes``, WGS84): a FeatureCollection for :class:`Circles`."""
    towns = town_units(shapes)
    points = unit_points(shapes) if towns.any() else np.zeros((len(shapes), 2))
    features = []
    for i in np.flatnonzero(towns):
        x, y = points[i]
        if np.isfinite(x) and np.isfinite(y):
            features.append(
                {
                    "type": "Feature",
                    "id": f"t{i}",
                    "properties": {},
                    "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]},
                    "r": TOWN_DOT_PX,
                    "k": 2,
                    "code": str(shapes["code"].iat[i]),
                    "c": str(colors[int(i)]),
                }
            )
    return {"type": "FeatureCollection", "features": features}


_KEY = Environment(autoescape=True).from_string(
    """<svg class="atlas-circle-key {{ css }}" width="{{ width }}" height="{{ height }}" role="img" aria-label="{{ aria }}" style="margin:2px 0 4px">
{%- for ref in refs %}<circle cx="{{ cx }}" cy="{{ ref.cy }}" r="{{ ref.r }}" fill="{{ fill }}" fill-opacity="{{ opacity }}" stroke="#ffffff" stroke-width="1"></circle>{% endfor %}
{%- for ref in refs %}<line x1="{{ cx }}" y1="{{ ref.top }}" x2="{{ label_x - 3 }}" y2="{{ ref.top }}" stroke="#555" stroke-width="0.6" stroke-dasharray="2 2"></line><text class="atlas-circle-value" x="{{ label_x }}" y="{{ ref.top + 4 }}" font-size="11" fill="#222">{{ ref.label }}</text>{% endfor %}</svg>"""
)

# The box's look is the map's stylesheet (js/controls.js, LEGEND_CSS), as for the shaded legend.
_LEGEND = Environment(autoescape=True).from_string(
    """<div class="atlas-legend atlas-circle-legend"><style>.atlas-circle-key { display: block; } .atlas-circle-key-narrow { display: none; } @media {{ narrow }} { .atlas-circle-key-wide { display: none; } .atlas-circle-key-narrow { display: block; } }</style><div class="atlas-legend-title">{{ title }}</div>
<div class="atlas-legend-sub">Circle area shows the count</div>
{{- keys }}
{%- for item in extras %}<div class="atlas-legend-item {{ item.css }}"><span style="background:{{ item.fill }}{% if item.border %};border:{{ item.border }}{% endif %}"></span>{{ item.label }}</div>{% endfor %}
{%- if note %}<div class="atlas-legend-note">{{ note }}</div>{% endif %}</div>"""
)


def _key(refs: list[int], sizes: np.ndarray, css: str) -> str:
    """One key of reference circles nested on a common bottom, each labelled at its top (autoescaped SVG)."""
    big = float(sizes.max())
    pad = 7.0  # room above the largest circle for its label
    cx, base = big + 1.5, 2 * big + pad
    drawn: list[dict[str, Any]] = [
        {
            "r": round(float(r), 2),
            "cy": round(base - float(r), 2),
            "top": round(base - 2 * float(r), 2),
            "label": f"{value:,}",
        }
        for value, r in zip(refs, sizes)
    ]
    # Labels of nested circles can crowd: each at least 12 px below the one above.
    for above, ref in zip(drawn, drawn[1:]):
        ref["top"] = max(ref["top"], above["top"] + 12)
    label_x = round(2 * big + 8, 2)
    return _KEY.render(
        css=css,
        refs=drawn,
        cx=round(cx, 2),
        label_x=label_x,
        fill=CIRCLE_FILL,
        opacity=CIRCLE_OPACITY,
        width=round(label_x + 7 * max(len(r["label"]) for r in drawn) + 4, 2),
        height=round(max(base + 1.5, drawn[-1]["top"] + 6), 2),
        aria="Reference circles: " + ", ".join(r["label"] for r in drawn),
    )


def circle_legend_html(
    title: str,
    values: np.ndarray,
    extras: Sequence[dict] = (),
    note: str = "",
    largest: float | None = None,
) -> str:
    """The legend of a circles map (autoescaped HTML): two or three reference circles nested at the map's own
    scale (a second key at :data:`NARROW_SCALE` shows on a narrow map), labelled with round values
    (thousands separators), then ``extras`` swatches and ``note``.

    ``values``: the counts drawn; ``largest``: the value the largest circle stands for (default their maximum).
    """
    v = np.asarray(values, dtype=float)
    refs = list(reference_values(v))
    top = largest if largest is not None else (float(np.nanmax(v)) if np.isfinite(v).any() else 0.0)
    keys = ""
    if refs:
        sizes = circle_radii(np.asarray(refs, dtype=float), top)
        narrow = np.maximum(sizes * NARROW_SCALE, np.minimum(sizes, MIN_RADIUS_PX))
        keys = _key(refs, sizes, "atlas-circle-key-wide") + _key(refs, narrow, "atlas-circle-key-narrow")
    return _LEGEND.render(title=title, keys=Markup(keys), extras=list(extras), note=note, narrow=NARROW)
