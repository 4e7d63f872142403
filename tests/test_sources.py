"""geo.official.sources: finding the official files, validating them by content, one-line errors."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from atlas_testing import DATA_ENV, MIRROR_ENV, UK_POPULATION, LocalServer, assert_one_line
from openpyxl import Workbook

from geo import settings
from geo.core.errors import AtlasError, SourceError
from geo.official import areas, download, sources

GPKG = "LAD_MAY_2024_UK_BUC.gpkg"
GEOJSON = "lad_may2024_uk_buc_wgs84.geojson"
WORKBOOK = "mye22final.xlsx"


def make_mirror(folder: Path, mirror: Path, links: dict[str, str]) -> Path:
    """A mirror folder of symlinks ``{name in folder: name in the real mirror}`` (no copies).

    The links are absolute: a relative target would be read from ``folder``, not from the
    directory ``mirror`` was relative to (CAMERA_ATLAS_GEO_MIRROR=../shared/geo).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in links.items():
        (folder / name).symlink_to(Path(os.path.abspath(mirror / target)))
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


def test_relative_paths_resolve_against_the_current_directory(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CAMERA_ATLAS_GEO_MIRROR=../shared/geo style values: absolute from the first look on."""
    monkeypatch.chdir(tmp_path)
    relative_mirror = os.path.relpath(mirror)
    relative_data = "./cache-rel-" + tmp_path.name
    monkeypatch.setenv(MIRROR_ENV, relative_mirror)
    monkeypatch.setenv(DATA_ENV, relative_data)
    assert sources.mirror_dir() == mirror and sources.mirror_dir().is_absolute()
    assert settings.cache_dir() == tmp_path / relative_data[2:]
    monkeypatch.chdir(tmp_path.parent)  # resolved once: a later chdir does not move them
    assert sources.mirror_dir() == mirror
    assert settings.cache_dir() == tmp_path / relative_data[2:]
    raw = sources.obtain()
    assert raw.boundaries == mirror / GPKG and raw.boundaries.is_file()


# -- downloading (no mirror): a local ArcGIS-like service, never the internet --------------


class FeatureService:
    """Serves the mirrored boundaries page by page, as the ArcGIS feature service does.

    ``cap``: the most features one answer holds (the service's own limit, whatever the
    client asks); ``fail``: request numbers (1-based) answered with HTTP 503, or dropped
    without an answer when listed in ``drop``. The workbook is served at /mye22final.xlsx.
    """

    def __init__(
        self, mirror: Path, cap: int = 100, fail: set[int] = frozenset(), drop: set[int] = frozenset()
    ) -> None:
        collection = json.loads((mirror / GEOJSON).read_text(encoding="utf-8"))
        self.features = collection["features"]
        for number, feature in enumerate(self.features):
            feature["id"] = number + 1  # ArcGIS's GeoJSON carries the object id
        self.workbook = (mirror / WORKBOOK).read_bytes()
        self.cap, self.fail, self.drop = cap, fail, drop
        self.count = 0
        self.server = LocalServer(self.respond)

    def respond(self, path: str) -> tuple[int, bytes, str] | None:
        self.count += 1
        if self.count in self.drop:
            return None
        if self.count in self.fail:
            return 503, b"Service Unavailable", "text/plain"
        parts = urllib.parse.urlsplit(path)
        if parts.path == "/mye22final.xlsx":
            return 200, self.workbook, "application/octet-stream"
        query = dict(urllib.parse.parse_qsl(parts.query))
        offset = int(query.get("resultOffset", 0))
        count = min(int(query.get("resultRecordCount", 10**6)), self.cap)
        page = self.features[offset : offset + count]
        body = {"type": "FeatureCollection", "features": page}
        if offset + len(page) < len(self.features):
            body["properties"] = {"exceededTransferLimit": True}
        return 200, json.dumps(body).encode(), "application/geo+json"

    def __enter__(self) -> FeatureService:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


@pytest.fixture
def no_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(MIRROR_ENV, "")
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    return tmp_path


def serve_official(monkeypatch: pytest.MonkeyPatch, service: FeatureService) -> None:
    query = "?where=1%3D1&outFields=*&outSR=4326&f=geojson"
    monkeypatch.setattr(sources, "BOUNDARIES_URL", f"{service.server.url}/arcgis/FeatureServer/0/query{query}")
    monkeypatch.setattr(sources, "POPULATION_URL", f"{service.server.url}/mye22final.xlsx")


def test_obtain_downloads_pages_and_retries(
    mirror: Path, no_mirror: Path, population: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mirror: 361 features in pages of at most 100 (the service's cap, below the 200
    asked for), one 503 and one dropped connection retried, merged into one valid file."""
    waits: list[float] = []
    lines: list[str] = []
    retry = download.Retry(attempts=3, backoff=0.25, timeout=10, sleep=waits.append)
    with FeatureService(mirror, cap=100, fail={2}, drop={6}) as service:
        serve_official(monkeypatch, service)
        raw = sources.obtain(progress=lines.append, retry=retry)
        requests = list(service.server.requests)
    assert raw.origin == "download" and raw.boundaries.parent == no_mirror / "raw"
    offsets = [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r).query)).get("resultOffset") for r in requests]
    assert offsets == ["0", "100", "100", "200", "300", None, None]  # page 2 and the workbook tried twice
    assert all("resultRecordCount=200" in r and "outFields=*" in r for r in requests[:5])
    assert waits == [0.25, 0.25]
    assert any("HTTP 503, trying again in 0.25 s" in line for line in lines)
    assert "LAD boundaries: 361 features (page 4)" in lines
    merged = json.loads(raw.boundaries.read_text(encoding="utf-8"))
    assert len(merged["features"]) == 361
    boundaries = sources.read_boundaries(raw.boundaries)  # validated by content, as from a mirror
    sources.check_join(boundaries, population)
    assert raw.population.read_bytes() == (mirror / WORKBOOK).read_bytes()
    assert not list((no_mirror / "raw").glob("*.part"))
    with FeatureService(mirror) as service:  # a second call reuses the downloaded files
        serve_official(monkeypatch, service)
        sources.obtain(retry=retry)
        assert service.server.requests == []


def test_download_follows_exceeded_transfer_limit_past_an_empty_page(mirror: Path, tmp_path: Path) -> None:
    """ArcGIS may send an empty page that still says more follow; keep paging, keep each feature once."""
    features = [{"type": "Feature", "id": n, "properties": {}, "geometry": None} for n in range(5)]
    pages = {
        "0": {"features": features[:3], "properties": {"exceededTransferLimit": True}},
        "3": {"features": [], "exceededTransferLimit": True},  # the JSON (not GeoJSON) spelling
        # an overlapping page repeats feature 2
        "3b": {"features": features[2:], "properties": {"exceededTransferLimit": False}},
    }
    asked: list[str] = []

    def respond(path: str) -> tuple[int, bytes, str]:
        offset = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))["resultOffset"]
        key = "3b" if offset == "3" and "3" in asked else offset
        asked.append(offset)
        return 200, json.dumps(pages[key]).encode(), "application/json"

    with LocalServer(respond) as server:
        target = sources.download_features(f"{server.url}/query?f=geojson", tmp_path / "b.geojson", page_size=3)
    assert asked == ["0", "3", "3"]
    assert [f["id"] for f in json.loads(target.read_text())["features"]] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("answer", "needles"),
    [
        ((404, b"gone", "text/plain"), ("cannot download the LAD boundaries", "HTTP 404", "CAMERA_ATLAS_GEO_MIRROR")),
        ((503, b"busy", "text/plain"), ("cannot download the LAD boundaries", "HTTP 503", "CAMERA_ATLAS_GEO_MIRROR")),
        ((200, b"<html>maintenance</html>", "text/html"), ("something other than GeoJSON", "try again later")),
        ((200, b'{"error": {"code": 400, "message": "Invalid query"}}', "application/json"), ("Invalid query",)),
    ],
)
def test_download_failures_are_one_line(
    no_mirror: Path, monkeypatch: pytest.MonkeyPatch, answer: tuple[int, bytes, str], needles: tuple[str, ...]
) -> None:
    with LocalServer(lambda path: answer) as server:
        monkeypatch.setattr(sources, "BOUNDARIES_URL", f"{server.url}/query?f=geojson")
        with pytest.raises(SourceError) as info:
            sources.obtain(retry=download.Retry(attempts=3, backoff=0, timeout=10, sleep=lambda s: None))
        tries = len(server.requests)
    assert_one_line(info.value, *needles)
    assert tries == (3 if answer[0] == 503 else 1)  # only transient failures are retried
    assert not [p for p in (no_mirror / "raw").iterdir()]


def test_a_download_that_does_not_validate_is_discarded(
    mirror: Path, no_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FeatureService(mirror, cap=1000) as service:
        service.features = service.features[:300]  # a service that lost 61 areas
        serve_official(monkeypatch, service)
        with pytest.raises(SourceError) as info:
            areas.fetch()
    assert_one_line(info.value, "300 areas", "expected 361")
    assert not list((no_mirror / "raw").iterdir())  # the next fetch downloads again


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
    persons = [
        ["title"],
        ["Code", "Name", "Geography", "All ages", *AGE_COLUMNS],
        ["K02000001", "UK", "Country", 1, 0, 0, 0, 0, 0],
    ]
    path = write_workbook(tmp_path / WORKBOOK, {"MYE2 - Persons": persons})
    with pytest.raises(SourceError) as info:
        sources.read_population(path)
    assert_one_line(info.value, "no sheet 'MYE5'")


def test_error_workbook_without_population_column(tmp_path: Path) -> None:
    persons = [
        ["title"],
        ["Code", "Name", "Geography", "Total", *AGE_COLUMNS],
        ["K02000001", "UK", "Country", 1, 0, 0, 0, 0, 0],
    ]
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
