"""A researcher's table of UK cities (long layout, GeoIP city names) whose "Newport" and "Bangor" are left
unresolved: 6,090 networks in 2 names that are on no map. Shared by the tests of issue 15's items 3 and 4."""

from __future__ import annotations

from dataclasses import replace

from geo.datasets import dataset as datasets

COUNTS = {  # city: (hikvision, dahua)
    "London": (24_310, 13_102),
    "Birmingham": (3_920, 2_011),
    "Manchester": (3_104, 1_870),
    "Leeds": (2_240, 1_105),
    "Glasgow": (2_060, 990),
    "Sheffield": (1_410, 702),
    "Bristol": (1_380, 655),
    "Edinburgh": (1_290, 640),
    "Cardiff": (1_010, 498),
    "Belfast": (960, 455),
    "Nottingham": (905, 430),
    "Leicester": (880, 412),
    "Newport": (3_650, 1_140),
    "Bangor": (870, 430),
}
CSV = (
    "place,vendor,networks\n"
    + "".join(f"{city},hikvision,{hik}\n{city},dahua,{dahua}\n" for city, (hik, dahua) in COUNTS.items())
).encode()
UNPLACED_NETWORKS = sum(COUNTS["Newport"]) + sum(COUNTS["Bangor"])  # 6,090
UNPLACED_HIKVISION = COUNTS["Newport"][0] + COUNTS["Bangor"][0]  # 4,520
LINE = f"{UNPLACED_NETWORKS:,} networks in 2 names are not on the map: Newport, Bangor (ambiguous)"
UPLOAD_ID = "upload-" + "5" * 16  # spelt as the app names an upload of this session


def dataset() -> datasets.Dataset:
    """The table as the Data page loads it (no national figure: its totals are sums of places)."""
    return replace(datasets.from_upload(CSV, "city_counts_2025_long.csv"), id=UPLOAD_ID)
