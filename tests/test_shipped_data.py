"""The data the project ships is package data: a wheel installed non-editable runs `camera-atlas`
from any directory, with the checkout out of reach.

The wheel is built from a copy of the checkout's shipped files (pyproject, README, geo/, data/
without its runtime folders), so neither a stale ``build/`` folder nor a developer's cache or
scans can leak into it; it installs with ``pip install --no-deps --target`` and runs with only
that target ahead of the virtual environment's dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
from atlas_testing import GREATER_LONDON_POPULATION, LONDON_NETWORKS, REPO_ROOT, SHIPPED_ID

from geo import settings

SHIPPED = [
    "place_aliases.csv",
    "scan_queries.csv",
    f"datasets/{SHIPPED_ID}/datapackage.json",
    "reference/comparitech-2022-rates.csv",
]


def test_pyproject_lists_every_package_of_geo() -> None:
    """The package list is written out (geo._shipped is data/, which discovery cannot see): it must not drift."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = sorted(
        ".".join(init.parent.relative_to(REPO_ROOT).parts) for init in (REPO_ROOT / "geo").rglob("__init__.py")
    )
    assert sorted(config["packages"]) == sorted([*found, "geo._shipped"])
    assert config["package-dir"] == {"geo._shipped": "data"}


def test_in_a_checkout_the_shipped_data_is_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.checkout_dir() == REPO_ROOT
    assert settings.shipped_dir() == REPO_ROOT / "data"
    for name in SHIPPED:
        assert (settings.shipped_dir() / name).is_file()
    monkeypatch.delenv(settings.DATA_DIR, raising=False)
    monkeypatch.delenv(settings.SCANS_DIR, raising=False)
    assert settings.default_cache_dir() == REPO_ROOT / "data" / "cache"
    assert settings.default_scans_dir() == REPO_ROOT / "data" / "scans"


def _copy_of_the_checkout(root: Path) -> Path:
    """What `pip install .` builds from: the sources and the shipped data, never data/cache or data/scans."""
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "geo", source / "geo", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "data", source / "data", ignore=shutil.ignore_patterns("cache", "scans", "__pycache__"))
    (source / "data" / "scans").mkdir()  # as in a checkout: the runtime folders exist, with files that must not ship
    (source / "data" / "scans" / "2026-01-01T0000Z.csv").write_text("a local count\n", encoding="utf-8")
    (source / "data" / "cache").mkdir()
    (source / "data" / "cache" / "areas.parquet").write_bytes(b"cached")
    return source


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command[:4]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done


def test_a_wheel_installed_elsewhere_runs_camera_atlas_table(
    tmp_path: Path, mirror: Path, fetched, atlas_data_dir: Path
) -> None:
    source = _copy_of_the_checkout(tmp_path)
    wheels = tmp_path / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert f"geo/_shipped/{name}" in names
    assert "geo/SOURCES.md" in names
    assert not [n for n in names if n.startswith(("geo/_shipped/cache", "geo/_shipped/scans"))]

    target = tmp_path / "target"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], cwd=tmp_path)
    assert not (target / "geo" / "_shipped" / "scans").exists()

    # Elsewhere: a home of its own, the official files from the mirror, the prepared areas
    # copied into the user cache where the installed atlas looks by default.
    elsewhere = tmp_path / "elsewhere"
    user_cache = tmp_path / "xdg-cache" / "camera-atlas"
    user_cache.mkdir(parents=True)
    (prepared,) = atlas_data_dir.glob("areas-*.parquet")
    shutil.copy2(prepared, user_cache / prepared.name)
    before = (user_cache / prepared.name).stat().st_mtime_ns
    elsewhere.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "PYTHONPATH": str(target),  # ahead of the virtual environment's site-packages (and its editable geo)
        "PYTHONIOENCODING": "utf-8",
        settings.GEO_MIRROR: str(mirror),
    }
    where = _run(
        [sys.executable, "-c", "import geo, geo.settings as s; print(geo.__file__); print(s.shipped_dir())"],
        elsewhere,
        env,
    )
    module, shipped = where.stdout.splitlines()
    assert Path(module).is_relative_to(target) and not Path(module).is_relative_to(REPO_ROOT)
    assert Path(shipped) == target / "geo" / "_shipped"

    script = target / "bin" / "camera-atlas"
    table = _run([sys.executable, str(script), "table", "--json"], elsewhere, env)
    rows = {row["name"]: row for row in json.loads(table.stdout)["rows"]}
    assert rows["Greater London"]["networks"] == LONDON_NETWORKS
    assert rows["Greater London"]["population"] == GREATER_LONDON_POPULATION
    assert (user_cache / prepared.name).stat().st_mtime_ns == before  # read from the user cache, not rebuilt
    assert list(user_cache.glob("towns-*.parquet"))  # and the towns it found missing written there

    listing = _run([sys.executable, str(script), "settings", "--json"], elsewhere, env)
    in_force = {row["name"]: row["in_force"] for row in json.loads(listing.stdout)["settings"]}
    assert in_force[settings.DATA_DIR] == str(user_cache)
    assert in_force[settings.SCANS_DIR] == str(tmp_path / "xdg-data" / "camera-atlas" / "scans")
    assert not list(elsewhere.iterdir())  # nothing written where it ran
