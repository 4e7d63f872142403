"""Which of two datasets is the older: the time order Compare reads them in.

:func:`time_order` makes the older dataset A and the newer B whatever order they were chosen
in, so every change (``b - a``) is newer minus older. When either date is unknown, or both
fall in the same period (compared at the coarser of their precisions: "2021-11" says nothing
about the day), no time order is claimed: A stays the one chosen first, and
:attr:`TimeOrder.note` says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from geo.core.text import MONTHS
from geo.datasets.dataset import Dataset, parse_when

IN_TIME_ORDER, SAME_PERIOD, DATES_UNKNOWN = "in time order", "same period", "dates unknown"
_FIELDS_AT = {"year": 1, "month": 2, "day": 3, "time": 6}  # how much of a date a value states


@dataclass(frozen=True)
class Dated:
    """A dataset's date as the ordering uses it: "counted" or "published", when, and to what precision."""

    kind: str  # "counted" (the count's date) or "published" (its publication date)
    when: datetime
    precision: str  # "year", "month", "day" or "time"

    def key(self, precision: str) -> tuple[int, ...]:
        """The date cut to ``precision`` (a month says nothing about the day: never order within it)."""
        fields = (self.when.year, self.when.month, self.when.day, self.when.hour, self.when.minute, self.when.second)
        return fields[: _FIELDS_AT[precision]]

    @property
    def label(self) -> str:
        """ "counted 14 Mar 2025", "published Nov 2021", "counted 2025"; a scan's count with its
        UTC time, always (two counts on one day read apart): "counted 1 Dec 2026 06:00 UTC"."""
        month = MONTHS[self.when.month - 1][:3]
        shown = {"year": f"{self.when.year}", "month": f"{month} {self.when.year}"}.get(
            self.precision, f"{self.when.day} {month} {self.when.year}"
        )
        if self.precision == "time":
            shown += f" {self.when:%H:%M} UTC"
        return f"{self.kind} {shown}"


def _precision(text: str) -> str:
    stripped = text.strip()
    return "time" if "T" in stripped else {4: "year", 7: "month"}.get(len(stripped), "day")


def count_time(dataset: Dataset) -> str | None:
    """When a scan's count started (``scan.counted_at`` in its datapackage.json, ISO UTC), if that
    parses and agrees with the dataset's ``date`` (it refines the date, never contradicts it); else None."""
    scan = (dataset.package or {}).get("scan")
    value = scan.get("counted_at") if isinstance(scan, dict) else None
    at = parse_when(value) if isinstance(value, str) and len(value) <= 40 else None
    if at is None:
        return None
    day = parse_when(dataset.date)
    if day is not None:
        precision = _precision(str(dataset.date))
        if Dated("counted", at, "time").key(precision) != Dated("counted", day, precision).key(precision):
            return None
    return value


def dated(dataset: Dataset) -> Dated | None:
    """When ``dataset``'s counts are from (its count's time (:func:`count_time`), else its count
    date, else its publication date, as :func:`geo.datasets.dataset.parse_when` reads them), with the
    precision its text states; None when none is a date."""
    counted = count_time(dataset) or dataset.date
    for kind, text in (("counted", counted), ("published", dataset.published)):
        when = parse_when(text)
        if when is not None:
            return Dated(kind, when, _precision(str(text)))
    return None


def date_words(dataset: Dataset) -> str:
    """The dataset's date in a few words: "counted 14 Mar 2025", "published Nov 2021", "date not stated"."""
    when = dated(dataset)
    return when.label if when else "date not stated"


@dataclass(frozen=True)
class TimeOrder:
    """Two datasets as A and B, and whether going from A to B goes forward in time.

    ``kind``: :data:`IN_TIME_ORDER` (A is the older, B the newer, whichever was chosen
    first), :data:`SAME_PERIOD` (both dated, neither known to be the older) or
    :data:`DATES_UNKNOWN` (one or both undated). In the last two A is the dataset chosen
    first (the sidebar's), and nothing here reads as a change over time.
    ``swapped``: A is not the dataset chosen first.
    """

    a: Dataset
    b: Dataset
    kind: str
    swapped: bool = False

    @property
    def in_time_order(self) -> bool:
        """True when A is known to be older than B."""
        return self.kind == IN_TIME_ORDER

    @property
    def label_a(self) -> str:
        """A in a label: "A (older)" in time order, else "A"."""
        return "A (older)" if self.in_time_order else "A"

    @property
    def label_b(self) -> str:
        """B in a label: "B (newer)" in time order, else "B"."""
        return "B (newer)" if self.in_time_order else "B"

    @property
    def arrow(self) -> str:
        """How "a → b" reads: "older → newer", or "A → B as chosen" when there is no time order."""
        return "older → newer" if self.in_time_order else "A → B as chosen"

    @property
    def change_label(self) -> str:
        """The change's heading: "Change (newer − older)", or "Change (B − A)"."""
        return "Change (newer \u2212 older)" if self.in_time_order else "Change (B \u2212 A)"

    @property
    def caveat(self) -> str:
        """A few words for a headline without a time order ("" in time order)."""
        return {SAME_PERIOD: "same date: A → B as chosen", DATES_UNKNOWN: "dates unknown: A → B as chosen"}.get(
            self.kind, ""
        )

    @property
    def note(self) -> str:
        """One line on how A and B are ordered, never claiming a time order it does not have."""
        a, b = (f"{d.short_name}, {date_words(d)}" for d in (self.a, self.b))
        if self.kind == IN_TIME_ORDER:
            return f"In time order: A is the older ({a}), B the newer ({b}); every change is newer minus older"
        if self.kind == SAME_PERIOD:
            return (
                f"Same date: A ({a}) and B ({b}) are from the same period, so neither is known to be the older: "
                "A → B as chosen, and a change is a difference between the two, not a change over time"
            )
        undated = [name for name, d in (("A", self.a), ("B", self.b)) if dated(d) is None]
        return (
            f"Dates unknown: A → B as chosen (A: {a}; B: {b}); with {' and '.join(undated)} undated, no change here "
            "is a change over time: give each dataset its date to read them in time order"
        )


def time_order(chosen: Dataset, other: Dataset) -> TimeOrder:
    """``chosen`` and ``other`` as A and B: the older is A and the newer B when both dates are
    known and differ at the coarser of their precisions ("2021-11" and "2021-11-20" are the
    same period); otherwise A is ``chosen``, and the order says why."""
    first, second = dated(chosen), dated(other)
    if first is None or second is None:
        return TimeOrder(chosen, other, DATES_UNKNOWN)
    coarser = min(first.precision, second.precision, key=list(_FIELDS_AT).index)
    if first.key(coarser) == second.key(coarser):
        return TimeOrder(chosen, other, SAME_PERIOD)
    if first.key(coarser) < second.key(coarser):
        return TimeOrder(chosen, other, IN_TIME_ORDER)
    return TimeOrder(other, chosen, IN_TIME_ORDER, swapped=True)
