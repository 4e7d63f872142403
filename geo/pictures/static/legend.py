"""The static map's legend: the metric in words over class swatches, reference circles or the values themselves.

Owns what a measured legend holds (:class:`Legend`, its :class:`Swatch` es and
:class:`Reference` circles) and drawing it on a page (:meth:`Legend.draw`), and the
:data:`KEYS` the map shares with it: "No data" (grey, hatched), units whose counts cover only
part of the area (hatched over their class colour), a counted town's council and the areas
outside the dataset (faint, at place level), so the legend shows exactly what the map draws.
Measuring a legend in points before the page exists is :mod:`geo.pictures.static.legend_layout`.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.transforms import Affine2D

from geo.pictures.circles import CIRCLE_FILL, TOWN_KEY
from geo.pictures.classes import NO_DATA_LABEL
from geo.pictures.palettes import NO_DATA_COLOR
from geo.pictures.static import typeset

LAND, LAND_EDGE = "#eeeeee", "#cfcfcf"  # areas outside the dataset (place level): faint outlines


@dataclass(frozen=True)
class Key:
    """A fill the map uses besides the classes, and its words in the legend."""

    words: str
    face: str | None  # None: the fill of the unit's class
    hatch: str | None = None
    hatch_color: str | None = None
    edge: str = "#9a9a9a"


# Shared with the map, so the legend shows exactly what the map draws.
KEYS = {
    "no_data": Key(NO_DATA_LABEL, NO_DATA_COLOR, "///", "#d8d8d8"),  # a quiet texture: grey, not a colour, not zero
    "partial": Key("Counts cover part of the area", None, "\\\\\\\\", "#ffffff"),  # white stripes over the class
    "context": Key("Not in this dataset", LAND, edge=LAND_EDGE),
    # The council around a counted town: pale, grey stripes; the town's colour is on its dot.
    "town": Key(TOWN_KEY, "#eeeeee", "\\\\", "#a8a8a8"),
}
TITLE_COLOR, LABEL_COLOR = "#1a1a1a", "#333333"
LEADER_COLOR = "#6b6b6b"  # from a reference circle's top to its value


@dataclass(frozen=True)
class Reference:
    """A reference circle: its centre and radius, its value's words and where they go (points, y downwards)."""

    x: float
    y: float
    radius: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Swatch:
    """One coloured box with its label; positions in points from the legend's top left, y downwards."""

    x: float
    y: float
    width: float
    face: str
    label: tuple[str, ...]  # the label's lines
    label_x: float
    label_y: float
    ha: str
    hatch: tuple[str, str] | None = None  # (pattern, colour)
    key: str = "class"
    edge: str = "white"
    height: float = 10.0


@dataclass(frozen=True)
class Legend:
    """A measured legend: its swatches, reference circles and listed values, its title and height in points."""

    title: str
    swatches: tuple[Swatch, ...]
    height: float
    references: tuple[Reference, ...] = ()
    values: tuple[tuple[float, float, str], ...] = ()  # (x, y, words) of a directly labelled unit
    title_size: float = 9.0
    label_size: float = 8.0

    @property
    def drawn(self) -> bool:
        """Whether there is anything to draw."""
        return bool(self.swatches or self.references or self.values)

    def draw(self, figure: Figure, left: float, top: float) -> None:
        """Draw the legend with its top left at (``left``, ``top``) points from the page's lower left."""
        page_w, page_h = (v * 72 for v in figure.get_size_inches())
        title_font, label_font = typeset.font(self.title_size, "bold"), typeset.font(self.label_size)
        figure.text(
            left / page_w,
            top / page_h,
            self.title,
            fontproperties=title_font,
            color=TITLE_COLOR,
            va="top",
            ha="left",
            parse_math=False,
            label="legend-title",
        )
        for s in self.swatches:
            rect = Rectangle(
                ((left + s.x) / page_w, (top - s.y - s.height) / page_h),
                s.width / page_w,
                s.height / page_h,
                transform=figure.transFigure,
                facecolor=s.face,
                edgecolor=s.edge,
                linewidth=1.0 if s.key == "class" else 0.5,
                label=f"legend-{s.key}",
            )
            if s.hatch:
                rect.set_hatch(s.hatch[0])
                rect.set_hatchcolor(s.hatch[1])
                rect.set_hatch_linewidth(0.7)
            figure.add_artist(rect)
            for n, line in enumerate(s.label):
                y = top - s.label_y - n * self.label_size * 1.35
                figure.text(
                    (left + s.label_x) / page_w,
                    y / page_h,
                    line,
                    fontproperties=label_font,
                    color=LABEL_COLOR,
                    va="top",
                    ha=s.ha,
                    parse_math=False,
                    label=f"legend-label-{s.key}",
                )
        points = Affine2D().scale(1 / 72) + figure.dpi_scale_trans  # page points, so a circle stays round
        for n, ref in enumerate(self.references):
            cx, cy = left + ref.x, top - ref.y
            # Nested outlines in the circles' colour (fills would stack into a darker colour than the map's).
            figure.add_artist(
                Circle(
                    (cx, cy),
                    ref.radius,
                    transform=points,
                    facecolor="none",
                    edgecolor=CIRCLE_FILL,
                    linewidth=1.2,
                    label="legend-circle",
                    gid=f"legend-circle-{n}",
                )
            )
            figure.add_artist(
                Line2D(
                    [cx, left + ref.label_x - 3],
                    [cy + ref.radius, cy + ref.radius],
                    transform=points,
                    color=LEADER_COLOR,
                    linewidth=0.5,
                )
            )
            figure.text(
                (left + ref.label_x) / page_w,
                (top - ref.label_y) / page_h,
                ref.label,
                fontproperties=label_font,
                color=LABEL_COLOR,
                va="center",
                ha="left",
                parse_math=False,
                label="legend-label-circle",
            )
        for x, y, words in self.values:
            figure.text(
                (left + x) / page_w,
                (top - y) / page_h,
                words,
                fontproperties=label_font,
                color=LABEL_COLOR,
                va="top",
                ha="left",
                parse_math=False,
                label="legend-value",
            )
