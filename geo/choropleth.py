"""Choropleth classes and the interactive (folium / Leaflet) map.

:func:`classify` turns a metric's values into a few classes with mapclassify and gives
each a ColorBrewer YlOrRd colour and a legend label; :func:`build_map` draws a
:func:`geo.join.level_shapes` frame with those classes: one GeoJSON layer, a legend with a
"No data" swatch, tooltips, and ONS/GeoNames/dataset attribution. Everything that reaches
the page as HTML is escaped here (folium inserts tooltip and legend text as HTML).
``snapshot`` draws the same classes and colours with matplotlib.
"""

from __future__ import annotations

import html
import json
import math
import warnings
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.errors import AtlasError
from geo.metrics import METRIC_LABELS, METRICS
from geo.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION

if TYPE_CHECKING:  # folium is imported when a map is built: static snapshots do not need it
    import folium

SCHEMES: dict[str, str] = {
    "quantiles": "Quantiles",
    "natural_breaks": "Natural breaks (Fisher-Jenks)",
    "equal_interval": "Equal interval",
}
# Neutral mid-light grey: no hue, so it cannot be read as a (yellow/orange/red) class,
# and darker than the lightest class, which is where zero falls.
NO_DATA_COLOR: str = "#c6c6c6"
NO_DATA_LABEL = "No data"
NO_DATA_EDGE = "#7a7a7a"
CONTEXT_EDGE = "#9a9a9a"
SELECTED_EDGE = "#111111"
BACKGROUND = "#f4f6f8"
PALETTE_NAME = "YlOrRd"
MAX_CLASSES = 9
# ColorBrewer YlOrRd (colour-blind safe, sequential), by number of classes.
_YLORRD: dict[int, tuple[str, ...]] = {
    1: ("#fd8d3c",),
    2: ("#fecc5c", "#e31a1c"),
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
    8: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
    9: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"),
}
# Coordinates are already on a 1e-4 degree grid (geo.areas.web_geometry): ~11 m.
COORD_DECIMALS = 4
DASH = "\u2013"  # en dash between class bounds


@dataclass(frozen=True)
class Classes:
    """Class breaks for one metric, with their colours and legend labels."""

    scheme: str
    bins: tuple[float, ...]  # upper bounds, ascending (as mapclassify gives them)
    colors: tuple[str, ...]  # one hex colour per class
    labels: tuple[str, ...]  # one legend label per class

    def index_for(self, value: float | None) -> int | None:
        """The class of ``value`` (``None`` for missing values)."""
        v = _as_float(value)
        if v is None or not self.bins:
            return None
        return min(bisect_left(self.bins, v), len(self.colors) - 1)

    def color_for(self, value: float | None) -> str:
        """The fill colour of ``value``; :data:`NO_DATA_COLOR` for NaN/None."""
        index = self.index_for(value)
        return NO_DATA_COLOR if index is None else self.colors[index]


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def palette(k: int) -> tuple[str, ...]:
    """ColorBrewer YlOrRd with ``k`` classes (1 to 9)."""
    return _YLORRD[max(1, min(k, MAX_CLASSES))]


def classify(values: Sequence[float], scheme: str = "quantiles", k: int = 5) -> Classes:
    """Class breaks for ``values`` with mapclassify.

    ``quantiles`` (Quantiles), ``natural_breaks`` (FisherJenks, exact and deterministic)
    or ``equal_interval`` (EqualInterval). NaN and None are ignored; ``k`` is reduced to the
    number of distinct values when there are fewer. One distinct value gives one class;
    no values give a single empty class. Labels use thousands separators, with whole
    numbers for counts and as many decimals as rates need to tell the breaks apart.
    """
    if scheme not in SCHEMES:
        raise AtlasError(f"scheme {scheme!r} is not one of {', '.join(SCHEMES)}: pick one of those")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_CLASSES:
        raise AtlasError(f"number of classes {k!r} is not between 1 and {MAX_CLASSES}: pick a whole number in that range")
    series = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").astype(float)
    arr = series.to_numpy()
    arr = arr[np.isfinite(arr)]
    distinct = np.unique(arr)
    if distinct.size == 0:
        return Classes(scheme, (0.0,), palette(1), ("no values",))
    integer = bool(np.all(arr == np.round(arr)))
    if distinct.size == 1:
        value = float(distinct[0])
        return Classes(scheme, (value,), palette(1), (_format_edges([value], integer)[0],))
    import mapclassify  # imported here: the app's other pages do not need it

    classifier = {
        "quantiles": mapclassify.Quantiles,
        "natural_breaks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[scheme]
    with warnings.catch_warnings():
        # "Numba not installed" and "not enough unique values": both handled here.
        warnings.simplefilter("ignore")
        result = classifier(arr, k=int(min(k, distinct.size)))
    bins = [float(b) for b in np.unique(np.asarray(result.bins, dtype=float))]
    bins[-1] = max(bins[-1], float(arr.max()))
    return Classes(scheme, tuple(bins), palette(len(bins)), tuple(_labels(bins, float(arr.min()), integer)))


def _labels(bins: list[float], low: float, integer: bool) -> list[str]:
    """Legend labels ``"low – high"`` for classes ``(previous bin, bin]``."""
    if integer:
        labels = []
        for i, upper in enumerate(bins):
            start = low if i == 0 else math.floor(bins[i - 1]) + 1
            end = math.floor(upper)
            if start > end:  # a class no whole number falls into
                start = bins[i - 1]
                labels.append(f"{_format_number(start, 1)} {DASH} {_format_number(upper, 1)}")
            elif start == end:
                labels.append(_format_number(start, 0))
            else:
                labels.append(f"{_format_number(start, 0)} {DASH} {_format_number(end, 0)}")
        return labels
    edges = _format_edges([low, *bins], integer)
    labels = []
    for i in range(len(bins)):
        lo, hi = edges[i], edges[i + 1]
        labels.append(lo if lo == hi else f"{lo} {DASH} {hi}")
    return labels


def _format_edges(edges: list[float], integer: bool) -> list[str]:
    """Format class edges with the fewest decimals (up to 4) that keep distinct edges distinct."""
    if integer:
        return [_format_number(e, 0) for e in edges]
    nonzero = [abs(e) for e in edges if e != 0]
    smallest = min(nonzero) if nonzero else 1.0
    # Rates keep at least one decimal ("33.1", not "33") and two significant digits.
    decimals = int(min(4, max(1, 1 - math.floor(math.log10(smallest)))))
    distinct = len(set(edges))
    while decimals < 4 and len({_format_number(e, decimals) for e in edges}) < distinct:
        decimals += 1
    return [_format_number(e, decimals) for e in edges]


def _format_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def format_value(metric: str, value: object) -> str:
    """A metric value for people: counts ``7,436``; rates with 1-3 decimals; ``–`` if missing."""
    v = _as_float(value)
    if v is None:
        return DASH
    if metric == "networks":
        return f"{v:,.0f}"
    magnitude = abs(v)
    if magnitude >= 100:
        return f"{v:,.0f}"
    if magnitude >= 10:
        return f"{v:,.1f}"
    if magnitude >= 0.01 or magnitude == 0:
        return f"{v:,.2f}"
    return f"{v:.2g}"


def selected_units(shapes: pd.DataFrame, codes: Iterable[str]) -> tuple[str, ...]:
    """Codes of the units that ``codes`` name: a unit's own code, or any of its LAD codes.

    At place or region level a LAD code selects the unit containing it; at LAD level a
    place's LAD codes select each of its LADs.
    """
    wanted = {str(c) for c in codes}
    if not wanted:
        return ()
    hits = [
        code
        for code, lads in zip(shapes["code"], shapes["lad_codes"])
        if code in wanted or wanted.intersection(lads or ())
    ]
    return tuple(dict.fromkeys(hits))


# -- folium ------------------------------------------------------------------------------


def _js(value: object) -> str:
    """A JSON literal that is safe inside an HTML ``<script>`` (like Jinja's ``tojson``)."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _round_coords(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, COORD_DECIMALS))


def _features(frame: gpd.GeoDataFrame, properties: list[dict] | None = None) -> dict:
    geometries = _round_coords(np.asarray(frame.geometry.values))
    features = []
    for i, geometry in enumerate(geometries):
        if geometry is None or geometry.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(i),
                "properties": properties[i] if properties is not None else {},
                "geometry": shapely.geometry.mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise AtlasError(f"metric {metric!r} is not one of {', '.join(METRICS)}: pick one of those")


def legend_html(metric: str, classes: Classes, *, context: bool = False) -> str:
    """The legend as an HTML fragment (every text escaped)."""
    swatch = (
        "display:inline-block;width:18px;height:12px;margin-right:6px;"
        "vertical-align:-1px;box-sizing:border-box;"
    )
    rows = [
        f'<div class="atlas-legend-title" style="font-weight:600;margin-bottom:2px">{_esc(METRIC_LABELS[metric])}</div>',
        f'<div style="color:#555;font-size:11px;margin-bottom:4px">{_esc(SCHEMES.get(classes.scheme, classes.scheme))}</div>',
    ]
    for color, label in zip(classes.colors, classes.labels):
        rows.append(
            f'<div class="atlas-legend-item"><span style="{swatch}background:{_esc(color)};'
            f'border:1px solid #8a8a8a"></span>{_esc(label)}</div>'
        )
    rows.append(
        f'<div class="atlas-legend-item atlas-no-data"><span style="{swatch}background:{NO_DATA_COLOR};'
        f'border:1px dashed {NO_DATA_EDGE}"></span>{_esc(NO_DATA_LABEL)}</div>'
    )
    if context:
        rows.append(
            f'<div class="atlas-legend-item"><span style="{swatch}background:transparent;'
            f'border:1px solid {CONTEXT_EDGE}"></span>Not in this dataset</div>'
        )
    return (
        '<div class="atlas-legend" style="background:rgba(255,255,255,0.92);padding:6px 9px;'
        "font:12px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#222;"
        'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3)">' + "".join(rows) + "</div>"
    )


def attribution_text(attribution: str = "") -> str:
    """The attribution line: the dataset's source, then ONS/OS and GeoNames (plain text)."""
    parts = [p for p in (attribution.strip(),) if p]
    for line in (ONS_ATTRIBUTION, GEONAMES_ATTRIBUTION):
        if line not in attribution:
            parts.append(line)
    return " | ".join(parts)


def _without_fixed_lines(attribution: str) -> str:
    """The dataset's part of an attribution: without the ONS/OS and GeoNames lines."""
    text = attribution
    for line in (ONS_ATTRIBUTION, GEONAMES_ATTRIBUTION):
        text = text.replace(line, " ")
    return " ".join(text.split()).strip(" |;")


class _Decorations(MacroElement):
    """Background colour, attribution, legend and (optionally) a title box, added by script.

    Done in script (not in the page's ``<head>``/``<body>``) so it also works inside
    streamlit-folium, which only carries a map's script over.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            map.getContainer().style.background = {{ this.background }};
            // No browser focus box around a clicked area (the highlight already shows it).
            var focusStyle = document.createElement("style");
            focusStyle.textContent = "path.leaflet-interactive:focus { outline: none; }";
            document.head.appendChild(focusStyle);
            if (map.attributionControl) {
                map.attributionControl.addAttribution({{ this.attribution }});
                var credit = map.attributionControl.getContainer();
                credit.style.maxWidth = "62%";
                credit.style.whiteSpace = "normal";
                credit.style.fontSize = "10px";
                credit.style.lineHeight = "1.3";
            }
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend-control");
                div.innerHTML = {{ this.legend }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo(map);
            {%- if this.title %}
            var title = L.control({position: "topright"});
            title.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-title-control");
                div.innerHTML = {{ this.title }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            title.addTo(map);
            {%- endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, attribution: str, title: str = "") -> None:
        super().__init__()
        self._name = "AtlasDecorations"
        self.background = _js(BACKGROUND)
        self.legend = _js(legend)
        self.attribution = _js(_esc(attribution))
        self.title = _js(title) if title else ""


class _Tooltip(MacroElement):
    """A sticky tooltip built from pre-escaped feature properties and one source line."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var p = layer.feature.properties;
            var labels = {{ this.labels }};
            var html = "<div class=\\"atlas-tooltip\\" style=\\"font-size:12px;line-height:1.4\\"><b>" + p.name + "</b>";
            if (p.nd) {
                html += "<div style=\\"color:#555\\">" + {{ this.no_data }} + "</div>";
            } else {
                html += "<table style=\\"margin-top:2px\\">";
                var keys = ["n", "a", "d", "r"];
                for (var i = 0; i < keys.length; i++) {
                    html += "<tr><td style=\\"padding-right:8px;color:#555\\">" + labels[i] + "</td><td style=\\"text-align:right\\">" + p[keys[i]] + "</td></tr>";
                }
                html += "</table>";
            }
            if ({{ this.source }}) {
                html += "<div style=\\"color:#666;font-size:10px;max-width:260px;white-space:normal;margin-top:3px\\">" + {{ this.source }} + "</div>";
            }
            return html + "</div>";
        }, {sticky: true, opacity: 0.95});
        {% endmacro %}
        """
    )

    def __init__(self, source: str) -> None:
        super().__init__()
        self._name = "AtlasTooltip"
        self.labels = _js(
            [_esc(METRIC_LABELS["networks"]), "Per 1,000 residents", "Per km\u00b2", "Rank"]
        )
        self.no_data = _js("No data in this dataset")
        self.source = _js(_esc(f"Source: {source}") if source else "")


def _unit_properties(shapes: gpd.GeoDataFrame) -> list[dict]:
    with_data = int(shapes["has_data"].sum())
    props = []
    for row in shapes[["code", "name", "networks", "per_1k", "per_km2", "rank", "has_data"]].itertuples(index=False):
        item = {"code": _esc(row.code), "name": _esc(row.name)}
        if bool(row.has_data):
            rank = _as_float(row.rank)
            item.update(
                n=format_value("networks", row.networks),
                a=format_value("per_1k", row.per_1k),
                d=format_value("per_km2", row.per_km2),
                r=f"{int(rank)} of {with_data}" if rank is not None else DASH,
            )
        else:
            item["nd"] = 1
        props.append(item)
    return props


def _bounds(frame: gpd.GeoDataFrame) -> list[list[float]] | None:
    if frame.empty:
        return None
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


UK_BOUNDS = [[49.88, -8.65], [60.86, 1.77]]


def build_map(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    *,
    context: gpd.GeoDataFrame | None = None,
    selected: Sequence[str] = (),
    attribution: str = "",
    tiles: str | None = None,
    source: str = "",
    title_html: str = "",
) -> folium.Map:
    """An interactive choropleth of ``shapes`` (a :func:`geo.join.level_shapes` frame).

    ``metric``: networks, per_1k or per_km2, coloured with ``classes``. Units without data
    are grey with a dashed outline (never the colour of zero). ``context``: LAD polygons
    drawn underneath as thin grey outlines (pass it at place level). Units whose code is
    in ``selected`` get a thick dark outline and the map fits them; otherwise it fits the
    units with data (or the UK). ``attribution``: the dataset's source, shown with the
    ONS/OS and GeoNames lines in the attribution control; ``source`` (default
    ``attribution``) closes each tooltip. ``tiles``: a folium basemap name, default none.
    ``title_html``: an already-escaped HTML fragment shown top right (for downloads).
    """
    _check_metric(metric)
    if metric not in shapes.columns:
        raise AtlasError(f"the shapes have no {metric} column: pass a frame from geo.join.level_shapes")
    shapes = _to_wgs84(shapes).reset_index(drop=True)
    styles = []
    for value, data in zip(shapes[metric], shapes["has_data"].astype(bool)):
        if data:
            styles.append({"fillColor": classes.color_for(value), "fillOpacity": 0.85, "color": "#6e6e6e", "weight": 0.7})
        else:
            styles.append({"fillColor": NO_DATA_COLOR, "fillOpacity": 0.6, "color": NO_DATA_EDGE, "weight": 0.6, "dashArray": "3 3"})
    return _draw_units(
        shapes,
        styles,
        _unit_properties,
        _Tooltip(source or _without_fixed_lines(attribution)),
        legend_html(metric, classes, context=context is not None),
        name=METRIC_LABELS[metric],
        context=context,
        selected=selected,
        attribution=attribution,
        tiles=tiles,
        title_html=title_html,
    )


def _draw_units(
    shapes: gpd.GeoDataFrame,
    styles: list[dict],
    properties: Callable[[gpd.GeoDataFrame], list[dict]],
    tooltip: object,
    legend: str,
    *,
    name: str,
    context: gpd.GeoDataFrame | None,
    selected: Sequence[str],
    attribution: str,
    tiles: str | None,
    title_html: str = "",
) -> folium.Map:
    """The map shared by :func:`build_map` and :func:`build_change_map`.

    ``shapes`` (WGS84, 0..n-1 index) are drawn with one style each; selected units get a
    thick outline, are drawn last (on top of their neighbours) and are zoomed to.
    """
    import folium

    is_selected = shapes["code"].astype(str).isin({str(c) for c in selected}).to_numpy()
    order = np.argsort(is_selected, kind="stable")
    shapes = shapes.iloc[order].reset_index(drop=True)
    ordered_styles: dict[str, dict] = {}
    for i, k in enumerate(order):
        style = dict(styles[k])
        if is_selected[k]:
            style.update(color=SELECTED_EDGE, weight=3)
            style.pop("dashArray", None)
        ordered_styles[str(i)] = style

    context = _to_wgs84(context) if context is not None else None
    m = folium.Map(location=[54.6, -3.2], zoom_start=5, tiles=tiles, control_scale=True)
    if context is not None and len(context):
        folium.GeoJson(
            _features(context),
            name="Local authorities",
            style_function=lambda f: {"fill": False, "color": CONTEXT_EDGE, "weight": 0.5},
            interactive=False,
            control=False,
        ).add_to(m)
    layer = folium.GeoJson(
        _features(shapes, properties(shapes)),
        name=name,
        style_function=lambda f: ordered_styles[f["id"]],
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000", "fillOpacity": 0.95},
        control=False,
    )
    layer.add_child(tooltip)
    layer.add_to(m)

    # Zoom to the chosen places; otherwise open on the whole UK, so a map of a few cities
    # still reads as a UK map and the unpainted rest is visible as such. The zoom cap keeps
    # a small selected borough in its surroundings.
    bounds = _bounds(shapes[is_selected[order]]) or UK_BOUNDS
    m.fit_bounds(bounds, padding=(24, 24), max_zoom=10)
    m.add_child(_Decorations(legend, attribution_text(attribution), title_html))
    return m


def map_html(m: folium.Map) -> str:
    """The map as a standalone HTML document."""
    return m.get_root().render()


# -- change between two datasets (diverging) ----------------------------------------------

DIVERGING_SCHEME = "diverging"
DIVERGING_PALETTE_NAME = "PuOr"
# ColorBrewer PuOr (colour-blind safe, diverging), ascending: purple = fewer networks in B,
# near-white = little or no change, orange = more networks in B.
_PUOR: dict[int, tuple[str, ...]] = {
    3: ("#998ec3", "#f7f7f7", "#f1a340"),
    5: ("#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101"),
    7: ("#542788", "#998ec3", "#d8daeb", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806"),
    9: ("#542788", "#8073ac", "#b2abd2", "#d8daeb", "#f7f7f7", "#fee0b6", "#fdb863", "#e08214", "#b35806"),
}
NO_CHANGE_COLOR = "#f7f7f7"
CHANGE_LABEL = "Change in camera networks (B \u2212 A)"
# Units only one dataset lists: hue-free greys (never a change colour), told apart by
# shade and outline; units neither lists are left unfilled.
ONLY_A_STYLE = {"fillColor": "#d9d9d9", "fillOpacity": 0.8, "color": "#333333", "weight": 1.2, "dashArray": "6 4"}
ONLY_B_STYLE = {"fillColor": "#969696", "fillOpacity": 0.8, "color": "#333333", "weight": 1.4, "dashArray": "1 4"}
NEITHER_STYLE = {"fillColor": "#ffffff", "fillOpacity": 0.0, "color": CONTEXT_EDGE, "weight": 0.5}


def diverging_palette(k: int) -> tuple[str, ...]:
    """ColorBrewer PuOr with ``k`` classes (3, 5, 7 or 9), ascending from decrease to increase."""
    if k not in _PUOR:
        raise AtlasError(f"number of diverging classes {k!r} is not 3, 5, 7 or 9: pick an odd number so one class is centred on no change")
    return _PUOR[k]


def _signed(value: float, decimals: int) -> str:
    text = _format_number(value, decimals)
    return "+" + text if value > 0 and text != "0" else text.replace("-", "\u2212")


def classify_diverging(values: Sequence[float], k: int = 5) -> Classes:
    """Class breaks for changes, symmetric around 0, with a ColorBrewer PuOr colour each.

    ``k`` (3, 5, 7 or 9) equal-width classes span ``[-m, m]`` where ``m`` is the largest
    absolute change, so the middle class is centred on 0 (no change, near-white), decreases
    are purple and increases orange, and a change and its opposite get mirrored colours.
    NaN and None are ignored. No values give one empty class; all-zero values one
    "no change" class. Labels carry signs (``+1,200``, ``−300``).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise AtlasError(f"number of diverging classes {k!r} is not 3, 5, 7 or 9: pick one of those")
    colors = diverging_palette(int(k))
    series = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").astype(float)
    arr = series.to_numpy()
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return Classes(DIVERGING_SCHEME, (0.0,), (NO_CHANGE_COLOR,), ("no values",))
    m = float(np.abs(arr).max())
    if m == 0:
        return Classes(DIVERGING_SCHEME, (0.0,), (NO_CHANGE_COLOR,), ("0 (no change)",))
    k = int(k)
    # (2j - k) * m / k: negating an edge is exact, so the breaks mirror exactly around 0.
    edges = [(2 * j - k) * m / k for j in range(k + 1)]
    integer = bool(np.all(arr == np.round(arr)))
    return Classes(DIVERGING_SCHEME, tuple(edges[1:]), colors, tuple(_diverging_labels(edges, integer)))


def _diverging_labels(edges: list[float], integer: bool) -> list[str]:
    """Labels for classes ``(edges[i], edges[i + 1]]`` (the first includes its lower edge)."""
    labels = []
    if integer:
        for i in range(len(edges) - 1):
            lo, hi = edges[i], edges[i + 1]
            start = math.ceil(lo) if i == 0 else math.floor(lo) + 1
            end = math.floor(hi)
            if start > end:  # a class no whole number falls into
                labels.append(f"{_signed(lo, 1)} {DASH} {_signed(hi, 1)}")
            elif start == end:
                labels.append(_signed(start, 0))
            else:
                labels.append(f"{_signed(start, 0)} {DASH} {_signed(end, 0)}")
        return labels
    texts = _format_edges(edges, integer)
    decimals = max((len(t.split(".")[1]) if "." in t else 0) for t in texts)
    for lo, hi in zip(edges[:-1], edges[1:]):
        labels.append(f"{_signed(lo, decimals)} {DASH} {_signed(hi, decimals)}")
    return labels


def format_change(value: object) -> str:
    """A change in networks with its sign (``+1,200``, ``−300``, ``0``); ``–`` if missing."""
    v = _as_float(value)
    return DASH if v is None else _signed(v, 0)


def format_pct_change(value: object) -> str:
    """A percent change with its sign and one decimal (``+12.5%``); ``–`` if missing."""
    v = _as_float(value)
    return DASH if v is None else _signed(v, 1) + "%"


def change_legend_html(
    classes: Classes, *, label_a: str = "A", label_b: str = "B", kinds: Iterable[str] = (), context: bool = False
) -> str:
    """The change map's legend as an HTML fragment (every text escaped).

    ``kinds``: which of ``only_a``, ``only_b``, ``neither`` the map shows (each gets a swatch).
    """
    swatch = (
        "display:inline-block;width:18px;height:12px;margin-right:6px;"
        "vertical-align:-1px;box-sizing:border-box;"
    )
    shown = set(kinds)
    rows = [
        f'<div class="atlas-legend-title" style="font-weight:600;margin-bottom:2px">{_esc(CHANGE_LABEL)}</div>',
        '<div style="color:#555;font-size:11px;margin-bottom:4px">Equal intervals, symmetric around 0</div>',
    ]
    for color, label in zip(reversed(classes.colors), reversed(classes.labels)):  # increases on top
        rows.append(
            f'<div class="atlas-legend-item"><span style="{swatch}background:{_esc(color)};'
            f'border:1px solid #8a8a8a"></span>{_esc(label)}</div>'
        )
    extra = [
        ("only_a", ONLY_A_STYLE, "dashed", f"Only in {label_a}"),
        ("only_b", ONLY_B_STYLE, "dotted", f"Only in {label_b}"),
        ("neither", NEITHER_STYLE, "solid", "In neither dataset"),
    ]
    for kind, style, border, label in extra:
        if kind in shown:
            fill = "transparent" if style["fillOpacity"] == 0 else style["fillColor"]
            rows.append(
                f'<div class="atlas-legend-item atlas-{kind}"><span style="{swatch}background:{_esc(fill)};'
                f'border:{1.5 if border != "solid" else 1}px {border} {_esc(style["color"])}"></span>{_esc(label)}</div>'
            )
    if context:
        rows.append(
            f'<div class="atlas-legend-item"><span style="{swatch}background:transparent;'
            f'border:1px solid {CONTEXT_EDGE}"></span>Not in either dataset</div>'
        )
    return (
        '<div class="atlas-legend" style="background:rgba(255,255,255,0.92);padding:6px 9px;'
        "font:12px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#222;"
        'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3)">' + "".join(rows) + "</div>"
    )


class _ChangeTooltip(MacroElement):
    """A sticky tooltip for the change map, built from pre-escaped feature properties."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var p = layer.feature.properties;
            var labels = {{ this.labels }};
            var html = "<div class=\\"atlas-tooltip\\" style=\\"font-size:12px;line-height:1.4\\"><b>" + p.name + "</b>";
            if (p.s) {
                html += "<div style=\\"color:#555\\">" + p.s + "</div>";
            }
            if (!p.nd) {
                html += "<table style=\\"margin-top:2px\\">";
                var keys = ["a", "b", "c", "p"];
                for (var i = 0; i < keys.length; i++) {
                    html += "<tr><td style=\\"padding-right:8px;color:#555\\">" + labels[i] + "</td><td style=\\"text-align:right\\">" + p[keys[i]] + "</td></tr>";
                }
                html += "</table>";
            }
            if ({{ this.source }}) {
                html += "<div style=\\"color:#666;font-size:10px;max-width:260px;white-space:normal;margin-top:3px\\">" + {{ this.source }} + "</div>";
            }
            return html + "</div>";
        }, {sticky: true, opacity: 0.95});
        {% endmacro %}
        """
    )

    def __init__(self, source: str, label_a: str, label_b: str) -> None:
        super().__init__()
        self._name = "AtlasChangeTooltip"
        self.labels = _js([_esc(f"Networks in {label_a}"), _esc(f"Networks in {label_b}"), "Change", "% change"])
        self.source = _js(_esc(f"Source: {source}") if source else "")


def _change_properties(shapes: gpd.GeoDataFrame, label_a: str, label_b: str) -> list[dict]:
    status = {
        "both": "",
        "only_a": f"Only in {label_a}: not listed in {label_b}",
        "only_b": f"Only in {label_b}: not listed in {label_a}",
        "neither": "In neither dataset",
    }
    props = []
    for row in shapes[["code", "name", "networks_a", "networks_b", "change", "pct_change", "in"]].itertuples(index=False):
        kind = str(row[6])
        item = {"code": _esc(row.code), "name": _esc(row.name), "s": _esc(status.get(kind, ""))}
        if kind == "neither":
            item["nd"] = 1
        else:
            a = _as_float(row.networks_a)
            item.update(
                a=_esc(format_value("networks", row.networks_a) if a is not None else "not listed"),
                b=_esc(format_value("networks", row.networks_b) if _as_float(row.networks_b) is not None else "not listed"),
                c=_esc(format_change(row.change)),
                p=_esc("n/a (A is 0)" if a == 0 else format_pct_change(row.pct_change)),
            )
        props.append(item)
    return props


def change_style(kind: str, change: object, classes: Classes) -> dict:
    """The Leaflet path style of a unit of a change map (``kind``: both, only_a, only_b, neither)."""
    if kind == "both":
        return {"fillColor": classes.color_for(change), "fillOpacity": 0.85, "color": "#6e6e6e", "weight": 0.7}
    return dict({"only_a": ONLY_A_STYLE, "only_b": ONLY_B_STYLE}.get(kind, NEITHER_STYLE))


def build_change_map(
    shapes: gpd.GeoDataFrame,
    classes: Classes,
    *,
    context: gpd.GeoDataFrame | None = None,
    selected: Sequence[str] = (),
    attribution: str = "",
    label_a: str = "A",
    label_b: str = "B",
    tiles: str | None = None,
    source: str = "",
) -> folium.Map:
    """An interactive diverging choropleth of the change between two datasets.

    ``shapes``: a :func:`geo.compare.comparison_shapes` frame; ``classes``: from
    :func:`classify_diverging` over the ``change`` of the units in both datasets. Units
    only one dataset lists are grey (light and dashed for A, darker and dotted for B),
    never a change colour; units neither lists are unfilled outlines. Tooltips show the
    name, the networks in A and in B, the change and the percent change (all escaped).
    ``context``, ``selected``, ``attribution``, ``tiles`` and ``source`` as in
    :func:`build_map`; ``label_a``/``label_b`` name the datasets in tooltips and legend.
    """
    missing = [c for c in ("code", "name", "networks_a", "networks_b", "change", "pct_change", "in") if c not in shapes.columns]
    if missing:
        raise AtlasError(
            f"the shapes have no {', '.join(missing)} column(s): pass a frame from geo.compare.comparison_shapes"
        )
    shapes = _to_wgs84(shapes).reset_index(drop=True)
    styles = [change_style(kind, change, classes) for kind, change in zip(shapes["in"].astype(str), shapes["change"])]
    kinds = set(shapes["in"].astype(str)) - {"both"}
    return _draw_units(
        shapes,
        styles,
        lambda frame: _change_properties(frame, label_a, label_b),
        _ChangeTooltip(source or _without_fixed_lines(attribution), label_a, label_b),
        change_legend_html(classes, label_a=label_a, label_b=label_b, kinds=kinds, context=context is not None),
        name=CHANGE_LABEL,
        context=context,
        selected=selected,
        attribution=attribution,
        tiles=tiles,
    )
