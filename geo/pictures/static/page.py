"""Where the static map's parts go on the page, for each size preset (:mod:`geo.pictures.static.sizes`).

:class:`Texts` wraps the caption's texts at a preset's type sizes and draws them; :func:`arrange`
lays a page out: one column (title, subtitle, legend, the map across the width, notes, source
and credit) for article and print, or for a square card (``Preset.columns``) the title,
subtitle and legend in a column beside a map as tall as the page allows, with the notes,
source and credit across the foot. Everything is in points from the page's lower left;
nothing here draws the map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from geo.pictures.captions import Caption
from geo.pictures.static import typeset
from geo.pictures.static.labels import Box
from geo.pictures.static.legend import Legend
from geo.pictures.static.sizes import MIN_TEXT_PX, Preset

TEXT_COLOR, SUBTITLE_COLOR, NOTE_COLOR, MUTED = "#1a1a1a", "#404040", "#4d4d4d", "#666666"
TITLE_LEADING, SUBTITLE_LEADING, NOTE_LEADING, SOURCE_LEADING = 1.2, 1.35, 1.35, 1.3
GUTTER = 16.0  # points between the text column and the map (a square card)
MIN_COLUMN = 200.0  # the text column's narrowest width (points)
MIN_MAP_SHARE = 0.4  # a square card's map is never narrower than this share of the page
CREDIT_GAP = " \u00b7 "  # between the source's last line and the credit when they share it


@dataclass(frozen=True)
class Texts:
    """The caption's texts wrapped to their widths, with the preset's type sizes."""

    preset: Preset
    title: list[str]
    subtitle: list[str]
    notes: list[str]
    source: list[str]
    credit: list[str]
    source_size: float
    credit_inline: bool  # the credit follows the source's last line, on it

    @classmethod
    def of(cls, caption: Caption, preset: Preset, header_w: float, footer_w: float) -> Texts:
        """Wrap every text. The source shrinks by up to a point (never under the preset's smallest
        legible size) to save a line; the credit joins its last line when the width allows."""
        wrap, font = typeset.wrap, typeset.font
        floor = MIN_TEXT_PX / preset.px_per_pt
        sizes = [s for s in (preset.source - 0.25 * i for i in range(5)) if s >= floor - 1e-9] or [preset.source]
        best: tuple[list[str], float] | None = None
        for size in sizes:
            lines = wrap(caption.source, font(size), footer_w)
            if best is None or len(lines) < len(best[0]):
                best = (lines, size)
        assert best is not None  # sizes is never empty
        source, size = best
        credit = wrap(caption.credit, font(size), footer_w) if caption.credit else []
        inline = bool(
            source and len(credit) == 1 and typeset.width(source[-1] + CREDIT_GAP + credit[0], font(size)) <= footer_w
        )
        return cls(
            preset=preset,
            title=wrap(caption.title, font(preset.title, "bold"), header_w),
            subtitle=wrap(caption.subtitle, font(preset.subtitle), header_w),
            notes=[line for note in caption.notes for line in wrap(note, font(preset.note), footer_w)],
            source=source,
            credit=credit,
            source_size=size,
            credit_inline=inline,
        )

    @property
    def header_height(self) -> float:
        """Points from the top of the title to below the subtitle, with the gap before the legend."""
        p = self.preset
        subtitle = (p.subtitle * 0.4 + len(self.subtitle) * p.subtitle * SUBTITLE_LEADING) if self.subtitle else 0
        return len(self.title) * p.title * TITLE_LEADING + subtitle + p.subtitle

    @property
    def footer_height(self) -> float:
        """Points from the top of the notes to the bottom of the source and credit."""
        p = self.preset
        notes = len(self.notes) * p.note * NOTE_LEADING + (p.note * 0.5 if self.notes else 0)
        lines = len(self.source) + (0 if self.credit_inline else len(self.credit))
        return notes + lines * self.source_size * SOURCE_LEADING

    def draw_header(self, page: Figure, left: float, top: float) -> None:
        """Title and subtitle, the title's top at (``left``, ``top``)."""
        p, y = self.preset, top
        for line in self.title:
            typeset.put(page, left, y, line, p.title, weight="bold", color=TEXT_COLOR, label="title")
            y -= p.title * TITLE_LEADING
        y -= p.subtitle * 0.4
        for line in self.subtitle:
            typeset.put(page, left, y, line, p.subtitle, color=SUBTITLE_COLOR, label="subtitle")
            y -= p.subtitle * SUBTITLE_LEADING

    def draw_footer(self, page: Figure, left: float, top: float) -> None:
        """Notes, then the source and credit, from ``top`` down."""
        p, y, size = self.preset, top, self.source_size
        for line in self.notes:
            typeset.put(page, left, y, line, p.note, color=NOTE_COLOR, label="note")
            y -= p.note * NOTE_LEADING
        y -= p.note * 0.5 if self.notes else 0
        for line in self.source:
            typeset.put(page, left, y, line, size, color=MUTED, label="source")
            y -= size * SOURCE_LEADING
        if self.credit_inline:
            y += size * SOURCE_LEADING
            left += typeset.width(self.source[-1], typeset.font(size))
            typeset.put(page, left, y, CREDIT_GAP, size, color=MUTED, label="separator")
            left += typeset.width(CREDIT_GAP, typeset.font(size))
        for line in self.credit:
            typeset.put(page, left, y, line, size, color=MUTED, label="credit")
            y -= size * SOURCE_LEADING


@dataclass(frozen=True)
class Page:
    """A laid-out page: its size, and where the header, legend, map and footer go (points)."""

    width: float
    height: float
    texts: Texts
    legend: Legend
    header: tuple[float, float]  # the title's top left
    legend_at: tuple[float, float]  # the legend's top left
    main: Box  # the map
    footer: tuple[float, float]  # the notes' top left


LegendFor = Callable[[float, bool], Legend]  # (width, vertical) -> legend


def _single(caption: Caption, preset: Preset, aspect: float, legend_for: LegendFor) -> Page:
    m = preset.margin
    text_w = preset.page_w - 2 * m
    texts = Texts.of(caption, preset, text_w, text_w)
    legend = legend_for(text_w, False)
    legend_h = legend.height + preset.label * 1.2 if legend.drawn else 0.0
    map_h = text_w * aspect
    gap = preset.note * 0.8
    height = m + texts.header_height + legend_h + map_h + gap + texts.footer_height + m * 0.6
    top = height - m
    legend_top = top - texts.header_height
    main_top = legend_top - legend_h
    main = Box(m, main_top - map_h, m + text_w, main_top)
    return Page(preset.page_w, height, texts, legend, (m, top), (m, legend_top), main, (m, main.y0 - gap))


def _columns(caption: Caption, preset: Preset, aspect: float, legend_for: LegendFor, flexible: bool = False) -> Page:
    """A square card: text and legend in a column left of the map, notes and source across the foot.

    A ``flexible`` map (a zoomed window, which can show more around its places) takes the
    column's whole height."""
    m, page_w = preset.margin, preset.page_w
    page_h = preset.page_h or page_w
    inner = page_w - 2 * m
    footer_probe = Texts.of(caption, preset, inner, inner)
    gap = preset.note * 0.8
    map_h = page_h - 2 * m - footer_probe.footer_height - gap
    map_w = min(map_h / aspect, inner - GUTTER - MIN_COLUMN)
    while True:
        map_h_used = map_h if flexible else min(map_h, map_w * aspect)
        column = inner - GUTTER - map_w
        texts = Texts.of(caption, preset, column, inner)
        legend = legend_for(column, True)
        need = texts.header_height + (legend.height if legend.drawn else 0.0)
        if need <= map_h or map_w <= inner * MIN_MAP_SHARE:
            break
        map_w *= 0.92
    height = max(page_h, 2 * m + max(need, map_h_used) + gap + texts.footer_height)
    top = height - m
    main = Box(page_w - m - map_w, top - map_h_used, page_w - m, top)
    # The foot sits on the page's bottom margin: a card keeps its frame full, whatever the map's height.
    return Page(
        page_w, height, texts, legend, (m, top), (m, top - texts.header_height), main, (m, m + texts.footer_height)
    )


def arrange(caption: Caption, preset: Preset, aspect: float, legend_for: LegendFor, flexible: bool = False) -> Page:
    """The page for ``caption`` at ``preset``, with a map window ``aspect`` (height / width) tall.

    ``legend_for(width, vertical)`` measures the legend for the room it gets; a ``flexible``
    map window may take another aspect to fill a square card (the caller widens its window).
    """
    if preset.columns:
        return _columns(caption, preset, aspect, legend_for, flexible)
    return _single(caption, preset, aspect, legend_for)
