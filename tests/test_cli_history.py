"""``python -m geo history``: a collection of dated counts as JSON, CSV or text; bad input in one line (subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from atlas_testing import DATA_ENV, MIRROR_ENV, REPO_ROOT, SHIPPED_ID
from monthly_scans import STARTS, facet

MONTHS = list(STARTS)
DATES = [STARTS[m].strftime("%Y-%m-%dT%H:%MZ") for m in MONTHS]


@pytest.fixture(scope="module")
def env(mirror: Path, fetched, atlas_data_dir: Path) -> dict[str, str]:
    return {**os.environ, MIRROR_ENV: str(mirror), DATA_ENV: str(atlas_data_dir), "PYTHONIOENCODING": "utf-8"}


@pytest.fixture(scope="module")
def collection(monthly_collection: Path) -> Path:
    return monthly_collection


@pytest.fixture(scope="module")
def code(resolver):
    return lambda city: resolver.resolve(city).lad_codes[0]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "history", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )


def test_json_over_a_collection_and_a_study(env, collection: Path, code) -> None:
    done = run(env, SHIPPED_ID, "--collection", str(collection), "--level", "lad", "--vendor", "all", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [s["date"] for s in data["series"]] == ["2021-11", *DATES]
    assert [s["comparable_with_previous"] for s in data["series"]] == [False, False, True, True, True]
    manchester = next(r for r in data["rows"] if r["code"] == code("Manchester"))
    scans = [facet(m, "hikvision")["Manchester"] + facet(m, "dahua")["Manchester"] for m in MONTHS]
    assert manchester["values"] == [7436, *scans]
    assert manchester["change"] == scans[-1] - scans[0]  # over the scans: the study is another line
    norwich = next(r for r in data["rows"] if r["code"] == code("Norwich"))
    assert norwich["values"][:3] == [None, None, None]  # not counted before November: null, never 0
    assert any("TOP10VPN" in note and "Shodan results" in note for note in data["notes"])


def test_csv_has_one_column_per_date(env, collection: Path, code) -> None:
    done = run(env, "--collection", str(collection), "--vendor", "dahua", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert set(DATES) <= set(rows[0])
    leeds = next(r for r in rows if r["code"] == code("Leeds"))
    assert [float(leeds[d]) for d in DATES] == [facet(m, "dahua")["Leeds"] for m in MONTHS]


def test_text_names_each_dataset_and_its_line(env, collection: Path) -> None:
    done = run(env, *(str(p) for p in sorted(collection.iterdir())), "--level", "region")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("continues the line") == len(MONTHS) - 1
    assert "Yorkshire and The Humber" in done.stdout


@pytest.mark.parametrize(
    "case, needle",
    [
        ("one", "at least two datasets"),
        ("twice", "given twice"),
        ("unreadable", "datapackage.json"),
        ("nothing", "history needs datasets"),
        ("no-folder", "is not a folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(env, collection: Path, tmp_path: Path, case: str, needle: str) -> None:
    first = str(sorted(collection.iterdir())[0])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "datapackage.json").write_text("{not json", encoding="utf-8")
    args = {
        "one": [first],
        "twice": [first, first + "/"],
        "unreadable": [first, str(broken)],
        "nothing": [],
        "no-folder": [first, "--collection", str(tmp_path / "missing")],
    }[case]
    done = run(env, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_saved_zips_are_datasets_of_their_own(env, collection: Path, tmp_path: Path) -> None:
    zips = []
    for folder in sorted(collection.iterdir())[:2]:
        path = tmp_path / f"{folder.name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name in ("observations.csv", "datapackage.json"):
                archive.write(folder / name, name)
        zips.append(str(path))
    done = run(env, *zips, "--json")
    assert done.returncode == 0, done.stderr
    assert [s["dataset"] for s in json.loads(done.stdout)["series"]] == [Path(z).stem for z in zips]
