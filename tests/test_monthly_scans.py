"""The monthly-scans fixture says what it holds: each claim in tests/monthly_scans.py checked on the folders written."""

from __future__ import annotations

import json
from pathlib import Path

from monthly_scans import APPEARS, DROPS_OUT, FACET_SIZE, FALLS, FOLDERS, MONTHS, RISES, STARTS, TOTALS, facet

from geo.datasets import folders as dataset_folders

ORDER = sorted(STARTS, key=STARTS.__getitem__)


def _counted(folder: Path) -> dict[str, dict[str, int]]:
    table = dataset_folders.load_folder(folder).observations
    return {vendor: dict(zip(rows["place"], rows["networks"].astype(int))) for vendor, rows in table.groupby("vendor")}


def test_each_folder_holds_the_months_top_cities_and_totals(monthly_collection: Path) -> None:
    for month in ORDER:
        folder = monthly_collection / FOLDERS[month]
        counted = _counted(folder)
        package = json.loads((folder / "datapackage.json").read_text())
        assert package["scan"]["counted_at"] == STARTS[month].isoformat(timespec="seconds").replace("+00:00", "Z")
        assert package["scan"]["facet_size"] == FACET_SIZE
        for vendor in ("hikvision", "dahua"):
            assert counted[vendor] == {"United Kingdom": TOTALS[month][vendor], **facet(month, vendor)}


def test_the_changes_the_fixture_promises() -> None:
    vendor, city, month = DROPS_OUT
    for m in ORDER:
        assert (city in facet(m, vendor)) == (m < month) and city in MONTHS[m][vendor]  # counted, but below the top N
    vendor, city, month = APPEARS
    assert [city in facet(m, vendor) for m in ORDER] == [m >= month for m in ORDER]
    for name in MONTHS[ORDER[0]][FALLS]:
        series = [MONTHS[m][FALLS][name] for m in ORDER]
        assert series == sorted(series, reverse=True) and len(set(series)) == len(series)
    assert [TOTALS[m][FALLS] for m in ORDER] == sorted((TOTALS[m][FALLS] for m in ORDER), reverse=True)
    vendor, city = RISES
    series = [MONTHS[m][vendor][city] for m in ORDER]
    assert series == sorted(series) and len(set(series)) == len(series)
    for m in ORDER:
        for v in ("hikvision", "dahua"):
            assert sum(facet(m, v).values()) <= TOTALS[m][v]


def test_every_city_is_one_council_but_london_and_inverness(resolver) -> None:
    names = {city for month in MONTHS.values() for cities in month.values() for city in cities}
    found = {name: resolver.resolve(name) for name in names}
    assert all(r.status == "matched" for r in found.values())
    several = {name for name, r in found.items() if len(r.lad_codes) != 1}
    assert several == {"London"} and len(found["London"].lad_codes) == 33
    assert (
        found["Inverness"].name == "Highland" and found["Inverness"].method == "gazetteer"
    )  # a town in a bigger council
