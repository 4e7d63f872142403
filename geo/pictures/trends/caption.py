"""A trend chart's caption: the finding's figures and dates, alt text, footnotes and the source line.

:func:`subtitle` gives the figures and dates of the finding, :func:`alt_text` the chart for
screen readers, :func:`footnotes` the breaks and gaps a reader needs (gaps are unknowns, never
zeros), and :func:`attribution` the source line naming every dataset's source and dates.
:func:`caption` puts them together with the title (:func:`geo.pictures.trends.words.finding`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from geo.core.text import MAX_SUBTITLE, MAX_TITLE, one_line, word_list
from geo.figures.history import Point, Series
from geo.figures.vocabulary import LEVEL_UNITS
from geo.pictures import captions
from geo.pictures.captions import APP_NAME, Caption
from geo.pictures.numbers import format_value, signed
from geo.pictures.trends.dates import date_range, short_date, since_words
from geo.pictures.trends.words import (
    Subject,
    counts_results,
    finding,
    known,
    subject,
    unit_name,
    unit_rows,
    unit_words,
    vendor_phrase,
)

NOTE_CHARS = 300
MAX_NOTES = 6
MAX_SOURCES = 4  # sources named one by one in the source line; the rest are counted
DATES_LISTED = 4  # a source's dates listed one by one up to this many; beyond, first to last
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _number_word(n: int) -> str:
    """``n`` in words up to ten ("three"), in figures beyond."""
    return _NUMBERS[n] if n < len(_NUMBERS) else f"{n:,}"


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
            value = known(end.national)
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
    rows = unit_rows(series, units)
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
                row, unit_name(series, row), known(series.values[row, first]), known(series.values[row, last])
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
    national = [math.nan if (value := known(p.national)) is None else value for p in series.points]
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
    no_national = [p for p in series.points if known(p.national) is None]
    if no_national and len(no_national) < len(series.points):
        where = ", ".join(f"{p.dataset.short_name} ({p.label})" for p in no_national[:3])
        more = f" and {len(no_national) - 3:,} more" if len(no_national) > 3 else ""
        notes.append(
            one_line(f"No national figure in {where}{more}: no point is drawn there (unknown, not zero).", NOTE_CHARS)
        )
    gaps = _gap_summary(series, unit_rows(series, units))
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
