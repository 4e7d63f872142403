"""A table's source and date: asked for, prefilled from its columns or file name, checked, and
carried onto every output (source line, subtitle, alt text, file names, CSV columns, the saved
zip's datapackage.json) by the library and the command line's ``--source``/``--date``."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from atlas_testing import SHIPPED_ID, assert_one_line
from PIL import Image

import geo.cli.main as cli
from geo.core.errors import DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import exports, folders, tables
from geo.figures import join
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.pictures import captions, snapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLE = FIXTURES / "city_counts_2025-03.csv"
SOURCE = "Shodan search by J. Doe"
SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_text(data: bytes) -> str:
    """Every text drawn in an SVG snapshot, lines joined by spaces, whitespace removed (wrapping moves it)."""
    root = ET.fromstring(data)
    return "".join(" ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")).split())


def words(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def context(areas_frame, resolver):
    return areas_frame, resolver


@pytest.fixture
def fast_cli(monkeypatch, context):
    monkeypatch.setattr(cli, "_context", lambda mirror: context)
    return cli.main


# -- where a date comes from --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("city_counts_2025-03.csv", "2025-03"),
        ("scan-20250301.csv", "2025-03-01"),
        ("counts_2025_03_14.xlsx", "2025-03-14"),
        ("city_counts_2025_long.csv", "2025"),
        ("counts.csv", None),
        ("top10vpn.csv", None),
        ("x12025-03.csv", None),
        ("run-2025-13.csv", "2025"),
    ],
)
def test_a_file_name_gives_its_date(name: str, expected: str | None) -> None:
    assert datasets.date_in_file_name(name) == expected


def test_one_source_and_date_for_the_whole_table_become_the_datasets() -> None:
    data = b"city,hikvision,dahua,source,date\nLeeds,5,3,Shodan,2025-02-27\nYork,2,1,Shodan,2025-02-27\n"
    dataset = datasets.from_upload(data, "counts_2024.csv")
    assert (dataset.source, dataset.source_short, dataset.date) == ("Shodan", "Shodan", "2025-02-27")
    mixed = datasets.from_upload(
        data.replace(b"York,2,1,Shodan,2025-02-27", b"York,2,1,Censys,2025-02-28"), "counts_2024.csv"
    )
    assert (mixed.source, mixed.source_short, mixed.date) == ("uploaded file counts_2024.csv", None, "2024")
    assert list(mixed.observations["source"]) == ["Shodan", "Shodan", "Censys", "Censys"]  # the rows keep theirs
    words_date = datasets.from_upload(b"place,networks,date\nLeeds,5,March 2025\n", "t.csv")
    assert words_date.date == "not stated" and list(words_date.observations["date"]) == ["March 2025"]


def test_given_source_and_date_win_and_name_another_dataset() -> None:
    data = b"city,hikvision,dahua,source\nLeeds,5,3,Shodan\n"
    found = datasets.from_upload(data, "counts_2025-03.csv")
    given = datasets.from_upload(data, "counts_2025-03.csv", source="  My\u202e lab ", date="2025-3")
    assert (given.source, given.source_short, given.date) == ("My lab", "My lab", "2025-03")
    assert given.id != found.id  # caches (and a cached snapshot's source line) key on the id
    assert given.date_label == "counted March 2025" and found.date_label == "counted March 2025"


@pytest.mark.parametrize(
    ("kwargs", "needles"),
    [
        ({"date": "March 2025"}, ("'March 2025' is not a date", "2025-03-01 or 2025-03")),
        ({"date": "2025-13-01"}, ("not a date", "2025-03-01 or 2025-03")),
        ({"date": "2025-03-01" + "x" * 40}, ("over the 40-character limit", "2025-03-01 or 2025-03")),
        ({"source": "S" * 201}, ("201 characters", "200-character limit")),
    ],
)
def test_a_bad_source_or_date_is_refused_in_one_line(kwargs: dict, needles: tuple[str, ...]) -> None:
    with pytest.raises(DatasetError) as info:
        datasets.from_upload(TABLE.read_bytes(), TABLE.name, **kwargs)
    assert_one_line(info.value, *needles)


def test_the_data_page_prefill_reads_columns_then_file_name() -> None:
    raw = tables.read_table(b"city,hikvision,source,date\nLeeds,5,Shodan,2025-02-27\n", "counts_2024.csv")
    assert datasets.guess_provenance(raw) == ("Shodan", "2025-02-27")
    assert datasets.guess_provenance(tables.read_table(TABLE.read_bytes(), TABLE.name)) == ("", "2025-03")
    assert datasets.guess_provenance(tables.read_table(b"a,b\n1,2\n", "t.csv")) == ("", "")
    long = tables.read_table(b"City,Count,Source,Scan date\nLeeds,5,Censys,2025-01\n", "t.csv")  # before any mapping
    assert datasets.guess_provenance(long) == ("Censys", "2025-01")


# -- every output carries them --------------------------------------------------------------------


@pytest.fixture(scope="module")
def dated(areas_frame, resolver):
    dataset = datasets.from_upload(TABLE.read_bytes(), TABLE.name, source=SOURCE, date="2025-03-14")
    view = build_view(dataset, resolver, areas_frame, Selection(dataset=dataset.id, level="lad"))
    return dataset, view


def test_source_and_date_reach_the_picture_subtitle_alt_text_and_file_name(dated, areas_frame) -> None:
    dataset, view = dated
    shot = snapshot.make(view, dataset, areas_frame, fmt="svg")
    drawn = svg_text(shot.data)
    assert words(f"Source: {SOURCE}.") in drawn and words("counted 14 March 2025") in drawn
    assert f"{SOURCE}, counted 14 March 2025" in shot.caption.subtitle
    assert f"{SOURCE}, counted 14 March 2025" in shot.caption.alt
    assert shot.file_name == "uk-camera-atlas_city-counts-2025-03-csv_2025-03-14_all_lad_networks.svg"
    png = snapshot.make(view, dataset, areas_frame, fmt="png", width_px=600)
    assert f"{SOURCE}, counted 14 March 2025" in Image.open(io.BytesIO(png.data)).info["Description"]


def test_the_file_name_date_is_the_count_date_else_the_publication_date(shipped, resolver, areas_frame) -> None:
    view = build_view(shipped, resolver, areas_frame, Selection(dataset=shipped.id))
    assert snapshot.file_stem(view, shipped) == f"uk-camera-atlas_{SHIPPED_ID}_2021-11_all_place_networks"
    undated = datasets.from_upload(b"place,networks\nLeeds,5\n", "t.csv")
    assert snapshot.date_label(undated) == ""


def test_source_and_date_are_csv_columns(dated) -> None:
    dataset, view = dated
    credit = captions.attribution(dataset)
    figures = exports.figures_for_download(join.table_frame(view.shapes), credit.counts, dataset.date_label)
    assert set(figures["source"]) == {SOURCE} and set(figures["date"]) == {"counted 14 March 2025"}


def test_source_and_date_travel_in_the_saved_zip(dated) -> None:
    dataset, _ = dated
    files = folders.folder_files(dataset)
    package = json.loads(files["datapackage.json"])
    assert package["date"] == "2025-03-14" and package["source_short"] == SOURCE
    assert package["sources"] == [{"title": SOURCE}]
    again = folders.from_zip(folders.to_zip(files), "saved.zip")
    assert (again.source, again.source_short, again.date) == (SOURCE, SOURCE, "2025-03-14")
    assert again.vendors == ("hikvision", "dahua") and len(again.observations) == 140


# -- the command line ------------------------------------------------------------------------------


def test_snapshot_takes_source_and_date_for_a_table_file(fast_cli, tmp_path, capsys) -> None:
    out = tmp_path / "counts.svg"
    code = fast_cli(
        ["snapshot", "--dataset", str(TABLE), "--source", SOURCE, "--date", "2025-03-14", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    drawn = svg_text(out.read_bytes())
    assert words(f"Source: {SOURCE}.") in drawn and words(f"{SOURCE}, counted 14 March 2025") in drawn
    assert f"({SOURCE}, counted 14 March 2025)" in captured.out.splitlines()[1]  # the alt text line


def test_without_flags_the_file_name_dates_the_table(fast_cli, tmp_path, capsys) -> None:
    out = tmp_path / "counts.svg"
    assert fast_cli(["snapshot", "--dataset", str(TABLE), "--out", str(out)]) == 0, capsys.readouterr().err
    drawn = svg_text(out.read_bytes())
    assert words(f"Source: uploaded file {TABLE.name}.") in drawn and words("counted March 2025") in drawn


@pytest.mark.parametrize("command", ["table", "snapshot"])
@pytest.mark.parametrize(
    ("dataset", "flags", "needles"),
    [
        (str(TABLE), ["--date", "March 2025"], ("'March 2025' is not a date", "2025-03-01 or 2025-03")),
        (SHIPPED_ID, ["--source", "Me"], ("for a table file", "datapackage.json")),
        (str(FIXTURES / "datasets" / "synthetic-split"), ["--date", "2025-03"], ("dataset folder", "leave them out")),
    ],
)
def test_cli_refuses_a_bad_date_or_flags_for_a_dataset_with_its_own(
    fast_cli, tmp_path, capsys, command: str, dataset: str, flags: list[str], needles: tuple[str, ...]
) -> None:
    args = [command, "--dataset", dataset, *flags] + (
        ["--out", str(tmp_path / "m.png")] if command == "snapshot" else []
    )
    assert fast_cli(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err
    assert not (tmp_path / "m.png").exists()


def test_table_takes_source_and_date(fast_cli, capsys) -> None:
    assert fast_cli(["table", "--dataset", str(TABLE), "--source", SOURCE, "--date", "2025-03-14", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "column `other` not used" in report["notes"]
