"""The interactive map: folium (Leaflet) choropleths of a metric or of a change, with legend, tooltips and attribution.

:func:`build_map` draws a :func:`geo.figures.join.level_shapes` frame with :mod:`geo.pictures.classes`
classes; :func:`build_change_map` draws a :func:`geo.figures.compare.comparison_shapes` frame.
Geometry travels as encoded polylines (:mod:`geo.pictures.web.polyline`). Every text that reaches the
page is escaped here for HTML: feature properties with ``html.escape`` (the tooltip
concatenates them as HTML), the legend by an autoescaping Jinja template. Every element that
carries it is a :class:`geo.pictures.web.elements.AtlasElement` (:class:`geo.pictures.web.layers.Shapes` for
the polygons, :mod:`geo.pictures.web.controls` for the rest), so no text is ever read as a template.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
from branca.element import MacroElement

from geo.core.errors import AtlasError
from geo.figures.vocabulary import METRIC_LABELS, METRIC_SHORT, check
from geo.names.towns import town_line
from geo.official import assets
from geo.pictures.captions import Attribution
from geo.pictures.circles import TOWN_KEY, draws_circles, town_units
from geo.pictures.classes import NO_DATA_LABEL, Classes
from geo.pictures.numbers import DASH, as_float, format_change, format_pct_change, format_value
from geo.pictures.palettes import CONTEXT_EDGE, DATA_EDGE, NO_DATA_COLOR, NO_DATA_EDGE, SELECTED_EDGE
from geo.pictures.web import circle_markers, controls
from geo.pictures.web.elements import RawHtml
from geo.pictures.web.layers import Shapes
from geo.pictures.web.polyline import encode_geometries

if TYPE_CHECKING:  # folium is imported when a map is built: static snapshots do not need it
    import folium


UK_BOUNDS = [[49.88, -8.65], [60.86, 1.77]]
PARTIAL_STYLE = {"color": "#202020", "weight": 2.2, "dashArray": "6 3"}
# The council around a counted town: a quiet dashed edge (the eye goes to the town's dot, not the area).
TOWN_AREA_STYLE = {"color": "#6b6b6b", "weight": 1.2, "dashArray": "4 3"}
CHANGE_LABEL = "Change in camera networks (B \u2212 A)"
# Units only one dataset lists: hue-free greys (never a change colour), told apart by
# shade and outline; units neither lists are left unfilled.
ONLY_A_STYLE = {"fillColor": "#d9d9d9", "fillOpacity": 0.8, "color": "#333333", "weight": 1.2, "dashArray": "6 4"}
ONLY_B_STYLE = {"fillColor": "#969696", "fillOpacity": 0.8, "color": "#333333", "weight": 1.4, "dashArray": "1 4"}
NEITHER_STYLE = {"fillColor": "#ffffff", "fillOpacity": 0.0, "color": CONTEXT_EDGE, "weight": 0.5}
# Under circles, an area with data is an outline on a light neutral fill: the circle carries the count.
OUTLINE_STYLE = {"fillColor": "#ffffff", "fillOpacity": 0.55, "color": DATA_EDGE, "weight": 0.7}


def _features(frame: gpd.GeoDataFrame, properties: list[dict] | None = None) -> dict:
    """A FeatureCollection whose geometry travels as encoded polylines (``g``), decoded in the browser."""
    features = []
    for i, encoded in enumerate(encode_geometries(np.asarray(frame.geometry.values))):
        if encoded:
            features.append(
                {
                    "type": "Feature",
                    "id": str(i),
                    "properties": properties[i] if properties else {},
                    "geometry": None,
                    "g": encoded,
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _bounds(frame: gpd.GeoDataFrame) -> list[list[float]] | None:
    if frame.empty:
        return None
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _rank_text(rank: object, with_data: int) -> str:
    value = as_float(rank)
    return f"{int(value)} of {with_data}" if value is not None else DASH


def _unit_properties(shapes: gpd.GeoDataFrame) -> list[dict]:
    with_data = int(shapes["has_data"].sum())
    props = []
    for row in shapes.itertuples(index=False):
        item = {"code": controls.esc(row.code), "name": controls.esc(row.name)}
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
    style: str | None = None,
    note: str = "",
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
    the dashboard serves Leaflet. ``note``: a line for the legend (:func:`geo.pictures.captions.off_map_note`).
    """
    check("metric", metric)
    if metric not in shapes.columns:
        raise AtlasError(f"the shapes have no {metric} column: pass a frame from geo.figures.join.level_shapes")
    circles = draws_circles(metric, style)
    shapes = _to_wgs84(shapes).reset_index(drop=True)
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
        _base(attribution, context, inline_assets, url_base, title_html),
        _data_layer(
            shapes,
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


@dataclass(frozen=True)
class MapParts:
    """A map in the two parts streamlit-folium keeps apart.

    ``base``: the map, its scripts, attribution and (at place level) the context outlines,
    which stay the same while the user changes metric, vendor, classes or places;
    ``layer``: the coloured units, their tooltips, the legend and the view. Handing the layer
    to ``st_folium(base, feature_group_to_add=layer)`` swaps it in the page without reloading
    the map; :meth:`whole` puts it on the base for a standalone file.
    """

    base: folium.Map
    layer: folium.FeatureGroup

    def whole(self) -> folium.Map:
        """The base with the layer on it (for map_html and the HTML download)."""
        self.layer.add_to(self.base)
        return self.base


def _data_layer(
    shapes: gpd.GeoDataFrame,
    styles: list[dict],
    properties: Callable[[gpd.GeoDataFrame], list[dict]],
    tooltip: MacroElement,
    legend: str,
    selected: Sequence[str],
    *,
    circles: bool = False,
    town_dots: dict | None = None,
) -> folium.FeatureGroup:
    """The units (WGS84, 0..n-1 index), one style each, with their legend and view.

    Selected units get a thick outline, are drawn last (on top of their neighbours) and are
    zoomed to; otherwise the view is the whole UK, so a map of a few cities still reads as a
    UK map and the unpainted rest is visible as such. The zoom cap keeps a small selected
    borough in its surroundings. With ``circles``, the areas are a backdrop (not
    interactive) and the circles over them carry the tooltip and the click.
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
    group = folium.FeatureGroup(name="Camera networks", control=False)
    unit_properties = properties(shapes)
    features = _features(shapes, unit_properties)
    layer = Shapes(
        features,
        [ordered_styles[f["id"]] for f in features["features"]],
        highlight=None if circles else {"weight": 2.5, "color": "#000000", "fillOpacity": 0.95},
    )
    group.add_child(layer)
    if circles:
        dots = circle_markers.Circles(
            circle_markers.circle_features(shapes, unit_properties, {str(c) for c in selected})
        )
        dots.add_child(tooltip)
        group.add_child(dots)
    else:
        layer.add_child(tooltip)
    if town_dots:  # over the areas, not answering the pointer: the council's tooltip still reads under it
        group.add_child(circle_markers.Circles(town_dots))
    group.add_child(controls.LayerFrame(legend, _bounds(shapes[is_selected[order]]) or UK_BOUNDS))
    return group


def _base(
    attribution: Attribution,
    context: gpd.GeoDataFrame | None,
    inline_assets: bool,
    url_base: str,
    title_html: str = "",
) -> folium.Map:
    """The map without its data: scripts, decoder, attribution, title box, context outlines."""

    m = _new_map(inline_assets, url_base)
    # The decoder runs before any layer adds its data: the decorations come first.
    m.add_child(controls.Decorations(attribution.text, title_html))
    if context is not None and len(context):
        Shapes(_features(_to_wgs84(context)), style={"fill": False, "color": CONTEXT_EDGE, "weight": 0.5}).add_to(m)
    return m


def _new_map(inline_assets: bool, url_base: str) -> folium.Map:
    """An empty map with no basemap (no tile requests), opening on the UK, that loads only Leaflet.

    folium's defaults (Bootstrap, Font Awesome, awesome-markers, glyphicons, jQuery) serve
    markers and popups this map never draws, and come from third-party CDNs: the instance
    (never the class, which every map shares) gets Leaflet alone, from the dashboard's own
    server (:func:`geo.official.assets.served_urls`), or inlined into a standalone file.
    """
    import folium

    # Quarter zoom steps: the UK fills the frame instead of the nearest whole zoom level.
    m = folium.Map(location=[54.6, -3.2], zoom_start=5, tiles=None, control_scale=True, zoom_snap=0.25, zoom_delta=0.5)
    if inline_assets:
        m.default_js, m.default_css = [], []
        m.get_root().header.add_child(RawHtml(assets.inline_html()), name="atlas_assets")
    else:
        js, css = assets.served_urls(url_base)
        m.default_js = [(f"atlas_js_{i}", url) for i, url in enumerate(js)]
        m.default_css = [(f"atlas_css_{i}", url) for i, url in enumerate(css)]
    return m


def map_html(m: folium.Map | MapParts) -> str:
    """The map as a standalone HTML document."""
    whole = m.whole() if isinstance(m, MapParts) else m
    return whole.get_root().render()


# -- change between two datasets (diverging) ----------------------------------------------


def _change_properties(shapes: gpd.GeoDataFrame, label_a: str, label_b: str) -> list[dict]:
    status = {
        "both": "",
        "only_a": f"Only in {label_a}: not listed in {label_b}",
        "only_b": f"Only in {label_b}: not listed in {label_a}",
        "neither": "In neither dataset",
    }
    props = []
    for row in shapes.itertuples(index=False):
        item = {
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
    shapes = _to_wgs84(shapes).reset_index(drop=True)
    styles = [
        change_style(listed, change, classes) for listed, change in zip(shapes["listed"].astype(str), shapes["change"])
    ]
    kinds = sorted(set(shapes["listed"].astype(str)) - {"both"})
    rows = [(f"Networks in {label_a}", "a"), (f"Networks in {label_b}", "b"), ("Change", "c"), ("% change", "p")]
    legend = change_legend_html(classes, label_a=label_a, label_b=label_b, kinds=kinds, context=context is not None)
    return MapParts(
        _base(attribution, context, False, url_base),
        _data_layer(
            shapes,
            styles,
            lambda frame: _change_properties(frame, label_a, label_b),
            controls.Tooltip(rows, attribution.counts),
            legend,
            selected,
        ),
    )
