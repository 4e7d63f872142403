"""Prototype of the folium set-up geo/choropleth.py needs (imported by the offline test app and its test).

folium.Map lists eleven CDN files in its class attributes ``default_js``/``default_css``
(Leaflet, jQuery, Bootstrap JS+CSS, awesome-markers JS+CSS, glyphicons, Font Awesome,
awesome-rotate). A map drawn with GeoJson layers, tooltips and custom controls needs only
Leaflet. Setting the two attributes on the *instance* (never ``folium.Map.default_js``,
which every map shares) decides what the page loads:

- :func:`use_served_assets`: Leaflet from the dashboard's own server (``geo.official.assets.publish``);
  streamlit-folium reads the same attributes for the component's ``js_links``/``css_links``.
- :func:`inline_assets`: no links at all; Leaflet's script and stylesheet go into the
  page's ``<head>`` for a self-contained HTML export.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium

from geo.official import assets
from geo.pictures.web.elements import RawHtml


def use_served_assets(m: folium.Map, js_urls: Sequence[str], css_urls: Sequence[str]) -> folium.Map:
    """Make ``m`` load exactly these scripts and stylesheets, in order, instead of folium's CDN files."""
    m.default_js = [(f"atlas_js_{i}", url) for i, url in enumerate(js_urls)]
    m.default_css = [(f"atlas_css_{i}", url) for i, url in enumerate(css_urls)]
    return m


def inline_assets(m: folium.Map) -> folium.Map:
    """Make ``m`` a self-contained page: Leaflet inlined into the ``<head>``, nothing linked."""
    m.default_js = []
    m.default_css = []
    # Appended after the <meta charset> folium's Figure starts its head with.
    m.get_root().header.add_child(RawHtml(assets.inline_html()), name="atlas_assets")
    return m


def square(name: str, lon: float, lat: float, size: float = 1.5) -> dict[str, object]:
    """A GeoJSON Feature: a lon/lat square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


COLOURS = {"West": "#d7191c", "Middle": "#fdae61", "East": "#2c7bb6"}


def demo_map() -> folium.Map:
    """Three coloured squares with a tooltip and a highlight, no basemap: what the atlas draws."""
    m = folium.Map(location=[53.2, -1.5], zoom_start=6, tiles=None, control_scale=True)
    features = {
        "type": "FeatureCollection",
        "features": [square("West", -4.5, 52.0), square("Middle", -2.5, 52.5), square("East", -0.5, 52.0)],
    }
    folium.GeoJson(
        features,
        name="squares",
        style_function=lambda f: {"fillColor": COLOURS[f["properties"]["name"]], "color": "#333", "fillOpacity": 0.7},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Region"]),
    ).add_to(m)
    m.fit_bounds([[52.0, -4.5], [54.0, 1.0]])
    return m
