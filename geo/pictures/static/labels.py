"""Labels on the static map: which units are named with their figure, and where each label goes so none collide.

:func:`leading` picks the units to label (the chosen ones, then the top few by the metric);
:func:`place` finds each label a spot; :func:`annotate` does both on a page and draws them,
with the names of the surrounding areas, quieter, on a zoomed map.

Placement is greedy, in priority order, over a fixed list of candidate spots, like a
cartographer's first pass: a unit that can hold its label gets it in its middle; a smaller
one gets it beside it, and farther out with a leader line when the near spots are taken. A
spot must stay inside the map frame and clear of the labels already placed, of the other
small labelled units and of reserved boxes (insets). A label with no free spot is dropped
rather than drawn over another. Everything is in points on the page, so the result does
not depend on the output resolution.

Why not ``adjustText``: it nudges labels by repulsion until overlaps shrink, with no
guarantee that none is left and no notion of "inside this polygon"; a greedy pass over
candidate spots is short, deterministic, and never overlaps by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry.base import BaseGeometry

from geo.names.keys import display_name
from geo.pictures.circles import visual_centre
from geo.pictures.numbers import format_value
from geo.pictures.static import typeset

# Distances (points) between a unit and its label: the first is "beside it"; the others
# need a leader line.
RINGS = (3.0, 12.0, 24.0, 40.0, 60.0)
# Directions, in order of preference (right of a place first, as maps usually do).
DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1), (0, -1))
PAD = 2.5  # clearance around a label (its white halo and some air)
SMALL = 40.0  # units smaller than this (points) are kept clear of other labels
TINY = 8.0  # units smaller than this (points) get a dot and a leader even when the label is beside them
ANCHOR_BOX = 4.0  # half-size of the spot labels keep off around a large unit's anchor
SIZE, QUIET_SIZE = 8.5, 7.0  # labels of units; names of the surrounding areas (print; presets pass their own)
LEADING = 1.35  # line advance over size: Roboto's ascent and descent take 1.32 em
# Quiet names sit on the faint context land (#eeeeee) or the no-data grey, inside a white halo:
# this grey keeps 4.5:1 on the land and on white.
QUIET_COLOR, LEADER_COLOR = "#5c5c5c", "#333333"
QUIET_MAX = 12  # surrounding areas named on a zoomed map, at most


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in points: ``x0 <= x1``, ``y0 <= y1`` (y upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def grow(self, pad: float) -> Box:
        """The box enlarged by ``pad`` on every side."""
        return Box(self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share any area."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def within(self, other: Box) -> bool:
        """Whether this box lies entirely inside ``other``."""
        return self.x0 >= other.x0 and self.y0 >= other.y0 and self.x1 <= other.x1 and self.y1 <= other.y1

    @property
    def size(self) -> float:
        """The longer side."""
        return max(self.x1 - self.x0, self.y1 - self.y0)

    @property
    def polygon(self) -> shapely.Polygon:
        """The box as a shapely polygon."""
        return shapely.box(self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class MapWindow:
    """A map window (metres) and the box it fills on the page (points)."""

    window: tuple[float, float, float, float]
    box: Box

    @property
    def scale(self) -> float:
        """Points per metre."""
        return (self.box.x1 - self.box.x0) / (self.window[2] - self.window[0])

    def to_page(self, geometry: BaseGeometry) -> BaseGeometry:
        """``geometry`` in page points, clipped to the box."""
        origin, offset = np.array(self.window[:2]), np.array([self.box.x0, self.box.y0])
        moved = shapely.transform(geometry, lambda xy: (xy - origin) * self.scale + offset)
        return shapely.clip_by_rect(moved, self.box.x0, self.box.y0, self.box.x1, self.box.y1)

    def shows(self, x: float, y: float) -> bool:
        """Whether the point (metres) lies in the window."""
        return self.window[0] <= x <= self.window[2] and self.window[1] <= y <= self.window[3]


@dataclass(frozen=True)
class Request:
    """A label to place: its lines and block size, and the unit it names (all in points)."""

    key: str
    lines: tuple[str, ...]
    width: float
    height: float
    anchor: tuple[float, float]  # where a leader line points: the unit's visual centre
    extent: Box  # the unit's bounding box
    shape: BaseGeometry | None = None  # the unit, to test whether the label fits inside
    quiet: bool = False  # a surrounding area's name: only inside its area, never with a leader
    beside: bool = False  # a circle's label: beside the circle (its extent), never inside it


@dataclass(frozen=True)
class Placement:
    """Where a label went: its block, how its lines align, and the leader line if any."""

    request: Request
    box: Box
    align: str  # "left", "center" or "right"
    leader: tuple[tuple[float, float], tuple[float, float]] | None = field(default=None)


def leading(
    shapes: pd.DataFrame, metric: str, selected: Iterable[str] = (), top: int = 5, visible: np.ndarray | None = None
) -> list[int]:
    """Row positions of the units to label: the selected ones, then the ``top`` highest by ``metric``.

    Ties are broken by name, so the choice is stable. ``visible`` (a boolean mask) limits
    both to the units drawn in the map window.
    """
    mask = np.ones(len(shapes), dtype=bool) if visible is None else np.asarray(visible, dtype=bool)
    wanted = {str(code) for code in selected}
    codes = shapes["code"].astype(str).to_numpy()
    chosen = [i for i, code in enumerate(codes) if mask[i] and code in wanted]
    values = pd.to_numeric(shapes[metric], errors="coerce").to_numpy(dtype=float)
    has = shapes["has_data"].astype(bool).to_numpy() & np.isfinite(values) & mask
    names = shapes["name"].astype(str).to_numpy()
    order = sorted(np.flatnonzero(has).tolist(), key=lambda i: (-values[i], names[i]))
    chosen += [i for i in order[:top] if i not in chosen]
    return chosen


def surroundings(
    shapes: pd.DataFrame,
    context: pd.DataFrame | None,
    context_geometries: np.ndarray,
    geometries: np.ndarray,
    selected: np.ndarray,
) -> tuple[list[str], np.ndarray]:
    """Names and shapes of the areas around a zoomed selection, most populous first: the context LADs not
    under a mapped place (place level), else the units without data that are not chosen."""
    if context is not None and len(context):
        covered = {code for codes in shapes["lad_codes"] for code in codes}
        keep = ~context["code"].astype(str).isin(covered).to_numpy()
        frame, geoms = context[keep], context_geometries[keep]
    else:
        keep = ~shapes["has_data"].astype(bool).to_numpy() & ~selected
        frame, geoms = shapes[keep], geometries[keep]
    order = np.argsort(-frame["population"].fillna(0).to_numpy(dtype=float), kind="stable")
    return [display_name(str(n)) for n in frame["name"].to_numpy()[order]], geoms[order]


def _candidates(request: Request) -> list[tuple[Box, str, bool]]:
    """Spots for a label, best first: (block, alignment, needs a leader)."""
    w, h = request.width, request.height
    ax, ay = request.anchor
    centred = Box(ax - w / 2, ay - h / 2, ax + w / 2, ay + h / 2)
    large, tiny = request.extent.size > SMALL and not request.beside, request.extent.size < TINY
    if request.shape is not None:
        # A quiet name must sit wholly inside its area; a unit's label mostly (its halo keeps it legible).
        core = centred.grow(1.0) if request.quiet else Box(ax - w * 0.3, ay - h * 0.35, ax + w * 0.3, ay + h * 0.35)
        if (request.quiet or large) and request.shape.contains(core.polygon):
            return [(centred, "center", False)]
    if request.quiet:
        return []
    spots: list[tuple[Box, str, bool]] = []
    base = Box(ax - ANCHOR_BOX, ay - ANCHOR_BOX, ax + ANCHOR_BOX, ay + ANCHOR_BOX) if large else request.extent
    for ring, distance in enumerate(RINGS):
        for dx, dy in DIRECTIONS:
            d = distance * (0.75 if dx and dy else 1.0)
            x0 = base.x1 + d if dx > 0 else base.x0 - d - w if dx < 0 else ax - w / 2
            y0 = base.y1 + d if dy > 0 else base.y0 - d - h if dy < 0 else ay - h / 2
            align = "left" if dx > 0 else "right" if dx < 0 else "center"
            spots.append((Box(x0, y0, x0 + w, y0 + h), align, large or tiny or ring > 0))
    return spots


def _leader(anchor: tuple[float, float], box: Box) -> tuple[tuple[float, float], tuple[float, float]]:
    """From the anchor to the nearest point of the label block (less a small gap)."""
    ax, ay = anchor
    nx, ny = min(max(ax, box.x0), box.x1), min(max(ay, box.y0), box.y1)
    length = float(np.hypot(nx - ax, ny - ay))
    gap = min(1.5, length / 2)
    if length:
        nx, ny = nx - (nx - ax) / length * gap, ny - (ny - ay) / length * gap
    return (ax, ay), (nx, ny)


def place(
    requests: Sequence[Request], frame: Box, reserved: Sequence[Box] = (), quiet_max: int = QUIET_MAX
) -> list[Placement]:
    """A spot for each label in ``requests`` (in priority order), inside ``frame``, clear of ``reserved``.

    Labels that find no free spot are left out of the result, and so are quiet names once
    ``quiet_max`` of them are placed.
    """
    placed: list[Placement] = []
    inner = frame.grow(-PAD)
    keep_out = {r.key: r.extent for r in requests if not r.quiet and r.extent.size <= SMALL}
    for request in requests:
        if request.quiet and sum(p.request.quiet for p in placed) >= quiet_max:
            continue
        taken = [p.box.grow(PAD) for p in placed] + list(reserved)
        taken += [box for key, box in keep_out.items() if key != request.key]
        for box, align, needs_leader in _candidates(request):
            if not box.within(inner) or any(box.overlaps(t) for t in taken):
                continue
            leader = _leader(request.anchor, box) if needs_leader else None
            if leader is not None and any(shapely.LineString(leader).intersects(p.box.polygon) for p in placed):
                continue
            placed.append(Placement(request, box, align, leader))
            break
    return placed


def _request(
    key: str,
    lines: tuple[str, ...],
    size: float,
    weights: tuple[str, ...],
    shape: BaseGeometry,
    quiet: bool = False,
    mark: tuple[float, float, float] | None = None,
) -> Request:
    width = max(typeset.width(line, typeset.font(size, weight)) for line, weight in zip(lines, weights))
    height = len(lines) * size * LEADING
    if mark is not None:  # a circle (x, y, radius in points): the label goes beside it
        x, y, r = mark
        return Request(key, lines, width, height, (x, y), Box(x - r, y - r, x + r, y + r), None, beside=True)
    return Request(key, lines, width, height, visual_centre(shape), Box(*shapely.bounds(shape)), shape, quiet)


def annotate(
    figure: Figure,
    shapes: pd.DataFrame,
    metric: str,
    geometries: np.ndarray,
    selected: Iterable[str],
    views: Sequence[MapWindow],
    reserved: Sequence[Box] = (),
    *,
    top: int = 5,
    surroundings: tuple[Sequence[str], np.ndarray] | None = None,
    sizes: tuple[float, float] = (SIZE, QUIET_SIZE),
    marks: dict[int, tuple[float, float, float]] | None = None,
) -> list[Placement]:
    """Label the leading and chosen units with name and figure; on a zoomed map, name ``surroundings`` quietly.

    ``geometries`` are the units' shapes in the map's metres; ``views[0]`` is the main map
    (labels stay inside it), further views are insets drawn at their own place. ``sizes`` are
    the labels' and the quiet names' type sizes; ``marks`` the circles drawn (row position:
    page x, y and radius in points), whose labels go beside them.
    """
    size, quiet_size = sizes
    marks = marks or {}
    bounds = shapely.bounds(geometries) if len(geometries) else np.zeros((0, 4))
    cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    visible = np.array([any(v.shows(x, y) for v in views) for x, y in zip(cx, cy)], dtype=bool)
    requests: list[Request] = []
    for i in leading(shapes, metric, selected, top, visible):
        view = next(v for v in views if v.shows(cx[i], cy[i]))
        shape = view.to_page(geometries[i]) if geometries[i] is not None else None
        if shape is None or shape.is_empty:
            continue
        has = bool(shapes["has_data"].iat[i])
        value = format_value(metric, shapes[metric].iat[i]) if has else "no data"
        label = display_name(str(shapes["name"].iat[i]))
        requests.append(_request(f"unit-{i}", (label, value), size, ("bold", "normal"), shape, mark=marks.get(i)))
    if surroundings is not None:
        names, areas = surroundings
        main = views[0]
        minx, miny, maxx, maxy = main.window
        area_bounds = shapely.bounds(areas) if len(areas) else np.zeros((0, 4))
        near = (
            (area_bounds[:, 0] < maxx)
            & (area_bounds[:, 2] > minx)
            & (area_bounds[:, 1] < maxy)
            & (area_bounds[:, 3] > miny)
        )
        for j in map(int, np.flatnonzero(near)):
            name, shape = names[j], main.to_page(areas[j])
            if shape is not None and not shape.is_empty and shape.area > 400:
                requests.append(_request(f"area-{j}", (str(name),), quiet_size, ("normal",), shape, quiet=True))
    placements = place(requests, views[0].box, reserved)
    for placement in placements:
        _draw(figure, placement, size, quiet_size)
    return placements


def _draw(figure: Figure, placement: Placement, size: float = SIZE, quiet_size: float = QUIET_SIZE) -> None:
    request, box = placement.request, placement.box
    page_w, page_h = (v * 72 for v in figure.get_size_inches())
    if placement.leader is not None:
        (ax, ay), (lx, ly) = placement.leader
        figure.add_artist(
            Line2D(
                [ax / page_w, lx / page_w],
                [ay / page_h, ly / page_h],
                transform=figure.transFigure,
                color=LEADER_COLOR,
                linewidth=0.6,
                zorder=5,
            )
        )
        figure.add_artist(
            Line2D(
                [ax / page_w],
                [ay / page_h],
                transform=figure.transFigure,
                marker="o",
                markersize=2.6,
                markerfacecolor="#1a1a1a",
                markeredgecolor="white",
                markeredgewidth=0.6,
                linestyle="none",
                zorder=5.5,
            )
        )
    x = {"left": box.x0, "center": (box.x0 + box.x1) / 2, "right": box.x1}[placement.align]
    if request.quiet:
        typeset.put(
            figure,
            x,
            box.y1,
            request.lines[0],
            quiet_size,
            color=QUIET_COLOR,
            ha="center",
            halo=True,
            zorder=6,
            label="area-name",
        )
        return
    name, value = request.lines
    typeset.put(figure, x, box.y1, name, size, weight="bold", ha=placement.align, halo=True, label="map-label")
    typeset.put(figure, x, box.y1 - size * LEADING, value, size, ha=placement.align, halo=True, label="map-label")
