"""geo.dataset_folders: dataset folders, former ids, and datasets saved as a zip and opened again."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from atlas_testing import SHIPPED_ID, assert_one_line
from geo import dataset_folders, datasets
from geo.errors import DatasetError


def test_the_shipped_dataset_keeps_its_former_id() -> None:
    assert dataset_folders.former_ids()["top10vpn-2022"] == SHIPPED_ID
    assert dataset_folders.current_id("top10vpn-2022") == SHIPPED_ID
    assert dataset_folders.load("top10vpn-2022").id == SHIPPED_ID
    shipped = dataset_folders.load_shipped(SHIPPED_ID)
    assert shipped.published == "2021-11" and shipped.date_label == "published November 2021 (scan date not stated)"


def test_a_saved_dataset_opens_again_with_its_provenance() -> None:
    shipped = dataset_folders.load_shipped(SHIPPED_ID)
    saved = dataset_folders.to_zip(dataset_folders.folder_files(shipped))
    assert saved == dataset_folders.to_zip(dataset_folders.folder_files(shipped))  # same dataset, same bytes
    again = dataset_folders.from_zip(saved, "top10vpn.zip")
    assert again.title == shipped.title and again.source == shipped.source and again.url == shipped.url
    assert again.published == shipped.published and again.source_short == shipped.source_short
    cols = ["place", "vendor", "networks"]
    assert again.observations[cols].to_dict("records") == shipped.observations[cols].to_dict("records")


def test_an_upload_keeps_its_place_choices_in_the_zip() -> None:
    upload = datasets.with_choices(
        datasets.from_upload(b"place,networks\nManchestr,5\nLeeds,3\n", "mine.csv"), {"Manchestr": "Manchester"}
    )
    again = dataset_folders.from_zip(dataset_folders.to_zip(dataset_folders.folder_files(upload)), "mine.zip")
    assert again.choices == (("Manchestr", "Manchester"),)
    assert again.title.startswith("Your table: mine.csv")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"not a zip", "is not a zip archive"),
        (_zip({"observations.csv": b"place,networks\nLeeds,1\n"}), "lacks datapackage.json"),
        (_zip({"observations.csv": b"place,networks\nLeeds,1\n", "datapackage.json": b"{not json"}), "unreadable datapackage.json"),
        (_zip({"observations.csv": b"place,networks\nLeeds,1\n", "datapackage.json": b"{}"}), "no resources"),
        (_zip({"observations.csv": b"place;networks\nLeeds;1,234\n", "datapackage.json": json.dumps(
            {"resources": [{"path": "observations.csv"}]}).encode()}), "whole numbers"),
    ],
)
def test_bad_zips_are_one_line(data: bytes, needle: str) -> None:
    with pytest.raises(DatasetError) as info:
        dataset_folders.from_zip(data, "saved.zip")
    assert_one_line(info.value, needle)


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = _zip({"observations.csv": b"place,networks\n" + b"x" * 30_000_000, "datapackage.json": b"{}"})
    assert len(bomb) < 100_000
    with pytest.raises(DatasetError) as info:
        dataset_folders.from_zip(bomb, "bomb.zip", max_bytes=1_000_000)
    assert_one_line(info.value, "over the", "limit")
