"""Wide tables (one count column per vendor) read as long data in one step, every unused column
named, and the vendor label following what was loaded (geo.datasets.columns, geo.datasets.observations, geo.datasets.dataset,
geo.pictures.captions, geo.pictures.snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas_testing import assert_one_line
from hostile import CORPUS

from geo.core.errors import DatasetError
from geo.core.text import invisible
from geo.datasets import dataset as datasets
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.pictures import snapshot

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "city_counts_2025-03.csv"


def fixture_rows() -> list[list[str]]:
    return [line.split(",") for line in FIXTURE.read_text().splitlines()[1:]]


def load(data: bytes, filename: str = "t.csv", **kwargs) -> datasets.Dataset:
    return datasets.from_upload(data, filename, **kwargs)


def refused(data: bytes, *needles: str, mapping=None) -> str:
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(data, "t.csv", mapping=mapping)
    return assert_one_line(info.value, "t.csv", *needles)


# -- the researcher's table ------------------------------------------------------------------


def test_the_70_city_table_loads_in_one_step_with_both_vendors() -> None:
    dataset = load(FIXTURE.read_bytes(), FIXTURE.name)
    rows = fixture_rows()
    assert len(rows) == 70 and {r[0] for r in rows} >= {"Newport", "Bangor", "Hull", "Newcastle", "London"}
    obs = dataset.observations
    assert len(obs) == 140 and dataset.vendors == ("hikvision", "dahua")
    hik = obs[obs["vendor"] == "hikvision"].set_index("place")["networks"].to_dict()
    dahua = obs[obs["vendor"] == "dahua"].set_index("place")["networks"].to_dict()
    assert hik == {r[0]: int(r[1]) for r in rows} and dahua == {r[0]: int(r[2]) for r in rows}
    assert set(obs["line"]) == set(range(2, 72))  # both vendors of a place keep its line
    assert "read as one column per vendor: hikvision, dahua; one row per place and vendor" in dataset.notes
    assert "column `other` not used" in dataset.notes


def test_the_table_draws_as_hikvision_plus_dahua(resolver, areas_frame) -> None:
    dataset = load(FIXTURE.read_bytes(), FIXTURE.name)
    rows = fixture_rows()
    for vendor, column in (("hikvision", 1), ("dahua", 2)):
        view = build_view(dataset, resolver, areas_frame, Selection(dataset=dataset.id, vendor=vendor))
        leeds = view.table.rows.set_index("name").loc["Leeds", "networks"]
        assert leeds == int(next(r for r in rows if r[0] == "Leeds")[column])
    both = build_view(dataset, resolver, areas_frame, Selection(dataset=dataset.id)).table.rows.set_index("name")
    assert both.loc["Leeds", "networks"] == sum(int(x) for x in next(r for r in rows if r[0] == "Leeds")[1:3])


@pytest.mark.parametrize(
    ("hik", "dahua"),
    [
        ("Hikvision", "Dahua"),
        ("hikvision networks", "dahua_networks"),
        ("HIK", "Dahua Technology"),
        ("Hikvision count", "DAHUA"),
        ("Hikvision Digital Technology", "Dahua (networks)"),
        ("n_hik", "dahua-count"),
    ],
)
@pytest.mark.parametrize("place", ["city", "City", "town", "place", "Location", "name", "City name"])
def test_vendor_and_place_headers_in_the_usual_spellings(hik: str, dahua: str, place: str) -> None:
    obs = datasets.parse_observations(f"{place},{hik},{dahua}\nLeeds,5,3\nYork,2,0\n".encode(), "t.csv")
    assert obs[["place", "vendor", "networks"]].values.tolist() == [
        ["Leeds", "hikvision", 5],
        ["Leeds", "dahua", 3],
        ["York", "hikvision", 2],
        ["York", "dahua", 0],
    ]
    assert not any("not used" in note for note in obs.attrs["notes"])


@pytest.mark.parametrize("header", ["hikvision_share", "Hikvision %", "hik 2024", "Dahua (£)"])
def test_a_vendor_word_beside_other_words_is_not_a_count_column(header: str) -> None:
    obs = datasets.parse_observations(f"city,hikvision,{header}\nLeeds,5,7\n".encode(), "t.csv")
    assert obs[["vendor", "networks"]].values.tolist() == [["hikvision", 5]]
    assert f"column `{header}` not used" in obs.attrs["notes"]


def test_a_table_with_only_a_hikvision_column_is_a_hikvision_dataset(resolver, areas_frame) -> None:
    dataset = load(b"City,Hikvision networks,other\nLeeds,50,1\nYork,7,2\n", "hik.csv")
    assert dataset.vendors == ("hikvision",) and dataset.shown_vendor("all") == "hikvision"
    assert "no dahua column: this is a hikvision-only dataset" in dataset.notes
    assert dataset.vendors_label == "Hikvision only"
    view = build_view(dataset, resolver, areas_frame, Selection(dataset=dataset.id, vendor="all"))
    shot = snapshot.make(view, dataset, areas_frame, fmt="svg")
    for text in (shot.caption.title, shot.caption.subtitle, shot.caption.alt):
        assert "Hikvision" in text and "Dahua" not in text, text
    assert "Hikvision only" in shot.caption.subtitle
    assert "_hikvision_place_networks" in shot.file_name and "_all_" not in shot.file_name


def test_a_split_dataset_keeps_its_combined_label() -> None:
    dataset = load(FIXTURE.read_bytes(), FIXTURE.name)
    assert dataset.shown_vendor("all") == "all" and dataset.shown_vendor("dahua") == "dahua"
    assert dataset.vendors_label == "Hikvision and Dahua counted separately"
    combined = load(b"place,networks\nLeeds,5\n")
    assert combined.shown_vendor("all") == "all" and combined.vendors_label == "Hikvision and Dahua combined"


# -- a total column, blanks, the mapper's wide mode -------------------------------------------


def test_a_total_column_is_checked_against_the_vendor_columns_and_not_read() -> None:
    same = datasets.parse_observations(b"city,hikvision,dahua,total\nLeeds,5,3,8\nYork,2,1,3\n", "t.csv")
    assert list(same["networks"]) == [5, 3, 2, 1]
    assert "column `total` not used: it equals hikvision + dahua on every row" in same.attrs["notes"]
    differs = datasets.parse_observations(b"city,hikvision,dahua,All\nLeeds,5,3,8\nYork,2,1,9\n", "t.csv")
    assert list(differs["networks"]) == [5, 3, 2, 1]
    note = next(n for n in differs.attrs["notes"] if n.startswith("column `All` not used"))
    assert "differs from hikvision + dahua on 1 row (line 3: 9 against 3)" in note


def test_a_blank_vendor_cell_is_no_count_and_is_said() -> None:
    obs = datasets.parse_observations(b"city,hikvision,dahua\nLeeds,5,\nYork,2,1\n", "t.csv")
    assert obs[["place", "vendor", "networks"]].values.tolist() == [
        ["Leeds", "hikvision", 5],
        ["York", "hikvision", 2],
        ["York", "dahua", 1],
    ]
    assert "column `dahua` is blank on 1 row (line 2): no dahua count read there (not 0)" in obs.attrs["notes"]
    refused(b"city,hikvision,dahua\nLeeds,,\n", "every count cell is blank")


def test_a_bad_count_names_its_column() -> None:
    refused(b"city,HIK,Dahua\nLeeds,5,3\nYork,2,lots\n", "line 3 (Dahua)", "not a number")


def test_the_wide_mapping_reads_the_chosen_columns_and_names_the_rest() -> None:
    data = b"Town,H,D,Notes\nLeeds,5,3,x\nYork,2,1,y\n"
    obs = datasets.parse_observations(data, "t.csv", mapping={"place": "Town", "hikvision": "H", "dahua": "D"})
    assert obs[["vendor", "networks"]].values.tolist() == [
        ["hikvision", 5],
        ["dahua", 3],
        ["hikvision", 2],
        ["dahua", 1],
    ]
    assert (
        "read as one column per vendor: hikvision (column `H`), dahua (column `D`); one row per place and vendor"
        in obs.attrs["notes"]
    )
    assert "column `Notes` not used" in obs.attrs["notes"]
    only = datasets.parse_observations(data, "t.csv", mapping={"place": "Town", "hikvision": "H", "dahua": None})
    assert set(only["vendor"]) == {"hikvision"} and "columns `D`, `Notes` not used" in only.attrs["notes"]


def test_the_long_mapping_names_the_columns_it_leaves() -> None:
    data = b"City,Count,Brand,Hikvision share\nLeeds,50,Hikvision,0.6\n"
    obs = datasets.parse_observations(data, "t.csv", mapping={"place": "City", "networks": "Count", "vendor": "Brand"})
    assert "column `Hikvision share` not used" in obs.attrs["notes"]
    plain = datasets.parse_observations(b"place,networks,comment\nLeeds,5,checked\n", "t.csv")
    assert plain.attrs["notes"] == ["column `comment` not used"]


def test_a_blank_header_with_values_is_named_by_its_letter() -> None:
    obs = datasets.parse_observations(b"place,,networks,\nLeeds,x,5,\n", "t.csv")
    assert obs.attrs["notes"] == ["column B (no header) not used"]
    empty = datasets.parse_observations(b"place,,networks\nLeeds,,5\n", "t.csv")
    assert empty.attrs["notes"] == []  # an empty column drops nothing


@pytest.mark.parametrize(
    ("data", "mapping", "needles"),
    [
        (b"City,Count,HIK\nLeeds,5,3\n", {"place": "City", "networks": "Count", "hikvision": "HIK"}, ("not both",)),
        (b"City,HIK\nLeeds,5\n", {"place": "City", "hikvision": "City"}, ("chosen for place and hikvision",)),
        (b"City,Hikvision,HIK\nLeeds,5,3\n", None, ("'Hikvision' and 'HIK' both read as hikvision counts",)),
        (b"ref,hikvision,dahua\n1,5,3\n", None, ("no place column",)),
    ],
)
def test_unclear_layouts_are_refused_in_one_line(data: bytes, mapping, needles) -> None:
    refused(data, *needles, mapping=mapping)


def test_a_vendor_column_keeps_a_long_table_long() -> None:
    obs = datasets.parse_observations(b"place,vendor,networks,dahua\nLeeds,hikvision,5,3\n", "t.csv")
    assert obs[["vendor", "networks"]].values.tolist() == [["hikvision", 5]]
    assert obs.attrs["notes"] == ["column `dahua` not used"]


def test_guess_mapping_offers_each_vendors_column() -> None:
    from geo.datasets import tables

    guess = tables.guess_mapping(["City", "HIK", "Dahua Technology", "Total", "other"])
    assert (guess["place"], guess["hikvision"], guess["dahua"]) == ("City", "HIK", "Dahua Technology")
    assert tables.guess_mapping(["place", "networks"])["hikvision"] is None


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_column_names_are_quoted_in_the_notes(name: str) -> None:
    header = CORPUS[name].replace('"', '""').replace("\x00", "")
    data = f'city,hikvision,dahua,"{header}"\nLeeds,5,3,x\n'.encode()
    notes = datasets.parse_observations(data, "t.csv").attrs["notes"]
    for note in notes:
        assert "\n" not in note and not invisible(note), note
        assert len(note) < 400
    assert notes[-1].startswith("column `") and notes[-1].endswith("` not used")
