"""The hostile corpus (tests/hostile.py) through every way an upload's text enters the library:
the file's name, column headers, place names, vendor values, and every field of a saved
dataset's datapackage.json. Each string is read literally (after geo.core.text's cleaning where a
field is one line) or refused in one line, and no payload ran. (The pages and the browser
drive the same strings elsewhere.)"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from atlas_testing import assert_one_line
from hostile import assert_nothing_ran, everything, new_token
from test_package_schema import RESOURCES, saved, zipped

from geo.core.errors import DatasetError
from geo.core.text import MAX_FILE_NAME, invisible, one_line, strip_invisible
from geo.datasets import dataset as datasets
from geo.datasets import folders, tables
from geo.figures import metrics
from geo.names.places import Resolver

TOKEN = new_token()
STRINGS = everything(TOKEN)
NAMES = sorted(STRINGS)


def q(text: str) -> str:
    """``text`` as one quoted CSV field."""
    return '"' + text.replace('"', '""') + '"'


def refusal_is_clean(err: DatasetError) -> str:
    """A refusal: one line, short, and any invisible character written out, never raw."""
    message = assert_one_line(err)
    assert len(message) < 500, message
    assert not invisible(message), f"raw invisible characters in {message!r}"
    return message


@pytest.fixture(autouse=True)
def nothing_ran(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # a payload evaluated anywhere below would create its folder here
    yield
    assert_nothing_ran(TOKEN, tmp_path)


@pytest.mark.parametrize("name", NAMES)
def test_file_name(name: str) -> None:
    filename = STRINGS[name] + ".csv"
    try:
        dataset = datasets.from_upload(b"place,networks\nLeeds,5\n", filename)
    except DatasetError as err:
        refusal_is_clean(err)
        return
    label = tables.file_label(filename)
    cleaned = " ".join(strip_invisible(filename).split())
    assert label == cleaned if len(cleaned) <= MAX_FILE_NAME else len(label) <= MAX_FILE_NAME and label.endswith(".csv")
    assert dataset.title == f"Your table: {label}" and dataset.source == f"uploaded file {label}"
    with pytest.raises(DatasetError) as info:  # the name in a refusal is the same label
        datasets.from_upload(b"place,networks\nLeeds,x\n", filename)
    assert label in refusal_is_clean(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_column_header(name: str) -> None:
    text = STRINGS[name]
    data = f"{q(text)},networks,{q(text + ' 2')}\nLeeds,5,x\n".encode()
    try:
        raw = tables.read_table(data, "t.csv")
    except DatasetError as err:
        refusal_is_clean(err)
        return
    header = raw.header[0]
    assert header == text.strip()
    with pytest.raises(DatasetError) as info:  # not a place column by name: the message quotes it safely
        datasets.parse_observations(data, "t.csv")
    refusal_is_clean(info.value)
    mapped = datasets.parse_observations(data, "t.csv", mapping={"place": header, "networks": "networks"})
    assert list(mapped["place"]) == ["Leeds"] and list(mapped["networks"]) == [5]


@pytest.mark.parametrize("name", NAMES)
def test_vendor_value(name: str) -> None:
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(f"place,networks,vendor\nLeeds,5,{q(STRINGS[name])}\n".encode(), "t.csv")
    refusal_is_clean(info.value)


def test_place_names(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    accepted = []
    for name in NAMES:
        text = STRINGS[name]
        try:
            obs = datasets.parse_observations(f"place,networks\n{q(text)},5\n".encode(), "t.csv")
        except DatasetError as err:
            refusal_is_clean(err)
            continue
        assert list(obs["place"]) == [text.strip()]
        accepted.append(text.strip())
    assert "A" * 10_000 not in accepted and "???" not in accepted  # over-long and nameless are refused
    rows = "".join(f"{q(text)},{i}\n" for i, text in enumerate(accepted, 1))
    dataset = datasets.from_upload(f"place,networks\n{rows}".encode(), "all.csv")
    table = metrics.build_table(dataset, resolver, areas_frame)  # resolved, fuzzy-matched and aggregated
    assert sorted(table.match_report["input"]) == sorted(accepted)
    again = folders.from_zip(folders.to_zip(folders.folder_files(dataset)), "all.zip")
    assert list(again.observations["place"]) == list(dataset.observations["place"])


# Each datapackage.json field: how to put a string there, and where the dataset shows it.
FIELDS = {
    "title": (lambda s: {"title": s}, lambda d: d.title, "line"),
    "description": (lambda s: {"description": s}, lambda d: d.description, "text"),
    "source_short": (lambda s: {"source_short": s}, lambda d: d.source_short, "line"),
    "date": (lambda s: {"date": s}, lambda d: d.date, "line"),
    "published": (lambda s: {"published": s}, lambda d: d.published, "line"),
    "sources.title": (lambda s: {"sources": [{"title": s}]}, lambda d: d.source, "line"),
    "sources.path": (lambda s: {"sources": [{"title": "t", "path": s}]}, lambda d: d.url, "line"),
    "licenses.title": (lambda s: {"licenses": [{"title": s}]}, lambda d: d.licence, "line"),
    "method_notes": (lambda s: {"method_notes": [s]}, lambda d: d.method_notes[0], "line"),
    "place_choices": (lambda s: {"place_choices": [[s, s]]}, lambda d: d.choices[0], "pair"),
    "resources.path": (lambda s: {"resources": [{"path": s}]}, lambda d: "", "none"),
}


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("name", NAMES)
def test_datapackage_field(field: str, name: str) -> None:
    text = STRINGS[name]
    put, shown_as, kind = FIELDS[field]
    try:
        dataset = folders.from_zip(saved({"resources": RESOURCES, **put(text)}), "saved.zip")
    except DatasetError as err:
        refusal_is_clean(err)
        return
    expected = {
        "line": one_line(text, len(text) + 1),
        "text": strip_invisible(text),
        "pair": (text, text),  # place names stay as written: they must equal the table's
        "none": "",
    }[kind]
    assert shown_as(dataset) == expected
    again = folders.from_zip(folders.to_zip(folders.folder_files(dataset)), "again.zip")
    assert shown_as(again) == expected  # saved and opened again, unchanged
    assert json.loads(folders.folder_files(again)["datapackage.json"]) == again.package


@pytest.mark.parametrize("name", NAMES)
def test_observations_of_a_saved_zip(name: str) -> None:
    text = STRINGS[name]
    observations = f"place,networks\n{q(text)},5\n".encode()
    data = zipped({"observations.csv": observations, "datapackage.json": json.dumps({"resources": RESOURCES}).encode()})
    try:
        dataset = folders.from_zip(data, "saved.zip")
    except DatasetError as err:
        refusal_is_clean(err)
        return
    assert list(dataset.observations["place"]) == [text.strip()]
