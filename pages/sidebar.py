"""The shared sidebar and its selection, kept in the URL; and how every page starts and fails.

:func:`sidebar` renders the filters, seeds them from ``st.query_params`` once per session
and writes the selection back to the URL, so every view has a shareable link.
:func:`start` begins a page; :func:`fail` shows a user-fixable problem as one line;
:func:`unexpected` logs a bug with its traceback to the server log and shows one line.
"""

from __future__ import annotations

import logging

import streamlit as st

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import shown
from geo.datasets import collection, folders
from geo.datasets import dataset as datasets
from geo.figures import metrics, selection
from geo.figures.view import View, place_options
from geo.figures.vocabulary import LEVEL_LABELS, METRIC_LABELS, SCHEME_LABELS, STYLE_LABELS, STYLES, VENDOR_LABELS
from pages import loaders, per_run

SELECTION_KEY = "atlas_selection"
PENDING_KEY = "atlas_pending_dataset"
log = logging.getLogger("uk_camera_atlas")


def ensure_app_navigation() -> None:
    """Rerun through app.py when this page was opened as the server's first request.

    Until some session has run app.py (and so st.navigation), Streamlit treats ``pages/``
    as a legacy multipage folder: a deep link such as ``/rankings`` on a freshly started
    server runs that page file alone, without the sidebar, and lists every file in
    ``pages/`` as a page. Every page calls this first. Clearing the legacy flag and
    rerunning runs app.py with this page (the page hash is the URL path in both modes),
    exactly as st.navigation itself does (a private flag: :mod:`pages.streamlit_private`).
    """
    from pages import streamlit_private

    if streamlit_private.leave_legacy_pages_mode():
        st.rerun()


def start() -> tuple[selection.Selection, View, datasets.Dataset]:
    """Begin a page: the selection, its view and its dataset (a one-line error stops the page)."""
    ensure_app_navigation()
    sel = current_selection()
    try:
        return (
            sel,
            loaders.load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level),
            loaders.load_dataset(sel.dataset),
        )
    except AtlasError as err:
        fail(err)
        raise  # unreachable: st.stop() ends the run


def fail(err: Exception) -> None:
    """Show a user-fixable problem as one line and stop the page (no traceback)."""
    st.error(md_escape(str(err)), icon=":material/error:")
    st.stop()


def unexpected(what: str) -> None:
    """Log the exception being handled (with its traceback) to the server log; show the user one line."""
    log.exception("unexpected error while %s", what)
    st.error(
        f"Something went wrong while {md_escape(what)}: reload the page, and if it happens again report it "
        "(the server log has the details).",
        icon=":material/error:",
    )


def unplaced_notice(table: metrics.Table, of: str | None = None) -> None:
    """On every page showing totals: how many networks in how many names are on no map, with a link to fix them.

    The line is :attr:`geo.figures.metrics.Table.unplaced` (the command line prints the same on stderr);
    ``of`` names the dataset where a page shows two ("A", "B" on Compare).
    """
    line = table.unplaced.line
    if line:
        st.warning(md_escape(f"{of}: {line}" if of else line), icon=":material/warning:")
        st.page_link("pages/data.py", label="Fix the names on the Data page", icon=":material/table:")


def use_dataset(dataset_id: str) -> None:
    """Switch the sidebar to ``dataset_id``; call from a widget callback (before the sidebar renders)."""
    st.session_state["f_dataset"] = dataset_id
    st.session_state["f_places"] = []


def switch_dataset(dataset_id: str) -> None:
    """Switch to ``dataset_id`` from a page's body (after the sidebar rendered): on a fresh run."""
    st.session_state[PENDING_KEY] = dataset_id
    st.rerun()


def current_selection() -> selection.Selection:
    """The selection the sidebar produced on this run."""
    return st.session_state.get(SELECTION_KEY, selection.Selection())


def _params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def _init_state(initial: selection.Selection) -> None:
    """Seed the widgets from the URL once per session; afterwards the widgets own the values."""
    defaults = {
        "f_dataset": initial.dataset,
        "f_vendor": initial.vendor,
        "f_places": list(initial.places),
        "f_metric": initial.metric,
        "f_level": initial.level,
        "f_scheme": initial.scheme,
        "f_k": initial.k,
        "f_style": initial.style or STYLES[0],
    }
    # No places is the list's own default. Seeding it anyway marks the list "set by code" on the first
    # run only, so the next run's list differs and travels whole (5 KB) instead of as a cached reference.
    if not initial.places:
        defaults.pop("f_places")
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def _fallback(dataset_ids: list[str]) -> str:
    """The dataset shown when the one asked for is not there: the default, else the newest."""
    return selection.DEFAULT_DATASET if selection.DEFAULT_DATASET in dataset_ids else dataset_ids[0]


def _warn_foreign_link(listing: collection.Listing) -> None:
    """Say what a link's unknown ``dataset`` really is, never switching silently (the text quoted via shown()).
    The dataset shown instead is named by its listed title: no dataset is read whole for this."""
    dataset_ids = listing.ids
    requested = st.query_params.get("dataset")
    requested = folders.current_id(requested) if requested else requested
    if not requested or requested in dataset_ids or st.session_state.get("f_dataset") == requested:
        return
    titles = {entry.id: entry.title for entry in listing.datasets}
    fallback = md_escape(titles[_fallback(dataset_ids)])
    if loaders.is_upload_id(requested):  # spelt as this app names uploads: one made in another session
        st.warning(
            "This link names a dataset uploaded in another browser session; uploads stay in the session that "
            f"made them, so {fallback} is shown. Upload the file on the Data page to see it.",
            icon=":material/warning:",
        )
    else:
        st.warning(
            f"No dataset called '{md_escape(shown(requested))}': choose one in the sidebar ({fallback} is shown).",
            icon=":material/warning:",
        )


def _shown_place(name: str) -> str:
    return shown(name, selection.MAX_PLACE_CHARS)


def sidebar() -> selection.Selection:
    """Render the shared sidebar, keep the URL in step, and store the selection."""
    per_run.new_run()  # the sidebar starts every full run: what the last run kept is not this one's
    listing = loaders.dataset_listing()  # newest first, each with its date
    loaders.forget_changed_folders(listing)  # a folder written again is read again
    dataset_ids = listing.ids
    _init_state(selection.from_params(_params(), dataset_ids, folders.former_ids()))
    try:
        loaders.load_areas()
    except AtlasError as err:
        fail(err)
    _warn_foreign_link(listing)
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending in dataset_ids:
        use_dataset(pending)
    if st.session_state.get("f_dataset") not in dataset_ids:
        st.session_state["f_dataset"] = _fallback(dataset_ids)
    with st.sidebar:
        st.header("Filters")
        labels = listing.labels  # "TOP10VPN, via The Mail on Sunday · published Nov 2021"
        dataset_id = st.selectbox(
            "Dataset",
            dataset_ids,
            key="f_dataset",
            format_func=labels.__getitem__,
            help="Where the counts come from, newest first, each with its date (a count's UTC time); "
            "see the Data page for provenance.",
        )
        try:  # a listed folder whose observations cannot be read: one line, not a traceback
            dataset = loaders.load_dataset(dataset_id)
        except AtlasError as err:
            fail(err)
        only = dataset.shown_vendor("all")  # "hikvision" for a table that counted Hikvision alone
        choice = dataset.splits_vendors and only == "all"
        if not choice:
            st.session_state["f_vendor"] = only
        vendor = st.radio(
            "Vendor",
            selection.VENDORS,
            key="f_vendor",
            format_func=VENDOR_LABELS.get,
            horizontal=True,
            disabled=not choice,
        )
        if only != "all":
            st.caption(f"This dataset counts {VENDOR_LABELS[only]} only.")
        elif not dataset.splits_vendors:
            st.caption("This dataset counts Hikvision and Dahua together; it has no vendor split.")
        level = st.radio("Geography", selection.LEVELS, key="f_level", format_func=LEVEL_LABELS.get)
        metric = st.radio("Metric", selection.METRICS, key="f_metric", format_func=METRIC_LABELS.get)
        style = None  # a rate is always shaded; a count follows the reader's choice, circles by default
        if metric == "networks":
            drawn = st.radio(
                "Draw counts as",
                STYLES,
                key="f_style",
                format_func=STYLE_LABELS.get,
                horizontal=True,
                help="Circles show a count without letting large, thinly populated areas dominate; shading is for rates.",
            )
            style = None if drawn == STYLES[0] else drawn
        try:
            place_rows = loaders.load_table(dataset_id, vendor, "place").rows  # ranked by networks
        except AtlasError as err:
            fail(err)
        options = place_options(place_rows, loaders.load_areas())
        # Keep URL-chosen places that are not options visible rather than dropping them silently.
        extra = [p for p in st.session_state.get("f_places", []) if p not in options]
        chosen = st.multiselect(
            "Places",
            options + extra,
            key="f_places",
            placeholder="All places",
            format_func=_shown_place,  # a link's place is shown as typed, invisible characters written out
            help="Highlight and zoom to places; rankings show only these. The dataset's own places come first.",
        )
        with st.expander("Map classes"):
            scheme = st.selectbox(
                "Classification", selection.SCHEMES, key="f_scheme", format_func=lambda s: SCHEME_LABELS[s]
            )
            k = st.slider("Classes", *selection.K_RANGE, key="f_k", help="At most as many classes as distinct values.")

    chosen_selection = selection.Selection(
        dataset=dataset_id,
        vendor=vendor,
        places=tuple(chosen),
        metric=metric,
        level=level,
        scheme=scheme,
        k=int(k),
        style=style,
    )
    st.session_state[SELECTION_KEY] = chosen_selection
    params = selection.to_params(chosen_selection)
    current = {key: (values if key == "place" else values[-1]) for key, values in _params().items()}
    if params != current:
        st.query_params.from_dict(params)
    return chosen_selection
