"""The atlas's colours: ColorBrewer palettes for classes and changes, and the fixed colours of
"no data", outlines and the page, so the folium map and the static snapshot agree.
"""

from __future__ import annotations

from branca.utilities import color_brewer

from geo.core.errors import AtlasError
from geo.figures.vocabulary import MAX_CLASSES, check_classes

PALETTE_NAME = "YlOrRd"  # ColorBrewer, sequential, colour-blind safe
DIVERGING_PALETTE_NAME = "PuOr"  # ColorBrewer, diverging, colour-blind safe
# Neutral mid-light grey: no hue, so it cannot be read as a (yellow/orange/red) class,
# and darker than the lightest class, which is where zero falls.
NO_DATA_COLOR = "#c6c6c6"
NO_DATA_EDGE = "#7a7a7a"
CONTEXT_EDGE = "#9a9a9a"
DATA_EDGE = "#6e6e6e"
SELECTED_EDGE = "#111111"
BACKGROUND = "#f4f6f8"
NO_CHANGE_COLOR = "#f7f7f7"


def palette(k: int) -> tuple[str, ...]:
    """``k`` sequential colours (1 to 9), lightest first.

    ColorBrewer's palest yellows (#ffffb2, #ffffcc, #ffeda0) nearly vanish on a white page,
    so up to 7 classes (all the app offers) take a larger YlOrRd palette without them: the
    first class always stands clearly apart from the page and from the grey of "no data".
    """
    k = check_classes(k)
    if k >= 8:
        return tuple(color_brewer(PALETTE_NAME, MAX_CLASSES)[-k:])
    if k == 7:
        return tuple(color_brewer(PALETTE_NAME, MAX_CLASSES)[2:])
    colours = color_brewer(PALETTE_NAME, max(k + 1, 3))[1:]
    return (colours[1],) if k == 1 else tuple(colours[-k:])


def diverging_palette(k: int) -> tuple[str, ...]:
    """ColorBrewer PuOr with ``k`` classes (3, 5, 7 or 9), from decrease (purple) to increase (orange)."""
    if k not in (3, 5, 7, 9):
        raise AtlasError(
            f"number of diverging classes {k!r} is not 3, 5, 7 or 9: pick an odd number so one class is centred on no change"
        )
    return tuple(reversed(color_brewer(DIVERGING_PALETTE_NAME, k)))
