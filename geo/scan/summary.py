"""A scan's cities resolved to local authorities, and each vendor's total accounted for.

:func:`summarise` resolves every city name of a :class:`geo.scan.provider.ScanResult` with the
project's resolver (each distinct name once, in batches, with a progress call between
batches that may stop the work when the session has gone; no more names than a dataset may
hold) and accounts for each vendor's total: the shares held by resolved,
ambiguous and unmatched cities, and the remainder no city facet attributes. The country is
known (the scan filters on it) but a city facet carries only a name, so an ambiguous UK name
("Newport": Wales, Isle of Wight or Shropshire) stays ambiguous; a ``region`` facet would not
help, because facets are counted separately and do not say which region a city's results
are in (that would take one call per region). Writing the result as a dataset is
:mod:`geo.scan.as_dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.core.text import shown
from geo.datasets.limits import MAX_TABLE_PLACES_ENV, max_table_places
from geo.names.keys import normalise_name
from geo.names.places import Resolver
from geo.names.resolution import Resolution
from geo.scan.provider import ProgressFn, ScanError, ScanResult, VendorCount

STATUSES = ("resolved", "ambiguous", "unmatched")
RESOLVE_BATCH = 250  # city names resolved between two progress calls (a batch takes well under a second)


@dataclass(frozen=True)
class VendorSummary:
    """How one vendor's total is accounted for: ``results`` and ``cities`` per status, and the remainder."""

    vendor: str
    query: str
    total: int
    remainder: int
    cities: dict[str, int]  # status → number of city names
    results: dict[str, int]  # status → results those cities hold

    def share(self, status: str) -> float:
        """Share of the total held by ``status`` (``resolved``, ``ambiguous``, ``unmatched`` or ``remainder``)."""
        held = self.remainder if status == "remainder" else self.results[status]
        return held / self.total if self.total else 0.0

    def to_dict(self) -> dict:
        """JSON-ready form, as recorded in ``datapackage.json``."""
        out: dict = {
            "total": self.total,
            "city_facets": sum(self.cities.values()),
            "facet_sum": sum(self.results.values()),
            "remainder": self.remainder,
            "remainder_share": round(self.share("remainder"), 6),
        }
        for status in STATUSES:
            out[status] = {
                "cities": self.cities[status],
                "results": self.results[status],
                "share": round(self.share(status), 6),
            }
        return out

    def line(self) -> str:
        """One summary line for people."""
        parts = ", ".join(
            f"{status} {self.cities[status]:,} {'city' if self.cities[status] == 1 else 'cities'} "
            f"{self.results[status]:,} ({self.share(status):.1%})"
            for status in STATUSES
        )
        return (
            f"{self.vendor}: total {self.total:,}; {parts}; remainder {self.remainder:,} "
            f"({self.share('remainder'):.1%}) beyond the top cities or without a city"
        )


@dataclass(frozen=True)
class ScanSummary:
    """A scan with its cities resolved: ``cities`` has one row per vendor and city name."""

    result: ScanResult
    vendors: tuple[VendorSummary, ...]
    cities: pd.DataFrame  # vendor, place, networks, status, lad_codes, name, method, suggestions, note
    notes: tuple[str, ...] = ()

    def problems(self) -> pd.DataFrame:
        """The ambiguous and unmatched cities, largest first (what the user may want to fix)."""
        rows = self.cities[self.cities["status"].isin(["ambiguous", "unmatched"])]
        order = {v.vendor: i for i, v in enumerate(self.vendors)}
        rows = rows.assign(_order=rows["vendor"].map(order))
        return (
            rows.sort_values(["_order", "networks"], ascending=[True, False])
            .drop(columns="_order")
            .reset_index(drop=True)
        )

    def lines(self) -> list[str]:
        """The summary for people: one line per vendor, then each problem city."""
        out = [v.line() for v in self.vendors]
        for row in self.problems().itertuples(index=False):
            options = "; ".join(row.suggestions)
            hint = (
                f"one of {options}"
                if row.status == "ambiguous"
                else (f"did you mean {options}?" if options else "no suggestion")
            )
            out.append(f"  {row.vendor} {row.status}: {row.place} ({row.networks:,}): {hint}")
        out.extend(f"note: {note}" for note in (*self.result.notes, *self.notes))
        return out


def summarise(result: ScanResult, resolver: Resolver, progress: ProgressFn | None = None) -> ScanSummary:
    """Resolve every city of ``result`` and account for each vendor's total.

    Each distinct name is resolved once (a city both vendors name costs one look-up), in
    batches of :data:`RESOLVE_BATCH`; ``progress(fraction, message)`` is called before each
    batch and may raise (:class:`geo.core.errors.Cancelled`) to stop. A scan naming more distinct
    cities than a dataset may hold is refused before any is resolved.
    """
    report = progress or (lambda fraction, message: None)
    notes: list[str] = []
    merged = {count.vendor: _merged_cities(count, notes) for count in result.vendors}
    distinct = list(dict.fromkeys(place for cities in merged.values() for place, _ in cities))
    limit = max_table_places() - 1  # the dataset's national row is a place too
    if len(distinct) > limit:
        raise ScanError(
            f"the count names {len(distinct):,} distinct cities, more than the {limit:,} a dataset may hold: "
            f"ask for fewer cities per vendor (or raise {MAX_TABLE_PLACES_ENV})"
        )
    found = _resolve(distinct, resolver, report)
    rows: list[dict] = []
    summaries = []
    for count in result.vendors:
        cities_by_status = dict.fromkeys(STATUSES, 0)
        results_by_status = dict.fromkeys(STATUSES, 0)
        for place, networks in merged[count.vendor]:
            resolution = found[place]
            status = {"matched": "resolved"}.get(resolution.status, resolution.status)
            note = resolution.note
            if resolution.status == "matched" and resolution.national:
                # A "city" naming the whole country is not a place: kept out of the dataset.
                status, note = "national", "names the whole country, not a place: left out of the dataset"
                notes.append(f"{count.vendor}: city '{shown(place)}' ({networks:,}) names the whole country: left out")
            else:
                cities_by_status[status] += 1
                results_by_status[status] += networks
            rows.append(
                {
                    "vendor": count.vendor,
                    "place": place,
                    "networks": networks,
                    "status": status,
                    "lad_codes": resolution.lad_codes,
                    "name": resolution.name,
                    "method": resolution.method,
                    "suggestions": resolution.suggestions,
                    "note": note,
                }
            )
        summaries.append(
            VendorSummary(
                count.vendor,
                count.query,
                count.total,
                remainder=max(count.total - sum(results_by_status.values()), 0),
                cities=cities_by_status,
                results=results_by_status,
            )
        )
    columns = ["vendor", "place", "networks", "status", "lad_codes", "name", "method", "suggestions", "note"]
    return ScanSummary(result, tuple(summaries), pd.DataFrame(rows, columns=columns), tuple(notes))


def _resolve(names: list[str], resolver: Resolver, report: ProgressFn) -> dict[str, Resolution]:
    """Each name resolved once, a batch at a time, with a progress call (a chance to stop) before each batch."""
    found: dict[str, Resolution] = {}
    for start in range(0, len(names), RESOLVE_BATCH):
        report(start / len(names), f"resolving cities: {start:,} of {len(names):,}")
        batch = names[start : start + RESOLVE_BATCH]
        found.update(zip(batch, resolver.resolve_many(batch)))
    return found


def _merged_cities(count: VendorCount, notes: list[str]) -> list[tuple[str, int]]:
    """City facets, with names that differ only in case or punctuation summed under the first one."""
    merged: dict[str, list] = {}
    for place, networks in count.cities:
        key = normalise_name(place)
        if key in merged:
            notes.append(
                f"{count.vendor}: cities '{shown(merged[key][0])}' and '{shown(place)}' are one name: counts summed"
            )
            merged[key][1] += networks
        else:
            merged[key] = [place, networks]
    return [(place, networks) for place, networks in merged.values()]
