"""Obtaining and validating the official ONS files.

The project never commits these files. :func:`obtain` takes them from a mirror folder
(``CAMERA_ATLAS_GEO_MIRROR`` or an explicit path) or downloads them from the official URLs
(the boundaries page by page from the ArcGIS feature service, transient failures retried);
:func:`read_boundaries` and :func:`read_population` read and validate them by content.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.core.errors import SourceError
from geo.official import download
from geo.settings import resolve_path

Progress = Callable[[str], None]

BOUNDARIES_URL = (
    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
    "Local_Authority_Districts_May_2024_Boundaries_UK_BUC/FeatureServer/0/query"
    "?where=1%3D1&outFields=*&outSR=4326&f=geojson"
)
POPULATION_URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland/"
    "mid2022/mye22final.xlsx"
)
# File names accepted in a mirror folder, most preferred first.
BOUNDARY_FILES = (
    "LAD_MAY_2024_UK_BUC.gpkg",
    "LAD_MAY_2024_UK_BUC.geojson",
    "lad_may2024_uk_buc_wgs84.geojson",
)
POPULATION_FILES = ("mye22final.xlsx",)

ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024. "
    "Contains National Records of Scotland and NISRA data © Crown copyright 2024."
)
GEONAMES_ATTRIBUTION = "Place names: GeoNames (geonames.org), CC BY 4.0."

UK_CODE = "K02000001"
NATION_CODES = {
    "E92000001": "England",
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}
# Official RGN names; the workbook prints regions in capitals ("EAST").
REGION_NAMES = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
# LAD counts per nation (first letter of the GSS code) in the May 2024 geography.
EXPECTED_LADS = {"E": 296, "W": 22, "S": 32, "N": 11}
POPULATION_SHEET = "MYE2 - Persons"
AREA_SHEET = "MYE5"
# Rows of the ONS table that are not local authority districts.
_NON_LAD_GEOGRAPHIES = {"country", "region", "county", "metropolitan county"}


@dataclass(frozen=True)
class RawSources:
    """Paths of the two official files and where they came from."""

    boundaries: Path
    population: Path
    origin: str  # "mirror <dir>" or "download"


# Features asked for per request; the service may send fewer (its own cap) and says so.
PAGE_SIZE = 200
_MAX_PAGES = 500


def mirror_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The mirror folder to use: ``explicit`` if given, else ``CAMERA_ATLAS_GEO_MIRROR``.

    Relative paths are resolved against the current directory (once), so the result is
    always absolute.
    """
    if explicit is not None:
        path = resolve_path(os.fspath(explicit)) if os.fspath(explicit) else None
    else:
        path = settings.folder(settings.GEO_MIRROR)
    if path is None:
        return None
    if not path.is_dir():
        raise SourceError(
            f"mirror folder {path} does not exist: point CAMERA_ATLAS_GEO_MIRROR "
            "(or --mirror) at the folder holding the ONS files"
        )
    return path


def _find_in_mirror(folder: Path, names: tuple[str, ...], what: str) -> Path:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    # Tolerate case differences in the mirror's file names.
    lowered = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    raise SourceError(
        f"{what} not found in mirror {folder}: expected one of {', '.join(names)}; "
        "copy the official file there (see geo/SOURCES.md)"
    )


def _offline_error(what: str, reason: str) -> SourceError:
    return SourceError(
        f"cannot download the {what} from ONS ({reason}): connect to the internet, "
        "or set CAMERA_ATLAS_GEO_MIRROR (or --mirror) to a folder with the ONS files"
    )


def _page_url(url: str, offset: int, count: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update(resultOffset=str(offset), resultRecordCount=str(count))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, safe="*")))


def _exceeded(page: dict) -> bool:
    """ArcGIS says more features follow: top level in JSON, under ``properties`` in GeoJSON."""
    properties = page.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    return bool(page.get("exceededTransferLimit") or properties.get("exceededTransferLimit"))


def download_features(
    url: str,
    target: Path,
    what: str = "LAD boundaries",
    *,
    page_size: int = PAGE_SIZE,
    retry: download.Retry = download.DEFAULT_RETRY,
    progress: Progress | None = None,
) -> Path:
    """Page through an ArcGIS feature service query (GeoJSON) and write one FeatureCollection.

    Asks for ``page_size`` features at a time (``resultOffset``/``resultRecordCount``) and
    goes on while the service reports ``exceededTransferLimit`` — it may cap a page below
    ``page_size``, or send an empty page that still says more follow. Each page is retried
    on transient failures as ``retry`` says (see :mod:`geo.official.download`); features repeated
    across pages (same ``id``) are kept once. The merged file is written atomically.
    """
    report = progress or (lambda _: None)
    features: list[dict] = []
    seen: set[object] = set()
    offset = 0
    for number in range(1, _MAX_PAGES + 1):
        try:
            body = download.get(_page_url(url, offset, page_size), what, retry=retry, progress=report)
        except download.Unreachable as exc:
            raise _offline_error(what, exc.reason) from None
        try:
            page = json.loads(body)
        except ValueError:
            raise SourceError(
                f"the {what} service sent something other than GeoJSON (page {number}): "
                "try again later, or set CAMERA_ATLAS_GEO_MIRROR to a folder with the ONS files"
            ) from None
        if not isinstance(page, dict) or not isinstance(page.get("features"), list):
            error = page.get("error") if isinstance(page, dict) else None
            detail = error.get("message", "error") if isinstance(error, dict) else "no features"
            raise SourceError(
                f"the {what} service answered with an error ({detail}) on page {number}: "
                "try again later, or set CAMERA_ATLAS_GEO_MIRROR to a folder with the ONS files"
            )
        batch = page["features"]
        for feature in batch:
            key = feature.get("id") if isinstance(feature, dict) else None
            if key is not None and key in seen:
                continue  # pages overlapped: keep each feature once
            if key is not None:
                seen.add(key)
            features.append(feature)
        offset += len(batch)
        report(f"{what}: {len(features)} features (page {number})")
        if not _exceeded(page):
            break
    else:
        raise SourceError(
            f"the {what} service kept saying more features follow after {_MAX_PAGES} pages: "
            "set CAMERA_ATLAS_GEO_MIRROR to a folder with the ONS files"
        )
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    partial.replace(target)
    return target


def _download_file(url: str, target: Path, what: str, retry: download.Retry, progress: Progress | None) -> Path:
    try:
        return download.save(url, target, what, retry=retry, progress=progress)
    except download.Unreachable as exc:
        raise _offline_error(what, exc.reason) from None


def obtain(
    mirror: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
    retry: download.Retry = download.DEFAULT_RETRY,
) -> RawSources:
    """Locate the official files in the mirror folder, or download them into the cache.

    Files already downloaded into the cache are reused. ``progress`` receives one line per
    step (pages, sizes, retries); ``retry`` says how patiently to download.
    """
    folder = mirror_dir(mirror)
    if folder is not None:
        return RawSources(
            boundaries=_find_in_mirror(folder, BOUNDARY_FILES, "LAD boundaries (May 2024 BUC)"),
            population=_find_in_mirror(folder, POPULATION_FILES, "population workbook (mid-2022)"),
            origin=f"mirror {folder}",
        )
    raw = settings.cache_dir() / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    boundaries = raw / "LAD_MAY_2024_UK_BUC.geojson"
    if not (boundaries.is_file() and boundaries.stat().st_size > 0):
        download_features(BOUNDARIES_URL, boundaries, retry=retry, progress=progress)
    population = raw / "mye22final.xlsx"
    if not (population.is_file() and population.stat().st_size > 0):
        _download_file(POPULATION_URL, population, "population workbook", retry, progress)
    return RawSources(boundaries=boundaries, population=population, origin="download")


def discard_download(raw: RawSources) -> None:
    """Delete downloaded files that did not validate, so the next fetch downloads them again
    (files in a mirror folder are never touched)."""
    if raw.origin == "download":
        raw.boundaries.unlink(missing_ok=True)
        raw.population.unlink(missing_ok=True)


def read_boundaries(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read LAD boundaries (GeoPackage or GeoJSON) as ``code, name, geometry`` in EPSG:4326."""
    path = Path(path)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise SourceError(
            f"cannot read boundaries {path.name} ({type(exc).__name__}): "
            "replace it with the ONS LAD May 2024 BUC GeoPackage or GeoJSON"
        ) from None
    code_cols = [c for c in frame.columns if c.upper().startswith("LAD") and c.upper().endswith("CD")]
    name_cols = [c for c in frame.columns if c.upper().startswith("LAD") and c.upper().endswith("NM")]
    if not code_cols or not name_cols:
        raise SourceError(
            f"boundaries {path.name} have no LADxxCD/LADxxNM columns: "
            "use the ONS Local Authority Districts boundary file"
        )
    if frame.crs is None:
        raise SourceError(f"boundaries {path.name} have no coordinate system: re-download the ONS file")
    frame = frame.rename(columns={code_cols[0]: "code", name_cols[0]: "name"})[["code", "name", "geometry"]]
    frame = frame.to_crs(4326)
    counts = frame["code"].str[0].value_counts().to_dict()
    if len(frame) != sum(EXPECTED_LADS.values()) or any(counts.get(k) != v for k, v in EXPECTED_LADS.items()):
        raise SourceError(
            f"boundaries {path.name} hold {len(frame)} areas {counts}, expected 361 "
            f"{EXPECTED_LADS}: use the LAD May 2024 UK BUC file"
        )
    if frame["code"].duplicated().any() or frame.geometry.is_empty.any() or frame.geometry.isna().any():
        raise SourceError(f"boundaries {path.name} repeat codes or have empty shapes: re-download the ONS file")
    return frame.reset_index(drop=True)


def _read_sheet(path: Path, sheet: str, columns: list[str]) -> pd.DataFrame:
    """Read the ONS table on ``sheet``: find its header row (first cell 'Code'), keep ``columns``."""
    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, engine="openpyxl")
    except ValueError as exc:
        if "not found" in str(exc).lower() or "worksheet" in str(exc).lower():
            raise SourceError(
                f"{path.name} has no sheet '{sheet}': use the ONS mid-2022 workbook mye22final.xlsx"
            ) from None
        raise SourceError(f"cannot read {path.name} ({exc}): re-download the ONS workbook") from None
    except Exception as exc:  # zipfile/openpyxl errors for corrupt files
        raise SourceError(
            f"cannot read {path.name} ({type(exc).__name__}): re-download the ONS workbook mye22final.xlsx"
        ) from None
    first = raw.iloc[:, 0].astype(str).str.strip()
    header_rows = first.index[first == "Code"]
    if len(header_rows) == 0:
        raise SourceError(f"sheet '{sheet}' of {path.name} has no 'Code' header: use the ONS workbook as published")
    header = raw.iloc[header_rows[0]].astype(str).str.strip()
    table = raw.iloc[header_rows[0] + 1 :].set_axis(header, axis=1)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SourceError(
            f"sheet '{sheet}' of {path.name} lacks column(s) {', '.join(missing)}: "
            "use the ONS mid-2022 workbook as published"
        )
    table = table[columns].dropna(subset=["Code"])
    return table.assign(Code=table["Code"].astype(str).str.strip()).reset_index(drop=True)


def read_population(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ONS mid-2022 population (MYE2 Persons) and land area (MYE5) for every row.

    Returns ``code, name, geography, population, area_km2, is_lad, region_code,
    region_name, nation_code, nation_name`` in ONS table order. Regions and nations come
    from the table's own hierarchy: each region (or nation) row is followed by its areas.
    """
    path = Path(path)
    persons = _read_sheet(path, POPULATION_SHEET, ["Code", "Name", "Geography", "All ages"])
    areas = _read_sheet(path, AREA_SHEET, ["Code", "Area (sq km)"])
    table = persons.merge(areas, on="Code", how="left")
    table.columns = ["code", "name", "geography", "population", "area_km2"]
    table["population"] = pd.to_numeric(table["population"], errors="coerce")
    table["area_km2"] = pd.to_numeric(table["area_km2"], errors="coerce")
    table["geography"] = table["geography"].astype(str).str.strip()
    table["name"] = table["name"].astype(str).str.strip()

    region_code: list[str | None] = []
    nation_code: list[str | None] = []
    current_region: str | None = None
    current_nation: str | None = None
    for code, geography in zip(table["code"], table["geography"].str.lower()):
        if code in NATION_CODES:
            current_nation = code
            # Outside England the nation is the top sub-UK unit.
            current_region = None if code == "E92000001" else code
        elif geography == "region":
            current_region = code
        region_code.append(current_region)
        nation_code.append(current_nation)
    table["region_code"] = region_code
    table["nation_code"] = nation_code
    table["is_lad"] = ~table["geography"].str.lower().isin(_NON_LAD_GEOGRAPHIES)
    table["region_name"] = table["region_code"].map(lambda c: REGION_NAMES.get(c) or NATION_CODES.get(c))
    table["nation_name"] = table["nation_code"].map(NATION_CODES)
    lads = table[table["is_lad"]]
    if lads["population"].isna().any() or lads["area_km2"].isna().any():
        bad = lads.loc[lads["population"].isna() | lads["area_km2"].isna(), "code"].tolist()[:5]
        raise SourceError(
            f"{path.name} has areas without population or land area ({', '.join(bad)}): "
            "use the ONS mid-2022 workbook as published"
        )
    if UK_CODE not in set(table["code"]):
        raise SourceError(f"{path.name} has no United Kingdom row ({UK_CODE}): use the ONS UK workbook")
    return table


def check_join(boundaries: gpd.GeoDataFrame, population: pd.DataFrame) -> None:
    """Raise unless boundaries and population share one set of LAD codes and the UK total."""
    lad_codes = set(population.loc[population["is_lad"], "code"])
    boundary_codes = set(boundaries["code"])
    if lad_codes != boundary_codes:
        no_pop = sorted(boundary_codes - lad_codes)[:5]
        no_shape = sorted(lad_codes - boundary_codes)[:5]
        raise SourceError(
            f"boundary and population codes do not join (no population: {no_pop or 'none'}; "
            f"no boundary: {no_shape or 'none'}): use LAD May 2024 boundaries with the mid-2022 "
            "workbook (April 2023 geography)"
        )
    uk = int(population.loc[population["code"] == UK_CODE, "population"].iloc[0])
    total = int(population.loc[population["is_lad"], "population"].sum())
    if total != uk:
        raise SourceError(
            f"LAD populations sum to {total:,}, not the UK row's {uk:,}: the workbook is incomplete; re-download it"
        )
