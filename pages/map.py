"""Map: the choropleth of the chosen metric, its headline figures, area details and the snapshot to take away."""

from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, edited, field_chars
from geo.datasets import exports
from geo.datasets.dataset import Dataset
from geo.figures import join
from geo.figures.baseline import baseline
from geo.figures.view import View
from geo.figures.vocabulary import LEVEL_LABELS, LEVEL_UNITS
from geo.names.towns import town_line
from geo.pictures import captions, figures_table, snapshot
from geo.pictures.finding import counted_words
from geo.pictures.numbers import format_value
from geo.pictures.static.sizes import SIZE_LABELS
from pages import loaders, sidebar, snapshot_offer

FIGURES_OPEN = "map-figures-open"  # the figures table's expander: open or not, kept for the session


def figures_csv(shapes: gpd.GeoDataFrame, source: str, date: str) -> str:
    """The map's figures as CSV: made when the reader asks for the file, not on every run."""
    return exports.safe_csv(exports.figures_for_download(join.table_frame(shapes), source, date))


def figures_geojson(shapes: gpd.GeoDataFrame) -> str:
    """The areas with data and their figures as GeoJSON: made when the reader asks for the file."""
    return join.geojson(shapes[shapes["has_data"]])


@st.fragment
def figures_under_the_map(view: View, dataset: Dataset) -> None:
    """The accessible alternative to the map: the figures it draws, collapsed under it.

    Made only while open (the expander reruns this fragment alone when opened), so a click on
    the map's controls does not send a table nobody looks at (bench/bench_map_bytes.py); once
    opened it stays open, and follows every new selection.
    """
    box = st.expander("The figures on this map", icon=":material/table:", key=FIGURES_OPEN, on_change="rerun")
    if not box.open:
        return
    with box:
        count_label = figures_table.count_label_of(view, dataset)
        shown = figures_table.frame(view.shapes, view.selection.metric, view.table.level, count_label)
        st.dataframe(figures_table.styled(shown, view.table.level, count_label), hide_index=True, key="map-figures")
        st.caption(md_escape(figures_table.describe(view, dataset)))


sel, view, dataset = sidebar.start()
table = view.table
words = baseline(table.national_total_source)  # "the UK" only for a dataset that publishes a national figure
credit = captions.attribution(dataset)
counted = counted_words(dataset, dataset.shown_vendor(sel.vendor))  # a count's "Shodan results", not networks

st.title(counted.heading)
st.caption(
    f"{counted.metric_label(sel.metric)} · {LEVEL_LABELS[sel.level]} · {md_escape(dataset.title)} · {md_escape(dataset.date_label)}"
)
if view.unknown_places:
    st.warning(
        f"Not found: {md_escape(', '.join(view.unknown_places))}. Pick names from the list.", icon=":material/warning:"
    )
if view.places_without_data:
    st.warning(
        f"No figure for {md_escape(', '.join(view.places_without_data))} in this dataset at this level: they are outlined "
        "on the map but have no count. Try another geography level.",
        icon=":material/warning:",
    )
sidebar.unplaced_notice(table)
if table.notes:
    st.info("\n".join(f"- {md_escape(note)}" for note in table.notes), icon=":material/info:")

map_col, side_col = st.columns([3, 1])
with map_col:
    event = None
    problem = loaders.map_assets()
    if problem:
        st.error(md_escape(problem), icon=":material/error:")
    else:
        try:
            parts = loaders.build_map(sel)
        except AtlasError as err:
            sidebar.fail(err)
        # A constant key and deterministic ids: the base map stays mounted while the data
        # layer (units, legend, view) is swapped in place; no reload, no flicker.
        event = st_folium(
            parts.base,
            feature_group_to_add=parts.layer,
            key="atlas-map",
            height=600,
            use_container_width=True,
            returned_objects=["last_active_drawing"],
        )
    figures_under_the_map(view, dataset)

with side_col:
    about = (
        f"{counted.metric_label('networks')} in the UK, as the dataset publishes them."
        if words.national
        else "The sum of the places this dataset counts: it publishes no national total."
    )
    st.metric(words.total_label, f"{table.national_total:,}", help=about)
    st.metric(f"In mapped {LEVEL_UNITS[sel.level][1]}", f"{table.mapped_total:,}")
    share = table.unattributed / table.national_total if table.national_total else 0
    st.metric(
        "Not attributed to a mapped area",
        f"{table.unattributed:,}",
        help=f"{share:.0%} of the {words.total_label[0].lower()}{words.total_label[1:]}.",
    )

    st.subheader("Area details")
    clicked = ((event or {}).get("last_active_drawing") or {}).get("properties") or {}
    code = clicked.get("code") or next(iter(view.selected_units), None)
    rows = view.shapes[view.shapes["code"] == code] if code else view.shapes.iloc[0:0]
    if rows.empty:
        st.caption("Click an area on the map (or pick a place in the sidebar) to see its figures.")
    else:
        row = rows.iloc[0]
        count = len(row["lad_codes"])
        st.markdown(f"**{md_escape(row['name'])}**")
        st.caption(f"{count} local authorit{'y' if count == 1 else 'ies'} · {md_escape(code)}")
        if not row["has_data"]:
            st.write("No data for this area in this dataset.")
        else:
            uk = view.uk_rates
            rank = (
                ""
                if row["rank"] is None or str(row["rank"]) == "<NA>"
                else f"Rank {int(row['rank'])} by {counted.metric_words(sel.metric)}"
            )
            st.metric(counted.metric_label("networks"), f"{int(row['networks']):,}", help=rank or None)
            for metric, label in (("per_1k", "Per 1,000 residents"), ("per_km2", "Per km²")):
                difference = row[metric] - uk[metric]
                st.metric(
                    label,
                    format_value(metric, row[metric]),
                    None
                    if pd.isna(difference)
                    # no rate (a town's land), or no average: nothing to compare
                    else f"{format_value(metric, abs(difference))} {'above' if difference >= 0 else 'below'} "
                    f"{words.rate_phrase(metric)} {format_value(metric, uk[metric])}",
                    delta_color="off",
                    delta_arrow="off",
                )
            town = town_line(row.get("town"), str(row["name"]), not pd.isna(row["per_1k"]))
            if town is not None:  # a count from a town inside the area (geo.names.towns)
                if not pd.isna(row["per_1k"]):
                    town += f": {int(row['covered_population']):,} of {row['name']}'s {int(row['population']):,}"
                st.caption(md_escape(f"{town}; no rate per km², as a town's land area is not known."))
            elif row["coverage"] < 1:
                st.caption(
                    f"The counts cover {row['coverage']:.0%} of its residents ({int(row['covered_population']):,} of "
                    f"{int(row['population']):,}); its rates use those residents and their land only."
                )
            share_text = "–" if pd.isna(row["share"]) else f"{row['share']:.1%}"
            index_text = "–" if pd.isna(row["index_uk"]) else f"{row['index_uk']:.0f}"
            st.write(
                f"Population {int(row['population']):,} · land area {row['area_km2']:,.0f} km² · "
                f"{words.share_label} {share_text} · {words.index_label} {index_text}"
            )

st.header("Take the map away")
default = loaders.default_caption(sel)
snap_col, data_col = st.columns([3, 1])
with snap_col:
    # Keys follow the written texts: a new selection brings its own finding back.
    # A written text may be longer than a reader's own may be: the field holds it whole, and left as
    # written it is not sent as the reader's (the snapshot writes it again, in full).
    title = st.text_input(
        "Title", default.title, key=f"snap_title_{hash(default.title)}", max_chars=field_chars(default.title, MAX_TITLE)
    )
    subtitle = st.text_input(
        "Subtitle",
        default.subtitle,
        key=f"snap_subtitle_{hash(default.subtitle)}",
        max_chars=field_chars(default.subtitle, MAX_SUBTITLE),
    )
    formats = {"png": "PNG image", "svg": "SVG", "pdf": "PDF", "html": "Interactive HTML"}
    fmt = st.radio("Format", list(formats), format_func=formats.get, horizontal=True, key="snap_format")
    size = st.radio(
        "Size",
        list(SIZE_LABELS),
        format_func=SIZE_LABELS.get,
        horizontal=True,
        key="snap_size",
        index=list(SIZE_LABELS).index("article"),
        disabled=fmt == "html",
        help="Each size is laid out for where it runs: every text at least 11 px in the file.",
    )
    request = (sel, fmt, edited(title, default.title), edited(subtitle, default.subtitle), size)
    snapshot_offer.offer(request, loaders.make_snapshot, fmt, formats, what="snapshot", state_key="snap_request")
with data_col:
    st.markdown("**The figures**")
    stem = snapshot.file_stem(view, dataset)
    # Both files are made on request (Streamlit calls data when the button is pressed), from this run's view.
    st.download_button(
        "CSV",
        data=partial(figures_csv, view.shapes, credit.counts, dataset.date_label),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        key="download-csv",
        icon=":material/download:",
    )
    st.download_button(
        "GeoJSON",
        data=partial(figures_geojson, view.shapes),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        on_click="ignore",
        key="download-geojson",
        icon=":material/download:",
    )
st.caption(md_escape(credit.text))
