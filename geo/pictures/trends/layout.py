"""Where a trend chart's parts go, in points: one panel per unbroken run, and labels that never overlap.

:func:`panels` splits a chart's width between the runs it draws (:func:`drawn_runs`): each run's
width follows its span in time (a run of one date gets :data:`MIN_RUN_W`), with
:data:`BREAK_GAP` between two runs; inside a panel a point's x follows its date. Time is to
scale within a run, not across a break (the break is labelled and noted). :func:`fit_labels`
keeps labels in their order of priority when they do not overlap those already kept.
Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.font_manager import FontProperties

from geo.core.text import one_line
from geo.figures.count_method import SCAN_UNIT, count_method
from geo.figures.history import Point, Series
from geo.pictures.static import typeset
from geo.pictures.trends.dates import short_date

MAX_RUNS = 4  # the latest runs drawn; earlier ones are in the notes
MIN_RUN_W = 60.0  # points: a run's narrowest panel
BREAK_GAP = 26.0  # points between two runs' panels
EDGE = 12.0  # points between a panel's edge and its first or last point
RUN_LABEL_CHARS = 60


def drawn_runs(series: Series) -> list[tuple[int, ...]]:
    """The point indices of each run drawn (the last :data:`MAX_RUNS`), in date order."""
    runs: dict[int, list[int]] = {}
    for i, point in enumerate(series.points):
        runs.setdefault(point.run, []).append(i)
    return [tuple(points) for points in list(runs.values())[-MAX_RUNS:]]


@dataclass(frozen=True)
class Panel:
    """One run's panel: its points (indices into the series), its plot's left and right edges and
    each point's x from the plot's left edge (points, the chart's left edge at 0), and the room
    to the next panel."""

    points: tuple[int, ...]
    x0: float
    x1: float
    xs: tuple[float, ...]
    right_room: float


def _seconds(point: Point) -> float:
    return point.when.when.timestamp()


def date_texts(points: Sequence[Point], shown: Sequence[int]) -> dict[int, str]:
    """The labels of the ``shown`` points (indices into ``points``, which are in date order): the year
    on the first and wherever it changes; a count's time where two share a day."""
    texts: dict[int, str] = {}
    previous: Point | None = None
    for i in sorted(shown):
        point = points[i]
        d = point.when
        if previous is not None and d.precision == "time" and previous.when.key("day") == d.key("day"):
            texts[i] = f"{d.when:%H:%M}"
        else:
            year = previous is None or previous.when.when.year != d.when.year
            texts[i] = short_date(d, year=year)
        previous = point
    return texts


def panels(series: Series, width: float, tick_w: float = 0.0) -> list[Panel]:
    """The drawn runs' panels across ``width`` points (``tick_w`` kept left of each for its scale)."""
    runs = drawn_runs(series)
    spans = [_seconds(series.points[run[-1]]) - _seconds(series.points[run[0]]) for run in runs]
    free = width - len(runs) * tick_w - (len(runs) - 1) * BREAK_GAP
    extra = max(free - len(runs) * MIN_RUN_W, 0.0)
    total = sum(spans)
    widths = [MIN_RUN_W + (extra * s / total if total else extra / len(runs)) for s in spans]
    out, x = [], 0.0
    for k, (run, span, w) in enumerate(zip(runs, spans, widths)):
        x0 = x + tick_w
        start = _seconds(series.points[run[0]])
        xs = tuple(
            w / 2 if not span else EDGE + (w - 2 * EDGE) * (_seconds(series.points[i]) - start) / span for i in run
        )
        out.append(Panel(run, x0, x0 + w, xs, BREAK_GAP + tick_w if k < len(runs) - 1 else 0.0))
        x = x0 + w + BREAK_GAP
    return out


def run_label(series: Series, panel: Panel) -> str:
    """What a run counts, above its panel: "Shodan results (services)", "TOP10VPN, via The Mail on Sunday: networks"."""
    method = count_method(series.points[panel.points[0]].dataset)
    if method.unit == SCAN_UNIT:
        return one_line(method.what, RUN_LABEL_CHARS)
    return one_line(f"{series.points[panel.points[0]].dataset.short_name}", RUN_LABEL_CHARS) + ": networks"


@dataclass(frozen=True)
class Label:
    """A label wanted centred on ``x`` (points)."""

    x: float
    text: str


@dataclass(frozen=True)
class Placed:
    """A label kept: which one (its index in the list given) and its left edge in points."""

    index: int
    x: float
    text: str


def fit_labels(labels: Sequence[Label], x0: float, x1: float, font: FontProperties, gap: float = 4.0) -> list[Placed]:
    """The labels that fit, in the order given (the first has priority): each centred on its x but
    kept inside ``[x0, x1]``, and dropped when it would come within ``gap`` points of one kept before."""
    kept: list[Placed] = []
    spans: list[tuple[float, float]] = []
    for i, label in enumerate(labels):
        w = typeset.width(label.text, font)
        left = _left(label.x, label.text, font, x0, x1)
        if any(left < b + gap and left + w + gap > a for a, b in spans):
            continue
        kept.append(Placed(i, left, label.text))
        spans.append((left, left + w))
    return kept


def _left(center: float, text: str, font: FontProperties, x0: float, x1: float) -> float:
    w = typeset.width(text, font)
    return min(max(center - w / 2, x0), max(x1 - w, x0))


def _spread(n: int, step: int) -> list[int]:
    """Every ``step``-th of ``n`` points from the first, and the last (in order of priority: the last, then from the first)."""
    return list(dict.fromkeys([n - 1, *range(0, n, step)]))


def fitted_dates(series: Series, panel: Panel, offset: float, font: FontProperties, gap: float = 6.0) -> list[Placed]:
    """The date labels under a panel (``index``: the point's place in the panel): the last date and
    every k-th from the first, with the smallest k at which they all fit (one next to the last may
    give way to it). Fitted with the year on every label (the widest), then written with the year
    only where it changes (:func:`date_texts`)."""
    points = [series.points[i] for i in panel.points]
    x0, x1 = offset + panel.x0, offset + panel.x1
    centers = [offset + panel.x0 + x for x in panel.xs]
    labels = [Label(c, short_date(p.when)) for c, p in zip(centers, points)]
    for step in range(1, len(points) + 1):
        order = _spread(len(points), step)
        kept = fit_labels([labels[i] for i in order], x0, x1, font, gap)
        if len(kept) >= len(order) - 1:
            break
    shown = [order[k.index] for k in kept]
    texts = date_texts(points, shown)
    return [Placed(i, _left(centers[i], texts[i], font, x0, x1), texts[i]) for i in sorted(shown)]
