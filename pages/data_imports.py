"""The Data page's ways in: a table (CSV/XLSX), a raw Shodan export, or a dataset saved earlier as a zip.

Each tab parses in a callback, keeps the dataset in this session on success and switches
the sidebar to it; a refusal is one line shown in that tab, next to its button, and the
dataset loaded before stays in use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import MAX_DATE, MAX_SOURCE
from geo.datasets import columns, limits, observations, tables
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders
from geo.shodan import importer as shodan
from pages import loaders, sidebar

T = TypeVar("T")
FIELDS = {
    "place": "Place",
    "networks": "Networks",
    "vendor": "Vendor (optional)",
    "lad_code": "LAD code (optional)",
    "source": "Source column (optional)",
    "date": "Date column (optional)",
}
# One column per vendor (a researcher's city,hikvision,dahua): pick each vendor's column.
WIDE_FIELDS = {
    "place": "Place",
    "hikvision": "Hikvision column",
    "dahua": "Dahua column",
    "lad_code": "LAD code (optional)",
    "source": "Source column (optional)",
    "date": "Date column (optional)",
}
LAYOUTS = {
    "long": "One row per place and vendor (a networks column)",
    "wide": "One column per vendor (Hikvision, Dahua)",
}
NONE = "(none)"
SEEN_KEY = "upload_table_seen"  # the upload the mapper and the source and date fields were filled for


def error_for(tab: str, message: str | list[str] | None) -> None:
    """Remember (or clear) the one-line problem (or one line per problem) to show in ``tab``."""
    st.session_state[f"data_error_{tab}"] = message


def show_error(tab: str) -> None:
    """The tab's problems, if any, right where the user acted: one line each."""
    message = st.session_state.get(f"data_error_{tab}")
    for line in [message] if isinstance(message, str) else message or []:
        st.error(md_escape(line), icon=":material/error:")


def _switch_to(dataset: datasets.Dataset) -> None:
    sidebar.use_dataset(loaders.register_dataset(dataset))


def _mapping() -> dict[str, str | None]:
    """The columns chosen in the mapper, in its layout (one column per vendor, or long)."""
    wide = st.session_state.get("map_layout") == "wide"
    fields = WIDE_FIELDS if wide else FIELDS
    chosen = {f: st.session_state.get(f"map_{f}") for f in fields}
    mapping = {f: (c if c and c != NONE else None) for f, c in chosen.items()}
    return {**mapping, "networks": None, "vendor": None} if wide else mapping


def load_table() -> None:
    """Callback: parse the uploaded table with the chosen columns, source and date; on success switch to it."""
    upload = st.session_state.get("upload_table")
    if upload is None:
        return
    mapping = _mapping()
    if st.session_state.get("map_layout") == "wide" and not (mapping.get("hikvision") or mapping.get("dahua")):
        error_for("table", "no vendor column chosen: pick the Hikvision column, the Dahua column or both")
        return
    try:
        dataset = datasets.from_upload(
            upload.getvalue(),
            upload.name,
            mapping=mapping,
            source=st.session_state.get("upload_source"),
            date=st.session_state.get("upload_date"),
        )
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
            shodan.to_csv_bytes(result),
            "shodan-observations.csv",
            title=f"Your Shodan export: {upload.name}",
            source=f"Shodan export {tables.file_label(upload.name)}, uploaded by you",  # bounded: a source is 200 characters
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


def load_zips() -> None:
    """Callback: open the datasets saved earlier as zips (observations + datapackage.json), each kept in
    this session; a bad file is one line of its own and never stops the others; the last one opened
    becomes the sidebar's dataset."""
    uploads = st.session_state.get("upload_zip") or []
    if len(uploads) > loaders.MAX_SESSION_UPLOADS:
        error_for(
            "zip",
            f"{len(uploads)} files chosen: open at most {loaders.MAX_SESSION_UPLOADS} at once "
            "(a browser session keeps that many datasets of its own)",
        )
        return
    problems, opened = [], None
    for upload in uploads:
        try:
            opened = loaders.register_dataset(_checked_zip(upload.getvalue(), upload.name))
        except AtlasError as err:
            message = str(err)
            problems.append(message if upload.name in message else f"{upload.name}: {message}")
    error_for("zip", problems or None)
    if opened is not None:
        sidebar.use_dataset(opened)


def _table_limit_mb() -> int:
    try:
        return max(1, limits.max_table_bytes() // 2**20)
    except AtlasError:
        return limits.DEFAULT_MAX_BYTES // 2**20


def table_tab() -> None:
    """Upload a CSV/XLSX table, map its columns (long, or one column per vendor), give its source and date, load it."""
    limit_mb = _table_limit_mb()
    st.caption(
        "One row per place and vendor: a place name (or a GSS code) and a count of networks; optionally vendor "
        "(hikvision, dahua or all), lad_code, source and date. Or one row per place with a count column per vendor "
        f"(city, hikvision, dahua). Up to {limit_mb} MB."
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
            _mapper(raw, upload.file_id)
            st.button("Load this table", type="primary", on_click=load_table, icon=":material/upload:")
    show_error("table")


def _mapper(raw: tables.RawTable, file_id: str) -> None:
    """The preview, the column mapper in its two layouts, what will not be read, and the source and date fields."""
    guess = columns.guess_mapping(raw.header)
    if st.session_state.get(SEEN_KEY) != file_id:  # a new file: start from its own guesses
        st.session_state[SEEN_KEY] = file_id
        for key in [k for k in st.session_state if str(k).startswith("map_")]:
            del st.session_state[key]
        st.session_state["map_layout"] = "wide" if columns.is_wide(guess) else "long"
        source, date = datasets.guess_provenance(raw)
        st.session_state["upload_source"], st.session_state["upload_date"] = source, date
    st.markdown("**Preview**")
    st.dataframe([dict(zip(raw.header, row)) for _, row in raw.rows[:10]], hide_index=True, width="stretch")
    st.caption(f"{len(raw.rows):,} rows. Tell us which column holds what:")
    st.radio("Layout", list(LAYOUTS), format_func=LAYOUTS.get, key="map_layout", horizontal=True)
    fields = WIDE_FIELDS if st.session_state.get("map_layout") == "wide" else FIELDS
    options = [NONE, *raw.header]
    for column, (field_name, label) in zip(st.columns(len(fields)), fields.items()):
        default = guess.get(field_name)
        column.selectbox(
            label, options, index=options.index(default) if default in options else 0, key=f"map_{field_name}"
        )
    try:
        shape = columns.layout(raw.header, raw.filename, _mapping())
    except AtlasError:
        pass  # loading says what is wrong, in one line
    else:
        for note in observations.layout_notes(shape, raw):
            st.caption(md_escape(note[0].upper() + note[1:]) + ".")
    left, right = st.columns(2)
    left.text_input(
        "Source",
        key="upload_source",
        max_chars=MAX_SOURCE,
        placeholder=f"uploaded file {raw.filename}",
        help="Who made the counts, in a few words (e.g. Shodan, counted by Jane Doe): it goes on the map's source "
        "line, subtitles, alt text and downloads.",
    )
    right.text_input(
        "Date",
        key="upload_date",
        max_chars=MAX_DATE,
        placeholder=datasets.DATE_EXAMPLE,
        help="When the counts were made, else when they were published: 2025-03-01, 2025-03 or 2025. It goes on "
        "the map, in file names, and puts datasets in time order.",
    )


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
        "Upload a Shodan export",
        type=["gz", "json", "jsonl", "ndjson"],
        key="upload_shodan",
        max_upload_size=min(limit_mb, 200),
    )
    st.button("Import the export", on_click=import_shodan, icon=":material/upload:")
    show_error("shodan")
    if st.session_state.get("shodan_summary"):
        st.success(md_escape(st.session_state["shodan_summary"]))


def zip_tab() -> None:
    """Open datasets saved from this page (or written by `scan shodan` and zipped), several at once."""
    st.caption(
        "Datasets saved from this page as zips (observations.csv + datapackage.json), e.g. the Shodan counts you "
        "made earlier: each opens with its provenance, its date and your place choices, no key needed. Choose "
        "several to set them side by side; the sidebar lists them by date and shows the last one opened."
    )
    st.file_uploader(
        "Upload saved datasets", type=["zip"], key="upload_zip", on_change=load_zips, accept_multiple_files=True
    )
    show_error("zip")


def collection_notes() -> None:
    """The dataset folders left out of the list because they could not be read: one line each."""
    for line in loaders.dataset_listing().skipped_lines:
        st.warning(md_escape(line), icon=":material/folder_off:")
