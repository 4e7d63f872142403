"""geo.datasets.package_schema: every field of an uploaded datapackage.json is checked for shape and
length, and refused in one line naming the field and the fix, never a Python error."""

from __future__ import annotations

import json

import pytest
from atlas_testing import assert_one_line, zipped

from geo.core.errors import DatasetError
from geo.core.text import MAX_DATE, MAX_DESCRIPTION, MAX_NOTE, MAX_NOTES, MAX_SOURCE
from geo.datasets import folders, package_schema

OBSERVATIONS = b"place,networks\nLeeds,5\n"
RESOURCES = [{"name": "observations", "path": "observations.csv"}]


def saved(descriptor: bytes | dict) -> bytes:
    """A saved-dataset zip whose datapackage.json is ``descriptor`` (a dict gets the resources it needs)."""
    if isinstance(descriptor, dict):
        descriptor = json.dumps({"resources": RESOURCES, **descriptor}).encode()
    return zipped({"observations.csv": OBSERVATIONS, "datapackage.json": descriptor})


def refusal(data: bytes, *needles: str) -> str:
    with pytest.raises(DatasetError) as info:
        folders.from_zip(data, "saved.zip")
    message = assert_one_line(info.value, "saved.zip", *needles)
    assert len(message) < 400, message
    return message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sources": 5}, "sources"),
        ({"place_choices": 7}, "place_choices"),
        ({"resources": ["x"]}, "resources[0]"),
        ({"method_notes": 3}, "method_notes"),
        ({"licenses": "x"}, "licenses"),
        ({"title": {"a": 1}}, "title"),
        ({"date": []}, "date"),
        ({"description": 5}, "description"),
        ({"source_short": ["a"]}, "source_short"),
        ({"published": 2021}, "published"),
        ({"sources": [{"title": 5}]}, "sources[0].title"),
        ({"sources": ["x"]}, "sources[0]"),
        ({"sources": [{"title": "ok", "path": ["x"]}]}, "sources[0].path"),
        ({"licenses": [{"title": True}]}, "licenses[0].title"),
        ({"method_notes": ["fine", None]}, "method_notes[1]"),
        ({"place_choices": [[1, 2]]}, "place_choices[0][0]"),
        ({"place_choices": ["ab"]}, "place_choices[0]"),
        ({"resources": [{"path": 5}]}, "resources[0].path"),
        ({"resources": 5}, "resources"),
        ({"name": 5}, "name"),
    ],
)
def test_a_field_of_the_wrong_shape_is_refused_in_one_line(fields: dict, field: str) -> None:
    refusal(saved(fields), f"field {field} is", "write it as")


@pytest.mark.parametrize(
    ("pair", "needle"), [(["Leeds"], "has 1 entries, needs 2"), (["a", "b", "c"], "has 3 entries")]
)
def test_a_place_choice_is_a_pair(pair: list, needle: str) -> None:
    refusal(saved({"place_choices": [["Manchestr", "Manchester"], pair]}), f"field place_choices[1] {needle}")


@pytest.mark.parametrize("descriptor", [b"[]", b"5", b'"text"', b"null"])
def test_a_descriptor_that_is_not_an_object_is_refused(descriptor: bytes) -> None:
    refusal(saved(descriptor), "datapackage.json is", "an object")


def test_missing_or_empty_resources_are_refused() -> None:
    refusal(saved(b"{}"), "no resources")
    refusal(saved(json.dumps({"resources": []}).encode()), "no resources")


@pytest.mark.parametrize("depth", [100_000, package_schema.MAX_DEPTH + 1])
def test_deep_nesting_is_refused_in_one_line(depth: int) -> None:
    # 100,000 '[' raise RecursionError inside json.loads; a few dozen pass it but are no descriptor.
    descriptor = b'{"resources": [{"path": "observations.csv"}], "x": ' + b"[" * depth + b"]" * depth + b"}"
    refusal(saved(descriptor), "nests", f"more than {package_schema.MAX_DEPTH} deep")


def test_honest_nesting_is_kept() -> None:
    deep = {"a": {"b": {"c": [[{"d": "e"}]]}}}
    dataset = folders.from_zip(saved({"scan": deep}), "saved.zip")
    assert dataset.package["scan"] == deep  # fields the atlas does not read are carried as they are


@pytest.mark.parametrize(
    ("fields", "field", "length", "limit"),
    [
        ({"title": "T" * 201}, "title", 201, 200),
        ({"description": "word " * 1_001}, "description", 5_005, MAX_DESCRIPTION),
        ({"source_short": "word " * 20_000}, "source_short", 100_000, MAX_SOURCE),
        ({"date": "2021-11-" + "1" * 40}, "date", 48, MAX_DATE),
        ({"published": "x" * 41}, "published", 41, MAX_DATE),
        ({"sources": [{"title": "s" * 201}]}, "sources[0].title", 201, MAX_SOURCE),
        ({"sources": [{"title": "s", "path": "https://e.example/" + "p" * 500}]}, "sources[0].path", 518, 500),
        ({"licenses": [{"title": "l" * 201}]}, "licenses[0].title", 201, MAX_SOURCE),
        ({"method_notes": ["ok", "n" * 1001]}, "method_notes[1]", 1001, MAX_NOTE),
        ({"place_choices": [["Manchestr", "M" * 101]]}, "place_choices[0][1]", 101, 100),
        ({"place_choices": [["a" * 101, "Leeds"]]}, "place_choices[0][0]", 101, 100),
    ],
)
def test_over_long_text_is_refused_naming_field_length_and_limit(
    fields: dict, field: str, length: int, limit: int
) -> None:
    refusal(saved(fields), f"field {field} is {length:,} characters", f"over the {limit:,}-character limit")


def test_a_tiny_zip_with_a_huge_source_line_is_refused_before_anything_is_drawn() -> None:
    data = saved({"source_short": " ".join(["word"] * 20_000)})
    assert len(data) < 1_000  # the attack: 567 bytes that drew a PNG of 1800 x 92,997 px
    refusal(data, "source_short", "over the 200-character limit")


def test_a_small_zip_with_a_15_mb_description_is_refused() -> None:
    data = saved({"description": "x" * 15_000_000})
    assert len(data) < 40_000
    refusal(data, "datapackage.json inflates to", "limit")  # refused before it is read at all


@pytest.mark.parametrize(
    ("fields", "field", "count", "limit"),
    [
        ({"method_notes": ["n"] * (MAX_NOTES + 1)}, "method_notes", MAX_NOTES + 1, MAX_NOTES),
        ({"place_choices": [[f"name {i}", "Leeds"] for i in range(10_001)]}, "place_choices", 10_001, 10_000),
        ({"sources": [{"title": "s"}] * 11}, "sources", 11, package_schema.MAX_SOURCES),
        ({"licenses": [{"title": "l"}] * 11}, "licenses", 11, package_schema.MAX_SOURCES),
    ],
)
def test_too_many_entries_are_refused(fields: dict, field: str, count: int, limit: int) -> None:
    refusal(saved(fields), f"field {field} has {count:,} entries", f"limit of {limit:,}")


def test_invisible_characters_leave_one_line_fields_and_place_names_stay_as_written() -> None:
    dataset = folders.from_zip(
        saved(
            {
                "title": "\u202eEvil\u200b title\n",
                "source_short": "A\u2066B\u2069 C",
                "date": "2021-11\u200b",
                "description": "First.\n\nSecond\u202e.",
                "method_notes": ["one\nnote\u200d"],
                "sources": [{"title": "Mail\x00 on\tSunday", "path": "https://e.example/\u200ba"}],
                "licenses": [{"title": "OGL\u202e"}],
                "place_choices": [["Manchestr\u200b", "Manchester"]],
            }
        ),
        "saved.zip",
    )
    assert dataset.title == "Evil title"
    assert dataset.source_short == "AB C"
    assert dataset.date == "2021-11"
    assert dataset.description == "First.\n\nSecond."  # line breaks kept, invisible characters gone
    assert dataset.method_notes == ("one note",)
    assert dataset.source == "Mail on Sunday" and dataset.url == "https://e.example/a"
    assert dataset.licence == "OGL"
    assert dataset.choices == (("Manchestr\u200b", "Manchester"),)  # must equal the name as the table writes it
    again = folders.from_zip(folders.to_zip(folders.folder_files(dataset)), "again.zip")
    assert again.title == dataset.title and again.choices == dataset.choices  # saved as read


def test_null_fields_count_as_absent() -> None:
    dataset = folders.from_zip(saved({"title": None, "date": None, "source_short": None}), "saved.zip")
    assert dataset.title == "upload-zip" and dataset.date == "not stated" and dataset.source_short is None


def test_an_oversized_descriptor_is_refused_before_it_is_read() -> None:
    with pytest.raises(DatasetError) as info:
        package_schema.parse_package(b" " * (package_schema.MAX_PACKAGE_BYTES + 1), "saved.zip")
    assert_one_line(info.value, "saved.zip", "over the 4 MB limit")


def test_a_folder_with_a_bad_descriptor_is_refused_in_one_line(tmp_path) -> None:
    (tmp_path / "observations.csv").write_bytes(OBSERVATIONS)
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": RESOURCES, "sources": 5}))
    with pytest.raises(DatasetError) as info:
        folders.load(str(tmp_path))
    assert_one_line(info.value, f"folder {tmp_path.name}", "field sources is a number")
    (tmp_path / "datapackage.json").write_bytes(b"[" * 100_000)
    with pytest.raises(DatasetError) as info:
        folders.load(str(tmp_path))
    assert_one_line(info.value, "nests")
