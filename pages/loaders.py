"""Cached loaders every page shares: official areas, resolver, map assets, datasets, views, classes, maps,
snapshots, comparisons and series over time.

Caches sit here, at the edge: ``st.cache_resource`` for what every session shares and
never changes (the prepared areas, the resolver, the published map assets);
``st.cache_data`` keyed by plain values (dataset id, vendor, level…) for tables, shapes, classes
and snapshots, never by a frame. A dataset's place names are resolved once per dataset id
(an id names its choices too), not once per view: :func:`load_matched`. The metric is in no
table's or shapes' key: a view ranks its level's cached table and shapes by the selection's
metric (:func:`load_view`). The selection's dataset, tables and view are made once per script run
(:mod:`pages.per_run`), however many parts of the page ask. Uploaded datasets live in the session
that made them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.core.errors import DatasetError
from geo.core.text import shown
from geo.datasets import collection, time_order
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders
from geo.figures import compare, history, join, metrics, selection, series_vendors
from geo.figures.view import View, build_view, resolve_selection
from geo.figures.vocabulary import Level, Metric
from geo.names import places
from geo.official import areas as geo_areas
from geo.official import assets
from geo.pictures import captions, classes, snapshot
from geo.pictures.trends import chart as trend_chart
from geo.pictures.trends import tables as trend_tables
from geo.pictures.web import choropleth
from pages import per_run

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Uploaded datasets live in the session that made them: another session can neither list,
# open, evict nor rename them. Ids are salted per session, so two sessions uploading the
# same bytes share no id and no cache entry (cached snapshots carry the file name).
UPLOADS_KEY = "atlas_uploads"
SALT_KEY = "atlas_upload_salt"
MAX_SESSION_UPLOADS = 12
# What register_dataset names an upload ("~" + digest once the user has chosen places).
UPLOAD_ID = re.compile(r"upload-[0-9a-f]{16}(~[0-9a-f]{10})?")


@st.cache_resource(show_spinner="Loading official boundaries and population…")
def load_areas() -> gpd.GeoDataFrame:
    """The prepared LAD frame (fetched from the mirror or ONS on first use)."""
    return geo_areas.load_areas()


@st.cache_resource(show_spinner="Loading the place-name gazetteer…")
def load_resolver() -> places.Resolver:
    """The place-name resolver over the LAD frame (shared; its memo is bounded and locked)."""
    return places.build_resolver(load_areas())


@st.cache_resource(show_spinner=False)
def _publish_assets() -> str:
    assets.publish(STATIC_DIR, url_base())
    return url_base()


def map_assets() -> str | None:
    """Publish Leaflet into ``static/`` once per process; the one-line fix when it is not cached."""
    message = assets.missing_message()
    if message:
        return message
    _publish_assets()
    return None


def url_base() -> str:
    """Where this server serves ``static/`` (``server.baseUrlPath`` in front when set)."""
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}{assets.URL_BASE}" if prefix else assets.URL_BASE


def _uploads() -> dict[str, datasets.Dataset]:
    return st.session_state.setdefault(UPLOADS_KEY, {})


def check_choices(dataset: datasets.Dataset) -> datasets.Dataset:
    """``dataset`` if every place choice it carries resolves; else a one-line AtlasError (refused up front,
    not on every page)."""
    places.with_choices(load_resolver(), dict(dataset.choices))
    return dataset


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
    return dataset_folders.load_shipped(dataset_id)


def is_upload_id(dataset_id: object) -> bool:
    """Whether ``dataset_id`` is spelt as this app names uploads (in some session: maybe another)."""
    return isinstance(dataset_id, str) and UPLOAD_ID.fullmatch(dataset_id) is not None


def is_shipped(dataset_id: str) -> bool:
    """Whether ``dataset_id`` (or the id it was renamed from) is a dataset folder this server reaches
    (shipped, or in a collection: :func:`geo.datasets.folders.folders`)."""
    return dataset_folders.current_id(dataset_id) in dataset_folders.shipped_ids()


@per_run.once
def load_dataset(dataset_id: str) -> datasets.Dataset:
    """A dataset folder's (shipped or in a collection), or one this session holds, by id (once per run);
    any other id is a one-line DatasetError saying which."""
    stored = _uploads().get(dataset_id)
    if stored is not None:
        return stored
    if is_upload_id(dataset_id):
        raise DatasetError("that upload is not in this browser session: upload the file again on the Data page")
    if not is_shipped(dataset_id):
        raise DatasetError(f"no dataset called '{shown(dataset_id)}': choose one in the sidebar")
    return _load_shipped(dataset_id)


def dataset_listing() -> collection.Listing:
    """Every dataset this session may choose, newest first, each with its date: the folders this
    server reaches (shipped, ``data/scans/``, ``CAMERA_ATLAS_DATASETS_DIR``) and the session's own
    (uploads, counts, saved zips); with the folders that could not be read. Reads each folder's
    datapackage.json only (about 10 ms for 40 folders), so it is not cached: a new count shows at once."""
    return collection.listing(session=list(_uploads().values()))


@st.cache_resource(show_spinner=False)
def _folders_seen() -> dict[str, tuple]:
    """The dataset folders as the caches last read them (one entry, replaced whole: bounded)."""
    return {}


def _folder_stamps(listing: collection.Listing) -> tuple:
    """Each listed folder's id, path, and its two files' sizes and modification times."""
    stamps = []
    for entry in listing.datasets:
        if entry.folder is None:
            continue
        files: list[tuple[int, int] | None] = []
        for name in dataset_folders.FILES:
            try:
                info = (entry.folder / name).stat()
                files.append((info.st_size, info.st_mtime_ns))
            except OSError:
                files.append(None)
        stamps.append((entry.id, str(entry.folder), tuple(files)))
    return tuple(stamps)


def forget_changed_folders(listing: collection.Listing) -> None:
    """Clear every cache keyed by dataset id when a dataset folder changed on disk.

    Caches key on the id (the folder's name), which stays the same when a folder is written
    again in place (``scan shodan --out``) or when another collection with a folder of the
    same name takes its place; without this, figures of the old folder would be served under
    the id. About 1 ms for 40 folders (two stats each); the caches are cleared once per change.
    """
    stamps = _folder_stamps(listing)
    seen = _folders_seen()
    if seen.get("stamps") == stamps:
        return
    if "stamps" in seen:
        for cached in (
            _load_shipped,
            load_matched,
            _cached_table,
            load_shapes,
            load_classes,
            load_comparison,
            load_series,
            load_series_classes,
            make_trend_snapshot,
            make_snapshot,
            default_caption,
        ):
            cached.clear()
        per_run.new_run()  # nor keep what this run read before the caches were cleared
    seen["stamps"] = stamps


def available_datasets() -> list[str]:
    """Dataset ids this session may choose, newest first (:func:`dataset_listing`)."""
    return dataset_listing().ids


@st.cache_resource(show_spinner=False)
def load_unit_shapes() -> join.UnitShapes:
    """Unions of LADs (places over several LADs, regions), each made once for every session."""
    return join.UnitShapes(load_areas())


# Enough for a collection of three years of monthly counts: a series reads every dataset's names.
@st.cache_resource(show_spinner="Matching place names…", max_entries=64)
def load_matched(dataset_id: str) -> metrics.Matched:
    """The dataset's place names resolved once, with its choices (shared; the id names the choices).

    A resource, not data: it holds a resolver (with a lock), and every view of the dataset
    reads it without copying. Keyed by the id alone, like :func:`load_table`: only a session
    that may load the dataset ever gets its id.
    """
    return metrics.match_dataset(load_dataset(dataset_id), load_resolver())


@st.cache_data(show_spinner="Computing…", max_entries=256)
def _cached_table(dataset_id: str, vendor: str, level: Level) -> metrics.Table:
    return metrics.build_table(
        load_dataset(dataset_id),
        load_resolver(),
        load_areas(),
        vendor=vendor,
        level=level,
        matched=load_matched(dataset_id),
    )


@per_run.once
def load_table(dataset_id: str, vendor: str, level: Level) -> metrics.Table:
    """The dataset's table for plain values (ranked by networks; once per run): every view of it, whatever
    its metric (:func:`geo.figures.metrics.ranked`), and every series that holds it read this one (three
    years of monthly counts are 36 tables per vendor and level)."""
    return _cached_table(dataset_id, vendor, level)


# A resource, not data: shared, never copied. A copy per run (cache_data's) brings a new CRS object, which
# pyproj identifies again on first use (~35 ms CPU at LAD level); the view ranks a new frame from it
# (ranked_shapes) and never changes it.
@st.cache_resource(show_spinner="Drawing the areas…", max_entries=64)
def load_shapes(dataset_id: str, vendor: str, level: Level) -> gpd.GeoDataFrame:
    """The table's units on their shapes (:func:`geo.figures.join.level_shapes`, ranked by networks), for
    plain values: joined and dissolved once per dataset, vendor and level, whatever the metric. Read-only."""
    return join.level_shapes(load_table(dataset_id, vendor, level), load_areas(), load_unit_shapes())


@per_run.once
def load_view(dataset_id: str, vendor: str, places_: tuple[str, ...], metric: Metric, level: Level) -> View:
    """The view for plain selection values, made once per script run from the cached table and shapes of
    its dataset, vendor and level: a change of metric or places ranks and picks again, and builds,
    joins and dissolves nothing (:func:`geo.figures.view.ranked_shapes`)."""
    chosen = selection.Selection(dataset=dataset_id, vendor=vendor, places=places_, metric=metric, level=level)
    return build_view(
        load_dataset(dataset_id),
        load_resolver(),
        load_areas(),
        chosen,
        matched=load_matched(dataset_id),
        table=load_table(dataset_id, vendor, level),
        unit_shapes=load_unit_shapes(),
        shapes=load_shapes(dataset_id, vendor, level),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def load_classes(dataset_id: str, vendor: str, metric: Metric, level: Level, scheme: str, k: int) -> classes.Classes:
    """Class breaks for plain selection values (place choice does not change them)."""
    view = load_view(dataset_id, vendor, (), metric, level)
    return classes.classify(view.shapes.loc[view.shapes["has_data"], metric], scheme, k)


def build_map(
    sel: selection.Selection, found: classes.Classes | None = None, units_of: str | None = None
) -> choropleth.MapParts:
    """A new folium map for the selection, in parts (~0.07 s from cached parts).

    ``found``: the classes to colour with (the Trends page's, over every date); by default
    the selection's own (:func:`load_classes`). Counts are drawn as ``sel.style`` says
    (circles by default); a map with ``found`` classes is shaded, as circles over every
    date would need one size scale over every date too. Not cached as an object: st_folium rewrites
    the map's element ids while rendering, so a Map shared between runs or sessions renders
    blank the second time. st_folium's ids are deterministic, so an unchanged base map does
    not remount, and a new data layer is swapped in without reloading the map. The units' geometry
    is in the base (sent once, :mod:`geo.pictures.web.units`); ``units_of``: the dataset whose units
    the base holds (the Trends page: the series' latest, whatever the date shown).
    """
    view = load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level)
    return choropleth.build_map(
        view.shapes,
        sel.metric,
        found or load_classes(sel.dataset, sel.vendor, sel.metric, sel.level, sel.scheme, sel.k),
        attribution=captions.attribution(load_dataset(sel.dataset)),
        context=load_areas() if sel.level == "place" else None,
        selected=view.selected_units,
        url_base=url_base(),
        static_dir=STATIC_DIR,
        style=sel.style if found is None else "shaded",
        note=captions.off_map_note(view.table),
        # The units the map mounts with: at place level the places of ``units_of`` (default: this
        # dataset) without the chosen ones (cached), so choosing a place, or moving the Trends date,
        # sends only figures (and any unit those lack); other levels have every unit anyway.
        geometry_from=load_view(units_of or sel.dataset, sel.vendor, (), sel.metric, sel.level).shapes
        if sel.level == "place" and (sel.places or (units_of or sel.dataset) != sel.dataset)
        else None,
    )


@st.cache_data(show_spinner="Comparing…", max_entries=32)
def load_comparison(a: str, b: str, vendor: str, level: Level) -> tuple[compare.Comparison, gpd.GeoDataFrame]:
    """Dataset ``a`` against ``b`` (A older, B newer) and the comparison's shapes, for plain values
    (the tables come from the cached tables)."""
    result = compare.compare(load_table(a, vendor, level), load_table(b, vendor, level))
    return result, compare.comparison_shapes(result, load_areas(), load_unit_shapes())


def build_change_map(
    order: time_order.TimeOrder, vendor: str, level: Level, places_: tuple[str, ...], k: int
) -> choropleth.MapParts:
    """The diverging map of the change from ``order.a`` to ``order.b`` (new each run, as :func:`build_map`).

    ``k``: the sidebar's class count, made odd (one more) so one class is centred on no change.
    """
    comparison, shapes = load_comparison(order.a.id, order.b.id, vendor, level)
    found = classes.classify_diverging(comparison.both["change"], k=k if k % 2 else k + 1)
    selected_lads, _ = resolve_selection(places_, load_resolver())
    return choropleth.build_change_map(
        shapes,
        found,
        attribution=captions.attribution(order.a, order.b),
        context=load_areas() if level == "place" else None,
        selected=join.selected_units(shapes, selected_lads),
        label_a=order.label_a,
        label_b=order.label_b,
        url_base=url_base(),
        static_dir=STATIC_DIR,
    )


def dated_datasets() -> tuple[str, ...]:
    """Ids of the datasets this session may choose that have a date, newest first (from the listing:
    no dataset is read whole for this)."""
    return tuple(entry.id for entry in dataset_listing().datasets if entry.dated is not None)


@st.cache_data(show_spinner="Reading the counts over time…", max_entries=16)
def load_series(dataset_ids: tuple[str, ...], vendor: str, level: Level, metric: Metric) -> history.Series:
    """The series of ``dataset_ids`` for plain values (:func:`geo.figures.history.build_series`), from the
    cached tables (:func:`load_table`), shared with the views of the pages that show one dataset;
    for Hikvision + Dahua with the vendor gaps made unknown (:func:`geo.figures.series_vendors.honest`).

    Datasets that do not count ``vendor``, or have no date, are left out with a note; fewer
    than two left is a one-line AtlasError.
    """

    def one(chosen: str) -> history.Series:
        counted, left_out = series_vendors.counting([load_dataset(i) for i in dataset_ids], chosen)
        ordered, undated = history.order_datasets(counted)
        entries = [(dataset, load_table(dataset.id, chosen, level)) for dataset, _ in ordered]
        return history.build_series(entries, metric, [*left_out, *undated])

    return series_vendors.honest(one, vendor)


@st.cache_data(show_spinner="Drawing the chart…", max_entries=16)
def make_trend_snapshot(
    dataset_ids: tuple[str, ...],
    vendor: str,
    level: Level,
    metric: Metric,
    fmt: str,
    title: str,
    subtitle: str,
    small_multiples: int,
) -> snapshot.Snapshot:
    """The Trends page's chart to take away (plain values; drawn on request, then kept for reruns)."""
    return trend_chart.make(
        load_series(dataset_ids, vendor, level, metric),
        fmt,
        title=title or None,
        subtitle=subtitle or None,
        small_multiples=small_multiples,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def load_series_classes(
    dataset_ids: tuple[str, ...], vendor: str, level: Level, metric: Metric, scheme: str, k: int
) -> classes.Classes:
    """Class breaks over every date of the series (one colour, one value, whichever date is shown)."""
    return trend_tables.pooled_classes(load_series(dataset_ids, vendor, level, metric), scheme, k)


@st.cache_data(show_spinner="Drawing the snapshot…", max_entries=32)
def make_snapshot(
    sel: selection.Selection, fmt: str, title: str, subtitle: str, size: str | None = None
) -> snapshot.Snapshot:
    """The snapshot the user asked for (plain values; rendered on request, then kept for reruns), laid out
    for ``size`` (article, social or print; print when None) in the selection's style."""
    view = load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level)
    return snapshot.make(
        view,
        load_dataset(sel.dataset),
        load_areas(),
        fmt=fmt,
        scheme=sel.scheme,
        k=sel.k,
        title=title or None,
        subtitle=subtitle or None,
        size=size,
        style=sel.style,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def default_caption(sel: selection.Selection) -> captions.Caption:
    """The texts a snapshot of ``sel`` gets unless the user edits them (kept: every rerun of the Map page
    asks, and writing them costs ~15 ms)."""
    view = load_view(sel.dataset, sel.vendor, sel.places, sel.metric, sel.level)
    found = load_classes(sel.dataset, sel.vendor, sel.metric, sel.level, sel.scheme, sel.k)
    focus = view.focus_rows if sel.places else None
    figures = pd.DataFrame(view.shapes.drop(columns="geometry"))  # texts need no shapes: no GeoDataFrame copies
    return captions.caption(view.table, figures, load_dataset(sel.dataset), sel.metric, found, focus)


def progress_reporter(bar, what: str):
    """A ``progress(fraction, message)`` for long work that draws on ``bar`` and stops (Cancelled)
    once the browser session that asked for ``what`` has gone."""
    from geo.core.errors import Cancelled
    from geo.core.markup import md_escape

    def report(fraction: float, message: str) -> None:
        if not session_alive():
            raise Cancelled(f"the browser session that asked for {what} has gone: start it again")
        bar.progress(min(max(fraction, 0.0), 1.0), text=md_escape(message))

    return report


def session_alive() -> bool:
    """False once the browser session running this script has gone (so long work can stop)."""
    from pages import streamlit_private

    return streamlit_private.session_is_active()
