"""Shared fixtures for the unit tests of ``geo`` (real mirrored ONS data, no mocks).

Session fixtures
----------------
mirror          the official-files mirror folder (``CAMERA_ATLAS_GEO_MIRROR``; CI sets it)
areas_frame     the prepared LAD frame, via ``areas.load_areas()`` (the normal cache)
resolver        a place resolver over ``areas_frame``, built once
shipped         the shipped ``top10vpn-2021`` dataset
population      ``sources.read_population`` of the mirrored workbook (read once: ~1.5 s)
raw_boundaries  the mirrored GeoPackage as published (all columns, EPSG:27700)
atlas_data_dir  a session temp folder for tests that fetch or write caches
fetched         ``areas.fetch()`` into ``atlas_data_dir``: (frame, path, origin)
assets_mirror   a folder holding the pinned npm tarballs (the real asset cache, which
                ``python -m geo fetch`` fills; usable as ``CAMERA_ATLAS_ASSETS_MIRROR``)
monthly_collection  a collection folder holding four monthly scans (``monthly_scans.write_months``:
                2026-09-01T0600Z … 2026-12-01T0600Z, counts changing between months)
no_local_scans  (autouse) the default collection is an empty folder: no test reads the scans a
                developer keeps in ``data/scans/`` (``CAMERA_ATLAS_SCANS_DIR``)

Function fixtures
-----------------
isolated_data_dir  ``CAMERA_ATLAS_DATA_DIR`` pointed at ``atlas_data_dir`` for one test

Constants and ``assert_one_line`` live in ``atlas_testing`` (import them by name).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager

from geo.datasets import dataset as datasets
from geo.datasets import folders
from geo.names import places
from geo.official import areas, assets, sources

# Tests import `atlas_testing` by name; make that independent of pytest's import mode.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import monthly_scans  # noqa: E402
from atlas_testing import DATA_ENV, MIRROR_ENV, SHIPPED_ID  # noqa: E402

# The real asset cache, found before any test points CAMERA_ATLAS_DATA_DIR elsewhere.
_ASSETS_CACHE = assets.assets_dir()


@pytest.fixture(scope="session")
def mirror() -> Path:
    value = os.environ.get(MIRROR_ENV)
    if not value:
        pytest.fail(
            f"set {MIRROR_ENV} to the folder with the official ONS files (e.g. ../shared/geo); `make test` sets it"
        )
    path = sources.resolve_path(value)  # absolute, as geo.official.sources sees it (a relative value works too)
    if not path.is_dir():
        pytest.fail(f"{MIRROR_ENV}={value} is not a folder")
    return path


@pytest.fixture(scope="session")
def assets_mirror() -> Path:
    missing = [p.tarball for p in assets.PACKAGES if not (_ASSETS_CACHE / p.tarball).is_file()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not in {_ASSETS_CACHE}: run `make test` or `python -m geo fetch` "
            "(they download the map's scripts from the npm registry)"
        )
    return _ASSETS_CACHE


@pytest.fixture(scope="session")
def areas_frame(mirror: Path) -> gpd.GeoDataFrame:
    return areas.load_areas()


@pytest.fixture(scope="session")
def resolver(areas_frame: gpd.GeoDataFrame) -> places.Resolver:
    return places.build_resolver(areas_frame)


@pytest.fixture(scope="session")
def shipped() -> datasets.Dataset:
    return folders.load_shipped(SHIPPED_ID)


@pytest.fixture(scope="session")
def population(mirror: Path) -> pd.DataFrame:
    return sources.read_population(mirror / "mye22final.xlsx")


@pytest.fixture(scope="session")
def raw_boundaries(mirror: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(mirror / "LAD_MAY_2024_UK_BUC.gpkg", engine="pyogrio")


@pytest.fixture(scope="session")
def atlas_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("atlas-data")


@pytest.fixture(scope="session")
def fetched(mirror: Path, atlas_data_dir: Path) -> tuple[gpd.GeoDataFrame, Path, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_ENV, str(atlas_data_dir))
        return areas.fetch(mirror)


@pytest.fixture(scope="session")
def monthly_collection(tmp_path_factory: pytest.TempPathFactory, resolver: places.Resolver) -> Path:
    folder = tmp_path_factory.mktemp("monthly-collection")
    monthly_scans.write_months(folder, resolver)
    return folder


@pytest.fixture(scope="session", autouse=True)
def no_local_scans(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(folders.SCANS_ENV, str(tmp_path_factory.mktemp("no-scans")))
        yield


@pytest.fixture
def isolated_data_dir(atlas_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_ENV, str(atlas_data_dir))
    return atlas_data_dir


# -- AppTest with st.navigation and a pages/ folder ----------------------------------------


class _NavigationPagesManager(PagesManager):
    """AppTest resets PagesManager's class flag before every run, so with a ``pages/`` folder
    beside app.py its reruns take the legacy (v1) path and run the page file alone, without
    app.py's sidebar. A real server clears the flag once st.navigation is called; do the same."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture
def app_navigation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use in AppTest modules: ``pytestmark = pytest.mark.usefixtures("app_navigation")``."""
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
