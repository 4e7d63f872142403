"""Four monthly Shodan counts as dated dataset folders, for the Trends page's tests and its bench.

The counts change between months the way real ones do: Dahua falls every month, Glasgow
drops out of Hikvision's top 5 in November (so it has no figure then: unknown, not zero),
Cardiff appears in Hikvision's top 5 in November, London rises, and Bristol is out of
Dahua's top 5 in October only (Sheffield in its place), so it has a gap inside the line. Each folder is what
``scan shodan --into`` writes (:func:`geo.scan.as_dataset.write_dataset`), named by the count's
UTC time, with the reviewed vendor queries, so the four join into one line.

``write_monthly_scans(folder, resolver)`` writes them; point ``CAMERA_ATLAS_DATASETS_DIR``
at ``folder`` to have the app list them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from geo.names.places import Resolver
from geo.scan.as_dataset import write_dataset
from geo.scan.provider import ScanResult, VendorCount, read_queries
from geo.scan.summary import summarise

FACET_SIZE = 5
MONTHS = ("2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01")

# vendor -> (national total, {city: count}) per month, in MONTHS order.
COUNTS: dict[str, list[tuple[int, dict[str, int]]]] = {
    "hikvision": [
        (5000, {"London": 1200, "Manchester": 400, "Birmingham": 300, "Leeds": 200, "Glasgow": 150}),
        (5100, {"London": 1250, "Manchester": 410, "Birmingham": 290, "Leeds": 210, "Glasgow": 140}),
        (5200, {"London": 1300, "Manchester": 420, "Birmingham": 280, "Leeds": 220, "Cardiff": 160}),
        (5350, {"London": 1400, "Manchester": 380, "Birmingham": 270, "Leeds": 230, "Cardiff": 170}),
    ],
    "dahua": [
        (3000, {"London": 800, "Manchester": 300, "Birmingham": 200, "Leeds": 100, "Bristol": 90}),
        (2700, {"London": 700, "Manchester": 280, "Birmingham": 180, "Leeds": 95, "Sheffield": 88}),
        (2400, {"London": 600, "Manchester": 250, "Birmingham": 170, "Leeds": 90, "Bristol": 80}),
        (2000, {"London": 500, "Manchester": 200, "Birmingham": 150, "Leeds": 85, "Bristol": 70}),
    ],
}


def folder_name(day: str) -> str:
    """The folder ``scan shodan --into`` names a count started at 06:00 UTC on ``day``: "2026-09-01T0600Z"."""
    return f"{day}T0600Z"


def scan_result(
    month: int,
    counts: dict[str, list[tuple[int, dict[str, int]]]] = COUNTS,
    started: datetime | None = None,
    facet_size: int = FACET_SIZE,
) -> ScanResult:
    """The ``month``-th count (0-based) of ``counts`` as a :class:`ScanResult` with the reviewed queries."""
    started = started or datetime.fromisoformat(f"{MONTHS[month]}T06:00:00+00:00")
    queries = {q.vendor: q for q in read_queries()}
    vendors = []
    for vendor, months in counts.items():
        total, cities = months[month]
        query = queries[vendor]
        vendors.append(
            VendorCount(
                vendor=vendor,
                query=f"{query.query} country:GB",
                note=query.note,
                total=total,
                cities=tuple(sorted(cities.items(), key=lambda item: -item[1])),
            )
        )
    return ScanResult(
        provider="Shodan",
        provider_version="shodan (test)",
        source="Shodan count API (/shodan/host/count)",
        source_url="https://developer.shodan.io/api",
        country="GB",
        facet="city",
        facet_size=facet_size,
        started_at=started,
        finished_at=started + timedelta(minutes=1),
        vendors=tuple(vendors),
        calls=len(vendors),
    )


def write_monthly_scans(folder: Path, resolver: Resolver) -> list[Path]:
    """Write the four monthly counts into ``folder`` (one dated folder each); returns them in date order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for month, day in enumerate(MONTHS):
        summary = summarise(scan_result(month), resolver)
        written.append(write_dataset(summary, folder / folder_name(day)))
    return written


def retitle(folder: Path, title: str, source_short: str) -> None:
    """Give the dataset folder another title and short source (a user's edit, or a hostile one)."""
    path = folder / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["title"], package["source_short"] = title, source_short
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")


def utc(day: str) -> datetime:
    """06:00 UTC on ``day`` (YYYY-MM-DD)."""
    return datetime.fromisoformat(day).replace(hour=6, tzinfo=timezone.utc)
