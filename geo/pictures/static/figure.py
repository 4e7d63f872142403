"""The static map's page (matplotlib): a snapshot a newsroom can print as is.

:func:`figure` draws a page laid out for a size preset (:mod:`geo.pictures.static.sizes`,
:mod:`geo.pictures.static.page`) like a Datawrapper map: the title (the finding) and subtitle, the
legend in plain words, the map (the UK in British National Grid, Shetland in a boxed
inset; zoomed to the chosen units with a locator when there are some: the windows are
:mod:`geo.pictures.static.map_windows`, the units drawn in them :mod:`geo.pictures.static.map_layers`), labels naming the
leading units with their figures (:mod:`geo.pictures.static.labels`), then the notes, source and
credit. Rates are shaded; counts are circles whose area is proportional to the count
(:mod:`geo.pictures.circles`) over the areas' outlines. Type is Roboto from a package
(:mod:`geo.pictures.static.typeset`). :func:`geo.pictures.static.image_files.save` writes the page as
PNG, SVG or PDF bytes. Uses :class:`matplotlib.figure.Figure` directly (Agg canvas), never pyplot's
global figures.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.names.keys import display_name
from geo.pictures import circles as circle_rules
from geo.pictures.captions import Caption
from geo.pictures.classes import Classes
from geo.pictures.numbers import format_value
from geo.pictures.static import circle_marks, legend_layout, typeset
from geo.pictures.static import labels as map_labels
from geo.pictures.static import legend as map_legend
from geo.pictures.static import page as map_page
from geo.pictures.static.labels import Box
from geo.pictures.static.map_layers import draw_layers, unit_layers
from geo.pictures.static.map_windows import fill_to, locator, map_axes, project, shetland_inset, zoom_window
from geo.pictures.static.sizes import DEFAULT_SIZE, PRESETS, Preset

FIG_WIDTH = 6.5  # inches: the print page (the trend chart's page too)
MARGIN = 0.3  # inches
TEXT_COLOR, SUBTITLE_COLOR, NOTE_COLOR, MUTED = "#1a1a1a", "#404040", "#4d4d4d", "#6b6b6b"
CIRCLE_SHARE = 0.06  # the largest circle's radius, as a share of the page's text width
COLUMN_MAP_SHARE = 0.55  # about the share of a square card's width its map takes
NO_FIGURE_MESSAGE = "No area has a figure to map"
LABEL_TOP = 5  # leading units named on the map (plus the chosen ones)


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
    geometries, context_geometries = project(shapes), project(context)
    has_data = shapes["has_data"].astype(bool).to_numpy()
    partial = has_data & (shapes["coverage"].fillna(1).to_numpy(dtype=float) < 1)
    towns = np.zeros(len(shapes), dtype=bool) if circles else circle_rules.town_units(shapes)
    chosen = shapes["code"].astype(str).isin({str(s) for s in selected}).to_numpy()
    window, zoomed = zoom_window(geometries, chosen)
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
        return legend_layout.layout(
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
        window = fill_to(window, (main.y1 - main.y0) / (main.x1 - main.x0))
    page = Figure(figsize=(page_w / 72, page_h / 72), facecolor="white")
    FigureCanvasAgg(page)
    layout.texts.draw_header(page, *layout.header)
    if layout.legend.drawn:
        layout.legend.draw(page, *layout.legend_at)

    layers = unit_layers(
        shapes, metric, classes, geometries, context_geometries, chosen, 0.3 if len(shapes) > 60 else 0.6, circles
    )
    main_ax = map_axes(page, main, page_h, window)
    draw_layers(main_ax, layers, window)
    views, reserved = [map_labels.MapWindow(window, main)], []
    drawn_on = [(main_ax, views[0])]
    inset = None if zoomed else shetland_inset(geometries, context_geometries, main, views[0].scale)
    if inset is not None:
        inset_ax = map_axes(page, inset[1], page_h, inset[0], frame=True)
        inset_ax.set_zorder(1)
        draw_layers(inset_ax, layers, inset[0])
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
        reserved.append(locator(page, page_h, land, window, main, avoid).grow(3))
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
