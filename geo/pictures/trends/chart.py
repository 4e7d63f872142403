"""The trend snapshot: the national line (or the top areas as small multiples) as PNG, SVG or PDF to take away.

It follows the map snapshot's rules (:mod:`geo.pictures.static.figure`): the finding as the title
(:mod:`geo.pictures.trends.words`), the figures and dates in the subtitle, footnotes, one source line,
alt text embedded by :func:`geo.pictures.static.image_files.save`, and every text legible at 600 px wide (no text
under :data:`SMALLEST_PX` px at that width: 8.58 points on the page).

Each unbroken run (:class:`geo.figures.history.Series`) is its own panel with its own scale from zero:
two runs count different things (TOP10VPN's networks, Shodan's results), so they are never
joined nor set on one scale; a gap with a dashed rule and a label marks the break. Time is to
scale within a panel. A date without a figure is a gap in the line, never a zero. The national
line is drawn when some date has a national figure; otherwise, or when asked, the areas with the
largest latest figures as small multiples (one scale per run, shared by every area). One line's
panels are drawn by :mod:`geo.pictures.trends.line_panels`; this module owns the page around them,
which areas it shows, and the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.core.errors import AtlasError
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, shown
from geo.figures.history import Series
from geo.pictures.captions import Caption
from geo.pictures.snapshot import FILE_PREFIX, MAX_WIDTH_PX, MIN_WIDTH_PX, Snapshot
from geo.pictures.static import figure as static_map
from geo.pictures.static import image_files, typeset
from geo.pictures.trends import caption as trend_caption
from geo.pictures.trends import words as trend_words
from geo.pictures.trends.layout import drawn_runs, panels
from geo.pictures.trends.line_panels import (
    FALLBACK_ROOM,
    MUTED,
    NOTE_COLOR,
    SUBTITLE_COLOR,
    LineChart,
    put_text,
    scales_for,
    tick_width,
)

FORMATS = ("png", "svg", "pdf")
MAX_SMALL_MULTIPLES = 12
AUTO_SMALL_MULTIPLES = 6  # areas drawn when no date has a national figure
SMALLEST_PX = 11  # every text at least 11 px tall when the file is 600 px wide (the narrowest)
PAGE_W = static_map.FIG_WIDTH * 72  # points (image_files.save sets the pixels per point)
MARGIN = static_map.MARGIN * 72
TEXT_W = PAGE_W - 2 * MARGIN
TITLE_SIZE, SUBTITLE_SIZE, NAME_SIZE, NOTE_SIZE = 16.0, 11.0, 10.0, 9.0
NATIONAL_PLOT_H, CELL_PLOT_H = 190.0, 80.0
COL_GAP, ROW_GAP = 22.0, 16.0
BREAK_WORDS, CELL_BREAK_WORDS = "line breaks: counted differently", "break"


def _latest(values: np.ndarray) -> np.ndarray:
    """Per row, the last finite value (NaN for a row without one)."""
    finite = ~np.isnan(values)
    last = np.where(finite.any(axis=1), values.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1), 0)
    return np.where(finite.any(axis=1), values[np.arange(len(values)), last], np.nan)


def top_rows(series: Series, n: int, focus: str | None = None) -> list[int]:
    """The rows of the ``n`` areas with the largest latest figures, ``focus`` (a unit code) among them.

    Latest within the last run first (the line the finding reads); an area without a figure
    there comes after every area with one, by its latest figure before; then by name."""
    first, last = series.last_run
    recent, earlier = _latest(series.values[:, first : last + 1]), _latest(series.values)
    names = series.units["name"].astype(str).to_numpy()
    listed = np.flatnonzero(~np.isnan(earlier))
    ordered = sorted(
        listed, key=lambda i: (bool(np.isnan(recent[i])), -(earlier[i] if np.isnan(recent[i]) else recent[i]), names[i])
    )
    rows = [int(r) for r in ordered[:n]]
    if focus is not None:
        row = trend_words.row_of(series, focus)
        if row not in rows:
            rows = [*rows[: max(n - 1, 0)], row]
    return rows


@dataclass(frozen=True)
class _Words:
    """A caption's texts wrapped to the page, with the heights they take."""

    title: list[str]
    subtitle: list[str]
    notes: list[str]
    source: list[str]

    @classmethod
    def of(cls, caption: Caption) -> _Words:
        def wrap(text: str, size: float, weight: str = "normal") -> list[str]:
            return typeset.wrap(text, typeset.font(size, weight), TEXT_W * FALLBACK_ROOM)

        return cls(
            title=wrap(caption.title, TITLE_SIZE, "bold"),
            subtitle=wrap(caption.subtitle, SUBTITLE_SIZE),
            notes=[line for note in caption.notes for line in wrap(note, NOTE_SIZE)],
            source=[line for text in (caption.source, caption.credit) for line in wrap(text, NOTE_SIZE)],
        )

    @property
    def header_h(self) -> float:
        return MARGIN + len(self.title) * TITLE_SIZE * 1.2 + 4 + len(self.subtitle) * SUBTITLE_SIZE * 1.35 + 12

    @property
    def footer_h(self) -> float:
        notes = len(self.notes) * NOTE_SIZE * 1.35 + 6 if self.notes else 0.0
        return 10 + notes + len(self.source) * NOTE_SIZE * 1.3 + MARGIN * 0.6

    def draw(self, page: Figure, page_h: float, chart_bottom: float) -> None:
        y = page_h - MARGIN
        for line in self.title:
            put_text(page, MARGIN, y, line, TITLE_SIZE, weight="bold", label="title")
            y -= TITLE_SIZE * 1.2
        y -= 4
        for line in self.subtitle:
            put_text(page, MARGIN, y, line, SUBTITLE_SIZE, color=SUBTITLE_COLOR, label="subtitle")
            y -= SUBTITLE_SIZE * 1.35
        y = chart_bottom - 10
        for line in self.notes:
            put_text(page, MARGIN, y, line, NOTE_SIZE, color=NOTE_COLOR, label="note")
            y -= NOTE_SIZE * 1.35
        y -= 6 if self.notes else 0
        for line in self.source:
            put_text(page, MARGIN, y, line, NOTE_SIZE, color=MUTED, label="source")
            y -= NOTE_SIZE * 1.3


def figure(series: Series, caption: Caption, rows: Sequence[int] = ()) -> Figure:
    """The page: title, subtitle, the national line (or ``rows``' areas as small multiples), notes, source and credit."""
    typeset.register_font()
    words = _Words.of(caption)
    several = len(drawn_runs(series)) > 1
    alone = len(rows) <= 1  # the national line, or one area: full width, with its scale and run labels
    columns = 1 if alone else 2
    cell_w = (TEXT_W - (columns - 1) * COL_GAP) / columns
    plot_h = NATIONAL_PLOT_H if alone else CELL_PLOT_H
    if rows:
        values = series.values[list(rows)]
    else:
        values = np.array([[math.nan if p.national is None else float(p.national) for p in series.points]])
    scales = scales_for(series, values, plot_h)
    laid = panels(series, cell_w, tick_width(series, scales) if alone else 0.0)
    chart = LineChart(series, laid, scales, plot_h, alone, BREAK_WORDS if alone else CELL_BREAK_WORDS)
    headers_h = chart.headers_h() if alone or several else 0.0  # the runs are named above the first row only
    name_h = NAME_SIZE * 1.3 + 2 if rows else 0.0
    cell_h = name_h + plot_h + chart.dates_h
    n_rows = max(math.ceil(len(rows) / columns), 1)
    body_h = headers_h + n_rows * cell_h + (n_rows - 1) * ROW_GAP
    page_h = words.header_h + body_h + words.footer_h
    page = Figure(figsize=(static_map.FIG_WIDTH, page_h / 72), facecolor="white")
    FigureCanvasAgg(page)
    top = page_h - words.header_h
    if not rows:
        chart.draw(page, MARGIN, top, values[0], "national", headers=True)
    for k, row in enumerate(rows):
        r, c = divmod(k, columns)
        x0 = MARGIN + c * (cell_w + COL_GAP)
        y1 = top - r * (cell_h + ROW_GAP) - (headers_h if r else 0.0)
        name = typeset.wrap(trend_words.unit_name(series, row), typeset.font(NAME_SIZE, "bold"), cell_w)[0]
        put_text(page, x0, y1, name, NAME_SIZE, weight="bold", label="area")
        chart.draw(page, x0, y1 - name_h, values[k], f"area{k}", headers=r == 0 and headers_h > 0)
    words.draw(page, page_h, top - body_h)
    return page


def national_line(series: Series) -> bool:
    """True when the chart draws the national line: it has a figure at both ends of the last run (or,
    with no change to read, at some date); else the areas are drawn, which the finding then names."""
    known = [p.national is not None and not math.isnan(p.national) for p in series.points]
    first, last = series.last_run
    return known[first] and known[last] if series.comparable else any(known)


def _check(fmt: str, width_px: int, title: str | None, subtitle: str | None, small_multiples: int) -> None:
    if fmt not in FORMATS:
        raise AtlasError(f"format {shown(fmt)!r} is not one of {', '.join(FORMATS)}: pick one of those")
    if isinstance(width_px, bool) or not isinstance(width_px, int) or not MIN_WIDTH_PX <= width_px <= MAX_WIDTH_PX:
        raise AtlasError(f"width {shown(width_px)} px is out of range: use {MIN_WIDTH_PX} to {MAX_WIDTH_PX} pixels")
    if (
        isinstance(small_multiples, bool)
        or not isinstance(small_multiples, int)
        or not 0 <= small_multiples <= MAX_SMALL_MULTIPLES
    ):
        raise AtlasError(
            f"small multiples {shown(small_multiples)} is out of range: draw 0 (the national line) to {MAX_SMALL_MULTIPLES} areas"
        )
    for what, value, limit in (("title", title, MAX_TITLE), ("subtitle", subtitle, MAX_SUBTITLE)):
        if value is not None and len(value) > limit:
            raise AtlasError(
                f"the {what} is {len(value):,} characters long, over the {limit}-character limit: shorten it"
            )


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:limit].strip("-")


def file_stem(series: Series, rows: Sequence[int] = (), focus: str | None = None) -> str:
    """``uk-camera-atlas_trend_<first date>_<last date>_<vendor>_<level>_<metric>[_<area>|_top<N>]``: the
    area when one is drawn alone, the number of areas for small multiples."""
    first, last = series.points[0], series.points[-1]
    vendor = {p.dataset.shown_vendor(series.vendor) for p in series.points}
    # The day is enough in a file name ("2026-12-01", not "2026-12-01t06-00z").
    parts = [
        FILE_PREFIX,
        "trend",
        _slug(first.stated[:10], 20),
        _slug(last.stated[:10], 20),
        vendor.pop() if len(vendor) == 1 else series.vendor,
        series.level,
        series.metric,
    ]
    if focus is not None and len(rows) <= 1:
        parts.append(_slug(trend_words.unit_name(series, trend_words.row_of(series, focus)), 40) or "area")
    elif rows:
        parts.append(f"top{len(rows)}")
    return "_".join(p for p in parts if p)


def make(
    series: Series,
    fmt: str,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    width_px: int = 1200,
    small_multiples: int = 0,
    focus: str | None = None,
) -> Snapshot:
    """The trend chart of ``series`` in ``fmt`` (png, svg or pdf), ``width_px`` wide (PNG pixels).

    ``small_multiples``: draw that many areas (largest latest figure first) instead of the
    national line; without a national line to draw (:func:`national_line`),
    :data:`AUTO_SMALL_MULTIPLES` are drawn.
    ``focus`` (an area's code): the finding is about it, and it is drawn: alone, or among the areas.
    ``title``/``subtitle`` replace the written ones, as literal text. Bad requests: one-line AtlasError.
    """
    _check(fmt, width_px, title, subtitle, small_multiples)
    if focus is not None:
        trend_words.row_of(series, focus)  # one line for an area the series does not hold
    # An area asked for is drawn (alone, or among the small multiples): the title speaks of it.
    n = small_multiples or (1 if focus is not None else 0 if national_line(series) else AUTO_SMALL_MULTIPLES)
    rows = top_rows(series, n, focus) if n else []
    units = [str(series.units["code"].iloc[r]) for r in rows] if n else None
    caption = trend_caption.caption(series, focus, units, title, subtitle)
    page = figure(series, caption, rows)
    data = image_files.save(page, fmt, width_px, alt=caption.alt, title=caption.title)
    stem = file_stem(series, rows, focus)
    return Snapshot(data=data, fmt=fmt, file_name=f"{stem}.{fmt}", caption=caption)
