"""Four monthly Shodan counts written as dated scan folders, for every test of change over time.

The counts change between months the way real ones do (figures invented, never real data):

- **a city drops out of the top N**: Nottingham is in Hikvision's top :data:`FACET_SIZE` in
  September and October, then falls below the 8th (under Leicester) and is not in the count's
  answer in November and December — unknown there, never 0;
- **one vendor falls steadily**: every Dahua figure, its total included, is lower each month;
- **a new city appears** in month 3: Norwich (Hikvision), absent before;
- **London rises** (Hikvision), month after month.

Every city resolves to exactly one local authority, except London (Greater London, 33 LADs)
and Inverness (a town: its council is Highland, which it covers only in part).

:data:`MONTHS` holds each month's *true* per-city counts, the cities below the top N
included; :func:`facet` is what the count API answers (the top :data:`FACET_SIZE`, largest
first), which is what a scan folder holds. Tests compute what they expect from these, never
from figures typed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from geo.names.places import Resolver
from geo.scan import as_dataset
from geo.scan import provider as scan
from geo.scan import summary as scan_summary
from geo.scan.provider import ScanResult, VendorCount

FACET_SIZE = 8
STARTS = {  # month → the count's UTC start
    "2026-09": datetime(2026, 9, 1, 6, 0, 12, tzinfo=timezone.utc),
    "2026-10": datetime(2026, 10, 1, 6, 0, 9, tzinfo=timezone.utc),
    "2026-11": datetime(2026, 11, 1, 6, 0, 41, tzinfo=timezone.utc),
    "2026-12": datetime(2026, 12, 1, 6, 0, 3, tzinfo=timezone.utc),
}
FOLDERS = {month: start.strftime("%Y-%m-%dT%H%MZ") for month, start in STARTS.items()}  # 2026-09-01T0600Z …

_DAHUA_SEPTEMBER = {
    "London": 9_800,
    "Birmingham": 1_400,
    "Manchester": 1_230,
    "Leeds": 800,
    "Glasgow": 610,
    "Bristol": 520,
    "Cardiff": 400,
    "Nottingham": 300,
}
_DAHUA_SHARE = {"2026-09": 1.0, "2026-10": 0.9, "2026-11": 0.8, "2026-12": 0.7}  # Dahua falls steadily

# month → vendor → city → results (the truth, cities below the top N included)
MONTHS: dict[str, dict[str, dict[str, int]]] = {
    "2026-09": {
        "hikvision": {
            "London": 20_000,
            "Birmingham": 3_100,
            "Manchester": 2_600,
            "Leeds": 1_800,
            "Glasgow": 1_450,
            "Bristol": 1_200,
            "Inverness": 950,
            "Nottingham": 800,
            "Leicester": 600,
            "Coventry": 400,
        },
    },
    "2026-10": {
        "hikvision": {
            "London": 20_800,
            "Birmingham": 3_050,
            "Manchester": 2_550,
            "Leeds": 1_790,
            "Glasgow": 1_460,
            "Bristol": 1_210,
            "Inverness": 940,
            "Nottingham": 700,
            "Leicester": 650,
            "Coventry": 420,
        },
    },
    "2026-11": {
        "hikvision": {
            "London": 21_600,
            "Birmingham": 3_000,
            "Manchester": 2_500,
            "Leeds": 1_810,
            "Glasgow": 1_440,
            "Bristol": 1_190,
            "Norwich": 900,
            "Inverness": 930,
            "Leicester": 680,
            "Nottingham": 560,
            "Coventry": 410,
        },
    },
    "2026-12": {
        "hikvision": {
            "London": 22_500,
            "Birmingham": 3_020,
            "Manchester": 2_400,
            "Leeds": 1_800,
            "Glasgow": 1_430,
            "Bristol": 1_180,
            "Norwich": 950,
            "Inverness": 920,
            "Leicester": 700,
            "Nottingham": 500,
            "Coventry": 430,
        },
    },
}
for _month, _share in _DAHUA_SHARE.items():
    MONTHS[_month]["dahua"] = {city: round(count * _share) for city, count in _DAHUA_SEPTEMBER.items()}

# month → vendor → Shodan's national total (cities, the remainder beyond them and results without a city)
TOTALS: dict[str, dict[str, int]] = {
    "2026-09": {"hikvision": 52_000, "dahua": 21_870},
    "2026-10": {"hikvision": 52_600, "dahua": 20_000},
    "2026-11": {"hikvision": 53_400, "dahua": 18_000},
    "2026-12": {"hikvision": 54_300, "dahua": 16_000},
}

DROPS_OUT = ("hikvision", "Nottingham", "2026-11")  # vendor, city, first month it is below the top N
APPEARS = ("hikvision", "Norwich", "2026-11")  # vendor, city, first month it is counted
FALLS = "dahua"
RISES = ("hikvision", "London")
PROVIDER_VERSION = "shodan 1.31.0"


def facet(month: str, vendor: str, size: int = FACET_SIZE) -> dict[str, int]:
    """What the count API answers for ``vendor`` in ``month``: the ``size`` largest cities, largest first."""
    ranked = sorted(MONTHS[month][vendor].items(), key=lambda item: -item[1])
    return dict(ranked[:size])


def scan_result(month: str, size: int = FACET_SIZE) -> ScanResult:
    """``month``'s count as :func:`geo.scan.provider.scan` would return it (no HTTP), with the reviewed queries."""
    queries = {q.vendor: q for q in scan.read_queries()}
    vendors = tuple(
        VendorCount(
            vendor,
            f"{queries[vendor].query} country:GB",
            queries[vendor].note,
            TOTALS[month][vendor],
            tuple(facet(month, vendor, size).items()),
        )
        for vendor in ("hikvision", "dahua")
    )
    start = STARTS[month]
    return ScanResult(
        provider="Shodan",
        provider_version=PROVIDER_VERSION,
        source="Shodan count API (/shodan/host/count)",
        source_url="https://developer.shodan.io/api",
        country="GB",
        facet="city",
        facet_size=size,
        started_at=start,
        finished_at=start + timedelta(seconds=3),
        vendors=vendors,
        calls=len(vendors),
    )


def write_months(folder: Path, resolver: Resolver, months: tuple[str, ...] = tuple(STARTS)) -> list[Path]:
    """Write each of ``months`` as a scan folder named by its UTC start (``folder/2026-09-01T0600Z`` …)
    with :func:`geo.scan.summary.summarise` and :func:`geo.scan.as_dataset.write_dataset`; returns the folders."""
    written = []
    for month in months:
        summary = scan_summary.summarise(scan_result(month), resolver)
        written.append(as_dataset.write_dataset(summary, Path(folder) / FOLDERS[month]))
    return written
