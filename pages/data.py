"""Data: bring your own table or Shodan export, fix the match report, and read each dataset's provenance."""

import streamlit as st

from geo import datasets, exports, places, shodan
from geo.errors import AtlasError
from geo.markup import md_escape
from pages import loaders, sidebar

sidebar.ensure_app_navigation()
FIELDS = {"place": "Place", "networks": "Networks", "vendor": "Vendor (optional)", "lad_code": "LAD code (optional)"}
NONE = "(none)"


def _set_error(message: str | None) -> None:
    st.session_state["data_error"] = message


def load_table() -> None:
    """Callback: parse the uploaded table with the chosen columns; on success switch to it."""
    upload = st.session_state.get("upload_table")
    if upload is None:
        return
    mapping = {f: st.session_state.get(f"map_{f}") for f in FIELDS}
    mapping = {f: (c if c and c != NONE else None) for f, c in mapping.items()}
    try:
        dataset = datasets.from_upload(upload.getvalue(), upload.name, mapping=mapping)
    except AtlasError as err:
        _set_error(str(err))  # the dataset loaded before stays in use
        return
    _set_error(None)
    sidebar.use_dataset(loaders.register_dataset(dataset))


def import_shodan() -> None:
    """Callback: count a Shodan export's networks per LAD and vendor; on success switch to it."""
    upload = st.session_state.get("upload_shodan")
    if upload is None:
        return
    bar = st.progress(0.0, text="Reading the export…")
    try:
        result = shodan.ingest(
            upload.getvalue(), loaders.load_areas(), loaders.load_resolver(), filename=upload.name,
            progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message),
        )
        dataset = datasets.from_upload(
            shodan.to_csv_bytes(result), "shodan-observations.csv",
            title=f"Your Shodan export: {upload.name}", source=f"Shodan export {upload.name}, uploaded by you",
        )
    except AtlasError as err:
        _set_error(str(err))
        return
    notes = f" Notes: {'; '.join(result.notes)}." if result.notes else ""
    st.session_state["shodan_summary"] = f"{upload.name}: {result.summary()}.{notes}"
    _set_error(None)
    sidebar.use_dataset(loaders.register_dataset(dataset))


def apply_choices() -> None:
    """Callback: turn the match-report picks into a dataset with those choices."""
    picks = {
        key.removeprefix("pick_"): value
        for key, value in st.session_state.items()
        if key.startswith("pick_") and value and value != NONE
    }
    _apply(picks)


def load_choices() -> None:
    """Callback: apply a choices (aliases) CSV saved earlier."""
    upload = st.session_state.get("upload_choices")
    if upload is None:
        return
    try:
        _apply(datasets.read_choices(upload.getvalue(), upload.name))
    except AtlasError as err:
        _set_error(str(err))


def _apply(picks: dict[str, str]) -> None:
    current = loaders.load_dataset(sidebar.current_selection().dataset)
    adjusted = datasets.with_choices(current, picks)
    try:
        # Resolve once now so a bad pick is refused here, not on every page.
        places.with_choices(loaders.load_resolver(), dict(adjusted.choices))
    except AtlasError as err:
        _set_error(str(err))
        return
    _set_error(None)
    sidebar.use_dataset(loaders.register_dataset(adjusted))


sel = sidebar.current_selection()
dataset = loaders.load_dataset(sel.dataset)

st.title("Data")
if st.session_state.get("data_error"):
    st.error(md_escape(st.session_state["data_error"]), icon=":material/error:")

st.header("Bring your own data")
table_tab, shodan_tab = st.tabs(["Table (CSV or XLSX)", "Shodan export"])
with table_tab:
    st.caption(
        "One row per place: a place name (or a GSS code) and a count of networks; optionally vendor "
        f"(hikvision, dahua or all), lad_code, source and date. Up to {datasets.max_table_bytes() // 2**20} MB."
    )
    upload = st.file_uploader("Upload a table", type=["csv", "xlsx", "tsv", "txt"], key="upload_table")
    if upload is not None:
        try:
            raw = datasets.read_table(upload.getvalue(), upload.name)
        except AtlasError as err:
            st.error(md_escape(str(err)), icon=":material/error:")
        else:
            st.markdown("**Preview**")
            st.dataframe(
                [dict(zip(raw.header, row)) for _, row in raw.rows[:10]], hide_index=True, width="stretch"
            )
            st.caption(f"{len(raw.rows):,} rows. Tell us which column holds what:")
            guess = datasets.guess_mapping(raw.header)
            columns = st.columns(len(FIELDS))
            for column, (field_name, label) in zip(columns, FIELDS.items()):
                options = [NONE, *raw.header]
                default = guess.get(field_name)
                column.selectbox(
                    label, options, index=options.index(default) if default in options else 0,
                    key=f"map_{field_name}",
                )
            st.button("Load this table", type="primary", on_click=load_table, icon=":material/upload:")

with shodan_tab:
    st.caption(
        "The output of `shodan download` (gzip JSON lines) or plain JSON lines. Networks are distinct IP "
        f"addresses per vendor and local authority. {shodan.VENDOR_RULES}"
    )
    st.file_uploader("Upload a Shodan export", type=["gz", "json", "jsonl", "ndjson"], key="upload_shodan")
    st.button("Import the export", on_click=import_shodan, icon=":material/upload:")
    if st.session_state.get("shodan_summary"):
        st.success(md_escape(st.session_state["shodan_summary"]))

st.header("Current dataset")
st.subheader(md_escape(dataset.title))
if dataset.description:
    st.markdown(md_escape(dataset.description))
facts = {
    "Source": dataset.source,
    "Link": dataset.url or "none published",
    "Licence": dataset.licence or "not stated",
    "Date": dataset.date,
    "Vendors": "Hikvision and Dahua counted separately" if dataset.splits_vendors else "Hikvision and Dahua combined",
}
st.table({"": list(facts.keys()), "Value": [md_escape(v) for v in facts.values()]})
if dataset.method_notes:
    st.markdown("**Method notes**")
    for note in dataset.method_notes:
        st.markdown(f"- {md_escape(note)}")
for note in dataset.notes:
    st.info(md_escape(note))

_, view, _ = sidebar.start()
report = view.table.match_report
st.subheader("Match report")
counts = report["status"].value_counts()
national = int(report["national"].sum())
a, b, c, d = st.columns(4)
a.metric("Matched places", int(counts.get("matched", 0)) - national)
b.metric("National totals", national)
c.metric("Ambiguous", int(counts.get("ambiguous", 0)))
d.metric("Unmatched", int(counts.get("unmatched", 0)))
shown = report.assign(
    lad_codes=report["lad_codes"].map(lambda c: f"{len(c)} LAD" + ("s" if len(c) != 1 else "") if c else ""),
    suggestions=report["suggestions"].map(", ".join),
)
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_order=["line", "input", "vendor", "networks", "status", "method", "name", "lad_codes", "suggestions", "note"],
    column_config={
        "line": st.column_config.NumberColumn("Line", help="Line in the source file (header = 1)"),
        "input": "Place as written",
        "networks": st.column_config.NumberColumn("Networks", format="localized"),
        "status": "Status",
        "method": st.column_config.TextColumn("How", help="code, alias, lad_name, gazetteer, choice"),
        "name": "Resolved to",
        "lad_codes": "Covers",
        "suggestions": "Candidates / suggestions",
        "note": "Note",
    },
)

problems = report[report["status"] != "matched"].drop_duplicates("input")
if len(problems):
    st.markdown(f"**Fix {len(problems)} name{'s' if len(problems) != 1 else ''}**: pick a candidate or type a place.")
    lad_names = sorted(loaders.load_areas()["name"])
    with st.form("choices"):
        for row in problems.head(100).itertuples(index=False):
            options = [NONE, *row.suggestions, *[n for n in lad_names if n not in row.suggestions]]
            st.selectbox(
                f"{md_escape(row.input)} ({row.status}, {row.networks:,} networks)",
                options,
                key=f"pick_{row.input}",
                accept_new_options=True,
            )
        st.form_submit_button("Apply my choices", type="primary", on_click=apply_choices)
if dataset.choices:
    st.download_button(
        "Download my choices (aliases CSV)",
        data=datasets.choices_csv(dataset.choices),
        file_name="uk-camera-atlas_place-choices.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="download-choices",
    )
st.file_uploader("Apply saved choices (aliases CSV)", type=["csv"], key="upload_choices", on_change=load_choices)
st.download_button(
    "Download match report (CSV)",
    data=exports.safe_csv(report),
    file_name=f"{loaders.file_stem(view, dataset)}_match-report.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-match-report",
)
