"""The static map (matplotlib): a snapshot ready to paste into an article, as PNG, SVG or PDF bytes.

:func:`figure` draws :func:`geo.join.level_shapes` units in British National Grid with the
classes of :mod:`geo.classes` and the texts of a :class:`geo.captions.Caption`; :func:`save`
writes it with the alt text embedded. Uses :class:`matplotlib.figure.Figure` directly (Agg
canvas), never pyplot's global figures.
"""

from __future__ import annotations

import io
import textwrap
import threading

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path

from geo.captions import APP_NAME, Caption
from geo.classes import CONTEXT_EDGE, DATA_EDGE, NO_DATA_COLOR, NO_DATA_LABEL, SELECTED_EDGE, Classes
from geo.vocabulary import METRIC_LABELS

PROJECTED_CRS = 27700  # British National Grid: the UK as Ordnance Survey draws it
# The UK's extent in EPSG:27700 (metres), for when no frame covers it.
UK_EXTENT = (-120.0, 7040.0, 655660.0, 1220310.0)
FIG_WIDTH = 9.0
MARGIN = 0.45
TOP = 0.38
BOTTOM = 0.3
GAP = 0.22
LEGEND_WIDTH = 2.3
MAP_WIDTH = FIG_WIDTH - 2 * MARGIN - LEGEND_WIDTH - 0.15
ASPECT_RANGE = (0.6, 1.9)  # map height / width
TITLE_SIZE = 17.0
SUBTITLE_SIZE = 10.0
SOURCE_SIZE = 7.3
LEGEND_SIZE = 9.0
TEXT_COLOR = "#1a1a1a"
MUTED = "#555555"
CONTEXT_FILL = "#fbfbfb"
HATCH = "////"
HATCH_COLOR = "#9c9c9c"
_SEPARATOR = " \u00b7 "
_NBSP = "\u00a0"
# rcParams are process-wide: saving under rc_context must not interleave between threads.
_SAVE_LOCK = threading.Lock()


def _project(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries in EPSG:27700, polygons oriented so holes stay holes."""
    geometries = frame.geometry
    if geometries.crs is None or geometries.crs.to_epsg() != PROJECTED_CRS:
        geometries = geometries.to_crs(PROJECTED_CRS)
    return shapely.orient_polygons(np.asarray(geometries.values))


def _path(geometry: shapely.Geometry | None) -> Path:
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    if geometry is not None and not geometry.is_empty:
        stack = list(shapely.get_parts(geometry))
        while stack:
            part = stack.pop(0)
            if part.geom_type == "GeometryCollection" or part.geom_type.startswith("Multi"):
                stack.extend(shapely.get_parts(part))
                continue
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                xy = shapely.get_coordinates(ring)
                if len(xy) < 4:
                    continue
                ring_codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
                ring_codes[0], ring_codes[-1] = Path.MOVETO, Path.CLOSEPOLY
                vertices.append(xy)
                codes.append(ring_codes)
    if not vertices:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _extent(
    geometries: np.ndarray,
    selected: np.ndarray,
    context: np.ndarray | None,
) -> tuple[float, float, float, float]:
    """The map window in metres: the selected units with a margin, else the whole UK."""
    if selected.any():
        minx, miny, maxx, maxy = shapely.total_bounds(geometries[selected])
        pad = max(maxx - minx, maxy - miny) * 0.12 + 3000.0
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    else:
        # An empty frame (a dataset with no mapped place) has no bounds of its own.
        boxes = [np.array(UK_EXTENT)]
        boxes += [shapely.total_bounds(g) for g in (geometries, context) if g is not None and len(g)]
        stacked = np.vstack([b for b in boxes if np.all(np.isfinite(b))])
        minx, miny = stacked[:, 0].min(), stacked[:, 1].min()
        maxx, maxy = stacked[:, 2].max(), stacked[:, 3].max()
        pad = (maxy - miny) * 0.015
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    width, height = maxx - minx, maxy - miny
    low, high = ASPECT_RANGE
    if height / width < low:  # too wide: add sky and sea above and below
        extra = (width * low - height) / 2
        miny, maxy = miny - extra, maxy + extra
    elif height / width > high:  # too tall: widen
        extra = (height / high - width) / 2
        minx, maxx = minx - extra, maxx + extra
    return float(minx), float(miny), float(maxx), float(maxy)


def _wrap(text: str, size: float, width_in: float, bold: bool = False) -> list[str]:
    """Wrap ``text`` to the width in inches at ``size`` points (DejaVu Sans averages).

    Short " · "-separated parts ("Hikvision + Dahua") are kept on one line.
    """
    if not text:
        return []
    char_width = size * (0.62 if bold else 0.56) / 72
    parts = [p.replace(" ", _NBSP) if len(p) <= 32 else p for p in text.split(_SEPARATOR)]
    glued = _SEPARATOR.join(parts)
    lines = textwrap.wrap(glued, max(int(width_in / char_width), 10), break_on_hyphens=False) or [glued]
    return [line.replace(_NBSP, " ") for line in lines]


def figure(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    caption: Caption,
    *,
    context: gpd.GeoDataFrame | None = None,
    selected: tuple[str, ...] = (),
) -> Figure:
    """The map with its title, subtitle, legend, footnotes, source and credit."""
    geometries = _project(shapes)
    context_geometries = _project(context) if context is not None and len(context) else None
    has_data = shapes["has_data"].astype(bool).to_numpy()
    selected_mask = shapes["code"].astype(str).isin(set(selected)).to_numpy()
    minx, miny, maxx, maxy = _extent(geometries, selected_mask, context_geometries)
    map_height = MAP_WIDTH * (maxy - miny) / (maxx - minx)

    text_width = FIG_WIDTH - 2 * MARGIN
    title = _wrap(caption.title, TITLE_SIZE, text_width, bold=True)
    subtitle = _wrap(caption.subtitle, SUBTITLE_SIZE, text_width)
    lines = [*caption.notes, caption.source, caption.credit]
    sources = [(line, wrapped) for line in lines for wrapped in _wrap(line, SOURCE_SIZE, text_width)]
    title_h = len(title) * TITLE_SIZE * 1.22 / 72
    subtitle_h = len(subtitle) * SUBTITLE_SIZE * 1.35 / 72
    source_h = len(sources) * SOURCE_SIZE * 1.4 / 72
    height = TOP + title_h + (0.08 if subtitle else 0) + subtitle_h + GAP + map_height + GAP + source_h + BOTTOM

    figure = Figure(figsize=(FIG_WIDTH, height), facecolor="white")
    FigureCanvasAgg(figure)

    def y(inches_from_top: float) -> float:
        return 1 - inches_from_top / height

    cursor = TOP
    for line in title:
        figure.text(MARGIN / FIG_WIDTH, y(cursor), line, fontsize=TITLE_SIZE, fontweight="bold",
                    color=TEXT_COLOR, va="top", ha="left", parse_math=False)
        cursor += TITLE_SIZE * 1.22 / 72
    cursor += 0.08 if subtitle else 0
    for line in subtitle:
        figure.text(MARGIN / FIG_WIDTH, y(cursor), line, fontsize=SUBTITLE_SIZE, color="#333333",
                    va="top", ha="left", parse_math=False)
        cursor += SUBTITLE_SIZE * 1.35 / 72
    cursor += GAP
    map_top = cursor

    ax = figure.add_axes((MARGIN / FIG_WIDTH, y(map_top + map_height), MAP_WIDTH / FIG_WIDTH, map_height / height))
    ax.set_axis_off()
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")

    if context_geometries is not None:
        ax.add_collection(
            PathCollection([_path(g) for g in context_geometries], facecolors=CONTEXT_FILL,
                           edgecolors=CONTEXT_EDGE, linewidths=0.3, zorder=1),
            autolim=False,
        )
    paths = [_path(g) for g in geometries]
    missing = [p for p, d in zip(paths, has_data) if not d]
    if missing:
        # One compound path: Agg then fills the hatch once instead of once per unit.
        no_data = PathCollection([Path.make_compound_path(*missing)], facecolors=NO_DATA_COLOR, edgecolors="#f2f2f2", linewidths=0.3, zorder=2)
        no_data.set_hatch(HATCH)
        no_data.set_hatchcolor(HATCH_COLOR)
        no_data.set_hatch_linewidth(0.45)
        ax.add_collection(no_data, autolim=False)
    present = [p for p, d in zip(paths, has_data) if d]
    if present:
        colors = [classes.color_for(v) for v, d in zip(shapes[metric], has_data) if d]
        ax.add_collection(
            PathCollection(present, facecolors=colors, edgecolors=DATA_EDGE, linewidths=0.35, zorder=3),
            autolim=False,
        )
    if selected_mask.any():
        ax.add_collection(
            PathCollection([p for p, s in zip(paths, selected_mask) if s], facecolors="none",
                           edgecolors=SELECTED_EDGE, linewidths=1.6, zorder=4),
            autolim=False,
        )

    handles = [Patch(facecolor=c, edgecolor="#8a8a8a", linewidth=0.5, label=label)
               for c, label in zip(classes.colors, classes.labels)]
    if missing:
        handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor=HATCH_COLOR, hatch=HATCH, linewidth=0.5,
                             label=NO_DATA_LABEL))
    if context_geometries is not None:
        handles.append(Patch(facecolor=CONTEXT_FILL, edgecolor=CONTEXT_EDGE, linewidth=0.6, label="Not in this dataset"))
    if selected_mask.any():
        names = [str(n) for n in shapes.loc[selected_mask, "name"]]
        label = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        handles.append(Patch(facecolor="none", edgecolor=SELECTED_EDGE, linewidth=1.6,
                             label="\n".join(textwrap.wrap(f"Selected: {label}", 26)) or "Selected"))
    legend_title = "\n".join(textwrap.wrap(METRIC_LABELS[metric], 30))
    legend = figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=((MARGIN + MAP_WIDTH + 0.15) / FIG_WIDTH, y(map_top)),
        bbox_transform=figure.transFigure,
        frameon=False,
        fontsize=LEGEND_SIZE,
        title=legend_title,
        title_fontsize=LEGEND_SIZE + 0.5,
        alignment="left",
        handlelength=1.8,
        handleheight=1.1,
        labelspacing=0.55,
        borderaxespad=0,
        borderpad=0,
    )
    legend.get_title().set_fontweight("bold")
    legend.get_title().set_parse_math(False)
    for text in legend.get_texts():
        text.set_parse_math(False)

    cursor = map_top + map_height + GAP
    for line, wrapped in sources:
        note = line in caption.notes
        figure.text(MARGIN / FIG_WIDTH, y(cursor), wrapped, fontsize=SOURCE_SIZE, va="top", ha="left",
                    color="#333333" if note else MUTED, parse_math=False)
        cursor += SOURCE_SIZE * 1.4 / 72
    return figure


def save(figure: Figure, fmt: str, width_px: int, alt: str = "", title: str = "") -> bytes:
    """``figure`` as png, svg or pdf bytes, ``width_px`` wide (PNG), with ``alt`` and ``title`` embedded."""
    buffer = io.BytesIO()
    dpi = width_px / FIG_WIDTH
    metadata = {
        "png": {"Software": None, "Title": title, "Description": alt},
        "svg": {"Date": None, "Creator": APP_NAME, "Title": title, "Description": alt},
        "pdf": {"CreationDate": None, "Creator": APP_NAME, "Producer": None, "Title": title, "Subject": alt},
    }[fmt]
    rc = {"svg.fonttype": "none", "svg.hashsalt": "uk-camera-atlas", "pdf.fonttype": 42}
    with _SAVE_LOCK, matplotlib.rc_context(rc):
        extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white", **extra)
    return buffer.getvalue()
