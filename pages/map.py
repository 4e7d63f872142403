"""Map: the choropleth of the chosen metric, headline figures, area details and downloads."""

import streamlit as st
from streamlit_folium import st_folium

from geo import exports, join, snapshot
from geo.metrics import LEVEL_LABELS, METRIC_LABELS, VENDOR_LABELS
from pages import common

common.ensure_app_navigation()
sel = common.current_selection()
view = common.current_view()
dataset = common.load_dataset(sel.dataset)

st.title("Hikvision and Dahua camera networks in the UK")
st.caption(
    f"{METRIC_LABELS[sel.metric]} · {LEVEL_LABELS[sel.level]} · {VENDOR_LABELS[sel.vendor]} · "
    f"{common.md_escape(dataset.title)} (date: {common.md_escape(dataset.date)})"
)
common.headline(view)
for note in view.table.notes:
    st.info(common.md_escape(note), icon=":material/info:")
if view.unknown_places:
    st.warning(f"Not found: {common.md_escape(', '.join(view.unknown_places))}. Pick names from the list.")

try:
    fmap = common.build_map(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level, sel.scheme, sel.k)
except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
    common.fail(err)

map_col, detail_col = st.columns([3, 1])
with map_col:
    # A constant key and deterministic ids: unchanged content never remounts (no flicker).
    event = st_folium(
        fmap,
        key="atlas-map",
        height=640,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )

with detail_col:
    st.subheader("Area details")
    clicked = (event or {}).get("last_active_drawing") or {}
    code = (clicked.get("properties") or {}).get("code")
    rows = view.shapes[view.shapes["code"] == code] if code else view.shapes.iloc[0:0]
    if rows.empty:
        st.caption("Click an area on the map to see its figures.")
    else:
        row = rows.iloc[0]
        st.markdown(f"**{common.md_escape(row['name'])}**")
        st.caption(f"{len(row['lad_codes'])} local authorit{'y' if len(row['lad_codes']) == 1 else 'ies'} · {code}")
        if not row["has_data"]:
            st.write("No data for this area in this dataset.")
        else:
            uk = view.uk_rates
            st.metric("Camera networks", f"{int(row['networks']):,}", help=f"Rank {int(row['rank'])} by {METRIC_LABELS[sel.metric].lower()}")
            st.metric("Per 1,000 residents", f"{row['per_1k']:.2f}", f"{row['per_1k'] - uk['per_1k']:+.2f} vs UK {uk['per_1k']:.2f}")
            st.metric("Per km²", f"{row['per_km2']:.2f}", f"{row['per_km2'] - uk['per_km2']:+.2f} vs UK {uk['per_km2']:.2f}")
            st.write(
                f"Population {int(row['population']):,} · land area {row['area_km2']:,.1f} km² · "
                f"{row['share']:.1%} of the national total · UK index {row['index_uk']:.0f} (UK = 100)"
            )

st.subheader("Download")
stem = common.file_stem(sel)
cols = st.columns(6)
for col, fmt, label in zip(cols, ("png", "svg", "pdf", "html"), ("PNG image", "SVG", "PDF", "Interactive HTML")):
    col.download_button(
        label,
        data=common.snapshot_bytes(sel, fmt),
        file_name=f"{stem}.{fmt}",
        mime=snapshot.MIME[fmt],
        on_click="ignore",
        key=f"download-{fmt}",
        type="primary" if fmt == "png" else "secondary",
        icon=":material/download:",
    )
cols[4].download_button(
    "CSV",
    data=exports.safe_csv(join.table_frame(view.shapes)),
    file_name=f"{stem}.csv",
    mime="text/csv",
    on_click="ignore",
    key="download-csv",
)
cols[5].download_button(
    "GeoJSON",
    data=join.geojson(view.shapes[view.shapes["has_data"]]),
    file_name=f"{stem}.geojson",
    mime="application/geo+json",
    on_click="ignore",
    key="download-geojson",
)
st.caption(common.md_escape(common.attribution(dataset)))
