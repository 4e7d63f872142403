"""A dataset folder written again (or another collection's folder of the same name) is read again, never served
from the caches under its old figures (pages.loaders.forget_changed_folders)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from monthly_scans import FOLDERS, scan_result

from geo.datasets import folders
from geo.scan import as_dataset
from geo.scan import summary as scan_summary
from pages import loaders

MONTH = "2026-12"


def networks_of_london(dataset_id: str) -> int:
    table = loaders.load_table(dataset_id, "hikvision", "place")
    return int(table.rows.loc[table.rows["name"] == "Greater London", "networks"].iloc[0])


def write(folder: Path, resolver, london: int) -> Path:
    result = scan_result(MONTH)
    hikvision = result.vendors[0]
    cities = tuple((city, london if city == "London" else n) for city, n in hikvision.cities)
    vendors = (hikvision.__class__(**{**hikvision.__dict__, "cities": cities}), result.vendors[1])
    summary = scan_summary.summarise(result.__class__(**{**result.__dict__, "vendors": vendors}), resolver)
    return as_dataset.write_dataset(summary, folder / FOLDERS[MONTH])


@pytest.mark.parametrize("how", ["written again in place", "another collection, same folder name"])
def test_a_changed_folder_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolver, how: str) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv(folders.DATASETS_ENV, str(first))
    write(first, resolver, london=11_111)
    loaders.forget_changed_folders(loaders.dataset_listing())
    dataset_id = FOLDERS[MONTH]
    assert networks_of_london(dataset_id) == 11_111
    if how == "written again in place":
        shutil.rmtree(first / dataset_id)
        write(first, resolver, london=22_222)
    else:
        write(second, resolver, london=22_222)
        monkeypatch.setenv(folders.DATASETS_ENV, str(second))
    assert networks_of_london(dataset_id) == 11_111  # the caches alone cannot tell
    loaders.forget_changed_folders(loaders.dataset_listing())  # what every run's sidebar does first
    assert networks_of_london(dataset_id) == 22_222
