"""geo.datasets.dataset: the shipped dataset and the strict loader for users' CSVs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from atlas_testing import REPO_ROOT, SHIPPED_ID, UK_NETWORKS, assert_one_line
from openpyxl import Workbook

from geo.core.errors import AtlasError, DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import folders, tables
from geo.datasets.dataset import parse_observations
from geo.names.places import Resolver

PACKAGE = REPO_ROOT / "data" / "datasets" / SHIPPED_ID / "datapackage.json"


def parse_error(data: bytes, filename: str = "upload.csv") -> str:
    with pytest.raises(DatasetError) as info:
        parse_observations(data, filename)
    return assert_one_line(info.value, filename)


# -- the shipped dataset -----------------------------------------------------------------


def test_shipped_ids() -> None:
    assert SHIPPED_ID in folders.shipped_ids()


def test_shipped_dataset_loads(shipped: datasets.Dataset) -> None:
    obs = shipped.observations
    assert len(obs) == 5
    assert list(obs["place"]) == ["United Kingdom", "London", "Birmingham", "Manchester", "Liverpool"]
    assert list(obs["networks"]) == [UK_NETWORKS, 61504, 8865, 7436, 4957]
    assert set(obs["vendor"]) == {"all"}
    assert shipped.vendors == ("all",)
    assert shipped.splits_vendors is False
    assert list(obs["line"]) == [2, 3, 4, 5, 6]
    assert {"place", "vendor", "networks", "lad_code", "source", "date", "line"} <= set(obs.columns)


def test_shipped_provenance(shipped: datasets.Dataset) -> None:
    assert shipped.id == SHIPPED_ID
    assert "TOP10VPN" in shipped.title
    assert "Mail on Sunday" in shipped.source
    assert shipped.url and shipped.url.startswith("https://")
    assert shipped.licence
    assert shipped.date == "not stated"
    assert len(shipped.method_notes) >= 3
    assert any("277,986" in note for note in shipped.method_notes)
    assert any("Greater London" in note for note in shipped.method_notes)


def test_datapackage_json() -> None:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    assert package["name"] == SHIPPED_ID
    assert package["title"]
    assert package["date"] == "not stated"
    assert package["sources"] and all(s.get("title") for s in package["sources"])
    assert package["licenses"] and all(lic.get("title") or lic.get("name") for lic in package["licenses"])
    assert package["method_notes"]
    resource = package["resources"][0]
    assert (PACKAGE.parent / resource["path"]).is_file()
    fields = {f["name"] for f in resource["schema"]["fields"]}
    assert {"place", "vendor", "networks"} <= fields


def test_shipped_places_all_match(shipped: datasets.Dataset, resolver: Resolver) -> None:
    results = [resolver.resolve(p) for p in shipped.observations["place"]]
    assert all(r.status == "matched" for r in results)
    assert [r.national for r in results] == [True, False, False, False, False]


def test_load_by_id_and_by_path(tmp_path: Path) -> None:
    assert folders.load(SHIPPED_ID).id == SHIPPED_ID
    path = tmp_path / "mine.csv"
    path.write_text("place,networks\nLeeds,12\n", encoding="utf-8")
    mine = folders.load(str(path))
    assert mine.id.startswith("upload-") and mine.title == "Your table: mine.csv"
    assert mine.source == "uploaded file mine.csv"
    assert list(mine.observations["networks"]) == [12]


@pytest.mark.parametrize(("spec", "needle"), [("missing.csv", "not found"), ("no-such-dataset", "no dataset called")])
def test_load_unknown(spec: str, needle: str) -> None:
    with pytest.raises(DatasetError) as info:
        folders.load(spec)
    assert_one_line(info.value, needle)
    assert issubclass(DatasetError, AtlasError)


# -- the loader: rejections name the line and the fix ------------------------------------


def test_missing_columns() -> None:
    message = parse_error(b"town,count\nLeeds,5\n")
    assert "lacks column(s) place, networks" in message
    assert "found: town, count" in message
    assert "name the columns place and networks" in message
    assert "networks" in parse_error(b"place,vendor\nLeeds,all\n")


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("abc", "not a number"),
        ("12 networks", "not a number"),
        ("1e3", "not a number"),
        ("5.5", "fractional"),
        ("0.25", "fractional"),
        ("-5", "negative"),
        ("-5.5", "negative"),
        ("", "networks is empty"),
        ("99999999999", "implausibly large"),
        ("50000001", "implausibly large"),
    ],
)
def test_bad_counts(value: str, needle: str) -> None:
    data = f"place,networks\nLeeds,3\nManchester,{value}\n".encode()
    message = parse_error(data)
    assert "line 3" in message
    assert needle in message


def test_whole_number_forms_accepted() -> None:
    obs = parse_observations(b"place,networks\nLeeds,5.0\nYork,0\nBath,007\nBury,50000000\n")
    assert list(obs["networks"]) == [5, 0, 7, 50_000_000]


def test_conflicting_duplicates_rejected() -> None:
    message = parse_error(b"place,networks\nLeeds,5\nYork,1\nleeds ,6\n")
    assert "lines 2 and 4" in message
    assert "'Leeds'" in message
    assert "keep one row per place and vendor" in message


def test_identical_duplicates_collapse_with_note() -> None:
    obs = parse_observations(b"place,networks\nLeeds,5\nYork,1\nLeeds,5\n")
    assert list(obs["place"]) == ["Leeds", "York"]
    assert list(obs["networks"]) == [5, 1]
    assert obs.attrs["notes"] == ["'Leeds' appears 2 times with the same count; counted once"]
    upload = datasets.from_upload(b"place,networks\nLeeds,5\nYork,1\nLeeds,5\n", "dup.csv")
    assert upload.notes == ("'Leeds' appears 2 times with the same count; counted once",)


def test_same_place_different_vendors_is_not_a_duplicate() -> None:
    obs = parse_observations(b"place,vendor,networks\nLeeds,hikvision,5\nLeeds,dahua,6\nLeeds,all,11\n")
    assert list(obs["vendor"]) == ["hikvision", "dahua", "all"]


def test_bad_vendor() -> None:
    message = parse_error(b"place,vendor,networks\nLeeds,all,5\nYork,axis,3\n")
    assert "line 3" in message and "'axis'" in message and "all, hikvision, dahua" in message


def test_vendor_case_and_default() -> None:
    obs = parse_observations(b"place,vendor,networks\nLeeds,Hikvision,5\nYork,,3\nBath,DAHUA,1\n")
    assert list(obs["vendor"]) == ["hikvision", "all", "dahua"]


def test_empty_place() -> None:
    assert "line 2: place is empty" in parse_error(b"place,networks\n,5\n")
    obs = parse_observations(b"place,lad_code,networks\n,e08000003,5\n")
    assert list(obs["place"]) == ["E08000003"] and list(obs["lad_code"]) == ["E08000003"]


def test_too_many_fields() -> None:
    assert "line 2: 3 fields" in parse_error(b"place,networks\nBristol, City of,5\n")


def test_repeated_header() -> None:
    assert "repeats a column name" in parse_error(b"place,networks,Networks\nLeeds,1,2\n")


# -- the loader: odd files ---------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\n"])
def test_empty_file(data: bytes) -> None:
    assert "is empty" in parse_error(data)


def test_header_only() -> None:
    assert "has a header but no rows" in parse_error(b"place,networks\n")
    assert "has a header but no rows" in parse_error(b"place,networks\n\n,\n")


def test_binary_file() -> None:
    message = parse_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary file" in message and "export the table as CSV" in message


def test_zip_renamed_csv() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("observations.csv", "place,networks\nLeeds,5\n")
    message = parse_error(buffer.getvalue())
    assert "zip archive" in message and "unzip it" in message


def test_xlsx_renamed_csv(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["place", "networks"])
    book.active.append(["Leeds", 5])
    book.save(tmp_path / "table.xlsx")
    message = parse_error((tmp_path / "table.xlsx").read_bytes(), "table.csv")
    assert "Excel workbook" in message and "rename it to .xlsx" in message


def test_size_limit() -> None:
    data = b"place,networks\n" + b"Leeds,1\n" * 100
    with pytest.raises(DatasetError) as info:
        parse_observations(data, "big.csv", max_bytes=100)
    assert_one_line(info.value, "over the", "limit")


# -- the loader: encodings and dialects --------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "place,networks\nYnys Môn,5\nLlanelli,3\n".encode(),
        "place,networks\nYnys Môn,5\nLlanelli,3\n".encode("utf-8-sig"),
        "place,networks\nYnys Môn,5\nLlanelli,3\n".encode("latin-1"),
        "place,networks\r\nYnys Môn,5\r\nLlanelli,3\r\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "latin-1", "cp1252-crlf"],
)
def test_encodings(data: bytes, resolver: Resolver) -> None:
    obs = parse_observations(data)
    assert list(obs["place"]) == ["Ynys Môn", "Llanelli"]
    assert list(obs["networks"]) == [5, 3]
    assert resolver.resolve(obs["place"][0]).lad_codes == ("W06000001",)  # Isle of Anglesey
    assert resolver.resolve(obs["place"][1]).lad_codes == ("W06000010",)  # Carmarthenshire


def test_bom_does_not_hide_the_place_column() -> None:
    obs = parse_observations("\ufeffplace,networks\nLeeds,1\n".encode("utf-8"))
    assert list(obs["place"]) == ["Leeds"]


def test_thousands_separators() -> None:
    obs = parse_observations(b'place,networks\nLondon,"61,504"\nUnited Kingdom,"277,986"\nLeeds,"1,234"\n')
    assert list(obs["networks"]) == [61504, 277986, 1234]
    assert "line 2" in parse_error(b'place,networks\nLondon,"61,50"\n')


def test_semicolon_delimiter() -> None:
    obs = parse_observations(b"place;vendor;networks\nLondon;hikvision;61504\nBristol, City of;dahua;1.234\n")
    assert list(obs["place"]) == ["London", "Bristol, City of"]
    assert list(obs["networks"]) == [61504, 1234]


def test_tab_delimiter_and_messy_header() -> None:
    obs = parse_observations(b" Place \t NETWORKS \tLAD Code\nLeeds\t5\tE08000035\n")
    assert list(obs["networks"]) == [5]
    assert list(obs["lad_code"]) == ["E08000035"]


def test_semicolons_inside_a_comma_file() -> None:
    obs = parse_observations(b"place,networks,source\nLeeds,5,TOP10VPN; Mail on Sunday\nYork,2,A; B\n")
    assert list(obs["source"]) == ["TOP10VPN; Mail on Sunday", "A; B"]


def test_decode_table_text() -> None:
    assert tables.decode_table_text("é".encode(), "x.csv")[0] == "é"
    assert tables.decode_table_text("é".encode("latin-1"), "x.csv")[0] == "é"


# -- spreadsheets, column mapping, other file types ---------------------------------------


def test_xlsx_upload_is_read_with_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["place", "networks", "vendor"])
    book.active.append(["Leeds", 5, "Hikvision"])
    book.active.append(["York", 2.0, "dahua"])
    book.save(tmp_path / "t.xlsx")
    table = datasets.parse_observations((tmp_path / "t.xlsx").read_bytes(), "t.xlsx")
    assert table[["place", "vendor", "networks", "line"]].values.tolist() == [
        ["Leeds", "hikvision", 5, 2],
        ["York", "dahua", 2, 3],
    ]
    book.active.append(["Hull", -1, "dahua"])
    book.save(tmp_path / "t.xlsx")
    message = parse_error((tmp_path / "t.xlsx").read_bytes(), "t.xlsx")
    assert "t.xlsx row 4" in message and "negative" in message


def test_other_headers_are_guessed_and_mapped() -> None:
    data = b"City,Count,Brand\nLeeds,5,Dahua\nHull,7,Hikvision\n"
    raw = tables.read_table(data, "scan.csv")
    mapping = tables.guess_mapping(raw.header)
    assert mapping["place"] == "City" and mapping["networks"] == "Count" and mapping["vendor"] == "Brand"
    assert "lacks column(s) place, networks" in parse_error(data, "scan.csv")
    table = datasets.parse_observations(data, "scan.csv", mapping=mapping)
    assert table[["place", "vendor", "networks"]].values.tolist() == [["Leeds", "dahua", 5], ["Hull", "hikvision", 7]]


def test_mapping_to_a_missing_column_is_refused() -> None:
    with pytest.raises(DatasetError, match="has no column 'Town'"):
        datasets.parse_observations(
            b"City,Count\nLeeds,5\n", "scan.csv", mapping={"place": "Town", "networks": "Count"}
        )


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n", "map.png", "not a table (.png)"),
        ("place,networks\nLeeds,5\n".encode("utf-16"), "t.csv", "UTF-16"),
        (b"\x1f\x8b\x08\x00", "t.csv", "gzip-compressed"),
        (b"place,networks\nLeeds,5\n", "t.xlsx", "not an Excel workbook"),
    ],
)
def test_wrong_file_types_name_the_fix(data: bytes, filename: str, expected: str) -> None:
    message = parse_error(data, filename)
    assert expected in message and filename in message


def test_blank_lines_keep_line_numbers() -> None:
    message = parse_error(b"place,networks\n\nLeeds,5\n\nHull,x\n", "t.csv")
    assert "t.csv line 5" in message


def test_table_size_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_MB", "0.00001")
    assert "over the" in parse_error(b"place,networks\nLeeds,5\n", "t.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T06:00Z", "2026-12-01T06:00:00+00:00"),
        ("2026-12-01T0600Z", "2026-12-01T06:00:00+00:00"),
        ("2026-12-01T06:00:00+01:00", "2026-12-01T05:00:00+00:00"),
        ("2026-12-01", "2026-12-01T00:00:00+00:00"),
        ("2021-11", "2021-11-01T00:00:00+00:00"),
        ("2021", "2021-01-01T00:00:00+00:00"),
    ],
)
def test_a_dataset_date_parses_for_ordering(text: str, expected: str) -> None:
    assert datasets.parse_when(text).isoformat() == expected


@pytest.mark.parametrize("text", ["not stated", "late 2021", "", None, "2021-13", "{{ 7*7 }}"])
def test_a_date_that_is_not_one_is_none(text) -> None:
    assert datasets.parse_when(text) is None


def test_when_is_the_count_date_else_the_publication_date(shipped) -> None:
    from dataclasses import replace

    from geo.datasets.time_order import dated

    assert dated(shipped) is not None and dated(shipped).when.year == 2021  # published November 2021, no scan date
    assert dated(replace(shipped, date="2025-03-02")).when.isoformat().startswith("2025-03-02")
    assert dated(replace(shipped, date="not stated", published=None)) is None
