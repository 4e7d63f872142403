"""What a match report says in a line: the places and rows it matched, and the networks it could not place.

A name that is ambiguous (several places of that name), unmatched, or conflicting (its
``lad_code`` says one place, its name another) puts its networks on no map. Every page
showing totals from such a dataset, and ``python -m geo table`` / ``snapshot`` on stderr,
says so in the same one line (:attr:`Unplaced.line`), so no count vanishes without a word.

Counts name what they count: places (distinct places the matched rows resolve to; "London"
and "Greater London" are one), names (distinct names as written) or rows (observations; a
wide table has one per place and vendor), as in "70 places in 136 rows"
(:class:`MatchCounts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.core.text import shown

NAMES_LISTED = 5  # names the line quotes before "and N more"
NAME_CHARS = 40  # each quoted name cut to this (the line stays one readable line)
FIX_HINT = "fix them on the Data page"


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` with its noun: "1 place", "70 places", "6,090 networks"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def reasons(report: pd.DataFrame) -> pd.Series:
    """Each row's reason for being off the map ("ambiguous", "conflicting", "unmatched"), or None if matched.

    A conflicting row is reported ``ambiguous`` by the resolver with method ``code`` (its
    lad_code and its name name different places).
    """
    status = report["status"].astype(object)
    conflicting = status.eq("ambiguous") & report["method"].astype(object).eq("code")
    return status.where(~conflicting, "conflicting").where(status.ne("matched"), None)


@dataclass(frozen=True)
class Unplaced:
    """The networks a table's rows hold that are on no map, and the names (with their reason) holding them."""

    networks: int = 0
    names: tuple[tuple[str, str], ...] = ()  # (name as written, reason), most networks first

    def __bool__(self) -> bool:
        return bool(self.names)

    @property
    def line(self) -> str:
        """One line: "6,090 networks in 2 names are not on the map: Newport, Bangor (ambiguous) — fix them on the
        Data page"; empty when every name is placed. Names are quoted via :func:`geo.core.text.shown`."""
        if not self.names:
            return ""
        listed = self.names[:NAMES_LISTED]
        groups: dict[str, list[str]] = {}
        for name, reason in listed:
            groups.setdefault(reason, []).append(shown(name, NAME_CHARS))
        parts = "; ".join(f"{', '.join(names)} ({reason})" for reason, names in groups.items())
        more = len(self.names) - len(listed)
        if more > 0:
            parts += f"; and {counted(more, 'more name')}"
        verb = "is" if self.networks == 1 else "are"
        return (
            f"{counted(self.networks, 'network')} in {counted(len(self.names), 'name')} {verb} not on the map: "
            f"{parts} — {FIX_HINT}"
        )


def unplaced(report: pd.DataFrame, vendor: str = "all") -> Unplaced:
    """The networks of ``vendor`` in rows of ``report`` (a match report) whose names placed nothing.

    ``all`` counts a name's Hikvision and Dahua rows and, where it has no split, its
    combined row (never both: that would count it twice, as :func:`geo.figures.metrics.vendor_rows` does).
    """
    why = reasons(report)
    rows = report.assign(reason=why)[why.notna()]
    if vendor != "all":
        rows = rows[rows["vendor"] == vendor]
    elif len(rows):
        split = rows["vendor"].ne("all").groupby(rows["input"]).transform("any")
        rows = rows[~(split & rows["vendor"].eq("all"))]
    if rows.empty:
        return Unplaced()
    by_name = rows.groupby("input", sort=False).agg(networks=("networks", "sum"), reason=("reason", "first"))
    by_name = by_name.sort_values("networks", ascending=False, kind="stable")
    return Unplaced(
        networks=int(by_name["networks"].sum()),
        names=tuple((str(name), str(reason)) for name, reason in zip(by_name.index, by_name["reason"])),
    )


@dataclass(frozen=True)
class MatchCounts:
    """How a match report's rows resolved, counted as places, names and rows."""

    places: int  # distinct places the matched rows (national figures excluded) resolve to
    matched_rows: int
    national_rows: int  # rows holding a national figure ("United Kingdom")
    ambiguous_names: int
    ambiguous_rows: int
    unmatched_names: int
    unmatched_rows: int
    rows: int

    @property
    def matched(self) -> str:
        """ "70 places in 136 rows"."""
        return f"{counted(self.places, 'place')} in {counted(self.matched_rows, 'row')}"

    @property
    def summary(self) -> str:
        """ "140 rows: 70 places in 136 rows matched, 2 names in 4 rows ambiguous." (the parts that occur)."""
        parts = [f"{self.matched} matched"]
        if self.national_rows:
            parts.append(f"{counted(self.national_rows, 'row')} with a national figure")
        if self.ambiguous_rows:
            parts.append(f"{self.ambiguous} ambiguous")
        if self.unmatched_rows:
            parts.append(f"{self.unmatched} unmatched")
        return f"{counted(self.rows, 'row')}: {', '.join(parts)}."

    @property
    def ambiguous(self) -> str:
        """ "2 names in 4 rows" (conflicting lad_codes included: the report calls them ambiguous)."""
        return f"{counted(self.ambiguous_names, 'name')} in {counted(self.ambiguous_rows, 'row')}"

    @property
    def unmatched(self) -> str:
        """ "1 name in 1 row"."""
        return f"{counted(self.unmatched_names, 'name')} in {counted(self.unmatched_rows, 'row')}"


def match_counts(report: pd.DataFrame) -> MatchCounts:
    """Count a match report (:func:`geo.figures.metrics.match_report`) by places, names and rows."""
    status = report["status"].astype(object)
    national = report["national"].astype(bool)
    places = report[status.eq("matched") & ~national]
    keys = {" ".join(sorted(codes)) for codes in places["lad_codes"]}

    def names(which: str) -> tuple[int, int]:
        rows = report[status.eq(which)]
        return rows["input"].nunique(), len(rows)

    ambiguous, unmatched = names("ambiguous"), names("unmatched")
    return MatchCounts(
        places=len(keys),
        matched_rows=len(places),
        national_rows=int((status.eq("matched") & national).sum()),
        ambiguous_names=ambiguous[0],
        ambiguous_rows=ambiguous[1],
        unmatched_names=unmatched[0],
        unmatched_rows=unmatched[1],
        rows=len(report),
    )
