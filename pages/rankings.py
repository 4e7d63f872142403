"""Rankings: a sortable table and a top-N bar chart by any metric, with coverage, and a CSV download."""

import functools

import altair as alt
import streamlit as st

from geo.core.markup import md_escape
from geo.datasets import exports
from geo.figures.baseline import baseline
from geo.figures.vocabulary import LEVEL_LABELS
from geo.pictures import captions, figures_table, snapshot
from geo.pictures.finding import counted_words
from pages import sidebar

sel, view, dataset = sidebar.start()
rank_by = sel.metric  # ranked by the sidebar's metric, so the URL carries the ranking too
counted = counted_words(dataset, dataset.shown_vendor(sel.vendor))  # a count's "Shodan results", not networks
rank_label, rank_words = counted.metric_label(rank_by), counted.metric_words(rank_by)
count_label = figures_table.count_label_of(view, dataset)  # "Networks", "Shodan results"

st.title("Rankings")
st.caption(
    f"Ranked by {rank_words} (change the metric in the sidebar) · {LEVEL_LABELS[sel.level]} · "
    f"{md_escape(dataset.title)} · {md_escape(dataset.date_label)}"
)
sidebar.unplaced_notice(view.table)
words = baseline(view.table.national_total_source)  # "UK" only for a dataset that publishes a national figure
rows = view.focus_rows
if rows.empty:
    st.info("No areas with data at this level. Try the Places level, or another dataset.")
    st.stop()
partial = rows[rows["coverage"] < 1]
if len(partial):
    st.info(
        f"{len(partial)} of these areas are only partly covered by the counts (see the Coverage column): their rates use "
        "the residents and land of the places counted, not the whole area.",
        icon=":material/info:",
    )

shown = rows.dropna(subset=[rank_by])
top_n = 20
if len(shown) > 5:
    top_n = st.slider("Show the top", 5, len(shown), min(len(shown), 20), key="top_n")
chart_rows = shown.head(top_n)
chart = (
    alt.Chart(chart_rows)
    .mark_bar(color="#bd0026")
    .encode(
        x=alt.X(f"{rank_by}:Q", title=rank_label),
        y=alt.Y("name:N", sort="-x", title=None),
        tooltip=[
            alt.Tooltip("name:N", title="Area"),
            alt.Tooltip("networks:Q", title=count_label, format=","),
            alt.Tooltip("per_1k:Q", title="Per 1,000", format=".2f"),
            alt.Tooltip("per_km2:Q", title="Per km²", format=".2f"),
            alt.Tooltip("coverage:Q", title="Coverage", format=".0%"),
        ],
    )
    .properties(height=max(160, 40 * len(chart_rows)))
)
st.altair_chart(chart, width="stretch")

st.dataframe(
    rows.drop(columns=["lad_codes"]).assign(area_km2=rows["area_km2"].round(0)),
    hide_index=True,
    width="stretch",
    column_order=[
        "rank",
        "name",
        "networks",
        "per_1k",
        "per_km2",
        "coverage",
        "share",
        "index_uk",
        "population",
        "area_km2",
        "code",
    ],
    column_config={
        "rank": st.column_config.NumberColumn("Rank", help=f"By {rank_words}; ties share a rank"),
        "name": st.column_config.TextColumn("Area"),
        "code": st.column_config.TextColumn("GSS code"),
        "networks": st.column_config.NumberColumn(count_label, format="localized"),
        "population": st.column_config.NumberColumn("Population", format="localized"),
        "area_km2": st.column_config.NumberColumn("Land area (km²)", format="localized"),
        "per_1k": st.column_config.NumberColumn("Per 1,000 residents", format="%.2f"),
        "per_km2": st.column_config.NumberColumn("Per km²", format="%.2f"),
        "coverage": st.column_config.ProgressColumn(
            "Coverage",
            format="percent",
            min_value=0.0,
            max_value=1.0,
            help="Share of the area's residents whose places the counts come from; rates use only those residents",
        ),
        "share": st.column_config.ProgressColumn(words.share_label, format="percent", min_value=0.0, max_value=1.0),
        "index_uk": st.column_config.NumberColumn(
            words.index_label,
            format="%.0f",
            help=f"The area's rate per 1,000 residents against {words.rate_phrase('per_1k')}",
        ),
    },
)
credit = captions.attribution(dataset)
st.download_button(
    "Download CSV",
    # Made on request (Streamlit calls data when the button is pressed), not on every run.
    data=functools.partial(exports.safe_csv, exports.figures_for_download(rows, credit.counts, dataset.date_label)),
    file_name=f"{snapshot.file_stem(view, dataset)}_rankings.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-rankings-csv",
)
