"""Type for the static map: the packaged Roboto font, registered once; text measured, wrapped and put on the page in points.

Roboto comes from the ``font-roboto`` package (Apache License 2.0) and is registered with
matplotlib's font manager the first time a map asks for it (:func:`register_font`). Every
text on the map asks for :data:`FAMILY`; the generic ``sans-serif`` at its end expands to
:data:`FALLBACK` when a file is saved (see :func:`rc_fonts`), which is the font-family list
an SVG carries for viewers without Roboto. Widths are measured without a renderer
(:class:`matplotlib.textpath.TextToPath`, in points), so layouts do not depend on the
output resolution.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager, patheffects
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.typing import RcKeyType

FONT_NAME = "Roboto"
# Asked for by every text; the generic name expands to FALLBACK in files (SVG font-family).
FAMILY = (FONT_NAME, "sans-serif")
FALLBACK = (FONT_NAME, "Helvetica Neue", "Helvetica", "Arial", "Liberation Sans", "DejaVu Sans")
_FACES = ("Regular", "Medium", "Bold")
HALO_WIDTH = 2.6  # points: the white outline around labels on the map
_LOCK = threading.Lock()
_MEASURE = TextToPath()
_registered: list[str] = []


def register_font() -> str:
    """Add the packaged Roboto faces to matplotlib's font manager (once per process); the family name."""
    if _registered:
        return FONT_NAME
    with _LOCK:
        if not _registered:
            import font_roboto  # the font package: imported only when a map is drawn

            folder = Path(font_roboto.font_directory)
            for face in _FACES:
                font_manager.fontManager.addfont(str(folder / f"Roboto-{face}.ttf"))
            _registered.append(str(folder))
    return FONT_NAME


def rc_fonts() -> dict[RcKeyType, Any]:
    """rcParams that make ``sans-serif`` mean Roboto, then common look-alikes."""
    return {"font.family": list(FAMILY), "font.sans-serif": list(FALLBACK)}


@lru_cache(maxsize=64)
def font(size: float, weight: str = "normal") -> FontProperties:
    """Font properties for a map text: Roboto at ``size`` points (``normal``, ``medium`` or ``bold``)."""
    register_font()
    return FontProperties(family=list(FAMILY), size=size, weight=weight)


@lru_cache(maxsize=8192)
def width(text: str, prop: FontProperties) -> float:
    """Width of one line of ``text`` in points (remembered: words recur from map to map)."""
    if not text:
        return 0.0
    return float(_MEASURE.get_text_width_height_descent(text, prop, ismath=False)[0])


def _split_long(word: str, prop: FontProperties, limit: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit (hostile names, long URLs)."""
    if width(word, prop) <= limit:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and width(current + char, prop) > limit:
            pieces.append(current)
            current = char
        else:
            current += char
    return pieces + [current]


def wrap(text: str, prop: FontProperties, limit: float) -> list[str]:
    """``text`` wrapped greedily to lines at most ``limit`` points wide (measured, not estimated)."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        words = [piece for word in paragraph.split() for piece in _split_long(word, prop, limit)]
        space = width("a a", prop) - width("aa", prop)
        current, used = "", 0.0
        for word in words:
            # Words are measured once each; a line's width is their sum plus the spaces.
            extra = width(word, prop) + (space if current else 0.0)
            if current and used + extra > limit:
                lines.append(current)
                current, used = word, width(word, prop)
            else:
                current, used = (f"{current} {word}" if current else word), used + extra
        if current:
            lines.append(current)
    return lines


def put(
    figure: Figure,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    weight: str = "normal",
    color: str = "#1a1a1a",
    ha: str = "left",
    halo: bool = False,
    zorder: float = 7,
    label: str = "",
) -> None:
    """One line of ``text``, its top at (``x``, ``y``) points from the page's lower left; mathtext off.

    ``halo`` puts a white outline under it (a separate stroked copy, so the text itself
    stays text in SVG and PDF).
    """
    page_w, page_h = (v * 72 for v in figure.get_size_inches())
    common: dict[str, Any] = {
        "fontproperties": font(size, weight),
        "ha": ha,
        "va": "top",
        "parse_math": False,
        "transform": figure.transFigure,
    }
    if halo:
        shadow = figure.text(x / page_w, y / page_h, text, color="white", zorder=zorder - 0.5, label="halo", **common)
        shadow.set_path_effects([patheffects.Stroke(linewidth=HALO_WIDTH, foreground="white")])
    figure.text(x / page_w, y / page_h, text, color=color, zorder=zorder, label=label, **common)
