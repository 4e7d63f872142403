"""Per capita: per 1,000 residents and per km² side by side, the UK index, and published rates."""

import altair as alt
import pandas as pd
import streamlit as st

from geo.classes import format_value
from geo.markup import md_escape
from geo.reference import compare_rates, load_reference_rates
from geo.vocabulary import LEVEL_LABELS
from pages import loaders, sidebar

sel, view, dataset = sidebar.start()
rows = view.focus_rows.dropna(subset=["per_1k"])
uk = view.uk_rates
over = (
    "the mid-2022 UK population and land area" if view.table.national_total_source == "dataset"
    else "the residents and land of the places counted (the dataset has no national total)"
)

st.title("Per capita")
if rows.empty:
    st.info("No areas with data at this level. Try the Places level, or another dataset.")
    st.stop()
st.caption(
    f"{LEVEL_LABELS[sel.level]} · {md_escape(dataset.title)}. UK average: {format_value('per_1k', uk['per_1k'])} networks "
    f"per 1,000 residents, {format_value('per_km2', uk['per_km2'])} per km² ({int(uk['networks']):,} networks over {over})."
)
if (rows["coverage"] < 1).any():
    st.info(
        "Some areas are only partly covered by the counts: their rates use the residents and land of the places "
        "counted, not the whole area (see Rankings for each area's coverage).",
        icon=":material/info:",
    )


def rate_chart(column: str, title: str, average: float) -> alt.LayerChart:
    """Bars of one rate with the UK average as a rule."""
    bars = alt.Chart(rows).mark_bar(color="#fd8d3c").encode(
        x=alt.X(f"{column}:Q", title=title),
        y=alt.Y("name:N", sort="-x", title=None),
        tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip(f"{column}:Q", title=title, format=".2f")],
    )
    rule = alt.Chart(pd.DataFrame({"uk": [average]})).mark_rule(color="#333", strokeDash=[4, 3]).encode(
        x="uk:Q", tooltip=[alt.Tooltip("uk:Q", title="UK average", format=".2f")]
    )
    return (bars + rule).properties(height=max(160, 40 * len(rows)))


left, right = st.columns(2)
with left:
    st.subheader("Per 1,000 residents")
    st.altair_chart(rate_chart("per_1k", "Networks per 1,000 residents", uk["per_1k"]), width="stretch")
with right:
    st.subheader("Per km²")
    st.altair_chart(rate_chart("per_km2", "Networks per km²", uk["per_km2"]), width="stretch")
st.caption("Dashed line: the UK average.")

st.subheader("Index against the UK average (UK = 100)")
st.dataframe(
    rows[["name", "networks", "population", "per_1k", "index_uk"]].sort_values("index_uk", ascending=False),
    hide_index=True,
    width="stretch",
    column_config={
        "name": "Area",
        "networks": st.column_config.NumberColumn("Networks", format="localized"),
        "population": st.column_config.NumberColumn("Population", format="localized"),
        "per_1k": st.column_config.NumberColumn("Per 1,000", format="%.2f"),
        "index_uk": st.column_config.ProgressColumn(
            "Index (UK = 100)", format="%.0f", min_value=0.0, max_value=float(max(rows["index_uk"].max(), 100))
        ),
    },
)

st.subheader("Population against networks")
line = pd.DataFrame({"population": [0, float(rows["population"].max())]})
line["networks"] = line["population"] * uk["per_1k"] / 1000
points = alt.Chart(rows).mark_circle(size=90, color="#bd0026").encode(
    x=alt.X("population:Q", title="Population (mid-2022)"),
    y=alt.Y("networks:Q", title="Camera networks"),
    tooltip=[
        alt.Tooltip("name:N", title="Area"),
        alt.Tooltip("population:Q", format=","),
        alt.Tooltip("networks:Q", format=","),
        alt.Tooltip("per_1k:Q", title="Per 1,000", format=".2f"),
    ],
)
# Names right of their dots on the left half, left of them on the right half, so none runs off the plot.
half = float(rows["population"].max()) / 2
labels = alt.layer(
    points.mark_text(align="left", dx=7, fontSize=11).encode(text="name:N").transform_filter(alt.datum.population <= half),
    points.mark_text(align="right", dx=-7, fontSize=11).encode(text="name:N").transform_filter(alt.datum.population > half),
)
average = alt.Chart(line).mark_line(color="#333", strokeDash=[4, 3]).encode(x="population:Q", y="networks:Q")
st.altair_chart((average + points + labels).properties(height=380), width="stretch")
st.caption("Above the dashed UK-average line: more networks than the UK rate would predict for that population.")

st.subheader("Published rates beside ours")
place_rows = loaders.load_view(sel.dataset, sel.vendor, (), "networks", "place").table.rows
comparison = compare_rates(place_rows, load_reference_rates(), loaders.load_resolver())
if comparison.empty:
    st.caption("No place in this dataset has a published Comparitech rate.")
else:
    rate = {"format": "%.2f"}
    published = {
        "place": "Place",
        "computed_per_1k": st.column_config.NumberColumn("Per 1,000 (here)", **rate),
        "published_per_1k": st.column_config.NumberColumn("Per 1,000 (Comparitech)", **rate),
        "computed_per_km2": st.column_config.NumberColumn("Per km² (here)", **rate),
        "published_per_km2": st.column_config.NumberColumn("Per km² (Comparitech, from per sq mile)", **rate),
        "source": "Published in",
    }
    st.dataframe(comparison, hide_index=True, width="stretch", column_config=published)
st.caption(
    "Why they differ: Comparitech ran its own Shodan scan (more than 165,000 networks in the 50 largest cities) "
    "and divided by its own city populations and areas, while the rates here divide this dataset's counts by "
    "ONS mid-2022 populations and land areas of the local authorities a place resolves to. Scans at different "
    "times find different devices, and a 'city' in GeoIP data is not the same area as a local authority."
)
