"""The words around a trend chart: the finding as a title, the figures and dates, alt text, footnotes and the source.

:func:`finding` states the change over the last unbroken run (:attr:`geo.figures.history.Series.last_run`)
in at most :data:`MAX_TITLE_WORDS` words: the national figure when there is one at both ends,
else the area with the largest change (or the one asked for). It never states a change when
the series has none to read (:attr:`~geo.figures.history.Series.comparable` false). The unit follows
the count's method (:mod:`geo.figures.count_method`): a study's or a table's *networks*, a live count's
*results*, written "internet-exposed … services" (one Shodan result is one service, an IP
address and port; neither a camera nor a network). :func:`subtitle` gives the figures and
dates, :func:`alt_text` the chart for screen readers, :func:`footnotes` the breaks and gaps a
reader needs, and :func:`attribution` the source line naming every dataset's source and dates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geo.core.errors import AtlasError
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, one_line, shown, word_list
from geo.figures.count_method import SCAN_UNIT, count_method
from geo.figures.history import Point, Series
from geo.figures.vocabulary import LEVEL_UNITS, VENDOR_PHRASES
from geo.names.keys import display_name
from geo.pictures import captions
from geo.pictures.captions import APP_NAME, Caption
from geo.pictures.finding import MAX_TITLE_WORDS, words  # one bound, one count, for every title: maps' and charts'
from geo.pictures.numbers import format_value, signed
from geo.pictures.trends.dates import date_range, short_date, since_words

BARELY_PCT = 2.0  # a change within ±2% "barely changed"
FRACTION_SLACK = 1.5  # percentage points within which a change is "a third", "a quarter", …
NAME_CHARS = 40  # an area's name in a title (a saved zip can name a place anything)
NOTE_CHARS = 300
MAX_NOTES = 6
MAX_SOURCES = 4  # sources named one by one in the source line; the rest are counted
DATES_LISTED = 4  # a source's dates listed one by one up to this many; beyond, first to last
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
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


def _value(x: float | None) -> float | None:
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


def _rows_of(series: Series, units: Sequence[str] | None) -> np.ndarray:
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
        and _value(series.points[first].national) is not None
        and _value(series.points[last].national) is not None
    ):
        return Subject(None, "the UK", series.points[first].national, series.points[last].national)
    else:
        rows = _rows_of(series, units)
        change = series.change[rows]
        finite = ~np.isnan(change)
        if not finite.any():
            return None
        pool = finite & series.same_coverage[rows] if (finite & series.same_coverage[rows]).any() else finite
        names = series.units["name"].astype(str).to_numpy()[rows]
        candidates = sorted(np.flatnonzero(pool), key=lambda i: (-abs(change[i]), names[i]))
        row = int(rows[candidates[0]])
    return Subject(row, unit_name(series, row), _value(series.values[row, first]), _value(series.values[row, last]))


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


def _number_word(n: int) -> str:
    return _NUMBERS[n] if n < len(_NUMBERS) else f"{n:,}"


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


# -- figures, alt text, notes, source ---------------------------------------------------------


def _pct(start: float | None, end: float | None) -> str:
    if start is None or end is None or not start:
        return ""
    return f" ({signed((end - start) / start * 100, 0)}%)"


def _figures(series: Series, about: Subject) -> str:
    """ "52,340 to 41,210 Shodan results (−21%)" (Roboto has no arrow glyph)."""
    last = series.last_run[1]
    fmt = lambda v: format_value(series.metric, v)  # noqa: E731
    unit = unit_words(series.points[last], series.metric)
    return f"{fmt(about.start)} to {fmt(about.end)} {unit}{_pct(about.start, about.end)}"


def _run_ends(series: Series) -> list[tuple[Point, Point]]:
    """Each run's first and last point, in date order."""
    ends: dict[int, list[Point]] = {}
    for point in series.points:
        ends.setdefault(point.run, []).append(point)
    return [(points[0], points[-1]) for points in ends.values()]


def subtitle(series: Series, focus: str | None = None, units: Sequence[str] | None = None) -> str:
    """The figures and dates of the finding: "National: 52,340 to 41,210 Shodan results (−21%), counted 1 Sep to 1 Dec 2026"."""
    first, last = series.last_run
    dates = date_range(series.points[first].when, series.points[last].when)
    about = subject(series, focus, units) if series.comparable else None
    if about is not None and about.has_change:
        who = "National" if about.national else about.name
        text = f"{who}: {_figures(series, about)}, {dates}."
    elif series.comparable:
        text = f"{LEVEL_UNITS[series.level][1].capitalize()}, {dates}."
    else:  # no change to read: each line's latest national figure, with its unit and date
        parts = []
        for _, end in _run_ends(series)[-2:]:  # the last two lines: what the latest count cannot be compared with
            value = _value(end.national)
            figure = (
                f"{format_value(series.metric, value)} {unit_words(end, series.metric)}"
                if value is not None
                else ("no national figure")
            )
            source = (
                "" if counts_results(end) else f"{one_line(end.dataset.short_name, 60)}, "
            )  # a scan's unit names its provider
            parts.append(f"{figure} ({source}{end.label})")
        text = f"National: {'; '.join(parts)}. Counted differently, so not comparable."
    return one_line(text, 2 * MAX_SUBTITLE)


def alt_text(series: Series, focus: str | None = None, units: Sequence[str] | None = None) -> str:
    """The chart for screen readers: "[chart type] of [data] where [finding]", then breaks and gaps."""
    vendor, metric = vendor_phrase(series), series.metric
    first, last = series.last_run
    span = f"at {len(series.points)} dates, {date_range(series.points[0].when, series.points[-1].when)}"
    what = f"{vendor} {' then '.join(dict.fromkeys(unit_words(p, metric) for p in series.points))}"
    if units is None and focus is not None:
        units = [focus]  # a chart about one area draws that area
    rows = _rows_of(series, units)
    if units is None:
        text = f"Line chart of the national figure of {what}, {span}"
        about = subject(series) if series.comparable else None
        if about is not None and about.national:
            since = since_words(series.points[first].when, series.points[last].when)
            text += f", where it went from {_figures(series, about)} {since}."
        else:
            text += ", with no change to read within one method."
    else:
        if len(rows) == 1:
            text = f"Line chart of {what} in {unit_name(series, int(rows[0]))}, {span}"
        else:
            text = (
                f"Small line charts of {what} for {_number_word(len(rows))} {LEVEL_UNITS[series.level][1]}, "
                f"the largest latest figures first, {span}"
            )
        each = []
        for row in rows:
            about = Subject(
                row, unit_name(series, row), _value(series.values[row, first]), _value(series.values[row, last])
            )
            each.append(
                f"{about.name} {_figures(series, about)}"
                if about.has_change
                else f"{about.name} no figure at both ends"
            )
        text += f", where over the latest line: {'; '.join(each)}." if series.comparable else "."
    breaks = sum(1 for p in series.points if p.break_note)
    if breaks:
        text += (
            f" The line breaks {_number_word(breaks) if breaks > 1 else 'once'}{' times' if breaks > 1 else ''} "
            "where the counting method changes; the parts are drawn apart, each on its own scale."
        )
    national = [math.nan if _value(p.national) is None else float(p.national) for p in series.points]
    drawn = series.values[rows] if units is not None else np.array([national])
    if np.isnan(drawn).any():
        text += " Dates without a figure are gaps, not zeros."
    return text


def _gap_summary(series: Series, rows: np.ndarray) -> str:
    """One line for the gaps of the areas in ``rows``: how many lack a figure at some date, and why (unknown, not zero)."""
    missing = np.isnan(series.values[rows])
    if not missing.any():
        return ""
    count = int(missing.any(axis=1).sum())
    one, many = LEVEL_UNITS[series.level]
    reasons = list(dict.fromkeys(p.gap_words for i, p in enumerate(series.points) if missing[:, i].any()))
    return (
        f"Gaps are unknowns, not zeros: {count:,} {one if count == 1 else many} "
        f"{'has' if count == 1 else 'have'} no figure at some dates ({'; '.join(reasons)})."
    )


def _without_gap_notes(series: Series) -> list[str]:
    """``series.notes`` without the one-line-per-date gap notes :func:`_gap_summary` replaces.

    :func:`geo.figures.history.build_series` writes them after every other note but the coverage note;
    each names its date and why. When they are not found where expected, every note is kept."""
    notes = list(series.notes)
    dates = [p for i, p in enumerate(series.points) if np.isnan(series.values[:, i]).any()]
    if not dates:
        return notes
    tail = 1 if series.comparable and notes and "coverage" in notes[-1] else 0
    block = notes[len(notes) - tail - len(dates) : len(notes) - tail]
    if len(block) == len(dates) and all(n.startswith(p.label) and p.gap_words in n for n, p in zip(block, dates)):
        return notes[: len(notes) - tail - len(dates)] + notes[len(notes) - tail :]
    return notes


def footnotes(series: Series, units: Sequence[str] | None = None) -> tuple[str, ...]:
    """What a reader of the chart needs: breaks, datasets left out, dates of one period, the
    national figure's gaps, one line for the gaps of ``units`` (every area when None; none for a
    chart of the national line alone: ``()``), coverage changes; at most :data:`MAX_NOTES`."""
    notes = [one_line(n, NOTE_CHARS) for n in _without_gap_notes(series)]
    if any(p.break_note for p in series.points):
        notes.append("Time is to scale within each line, not across a break.")
    no_national = [p for p in series.points if _value(p.national) is None]
    if no_national and len(no_national) < len(series.points):
        where = ", ".join(f"{p.dataset.short_name} ({p.label})" for p in no_national[:3])
        more = f" and {len(no_national) - 3:,} more" if len(no_national) > 3 else ""
        notes.append(
            one_line(f"No national figure in {where}{more}: no point is drawn there (unknown, not zero).", NOTE_CHARS)
        )
    gaps = _gap_summary(series, _rows_of(series, units))
    notes += [gaps] if gaps else []
    if len(notes) > MAX_NOTES:
        notes = notes[: MAX_NOTES - 1] + [f"And {len(notes) - MAX_NOTES + 1:,} more notes with the series' table."]
    return tuple(notes)


def _dates_of(points: Sequence[Point]) -> str:
    """One source's dates: "published Nov 2021", "counted 1 Sep, 1 Oct and 1 Nov 2026", "36 counts, counted 1 Jan 2024 to 1 Dec 2026"."""
    if len(points) == 1:
        return points[0].label
    if len(points) > DATES_LISTED or len({p.when.kind for p in points}) > 1:
        return f"{len(points):,} counts, {date_range(points[0].when, points[-1].when)}"
    one_year = len({p.when.when.year for p in points}) == 1 and all(p.when.precision != "year" for p in points)
    shown_dates = [short_date(p.when, year=not one_year or i == len(points) - 1) for i, p in enumerate(points)]
    return f"{points[0].when.kind} {word_list(shown_dates)}"


def attribution(series: Series) -> captions.Attribution:
    """The chart's source and credit: every dataset's source (as :func:`geo.pictures.captions.attribution`
    names it) with its dates, then the official data's lines; credit "Chart: UK Camera Atlas"."""
    groups: dict[str, list[Point]] = {}
    for point in series.points:
        groups.setdefault(captions.attribution(point.dataset).counts, []).append(point)
    named = [f"{source}, {_dates_of(points)}" for source, points in list(groups.items())[:MAX_SOURCES]]
    if len(groups) > MAX_SOURCES:
        named.append(f"and {len(groups) - MAX_SOURCES:,} more sources")
    return captions.Attribution("; ".join(named), credit_line=f"Chart: {APP_NAME}")


def caption(
    series: Series,
    focus: str | None = None,
    units: Sequence[str] | None = None,
    title_text: str | None = None,
    subtitle_text: str | None = None,
) -> Caption:
    """Every text of a trend chart; ``title_text``/``subtitle_text`` (a user's, literal) replace the written ones."""
    credit = attribution(series)
    given_title, given_subtitle = one_line(title_text, MAX_TITLE), one_line(subtitle_text, MAX_SUBTITLE)
    return Caption(
        title=given_title or finding(series, focus, units),
        subtitle=given_subtitle or subtitle(series, focus, units),
        notes=footnotes(series, units if units is not None else ()),
        source=credit.source_line,
        credit=credit.credit_line,
        alt=alt_text(series, focus, units),
    )
