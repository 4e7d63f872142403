"""The Data page's current dataset: provenance, the match report, fixing names, and saving it all.

Every row of the dataset says how its place resolved (matched and how, ambiguous with
candidates, unmatched with suggestions); the user picks or types a place for each problem,
and the choices become part of the dataset (and of the zip it saves as).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import MAX_PLACE_NAME, shown
from geo.datasets import dataset as datasets
from geo.datasets import exports, folders
from geo.figures.view import View
from geo.names import choices as place_choices
from geo.names import match_summary
from geo.pictures import snapshot
from pages import data_imports, loaders, sidebar

MAX_FIXES = 100  # names offered for fixing at once (largest counts first)


def apply_choices() -> None:
    """Callback: turn the match-report picks into a dataset with those choices."""
    picks = {
        key.removeprefix("pick_"): value
        for key, value in st.session_state.items()
        if isinstance(key, str) and key.startswith("pick_") and value and value != data_imports.NONE
    }
    _apply(picks)


def load_choices() -> None:
    """Callback: apply a choices (aliases) CSV saved earlier."""
    data_imports.read_upload("upload_choices", "fix", datasets.read_choices, _apply)


def _apply(picks: dict[str, str]) -> None:
    """Apply the picks that resolve; a refused one is named in one line and never discards the others."""
    current = loaders.load_dataset(sidebar.current_selection().dataset)
    good, refused = place_choices.split_choices(loaders.load_resolver(), picks)
    problem = place_choices.refused_line(refused, len(good))
    if good:
        try:
            # split_choices has resolved every new pick, and the dataset's own were checked when applied:
            # only the bound on how many choices a dataset carries is left to with_choices.
            adjusted = datasets.with_choices(current, {n: t for n, (t, _) in good.items()})
        except AtlasError as err:
            data_imports.error_for("fix", str(err))
            return
        sidebar.use_dataset(loaders.register_dataset(adjusted))
    data_imports.error_for("fix", problem)


def provenance(dataset: datasets.Dataset) -> None:
    """Title, description, source, link, licence, date, vendors and method notes."""
    st.subheader(md_escape(dataset.title))
    if dataset.description:
        st.markdown(md_escape(dataset.description))
    facts = {
        "Source": dataset.source,
        "Link": dataset.url or "none published",
        "Licence": dataset.licence or "not stated",
        "Date": dataset.date_label,
        "Vendors": dataset.vendors_label,
    }
    st.table({"": list(facts.keys()), "Value": [md_escape(v) for v in facts.values()]})
    if dataset.method_notes:
        st.markdown("**Method notes**")
        st.markdown("\n".join(f"- {md_escape(note)}" for note in dataset.method_notes))
    for note in dataset.notes:
        st.info(md_escape(note))


def match_report(view: View, dataset: datasets.Dataset) -> None:
    """How every row resolved, the form to fix the problems, and the downloads."""
    report = view.table.match_report
    st.subheader("Match report")
    counts = match_summary.match_counts(report)
    a, b, c, d = st.columns(4)
    # Each count names its unit: places (distinct places matched), names (as written) or rows.
    a.metric(
        "Matched",
        match_summary.counted(counts.places, "place"),
        f"in {match_summary.counted(counts.matched_rows, 'row')}",
        delta_color="off",
        delta_arrow="off",
        help="Distinct places the matched rows resolve to, and those rows",
    )
    b.metric(
        "National figure",
        match_summary.counted(counts.national_rows, "row") if counts.national_rows else "none",
        help="Rows holding a figure for the whole UK (none: the dataset's totals are the sums of its places)",
    )
    for column, label, names, rows in (
        (c, "Ambiguous", counts.ambiguous_names, counts.ambiguous_rows),
        (d, "Unmatched", counts.unmatched_names, counts.unmatched_rows),
    ):
        column.metric(
            label,
            match_summary.counted(names, "name"),
            f"in {match_summary.counted(rows, 'row')}" if rows else None,
            delta_color="off",
            delta_arrow="off",
            help="Distinct names as written, and the rows holding them",
        )
    st.caption(counts.summary)
    shown = report.assign(
        lad_codes=report["lad_codes"].map(lambda c: f"{len(c)} LAD" + ("s" if len(c) != 1 else "") if c else ""),
        suggestions=report["suggestions"].map(", ".join),
    ).astype({"method": "object", "name": "object", "note": "object"})
    st.dataframe(
        shown.where(shown.notna(), ""),  # blank, never "None"
        hide_index=True,
        width="stretch",
        column_order=[
            "line",
            "input",
            "vendor",
            "networks",
            "status",
            "method",
            "name",
            "lad_codes",
            "suggestions",
            "note",
        ],
        column_config={
            "line": st.column_config.NumberColumn("Line", help="Line in the source file (header = 1)"),
            "input": "Place as written",
            "vendor": "Vendor",
            "networks": st.column_config.NumberColumn("Networks", format="localized"),
            "status": "Status",
            "method": st.column_config.TextColumn("How", help="code, alias, lad_name, gazetteer, qualifier, choice"),
            "name": "Resolved to",
            "lad_codes": "Covers",
            "suggestions": "Candidates / suggestions",
            "note": "Note",
        },
    )
    _fix_form(report)
    _downloads(view, dataset, report)


def _fix_form(report: pd.DataFrame) -> None:
    problems = report[report["status"] != "matched"]
    problems = (
        problems.groupby("input", sort=False)
        .agg(status=("status", "first"), networks=("networks", "sum"), suggestions=("suggestions", "first"))
        .reset_index()
        .sort_values("networks", ascending=False)
    )
    if problems.empty:
        return
    total = int(report["networks"].sum()) or 1
    held = int(problems["networks"].sum())
    st.markdown(
        f"**Fix {len(problems)} name{'s' if len(problems) != 1 else ''}** ({held:,} networks, {held / total:.0%} of the "
        "rows' total): pick a candidate or type a place."
    )
    lad_names = sorted(loaders.load_areas()["name"])
    with st.form("choices"):
        for row in problems.head(MAX_FIXES).itertuples(index=False):
            suggestions = list(row.suggestions)
            options = [data_imports.NONE, *suggestions, *[n for n in lad_names if n not in suggestions]]
            st.selectbox(
                f"{md_escape(shown(row.input, MAX_PLACE_NAME))} ({row.status}, {row.networks:,} networks)",
                options,
                index=1 if len(suggestions) == 1 else 0,  # a single suggestion is offered ready to apply
                key=f"pick_{row.input}",
                accept_new_options=True,
            )
        st.form_submit_button("Apply my choices", type="primary", on_click=apply_choices)


def _downloads(view: View, dataset: datasets.Dataset, report: pd.DataFrame) -> None:
    stem = snapshot.file_stem(view, dataset)
    left, middle, right = st.columns(3)
    left.download_button(
        "Save this dataset (zip)",
        data=folders.to_zip(folders.folder_files(dataset)),
        file_name=f"{stem}_dataset.zip",
        mime="application/zip",
        on_click="ignore",
        icon=":material/download:",
        key="download-dataset-zip",
        help="observations.csv + datapackage.json, with your place choices: upload it again any time",
    )
    middle.download_button(
        "Download match report (CSV)",
        data=exports.safe_csv(report),
        file_name=f"{stem}_match-report.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="download-match-report",
    )
    if dataset.choices:
        right.download_button(
            "Download my choices (aliases CSV)",
            data=datasets.choices_csv(dataset.choices),
            file_name="uk-camera-atlas_place-choices.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="download-choices",
        )
    st.file_uploader(
        "Apply saved choices (aliases CSV)",
        type=["csv"],
        key="upload_choices",
        on_change=load_choices,
        max_upload_size=1,
    )
    data_imports.show_error("fix")
