"""The Data page's ways in: a table (CSV/XLSX), a raw Shodan export, or a dataset saved earlier as a zip.

Each tab parses in a callback, keeps the dataset in this session on success and switches
the sidebar to it; a refusal is one line shown in that tab, next to its button, and the
dataset loaded before stays in use.
"""

from __future__ import annotations

from typing import Callable, TypeVar

import streamlit as st

from geo import dataset_folders, datasets, limits, shodan, tables
from geo.errors import AtlasError
from geo.markup import md_escape
from pages import loaders, sidebar

T = TypeVar("T")
FIELDS = {
    "place": "Place", "networks": "Networks", "vendor": "Vendor (optional)", "lad_code": "LAD code (optional)",
    "source": "Source (optional)", "date": "Date (optional)",
}
NONE = "(none)"


def error_for(tab: str, message: str | None) -> None:
    """Remember (or clear) the one-line problem to show in ``tab``."""
    st.session_state[f"data_error_{tab}"] = message


def show_error(tab: str) -> None:
    """The tab's problem, if any, right where the user acted."""
    message = st.session_state.get(f"data_error_{tab}")
    if message:
        st.error(md_escape(message), icon=":material/error:")


def _switch_to(dataset: datasets.Dataset) -> None:
    sidebar.use_dataset(loaders.register_dataset(dataset))


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
        error_for("table", str(err))  # the dataset loaded before stays in use
        return
    error_for("table", None)
    _switch_to(dataset)


def import_shodan() -> None:
    """Callback: count a Shodan export's networks per LAD and vendor; on success switch to it."""
    upload = st.session_state.get("upload_shodan")
    if upload is None:
        error_for("shodan", "no export chosen: pick the .json.gz file first, then import it")
        return
    bar = st.progress(0.0, text="Reading the export…")
    progress = loaders.progress_reporter(bar, "this import")
    try:
        result = shodan.ingest(
            upload.getvalue(), loaders.load_areas(), loaders.load_resolver(), filename=upload.name, progress=progress
        )
        dataset = datasets.from_upload(
            shodan.to_csv_bytes(result), "shodan-observations.csv",
            title=f"Your Shodan export: {upload.name}", source=f"Shodan export {upload.name}, uploaded by you",
        )
    except AtlasError as err:
        error_for("shodan", str(err))
        return
    finally:
        bar.empty()
    notes = f" Notes: {'; '.join(result.notes)}." if result.notes else ""
    st.session_state["shodan_summary"] = f"{upload.name}: {result.summary()}.{notes}"
    error_for("shodan", None)
    _switch_to(dataset)


def read_upload(key: str, tab: str, parse: Callable[[bytes, str], T], use: Callable[[T], None]) -> None:
    """Callback body: parse the file uploaded under ``key`` and ``use`` it; a refusal is one line in ``tab``."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        parsed = parse(upload.getvalue(), upload.name)
    except AtlasError as err:
        error_for(tab, str(err))  # what was loaded before stays in use
        return
    error_for(tab, None)
    use(parsed)


def _checked_zip(data: bytes, filename: str) -> datasets.Dataset:
    return loaders.check_choices(dataset_folders.from_zip(data, filename))


def load_zip() -> None:
    """Callback: open a dataset saved earlier as a zip (observations + datapackage.json)."""
    read_upload("upload_zip", "zip", _checked_zip, _switch_to)


def _table_limit_mb() -> int:
    try:
        return max(1, limits.max_table_bytes() // 2**20)
    except AtlasError:
        return limits.DEFAULT_MAX_BYTES // 2**20


def table_tab() -> None:
    """Upload a CSV/XLSX table, map its columns, load it."""
    limit_mb = _table_limit_mb()
    st.caption(
        "One row per place: a place name (or a GSS code) and a count of networks; optionally vendor "
        f"(hikvision, dahua or all), lad_code, source and date. Up to {limit_mb} MB."
    )
    upload = st.file_uploader(
        "Upload a table", type=["csv", "xlsx", "tsv", "txt"], key="upload_table", max_upload_size=limit_mb
    )
    if upload is not None:
        try:
            raw = tables.read_table(upload.getvalue(), upload.name)
        except AtlasError as err:
            st.error(md_escape(str(err)), icon=":material/error:")
        else:
            st.markdown("**Preview**")
            st.dataframe([dict(zip(raw.header, row)) for _, row in raw.rows[:10]], hide_index=True, width="stretch")
            st.caption(f"{len(raw.rows):,} rows. Tell us which column holds what:")
            guess = tables.guess_mapping(raw.header)
            for column, (field_name, label) in zip(st.columns(len(FIELDS)), FIELDS.items()):
                options = [NONE, *raw.header]
                default = guess.get(field_name)
                column.selectbox(label, options, index=options.index(default) if default in options else 0, key=f"map_{field_name}")
            st.button("Load this table", type="primary", on_click=load_table, icon=":material/upload:")
    show_error("table")


def shodan_export_tab() -> None:
    """Upload a raw `shodan download` export and count it."""
    st.caption(
        "The output of `shodan download` (gzip JSON lines) or plain JSON lines. Networks are distinct IP "
        f"addresses per vendor and local authority. {md_escape(shodan.VENDOR_RULES)}"
    )
    try:
        limit_mb = max(1, shodan.max_bytes_default() // 2**20)
    except AtlasError:
        limit_mb = shodan.DEFAULT_MAX_BYTES // 2**20
    # The server's own cap (server.maxUploadSize, 200 MB) bounds this too.
    st.file_uploader(
        "Upload a Shodan export", type=["gz", "json", "jsonl", "ndjson"], key="upload_shodan",
        max_upload_size=min(limit_mb, 200),
    )
    st.button("Import the export", on_click=import_shodan, icon=":material/upload:")
    show_error("shodan")
    if st.session_state.get("shodan_summary"):
        st.success(md_escape(st.session_state["shodan_summary"]))


def zip_tab() -> None:
    """Open a dataset saved from this page (or written by `scan shodan` and zipped)."""
    st.caption(
        "A dataset saved from this page as a zip (observations.csv + datapackage.json), e.g. a Shodan count you "
        "made earlier: it opens with its provenance and your place choices, no key needed."
    )
    st.file_uploader("Upload a saved dataset", type=["zip"], key="upload_zip", on_change=load_zip)
    show_error("zip")
