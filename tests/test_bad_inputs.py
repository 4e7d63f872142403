"""Every bad table in tests/corpus is refused with one line naming the file and the fix;
every good one loads; formula-looking names are neutralised in every CSV we write."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from atlas_testing import assert_one_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.core.errors import DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import exports
from geo.names.keys import normalise_name

CORPUS = Path(__file__).resolve().parent / "corpus"
# What each bad file's message must say (besides naming the file).
EXPECTED = {
    "binary.csv": "binary file",
    "conflicting_duplicates.csv": "lines 2 and 4",
    "empty.csv": "is empty",
    "empty_place.csv": "line 2: place is empty",
    "extra_field.csv": "line 2: 3 fields",
    "fractional.csv": "fractional",
    "gzip_renamed.csv": "gzip-compressed",
    "header_only.csv": "header but no rows",
    "huge.csv": "implausibly large",
    "negative.csv": "negative",
    "non_numeric.csv": "not a number",
    "not_a_workbook.xlsx": "not an Excel workbook",
    "other_headers.csv": "lacks column(s) place, networks",
    "picture.png": "not a table",
    # In a ';' file ',' is the decimal mark: "1,234" would read 1.234, so it is refused, not read as 1234.
    "semicolon_thousands.csv": "write whole numbers without separators, e.g. 1234",
    "unknown_vendor.csv": "vendor 'Axis'",
    "utf16.csv": "UTF-16",
    "xlsx_renamed.csv": "rename it to .xlsx",
    "zip_renamed.csv": "zip archive",
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in (CORPUS / "bad_tables").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_table_is_refused_with_the_fix(name: str) -> None:
    data = (CORPUS / "bad_tables" / name).read_bytes()
    with pytest.raises(DatasetError) as info:
        datasets.from_upload(data, name)
    message = assert_one_line(info.value, name)
    assert EXPECTED[name] in message


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "good_tables").iterdir()))
def test_good_table_loads(name: str) -> None:
    dataset = datasets.from_upload((CORPUS / "good_tables" / name).read_bytes(), name)
    assert len(dataset.observations) == 1
    assert dataset.observations["networks"].iloc[0] == 5


def test_accents_survive_every_accepted_encoding() -> None:
    for name in ("utf8_bom.csv", "latin1.csv"):
        dataset = datasets.from_upload((CORPUS / "good_tables" / name).read_bytes(), name)
        assert dataset.observations["place"].iloc[0] == "Ynys Môn"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"])
def test_formula_looking_cells_are_neutralised(cell: str) -> None:
    import pandas as pd

    text = exports.safe_csv(pd.DataFrame({"name": [cell], "networks": [-5]}))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'" + cell
    assert row["networks"] == "-5"  # numbers are data, not formulas


def test_formula_name_is_kept_as_text_and_neutralised_on_the_way_out() -> None:
    dataset = datasets.from_upload((CORPUS / "good_tables" / "formula_name.csv").read_bytes(), "formula_name.csv")
    assert dataset.observations["place"].iloc[0] == '=HYPERLINK("http://x")'
    assert exports.safe_csv(dataset.observations).splitlines()[1].startswith("\"'=HYPERLINK")


# -- property-based ----------------------------------------------------------------------

names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(names)
def test_normalise_name_is_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert once == once.strip() and "  " not in once


town_names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x7F) | st.sampled_from(" -'"),
    min_size=1,
    max_size=25,
)


@given(town_names)
def test_normalise_name_ignores_case_and_decorations(name: str) -> None:
    key = normalise_name(name)
    assert normalise_name(name.upper()) == key == normalise_name(name.lower())
    for decorated in (f"{name} (UK)", f"{name}, England", f"  {name}  ", f"{name}, United Kingdom"):
        assert normalise_name(decorated) == key


place_names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Zs"), max_codepoint=0x24F), min_size=1, max_size=20
).filter(lambda s: s.strip())
rows = st.lists(
    st.tuples(place_names, st.integers(min_value=0, max_value=10_000_000)),
    min_size=1,
    max_size=15,
    unique_by=lambda r: normalise_name(r[0]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_loader_round_trips_valid_tables(table: list[tuple[str, int]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["place", "networks"])
    writer.writerows(table)
    loaded = datasets.parse_observations(buffer.getvalue().encode("utf-8"), "t.csv")
    assert list(zip(loaded["place"], loaded["networks"])) == [(p.strip(), n) for p, n in table]
    assert set(loaded["vendor"]) == {"all"}


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_loader_never_crashes_on_arbitrary_bytes(data: bytes) -> None:
    try:
        loaded = datasets.parse_observations(data, "fuzz.csv")
    except DatasetError as err:
        assert "\n" not in str(err) and "fuzz.csv" in str(err)
    else:
        assert (loaded["networks"] >= 0).all()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_any_count_text_is_accepted_or_refused_cleanly(count: str) -> None:
    data = ("place,networks\nLeeds," + csv_quote(count) + "\n").encode("utf-8")
    try:
        loaded = datasets.parse_observations(data, "t.csv")
    except DatasetError as err:
        assert "t.csv line 2" in str(err) or "t.csv" in str(err)
    else:
        assert loaded["networks"].iloc[0] >= 0


def csv_quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
