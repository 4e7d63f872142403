"""Minimal Streamlit + folium app used to prove the browser harness (tests/browser/test_harness.py).

Three coloured polygons around Great Britain with a tooltip, rendered by st_folium
exactly the way the dashboard does (fixed height, no returned objects). The branca
colormap legend makes st_folium request d3 v3 + v4, so their routing is exercised too.
"""

from __future__ import annotations

import branca.colormap
import folium
import streamlit as st
from streamlit_folium import st_folium


def square(name: str, lon: float, lat: float, size: float = 1.5) -> dict[str, object]:
    """A GeoJSON Feature: a lon/lat square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


COLOURS = {"West": "#d7191c", "Middle": "#fdae61", "East": "#2c7bb6"}
FEATURES = {
    "type": "FeatureCollection",
    "features": [square("West", -4.5, 52.0), square("Middle", -2.5, 52.5), square("East", -0.5, 52.0)],
}

st.title("Folium smoke test")
m = folium.Map(location=[53.2, -1.5], zoom_start=6)
folium.GeoJson(
    FEATURES,
    name="squares",
    style_function=lambda f: {"fillColor": COLOURS[f["properties"]["name"]], "color": "#333", "fillOpacity": 0.7},
    tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Region"]),
).add_to(m)
branca.colormap.LinearColormap(["#2c7bb6", "#fdae61", "#d7191c"], vmin=0, vmax=100, caption="Cameras").add_to(m)
st_folium(m, height=400, returned_objects=[])
st.write("done")
