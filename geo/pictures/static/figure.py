"""The static map (matplotlib): a snapshot a newsroom can print as is, as PNG, SVG or PDF bytes.

:func:`figure` draws a page laid out for a size preset (:mod:`geo.pictures.static.sizes`,
:mod:`geo.pictures.static.page`) like a Datawrapper map: the title (the finding) and subtitle, the
legend in plain words, the map (the UK in British National Grid, Shetland in a boxed
inset; zoomed to the chosen units with a locator when there are some), labels naming the
leading units with their figures (:mod:`geo.pictures.static.labels`), then the notes, source and
credit. Rates are shaded; counts are circles whose area is proportional to the count
(:mod:`geo.pictures.circles`) over the areas' outlines. Type is Roboto from a package
(:mod:`geo.pictures.static.typeset`). :func:`save` writes the bytes with the alt text embedded (PNG text
chunks, SVG ``<title>``/``<desc>``, PDF Title/Subject). Uses :class:`matplotlib.figure.Figure`
directly (Agg canvas), never pyplot's global figures.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path

from geo.names.keys import display_name
from geo.pictures import circles as circle_rules
from geo.pictures.captions import APP_NAME, Caption
from geo.pictures.classes import Classes
from geo.pictures.numbers import format_value
from geo.pictures.static import circle_marks, typeset
from geo.pictures.static import labels as map_labels
from geo.pictures.static import legend as map_legend
from geo.pictures.static import page as map_page
from geo.pictures.static.labels import Box
from geo.pictures.static.legend import KEYS, LAND, LAND_EDGE
from geo.pictures.static.sizes import DEFAULT_SIZE, PRESETS, Preset

PROJECTED_CRS = 27700  # British National Grid: the UK as Ordnance Survey draws it
# The UK without Shetland, and Shetland (drawn in an inset), in EPSG:27700 metres.
MAINLAND = (-120.0, 7_040.0, 655_660.0, 1_056_300.0)
SHETLAND = (393_000.0, 1_069_000.0, 469_500.0, 1_220_500.0)
ZOOM_MIN_SPAN = 110_000.0  # a zoomed map shows at least this much country (metres)
ZOOM_ASPECT = (0.75, 1.25)  # height / width of a zoomed map window
FIG_WIDTH = 6.5  # inches: the print page (the trend chart's page too)
MARGIN = 0.3  # inches
TEXT_COLOR, SUBTITLE_COLOR, NOTE_COLOR, MUTED = "#1a1a1a", "#404040", "#4d4d4d", "#6b6b6b"
UNIT_FILL, UNIT_EDGE = "#e3e3e3", "#8c8c8c"  # a circle map's units with data: outlines under the circles
CIRCLE_SHARE = 0.06  # the largest circle's radius, as a share of the page's text width
COLUMN_MAP_SHARE = 0.55  # about the share of a square card's width its map takes
NO_FIGURE_MESSAGE = "No area has a figure to map"
BORDER = "#ffffff"  # between units
SELECTED_EDGE = "#1a1a1a"
LABEL_TOP = 5  # leading units named on the map (plus the chosen ones)
_SAVE_LOCK = threading.Lock()  # rcParams are process-wide: saves must not interleave


@dataclass(frozen=True)
class _Layer:
    """Paths drawn with one style, with their bounds (for the inset and the locator)."""

    paths: list[Path]
    bounds: np.ndarray
    style: dict
    land: bool = True  # part of the country's outline (the locator draws these)


def _project(frame: gpd.GeoDataFrame | None) -> np.ndarray:
    """Geometries in EPSG:27700, polygons oriented so holes stay holes."""
    if frame is None or not len(frame):
        return np.array([], dtype=object)
    geometries = frame.geometry
    if geometries.crs is None or geometries.crs.to_epsg() != PROJECTED_CRS:
        geometries = geometries.to_crs(PROJECTED_CRS)
    return shapely.orient_polygons(np.asarray(geometries.values))


def _path(geometry: shapely.Geometry | None) -> Path:
    """A matplotlib path of a (multi)polygon: one closed ring after another."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    if geometry is not None and not geometry.is_empty:
        polygons = [p for p in shapely.get_parts(shapely.get_parts(geometry)) if p.geom_type == "Polygon"]
        for ring in (r for p in polygons for r in (p.exterior, *p.interiors)):
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


def _pad(window: tuple[float, float, float, float], share: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = window
    pad = max(maxx - minx, maxy - miny) * share
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _window(geometries: np.ndarray, selected: np.ndarray) -> tuple[tuple[float, float, float, float], bool]:
    """The map window in metres, and whether it is zoomed (to the selected units, with surroundings)."""
    uk = _pad(MAINLAND, 0.012)
    if not selected.any():
        return uk, False
    minx, miny, maxx, maxy = shapely.total_bounds(geometries[selected])
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return uk, False
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    width = max((maxx - minx) * 1.5, ZOOM_MIN_SPAN)
    height = max((maxy - miny) * 1.5, ZOOM_MIN_SPAN)
    low, high = ZOOM_ASPECT
    width, height = max(width, height / high), max(height, width * low)
    if width >= uk[2] - uk[0] or height >= (uk[3] - uk[1]) * 0.8:
        return uk, False
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2), True


def _fill(window: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """``window`` grown in its short direction to ``aspect`` (height / width), about the same centre."""
    minx, miny, maxx, maxy = window
    w, h = maxx - minx, maxy - miny
    w, h = (w, w * aspect) if aspect > h / w else (h / aspect, h)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _layers(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    geometries: np.ndarray,
    context: np.ndarray,
    selected: np.ndarray,
    level_edge: float,
    circles: bool = False,
) -> list[_Layer]:
    """Context land, no-data units, classed units (plain outlines under circles), the partial-coverage
    hatch, the selection outline."""
    has_data = shapes["has_data"].astype(bool).to_numpy()
    partial = has_data & (shapes["coverage"].fillna(1).to_numpy(dtype=float) < 1)
    paths = [_path(g) for g in geometries]
    bounds = shapely.bounds(geometries) if len(geometries) else np.zeros((0, 4))

    def layer(mask: np.ndarray, **style: object) -> _Layer:
        return _Layer([p for p, m in zip(paths, mask) if m], bounds[mask], style)

    layers = []
    if len(context):
        layers.append(
            _Layer(
                [_path(g) for g in context],
                shapely.bounds(context),
                {"facecolors": LAND, "edgecolors": LAND_EDGE, "linewidths": 0.3},
            )
        )
    no_data, partial_key = KEYS["no_data"], KEYS["partial"]
    layers.append(
        layer(
            ~has_data,
            facecolors=no_data.face,
            edgecolors=BORDER,
            linewidths=level_edge,
            hatch=no_data.hatch,
            hatchcolor=no_data.hatch_color,
        )
    )
    if circles:
        layers.append(layer(has_data, facecolors=UNIT_FILL, edgecolors=UNIT_EDGE, linewidths=level_edge))
    else:
        # A town's figure is a dot at the town (:func:`geo.pictures.static.circle_marks.town_marks`), not the colour of its whole council.
        towns = circle_rules.town_units(shapes)
        shaded = has_data & ~towns
        colors = [classes.color_for(v) for v, d in zip(shapes[metric], shaded) if d]
        layers.append(layer(shaded, facecolors=colors, edgecolors=BORDER, linewidths=level_edge))
        town_key = KEYS["town"]
        layers.append(
            layer(
                towns,
                facecolors=town_key.face,
                edgecolors=UNIT_EDGE,
                linewidths=level_edge,
                hatch=town_key.hatch,
                hatchcolor=town_key.hatch_color,
            )
        )
        partial = partial & ~towns
    layers.append(
        replace(
            layer(
                partial,
                facecolors="none",
                edgecolors="none",
                linewidths=0,
                hatch=partial_key.hatch,
                hatchcolor=partial_key.hatch_color,
            ),
            land=False,
        )
    )
    layers.append(replace(layer(selected, facecolors="none", edgecolors=SELECTED_EDGE, linewidths=1.3), land=False))
    return [item for item in layers if item.paths]


def _draw(ax: Axes, layers: list[_Layer], window: tuple[float, float, float, float]) -> None:
    """The layers' paths that reach into ``window``, one collection per layer (hatches filled once)."""
    minx, miny, maxx, maxy = window
    for z, item in enumerate(layers):
        b = item.bounds
        keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        paths = [p for p, k in zip(item.paths, keep) if k]
        if not paths:
            continue
        style = dict(item.style)
        hatch, hatchcolor = style.pop("hatch", None), style.pop("hatchcolor", None)
        colors = style.pop("facecolors")
        if not isinstance(colors, str):
            colors = [c for c, k in zip(colors, keep) if k]
        if hatch:  # one compound path: Agg then fills the hatch once instead of once per unit
            paths, colors = [Path.make_compound_path(*paths)], colors if isinstance(colors, str) else colors[:1]
        collection = PathCollection(paths, facecolors=colors, zorder=z + 1, **style)
        if hatch:
            collection.set_hatch(hatch)
            collection.set_hatchcolor(hatchcolor)
            collection.set_hatch_linewidth(0.7)
        ax.add_collection(collection, autolim=False)


def _map_axes(figure: Figure, box: Box, height_pt: float, window: tuple, frame: bool = False) -> Axes:
    """Axes covering ``box`` (points from the lower left of the page) showing ``window``."""
    width_pt = figure.get_size_inches()[0] * 72
    ax = figure.add_axes(
        (box.x0 / width_pt, box.y0 / height_pt, (box.x1 - box.x0) / width_pt, (box.y1 - box.y0) / height_pt)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_visible(frame)
        spine.set_edgecolor("#b5b5b5")
        spine.set_linewidth(0.6)
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    return ax


def _inset(geometries: np.ndarray, context: np.ndarray, main: Box, scale: float) -> tuple[tuple, Box] | None:
    """Shetland's window and box (same scale, top right of the map), when something is drawn there."""
    frames = [g for g in (geometries, context) if len(g)]
    shetland = shapely.box(*SHETLAND)
    if not any(shapely.intersects(g, shetland).any() for g in frames):
        return None
    window = _pad(SHETLAND, 0.05)
    width, height = (window[2] - window[0]) * scale, (window[3] - window[1]) * scale
    return window, Box(main.x1 - 4 - width, main.y1 - 4 - height, main.x1 - 4, main.y1 - 4)


def _locator(figure: Figure, page_h: float, layers: list[_Layer], window: tuple, main: Box, avoid: list[Box]) -> Box:
    """A small UK with the zoomed window marked, in the corner of the map that covers least of the data."""
    minx, miny, maxx, maxy = window
    uk = _pad((min(MAINLAND[0], minx), min(MAINLAND[1], miny), max(MAINLAND[2], maxx), max(MAINLAND[3], maxy)), 0.03)
    width = 62.0
    height = width * (uk[3] - uk[1]) / (uk[2] - uk[0])
    corners = [
        Box(main.x1 - 6 - width, main.y0 + 6, main.x1 - 6, main.y0 + 6 + height),
        Box(main.x0 + 6, main.y0 + 6, main.x0 + 6 + width, main.y0 + 6 + height),
        Box(main.x1 - 6 - width, main.y1 - 6 - height, main.x1 - 6, main.y1 - 6),
        Box(main.x0 + 6, main.y1 - 6 - height, main.x0 + 6 + width, main.y1 - 6),
    ]
    box = min(corners, key=lambda c: sum(c.grow(4).overlaps(a) for a in avoid))
    ax = _map_axes(figure, box, page_h, uk, frame=True)
    ax.set_zorder(2)
    land = [p for layer in layers if layer.land for p in layer.paths]
    ax.add_collection(
        PathCollection([Path.make_compound_path(*land)], facecolors="#c9c9c9", edgecolors="none"), autolim=False
    )
    ax.add_patch(
        Rectangle((minx, miny), maxx - minx, maxy - miny, facecolor="none", edgecolor=SELECTED_EDGE, linewidth=0.9)
    )
    return box


def _no_data_message(page: Figure, main: Box, preset: Preset) -> None:
    page_w, page_h = (v * 72 for v in page.get_size_inches())
    page.text(
        (main.x0 + main.x1) / 2 / page_w,
        (main.y0 + main.y1) / 2 / page_h,
        NO_FIGURE_MESSAGE,
        fontproperties=typeset.font(max(11.0, preset.subtitle), "bold"),
        color=TEXT_COLOR,
        ha="center",
        va="center",
        parse_math=False,
        zorder=8,
        label="no-data-message",
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": "#b5b5b5", "linewidth": 0.6},
    )


def _direct(shapes: gpd.GeoDataFrame, metric: str) -> tuple[tuple[str, str], ...]:
    """Each unit with data as (name, value), highest first: a map of so few units is labelled, not classed."""
    has = shapes[shapes["has_data"].astype(bool)]
    order = has.assign(_v=circle_marks.numeric(has[metric])).sort_values(["_v", "name"], ascending=[False, True])
    return tuple((display_name(str(n)), format_value(metric, v)) for n, v in zip(order["name"], order[metric]))


def figure(
    shapes: gpd.GeoDataFrame,
    metric: str,
    classes: Classes,
    caption: Caption,
    *,
    context: gpd.GeoDataFrame | None = None,
    selected: tuple[str, ...] = (),
    preset: Preset | None = None,
    circles: bool = False,
) -> Figure:
    """The page: title, subtitle, legend, the map with its labels and inset, notes, source and credit.

    ``shapes`` is a :func:`geo.figures.join.level_shapes` frame; ``context`` (place level) the LADs
    drawn as faint outlines; ``selected`` the unit codes to outline, label and zoom to;
    ``preset`` the size it is laid out for (print by default); ``circles`` draws the metric
    (a count) as circles over the areas' outlines instead of shading. ``classes`` marked
    ``direct`` (five or fewer units) give a list of the values instead of a class legend.
    """
    preset = preset or PRESETS[DEFAULT_SIZE]
    typeset.register_font()
    geometries, context_geometries = _project(shapes), _project(context)
    has_data = shapes["has_data"].astype(bool).to_numpy()
    partial = has_data & (shapes["coverage"].fillna(1).to_numpy(dtype=float) < 1)
    towns = np.zeros(len(shapes), dtype=bool) if circles else circle_rules.town_units(shapes)
    chosen = shapes["code"].astype(str).isin({str(s) for s in selected}).to_numpy()
    window, zoomed = _window(geometries, chosen)
    aspect = (window[3] - window[1]) / (window[2] - window[0])
    values = circle_marks.numeric(shapes.loc[has_data, metric]) if has_data.any() else np.array([])
    direct = _direct(shapes, metric) if classes.direct and not circles else ()
    # The legend's reference circles and the map's circles share one scale (points).
    max_radius = CIRCLE_SHARE * (preset.page_w - 2 * preset.margin) * (COLUMN_MAP_SHARE if preset.columns else 1.0)

    def legend_for(width: float, vertical: bool) -> map_legend.Legend:
        references: tuple[tuple[int, float], ...] = ()
        if circles and len(values) and np.nanmax(values) > 0:
            refs = circle_rules.reference_values(values)
            radii = circle_rules.radii(refs, float(np.nanmax(values)), max_radius)
            references = tuple((int(v), float(r)) for v, r in zip(refs, radii))
        return map_legend.layout(
            classes,
            metric,
            no_data=bool((~has_data).any()),
            partial=bool((partial & ~towns).any()),
            town=bool(towns.any()),
            context=bool(len(context_geometries)) and bool(has_data.any()),
            width=width,
            sizes=preset,
            vertical=vertical,
            circles=references,
            direct=direct,
        )

    layout = map_page.arrange(caption, preset, aspect, legend_for, flexible=zoomed)
    page_w, page_h, main = layout.width, layout.height, layout.main
    if zoomed:  # a zoomed window shows more around its places to fill the box it was given
        window = _fill(window, (main.y1 - main.y0) / (main.x1 - main.x0))
    page = Figure(figsize=(page_w / 72, page_h / 72), facecolor="white")
    FigureCanvasAgg(page)
    layout.texts.draw_header(page, *layout.header)
    if layout.legend.drawn:
        layout.legend.draw(page, *layout.legend_at)

    layers = _layers(
        shapes, metric, classes, geometries, context_geometries, chosen, 0.3 if len(shapes) > 60 else 0.6, circles
    )
    main_ax = _map_axes(page, main, page_h, window)
    _draw(main_ax, layers, window)
    views, reserved = [map_labels.MapWindow(window, main)], []
    drawn_on = [(main_ax, views[0])]
    inset = None if zoomed else _inset(geometries, context_geometries, main, views[0].scale)
    if inset is not None:
        inset_ax = _map_axes(page, inset[1], page_h, inset[0], frame=True)
        inset_ax.set_zorder(1)
        _draw(inset_ax, layers, inset[0])
        views.append(map_labels.MapWindow(*inset))
        drawn_on.append((inset_ax, views[-1]))
        reserved.append(inset[1].grow(3))
    marks = {}
    if circles:
        marks = circle_marks.draw(drawn_on, circle_marks.marks(shapes, metric, geometries, max_radius))
    elif towns.any():
        dots = circle_marks.town_marks(shapes, geometries, preset.map_label * 0.42)
        marks = circle_marks.draw(
            drawn_on, dots, fills=[classes.color_for(shapes[metric].iat[row]) for row, *_ in dots]
        )
    # No label may cover another unit's circle or dot (a name beside the wrong dot misleads).
    reserved += [Box(x - r, y - r, x + r, y + r) for x, y, r in marks.values()]
    if zoomed:
        avoid = [Box(*shapely.bounds(views[0].to_page(g))) for g in geometries[has_data | chosen]]
        land = layers[:1] if len(context_geometries) else layers  # the context alone covers the UK
        reserved.append(_locator(page, page_h, land, window, main, avoid).grow(3))
    if has_data.any() or chosen.any():
        around = map_labels.surroundings(shapes, context, context_geometries, geometries, chosen) if zoomed else None
        top = max(LABEL_TOP, len(direct))
        labelled = shapes.assign(name=circle_rules.label_names(shapes))  # a town's figure is labelled with the town
        map_labels.annotate(
            page,
            labelled,
            metric,
            geometries,
            selected,
            views,
            reserved,
            top=top,
            surroundings=around,
            sizes=(preset.map_label, preset.quiet),
            marks=marks,
        )
    else:
        _no_data_message(page, main, preset)
    layout.texts.draw_footer(page, *layout.footer)
    return page


def _svg_with_description(svg: bytes, title: str, alt: str) -> bytes:
    """The SVG with ``<title>`` and ``<desc>`` as the root's first children (escaped), labelling the image."""
    text = svg.decode("utf-8")
    match = re.search(r"<svg\b[^>]*>", text)
    if match is None:
        return svg
    labelled = match.group(0)[:-1] + ' role="img" aria-labelledby="atlas-title atlas-desc">'
    inner = f'\n <title id="atlas-title">{escape(title)}</title>\n <desc id="atlas-desc">{escape(alt)}</desc>'
    rest = re.sub(r"^\s*<title>.*?</title>", "", text[match.end() :], count=1, flags=re.DOTALL)  # matplotlib's own
    return (text[: match.start()] + labelled + inner + rest).encode("utf-8")


def rc() -> dict[str, object]:
    """The rcParams a page is rendered under: text kept as text in SVG, Roboto embedded in PDF,
    the font fallbacks, and no glyph hinting (text is then as wide at 600 px as at 4000 px, as measured)."""
    fixed = {
        "svg.fonttype": "none",
        "svg.hashsalt": "uk-camera-atlas",
        "pdf.fonttype": 42,
        "text.hinting": "no_hinting",
    }
    return {**fixed, **typeset.rc_fonts()}


def save(figure: Figure, fmt: str, width_px: int, alt: str = "", title: str = "") -> bytes:
    """``figure`` as png, svg or pdf bytes, ``width_px`` wide (PNG), with ``alt`` and ``title`` embedded."""
    buffer = io.BytesIO()
    dpi = width_px / figure.get_size_inches()[0]
    metadata = {
        "png": {"Software": None, "Title": title, "Description": alt},
        "svg": {"Date": None, "Creator": APP_NAME, "Title": title, "Description": alt},
        "pdf": {"CreationDate": None, "Creator": APP_NAME, "Producer": None, "Title": title, "Subject": alt},
    }[fmt]
    with _SAVE_LOCK, matplotlib.rc_context(rc()):
        extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white", **extra)
    data = buffer.getvalue()
    return _svg_with_description(data, title, alt) if fmt == "svg" else data
