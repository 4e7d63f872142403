"""Measuring the static map's legend before the page exists: :func:`layout` places every swatch,
reference circle and listed value in points (no renderer), so the page can be sized around it.

Shaded maps get a row of class swatches labelled underneath (or, in a narrow column, a
swatch per line), each label split in two lines when one does not fit; circle maps two or
three nested reference circles; a map of five or fewer units each unit's value in a list.
The keys (:data:`geo.pictures.static.legend.KEYS`) follow, wrapped to the width. What the
result holds and how it is drawn is :mod:`geo.pictures.static.legend`.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.figures.vocabulary import METRIC_LABELS
from geo.pictures.classes import Classes
from geo.pictures.static import typeset
from geo.pictures.static.legend import KEYS, Legend, Reference, Swatch
from geo.pictures.static.sizes import PRESETS, Preset

DASH = " \u2013 "


@dataclass(frozen=True)
class _Metrics:
    """The legend's dimensions (points) for one type size: swatches and gaps grow with the labels."""

    title: float
    label: float

    @property
    def swatch_h(self) -> float:
        return self.label * 1.25

    @property
    def min_swatch_w(self) -> float:
        return self.label * 4.25

    @property
    def key_w(self) -> float:  # the swatch of a "No data" or partial-coverage key
        return self.label * 2.5

    @property
    def gap(self) -> float:  # between the classes and the keys, and between keys
        return self.label * 2

    @property
    def line_h(self) -> float:
        return self.label * 1.35


def _split(label: str) -> tuple[str, ...]:
    """A class label in two lines: "4,957 –" / "6,816", "7.5 to" / "under 8.8"."""
    if DASH in label:
        low, high = label.split(DASH, 1)
        return (low + " \u2013", high)
    if " to under " in label:
        low, high = label.split(" to under ", 1)
        return (low + " to", "under " + high)
    return (label,)


def _class_labels(labels: tuple[str, ...], width: float, m: _Metrics) -> tuple[list[tuple[str, ...]], float]:
    """Each class label as one line, or split in two when one line each does not fit."""
    font = typeset.font(m.label)
    n = max(len(labels), 1)
    one = max((typeset.width(t, font) for t in labels), default=0.0) + m.label
    if max(one, m.min_swatch_w) * n <= width:
        return [(t,) for t in labels], max(one, m.min_swatch_w)
    split = [_split(t) for t in labels]
    two = max((typeset.width(line, font) for s in split for line in s), default=0.0) + m.label
    return split, min(max(two, m.min_swatch_w), width / n)


def _references(values: tuple[tuple[int, float], ...], m: _Metrics) -> tuple[list[Reference], float, float]:
    """Nested reference circles (``(value, radius)``, largest first) with their values to the right.

    A value whose words would touch the one above is left out. Returns the circles, the
    block's width and height.
    """
    if not values:
        return [], 0.0, 0.0
    font = typeset.font(m.label)
    big = values[0][1]
    label_x = 2 * big + m.label * 0.8
    refs: list[Reference] = []
    for value, radius in values:
        top = 2 * big - 2 * radius  # from the block's top: circles share their bottom
        if refs and top - refs[-1].label_y < m.line_h:
            continue
        refs.append(Reference(big, big * 2 - radius, radius, f"{value:,}", label_x, max(top, m.label * 0.6)))
    width = label_x + max(typeset.width(r.label, font) for r in refs)
    return refs, width, 2 * big


def _values(
    pairs: tuple[tuple[str, str], ...], width: float, m: _Metrics
) -> tuple[list[tuple[float, float, str]], float]:
    """Directly labelled units ("Manchester 37.1"), left to right and wrapped, each after a swatch of
    its fill (at x); their height."""
    font = typeset.font(m.label)
    swatch = m.swatch_h + m.label * 0.4
    out, x, y = [], 0.0, 0.0
    for name, value in pairs:
        words = f"{name} {value}"
        w = swatch + typeset.width(words, font)
        if x and x + w > width:
            x, y = 0.0, y + m.line_h + m.label * 0.3
        out.append((x, y, words))
        x += w + m.gap
    return out, (y + m.line_h if out else 0.0)


def layout(
    classes: Classes,
    metric: str,
    *,
    no_data: bool,
    partial: bool,
    context: bool,
    width: float,
    sizes: Preset | None = None,
    vertical: bool = False,
    circles: tuple[tuple[int, float], ...] = (),
    direct: tuple[tuple[str, str], ...] = (),
    town: bool = False,
) -> Legend:
    """The legend for ``classes`` of ``metric``, ``width`` points wide at most, in ``sizes``' type.

    ``circles`` (value, radius in points) draws reference circles instead of classes;
    ``direct`` (name, value) lists each unit's value instead of classes. ``vertical`` puts
    one class or key per line (a narrow column). Keys follow for "No data", partial
    coverage and the areas outside the dataset, each only when asked for.
    """
    type_ = sizes or PRESETS["print"]
    m = _Metrics(type_.legend_title, type_.label)
    font = typeset.font(m.label)
    title_h = m.title * 1.25 + m.label * 0.5
    swatches: list[Swatch] = []
    references: list[Reference] = []
    listed: list[tuple[float, float, str]] = []
    block_w, block_h = 0.0, 0.0
    if circles:
        references, block_w, block_h = _references(circles, m)
        references = [
            Reference(r.x, r.y + title_h, r.radius, r.label, r.label_x, r.label_y + title_h) for r in references
        ]
    elif direct:
        listed, block_h = _values(direct, 0.0 if vertical else width, m)  # a column: one per line
        face = classes.colors[0] if classes.colors else "#fd8d3c"
        for x, y, _ in listed:  # the one fill of a directly labelled map, before each value
            swatches.append(
                Swatch(
                    x,
                    y + title_h + (m.line_h - m.swatch_h) / 2,
                    m.swatch_h,
                    face,
                    (),
                    x,
                    0.0,
                    "left",
                    key="value",
                    height=m.swatch_h,
                )
            )
        listed = [(x + m.swatch_h + m.label * 0.4, y + title_h, words) for x, y, words in listed]
        block_w = width
    elif vertical:
        for i, (color, label) in enumerate(zip(classes.colors, classes.labels)):
            y = title_h + i * (m.swatch_h + m.label * 0.5)
            swatches.append(
                Swatch(
                    0.0,
                    y,
                    m.key_w,
                    color,
                    (label,),
                    m.key_w + m.label * 0.5,
                    y + (m.swatch_h - m.label * 1.17) / 2,
                    "left",
                    height=m.swatch_h,
                )
            )
        block_w = width
        block_h = len(swatches) * (m.swatch_h + m.label * 0.5)
    else:
        labels, swatch_w = _class_labels(classes.labels, width, m)
        for i, (color, lines) in enumerate(zip(classes.colors, labels)):
            x = i * swatch_w
            swatches.append(
                Swatch(
                    x,
                    title_h,
                    swatch_w,
                    color,
                    lines,
                    x + swatch_w / 2,
                    title_h + m.swatch_h + m.label * 0.3,
                    "center",
                    height=m.swatch_h,
                )
            )
        block_w = len(swatches) * swatch_w
        block_h = (
            m.swatch_h + m.label * 0.3 + m.line_h * max((len(s.label) for s in swatches), default=0)
            if swatches
            else 0.0
        )
    faces = {"partial": classes.colors[len(classes.colors) // 2] if classes.colors else "#fd8d3c"}
    keys = [
        k for k, shown in (("no_data", no_data), ("partial", partial), ("town", town), ("context", context)) if shown
    ]
    key_widths = [m.key_w + m.label * 0.5 + typeset.width(KEYS[k].words, font) for k in keys]
    x = block_w + (m.gap if block_w else 0)
    y = title_h
    row = max(m.swatch_h, m.label * 1.2) + m.label * 0.5
    if (vertical or direct or (block_w and x + sum(key_widths) + m.gap * (len(keys) - 1) > width)) and block_h:
        x, y = 0.0, title_h + block_h + m.label * 0.6
    for name, key_w in zip(keys, key_widths):
        if x > 0 and (vertical or x + key_w > width):
            x, y = 0.0, y + row
        key = KEYS[name]
        hatch = (key.hatch, key.hatch_color) if key.hatch and key.hatch_color else None
        swatches.append(
            Swatch(
                x,
                y,
                m.key_w,
                key.face or faces[name],
                (key.words,),
                x + m.key_w + m.label * 0.5,
                y + (m.swatch_h - m.label * 1.17) / 2,
                "left",
                hatch,
                name,
                key.edge,
                m.swatch_h,
            )
        )
        x += key_w + m.gap
    bottom = max([title_h + block_h] + [s.y + max(s.height, m.label * 1.2) for s in swatches])
    return Legend(METRIC_LABELS[metric], tuple(swatches), bottom, tuple(references), tuple(listed), m.title, m.label)
