"""Four monthly Shodan counts whose figures change, as in-memory datasets or dataset folders, for the history tests.

Between the months: London rises, Manchester and every Dahua figure fall, Bristol drops out of
the top :data:`TOP_N` in November and is back in December, and Sheffield appears in November
(so Yorkshire and The Humber is counted over more residents from then on). Tests compute what
they expect from :data:`MONTHS`, never from the code under test.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from geo import datasets, scan, scan_dataset
from geo.places import Resolver

TOP_N = 5  # the count's facet size: the most cities it lists per vendor
QUERIES = {"hikvision": 'product:"Hikvision IP Camera"', "dahua": 'product:"Dahua DVR"'}
MONTHS: dict[str, dict[str, dict[str, int]]] = {
    "2026-09-01T06:00Z": {
        "hikvision": {"London": 2000, "Manchester": 300, "Leeds": 200, "Bristol": 120},
        "dahua": {"London": 900, "Manchester": 150, "Leeds": 60},
    },
    "2026-10-01T06:00Z": {
        "hikvision": {"London": 2100, "Manchester": 280, "Leeds": 210, "Bristol": 110},
        "dahua": {"London": 800, "Manchester": 120, "Leeds": 50},
    },
    "2026-11-01T06:00Z": {
        "hikvision": {"London": 2200, "Manchester": 250, "Leeds": 190, "Sheffield": 100},
        "dahua": {"London": 700, "Manchester": 100, "Leeds": 40},
    },
    "2026-12-01T06:00Z": {
        "hikvision": {"London": 2300, "Manchester": 200, "Leeds": 180, "Sheffield": 90, "Bristol": 95},
        "dahua": {"London": 600, "Manchester": 90, "Leeds": 30},
    },
}
# A national total: the cities plus what no city facet attributes.
REMAINDER = {"hikvision": 1000, "dahua": 400}
LADS = {"Manchester": "E08000003", "Leeds": "E08000035", "Bristol": "E06000023", "Sheffield": "E08000019"}


def total(month: str, vendor: str) -> int:
    """The national total a month's count reports for ``vendor``."""
    return sum(MONTHS[month][vendor].values()) + REMAINDER[vendor]


def result(month: str, queries: dict[str, str] = QUERIES) -> scan.ScanResult:
    """The month's count as the scan would have returned it."""
    when = datetime.strptime(month, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    vendors = tuple(
        scan.VendorCount(vendor, f"{queries[vendor]} country:GB", "", total(month, vendor), tuple(cities.items()))
        for vendor, cities in MONTHS[month].items()
    )
    return scan.ScanResult(
        provider="Shodan", provider_version="1.31.0", source="Shodan", source_url="https://api.shodan.io",
        country="GB", facet="city", facet_size=TOP_N, started_at=when, finished_at=when, vendors=vendors, calls=2,
    )


def month_dataset(month: str, resolver: Resolver, queries: dict[str, str] = QUERIES) -> datasets.Dataset:
    """The month's count as an in-memory dataset (id ``scan-<month>``)."""
    return scan_dataset.as_dataset(scan_dataset.summarise(result(month, queries), resolver), f"scan-{month[:7]}")


def write_month(month: str, resolver: Resolver, folder: Path) -> Path:
    """The month's count written as a dataset folder inside ``folder``, named by its time (as ``--into`` names it)."""
    name = month.replace(":", "")
    return scan_dataset.write_dataset(scan_dataset.summarise(result(month), resolver), folder / name)
