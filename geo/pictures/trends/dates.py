"""Dates as a trend chart writes them: "1 Sep 2026", "counted 1 Sep to 1 Dec 2026", "since January".

Each reads a :class:`geo.datasets.time_order.Dated` (a dataset's date with its kind and precision), so a
count dated to the day or to the minute reads right either way. Month names are English; a
date never says more than its precision ("Nov 2021" for a month, never "1 Nov 2021").
"""

from __future__ import annotations

from geo.core.text import MONTHS
from geo.datasets.time_order import Dated


def _month(d: Dated) -> str:
    return MONTHS[d.when.month - 1][:3]


def short_date(d: Dated, year: bool = True) -> str:
    """A date as a chart writes it, to its precision: "2021", "Nov 2021", "1 Sep 2026" (without the year: "1 Sep")."""
    if d.precision == "year":
        return str(d.when.year)
    tail = f" {d.when.year}" if year else ""
    if d.precision == "month":
        return f"{_month(d)}{tail}"
    return f"{d.when.day} {_month(d)}{tail}"


def date_range(first: Dated, last: Dated) -> str:
    """Two dates as one phrase with their kind: "counted 1 Sep to 1 Dec 2026", "Nov 2021 (published) to 1 Dec 2026 (counted)"."""
    if first.kind == last.kind:
        if first.precision == last.precision == "time" and first.key("day") == last.key("day"):
            return f"{first.kind} {short_date(first)}, {first.when:%H:%M} to {last.when:%H:%M} UTC"
        same_year = first.when.year == last.when.year and "year" not in (first.precision, last.precision)
        return f"{first.kind} {short_date(first, year=not same_year)} to {short_date(last)}"
    return f"{short_date(first)} ({first.kind}) to {short_date(last)} ({last.kind})"


def since_words(first: Dated, last: Dated) -> str:
    """ "since January" (both ends in one year), "since September 2025", "since 2021", "since 1 December"."""
    a, b = first.when, last.when
    month = MONTHS[a.month - 1]
    if first.precision == "year":
        return f"since {a.year}"
    if a.year != b.year:
        return f"since {month} {a.year}"
    if first.precision == "month" or a.month != b.month:
        return f"since {month}"
    if first.precision == "day" or a.day != b.day:
        return f"since {a.day} {month}"
    return f"since {a:%H:%M} UTC"
