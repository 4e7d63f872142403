"""A folium map through st_folium that loads Leaflet only from the dashboard's own server.

Used by tests/browser/test_offline_map.py with every non-local request aborted. The page
is configured as app.py is (an emoji page icon, not a ``:material/…:`` one, which Streamlit
fetches from Google's font host); Leaflet is copied from the asset cache into
``tests/browser/apps/static/`` (git-ignored) and served at ``/app/static/...``
(``enableStaticServing`` in the repo's .streamlit/config.toml).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from served_map import demo_map, use_served_assets
from streamlit_folium import st_folium

from geo.official import assets

st.set_page_config(page_title="Offline map", page_icon="📹", layout="wide")
st.title("Offline map")

problem = assets.missing_message()
if problem:
    st.error(problem)
    st.stop()

base = st.get_option("server.baseUrlPath").strip("/")
js_urls, css_urls = assets.publish(Path(__file__).parent / "static", url_base=f"/{base}/app/static" if base else "/app/static")
m = use_served_assets(demo_map(), js_urls, css_urls)
st_folium(m, height=400, returned_objects=[])
st.write("done")
