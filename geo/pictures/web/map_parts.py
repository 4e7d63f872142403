"""What every interactive map shares: the base (scripts, attribution, context, the units' geometry) and the data
layer of figures that streamlit-folium swaps in, kept apart as :class:`MapParts`.

:func:`geo.pictures.web.choropleth.build_map` (a metric) and
:func:`geo.pictures.web.change_map.build_change_map` (a change between two datasets) differ only
in their styles, tooltip pieces and legend; both end here. The base draws the units once
(:mod:`geo.pictures.web.units`); the layer repaints them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pyproj

from geo.official import assets
from geo.pictures.captions import Attribution
from geo.pictures.palettes import CONTEXT_EDGE, SELECTED_EDGE
from geo.pictures.web import circle_markers, controls, scripts, units
from geo.pictures.web.elements import RawHtml
from geo.pictures.web.layers import Shapes
from geo.pictures.web.polyline import encode_geometries
from geo.pictures.web.units import UnitCircles, UnitFigures, UnitGeometry, Units

if TYPE_CHECKING:  # folium is imported when a map is built: static snapshots do not need it
    import folium


UK_BOUNDS = [[49.88, -8.65], [60.86, 1.77]]


def features(frame: gpd.GeoDataFrame, properties: list[dict] | None = None) -> dict:
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


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and not _is_wgs84(frame.crs.srs):
        return frame.to_crs(4326)
    return frame


@functools.lru_cache(maxsize=16)
def _is_wgs84(srs: str) -> bool:
    """Whether a CRS (by its definition) is EPSG:4326: asked once per definition, not once per map, as
    pyproj keeps its answer per thread and every Streamlit run is a new thread (~30 ms each)."""
    return pyproj.CRS.from_user_input(srs).to_epsg() == 4326


def bounds(frame: gpd.GeoDataFrame) -> list[list[float]] | None:
    if frame.empty:
        return None
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


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


def data_layer(
    shapes: gpd.GeoDataFrame,
    geometry: UnitGeometry,
    styles: list[dict],
    properties: Callable[[gpd.GeoDataFrame], list[dict]],
    tooltip: controls.Tooltip,
    legend: str,
    selected: Sequence[str],
    *,
    circles: bool = False,
    town_dots: dict | None = None,
) -> folium.FeatureGroup:
    """The figures of the units (WGS84, 0..n-1 index) for the base's ``geometry``: one style each, their
    tooltips, circles or town dots, the legend and the view.

    Selected units get a thick outline, are drawn last (on top of their neighbours) and are
    zoomed to; otherwise the view is the whole UK, so a map of a few cities still reads as a
    UK map and the unpainted rest is visible as such. The view changes only when the
    selection does: a new metric keeps the reader's zoom. The zoom cap keeps a small selected
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
    drawn = features(shapes, unit_properties)
    chosen = [str(c) for c in shapes.loc[is_selected[order], "code"]]
    figures = UnitFigures(
        drawn,
        [ordered_styles[f["id"]] for f in drawn["features"]],
        geometry,
        tooltip=tooltip.options,
        keys=tooltip.keys,
        highlight=None if circles else units.HIGHLIGHT,
        front=chosen,
    )
    group.add_child(figures)
    if circles:
        dots = circle_markers.circle_features(shapes, unit_properties, set(chosen), geometry.centres(shapes["code"]))
        group.add_child(UnitCircles(dots, figures, geometry, tooltip.options))
    if town_dots:  # over the areas, not answering the pointer: the council's tooltip still reads under it
        group.add_child(UnitCircles(town_dots, figures, geometry, None))
    view = bounds(shapes[is_selected[order]]) or UK_BOUNDS
    group.add_child(controls.LayerFrame(legend, view, view="|".join(sorted(chosen))))
    return group


def base(
    attribution: Attribution,
    context: gpd.GeoDataFrame | None,
    inline_assets: bool,
    url_base: str,
    geometry: UnitGeometry,
    title_html: str = "",
    static_dir: str | os.PathLike[str] | None = None,
) -> folium.Map:
    """The map without its figures: scripts, attribution, title box, context outlines and the units' geometry.

    With ``static_dir`` (and not ``inline_assets``) the units' geometry is a file published there
    that the page loads once (:func:`geo.pictures.web.units.publish`); otherwise it is in the map's script.
    """
    served = [units.publish(geometry, static_dir, url_base)] if static_dir is not None and not inline_assets else []
    m = new_map(inline_assets, url_base, static_dir, served)
    m.add_child(controls.Decorations(attribution.text, title_html))
    if context is not None and len(context):
        Shapes(features(to_wgs84(context)), style={"fill": False, "color": CONTEXT_EDGE, "weight": 0.5}).add_to(m)
    m.add_child(Units(geometry, inline=not served))
    return m


def new_map(
    inline_assets: bool,
    url_base: str,
    static_dir: str | os.PathLike[str] | None = None,
    data_urls: Sequence[str] = (),
) -> folium.Map:
    """An empty map with no basemap (no tile requests), opening on the UK, that loads only Leaflet.

    folium's defaults (Bootstrap, Font Awesome, awesome-markers, glyphicons, jQuery) serve
    markers and popups this map never draws, and come from third-party CDNs: the instance
    (never the class, which every map shares) gets Leaflet alone, from the dashboard's own
    server (:func:`geo.official.assets.served_urls`), or inlined into a standalone file.
    """
    import folium
    from branca.element import Figure

    # Quarter zoom steps: the UK fills the frame instead of the nearest whole zoom level.
    m = folium.Map(location=[54.6, -3.2], zoom_start=5, tiles=None, control_scale=True, zoom_snap=0.25, zoom_delta=0.5)
    if inline_assets:
        m.default_js, m.default_css = [], []
        root = m.get_root()
        assert isinstance(root, Figure)  # a folium.Map's root is always its Figure
        root.header.add_child(RawHtml(assets.inline_html() + "\n" + scripts.inline_html()), name="atlas_assets")
    else:
        js, css = assets.served_urls(url_base)
        # The atlas's own scripts after Leaflet's: published beside it when the page says where.
        own = scripts.publish(static_dir, url_base) if static_dir is not None else scripts.served_urls(url_base)
        m.default_js = [(f"atlas_js_{i}", url) for i, url in enumerate([*js, *own, *data_urls])]
        m.default_css = [(f"atlas_css_{i}", url) for i, url in enumerate(css)]
    return m


def map_html(m: folium.Map | MapParts) -> str:
    """The map as a standalone HTML document."""
    whole = m.whole() if isinstance(m, MapParts) else m
    return whole.get_root().render()
