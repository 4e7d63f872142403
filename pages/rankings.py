"""Rankings: a sortable table and a top-N bar chart by any metric, with CSV download."""

import altair as alt
import streamlit as st

from geo import exports
from geo.metrics import LEVEL_LABELS, METRIC_LABELS
from pages import common

common.ensure_app_navigation()
sel = common.current_selection()
view = common.current_view()
dataset = common.load_dataset(sel.dataset)
# Ranked by the sidebar's metric, so the URL carries the ranking too.
rank_by = sel.metric

st.title("Rankings")
st.caption(f"Ranked by {METRIC_LABELS[rank_by].lower()} (change the metric in the sidebar) · {LEVEL_LABELS[sel.level]} · {common.md_escape(dataset.title)}")

rows = view.focus_rows
if rows.empty:
    st.info("No areas with data at this level. Try the Places level, or another dataset.")
    st.stop()

top_n = st.slider("Show the top", 1, max(len(rows), 1), min(len(rows), 20), key="top_n") if len(rows) > 1 else 1
chart_rows = rows.head(top_n)
chart = (
    alt.Chart(chart_rows)
    .mark_bar(color="#bd0026")
    .encode(
        x=alt.X(f"{rank_by}:Q", title=METRIC_LABELS[rank_by]),
        y=alt.Y("name:N", sort="-x", title=None),
        tooltip=[
            alt.Tooltip("name:N", title="Area"),
            alt.Tooltip("networks:Q", title="Networks", format=","),
            alt.Tooltip("per_1k:Q", title="Per 1,000", format=".2f"),
            alt.Tooltip("per_km2:Q", title="Per km²", format=".2f"),
        ],
    )
    .properties(height=max(160, 40 * len(chart_rows)))
)
st.altair_chart(chart, width="stretch")

table = rows.drop(columns=["lad_codes"])
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_order=["rank", "name", "networks", "per_1k", "per_km2", "share", "index_uk", "population", "area_km2", "code"],
    column_config={
        "rank": st.column_config.NumberColumn("Rank", help=f"By {METRIC_LABELS[rank_by].lower()}; ties share a rank"),
        "name": st.column_config.TextColumn("Area"),
        "code": st.column_config.TextColumn("GSS code"),
        "networks": st.column_config.NumberColumn("Networks", format="localized"),
        "population": st.column_config.NumberColumn("Population", format="localized"),
        "area_km2": st.column_config.NumberColumn("Land area (km²)", format="%.1f"),
        "per_1k": st.column_config.NumberColumn("Per 1,000 residents", format="%.2f"),
        "per_km2": st.column_config.NumberColumn("Per km²", format="%.2f"),
        "share": st.column_config.ProgressColumn("Share of UK total", format="percent", min_value=0.0, max_value=1.0),
        "index_uk": st.column_config.NumberColumn("Index (UK = 100)", format="%.0f"),
    },
)
st.download_button(
    "Download CSV",
    data=exports.safe_csv(rows),
    file_name=f"{common.file_stem(sel)}_rankings.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-rankings-csv",
)
