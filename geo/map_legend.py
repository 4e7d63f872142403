"""The static map's legend: the metric in words over a horizontal row of class swatches, each labelled underneath.

Keys for "No data" (grey, hatched), for units whose counts cover only part of the area
(hatched over their class colour) and for the areas outside the dataset (faint, at place
level) follow the classes, only when the map shows such units.
:func:`layout` measures everything in points (no renderer) so the page can be sized before
it is drawn; :meth:`Legend.draw` puts the swatches and texts on a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo import map_text
from geo.classes import NO_DATA_COLOR, NO_DATA_LABEL, Classes
from geo.vocabulary import METRIC_LABELS

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
}
TITLE_SIZE, LABEL_SIZE = 9.0, 8.0
TITLE_COLOR, LABEL_COLOR = "#1a1a1a", "#333333"
SWATCH_H = 10.0
MIN_SWATCH_W = 34.0
KEY_W = 20.0  # the swatch of a "No data" or partial-coverage key
GAP = 16.0  # between the classes and the keys, and between keys
DASH = " \u2013 "


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


@dataclass(frozen=True)
class Legend:
    """A measured legend: its swatches, its title and its height in points."""

    title: str
    swatches: tuple[Swatch, ...]
    height: float

    def draw(self, figure: Figure, left: float, top: float) -> None:
        """Draw the legend with its top left at (``left``, ``top``) points from the page's lower left."""
        page_w, page_h = (v * 72 for v in figure.get_size_inches())
        title_font, label_font = map_text.font(TITLE_SIZE, "bold"), map_text.font(LABEL_SIZE)
        figure.text(left / page_w, top / page_h, self.title, fontproperties=title_font, color=TITLE_COLOR,
                    va="top", ha="left", parse_math=False, label="legend-title")
        for s in self.swatches:
            rect = Rectangle(((left + s.x) / page_w, (top - s.y - SWATCH_H) / page_h), s.width / page_w,
                             SWATCH_H / page_h, transform=figure.transFigure, facecolor=s.face,
                             edgecolor=s.edge,
                             linewidth=1.0 if s.key == "class" else 0.5, label=f"legend-{s.key}")
            if s.hatch:
                rect.set_hatch(s.hatch[0])
                rect.set_hatchcolor(s.hatch[1])
                rect.set_hatch_linewidth(0.7)
            figure.add_artist(rect)
            for n, line in enumerate(s.label):
                y = top - s.label_y - n * LABEL_SIZE * 1.35
                figure.text((left + s.label_x) / page_w, y / page_h, line, fontproperties=label_font,
                            color=LABEL_COLOR, va="top", ha=s.ha, parse_math=False, label=f"legend-label-{s.key}")


def _class_labels(labels: tuple[str, ...], width: float) -> tuple[list[tuple[str, ...]], float]:
    """Each class label as one line, or split at its dash when one line each does not fit."""
    font = map_text.font(LABEL_SIZE)
    n = max(len(labels), 1)
    one = max((map_text.width(t, font) for t in labels), default=0.0) + 8
    if max(one, MIN_SWATCH_W) * n <= width:
        return [(t,) for t in labels], max(one, MIN_SWATCH_W)
    split = [tuple(p + ("\u2013" if i == 0 and len(t.split(DASH)) > 1 else "") for i, p in enumerate(t.split(DASH)))
             for t in labels]
    two = max((map_text.width(line, font) for s in split for line in s), default=0.0) + 8
    return split, min(max(two, MIN_SWATCH_W), width / n)


def layout(classes: Classes, metric: str, *, no_data: bool, partial: bool, context: bool, width: float) -> Legend:
    """The legend for ``classes`` of ``metric``, ``width`` points wide at most.

    Keys follow for "No data", partial coverage and the areas outside the dataset, each only
    when asked for (when the map shows such units).
    """
    font = map_text.font(LABEL_SIZE)
    title_h = TITLE_SIZE * 1.25 + 4
    line_h = LABEL_SIZE * 1.35
    labels, swatch_w = _class_labels(classes.labels, width)
    swatches: list[Swatch] = []
    for i, (color, label) in enumerate(zip(classes.colors, labels)):
        x = i * swatch_w
        swatches.append(Swatch(x, title_h, swatch_w, color, label, x + swatch_w / 2, title_h + SWATCH_H + 3, "center"))
    rows_h = SWATCH_H + 3 + line_h * max((len(s.label) for s in swatches), default=0)
    faces = {"partial": classes.colors[len(classes.colors) // 2] if classes.colors else "#fd8d3c"}
    keys = [k for k, shown in (("no_data", no_data), ("partial", partial), ("context", context)) if shown]
    key_widths = [KEY_W + 4 + map_text.width(KEYS[k].words, font) for k in keys]
    x = len(swatches) * swatch_w + (GAP if swatches else 0)
    y = title_h
    if swatches and keys and x + sum(key_widths) + GAP * (len(keys) - 1) > width:
        x, y = 0.0, title_h + rows_h + 6
    for name, key_w in zip(keys, key_widths):
        if x > 0 and x + key_w > width:
            x, y = 0.0, y + SWATCH_H + 6
        key = KEYS[name]
        hatch = (key.hatch, key.hatch_color) if key.hatch else None
        swatches.append(Swatch(x, y, KEY_W, key.face or faces[name], (key.words,), x + KEY_W + 4,
                               y + (SWATCH_H - LABEL_SIZE * 1.17) / 2, "left", hatch, name, key.edge))
        x += key_w + GAP
    bottom = max([title_h + rows_h if classes.colors else title_h] + [s.y + SWATCH_H for s in swatches])
    return Legend(METRIC_LABELS[metric], tuple(swatches), bottom)
