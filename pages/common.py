"""What every page shares: cached loaders, the sidebar selection and the current view.

Caches sit here, at the edge: ``st.cache_resource`` for the prepared areas and resolver,
``st.cache_data`` keyed by plain values for views, map classes and snapshots. The
computations themselves live in ``geo``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace

import folium
import geopandas as gpd
import streamlit as st

from geo import areas as geo_areas
from geo import choropleth, datasets, places, selection, snapshot, sources
from geo.errors import AtlasError
from geo.markup import md_escape  # noqa: F401 - pages call common.md_escape
from geo.metrics import LEVEL_LABELS, METRIC_LABELS, VENDOR_LABELS
from geo.view import View, build_view, place_options

SELECTION_KEY = "atlas_selection"


def ensure_app_navigation() -> None:
    """Rerun through app.py when this page was opened as the server's first request.

    Until some session has run app.py (and so st.navigation), Streamlit treats ``pages/``
    as a legacy multipage folder: a deep link such as ``/rankings`` on a freshly started
    server runs that page file alone, without the sidebar, and lists every file in
    ``pages/`` as a page. Every page calls this first. Clearing the legacy flag and
    rerunning runs app.py with this page (the page hash is the URL path in both modes),
    exactly as st.navigation itself does.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def fail(err: Exception) -> None:
    """Show a user-fixable problem as one line and stop the page (no traceback)."""
    st.error(md_escape(str(err)), icon=":material/error:")
    st.stop()


@st.cache_resource(show_spinner="Loading official boundaries and population…")
def load_areas() -> gpd.GeoDataFrame:
    """The prepared LAD frame (fetched from the mirror or ONS on first use)."""
    return geo_areas.load_areas()


@st.cache_resource(show_spinner="Loading the place-name gazetteer…")
def load_resolver() -> places.Resolver:
    """The place-name resolver over the LAD frame."""
    return places.build_resolver(load_areas())


# Uploaded datasets live in the session that made them: another session can neither list,
# open, evict nor rename them. Ids are salted per session, so two sessions uploading the
# same bytes share no id and no cache entry (cached snapshots carry the file name).
UPLOADS_KEY = "atlas_uploads"
SALT_KEY = "atlas_upload_salt"
MAX_SESSION_UPLOADS = 12


def _uploads() -> dict[str, datasets.Dataset]:
    return st.session_state.setdefault(UPLOADS_KEY, {})


def register_dataset(dataset: datasets.Dataset) -> str:
    """Keep an uploaded (or user-adjusted) dataset in this session; returns its (session-owned) id."""
    store = _uploads()
    base = dataset.id.split("~", 1)[0]
    if base not in store:  # a new upload: give it an id no other session can have
        salt = st.session_state.setdefault(SALT_KEY, secrets.token_hex(16))
        owned = "upload-" + hashlib.sha256(f"{salt}|{dataset.id}".encode()).hexdigest()[:16]
        dataset = replace(dataset, id=owned)
    store.pop(dataset.id, None)
    store[dataset.id] = dataset
    current = st.session_state.get("f_dataset")
    while len(store) > MAX_SESSION_UPLOADS:  # this session's oldest, never the one in use
        oldest = next(i for i in store if i not in (current, dataset.id))
        store.pop(oldest)
    return dataset.id


@st.cache_data(show_spinner=False)
def _load_shipped(dataset_id: str) -> datasets.Dataset:
    return datasets.load_shipped(dataset_id)


def load_dataset(dataset_id: str) -> datasets.Dataset:
    """A shipped dataset, or one this session uploaded, by id."""
    stored = _uploads().get(dataset_id)
    if stored is not None:
        return stored
    if dataset_id.startswith("upload-") or "~" in dataset_id:
        raise datasets.DatasetError("that upload is not in this browser session: upload the file again on the Data page")
    return _load_shipped(dataset_id)


@st.cache_data(show_spinner="Computing…", max_entries=64)
def load_view(dataset_id: str, vendor: str, places_: tuple[str, ...], metric: str, level: str) -> View:
    """The view for plain selection values (so the cache never hashes a frame)."""
    chosen = selection.Selection(dataset=dataset_id, vendor=vendor, places=places_, metric=metric, level=level)
    return build_view(load_dataset(dataset_id), load_resolver(), load_areas(), chosen)


@st.cache_data(show_spinner=False, max_entries=64)
def load_classes(dataset_id: str, vendor: str, metric: str, level: str, scheme: str, k: int) -> choropleth.Classes:
    """Class breaks for plain selection values (place choice does not change them)."""
    view = load_view(dataset_id, vendor, (), metric, level)
    return choropleth.classify(view.shapes.loc[view.shapes["has_data"], metric], scheme, k)


def build_map(dataset_id: str, vendor: str, places_: tuple[str, ...], metric: str, level: str, scheme: str, k: int) -> folium.Map:
    """A new folium map for the selection (~0.1 s from cached parts).

    Not cached as an object: st_folium rewrites the map's element ids while rendering, so
    a Map shared between runs or sessions renders blank the second time. st_folium's ids
    are deterministic, so an unchanged map still does not remount.
    """
    view = load_view(dataset_id, vendor, places_, metric, level)
    classes = load_classes(dataset_id, vendor, metric, level, scheme, k)
    dataset = load_dataset(dataset_id)
    return choropleth.build_map(
        view.shapes,
        metric,
        classes,
        context=load_areas() if level == "place" else None,
        selected=view.selected_units,
        attribution=attribution(dataset),
    )


def attribution(dataset: datasets.Dataset) -> str:
    """Source and licence lines for maps: the dataset's source, ONS/OS and GeoNames."""
    return f"Counts: {dataset.source}. {sources.ONS_ATTRIBUTION} {sources.GEONAMES_ATTRIBUTION}"


def available_datasets() -> list[str]:
    """Dataset ids this session may choose: the shipped ones, then its own uploads."""
    return datasets.shipped_ids() + list(_uploads())


def use_dataset(dataset_id: str) -> None:
    """Switch the sidebar to ``dataset_id``; call from a widget callback (before the sidebar renders)."""
    st.session_state["f_dataset"] = dataset_id
    st.session_state["f_places"] = []


def current_selection() -> selection.Selection:
    """The selection the sidebar produced on this run."""
    return st.session_state.get(SELECTION_KEY, selection.Selection())


def current_view() -> View:
    """The view for the current selection (cached)."""
    sel = current_selection()
    try:
        return load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level)
    except AtlasError as err:
        fail(err)
        raise  # unreachable: st.stop() ends the run


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
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def sidebar() -> selection.Selection:
    """Render the shared sidebar, keep the URL in step, and store the selection."""
    dataset_ids = available_datasets()
    _init_state(selection.from_params(_params(), dataset_ids))
    try:
        load_areas()
    except AtlasError as err:
        fail(err)

    requested = st.query_params.get("dataset")
    if requested and requested not in dataset_ids and st.session_state.get("f_dataset") != requested:
        # A link to an upload made in another browser session: say so, never switch silently.
        st.warning(
            "This link names a dataset uploaded in another browser session; uploads stay in the session that "
            f"made them, so {md_escape(load_dataset(dataset_ids[0]).title)} is shown. Upload the file on the Data page to see it.",
            icon=":material/warning:",
        )
    if st.session_state.get("f_dataset") not in dataset_ids:
        st.session_state["f_dataset"] = dataset_ids[0]
    with st.sidebar:
        st.header("Filters")
        titles = {i: load_dataset(i).title for i in dataset_ids}
        dataset_id = st.selectbox(
            "Dataset",
            dataset_ids,
            key="f_dataset",
            format_func=titles.__getitem__,
            help="Where the counts come from; see the Data page for provenance.",
        )
        dataset = load_dataset(dataset_id)
        if not dataset.splits_vendors:
            st.session_state["f_vendor"] = "all"
        vendor = st.radio(
            "Vendor",
            selection.VENDORS,
            key="f_vendor",
            format_func=VENDOR_LABELS.get,
            horizontal=True,
            disabled=not dataset.splits_vendors,
        )
        if not dataset.splits_vendors:
            st.caption("This dataset counts Hikvision and Dahua together; it has no vendor split.")
        level = st.radio("Geography", selection.LEVELS, key="f_level", format_func=LEVEL_LABELS.get)
        metric = st.radio("Metric", selection.METRICS, key="f_metric", format_func=METRIC_LABELS.get)
        options = place_options(load_view(dataset_id, vendor, (), "networks", "place").table.rows, load_areas())
        # Keep URL-chosen places that are not options visible rather than dropping them silently.
        extra = [p for p in st.session_state["f_places"] if p not in options]
        chosen = st.multiselect(
            "Places",
            options + extra,
            key="f_places",
            placeholder="All places",
            help="Highlight and zoom to places; rankings show only these.",
        )
        with st.expander("Map classes"):
            scheme = st.selectbox("Classification", selection.SCHEMES, key="f_scheme", format_func=choropleth.SCHEMES.get)
            k = st.slider("Classes", *selection.K_RANGE, key="f_k")

    chosen_selection = selection.Selection(
        dataset=dataset_id, vendor=vendor, places=tuple(chosen), metric=metric, level=level, scheme=scheme, k=int(k)
    )
    st.session_state[SELECTION_KEY] = chosen_selection
    params = selection.to_params(chosen_selection)
    current = {key: (values if key == "place" else values[-1]) for key, values in _params().items()}
    if params != current:
        st.query_params.from_dict(params)
    return chosen_selection


def headline(view: View) -> None:
    """National total, the mapped places' sum and the unattributed remainder."""
    table = view.table
    a, b, c = st.columns(3)
    source = "published national total" if table.national_total_source == "dataset" else "sum of the dataset's places"
    a.metric("National total", f"{table.national_total:,}", help=f"Camera networks in the UK ({source}).")
    b.metric(f"In mapped {LEVEL_LABELS[table.level].lower()}", f"{table.mapped_total:,}")
    share = table.unattributed / table.national_total if table.national_total else 0
    c.metric("Not attributed to a mapped area", f"{table.unattributed:,}", help=f"{share:.0%} of the national total.")


@st.cache_data(show_spinner="Rendering the snapshot…", max_entries=128)
def snapshot_bytes(sel: selection.Selection, fmt: str) -> bytes:
    """The snapshot for a selection (plain values), rendered once per selection and format.

    Rendered before the click rather than deferred: Streamlit keeps a deferred download's
    file in no session, so with many sessions it can be cleaned up before the browser
    fetches it (seen in bench/bench_load.py).
    """
    view = load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level)
    return snapshot.make(
        view.table, load_dataset(sel.dataset), load_areas(), metric=sel.metric, scheme=sel.scheme, k=sel.k,
        selected_codes=view.selected_units, fmt=fmt,
    )


def file_stem(sel: selection.Selection) -> str:
    """A descriptive download file name stem."""
    return f"uk-camera-atlas_{sel.dataset}_{sel.vendor}_{sel.level}_{sel.metric}"
