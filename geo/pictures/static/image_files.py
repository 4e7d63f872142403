"""A matplotlib page as PNG, SVG or PDF bytes, with its alt text and title embedded.

Owns :func:`save` (PNG text chunks, SVG ``<title>``/``<desc>`` labelling the image, PDF
Title/Subject) and :func:`rc`, the rcParams every page is rendered under. The map snapshot
(:mod:`geo.pictures.static.figure`) and the trend chart (:mod:`geo.pictures.trends.chart`) are
both written here.
"""

from __future__ import annotations

import io
import re
import threading
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from geo.pictures.captions import APP_NAME
from geo.pictures.static import typeset

_SAVE_LOCK = threading.Lock()  # rcParams are process-wide: saves must not interleave


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


def rc() -> dict[RcKeyType, Any]:
    """The rcParams a page is rendered under: text kept as text in SVG, Roboto embedded in PDF,
    the font fallbacks, and no glyph hinting (text is then as wide at 600 px as at 4000 px, as measured)."""
    fixed: dict[RcKeyType, Any] = {
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
        extra: dict[str, Any] = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white", **extra)
    data = buffer.getvalue()
    return _svg_with_description(data, title, alt) if fmt == "svg" else data
