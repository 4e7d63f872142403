"""Bounds on what a table and a choices file may hold: place names that are no names, names
longer than any place, over-long cells, too many choices; every refusal one line with the fix."""

from __future__ import annotations

import pytest
from atlas_testing import assert_one_line

from geo.core.errors import DatasetError
from geo.core.text import MAX_FILE_NAME, MAX_PLACE_NAME
from geo.datasets import dataset as datasets
from geo.datasets import tables
from geo.datasets.limits import MAX_CHOICES


def refused(data: bytes, *needles: str, filename: str = "t.csv") -> str:
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(data, filename)
    message = assert_one_line(info.value, *needles)
    assert len(message) < 400, message
    return message


@pytest.mark.parametrize("name", ["???", "---", "!!!", "\u200b\u202e", "(...)", "' '", "-"])
def test_a_place_with_no_letters_or_digits_is_refused(name: str) -> None:
    data = f'place,networks\nLeeds,5\nYork,2\n"{name}",7\n'.encode()
    refused(data, "t.csv line 4: place", "has no letters or digits: name the place or give its lad_code")


def test_punctuation_names_no_longer_merge_into_one_row() -> None:
    # The attack: 30 networks in three nameless rows became one row of 10 (the others "repeats").
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(b"place,networks\n???,10\n---,10\n!!!,10\n", "t.csv")
    assert_one_line(info.value, "line 2: place '???' has no letters or digits")


def test_a_nameless_place_with_its_lad_code_is_kept() -> None:
    obs = datasets.parse_observations(b"place,networks,lad_code\n???,10,E08000035\n---,4,E08000036\n", "t.csv")
    assert list(obs["networks"]) == [10, 4] and list(obs["lad_code"]) == ["E08000035", "E08000036"]


def test_the_refusal_quotes_invisible_characters_visibly() -> None:
    message = refused("place,networks\n\u202e?!,5\n".encode(), "line 2")
    assert "\u202e" not in message and "\\u202e?!" in message


def test_a_place_name_longer_than_any_place_is_refused() -> None:
    name = "Q" * (MAX_PLACE_NAME + 1)
    message = refused(
        f"place,networks\nLeeds,1\n{name},5\n".encode(),
        "t.csv line 3: place is 101 characters",
        f"over the {MAX_PLACE_NAME}-character limit",
    )
    assert name not in message
    longest = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"  # 58 letters: still read
    assert list(datasets.parse_observations(f"place,networks\n{longest},3\n".encode(), "t.csv")["place"]) == [longest]


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("lad_code", "E" * 101, "lad_code is 101 characters"),
        ("source", "s" * 201, "source is 201 characters"),
        ("date", "2" * 41, "date is 41 characters"),
    ],
)
def test_over_long_cells_are_refused(column: str, value: str, needle: str) -> None:
    refused(f"place,networks,{column}\nLeeds,1,{value}\n".encode(), "t.csv line 2", needle)


def test_a_long_vendor_value_is_quoted_short() -> None:
    message = refused(("place,networks,vendor\nLeeds,1," + "V" * 10_000 + "\n").encode(), "vendor 'VVV")
    assert len(message) < 200


def test_column_names_are_quoted_short_in_messages() -> None:
    header = ",".join("H" * 5_000 + str(i) for i in range(20))
    message = refused(f"{header}\n1\n".encode(), "lacks column(s) place, networks")
    assert len(message) < 400
    with pytest.raises(DatasetError) as info:
        datasets.parse_observations(
            b"City,Count\nLeeds,5\n", "t.csv", mapping={"place": "T" * 5_000, "networks": "Count"}
        )
    assert len(assert_one_line(info.value, "has no column 'TTT")) < 400


def test_a_long_or_invisible_file_name_is_shown_bounded_with_its_type() -> None:
    name = "\u202e" + "n" * 10_000 + "\n.csv"
    label = tables.file_label(name)
    assert len(label) <= MAX_FILE_NAME and label.endswith(".csv") and "\u202e" not in label and "\n" not in label
    dataset = datasets.from_upload(b"place,networks\nLeeds,5\n", name)
    assert dataset.title == f"Your table: {label}" and dataset.source == f"uploaded file {label}"
    with pytest.raises(DatasetError) as info:
        datasets.from_upload(b"place,networks\nLeeds,x\n", name)
    assert len(assert_one_line(info.value, label)) < 400


def test_an_xlsx_with_a_long_name_is_still_read_as_a_workbook() -> None:
    with pytest.raises(DatasetError) as info:
        datasets.from_upload(b"place,networks\nLeeds,5\n", "n" * 500 + ".xlsx")
    assert_one_line(info.value, "is not an Excel workbook")


# -- choices ------------------------------------------------------------------------------


def test_a_choices_file_with_too_many_rows_is_refused() -> None:
    rows = "".join(f"name {i},Leeds\n" for i in range(MAX_CHOICES + 1))
    with pytest.raises(DatasetError) as info:
        datasets.read_choices(f"alias,target\n{rows}".encode(), "choices.csv")
    assert_one_line(info.value, "choices.csv holds 10,001 choices", "over the limit of 10,000")


@pytest.mark.parametrize(
    ("alias", "target", "needle"), [("a" * 101, "Leeds", "the name"), ("Leedz", "L" * 101, "the place")]
)
def test_a_choice_longer_than_any_place_name_is_refused(alias: str, target: str, needle: str) -> None:
    with pytest.raises(DatasetError) as info:
        datasets.read_choices(f"alias,target\n{alias},{target}\n".encode(), "choices.csv")
    message = assert_one_line(
        info.value, "choices.csv line 2", needle, "101 characters", "over the 100-character limit"
    )
    assert len(message) < 300


def test_choices_read_back_as_saved() -> None:
    pairs = (('=HYPERLINK("x")', "Leeds"), ("'=quoted", "York"), ("Manchestr", "E08000003"))
    assert datasets.read_choices(datasets.choices_csv(pairs).encode(), "c.csv") == dict(pairs)


def test_typed_choices_are_bounded_too() -> None:
    upload = datasets.from_upload(b"place,networks\nManchestr,5\n", "t.csv")
    with pytest.raises(DatasetError) as info:
        datasets.with_choices(upload, {"Manchestr": "M" * 5_000})
    assert_one_line(info.value, "5,000 characters")
    many = {f"name {i}": "Leeds" for i in range(MAX_CHOICES)}
    full = datasets.with_choices(upload, many)
    with pytest.raises(DatasetError) as info:
        datasets.with_choices(full, {"one more": "York"})
    assert_one_line(info.value, "10,001 place choices", "over the limit of 10,000")
