"""Dated datasets built in memory for the trend tests (imported by name: ``from trend_series import …``).

:func:`scan_at` makes a live count as :mod:`geo.scan.as_dataset` writes it (a ``ScanResult`` with
the chosen start time, its cities resolved by the real resolver); :func:`upload_at` a user's
table with a date and a source (no national row, so no national figure).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from geo.datasets import dataset as datasets
from geo.datasets.dataset import Dataset
from geo.names.places import Resolver
from geo.scan import as_dataset
from geo.scan import summary as scan_summary
from geo.scan.provider import ScanResult, VendorCount

QUERIES = {"hikvision": "product:Hikvision country:GB", "dahua": "product:Dahua country:GB"}
FACET_SIZE = 8


def scan_at(
    resolver: Resolver,
    when: str,
    cities: dict[str, dict[str, int]],
    totals: dict[str, int],
    queries: dict[str, str] | None = None,
) -> Dataset:
    """A Shodan count started at ``when`` (ISO, UTC): ``cities`` and ``totals`` per vendor."""
    start = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    asked = {**QUERIES, **(queries or {})}
    vendors = tuple(
        VendorCount(vendor, asked[vendor], "", totals[vendor], tuple(cities.get(vendor, {}).items()))
        for vendor in ("hikvision", "dahua")
        if vendor in totals
    )
    result = ScanResult(
        "Shodan",
        "shodan 1.31.0",
        "Shodan count API (/shodan/host/count)",
        "https://developer.shodan.io/api",
        "GB",
        "city",
        FACET_SIZE,
        start,
        start + timedelta(minutes=2),
        vendors,
        calls=len(vendors),
    )
    summary = scan_summary.summarise(result, resolver)
    return as_dataset.as_dataset(summary, f"scan-{start:%Y-%m-%dT%H%M}Z")


def monthly_scans(
    resolver: Resolver, months: list[tuple[str, dict[str, dict[str, int]], dict[str, int]]]
) -> list[Dataset]:
    """One :func:`scan_at` per ``(when, cities, totals)``."""
    return [scan_at(resolver, when, cities, totals) for when, cities, totals in months]


def upload_at(date: str, rows: dict[str, int], source: str = "Jane Doe's survey", vendor: str = "all") -> Dataset:
    """A user's table of ``place → networks`` for ``vendor``, dated ``date``, from ``source``."""
    body = "".join(f"{place},{vendor},{n}\n" for place, n in rows.items())
    return datasets.from_upload(
        f"place,vendor,networks\n{body}".encode(), f"counts-{date}.csv", source=source, date=date
    )


# Four monthly counts: Manchester falls by a third, Leeds drops out of the top N in October,
# Dahua falls, the national totals fall.
FALLING = [
    (
        "2026-09-01T06:00:00",
        {"hikvision": {"London": 900, "Manchester": 300, "Leeds": 100}, "dahua": {"London": 500}},
        {"hikvision": 3000, "dahua": 1500},
    ),
    (
        "2026-10-01T06:00:00",
        {"hikvision": {"London": 950, "Manchester": 250}, "dahua": {"London": 520}},
        {"hikvision": 3100, "dahua": 1400},
    ),
    (
        "2026-11-01T06:00:00",
        {"hikvision": {"London": 700, "Manchester": 220, "Leeds": 90}, "dahua": {"London": 400}},
        {"hikvision": 2800, "dahua": 1300},
    ),
    (
        "2026-12-01T06:00:00",
        {"hikvision": {"London": 600, "Manchester": 200, "Leeds": 80}, "dahua": {"London": 380}},
        {"hikvision": 2000, "dahua": 1000},
    ),
]
