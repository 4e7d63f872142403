"""Map classification shared by both renderers: class breaks and their legend labels.

:func:`classify` puts a metric's values into a few classes with ``mapclassify.classify``
and gives each a colour (:mod:`geo.pictures.palettes`) and a plain-words label (numbers as
:mod:`geo.pictures.numbers` writes them); :func:`classify_diverging` does the same for
changes, symmetric around zero.
"""

from __future__ import annotations

import math
import warnings
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.core.errors import AtlasError
from geo.figures.vocabulary import SCHEME_LABELS, check, check_classes
from geo.pictures.numbers import DASH, as_float, format_edges, format_number, signed
from geo.pictures.palettes import NO_CHANGE_COLOR, NO_DATA_COLOR, diverging_palette, palette

NO_DATA_LABEL = "No data"
DIVERGING_SCHEME = "diverging"

# mapclassify's names for the schemes of geo.figures.vocabulary.
_MAPCLASSIFY = {"quantiles": "quantiles", "natural_breaks": "fisher_jenks", "equal_interval": "equal_interval"}


@dataclass(frozen=True)
class Classes:
    """Class breaks for one metric, with their colours and legend labels."""

    scheme: str
    bins: tuple[float, ...]  # upper bounds, ascending (as mapclassify gives them)
    colors: tuple[str, ...]  # one hex colour per class
    labels: tuple[str, ...]  # one legend label per class
    direct: bool = False  # so few units that each value is labelled, not classed (one class)

    def index_for(self, value: object) -> int | None:
        """The class of ``value`` (``None`` for missing values)."""
        v = as_float(value)
        if v is None or not self.bins:
            return None
        return min(bisect_left(self.bins, v), len(self.colors) - 1)

    def color_for(self, value: object) -> str:
        """The fill colour of ``value``; :data:`NO_DATA_COLOR` for NaN/None."""
        index = self.index_for(value)
        return NO_DATA_COLOR if index is None else self.colors[index]

    @property
    def scheme_label(self) -> str:
        """The classification in words ("Quantiles"), for a footnote."""
        if self.scheme == DIVERGING_SCHEME:
            return "Equal intervals, symmetric around 0"
        return SCHEME_LABELS.get(self.scheme, self.scheme)


def _finite(values: Sequence[float]) -> np.ndarray:
    series = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").astype(float)
    arr = series.to_numpy()
    return arr[np.isfinite(arr)]


def classify(values: Sequence[float], scheme: str = "quantiles", k: int = 5) -> Classes:
    """Class breaks for ``values`` with mapclassify.

    ``quantiles``, ``natural_breaks`` (Fisher-Jenks, exact and deterministic) or
    ``equal_interval``. NaN and None are ignored; ``k`` is reduced to the number of
    distinct values when there are fewer, so the legend never shows more classes than
    values. One distinct value gives one class; no values give no class at all. Labels use
    thousands separators, whole numbers for counts, and as many decimals as rates need to
    tell the breaks apart.
    """
    check("scheme", scheme)
    k = check_classes(k)
    arr = _finite(values)
    distinct = np.unique(arr)
    if distinct.size == 0:
        return Classes(scheme, (), (), ())
    integer = bool(np.all(arr == np.round(arr)))
    if distinct.size == 1:
        value = float(distinct[0])
        return Classes(scheme, (value,), palette(1), (format_edges([value], integer)[0],))
    import mapclassify  # imported here: the app's other pages do not need it

    with warnings.catch_warnings():
        # "Numba not installed" and "not enough unique values": both handled here.
        warnings.simplefilter("ignore")
        result = mapclassify.classify(arr, _MAPCLASSIFY[scheme], k=int(min(k, distinct.size)))
    bins = [float(b) for b in np.unique(np.asarray(result.bins, dtype=float))]
    bins[-1] = max(bins[-1], float(arr.max()))
    return Classes(scheme, tuple(bins), palette(len(bins)), tuple(_labels(bins, float(arr.min()), integer, arr)))


DIRECT_MAX = 5  # with this many units with data or fewer, a map labels each value instead of classing them


def classify_for_map(values: Sequence[float], scheme: str = "quantiles", k: int = 5) -> Classes:
    """:func:`classify`, except that :data:`DIRECT_MAX` values or fewer give one class marked ``direct``
    (its label the range of the values): a map of so few units labels each value instead of a legend
    of classes of one unit each."""
    check("scheme", scheme)
    check_classes(k)
    arr = _finite(values)
    if arr.size == 0 or arr.size > DIRECT_MAX:
        return classify(values, scheme, k)
    integer = bool(np.all(arr == np.round(arr)))
    low, high = float(arr.min()), float(arr.max())
    edges = format_edges([low, high], integer)
    label = edges[0] if edges[0] == edges[1] else f"{edges[0]} {DASH} {edges[1]}"
    return Classes(scheme, (high,), palette(1), (label,), direct=True)


def _labels(bins: list[float], low: float, integer: bool, values: np.ndarray | None = None) -> list[str]:
    """Legend labels for classes ``(previous bin, bin]`` that never share an endpoint.

    Counts read by the whole numbers in each class ("4,957 – 6,816", "6,817 – 8,150"). Rates
    read "under 7.5", "7.5 to under 8.8", …, "8.8 and over", each break a short number
    between the largest value of one class and the smallest of the next (:func:`cuts`).
    """
    if integer:
        return _whole_number_labels([low, *bins], format_number)
    if len(bins) == 1:
        edges = format_edges([low, bins[0]], integer)
        return [edges[0] if edges[0] == edges[1] else f"{edges[0]} {DASH} {edges[1]}"]
    texts = _cut_texts(cuts(bins, values))
    labels = [f"under {texts[0]}"]
    labels += [f"{lo} to under {hi}" for lo, hi in zip(texts[:-1], texts[1:])]
    return labels + [f"{texts[-1]} and over"]


def cuts(bins: Sequence[float], values: Sequence[float] | np.ndarray | None = None) -> list[float]:
    """The breaks between classes ``(previous bin, bin]`` as short numbers: each above its class's upper
    bound and at most the smallest value of the next class (so "under" and "to under" are true)."""
    arr = np.unique(np.asarray([] if values is None else values, dtype=float))
    out = []
    for i, upper in enumerate(bins[:-1]):
        above = arr[arr > upper]
        ceiling = float(above[0]) if len(above) else float(bins[i + 1])
        chosen = ceiling
        for decimals in range(0, 7):
            step = 10.0**-decimals
            candidate = round(math.floor(upper / step + 1e-9) * step + step, decimals)
            if upper < candidate <= ceiling:
                chosen = candidate
                break
        out.append(chosen)
    return out


def _cut_texts(breaks: list[float]) -> list[str]:
    """Breaks with one decimal at least (rates read "8.0", not "8") and as many as they need."""
    decimals = max([1] + [len(f"{b:.6f}".rstrip("0").split(".")[1]) for b in breaks])
    return [format_number(b, min(decimals, 6)) for b in breaks]


def _whole_number_labels(edges: list[float], fmt: Callable[[float, int], str]) -> list[str]:
    """Labels of classes ``(edges[i], edges[i + 1]]`` of counts (the first from its lower edge), by the whole numbers in them."""
    labels = []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        start = math.ceil(lo) if i == 0 else math.floor(lo) + 1
        end = math.floor(hi)
        if start > end:  # a class no whole number falls into
            labels.append(f"{fmt(lo, 1)} {DASH} {fmt(hi, 1)}")
        elif start == end:
            labels.append(fmt(start, 0))
        else:
            labels.append(f"{fmt(start, 0)} {DASH} {fmt(end, 0)}")
    return labels


def classify_diverging(values: Sequence[float], k: int = 5) -> Classes:
    """Class breaks for changes, symmetric around 0, with a ColorBrewer PuOr colour each.

    ``k`` (3, 5, 7 or 9) equal-width classes span ``[-m, m]`` where ``m`` is the largest
    absolute change, so the middle class is centred on 0 (no change, near-white), decreases
    are purple and increases orange, and a change and its opposite get mirrored colours.
    NaN and None are ignored. No values give one empty class; all-zero values one
    "no change" class. Labels carry signs (``+1,200``, ``−300``).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise AtlasError(f"number of diverging classes {k!r} is not 3, 5, 7 or 9: pick one of those")
    colors = diverging_palette(int(k))
    arr = _finite(values)
    if arr.size == 0:
        return Classes(DIVERGING_SCHEME, (0.0,), (NO_CHANGE_COLOR,), ("no values",))
    m = float(np.abs(arr).max())
    if m == 0:
        return Classes(DIVERGING_SCHEME, (0.0,), (NO_CHANGE_COLOR,), ("0 (no change)",))
    k = int(k)
    # (2j - k) * m / k: negating an edge is exact, so the breaks mirror exactly around 0.
    edges = [(2 * j - k) * m / k for j in range(k + 1)]
    integer = bool(np.all(arr == np.round(arr)))
    return Classes(DIVERGING_SCHEME, tuple(edges[1:]), colors, tuple(_diverging_labels(edges, integer)))


def _diverging_labels(edges: list[float], integer: bool) -> list[str]:
    """Labels for classes ``(edges[i], edges[i + 1]]`` (the first includes its lower edge)."""
    if integer:
        return _whole_number_labels(edges, signed)
    texts = format_edges(edges, integer)
    decimals = max((len(t.split(".")[1]) if "." in t else 0) for t in texts)
    return [f"{signed(lo, decimals)} {DASH} {signed(hi, decimals)}" for lo, hi in zip(edges[:-1], edges[1:])]
