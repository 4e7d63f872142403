"""geo.datasets.collection: every dataset folder reached, with its date, newest first; ids unique across
collections; unreadable folders skipped and named; new dated folders that never overwrite."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import monthly_scans
import pytest
from atlas_testing import SHIPPED_ID, assert_one_line
from monthly_scans import FOLDERS, STARTS

from geo.core.errors import AtlasError
from geo.datasets import collection, time_order
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders
from geo.scan import as_dataset
from geo.scan import summary as scan_summary


def _words(start: datetime) -> str:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"counted {start.day} {months[start.month - 1]} {start.year} {start:%H:%M} UTC"


def test_the_monthly_scans_are_listed_newest_first_with_their_count_time(monthly_collection: Path) -> None:
    found = collection.listing([dataset_folders.DATASETS_DIR, monthly_collection])
    newest_first = sorted(STARTS, key=STARTS.__getitem__, reverse=True)
    assert found.ids == [FOLDERS[m] for m in newest_first] + [SHIPPED_ID]  # TOP10VPN (2021) is the oldest
    by_id = {entry.id: entry for entry in found.datasets}
    for month, start in STARTS.items():
        entry = by_id[FOLDERS[month]]
        assert entry.date_words == _words(start) and entry.dated.precision == "time"
        assert entry.folder == monthly_collection / FOLDERS[month]
        assert entry.label == f"Shodan count API (results: services, not cameras) · {_words(start)}"
    assert by_id[SHIPPED_ID].label == "TOP10VPN, via The Mail on Sunday · published Nov 2021"
    assert found.skipped == ()


def test_the_listing_reads_the_same_dates_as_the_loaded_datasets(monthly_collection: Path) -> None:
    found = collection.listing([monthly_collection])
    for entry in found.datasets:
        loaded = dataset_folders.load_folder(entry.folder, entry.id)
        assert time_order.date_words(loaded) == entry.date_words
        assert loaded.date == entry.dated.when.date().isoformat()  # the package's date stays day-only


def test_the_collections_are_the_default_one_and_the_environments(
    monkeypatch, tmp_path: Path, monthly_collection: Path
) -> None:
    monkeypatch.setenv(dataset_folders.SCANS_ENV, str(monthly_collection))
    monkeypatch.setenv(dataset_folders.DATASETS_ENV, str(tmp_path))
    assert dataset_folders.dataset_dirs() == [dataset_folders.DATASETS_DIR, monthly_collection, tmp_path]
    assert set(FOLDERS.values()) <= set(collection.listing().ids)
    monkeypatch.delenv(dataset_folders.SCANS_ENV)
    assert dataset_folders.scans_dir() == dataset_folders.SCANS_DIR  # data/scans/ by default


def _scan_on(resolver, month: str, started_at: datetime, folder: Path) -> Path:
    result = replace(
        monthly_scans.scan_result(month), started_at=started_at, finished_at=started_at + timedelta(seconds=2)
    )
    return as_dataset.write_dataset(scan_summary.summarise(result, resolver), folder)


def test_two_counts_on_one_day_are_ordered_by_their_time(resolver, tmp_path: Path) -> None:
    morning = datetime(2026, 12, 1, 6, 0, 5, tzinfo=timezone.utc)
    evening = datetime(2026, 12, 1, 18, 30, 0, tzinfo=timezone.utc)
    _scan_on(resolver, "2026-12", evening, tmp_path / "b-evening")
    _scan_on(resolver, "2026-11", morning, tmp_path / "a-morning")
    found = collection.listing([tmp_path])
    assert found.ids == ["b-evening", "a-morning"]
    assert [e.date_words for e in found.datasets] == [_words(evening), _words(morning)]
    a, b = (dataset_folders.load_folder(tmp_path / name) for name in ("a-morning", "b-evening"))
    assert a.date == b.date == "2026-12-01"
    order = time_order.time_order(b, a)
    assert order.in_time_order and order.a is a and order.b is b


def test_a_count_time_that_contradicts_the_date_is_not_used(resolver, tmp_path: Path) -> None:
    folder = _scan_on(resolver, "2026-12", STARTS["2026-12"], tmp_path / "edited")
    package = json.loads((folder / "datapackage.json").read_text())
    package["date"] = "2026-11-30"  # edited by hand: the date wins, counted_at no longer refines it
    (folder / "datapackage.json").write_text(json.dumps(package))
    edited = dataset_folders.load_folder(folder)
    assert time_order.count_time(edited) is None
    assert time_order.date_words(edited) == "counted 30 Nov 2026"
    package["scan"]["counted_at"] = {"not": "a time"}  # a saved zip can carry anything there
    assert time_order.count_time(replace(edited, package=package)) is None


def test_a_session_dataset_takes_its_place_by_date_and_undated_ones_come_last(monthly_collection: Path) -> None:
    mid_november = datasets.from_upload(b"place,networks\nLeeds,5\n", "mine.csv", date="2026-11-15")
    undated = [datasets.from_upload(f"place,networks\nYork,{n}\n".encode(), f"u{n}.csv") for n in (1, 2)]
    found = collection.listing([monthly_collection], session=[undated[0], mid_november, undated[1]])
    ids = found.ids
    assert ids[:3] == [FOLDERS["2026-12"], mid_november.id, FOLDERS["2026-11"]]
    assert ids[-2:] == [undated[0].id, undated[1].id]  # undated last, in the order given
    entry = found.datasets[1]
    assert entry.folder is None and entry.date_words == "counted 15 Nov 2026"
    assert found.datasets[-1].date_words == "date not stated"


def test_the_same_folder_name_in_two_collections_gets_two_ids(monthly_collection: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "scans", tmp_path / "more-scans"
    name = FOLDERS["2026-12"]
    for root, month in ((first, "2026-12"), (second, "2026-09")):  # same name, other counts
        root.mkdir()
        shutil.copytree(monthly_collection / FOLDERS[month], root / name)
    shutil.copytree(monthly_collection / FOLDERS["2026-10"], second / SHIPPED_ID)  # a shipped id, taken
    roots = [dataset_folders.DATASETS_DIR, first, second]
    ids = dataset_folders.folders(roots)
    assert ids[name] == first / name and ids[f"{name}@more-scans"] == second / name
    assert (
        ids[SHIPPED_ID] == dataset_folders.DATASETS_DIR / SHIPPED_ID
        and ids[f"{SHIPPED_ID}@more-scans"] == second / SHIPPED_ID
    )
    assert dataset_folders.folders(roots) == ids  # stable
    listed = collection.listing(roots).ids
    assert len(listed) == len(set(listed)) == 4


def test_a_collection_named_like_another_still_gives_unique_ids(monthly_collection: Path, tmp_path: Path) -> None:
    roots = [tmp_path / "a" / "scans", tmp_path / "b" / "scans", tmp_path / "c" / "scans"]
    for root in roots:
        root.mkdir(parents=True)
        shutil.copytree(monthly_collection / FOLDERS["2026-09"], root / "x")
    ids = dataset_folders.folders(roots)
    assert list(ids) == ["x", "x@scans", "x@scans-2"] and list(ids.values()) == [root / "x" for root in roots]


def test_ids_from_any_collection_load_through_the_shipped_loader(
    monkeypatch, monthly_collection: Path, tmp_path: Path
) -> None:
    shutil.copytree(monthly_collection / FOLDERS["2026-09"], tmp_path / FOLDERS["2026-12"])  # same name, September
    monkeypatch.setenv(dataset_folders.SCANS_ENV, str(monthly_collection))
    monkeypatch.setenv(dataset_folders.DATASETS_ENV, str(tmp_path))
    december = dataset_folders.load_shipped(FOLDERS["2026-12"])
    september = dataset_folders.load_shipped(f"{FOLDERS['2026-12']}@{tmp_path.name}")
    total = {
        d.id: int(d.observations.query("place == 'United Kingdom' and vendor == 'dahua'")["networks"].iloc[0])
        for d in (december, september)
    }
    assert total == {
        december.id: monthly_scans.TOTALS["2026-12"]["dahua"],
        september.id: monthly_scans.TOTALS["2026-09"]["dahua"],
    }


def test_an_unreadable_folder_is_skipped_and_named_in_one_line(monthly_collection: Path, tmp_path: Path) -> None:
    shutil.copytree(monthly_collection / FOLDERS["2026-09"], tmp_path / "good")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "datapackage.json").write_bytes(b"{not json")
    (tmp_path / "wrong-shape").mkdir()
    (tmp_path / "wrong-shape" / "datapackage.json").write_text(json.dumps({"title": 5, "resources": [{}]}))
    shutil.copytree(monthly_collection / FOLDERS["2026-10"], tmp_path / ".good.partial-x")  # a scan being written
    (tmp_path / "no-package").mkdir()  # not a dataset folder at all
    found = collection.listing([tmp_path])
    assert found.ids == ["good"]
    assert [s.folder.name for s in found.skipped] == ["broken", "wrong-shape"]
    lines = found.skipped_lines
    assert len(lines) == 2
    for line, name in zip(lines, ("broken", "wrong-shape")):
        assert_one_line(AtlasError(line), f"{tmp_path.name}/{name}", "not listed")
    assert "not UTF-8 JSON" in lines[0]


def test_a_missing_collection_holds_nothing(tmp_path: Path) -> None:
    found = collection.listing([tmp_path / "nowhere"])
    assert found.ids == [] and found.skipped == ()


# -- new dated folders ---------------------------------------------------------------------


def test_new_folders_are_named_by_the_count_time_and_never_reuse_a_name(tmp_path: Path) -> None:
    start = datetime(2026, 12, 1, 6, 0, 59, tzinfo=timezone.utc)
    first = collection.reserve_folder(tmp_path, start)
    second = collection.reserve_folder(tmp_path, start.replace(second=1))
    third = collection.reserve_folder(tmp_path, start)
    assert [p.name for p in (first, second, third)] == ["2026-12-01T0600Z", "2026-12-01T0600Z-2", "2026-12-01T0600Z-3"]
    later = collection.reserve_folder(tmp_path, start + timedelta(seconds=1))  # the next minute
    assert later.name == "2026-12-01T0601Z"
    local = datetime(2026, 12, 1, 7, 0, tzinfo=timezone(timedelta(hours=1)))  # named in UTC whatever the zone
    assert collection.folder_name(local) == "2026-12-01T0600Z"


def test_write_into_adds_a_scan_folder_and_leaves_the_earlier_one(resolver, tmp_path: Path) -> None:
    summary = scan_summary.summarise(monthly_scans.scan_result("2026-12"), resolver)
    first = as_dataset.write_into(summary, tmp_path)
    before = (first / "datapackage.json").read_bytes()
    second = as_dataset.write_into(summary, tmp_path)
    assert (first.name, second.name) == (FOLDERS["2026-12"], FOLDERS["2026-12"] + "-2")
    assert (first / "datapackage.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name]  # nothing partial left


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: (p / "file").write_text("x") and p / "file"])
def test_a_collection_must_be_an_existing_folder(tmp_path: Path, make) -> None:
    into = make(tmp_path)
    with pytest.raises(AtlasError) as info:
        collection.reserve_folder(into, datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert_one_line(info.value, str(into), "--into")
