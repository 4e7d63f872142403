"""``python -m geo scan shodan``: the command line against the local fake Shodan (a subprocess, as cron runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from atlas_testing import DATA_ENV, MIRROR_ENV, REPO_ROOT
from fake_shodan import CITIES, FREE_KEY, MEMBER_KEY, TOTALS, FakeShodan, Reply

from geo.datasets import folders


@pytest.fixture(scope="module")
def fake():
    with FakeShodan() as server:
        yield server


@pytest.fixture(scope="module")
def env(mirror: Path, fetched, atlas_data_dir: Path, fake: FakeShodan) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "SHODAN_API_KEY"}
    return {
        **base,
        MIRROR_ENV: str(mirror),
        DATA_ENV: str(atlas_data_dir),
        "PYTHONIOENCODING": "utf-8",
        "SHODAN_API_URL": fake.url,
        "SHODAN_API_KEY": MEMBER_KEY,
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "scan", "shodan", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )


def everything_written(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def scanned(
    env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("scans") / "2025-06"
    return run(env, "--out", str(out)), out


def test_scan_writes_a_dataset_folder(scanned) -> None:
    done, out = scanned
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("[1/2] hikvision: 52,340 results, 21 cities")
    assert lines[1].startswith("[2/2] dahua: 21,870 results, 12 cities")
    assert any(
        line.startswith("hikvision: total 52,340; resolved 17 cities") and "remainder 10,620 (20.3%)" in line
        for line in lines
    )
    assert any("unmatched: Edinbrugh (380)" in line for line in lines)
    assert lines[-1].startswith(f"wrote {out} (Shodan results counted ")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {v: r["total"] for v, r in package["scan"]["vendors"].items()} == TOTALS
    assert done.stderr == ""


def test_key_appears_nowhere(scanned) -> None:
    done, out = scanned
    assert MEMBER_KEY not in done.stdout + done.stderr + everything_written(out.parent)


def test_error_leaves_the_earlier_scan(env: dict[str, str], scanned, fake: FakeShodan) -> None:
    _, out = scanned
    before = everything_written(out.parent)
    done = run({**env, "SHODAN_API_KEY": FREE_KEY}, "--out", str(out))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "the country: and product: filters need a Shodan membership or API plan" in done.stderr
    assert FREE_KEY not in done.stderr
    assert everything_written(out.parent) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name], "no partial folder"


@pytest.mark.parametrize(
    ("change", "args", "needle"),
    [
        ({"SHODAN_API_KEY": ""}, (), "SHODAN_API_KEY is not set"),
        ({}, ("--facet-size", "0"), "--facet-size 0 is below 1"),
        ({}, ("--out", "no/such/folder/scan"), "does not exist"),
    ],
)
def test_refused_before_any_call(
    env: dict[str, str], fake: FakeShodan, tmp_path: Path, change: dict, args: tuple, needle: str
) -> None:
    calls = len(fake.requests)
    out_args = () if "--out" in args else ("--out", str(tmp_path / "scan"))
    done = run({**env, **change}, *out_args, *args)
    assert done.returncode == 2 and needle in done.stderr and done.stderr.count("\n") == 1
    assert len(fake.requests) == calls, "no call made"
    assert not (tmp_path / "scan").exists()


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (Reply(200, b"[" * 100_000 + b"]" * 100_000), "nested deeper"),
        (
            Reply(200, {"total": 5, "facets": {"city": [{"value": f"c{i}", "count": 0} for i in range(11)]}}),
            "11 city entries, more than the 10 asked for",
        ),
        (Reply(200, {"total": 5, "facets": {"city": [{"value": "Leeds", "count": 450}]}}), "more than the total of 5"),
        (Reply(302, b"", {"Location": "http://127.0.0.1:9/elsewhere"}), "HTTP 302 to 127.0.0.1:9"),
        (Reply(400, {"error": f"no such key {MEMBER_KEY.upper()}"}), "refused the query"),
    ],
    ids=["deep-json", "too-many-facets", "facets-above-total", "redirect", "echoed-key"],
)
def test_a_hostile_answer_is_one_line(
    env: dict[str, str], fake: FakeShodan, tmp_path: Path, reply: Reply, needle: str
) -> None:
    fake.script(reply)
    done = run(env, "--out", str(tmp_path / "scan"), "--facet-size", "10")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and needle in done.stderr and "Traceback" not in done.stderr
    assert MEMBER_KEY.lower() not in done.stderr.lower()
    assert not (tmp_path / "scan").exists()


# -- --into: a collection of dated counts, one new folder per count -------------------------


def _counted_at(folder: Path) -> datetime:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(package["scan"]["counted_at"].replace("Z", "+00:00"))


def test_into_adds_one_dated_folder_per_count_and_never_overwrites(
    env: dict[str, str], fake: FakeShodan, tmp_path: Path
) -> None:
    into = tmp_path / "scans"
    into.mkdir()
    first = run(env, "--into", str(into))
    assert first.returncode == 0, first.stderr
    [written] = list(into.iterdir())
    assert first.stdout.splitlines()[-1].startswith(f"wrote {written} (Shodan results counted ")
    assert written.name == _counted_at(written).strftime("%Y-%m-%dT%H%MZ")
    before = everything_written(into)

    # A later "month": the fake counts fewer Dahua results, London more, and a new city.
    fake.totals = {**TOTALS, "dahua": TOTALS["dahua"] - 5_000}
    fake.cities = {
        "hikvision": {**CITIES["hikvision"], "London": 23_000, "Norwich": 640},
        "dahua": {city: count // 2 for city, count in CITIES["dahua"].items()},
    }
    try:
        second = run(env, "--into", str(into))
    finally:
        fake.totals, fake.cities = dict(TOTALS), {v: dict(c) for v, c in CITIES.items()}
    assert second.returncode == 0, second.stderr
    later = next(p for p in into.iterdir() if p != written)
    same_minute = _counted_at(later).strftime("%Y-%m-%dT%H%MZ") == written.name
    assert later.name == _counted_at(later).strftime("%Y-%m-%dT%H%MZ") + ("-2" if same_minute else "")
    assert second.stdout.splitlines()[-1].startswith(f"wrote {later} (")
    assert sorted(p.name for p in into.iterdir()) == sorted([written.name, later.name]), "no partial folder"
    assert everything_written(written) == before  # the first count untouched

    counts = {}
    for folder in (written, later):
        rows = folders.load_folder(folder).observations.set_index(["place", "vendor"])["networks"]
        counts[folder] = rows
    assert counts[written][("United Kingdom", "dahua")] == TOTALS["dahua"]
    assert counts[later][("United Kingdom", "dahua")] == TOTALS["dahua"] - 5_000
    assert counts[later][("London", "hikvision")] == 23_000 and counts[later][("Norwich", "hikvision")] == 640
    assert ("Norwich", "hikvision") not in counts[written].index
    assert _counted_at(later) >= _counted_at(written)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ("--into", "no/such/collection"),
            "--into no/such/collection does not exist: create the collection folder first",
        ),
        (("--into", "README.md"), "is not a folder"),
    ],
)
def test_into_a_missing_collection_is_refused_before_any_call(
    env: dict[str, str], fake: FakeShodan, args: tuple, needle: str
) -> None:
    calls = len(fake.requests)
    done = run(env, *args)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr
    assert len(fake.requests) == calls, "no call made"


def test_out_and_into_are_one_or_the_other(env: dict[str, str], tmp_path: Path) -> None:
    both = run(env, "--out", str(tmp_path / "a"), "--into", str(tmp_path))
    neither = run(env)
    assert both.returncode == neither.returncode == 2
    assert (
        "not allowed with argument" in both.stderr and "one of the arguments --out --into is required" in neither.stderr
    )
    assert both.stderr.count("\n") == neither.stderr.count("\n") == 1
