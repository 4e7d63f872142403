"""A trend chart's title: the finding, what it is about and what is counted.

:func:`finding` states the change over the last unbroken run (:attr:`geo.figures.history.Series.last_run`)
in at most :data:`MAX_TITLE_WORDS` words: the national figure when there is one at both ends,
else the area with the largest change (or the one asked for). It never states a change when
the series has none to read (:attr:`~geo.figures.history.Series.comparable` false). The unit follows
the count's method (:mod:`geo.figures.count_method`): a study's or a table's *networks*, a live count's
*results*, written "internet-exposed … services" (one Shodan result is one service, an IP
address and port; neither a camera nor a network). The words under the title (figures and
dates, alt text, footnotes, source) are :mod:`geo.pictures.trends.caption`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geo.core.errors import AtlasError
from geo.core.text import one_line, shown
from geo.figures.count_method import SCAN_UNIT, count_method
from geo.figures.history import Point, Series
from geo.figures.vocabulary import LEVEL_UNITS, VENDOR_PHRASES
from geo.names.keys import display_name
from geo.pictures.finding import MAX_TITLE_WORDS, words  # one bound, one count, for every title: maps' and charts'
from geo.pictures.trends.dates import since_words

BARELY_PCT = 2.0  # a change within ±2% "barely changed"
FRACTION_SLACK = 1.5  # percentage points within which a change is "a third", "a quarter", …
NAME_CHARS = 40  # an area's name in a title (a saved zip can name a place anything)
_METRIC_WORDS = {"networks": "", "per_1k": " per resident", "per_km2": " per km²"}
_METRIC_UNITS = {"networks": "", "per_1k": " per 1,000 residents", "per_km2": " per km²"}
# (share of the first value, the words for a rise, for a fall), read within FRACTION_SLACK points.
_FRACTIONS = (
    (25.0, "by a quarter"),
    (100 / 3, "by a third"),
    (50.0, "by half"),
    (200 / 3, "by two-thirds"),
    (75.0, "by three-quarters"),
)


@dataclass(frozen=True)
class Subject:
    """What a finding is about: the national figure (``row`` None) or one area's row, with its two ends."""

    row: int | None
    name: str  # "the UK", "Manchester"
    start: float | None
    end: float | None

    @property
    def national(self) -> bool:
        """True for the national figure."""
        return self.row is None

    @property
    def has_change(self) -> bool:
        """True when both ends have a figure."""
        return self.start is not None and self.end is not None


# -- what is counted --------------------------------------------------------------------------


def vendor_phrase(series: Series) -> str:
    """The vendor as the counts show it: "Hikvision and Dahua", "Hikvision" (a combined series of
    Hikvision-only tables is never called "Hikvision and Dahua")."""
    shown_vendors = {p.dataset.shown_vendor(series.vendor) for p in series.points}
    return VENDOR_PHRASES[shown_vendors.pop() if len(shown_vendors) == 1 else series.vendor]


def counts_results(point: Point) -> bool:
    """True when ``point``'s dataset counts a scanner's results (services), not networks."""
    return count_method(point.dataset).unit == SCAN_UNIT


def unit_words(point: Point, metric: str) -> str:
    """What one figure of ``point`` is, for figures: "Shodan results", "networks per 1,000 residents"."""
    method = count_method(point.dataset)
    noun = f"{method.provider} results" if method.unit == SCAN_UNIT else "networks"
    return one_line(noun, 60) + _METRIC_UNITS[metric]


def _subjects(series: Series, vendor: str) -> list[str]:
    """The thing counted, longest first: "Internet-exposed Hikvision services", "Hikvision services"."""
    last = series.points[series.last_run[1]]
    per = _METRIC_WORDS[series.metric]
    if counts_results(last):
        return [f"Internet-exposed {vendor} services{per}", f"{vendor} services{per}"]
    return [f"{vendor} networks{per}"]


# -- what the finding is about ----------------------------------------------------------------


def known(x: float | None) -> float | None:
    """``x`` as a float, or None when it is missing (None or NaN): missing is never zero."""
    return None if x is None or math.isnan(float(x)) else float(x)


def unit_name(series: Series, row: int) -> str:
    """An area's name as a title writes it (one bounded line; ONS's "Bristol, City of" as "Bristol")."""
    return one_line(display_name(str(series.units["name"].iloc[row])), NAME_CHARS)


def row_of(series: Series, code: str) -> int:
    """The row of the area whose code is ``code``; a one-line AtlasError when the series has none."""
    rows = np.flatnonzero(series.units["code"].astype(str).to_numpy() == str(code))
    if not len(rows):
        raise AtlasError(f"area {shown(code)!r} is not in this series: pick one of its areas")
    return int(rows[0])


def unit_rows(series: Series, units: Sequence[str] | None) -> np.ndarray:
    """The rows of ``units`` (unit codes), in row order; every row when None."""
    if units is None:
        return np.arange(len(series.units))
    return np.array(sorted({row_of(series, code) for code in units}), dtype=int)


def subject(series: Series, focus: str | None = None, units: Sequence[str] | None = None) -> Subject | None:
    """What the finding is about: ``focus`` (a unit code) when given; else the national figure
    when it has both ends of the last run (and ``units`` is not given); else the area (among
    ``units``) with the largest absolute change, preferring one whose coverage did not change.
    None when no area has a figure at both ends."""
    first, last = series.last_run
    if focus is not None:
        row = row_of(series, focus)
    elif (
        units is None
        and known(series.points[first].national) is not None
        and known(series.points[last].national) is not None
    ):
        return Subject(None, "the UK", series.points[first].national, series.points[last].national)
    else:
        rows = unit_rows(series, units)
        change = series.change[rows]
        finite = ~np.isnan(change)
        if not finite.any():
            return None
        pool = finite & series.same_coverage[rows] if (finite & series.same_coverage[rows]).any() else finite
        names = series.units["name"].astype(str).to_numpy()[rows]
        candidates = sorted(np.flatnonzero(pool), key=lambda i: (-abs(change[i]), names[i]))
        row = int(rows[candidates[0]])
    return Subject(row, unit_name(series, row), known(series.values[row, first]), known(series.values[row, last]))


def change_words(start: float, end: float) -> tuple[str, str]:
    """The change from ``start`` to ``end`` in words, long and short: ("fell by a third", "fell 33%"),
    ("nearly doubled", "rose 93%"), ("barely changed", "barely changed")."""
    if start == 0:
        return ("stayed at zero",) * 2 if end == 0 else (f"rose from zero to {end:,.0f}",) * 2
    pct = (end - start) / start * 100
    verb = "rose" if pct > 0 else "fell"
    short = f"{verb} {abs(pct):.0f}%"
    ratio = end / start
    if abs(pct) <= BARELY_PCT:
        return "barely changed", "barely changed"
    if abs(pct - 100) <= FRACTION_SLACK:
        return "doubled", short
    if 85 <= pct < 100:
        return "nearly doubled", short
    if abs(ratio - 3) <= FRACTION_SLACK / 100:
        return "tripled", short
    if abs(pct + 50) <= FRACTION_SLACK:
        return "halved", short
    for share, fraction in _FRACTIONS:
        if abs(abs(pct) - share) <= FRACTION_SLACK:
            return f"{verb} {fraction}", short
    if ratio >= 2:
        return f"rose {ratio:.1f}-fold".replace(".0-", "-"), short
    return short, short


def _fit(candidates: Sequence[str]) -> str:
    """The first candidate of at most MAX_TITLE_WORDS words; else the last, cut to that many words."""
    for text in candidates:
        if words(text) <= MAX_TITLE_WORDS:
            return text
    return " ".join(candidates[-1].split()[: MAX_TITLE_WORDS - 1]) + " …"


def finding(series: Series, focus: str | None = None, units: Sequence[str] | None = None) -> str:
    """The finding as a title of at most ten words: "Internet-exposed Hikvision services in Manchester
    fell by a third since January", "Hikvision networks in the UK rose 12% since September 2025".

    Over the last unbroken run only. ``focus``: the area (unit code) the title is about;
    ``units``: the areas a chart draws (the finding is then about one of them, not the
    national figure). Never states a change without one to read.
    """
    vendor = vendor_phrase(series)
    first, last = series.last_run
    if not series.comparable:
        if len(series.points) == 2:
            return _fit(
                [f"Two {vendor} counts, made differently: not comparable", f"Two {vendor} counts, not comparable"]
            )
        return _fit(
            [f"Latest {vendor} count made differently: nothing to compare", f"Latest {vendor} count made differently"]
        )
    about = subject(series, focus, units)
    where_many = LEVEL_UNITS[series.level][0]
    if about is None:
        return _fit(
            [f"No {where_many} has {vendor} figures at both dates", f"No {where_many} has figures at both dates"]
        )
    if not about.has_change:
        return _fit([f"{about.name}: no {vendor} figure at both dates", f"{about.name}: no figure at both dates"])
    assert about.start is not None and about.end is not None  # has_change: both ends are known
    long, short = change_words(about.start, about.end)
    since = since_words(series.points[first].when, series.points[last].when)
    the = (
        "the "
        if about.row is not None
        and series.level == "region"
        and about.name.split()[0] in ("North", "South", "East", "West")
        else ""
    )
    where = "in the UK" if about.national else f"in {the}{about.name}"
    subjects, changes = _subjects(series, vendor), list(dict.fromkeys((long, short)))
    # Shortened step by step: plain figures for fractions, "services" without "Internet-exposed",
    # "UK …" for "… in the UK", then without "since …" (the subtitle gives the dates).
    candidates = [f"{s} {where} {c} {since}" for s in subjects for c in changes]
    if about.national:
        candidates += [f"UK {subjects[-1]} {c} {since}" for c in changes]
    candidates += [c.rsplit(" since ", 1)[0] for c in candidates]
    return _fit(candidates)
