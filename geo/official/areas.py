"""The areas frame: one row per LAD with region, nation, population, land area and geometry.

:func:`prepare_areas` builds it from the official files; :func:`load_areas` returns the
cached GeoParquet copy, preparing it first when missing. Regions and nations are unions of
LADs (:func:`regions`).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import settings
from geo.core.errors import SourceError
from geo.official import sources

AREA_COLUMNS = [
    "code",
    "name",
    "region_code",
    "region_name",
    "nation_code",
    "nation_name",
    "county_code",
    "county_name",
    "population",
    "area_km2",
    "geometry",
]
# Bump when the prepared frame's shape or content changes, so stale caches are rebuilt.
CACHE_VERSION = 2
CACHE_NAME = f"areas-lad2024-mye2022-v{CACHE_VERSION}.parquet"
# About 11 m on the ground: web-ready without visibly moving the 500 m BUC outlines.
WEB_GRID_DEGREES = 1e-4
SIMPLIFY_DEGREES = 2e-4


def web_geometry(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplify and snap coordinates to a 1e-4 degree grid, keeping polygons valid."""
    simplified = shapely.simplify(geometry.values, SIMPLIFY_DEGREES, preserve_topology=True)
    snapped = shapely.set_precision(simplified, WEB_GRID_DEGREES)
    return gpd.GeoSeries(snapped, index=geometry.index, crs=geometry.crs)


# Districts that sit inside a (metropolitan) county row of the ONS table.
_COUNTY_GEOGRAPHIES = {"county", "metropolitan county"}
_DISTRICT_GEOGRAPHIES = {"non-metropolitan district", "metropolitan district"}


def counties(population: pd.DataFrame) -> pd.DataFrame:
    """The county of each two-tier district: ``code, county_code, county_name``.

    The ONS table lists each county (or metropolitan county) row followed by its districts,
    so membership is read from the table's order, like regions. Unitary authorities and
    districts outside England have no county (both columns empty).
    """
    rows = []
    current: tuple[str, str] | None = None
    for code, name, geography in zip(population["code"], population["name"], population["geography"].str.lower()):
        if geography in _COUNTY_GEOGRAPHIES:
            current = (code, str(name).replace("(Met County)", "").strip())
            continue
        if geography not in _DISTRICT_GEOGRAPHIES:
            current = None
        rows.append((code, *(current or (None, None))))
    return pd.DataFrame(rows, columns=["code", "county_code", "county_name"])


def prepare_areas(raw: sources.RawSources) -> gpd.GeoDataFrame:
    """Join validated boundaries to ONS population and land area; web-ready geometry."""
    boundaries = sources.read_boundaries(raw.boundaries)
    population = sources.read_population(raw.population)
    sources.check_join(boundaries, population)
    lads = population.loc[
        population["is_lad"],
        ["code", "region_code", "region_name", "nation_code", "nation_name", "population", "area_km2"],
    ]
    frame = boundaries.merge(lads, on="code", how="inner", validate="one_to_one")
    frame = frame.merge(counties(population), on="code", how="left", validate="one_to_one")
    frame["population"] = frame["population"].astype("int64")
    frame["area_km2"] = frame["area_km2"].astype("float64")
    frame["geometry"] = web_geometry(frame.geometry)
    return gpd.GeoDataFrame(frame[AREA_COLUMNS], geometry="geometry", crs=4326).sort_values("code", ignore_index=True)


def cache_path() -> Path:
    """Where the prepared areas GeoParquet lives."""
    return settings.cache_dir() / CACHE_NAME


def fetch(
    mirror: str | os.PathLike[str] | None = None, *, progress: sources.Progress | None = None
) -> tuple[gpd.GeoDataFrame, Path, str]:
    """Obtain, validate and prepare the official files, and (re)write the cache.

    ``progress`` receives a line per download step (see :func:`geo.official.sources.obtain`).
    Downloaded files that do not validate are deleted, so the next fetch downloads them again.
    """
    raw = sources.obtain(mirror, progress=progress)
    try:
        frame = prepare_areas(raw)
    except SourceError:
        sources.discard_download(raw)
        raise
    path = cache_path()
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)  # atomic: a failed fetch never leaves a half-written cache
    return frame, path, raw.origin


def read_cache() -> gpd.GeoDataFrame | None:
    """The cached prepared frame, or ``None`` when it is missing, stale or damaged."""
    path = cache_path()
    if path.is_file():
        try:
            frame = gpd.read_parquet(path)
            if list(frame.columns) == AREA_COLUMNS and len(frame) == sum(sources.EXPECTED_LADS.values()):
                return frame
        except Exception:  # a damaged cache is rebuilt, not fatal
            pass
    return None


def load_areas(mirror: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """The prepared areas frame: from the cache when present, else fetched and cached."""
    frame = read_cache()
    if frame is None:
        frame, _, _ = fetch(mirror)
    return frame


# About 30 m: wider than the slits between separately simplified LADs, far narrower than
# anything drawn on a map.
SLIVER_DEGREES = 3e-4


Shapes = BaseGeometry | npt.NDArray[np.object_]  # one geometry, or an array of them


def close_slivers(geometry: Shapes) -> Shapes:
    """Close the hairline gaps a union of separately simplified LADs keeps between them.

    Neighbouring LADs are simplified one by one, so they do not share edges exactly and
    their union keeps slits a few metres wide that draw as stray lines. A morphological
    closing (grow then shrink, mitred so corners stay sharp) removes gaps narrower than
    twice :data:`SLIVER_DEGREES` and leaves real holes and coastlines alone. Works on one
    geometry or an array of them.
    """
    grown = shapely.buffer(geometry, SLIVER_DEGREES, join_style="mitre")
    return shapely.buffer(grown, -SLIVER_DEGREES, join_style="mitre")


def merge_lads(areas: gpd.GeoDataFrame, codes: tuple[str, ...] | list[str]) -> object:
    """One shape for a group of LADs (a place such as Greater London), without slivers."""
    members = areas.loc[areas["code"].isin(codes), "geometry"]
    union = members.union_all()
    return close_slivers(union) if len(members) > 1 else union


def regions(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """English regions and the three other nations as unions of their LADs."""
    grouped = areas.dissolve(
        by="region_code",
        aggfunc={
            "region_name": "first",
            "nation_code": "first",
            "nation_name": "first",
            "population": "sum",
            "area_km2": "sum",
        },
    ).reset_index()
    grouped = grouped.rename(columns={"region_code": "code", "region_name": "name"})
    grouped["geometry"] = close_slivers(grouped.geometry.values)
    return grouped[["code", "name", "nation_code", "nation_name", "population", "area_km2", "geometry"]]
