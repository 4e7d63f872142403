"""Compare: the sidebar's dataset and another one, per area, read in time order.

The older dataset is A and the newer B whichever the sidebar holds (geo.datasets.time_order.time_order),
so every change is newer minus older; without both dates A is the sidebar's, and the page
says so. Headline totals, a diverging choropleth of the change, a table with absolute and percent
change, and the areas only one dataset lists (listed, never dropped), with a CSV download.
"""

import math
from functools import partial
from typing import cast

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.datasets import exports
from geo.datasets.time_order import time_order as order_of
from geo.figures import compare
from geo.figures.vocabulary import LEVEL_LABELS, VENDOR_LABELS
from geo.pictures import captions, snapshot
from geo.pictures.numbers import format_change
from pages import loaders, sidebar

sidebar.ensure_app_navigation()
sel = sidebar.current_selection()
st.title("Compare datasets")

listing = loaders.dataset_listing()  # newest first, each with its date
others = [i for i in listing.ids if i != sel.dataset]
if not others:
    st.info(
        "There is no other dataset to compare with yet. Upload your own scan on the Data page, "
        "then come back here to compare it with this one.",
        icon=":material/upload_file:",
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/table:")
    st.stop()

chosen = loaders.load_dataset(sel.dataset)
# cast: Streamlit types its widgets with typing.Never (Python 3.11+), which mypy's Python 3.10
# view reads as Any, so every selectbox seems to return None; with options it returns one of them.
other_id = cast(
    str,
    st.selectbox(
        "Compare with",
        others,
        key="compare_with",
        format_func=listing.labels.__getitem__,
        help="The dataset to set beside the sidebar's. The two are read in time order: the older is A, the newer B "
        "(when either date is unknown, A is the sidebar's).",
    ),
)
# Older → newer whatever the sidebar holds: every change below is B − A, newer minus older.
order = order_of(chosen, loaders.load_dataset(other_id))
dataset_a, dataset_b = order.a, order.b

vendor, why = compare.common_vendor(sel.vendor, dataset_a, dataset_b)
if why:
    st.info(md_escape(why), icon=":material/info:")


try:
    comparison, _ = loaders.load_comparison(dataset_a.id, dataset_b.id, vendor, sel.level)
    table_a = loaders.load_table(dataset_a.id, vendor, sel.level)
    table_b = loaders.load_table(dataset_b.id, vendor, sel.level)
except AtlasError as err:
    sidebar.fail(err)

st.caption(
    f"{LEVEL_LABELS[sel.level]} · {VENDOR_LABELS[vendor]} · "
    f"**{order.label_a}**: {md_escape(dataset_a.title)}, {md_escape(dataset_a.date_label)} · "
    f"**{order.label_b}**: {md_escape(dataset_b.title)}, {md_escape(dataset_b.date_label)}"
)
sidebar.unplaced_notice(table_a, of=order.label_a)
sidebar.unplaced_notice(table_b, of=order.label_b)
if order.in_time_order:
    st.caption(md_escape(order.note))
else:
    st.info(md_escape(order.note), icon=":material/schedule:")
st.warning(
    "Differences mix real change with different methods, sources and dates: the two datasets may "
    "count networks differently, name different places and cover different periods. "
    "Read a change as a difference between two sources, not as a trend.",
    icon=":material/warning:",
)


def change_metric(column, label: str, a: int, b: int, change: int, pct: float, help_text: str) -> None:
    """One figure "A → B" with its change (neutral colour: more networks is neither good nor bad)."""
    delta = format_change(change) + ("" if math.isnan(pct) else f" ({pct:+.1f}%)")
    column.metric(label, f"{a:,} → {b:,}", delta, delta_color="off", delta_arrow="off", help=help_text)


# The headline reads A then B: older → newer (or, without a time order, says so).
st.markdown(f"**{md_escape(compare.headline(order, comparison.shared_a, comparison.shared_b))}**")
# Like with like: published national totals only when both have one; always the areas both list.
national_col, shared_col = st.columns(2)
if comparison.national_a is not None and comparison.national_b is not None:  # both publish one
    change_metric(
        national_col,
        f"National total, {order.arrow}",
        comparison.national_a,
        comparison.national_b,
        comparison.national_b - comparison.national_a,
        comparison.national_pct_change,
        "Both datasets' published UK totals",
    )
both_label = f"{len(comparison.shared)} area{'s' if len(comparison.shared) != 1 else ''} both list"
change_metric(
    shared_col,
    f"Over the {both_label}, {order.arrow}",
    comparison.shared_a,
    comparison.shared_b,
    comparison.shared_change,
    comparison.shared_pct_change,
    f"Networks in {order.label_a} and in {order.label_b} in the areas both datasets list",
)
for note in comparison.notes:
    st.info(md_escape(note), icon=":material/info:")
for label, table in (("A", table_a), ("B", table_b)):
    for note in table.notes:
        st.caption(f"{label}: {md_escape(note)}")

credit = captions.attribution(dataset_a, dataset_b)
problem = loaders.map_assets()
if problem:
    st.error(md_escape(problem), icon=":material/error:")
else:
    parts = loaders.build_change_map(order, vendor, sel.level, sel.places, sel.k)
    # A constant key and deterministic ids: unchanged content never remounts (no flicker).
    st_folium(
        parts.base,
        feature_group_to_add=parts.layer,
        key="compare-map",
        height=600,
        use_container_width=True,
        returned_objects=[],
    )

st.subheader(f"In both ({len(comparison.both)})")
if comparison.both.empty:
    st.info("No area is listed by both datasets at this level. Try another geography level in the sidebar.")
else:
    st.dataframe(
        comparison.both.drop(columns=["lad_codes", "listed"]).assign(
            same_coverage=comparison.both["same_coverage"].map({True: "yes", False: "no: left out of the totals"})
        ),
        hide_index=True,
        width="stretch",
        column_order=[
            "name",
            "networks_a",
            "networks_b",
            "change",
            "pct_change",
            "per_1k_a",
            "per_1k_b",
            "same_coverage",
            "code",
        ],
        column_config={
            "name": st.column_config.TextColumn("Area"),
            "code": st.column_config.TextColumn("GSS code"),
            "networks_a": st.column_config.NumberColumn(f"Networks in {order.label_a}", format="localized"),
            "networks_b": st.column_config.NumberColumn(f"Networks in {order.label_b}", format="localized"),
            "change": st.column_config.NumberColumn(
                order.change_label,
                format="localized",
                help=f"Networks in {order.label_b} minus networks in {order.label_a} (negative: fewer in B)",
            ),
            "pct_change": st.column_config.NumberColumn(
                "% change", format="%+.1f%%", help=f"Change as a percent of {order.label_a}; empty where A is 0"
            ),
            "per_1k_a": st.column_config.NumberColumn(f"Per 1,000 residents, {order.label_a}", format="%.2f"),
            "per_1k_b": st.column_config.NumberColumn(f"Per 1,000 residents, {order.label_b}", format="%.2f"),
            "same_coverage": st.column_config.TextColumn(
                "Same places counted", help="Whether A and B count the same places inside this area (regions)"
            ),
        },
    )


def only_list(title: str, rows, column: str, other: str) -> None:
    """A dataset's areas the other does not list, written out (never dropped)."""
    total = int(rows[column].sum()) if len(rows) else 0
    st.subheader(f"{title} ({len(rows)})")
    if rows.empty:
        st.caption(f"Every area here is also in {other}.")
        return
    st.caption(f"{len(rows)} area{'s' if len(rows) != 1 else ''}, {total:,} networks, not listed in {other}.")
    lines = "\n".join(f"- {md_escape(name)}: {int(n):,}" for name, n in zip(rows["name"], rows[column]))
    box = st.container(height=320) if len(rows) > 12 else st.container()
    box.markdown(lines)


left, right = st.columns(2)
with left:
    only_list("Only in A", comparison.only_a, "networks_a", order.label_b)
with right:
    only_list("Only in B", comparison.only_b, "networks_b", order.label_a)

stem = f"uk-camera-atlas_compare_{snapshot.dataset_label(dataset_a)}_vs_{snapshot.dataset_label(dataset_b)}_{vendor}_{sel.level}"
st.download_button(
    "Download comparison (CSV)",
    # Made on request (Streamlit calls data when the button is pressed), not on every run.
    data=partial(exports.safe_csv, compare.csv_frame(comparison, order)),
    file_name=f"{stem}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-compare-csv",
)
st.caption(md_escape(credit.text))
