"""Nothing dropped silently (issue 15, item 3): networks in names that placed nothing are counted and said,
in one line, by the table (``Table.unplaced``), the command line (stderr) and the match report's counts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from unplaced_table import COUNTS, CSV, LINE, UNPLACED_HIKVISION, UNPLACED_NETWORKS, dataset

import geo.cli.main as cli
from geo.figures import metrics
from geo.names import match_summary


@pytest.fixture(scope="module")
def table(resolver, areas_frame) -> metrics.Table:
    return metrics.build_table(dataset(), resolver, areas_frame)


def test_the_table_counts_the_networks_of_names_on_no_map(table: metrics.Table) -> None:
    off = table.unplaced
    assert off.networks == UNPLACED_NETWORKS == 6_090
    assert off.names == (("Newport", "ambiguous"), ("Bangor", "ambiguous"))
    assert off.line == f"{LINE} — fix them on the Data page"
    assert table.national_total == table.mapped_total  # the sum of places leaves them out, without a word until now


def test_one_vendor_counts_its_own_rows(resolver, areas_frame) -> None:
    hikvision = metrics.build_table(dataset(), resolver, areas_frame, vendor="hikvision")
    assert hikvision.unplaced.networks == UNPLACED_HIKVISION
    assert hikvision.unplaced.line.startswith(f"{UNPLACED_HIKVISION:,} networks in 2 names")


def test_the_json_says_what_is_unplaced(table: metrics.Table) -> None:
    payload = json.loads(json.dumps(table.to_dict()))
    assert payload["unplaced"] == {
        "networks": UNPLACED_NETWORKS,
        "names": [{"input": "Newport", "reason": "ambiguous"}, {"input": "Bangor", "reason": "ambiguous"}],
    }


def test_a_fully_placed_dataset_says_nothing(shipped, resolver, areas_frame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame)
    assert not table.unplaced and table.unplaced.line == ""


def _report(rows: list[tuple[str, str, int, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"input": i, "vendor": v, "networks": n, "status": s, "method": m, "national": False, "lad_codes": ()}
            for i, v, n, s, m in rows
        ]
    )


def test_reasons_are_grouped_and_names_quoted_safely() -> None:
    report = _report(
        [
            ("Newport", "all", 4_790, "ambiguous", "alias"),
            ("Leeds\u202e", "all", 10, "unmatched", None),
            ("York", "all", 1, "ambiguous", "code"),  # its lad_code and its name disagree
            ("Bangor", "all", 1_300, "ambiguous", "alias"),
        ]
    )
    line = match_summary.unplaced(report).line
    assert line == (
        "6,101 networks in 4 names are not on the map: Newport, Bangor (ambiguous); Leeds\\u202e (unmatched); "
        "York (conflicting) — fix them on the Data page"
    )
    assert "\u202e" not in line and "\n" not in line


def test_a_long_list_is_cut_and_a_name_with_split_rows_is_not_counted_twice() -> None:
    rows = [(f"Town {i}", "all", 1, "unmatched", None) for i in range(8)]
    rows += [("Newport", "hikvision", 5, "ambiguous", "alias"), ("Newport", "all", 99, "ambiguous", "alias")]
    off = match_summary.unplaced(_report(rows))
    assert off.networks == 8 + 5 and len(off.names) == 9
    assert "; and 4 more names" in off.line
    assert match_summary.unplaced(_report(rows[:1])).line.startswith("1 network in 1 name is not on the map")


def test_match_counts_name_places_names_and_rows(table: metrics.Table) -> None:
    counts = match_summary.match_counts(table.match_report)
    assert (counts.places, counts.matched_rows) == (12, 24)
    assert counts.matched == "12 places in 24 rows"
    assert counts.ambiguous == "2 names in 4 rows"
    assert counts.summary == "28 rows: 12 places in 24 rows matched, 2 names in 4 rows ambiguous."


def test_two_spellings_of_one_place_are_one_place(resolver) -> None:
    report = metrics.match_report(
        pd.DataFrame(
            {
                "place": ["London", "Greater London", "Leeds"],
                "vendor": "all",
                "networks": [1, 2, 3],
                "lad_code": None,
                "line": [2, 3, 4],
            }
        ),
        resolver,
    )
    assert match_summary.match_counts(report).matched == "2 places in 3 rows"


# -- the command line: the same line on stderr, stdout stays the contract -------------------


@pytest.fixture
def fast_cli(monkeypatch, resolver, areas_frame):
    monkeypatch.setattr(cli, "_context", lambda mirror: (areas_frame, resolver))
    return cli.main


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / "city_counts_2025_long.csv"
    path.write_bytes(CSV)
    return path


@pytest.mark.parametrize("form", ["--json", "--csv", None])
def test_table_prints_the_line_on_stderr(fast_cli, table_file, capsys, form) -> None:
    assert fast_cli(["table", "--dataset", str(table_file), *([form] if form else [])]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"{LINE} — fix them on the Data page"
    if form == "--json":
        assert json.loads(captured.out)["unplaced"]["networks"] == UNPLACED_NETWORKS
    elif form == "--csv":
        assert captured.out.splitlines()[0].startswith("code,name,")
    else:
        assert "national total" not in captured.out.lower()
        placed = sum(sum(pair) for pair in COUNTS.values()) - UNPLACED_NETWORKS
        assert captured.out.splitlines()[0].endswith(f"level place; total of the places counted {placed:,}")


def test_table_on_a_dataset_without_unplaced_names_prints_nothing_on_stderr(fast_cli, capsys) -> None:
    assert fast_cli(["table", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_snapshot_prints_the_line_on_stderr(fast_cli, table_file, tmp_path, capsys) -> None:
    out = tmp_path / "map.svg"
    assert fast_cli(["snapshot", "--dataset", str(table_file), "--vendor", "hikvision", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert (
        captured.err.strip()
        == f"{UNPLACED_HIKVISION:,} networks in 2 names are not on the map: Newport, Bangor (ambiguous) — fix them on the Data page"
    )
    assert captured.out.startswith(f"wrote {out}")
    assert b"Not on the map: 4,520 networks in 2 names" in out.read_bytes()  # the picture's footnote says so too


def test_hostile_names_in_the_unplaced_line_stay_one_line_without_invisible_characters() -> None:
    from hostile import CORPUS, new_token, payloads

    from geo.core.text import invisible

    names = {**CORPUS, **payloads(new_token())}
    report = _report([(text, "all", 1, "unmatched", None) for text in names.values()])
    off = match_summary.unplaced(report)
    assert off.networks == len(names)
    line = off.line
    assert "\n" not in line and "\r" not in line and not invisible(line)
    assert len(line) < 600  # five names, each cut short, and "and N more names"
    assert f"and {len(names) - match_summary.NAMES_LISTED} more names" in line
