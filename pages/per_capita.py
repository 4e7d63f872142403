"""Per capita: per 1,000 residents and per km² side by side, an index against the average, and published rates.

The average is the UK's only when the dataset publishes a national figure; otherwise it is that
of all the places counted, and every label says so (geo.figures.baseline).
"""

import streamlit as st

from geo.core.markup import md_escape
from geo.figures.baseline import baseline
from geo.figures.published import published_figures
from geo.figures.reference import NOT_PUBLISHED, compare_rates, load_reference_rates
from geo.figures.vocabulary import LEVEL_LABELS
from geo.pictures.finding import counted_words
from geo.pictures.numbers import format_value
from geo.pictures.rate_charts import population_scatter, rate_bars
from pages import loaders, sidebar

sel, view, dataset = sidebar.start()
rows = view.focus_rows.dropna(subset=["per_1k"])
average = view.uk_rates  # the UK's rates, or those of all the places counted (no national figure)
words = baseline(view.table.national_total_source)
counted = counted_words(dataset, dataset.shown_vendor(sel.vendor))  # a count's "Shodan results", not networks
over = (
    "the mid-2022 UK population and land area"
    if words.national
    else "the residents and land of the places counted; the dataset has no national total"
)

st.title("Per capita")
sidebar.unplaced_notice(view.table)
if rows.empty:
    st.info("No areas with data at this level. Try the Places level, or another dataset.")
    st.stop()
st.caption(
    f"{LEVEL_LABELS[sel.level]} · {md_escape(dataset.title)}. {words.average_label}: "
    f"{format_value('per_1k', average['per_1k'])} {counted.figure} per 1,000 residents, "
    f"{format_value('per_km2', average['per_km2'])} per km² ({int(average['networks']):,} {counted.figure} over {over})."
)
if (rows["coverage"] < 1).any():
    st.info(
        "Some areas are only partly covered by the counts: their rates use the residents and land of the places "
        "counted, not the whole area (see Rankings for each area's coverage).",
        icon=":material/info:",
    )


def show_bars(column: str, heading: str, title: str) -> None:
    st.subheader(heading)
    bars = rate_bars(rows, column, title, average[column], words=words)
    st.altair_chart(bars.chart, width="stretch")
    if bars.note:
        st.caption(bars.note)


left, right = st.columns(2)
with left:
    show_bars("per_1k", "Per 1,000 residents", counted.metric_label("per_1k"))
with right:
    show_bars("per_km2", "Per km²", counted.metric_label("per_km2"))
st.caption(f"Dashed line: {words.average_label}.")

st.subheader(f"Index against {words.name}")
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
            words.index_label,
            format="%.0f",
            min_value=0.0,
            max_value=float(max(rows["index_uk"].max(), 100)),
            help=f"Networks per 1,000 residents as a percent of {words.rate_phrase('per_1k')}",
        ),
    },
)

st.subheader("Population against networks")
scatter = population_scatter(rows, average["per_1k"], words=words)
if scatter is None:
    st.caption("No area here has both residents and networks to plot.")
else:
    st.altair_chart(scatter, width="stretch")
    st.caption(
        f"Above the dashed line ({words.average_label}): more networks than {words.rate_phrase('per_1k')} "
        "would predict for that population."
    )

st.subheader("Published rates beside ours")
place_rows = loaders.load_table(sel.dataset, sel.vendor, "place").rows
comparison = compare_rates(place_rows, load_reference_rates(), loaders.load_resolver())
if comparison.empty:
    st.caption("No place in this dataset has a published Comparitech rate.")
else:
    rate = "%.2f"
    # A rate Comparitech did not publish reads "–", not "None" (the column stays numeric for sorting).
    st.dataframe(
        comparison,
        hide_index=True,
        width="stretch",
        column_config={
            "place": "Place",
            "computed_per_1k": st.column_config.NumberColumn("Per 1,000 (here)", format=rate),
            "published_per_1k": st.column_config.NumberColumn("Per 1,000 (Comparitech)", format=rate),
            "computed_per_km2": st.column_config.NumberColumn("Per km² (here)", format=rate),
            "published_per_km2": st.column_config.NumberColumn("Per km² (Comparitech, from per sq mile)", format=rate),
            "source": "Published in",
        },
        placeholder=NOT_PUBLISHED,
    )
    st.caption(f"{NOT_PUBLISHED}: not published by Comparitech.")
cities = published_figures()["comparitech-50-cities"]
st.caption(
    f"Why they differ: {md_escape(cities.by)} ran its own Shodan scan ({cities.text} networks in "
    f"{md_escape(cities.place)}, published {md_escape(cities.when)}) and divided by its own city populations "
    "and areas, while the rates here divide this dataset's counts by ONS mid-2022 populations and land areas of "
    "the local authorities a place resolves to. Scans at different times find different devices, and a 'city' "
    "in GeoIP data is not the same area as a local authority."
)
