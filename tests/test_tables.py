"""Hardened reading of users' tables: number conventions, line endings, encodings, the upload
limits (bytes, rows, places, columns, cells), XLSX bombs at small scale, and the qualifier-aware
duplicate check (geo.datasets.tables, geo.datasets.counts, geo.datasets.workbooks, geo.datasets.limits, geo.datasets.dataset)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from atlas_testing import assert_one_line
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from geo.core.errors import AtlasError, DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import tables
from geo.datasets.counts import parse_count
from geo.datasets.limits import MB, TableLimits, format_size, max_table_bytes, max_table_places, max_table_rows
from geo.datasets.workbooks import check_parts


def refused(data: bytes, filename: str = "t.csv", limits: TableLimits | None = None, *needles: str) -> str:
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(data, filename, limits=limits)
    return assert_one_line(info.value, filename, *needles)


def networks(data: bytes, filename: str = "t.csv", limits: TableLimits | None = None) -> list[int]:
    return [int(n) for n in datasets.parse_observations(data, filename, limits=limits)["networks"]]


def xlsx(tmp_path: Path, rows: list[list[object]], name: str = "t.xlsx") -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / name)
    return (tmp_path / name).read_bytes()


# -- 1. numbers: thousands separators and decimal marks follow the file's convention --------


def test_semicolon_file_groups_thousands_with_dots() -> None:
    data = b"place;networks\nLeeds;1.000\nManchester;12.000\nYork;1.234.567\nBath;12,0\nHull;1.234,0\nBury;120.0\n"
    assert networks(data) == [1000, 12000, 1234567, 12, 1234, 120]


@pytest.mark.parametrize("value", ["1,234", "12,000", "1,234,567"])
def test_semicolon_file_refuses_comma_groups(value: str) -> None:
    message = refused(f"place;networks\nLeeds;5\nYork;{value}\n".encode(), "t.csv", None, "line 3", "decimal mark")
    assert f"e.g. {value.replace(',', '')}" in message and "write whole numbers without separators" in message


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_comma_and_tab_files_group_thousands_with_commas(delimiter: str) -> None:
    rows = ['"1,234"', "1.000.000", "120.0", "1234.000", "61504"]
    data = ("place" + delimiter + "networks\n" + "".join(f"P{i}{delimiter}{v}\n" for i, v in enumerate(rows))).encode()
    assert networks(data) == [1234, 1_000_000, 120, 1234, 61504]


@pytest.mark.parametrize("delimiter", [",", "\t"])
@pytest.mark.parametrize(("value", "readings"), [("12.000", "12 or 12000"), ("1.000", "1 or 1000")])
def test_one_dot_and_three_zeros_is_ambiguous(delimiter: str, value: str, readings: str) -> None:
    data = f"place{delimiter}networks\nLeeds{delimiter}{value}\n".encode()
    message = refused(data, "t.csv", None, "line 2", "ambiguous", readings)
    assert "write whole numbers without separators" in message


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_spaces_group_thousands(space: str, delimiter: str) -> None:
    data = f"place{delimiter}networks\nLeeds{delimiter}1{space}234\nYork{delimiter}12{space}345{space}678\n".encode()
    assert networks(data) == [1234, 12_345_678]
    assert "not a number" in refused(f"place{delimiter}networks\nLeeds{delimiter}12{space}34\n".encode())


def test_fraction_that_may_be_grouping_says_so() -> None:
    assert "or is '.' grouping thousands?" in refused(b"place,networks\nLeeds,12.500\n")
    assert "fractional" in refused(b"place;networks\nLeeds;12,5\n")


def _grouped(n: int, separator: str) -> str:
    return f"{n:,}".replace(",", separator)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=0, max_value=50_000_000),
    st.sampled_from(["", ",", ".", " ", "\u00a0"]),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["", "0", "000"]),
)
def test_never_a_silent_1000x_error(n: int, separator: str, delimiter: str, zeros: str) -> None:
    """However a person groups a count, with or without zero decimals, it is read as itself or
    refused: never 1,000 times off. Three decimals after the other convention's mark are
    thousands by rule ('1.000' in a ';' file, '1,000' in a ',' file), so only one decimal
    zero is written with that mark."""
    own, other = (",", ".") if delimiter == ";" else (".", ",")
    mark = other if zeros == "0" and n % 2 else own
    assume(not (separator == mark and n >= 1000))  # one character cannot both group and mark decimals
    value = _grouped(n, separator) + (mark + zeros if zeros else "")
    try:
        count = parse_count(value, "t.csv line 2", decimal_comma=delimiter == ";")
    except DatasetError as err:
        assert_one_line(err, "t.csv line 2")
    else:
        assert count == n, f"{value!r} in a {delimiter!r} file read as {count}"


# -- 2. line endings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"place,networks\rLeeds,5\rYork,3\r",
        b"place,networks\r\nLeeds,5\nYork,3\r",
        b"place,networks\rLeeds,5\r\nYork,3",
    ],
    ids=["cr-only", "mixed-crlf-lf-cr", "mixed-no-final-newline"],
)
def test_old_mac_and_mixed_line_endings(data: bytes) -> None:
    obs = datasets.parse_observations(data, "mac.csv")
    assert list(obs["place"]) == ["Leeds", "York"] and list(obs["networks"]) == [5, 3]
    assert list(obs["line"]) == [2, 3]


def test_cr_only_errors_name_the_right_line() -> None:
    assert "mac.csv line 3" in refused(b"place,networks\rLeeds,5\rYork,x\r", "mac.csv")


def test_quoted_line_breaks_keep_line_numbers() -> None:
    obs = datasets.parse_observations(b'place,networks,source\nLeeds,5,"two\nlines"\nYork,3,\n')
    assert list(obs["line"]) == [2, 4] and obs["source"].iloc[0] == "two\nlines"


# -- 3. encodings --------------------------------------------------------------------------


def test_bom_then_latin1_keeps_the_place_column() -> None:
    data = b"\xef\xbb\xbfplace,networks\nYnys M\xf4n,5\n"
    dataset = datasets.from_upload(data, "bom.csv")
    assert list(dataset.observations["place"]) == ["Ynys Môn"]
    assert dataset.notes == (
        "line 2 is not UTF-8 text and was read as Windows-1252: check the accented names there, or save the file as CSV UTF-8",
    )


def test_one_windows_byte_does_not_garble_the_utf8_lines() -> None:
    data = (
        "place,networks\nYnys Môn,5\nPontypridd,3\n".encode() + b"Caf\xe9 Royal\x92s,2\n" + "Llandudno ✓,1\n".encode()
    )
    dataset = datasets.from_upload(data, "mixed.csv")
    assert list(dataset.observations["place"]) == ["Ynys Môn", "Pontypridd", "Café Royal’s", "Llandudno ✓"]
    assert len(dataset.notes) == 1 and dataset.notes[0].startswith("line 4 is not UTF-8")


def test_many_windows_lines_are_summarised() -> None:
    data = b"place,networks\n" + b"".join(b"Caf\xe9 %d,%d\n" % (i, i) for i in range(30))
    raw = tables.read_table(data, "w.csv")
    assert raw.notes[0].startswith("lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 20 more are not UTF-8")
    assert raw.rows[0][1][0] == "Café 0"


# -- 4. one size formatter (binary MB both sides) --------------------------------------------


def test_format_size() -> None:
    assert [format_size(n) for n in (80, 12_800, 20 * MB, 78_223_360)] == ["80 bytes", "12.5 KB", "20 MB", "74.6 MB"]
    assert format_size(20 * MB + 1, round_up=True) == "20.1 MB"
    assert format_size(20 * MB, round_up=True) == "20 MB"


def test_size_message_uses_binary_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_MB", "1")
    message = refused(b"place,networks\n" + b"Leeds,1\n" * (MB // 8 + 10), "big.csv")
    assert "big.csv is 1.1 MB, over the 1 MB limit" in message and "CAMERA_ATLAS_MAX_TABLE_MB" in message
    assert max_table_bytes() == MB


# -- 5. spreadsheets get spreadsheet fixes ----------------------------------------------------


def test_xlsx_row_wider_than_header(tmp_path: Path) -> None:
    data = xlsx(tmp_path, [["place", "networks"], ["Leeds", 5], ["York", 3, None, "note"]])
    message = refused(
        data, "t.xlsx", None, "t.xlsx row 3", "column D", "delete the cells to the right of the table in row 3"
    )
    assert "quote" not in message


# -- 6. XLSX bombs, at small scale ------------------------------------------------------------


def test_xlsx_cell_in_column_xfd_is_refused_at_once(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["place", "networks"])
    for row in range(2, 200):
        book.active.cell(row=row, column=1, value=f"P{row}")
        book.active.cell(row=row, column=2, value=row)
        book.active.cell(row=row, column=16384, value=1)
    book.save(tmp_path / "wide.xlsx")
    refused(
        (tmp_path / "wide.xlsx").read_bytes(),
        "wide.xlsx",
        None,
        "row 2 has data in column XFD",
        "60-column limit",
        "delete the cells to the right of the table in row 2",
    )


def handmade_xlsx(rows: list[list[object]], long_string: int = 0) -> bytes:
    """A minimal workbook whose text cells are shared strings (openpyxl writes none), plus
    optionally one unused shared string ``long_string`` characters long."""
    strings: list[str] = []
    cells = []
    for r, row in enumerate(rows, start=1):
        out = []
        for c, value in enumerate(row):
            ref = f"{'ABCDEFGH'[c]}{r}"
            if isinstance(value, str):
                strings.append(value)
                out.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
        cells.append(f'<row r="{r}">{"".join(out)}</row>')
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings) + (
        f"<si><t>{'x' * long_string}</t></si>" if long_string else ""
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {main} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f"<worksheet {main}><sheetData>{''.join(cells)}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f"<sst {main}>{shared}</sst>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_xlsx_huge_shared_string_is_refused_before_unpacking() -> None:
    data = handmade_xlsx([["place", "networks"], ["Leeds", 5]], long_string=300_000)
    assert len(data) < 5_000
    message = refused(data, "s.xlsx", TableLimits(max_part=100 * 1024), "xl/sharedStrings.xml", "over the 100 KB limit")
    assert "save the sheet as CSV" in message
    obs = datasets.parse_observations(data, "s.xlsx")  # within the default limits it loads
    assert list(obs["place"]) == ["Leeds"] and list(obs["networks"]) == [5]


@pytest.mark.parametrize(
    ("limits", "needle"),
    [
        (TableLimits(max_sheet=1024), "xl/worksheets/sheet1.xml unpacks to"),
        (TableLimits(max_unpacked=4096), "unpacks to"),
    ],
)
def test_xlsx_parts_over_the_limits(tmp_path: Path, limits: TableLimits, needle: str) -> None:
    data = xlsx(tmp_path, [["place", "networks"], *([f"Place {i}", i] for i in range(300))])
    refused(data, "p.xlsx", limits, needle)


def test_zip_directory_is_checked_without_unpacking() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", "a" * 2_000_000)  # deflates to ~2 KB
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(DatasetError) as info:
        check_parts(buffer.getvalue(), "bomb.xlsx", TableLimits(max_part=MB))
    assert_one_line(info.value, "bomb.xlsx part xl/sharedStrings.xml unpacks to 2 MB, over the 1 MB limit")


def test_xlsx_reading_stops_at_the_row_limit(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["place", "networks"])
    for i in range(2, 8):
        book.active.append([f"P{i}", i])
    book.active.cell(row=9, column=16384, value=1)  # would be refused if it were read
    book.save(tmp_path / "rows.xlsx")
    refused((tmp_path / "rows.xlsx").read_bytes(), "rows.xlsx", TableLimits(max_rows=3), "more than 3 rows")


def test_xlsx_blank_cells_far_right_are_trimmed(tmp_path: Path) -> None:
    data = xlsx(tmp_path, [["place", "networks", None, "  "], ["Leeds", 5, None, ""]])
    raw = tables.read_table(data, "t.xlsx")
    assert raw.header == ["place", "networks"] and raw.rows == [(2, ["Leeds", "5"])]


# -- 7. bounded work per request ----------------------------------------------------------------


def test_csv_reading_stops_at_the_row_limit() -> None:
    # The last line is a field over the csv module's size limit: reading it would be a different error.
    data = b"place,networks\n" + b"".join(b"P%d,%d\n" % (i, i) for i in range(4)) + b"x" * 200_000 + b",1\n"
    message = refused(data, "rows.csv", TableLimits(max_rows=3), "more than 3 rows (the limit)")
    assert "aggregate to one row per place and vendor" in message and "raise CAMERA_ATLAS_MAX_TABLE_ROWS" in message
    assert networks(data[: data.index(b"P3")], "rows.csv", TableLimits(max_rows=3)) == [0, 1, 2]


def test_row_and_place_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_ROWS", "4")
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_PLACES", "2")
    assert (max_table_rows(), max_table_places()) == (4, 2)
    split = b"place,vendor,networks\nLeeds,hikvision,5\nLeeds,dahua,6\nYork,all,1\n"
    assert networks(split) == [5, 6, 1]  # two places, three rows
    message = refused(split + b"Hull,all,2\n", "t.csv", None, "more than 2 distinct places", "line 5")
    assert "raise CAMERA_ATLAS_MAX_TABLE_PLACES" in message
    assert "more than 4 rows" in refused(b"place,networks\n" + b"".join(b"P%d,1\n" % i for i in range(5)))


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "inf"])
def test_bad_limit_settings_are_one_line_errors(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_ROWS", value)
    with pytest.raises(AtlasError) as info:
        datasets.parse_observations(b"place,networks\nLeeds,5\n")
    assert_one_line(info.value, f"CAMERA_ATLAS_MAX_TABLE_ROWS={value!r}", "whole number above 0")


def test_bad_size_setting_is_an_error_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_MB", "twenty")
    with pytest.raises(AtlasError) as info:
        max_table_bytes()
    assert_one_line(info.value, "CAMERA_ATLAS_MAX_TABLE_MB='twenty'", "such as 50")


def test_column_limit() -> None:
    header = ",".join(["place", "networks", *(f"c{i}" for i in range(59))])
    assert "61 fields, over the 60-column limit: delete the columns" in refused(f"{header}\nLeeds,5\n".encode())
    assert networks(b"place,networks" + b"," * 500 + b"\nLeeds,5" + b"," * 500 + b"\n") == [5]


def test_cell_budget_counts_blank_rows_too() -> None:
    data = b"place,networks\nLeeds,5\n" + b"\n" * 50 + b"York,3\n"
    refused(data, "t.csv", TableLimits(max_cells=40), "over 40 cells", "delete unused columns and blank rows")
    assert networks(data, "t.csv", TableLimits(max_cells=60)) == [5, 3]


def test_blank_rows_count_towards_a_looser_row_limit(tmp_path: Path) -> None:
    data = b"place,networks\nLeeds,5\n" + b"\n" * 5 + b"York,3\n"
    assert networks(data, "t.csv", TableLimits(max_rows=4)) == [5, 3]
    refused(
        data + b"\n" * 3,
        "t.csv",
        TableLimits(max_rows=4),
        "more than 8 rows counting blank ones",
        "delete the blank rows",
    )
    book = Workbook()
    book.active.append(["place", "networks"])
    book.active.cell(row=50, column=1, value="Leeds")  # rows 2-49 are absent from the sheet
    book.active.cell(row=50, column=2, value=5)
    book.save(tmp_path / "gap.xlsx")
    refused(
        (tmp_path / "gap.xlsx").read_bytes(),
        "gap.xlsx",
        TableLimits(max_rows=10),
        "more than 20 rows counting blank ones",
    )


# -- 8. qualifiers tell places apart --------------------------------------------------------------


def test_qualified_places_are_not_duplicates() -> None:
    obs = datasets.parse_observations(b"place,networks\nBangor (Gwynedd),5\nBangor (Ards and North Down),5\n")
    assert list(obs["place"]) == ["Bangor (Gwynedd)", "Bangor (Ards and North Down)"]
    obs = datasets.parse_observations(b"place,networks\nBangor (Gwynedd),5\nBangor (Ards and North Down),7\n")
    assert list(obs["networks"]) == [5, 7]
    message = refused(b"place,networks\nBangor (Gwynedd),5\nbangor ( gwynedd ),7\n", "t.csv", None, "lines 2 and 3")
    assert "keep one row per place and vendor" in message


def test_duplicate_key_includes_the_cleaned_lad_code() -> None:
    obs = datasets.parse_observations(
        b"place,lad_code,networks\nLeeds,E08000035,5\nLeeds,'e08000035.',5\nLeeds,E08000036,5\n"
    )
    assert list(obs["lad_code"]) == ["E08000035", "E08000036"]
    assert obs.attrs["notes"] == ["'Leeds' appears 2 times with the same count; counted once"]


# -- 9. header synonyms -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cameras", "Camera count", "networks_count"])
def test_count_column_synonyms(name: str) -> None:
    assert tables.guess_mapping(["Town", name])["networks"] == name
