"""``python -m geo``: the command-line contract (run as a subprocess, as outside checks do)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from atlas_testing import (
    DATA_ENV,
    GREATER_LONDON_POPULATION,
    MAPPED_NETWORKS,
    MIRROR_ENV,
    REPO_ROOT,
    UK_NETWORKS,
    UK_POPULATION,
)

from geo.official import assets

RESOLVE_KEYS = {"input", "status", "lad_codes", "name", "method", "suggestions"}
ROW_KEYS = {"name", "lad_codes", "networks", "population", "area_km2", "per_1k", "per_km2", "share", "rank"}


@pytest.fixture(scope="module")
def cli_env(mirror: Path, atlas_data_dir: Path, assets_mirror: Path) -> dict[str, str]:
    """The environment for the CLI: the mirrors (official files, npm tarballs), and a data dir
    away from the dev cache. Nothing is downloaded."""
    return {
        **os.environ,
        MIRROR_ENV: str(mirror),
        DATA_ENV: str(atlas_data_dir),
        assets.MIRROR_ENV: str(assets_mirror),
        "PYTHONIOENCODING": "utf-8",
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def fetched_cli(cli_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(cli_env, "fetch")


@pytest.fixture(scope="module")
def table_json(cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str]) -> dict:
    done = run(cli_env, "table", "--dataset", "top10vpn-2021", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_fetch(fetched_cli: subprocess.CompletedProcess[str], atlas_data_dir: Path, mirror: Path) -> None:
    assert fetched_cli.returncode == 0, fetched_cli.stderr
    out = fetched_cli.stdout
    assert out.startswith("ok: 361 LADs (E 296, W 22, S 32, N 11)")
    assert f"population {UK_POPULATION:,}" in out
    assert f"from mirror {mirror}" in out
    assert str(atlas_data_dir) in out
    assert list(atlas_data_dir.glob("areas-*.parquet")) and list(atlas_data_dir.glob("towns-*.parquet"))
    # The map's scripts too: verified, extracted into the cache beside the official data.
    assert "ok: Leaflet 1.9.4: " in out and "sha512 verified" in out
    assert (atlas_data_dir / "assets" / "leaflet-1.9.4" / "leaflet.js").is_file()


def test_fetch_missing_only_fetches_what_is_missing(
    cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str], atlas_data_dir: Path
) -> None:
    done = run(cli_env, "fetch", "--missing")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"ok: official data already cached at {next(atlas_data_dir.glob('areas-*.parquet'))}",
        f"ok: Leaflet 1.9.4: already cached at {atlas_data_dir / 'assets' / 'leaflet-1.9.4'}",
    ]


def test_table_json(table_json: dict) -> None:
    assert {"dataset", "vendor", "level", "national_total", "rows", "match_report"} <= set(table_json)
    assert (table_json["dataset"], table_json["vendor"], table_json["level"]) == ("top10vpn-2021", "all", "place")
    assert table_json["national_total"] == UK_NETWORKS
    assert table_json["mapped_total"] == MAPPED_NETWORKS
    rows = table_json["rows"]
    assert [r["name"] for r in rows] == ["Greater London", "Birmingham", "Manchester", "Liverpool"]
    assert [r["networks"] for r in rows] == [61504, 8865, 7436, 4957]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    for r in rows:
        assert ROW_KEYS <= set(r)
        assert r["per_1k"] == pytest.approx(r["networks"] / r["population"] * 1000)
        assert r["per_km2"] == pytest.approx(r["networks"] / r["area_km2"])
        assert r["share"] == pytest.approx(r["networks"] / UK_NETWORKS)
    london = rows[0]
    assert len(london["lad_codes"]) == 33
    assert london["population"] == GREATER_LONDON_POPULATION
    assert rows[2]["lad_codes"] == ["E08000003"] and rows[2]["area_km2"] == 115.6485


def test_table_json_match_report(table_json: dict) -> None:
    report = table_json["match_report"]
    assert [r["input"] for r in report] == ["United Kingdom", "London", "Birmingham", "Manchester", "Liverpool"]
    assert all(r["status"] == "matched" for r in report)
    assert report[0]["national"] is True and report[0]["lad_codes"] == []


def test_table_csv(cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str]) -> None:
    done = run(cli_env, "table", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["name"] for r in rows] == ["Greater London", "Birmingham", "Manchester", "Liverpool"]
    assert ROW_KEYS <= set(rows[0])
    assert rows[0]["networks"] == "61504"
    assert len(rows[0]["lad_codes"].split()) == 33
    assert float(rows[2]["per_1k"]) == pytest.approx(7436 / 568_996 * 1000)


def test_resolve_json(cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str]) -> None:
    done = run(cli_env, "resolve", "Hull", "Ilford", "Newport", "Manchestr", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [r["input"] for r in results] == ["Hull", "Ilford", "Newport", "Manchestr"]
    for r in results:
        assert RESOLVE_KEYS <= set(r)
        assert isinstance(r["lad_codes"], list) and isinstance(r["suggestions"], list)
    hull, ilford, newport, typo = results
    assert (hull["status"], hull["lad_codes"], hull["method"]) == ("matched", ["E06000010"], "alias")
    assert (ilford["status"], ilford["lad_codes"], ilford["name"], ilford["method"]) == (
        "matched",
        ["E09000026"],
        "Redbridge",
        "gazetteer",
    )
    assert newport["status"] == "ambiguous" and newport["lad_codes"] == [] and newport["suggestions"]
    assert typo["status"] == "unmatched" and "Manchester" in typo["suggestions"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("table", "--vendor", "hikvision"), "combines Hikvision and Dahua"),
        (("table", "--dataset", "missing.csv"), "missing.csv not found"),
        (("fetch", "--mirror", "/nonexistent"), "/nonexistent does not exist"),
        (("table", "--level", "county"), "invalid choice: 'county'"),
        (("table", "--vendor", "axis"), "invalid choice: 'axis'"),
        (("table", "--json", "--csv"), "not allowed with"),
        (("resolve",), "required"),
        (("frobnicate",), "invalid choice"),
    ],
    ids=[
        "vendor-on-combined",
        "missing-file",
        "no-mirror",
        "bad-level",
        "bad-vendor",
        "json-and-csv",
        "no-names",
        "no-command",
    ],
)
def test_errors_are_one_line(
    cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str], args: tuple[str, ...], needle: str
) -> None:
    done = run(cli_env, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert needle in lines[0]


def test_bad_uploaded_csv(
    cli_env: dict[str, str], fetched_cli: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("place,networks\nLeeds,5.5\n", encoding="utf-8")
    done = run(cli_env, "table", "--dataset", str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: bad.csv line 2: networks '5.5' is fractional: counts of networks are whole numbers"
    ]
