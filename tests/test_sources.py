"""geo.sources: finding the official files, validating them by content, one-line errors."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

from atlas_testing import DATA_ENV, MIRROR_ENV, UK_POPULATION, assert_one_line
from geo import areas, sources
from geo.errors import AtlasError, SourceError

GPKG = "LAD_MAY_2024_UK_BUC.gpkg"
GEOJSON = "lad_may2024_uk_buc_wgs84.geojson"
WORKBOOK = "mye22final.xlsx"


def make_mirror(folder: Path, mirror: Path, links: dict[str, str]) -> Path:
    """A mirror folder of symlinks ``{name in folder: name in the real mirror}`` (no copies)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in links.items():
        (folder / name).symlink_to(mirror / target)
    return folder


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


AGE_COLUMNS = ["0", "1", "2", "3", "4"]  # ONS sheets are wide; real tables run to column CQ


# -- finding the files -------------------------------------------------------------------


def test_mirror_dir_from_env_and_explicit(mirror: Path, tmp_path: Path) -> None:
    assert sources.mirror_dir() == mirror
    assert sources.mirror_dir(tmp_path) == tmp_path  # an explicit folder wins over the env var


def test_mirror_dir_none_when_env_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIRROR_ENV, "")
    assert sources.mirror_dir() is None


def test_obtain_prefers_geopackage(mirror: Path) -> None:
    raw = sources.obtain()
    assert raw.boundaries == mirror / GPKG  # the mirror also holds the GeoJSON
    assert raw.population == mirror / WORKBOOK
    assert raw.origin == f"mirror {mirror}"


def test_obtain_accepts_geojson_only_mirror(mirror: Path, tmp_path: Path, population: pd.DataFrame) -> None:
    folder = make_mirror(tmp_path / "m", mirror, {GEOJSON: GEOJSON, WORKBOOK: WORKBOOK})
    raw = sources.obtain(folder)
    assert raw.boundaries.name == GEOJSON
    boundaries = sources.read_boundaries(raw.boundaries)
    assert len(boundaries) == 361
    assert boundaries.crs.to_epsg() == 4326
    sources.check_join(boundaries, population)


def test_obtain_tolerates_case_of_file_names(mirror: Path, tmp_path: Path) -> None:
    folder = make_mirror(tmp_path / "m", mirror, {GPKG.lower(): GPKG, WORKBOOK.upper(): WORKBOOK})
    raw = sources.obtain(folder)
    assert raw.boundaries.name == GPKG.lower()
    assert raw.population.name == WORKBOOK.upper()


def test_obtain_downloads_without_mirror(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mirror: the official URLs are fetched into the cache (served here from the mirror)."""
    served = {sources.BOUNDARIES_URL: mirror / GEOJSON, sources.POPULATION_URL: mirror / WORKBOOK}
    requested: list[str] = []

    def fake_urlopen(url: str, timeout: float | None = None):
        requested.append(url)
        return open(served[url], "rb")

    monkeypatch.setenv(MIRROR_ENV, "")
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    raw = sources.obtain()
    assert raw.origin == "download"
    assert raw.boundaries.parent == tmp_path / "raw"
    assert raw.boundaries.read_bytes() == (mirror / GEOJSON).read_bytes()
    assert raw.population.stat().st_size == (mirror / WORKBOOK).stat().st_size
    assert not list((tmp_path / "raw").glob("*.part"))
    # A second call reuses the downloaded files.
    sources.obtain()
    assert requested == [sources.BOUNDARIES_URL, sources.POPULATION_URL]


# -- validation by content ---------------------------------------------------------------


def test_boundaries_validate(mirror: Path) -> None:
    frame = sources.read_boundaries(mirror / GPKG)
    assert list(frame.columns) == ["code", "name", "geometry"]
    assert len(frame) == 361
    assert frame["code"].str[0].value_counts().to_dict() == {"E": 296, "W": 22, "S": 32, "N": 11}
    assert frame["code"].is_unique
    assert frame.crs.to_epsg() == 4326
    assert set(frame.loc[frame["code"] == "E08000003", "name"]) == {"Manchester"}


def test_population_table(population: pd.DataFrame) -> None:
    lads = population[population["is_lad"]]
    assert len(lads) == 361
    assert lads["code"].str[0].value_counts().to_dict() == {"E": 296, "W": 22, "S": 32, "N": 11}
    uk = population.loc[population["code"] == sources.UK_CODE, "population"].iloc[0]
    assert uk == UK_POPULATION
    assert lads["population"].sum() == UK_POPULATION
    assert not lads["region_code"].isna().any() and not lads["nation_code"].isna().any()
    # Counties and metropolitan counties are not LADs (they would double count).
    assert not population.loc[population["code"].str.startswith(("E10", "E11", "E12", "K")), "is_lad"].any()


def test_check_join_passes_on_official_files(mirror: Path, population: pd.DataFrame) -> None:
    sources.check_join(sources.read_boundaries(mirror / GPKG), population)


# -- errors: one line, naming the problem and the fix ------------------------------------


def test_error_missing_mirror_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceError) as info:
        sources.obtain(tmp_path / "nowhere")
    assert_one_line(info.value, "does not exist", "CAMERA_ATLAS_GEO_MIRROR")
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(SourceError):
        sources.obtain()


def test_source_error_is_an_atlas_error() -> None:
    assert issubclass(SourceError, AtlasError)
    assert "\n" not in str(SourceError("two\nlines  here"))


@pytest.mark.parametrize(
    ("links", "missing"),
    [
        ({WORKBOOK: WORKBOOK}, "LAD boundaries"),
        ({GPKG: GPKG}, "population workbook"),
        ({GPKG: GPKG, "mye22final (1).xlsx": WORKBOOK}, "population workbook"),  # renamed
        ({"LAD_MAY_2024_UK_BUC_v2.gpkg": GPKG, WORKBOOK: WORKBOOK}, "LAD boundaries"),  # renamed
    ],
)
def test_error_file_missing_from_mirror(mirror: Path, tmp_path: Path, links: dict[str, str], missing: str) -> None:
    folder = make_mirror(tmp_path / "m", mirror, links)
    with pytest.raises(SourceError) as info:
        sources.obtain(folder)
    assert_one_line(info.value, missing, "not found in mirror", "SOURCES.md")


def test_error_workbook_without_persons_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / WORKBOOK, {"Contents": [["MYE2 moved elsewhere"]]})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "no sheet 'MYE2 - Persons'", "mye22final.xlsx")


def test_error_workbook_without_area_sheet(tmp_path: Path) -> None:
    persons = [["title"], ["Code", "Name", "Geography", "All ages", *AGE_COLUMNS], ["K02000001", "UK", "Country", 1, 0, 0, 0, 0, 0]]
    path = write_workbook(tmp_path / WORKBOOK, {"MYE2 - Persons": persons})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "no sheet 'MYE5'")


def test_error_workbook_without_population_column(tmp_path: Path) -> None:
    persons = [["title"], ["Code", "Name", "Geography", "Total", *AGE_COLUMNS], ["K02000001", "UK", "Country", 1, 0, 0, 0, 0, 0]]
    path = write_workbook(tmp_path / WORKBOOK, {"MYE2 - Persons": persons, "MYE5": [["Code"]]})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "lacks column(s) All ages", "MYE2 - Persons")


def test_error_small_workbook_without_population_column_names_it(tmp_path: Path) -> None:
    persons = [["title"], ["Code", "Name", "Geography"], ["K02000001", "UK", "Country"]]
    path = write_workbook(tmp_path / WORKBOOK, {"MYE2 - Persons": persons, "MYE5": [["Code", "Area (sq km)"]]})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "All ages")
    assert "usecols" not in str(info.value)


def test_error_workbook_without_code_header(tmp_path: Path) -> None:
    persons = [["Id", "Name", "Geography", "All ages", *AGE_COLUMNS], ["K02000001", "UK", "Country", 1, 0, 0, 0, 0, 0]]
    path = write_workbook(tmp_path / WORKBOOK, {"MYE2 - Persons": persons})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "no 'Code' header")


def test_error_corrupt_workbook(tmp_path: Path) -> None:
    path = tmp_path / WORKBOOK
    path.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "cannot read", "re-download")


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_error_boundaries_wrong_row_count(raw_boundaries: gpd.GeoDataFrame, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"LAD_subset{suffix}"
    # Drop the Scottish council areas: 329 rows.
    raw_boundaries[~raw_boundaries["LAD24CD"].str.startswith("S")].to_file(path, engine="pyogrio")
    with pytest.raises(SourceError) as info:
        sources.read_boundaries(path)
    assert_one_line(info.value, "329 areas", "expected 361", "LAD May 2024 UK BUC")


def test_error_boundaries_without_lad_columns(raw_boundaries: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "wards.gpkg"
    raw_boundaries.rename(columns={"LAD24CD": "WD24CD", "LAD24NM": "WD24NM"}).to_file(path, engine="pyogrio")
    with pytest.raises(SourceError) as info:
        sources.read_boundaries(path)
    assert_one_line(info.value, "LADxxCD", "Local Authority Districts")


def test_error_boundaries_duplicate_codes(raw_boundaries: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "dup.gpkg"
    broken = raw_boundaries.copy()
    broken.loc[broken["LAD24CD"] == "E08000012", "LAD24CD"] = "E08000003"  # Liverpool relabelled Manchester
    broken.to_file(path, engine="pyogrio")
    with pytest.raises(SourceError) as info:
        sources.read_boundaries(path)
    assert_one_line(info.value, "repeat codes")


def test_error_unreadable_boundaries(tmp_path: Path) -> None:
    path = tmp_path / GPKG
    path.write_bytes(b"not a geopackage")
    with pytest.raises(SourceError) as info:
        sources.read_boundaries(path)
    assert_one_line(info.value, "cannot read boundaries", GPKG)


def test_error_codes_do_not_join(mirror: Path, population: pd.DataFrame) -> None:
    boundaries = sources.read_boundaries(mirror / GPKG)
    boundaries.loc[boundaries["code"] == "E08000003", "code"] = "E08999999"
    with pytest.raises(SourceError) as info:
        sources.check_join(boundaries, population)
    assert_one_line(info.value, "do not join", "E08999999", "E08000003", "LAD May 2024")


def test_error_codes_do_not_join_end_to_end(
    mirror: Path, raw_boundaries: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mirror whose GeoPackage carries an old code fails ``fetch`` and writes no cache."""
    folder = make_mirror(tmp_path / "m", mirror, {WORKBOOK: WORKBOOK})
    altered = raw_boundaries.copy()
    altered.loc[altered["LAD24CD"] == "E06000066", "LAD24CD"] = "E07000187"  # Somerset → an abolished district
    altered.to_file(folder / GPKG, engine="pyogrio")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "cache"))
    with pytest.raises(SourceError) as info:
        areas.fetch(folder)
    assert_one_line(info.value, "do not join", "E07000187")
    assert not list((tmp_path / "cache").glob("*.parquet"))


def test_error_population_does_not_add_up(mirror: Path, population: pd.DataFrame) -> None:
    boundaries = sources.read_boundaries(mirror / GPKG)
    short = population.copy()
    short.loc[short["code"] == "E08000003", "population"] -= 1000
    with pytest.raises(SourceError) as info:
        sources.check_join(boundaries, short)
    assert_one_line(info.value, f"{UK_POPULATION - 1000:,}", f"{UK_POPULATION:,}", "re-download")


def test_error_no_mirror_and_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, timeout: float | None = None):
        raise urllib.error.URLError("network is unreachable (test)")

    monkeypatch.setenv(MIRROR_ENV, "")
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(SourceError) as info:
        sources.obtain()
    assert_one_line(info.value, "cannot download", "network is unreachable", "CAMERA_ATLAS_GEO_MIRROR")
    assert not [p for p in (tmp_path / "raw").iterdir()]  # no partial download left behind
    with pytest.raises(SourceError):
        areas.load_areas()  # nothing cached, nothing to fetch
