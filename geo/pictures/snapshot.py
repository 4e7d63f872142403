"""Snapshots: the front door for every map file the app offers and the command line writes.

:func:`make` takes a :class:`geo.figures.view.View` (the table, shapes and chosen units a page
already holds) and returns a :class:`Snapshot`: PNG, SVG or PDF from :mod:`geo.pictures.static.figure` (written by :mod:`geo.pictures.static.image_files`),
or a self-contained interactive HTML map from :mod:`geo.pictures.web.choropleth`, with the same classes,
texts (:mod:`geo.pictures.captions`) and alt text, and one file-naming rule.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import geopandas as gpd

from geo.core.errors import AtlasError
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, shown
from geo.datasets.dataset import Dataset, parse_when
from geo.figures.view import View
from geo.pictures import captions, figures_table
from geo.pictures.captions import Caption
from geo.pictures.circles import draws_circles
from geo.pictures.classes import classify, classify_for_map
from geo.pictures.static import figure as static_map
from geo.pictures.static import image_files
from geo.pictures.static.sizes import resolve
from geo.pictures.web import choropleth

FORMATS = ("png", "svg", "pdf", "html")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}
MIN_WIDTH_PX, MAX_WIDTH_PX = 300, 8000
FILE_PREFIX = "uk-camera-atlas"


@dataclass(frozen=True)
class Snapshot:
    """A rendered file (a map here, a trend chart in :mod:`geo.pictures.trends.chart`) with the words that describe it."""

    data: bytes
    fmt: str
    file_name: str
    caption: Caption

    @property
    def mime(self) -> str:
        """The file's media type."""
        return MIME[self.fmt]

    @property
    def title(self) -> str:
        """The picture's title (the finding, or the user's own)."""
        return self.caption.title

    @property
    def alt(self) -> str:
        """The alt text embedded in the file."""
        return self.caption.alt


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:limit].strip("-")


def dataset_label(dataset: Dataset) -> str:
    """A dataset in a file name: its id, or for an upload the name of its file (never a hash)."""
    label = dataset.id if not dataset.id.startswith("upload-") else _slug(dataset.title.split(":", 1)[-1]) or "upload"
    return _slug(label, 48) or "dataset"


def date_label(dataset: Dataset) -> str:
    """The dataset's date in a file name ("2025-03", "2021-11"): the count's date, else the publication
    date, as ISO text; "" when it has none, or when its label already says it."""
    for value in (dataset.date, dataset.published):
        if parse_when(value):
            slug = _slug(str(value)[:10], 10)
            return "" if slug in dataset_label(dataset) else slug
    return ""


def file_stem(view: View, dataset: Dataset) -> str:
    """One naming rule for every download: ``uk-camera-atlas_<dataset>[_<date>]_<vendor>_<level>_<metric>[_<places>]``.

    The vendor is the one the view shows (:meth:`Dataset.shown_vendor`: a Hikvision-only table's
    files say hikvision, never all).
    """
    sel = view.selection
    parts = [
        FILE_PREFIX,
        dataset_label(dataset),
        date_label(dataset),
        dataset.shown_vendor(sel.vendor),
        sel.level,
        sel.metric,
    ]
    if sel.places:
        parts.append(_slug("-".join(sel.places), 40))
    return "_".join(p for p in parts if p)


def _check(fmt: str, width_px: int | None, title: str | None, subtitle: str | None) -> None:
    if fmt not in FORMATS:
        raise AtlasError(f"format {shown(fmt)!r} is not one of {', '.join(FORMATS)}: pick one of those")
    if width_px is not None and not MIN_WIDTH_PX <= int(width_px) <= MAX_WIDTH_PX:
        raise AtlasError(f"width {width_px} px is out of range: use {MIN_WIDTH_PX} to {MAX_WIDTH_PX} pixels")
    # Bounded where they are read: a 20,000-word title would lay out a page 90,000 px tall.
    for what, value, limit in (("title", title, MAX_TITLE), ("subtitle", subtitle, MAX_SUBTITLE)):
        if value is not None and len(value) > limit:
            raise AtlasError(
                f"the {what} is {len(value):,} characters long, over the {limit}-character limit: shorten it"
            )


def make(
    view: View,
    dataset: Dataset,
    areas: gpd.GeoDataFrame,
    *,
    fmt: str = "png",
    scheme: str = "quantiles",
    k: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    width_px: int | None = None,
    style: str | None = None,
    size: str | None = None,
) -> Snapshot:
    """The snapshot of ``view`` in ``fmt``; ``title``/``subtitle`` replace the written ones when given.

    At place level every LAD is drawn as context. The chosen units are outlined and, on
    the static map, the view zooms to them. ``size`` (article, social, print) lays the
    static map out for that size; ``width_px`` alone picks the layout by width
    (:func:`geo.pictures.static.sizes.resolve`: both must agree). Counts are circles unless
    ``style`` is "shaded"; five or fewer units with data are labelled, not classed.
    """
    _check(fmt, width_px, title, subtitle)
    preset = resolve(size, width_px)
    metric = view.selection.metric
    circles = draws_circles(metric, style)  # a rate asked for as circles: one line, before any drawing
    shapes = view.shapes
    # Five or fewer units are labelled, not classed, on a static map; the interactive one keeps its classes
    # (its tooltips and table carry each value), as the Map page draws it.
    classify_for = classify if fmt == "html" else classify_for_map
    classes = classify_for(shapes.loc[shapes["has_data"].astype(bool), metric], scheme, k)
    focus = view.focus_rows if view.selection.places else None
    caption = captions.caption(view.table, shapes, dataset, metric, classes, focus, title, subtitle, circles=circles)
    context = areas if view.table.level == "place" else None
    if fmt == "html":
        m = choropleth.build_map(
            shapes,
            metric,
            classes,
            attribution=captions.attribution(dataset),
            context=context,
            selected=view.selected_units,
            title_html=_title_box(caption),
            inline_assets=True,
            style=style,
            note=captions.off_map_note(view.table),
        )
        data = _with_description(choropleth.map_html(m), caption).encode("utf-8")
        data = figures_table.append(data, view, dataset)  # the map's figures as a <table> after it
    else:
        drawn = static_map.figure(
            shapes,
            metric,
            classes,
            caption,
            context=context,
            selected=view.selected_units,
            preset=preset,
            circles=circles,
        )
        data = image_files.save(drawn, fmt, preset.width_px, alt=caption.alt, title=caption.title)
    return Snapshot(data=data, fmt=fmt, file_name=f"{file_stem(view, dataset)}.{fmt}", caption=caption)


def _title_box(caption: Caption) -> str:
    parts = [f'<div style="font-weight:600;font-size:14px">{html.escape(caption.title)}</div>']
    parts.append(f'<div style="font-size:11px;color:#444">{html.escape(caption.subtitle)}</div>')
    parts += [f'<div style="font-size:10px;color:#555;margin-top:3px">{html.escape(n)}</div>' for n in caption.notes]
    # On a phone the box (top right) stops short of the zoom buttons (top left, 10 + 34 px wide).
    narrow = "<style>@media (max-width: 600px) { .atlas-title { max-width: calc(100vw - 82px) !important; } }</style>"
    return narrow + (
        '<div class="atlas-title" style="background:rgba(255,255,255,0.94);padding:6px 9px;max-width:380px;'
        "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1a1a1a;"
        'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3)">' + "".join(parts) + "</div>"
    )


def _with_description(document: str, caption: Caption) -> str:
    """The HTML document with its title and alt text in ``<title>`` and ``<meta name="description">``."""
    head = f'<title>{html.escape(caption.title)}</title><meta name="description" content="{html.escape(caption.alt)}">'
    return document.replace("<head>", "<head>" + head, 1)
