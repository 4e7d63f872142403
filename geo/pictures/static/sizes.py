"""Snapshot sizes: the article, social and print presets, each laid out for its own pixels, and the contrast rule.

A :class:`Preset` says how wide the page is in points, how many output pixels a point
becomes, and every type size in points, chosen so that no text is under
:data:`MIN_TEXT_PX` pixels in the file as written. ``article`` (600 px wide, one pixel a
point) is the web column; ``social`` (1200 × 1200, two pixels a point) a square card with
the text beside the map; ``print`` (1800 px wide, the 6.5-inch page the map always had).
:func:`resolve` turns the command line's ``--size``/``--width`` into a preset and a width;
:func:`contrast` is the WCAG 2 contrast ratio that every text colour is held to.
Pure values and functions: nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.core.errors import AtlasError

MIN_TEXT_PX = 11.0  # no text smaller, in the output's own pixels (readable at 600 px wide)
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
SIZES: tuple[str, ...] = ("article", "social", "print")
SIZE_LABELS = {"article": "Article (600 px wide)", "social": "Social (1200 × 1200)", "print": "Print (1800 px wide)"}
WIDE_LAYOUT_FROM_PX = 1200  # --width alone: below this the article layout, from it the print layout


@dataclass(frozen=True)
class Preset:
    """One output size: the page in points, its pixels, and the type sizes (points) laid out for it."""

    name: str
    width_px: int
    page_w: float  # points
    page_h: float | None  # points; None: the page grows with its content
    margin: float  # points around the page
    title: float
    subtitle: float
    legend_title: float
    label: float  # legend labels
    map_label: float  # units named on the map
    quiet: float  # surrounding areas named on a zoomed map
    note: float
    source: float  # source line and credit
    columns: bool = False  # the texts and legend in a column beside the map (a square card)

    @property
    def px_per_pt(self) -> float:
        """Output pixels per point."""
        return self.width_px / self.page_w

    @property
    def height_px(self) -> int | None:
        """The fixed pixel height, if the preset has one."""
        return None if self.page_h is None else round(self.page_h * self.px_per_pt)

    @property
    def smallest(self) -> float:
        """The smallest type size the preset uses (points)."""
        return min(
            self.title, self.subtitle, self.legend_title, self.label, self.map_label, self.quiet, self.note, self.source
        )

    def at_width(self, width_px: int) -> Preset:
        """The same layout written ``width_px`` wide (its pixels per point change, its layout does not)."""
        return Preset(**{**self.__dict__, "width_px": int(width_px)})


PRESETS: dict[str, Preset] = {
    # A web column: one pixel a point, type sized as a news site's body and captions.
    "article": Preset(
        "article",
        600,
        600.0,
        None,
        16.0,
        title=20.0,
        subtitle=14.0,
        legend_title=13.0,
        label=12.0,
        map_label=12.0,
        quiet=11.0,
        note=12.0,
        source=11.0,
    ),
    # A square card read on a phone at about half its pixels: the article's type, twice the pixels.
    "social": Preset(
        "social",
        1200,
        600.0,
        600.0,
        18.0,
        title=22.0,
        subtitle=14.0,
        legend_title=13.0,
        label=12.0,
        map_label=12.0,
        quiet=11.0,
        note=11.0,
        source=11.0,
        columns=True,
    ),
    # A page 6.5 inches wide (about 277 pixels an inch): print type sizes, never under 7 pt.
    "print": Preset(
        "print",
        1800,
        468.0,
        None,
        21.6,
        title=16.5,
        subtitle=10.5,
        legend_title=9.0,
        label=8.0,
        map_label=8.5,
        quiet=7.0,
        note=7.5,
        source=7.0,
    ),
}
DEFAULT_SIZE = "print"


def resolve(size: str | None, width_px: int | None) -> Preset:
    """The preset for ``size`` and/or ``width_px``.

    ``size`` alone: that preset at its own width. ``width_px`` alone: the article layout
    below :data:`WIDE_LAYOUT_FROM_PX`, the print layout from there, written that wide.
    Neither: print. Both: fine when the width is the preset's own, else a one-line error.
    """
    if size is not None and size not in PRESETS:
        raise AtlasError(f"unknown size {size!r}: use one of {', '.join(SIZES)}")
    if size is not None:
        preset = PRESETS[size]
        if width_px is not None and int(width_px) != preset.width_px:
            raise AtlasError(
                f"--width {width_px} contradicts --size {size} ({preset.width_px} px wide): give one of them"
            )
        return preset
    if width_px is None:
        return PRESETS[DEFAULT_SIZE]
    layout = PRESETS["article"] if int(width_px) < WIDE_LAYOUT_FROM_PX else PRESETS["print"]
    return layout.at_width(int(width_px))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` (or ``#rgb``) colour, 0 (black) to 1 (white)."""
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    r, g, b = (_channel(int(text[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
