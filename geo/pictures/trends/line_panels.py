"""One line of the trend chart drawn on the page: each unbroken run its own panel on its own scale.

Owns :class:`LineChart` (the panels laid out by :mod:`geo.pictures.trends.layout`, their scales
from zero with gridlines, the line with a gap wherever a date has no figure, the first and
last figures, the dates below and a dashed rule with words at each break between runs) and
:func:`put_text`, a line of text placed in points. The page around the lines (title, small
multiples, notes, the file) is :mod:`geo.pictures.trends.chart`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from geo.figures.history import Series
from geo.pictures.numbers import format_value
from geo.pictures.static import figure as static_map
from geo.pictures.static import typeset
from geo.pictures.static.labels import Box
from geo.pictures.trends.layout import BREAK_GAP, Label, Panel, drawn_runs, fit_labels, fitted_dates, run_label

LABEL_SIZE = 9.0  # run labels, gridline labels, dates and figures (points)
TEXT_COLOR, SUBTITLE_COLOR, NOTE_COLOR, MUTED = (
    static_map.TEXT_COLOR,
    static_map.SUBTITLE_COLOR,
    static_map.NOTE_COLOR,
    static_map.MUTED,
)
LINE_COLOR, EARLIER_COLOR = "#1d4e89", "#6b6b6b"  # the latest run; earlier runs (contrast ≥ 4.5:1 on white)
GRID_COLOR, BASE_COLOR = "#e3e3e3", "#8c8c8c"
NO_FIGURE_WORDS = "no figure"
# Lines are wrapped to this share of the width: an SVG viewer without Roboto sets them in a
# wider fallback (Arial, Liberation Sans: up to ~7% wider), which must still fit the page.
FALLBACK_ROOM = 0.92
DENSE_POINTS = 12  # more points than this in a panel get smaller markers


def put_text(
    page: Figure,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    weight: str = "normal",
    color: str = TEXT_COLOR,
    ha: str = "left",
    va: str = "top",
    rotation: float = 0,
    label: str = "",
) -> None:
    """One line of text at (``x``, ``y``) points from the page's lower left; mathtext off."""
    page_w, page_h = (v * 72 for v in page.get_size_inches())
    page.text(
        x / page_w,
        y / page_h,
        text,
        fontproperties=typeset.font(size, weight),
        color=color,
        ha=ha,
        va=va,
        rotation=rotation,
        rotation_mode="anchor",
        parse_math=False,
        zorder=7,
        label=label,
    )


def _scale(values: np.ndarray, plot_h: float) -> tuple[float, list[float]]:
    """The top of a panel's scale and its gridlines: from zero, with room above the highest point for its label."""
    finite = values[~np.isnan(values)]
    top = float(finite.max()) if finite.size else 0.0
    if top <= 0:
        return 1.0, [0.0]
    headroom = top * plot_h / (plot_h - LABEL_SIZE * 1.8)
    ticks = [float(t) for t in MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(0, headroom) if t >= 0]
    return ticks[-1], ticks


def scales_for(series: Series, values: np.ndarray, plot_h: float) -> list[tuple[float, list[float]]]:
    """One scale per drawn run, shared by every line in ``values`` (lines × points)."""
    return [_scale(values[:, list(run)], plot_h) for run in drawn_runs(series)]


def tick_width(series: Series, scales: list[tuple[float, list[float]]]) -> float:
    """Room (points) for the widest gridline label left of a panel."""
    font = typeset.font(LABEL_SIZE)
    return max(typeset.width(format_value(series.metric, t), font) for _, ticks in scales for t in ticks) + 6


def _run_lines(series: Series, laid: list[Panel]) -> list[list[str]]:
    """Each panel's run label wrapped to the panel and the gap after it."""
    font = typeset.font(LABEL_SIZE, "bold")
    return [typeset.wrap(run_label(series, p), font, (p.x1 - p.x0 + p.right_room) * FALLBACK_ROOM) for p in laid]


def _axes(page: Figure, box: Box) -> Axes:
    """Bare axes covering ``box`` (points from the page's lower left)."""
    page_w, page_h = (v * 72 for v in page.get_size_inches())
    ax = page.add_axes((box.x0 / page_w, box.y0 / page_h, (box.x1 - box.x0) / page_w, (box.y1 - box.y0) / page_h))
    ax.set_axis_off()
    return ax


@dataclass(frozen=True)
class LineChart:
    """One line chart's geometry: its panels, their scales, and how it is labelled."""

    series: Series
    laid: list[Panel]
    scales: list[tuple[float, list[float]]]
    plot_h: float
    ticks: bool  # gridline labels left of each panel (the national chart)
    break_words: str

    @property
    def dates_h(self) -> float:
        """The height of the dates under the panels."""
        return LABEL_SIZE * 1.3 + 6

    def headers_h(self) -> float:
        """The height of the run labels over the panels."""
        return max(len(lines) for lines in _run_lines(self.series, self.laid)) * LABEL_SIZE * 1.3 + 4

    def draw(self, page: Figure, left: float, top: float, values: np.ndarray, gid: str, headers: bool) -> None:
        """The line of ``values`` (one per point) from (``left``, ``top``) down: run labels (when
        ``headers``), the runs' panels with breaks between, the dates below."""
        series = self.series
        if headers:
            for panel, lines in zip(self.laid, _run_lines(series, self.laid)):
                for j, line in enumerate(lines):
                    put_text(
                        page,
                        left + panel.x0,
                        top - j * LABEL_SIZE * 1.3,
                        line,
                        LABEL_SIZE,
                        weight="bold",
                        color=SUBTITLE_COLOR,
                        label="run",
                    )
            top -= self.headers_h()
        latest = series.points[self.laid[-1].points[0]].run
        boxes = [Box(left + p.x0, top - self.plot_h, left + p.x1, top) for p in self.laid]
        for k, (panel, box) in enumerate(zip(self.laid, boxes)):
            run = series.points[panel.points[0]].run
            self._panel(page, panel, box, values, k, latest=run == latest, gid=f"{gid}-run{run}")
            for placed in fitted_dates(series, panel, left, typeset.font(LABEL_SIZE)):
                put_text(page, placed.x, box.y0 - 5, placed.text, LABEL_SIZE, color=MUTED, label="date")
            if k:
                self._break(page, boxes[k - 1], box)

    def _panel(
        self, page: Figure, panel: Panel, box: Box, values: np.ndarray, k: int, *, latest: bool, gid: str
    ) -> None:
        """Gridlines (labelled when ``ticks``), the line with a gap wherever a date has no figure, the last and first figures."""
        top, gridlines = self.scales[k]
        ax = _axes(page, box)
        ax.set_xlim(0, box.x1 - box.x0)
        ax.set_ylim(0, top)
        xs, ys = np.array(panel.xs), values[list(panel.points)]
        finite = np.flatnonzero(~np.isnan(ys))
        labelled = self.ticks and finite.size  # an empty panel has no scale to read
        for tick in gridlines if labelled else [0.0]:  # unlabelled gridlines would say nothing
            ax.axhline(
                tick, color=BASE_COLOR if tick == 0 else GRID_COLOR, linewidth=0.8 if tick == 0 else 0.6, zorder=1
            )
            if labelled:
                put_text(
                    page,
                    box.x0 - 4,
                    box.y0 + tick / top * (box.y1 - box.y0),
                    format_value(self.series.metric, tick),
                    LABEL_SIZE,
                    color=MUTED,
                    ha="right",
                    va="center",
                    label="tick",
                )
        color = LINE_COLOR if latest else EARLIER_COLOR
        dense = len(xs) > DENSE_POINTS
        # NaN leaves a gap: a date without a figure is never drawn as zero.
        (line,) = ax.plot(
            xs,
            ys,
            color=color,
            linewidth=1.6 if dense else 2.0,
            marker="o",
            markersize=3 if dense else 5,
            markeredgecolor="white",
            markeredgewidth=0.5 if dense else 0.8,
            zorder=3,
            clip_on=False,
            solid_capstyle="round",
        )
        line.set_gid(gid)
        line.set_label(gid)
        if not finite.size:
            put_text(
                page,
                (box.x0 + box.x1) / 2,
                (box.y0 + box.y1) / 2,
                NO_FIGURE_WORDS,
                LABEL_SIZE,
                color=MUTED,
                ha="center",
                va="center",
                label="no-figure",
            )
            return
        ends = list(dict.fromkeys([int(finite[-1]), int(finite[0])]))  # the latest figure has priority
        labels = [Label(box.x0 + xs[i], format_value(self.series.metric, ys[i])) for i in ends]
        for placed in fit_labels(labels, box.x0, box.x1, typeset.font(LABEL_SIZE, "bold")):
            i = ends[placed.index]
            put_text(
                page,
                placed.x,
                box.y0 + ys[i] / top * (box.y1 - box.y0) + 5,
                placed.text,
                LABEL_SIZE,
                weight="bold",
                color=color,
                va="bottom",
                label="value",
            )

    def _break(self, page: Figure, left: Box, right: Box) -> None:
        """The gap between two runs: a dashed rule and the words saying the line breaks there."""
        x = left.x1 + BREAK_GAP / 2  # in the gap, clear of the next panel's scale
        ax = _axes(page, Box(x - 1, left.y0, x + 1, left.y1))
        ax.set_gid("break")
        ax.axvline(0.5, color=MUTED, linewidth=0.8, linestyle=(0, (3, 2)))
        put_text(
            page,
            x - 3,
            left.y1,
            self.break_words,
            LABEL_SIZE,
            color=MUTED,
            ha="right",
            va="bottom",
            rotation=90,
            label="break",
        )
