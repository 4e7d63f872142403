"""Trends: every dated dataset as a series: the national line per vendor, the map at any date,
the map of change between two dates, and the areas that rose and fell most.

The series follows the sidebar's level, vendor and metric (geo.figures.history via the cached
loaders.load_series). With fewer than two datasets counted the same way, the page says how
to build a record instead of drawing an empty chart. The two maps sit in fragments: moving
a date slider redraws its map alone, not the page.
"""

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import cast

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, edited, field_chars
from geo.datasets import exports
from geo.datasets.time_order import time_order
from geo.figures import compare
from geo.figures.history import Series
from geo.figures.selection import Selection
from geo.figures.vocabulary import LEVEL_LABELS, METRIC_LABELS, METRIC_SHORT, VENDOR_LABELS, VENDORS
from geo.pictures.trend_charts import national_chart
from geo.pictures.trends import caption as trend_caption
from geo.pictures.trends import chart as trend_chart
from geo.pictures.trends import tables
from geo.pictures.trends import words as trend_words
from pages import loaders, sidebar, snapshot_offer

CRON = "0 6 1 * * cd /path/to/atlas && SHODAN_API_KEY=… .venv/bin/python -m geo scan shodan --into data/scans"

sidebar.ensure_app_navigation()
sel = sidebar.current_selection()
ids = loaders.dated_datasets()
try:
    series: Series | None = loaders.load_series(ids, sel.vendor, sel.level, sel.metric)
    why = ""
except AtlasError as err:
    series, why = None, str(err)

if series is None or not series.comparable:
    st.title("Change over time")
    st.info(
        "A line over time needs at least two counts made the same way (same provider, same queries). "
        "Build a record:\n"
        "- **Count every month** with your Shodan API key: a cron line such as\n\n"
        f"  `{CRON}`\n\n"
        "  adds a dated folder to `data/scans/` at each run, and this page reads them all.\n"
        "- **Count now** on the Data page (*Count with Shodan*), and save the count as a zip to keep it.\n"
        "- **Open saved zips** of earlier counts on the Data page: several can be opened at once.",
        icon=":material/timeline:",
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/table:")
    found = [loaders.load_dataset(i) for i in ids]
    st.caption(
        f"Dated datasets found ({len(found)})"
        + (": " + "; ".join(f"{md_escape(d.short_name)}, {md_escape(d.date_label)}" for d in found) if found else "")
        + "."
    )
    if why and len(found) > 1:  # with fewer than two, the count above says it all
        st.caption(md_escape(why))
    for note in series.notes if series is not None else ():
        st.caption(md_escape(note))
    st.stop()

st.title(md_escape(trend_words.finding(series)))  # the finding, in at most ten words
st.caption(
    f"{METRIC_LABELS[sel.metric]} · {LEVEL_LABELS[sel.level]} · {VENDOR_LABELS[series.vendor]} · "
    f"{len(series.points)} dated datasets, {series.points[0].label} to {series.points[-1].label}"
)
st.markdown(f"**{md_escape(tables.national_line(series))}**")

# -- the national line per vendor --------------------------------------------------------
st.subheader("The national figure")
by_vendor: dict[str, Series] = {}
for vendor in VENDORS:
    try:
        by_vendor[vendor] = (
            series if vendor == series.vendor else loaders.load_series(ids, vendor, sel.level, sel.metric)
        )
    except AtlasError:
        continue  # fewer than two datasets count this vendor: no line for it
earlier = tables.earlier_methods(by_vendor)
# Counts made another way (a published study) can dwarf the line; they are a reference, shown on request.
with_earlier = bool(earlier) and st.toggle(
    "Set the earlier counts made another way beside the line",
    key="trends_earlier",
    help="They counted another thing or another way: each is drawn apart, never joined to the line.",
)
chart = national_chart(tables.national_frame(by_vendor, last_runs_only=not with_earlier), sel.metric)
if chart is None:
    st.info(
        "No dataset in the series publishes a national figure, so there is no national line.", icon=":material/info:"
    )
else:
    st.altair_chart(chart, width="stretch")
    first, last = series.last_run
    st.caption(
        f"{md_escape(series.points[last].dataset.short_name)}, {series.points[first].label} to {series.points[last].label}. "
        "Each line joins counts made the same way; counts made another way are drawn apart, never joined."
        + (
            ""
            if with_earlier
            else f" Not drawn (made another way): {md_escape('; '.join(earlier))}."
            if earlier
            else ""
        )
    )
for line in tables.without_national(by_vendor, last_runs_only=not with_earlier):
    st.caption(md_escape(line))

labels = dict(zip((p.dataset.id for p in series.points), tables.point_labels(series)))


def fresh(key: str, valid: Callable[[object], bool]) -> None:
    """Forget a slider's value that the current series no longer offers (another vendor or level)."""
    if key in st.session_state and not valid(st.session_state[key]):
        del st.session_state[key]


# -- the map at a date ---------------------------------------------------------------------
@st.fragment
def map_at_a_date(series: Series, chosen: Selection, labels: dict[str, str], dataset_ids: tuple[str, ...]) -> None:
    """The sidebar's map of one dataset of the series, chosen with a date slider (redraws alone).

    ``labels``: each dataset id of the series, in date order, with its date in words;
    ``dataset_ids``: what the series was built from (the key of its cached classes).
    """
    st.subheader("The map at a date")
    options = list(labels)
    fresh("trends_date", lambda value: value in options)
    shown = st.select_slider(
        "Date",
        options,
        value=options[-1],
        format_func=labels.__getitem__,
        key="trends_date",
        help="Every dated dataset of the series, oldest first. The colours keep one meaning at every date.",
    )
    dataset = loaders.load_dataset(shown)
    st.caption(f"{md_escape(dataset.title)} · {md_escape(dataset.date_label)}")
    problem = loaders.map_assets()
    if problem:
        st.error(md_escape(problem), icon=":material/error:")
        return
    found = loaders.load_series_classes(
        dataset_ids, chosen.vendor, chosen.level, chosen.metric, chosen.scheme, chosen.k
    )
    try:
        parts = loaders.build_map(replace(chosen, dataset=shown), found, units_of=options[-1])
    except AtlasError as err:
        st.error(md_escape(str(err)), icon=":material/error:")
        return
    # A constant key and deterministic ids: only the data layer is swapped when the date moves.
    st_folium(
        parts.base,
        feature_group_to_add=parts.layer,
        key="trends-map",
        height=520,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption("The classes are drawn over every date of the series, so a colour means the same figure on each map.")


# -- the map of change between two dates -------------------------------------------------------
@st.fragment
def change_between(series: Series, chosen: Selection, labels: dict[str, str]) -> None:
    """The diverging change map (as on Compare) between two dates of the series (redraws alone)."""
    st.subheader("Change between two dates")
    options = list(labels)
    first, last = series.last_run
    position = {dataset_id: i for i, dataset_id in enumerate(options)}
    fresh("trends_span", lambda value: isinstance(value, (tuple, list)) and all(v in position for v in value))
    start, end = st.select_slider(
        "From and to",
        options,
        value=(options[first], options[last]),
        format_func=labels.__getitem__,
        key="trends_span",
        help="Change is the later minus the earlier count. By default: the last unbroken run.",
    )
    if start == end:
        st.info("Pick two different dates to see what changed between them.", icon=":material/info:")
        return
    a, b = series.points[position[start]], series.points[position[end]]
    order = time_order(a.dataset, b.dataset)
    breaks = tables.breaks_between(series, position[start], position[end])
    if breaks:
        st.warning(
            "These two are not counted the same way, so their difference mixes real change with a change of method: "
            + md_escape("; ".join(breaks)),
            icon=":material/warning:",
        )
    try:
        comparison, _ = loaders.load_comparison(order.a.id, order.b.id, series.vendor, chosen.level)
        parts = loaders.build_change_map(order, series.vendor, chosen.level, chosen.places, chosen.k)
    except AtlasError as err:
        st.error(md_escape(str(err)), icon=":material/error:")
        return
    both = len(comparison.shared)
    st.markdown(
        f"Over the {both:,} area{'s' if both != 1 else ''} both list: "
        + md_escape(compare.headline(order, comparison.shared_a, comparison.shared_b))
    )
    problem = loaders.map_assets()
    if problem:
        st.error(md_escape(problem), icon=":material/error:")
        return
    st_folium(
        parts.base,
        feature_group_to_add=parts.layer,
        key="trends-change-map",
        height=520,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption(
        "Change in camera networks over the areas both list (as on the Compare page); grey areas have a count at "
        "one of the two dates only, which is unknown at the other, not zero."
    )


map_at_a_date(series, sel, labels, ids)
change_between(series, sel, labels)

# -- risers and fallers ------------------------------------------------------------------------------
st.subheader("Biggest risers and fallers")
first, last = series.last_run
start_label, end_label = series.points[first].label, series.points[last].label
rows = tables.movers(series)
if rows.empty:
    st.info(
        f"No area has a figure on both {start_label} and {end_label}, so none has a change to rank.",
        icon=":material/info:",
    )
else:
    every = st.toggle("Show every area", key="trends_every_area", help="Otherwise the 10 largest rises and falls.")
    shown_rows = rows if every else tables.biggest(rows)
    number = {"networks": "localized", "per_1k": "%.3f", "per_km2": "%.3f"}[sel.metric]
    st.dataframe(
        shown_rows.assign(same_coverage=shown_rows["same_coverage"].map({True: "yes", False: "no"})),
        hide_index=True,
        width="stretch",
        column_order=["name", "trend", "first", "last", "change", "change_pct", "gaps", "same_coverage"],
        column_config={
            "name": st.column_config.TextColumn("Area"),
            "trend": st.column_config.LineChartColumn(
                "Trend",
                width="medium",
                help=f"The area's figure at each date from {start_label} to {end_label} (the last unbroken run); "
                "dates without a figure are left out",
            ),
            "first": st.column_config.NumberColumn(start_label, format=number),
            "last": st.column_config.NumberColumn(end_label, format=number),
            "change": st.column_config.NumberColumn(
                "Change", format=number, help=f"{METRIC_SHORT[sel.metric]} on {end_label} minus on {start_label}"
            ),
            "change_pct": st.column_config.NumberColumn("% change", format="%+.1f%%"),
            "gaps": st.column_config.NumberColumn("Dates without a figure", help="Unknown at those dates, not zero"),
            "same_coverage": st.column_config.TextColumn(
                "Same places counted", help="Whether the counts cover the same residents at both ends"
            ),
        },
    )
    st.caption(
        f"{len(rows):,} areas have a figure on both {start_label} and {end_label}: the change is read over the last "
        "unbroken run. Click a column's heading to sort by it."
    )
st.download_button(
    "Download the series (CSV)",
    # Made on request (Streamlit calls data when the button is pressed), not on every run.
    data=partial(exports.safe_csv, series.csv_frame()),
    file_name=f"uk-camera-atlas_trends_{series.vendor}_{series.level}_{series.metric}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-trends-csv",
)

if series.notes:
    st.subheader(f"Notes ({len(series.notes)})")
    box = st.container(height=320) if len(series.notes) > 12 else st.container()
    box.markdown("\n".join(f"- {md_escape(note)}" for note in series.notes))

# -- the chart to take away ---------------------------------------------------------------
st.header("Take the chart away")
formats = {"png": "PNG image", "svg": "SVG", "pdf": "PDF"}
format_col, shape_col = st.columns(2)
# cast: Streamlit types its widgets with typing.Never (Python 3.11+), which mypy's Python 3.10 view reads
# as Any, so every radio seems to return None; with options it returns one of them.
fmt = cast(str, format_col.radio("Format", list(formats), format_func=formats.get, horizontal=True, key="trend_format"))
national = trend_chart.national_line(series)
drawn = shape_col.radio(
    "Draw",
    ["national", "areas"] if national else ["areas"],
    horizontal=True,
    key="trend_drawn",
    format_func={"national": "The national line", "areas": "The top 6 areas, side by side"}.get,
    help="Without a national figure at both ends of the last run, the top areas are drawn.",
)
drawn_units = None if drawn == "national" else tuple(series.units["code"].iloc[trend_chart.top_rows(series, 6)])
default = trend_caption.caption(series, units=drawn_units)
# Keys follow the written texts: another series or drawing brings its own finding back.
# A written text may be longer than a reader's own may be: the field holds it whole, and left as
# written it is not sent as the reader's (the snapshot writes it again, in full).
title = st.text_input(
    "Title", default.title, key=f"trend_title_{hash(default.title)}", max_chars=field_chars(default.title, MAX_TITLE)
)
subtitle = st.text_input(
    "Subtitle",
    default.subtitle,
    key=f"trend_subtitle_{hash(default.subtitle)}",
    max_chars=field_chars(default.subtitle, MAX_SUBTITLE),
)
request = (
    ids,
    series.vendor,
    sel.level,
    sel.metric,
    fmt,
    edited(title, default.title),
    edited(subtitle, default.subtitle),
    6 if drawn == "areas" else 0,
)
snapshot_offer.offer(
    request,
    loaders.make_trend_snapshot,
    fmt,
    formats,
    what="chart",
    state_key="trend_request",
    button_key="trend_create",
    download_key="download-trend",
)


st.caption(md_escape(tables.attribution(series).text))
