"""geo.datasets.folders: dataset folders, former ids, and datasets saved as a zip and opened again."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from atlas_testing import SHIPPED_ID, assert_one_line, zipped
from hostile import CORPUS

from geo.core.errors import DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders


def test_the_shipped_dataset_keeps_its_former_id() -> None:
    assert dataset_folders.former_ids()["top10vpn-2022"] == SHIPPED_ID
    assert dataset_folders.current_id("top10vpn-2022") == SHIPPED_ID
    assert dataset_folders.load("top10vpn-2022").id == SHIPPED_ID
    shipped = dataset_folders.load_shipped(SHIPPED_ID)
    assert shipped.published == "2021-11" and shipped.date_label == "published November 2021, scan date not stated"


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


_zip = zipped


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"not a zip", "is not a zip archive"),
        (_zip({"observations.csv": b"place,networks\nLeeds,1\n"}), "lacks datapackage.json"),
        (
            _zip({"observations.csv": b"place,networks\nLeeds,1\n", "datapackage.json": b"{not json"}),
            "unreadable datapackage.json",
        ),
        (_zip({"observations.csv": b"place,networks\nLeeds,1\n", "datapackage.json": b"{}"}), "no resources"),
        (
            _zip(
                {
                    "observations.csv": b'place,networks\nLeeds,"1,5"\n',
                    "datapackage.json": json.dumps({"resources": [{"path": "observations.csv"}]}).encode(),
                }
            ),
            "write a whole number",
        ),
        # A dataset's CSV is comma-separated: a semicolon file is not guessed into shape.
        (
            _zip(
                {
                    "observations.csv": b"place;networks\nLeeds;1\n",
                    "datapackage.json": json.dumps({"resources": [{"path": "observations.csv"}]}).encode(),
                }
            ),
            "lacks column(s) place, networks",
        ),
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


# -- members: exactly one observations.csv and one datapackage.json -----------------------

GOOD_PACKAGE = json.dumps({"title": "Root", "resources": [{"path": "observations.csv"}]}).encode()
OTHER_PACKAGE = json.dumps({"title": "Impostor", "resources": [{"path": "observations.csv"}]}).encode()


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        # Listed after the root files, each copy used to replace them silently.
        (
            {
                "observations.csv": b"place,networks\nLeeds,1\n",
                "datapackage.json": GOOD_PACKAGE,
                "sub/datapackage.json": OTHER_PACKAGE,
            },
            "2 files named datapackage.json",
        ),
        (
            {
                "observations.csv": b"place,networks\nLeeds,1\n",
                "datapackage.json": GOOD_PACKAGE,
                "x/observations.csv": b"place,networks\nYork,999\n",
            },
            "2 files named observations.csv",
        ),
        (
            {"a/observations.csv": b"place,networks\nLeeds,1\n", "b/datapackage.json": GOOD_PACKAGE},
            "different or nested folders",
        ),
        (
            {"a/b/observations.csv": b"place,networks\nLeeds,1\n", "a/b/datapackage.json": GOOD_PACKAGE},
            "nested folders",
        ),
    ],
)
def test_a_second_copy_or_a_split_of_the_two_files_is_refused(files: dict[str, bytes], needle: str) -> None:
    with pytest.raises(DatasetError) as info:
        dataset_folders.from_zip(_zip(files), "saved.zip")
    assert_one_line(info.value, "saved.zip", needle)


def test_the_same_name_twice_at_the_root_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("observations.csv", b"place,networks\nLeeds,1\n")
        archive.writestr("datapackage.json", GOOD_PACKAGE)
        archive.writestr("datapackage.json", OTHER_PACKAGE)
    with pytest.raises(DatasetError) as info:
        dataset_folders.from_zip(buffer.getvalue(), "saved.zip")
    assert_one_line(info.value, "2 files named datapackage.json")


def test_a_dataset_folder_zipped_with_its_folder_opens_and_other_files_are_ignored() -> None:
    files = {
        "scan/observations.csv": b"place,networks\nLeeds,1\n",
        "scan/datapackage.json": GOOD_PACKAGE,
        "scan/README.txt": b"notes",
        "__MACOSX/scan/._datapackage.json": b"\x00",
    }
    dataset = dataset_folders.from_zip(_zip(files), "saved.zip")
    assert dataset.title == "Root" and list(dataset.observations["place"]) == ["Leeds"]


def test_an_encrypted_member_is_refused_in_one_line() -> None:
    data = bytearray(_zip({"observations.csv": b"place,networks\nLeeds,1\n", "datapackage.json": GOOD_PACKAGE}))
    at = data.find(b"PK\x01\x02")
    while at != -1:  # set the "encrypted" bit in every central directory entry
        data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(DatasetError) as info:
        dataset_folders.from_zip(bytes(data), "saved.zip")
    assert_one_line(info.value, "saved.zip", "unreadable")


# -- formulas and per-row columns survive saving -------------------------------------------

FORMULAS = [CORPUS["formula"], CORPUS["formula_plus"], CORPUS["formula_at"], "-Leeds", "'=quoted"]


def test_the_saved_zip_neutralises_formulas_and_reads_them_back_as_written() -> None:
    rows = "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",{i},"=src{i}","-2026"\n' for i, name in enumerate(FORMULAS, 1)
    )
    upload = datasets.from_upload(f"place,networks,source,date\n{rows}".encode(), "formulas.csv")
    files = dataset_folders.folder_files(upload)
    saved_rows = list(csv.DictReader(io.StringIO(files["observations.csv"].decode())))
    for row in saved_rows:  # what a spreadsheet opens: no cell starts a formula
        for column in ("place", "source", "date"):
            assert not row[column].startswith(("=", "+", "-", "@")), row
    again = dataset_folders.from_zip(dataset_folders.to_zip(files), "formulas.zip")
    columns = ["place", "vendor", "networks", "source", "date"]
    assert again.observations[columns].to_dict("records") == upload.observations[columns].to_dict("records")
    assert list(again.observations["place"]) == FORMULAS


@pytest.mark.parametrize("name", ["x';'" * 20, CORPUS["javascript"]])
def test_names_with_semicolons_cannot_tip_how_a_saved_zip_is_read(name: str) -> None:
    """A dataset's CSV is read as comma CSV, never guessed: names full of ";" stay names."""
    quoted = name.replace(chr(34), chr(34) * 2)
    rows = f'"{quoted}",hikvision,50\n"{quoted}2",hikvision,10\n"{quoted}",dahua,5\n"{quoted}2",dahua,4\n'
    upload = datasets.from_upload(f"place,vendor,networks\n{rows}".encode(), "semicolons.csv")
    again = dataset_folders.from_zip(dataset_folders.to_zip(dataset_folders.folder_files(upload)), "semicolons.zip")
    assert list(again.observations["place"]) == [name, name + "2", name, name + "2"]


def test_per_row_source_and_date_survive_a_mapped_upload_and_the_zip() -> None:
    data = b"City,Count,source,date\nLeeds,5,Shodan,2026-11-28\nYork,3,Censys,2026-11-29\n"
    # The Data page passes a mapping; fields it does not name are read from columns of their own name.
    upload = datasets.from_upload(data, "mine.csv", mapping={"place": "City", "networks": "Count", "vendor": None})
    assert list(upload.observations["source"]) == ["Shodan", "Censys"]
    assert list(upload.observations["date"]) == ["2026-11-28", "2026-11-29"]
    again = dataset_folders.from_zip(dataset_folders.to_zip(dataset_folders.folder_files(upload)), "mine.zip")
    assert list(again.observations["source"]) == ["Shodan", "Censys"]
    assert list(again.observations["date"]) == ["2026-11-28", "2026-11-29"]
