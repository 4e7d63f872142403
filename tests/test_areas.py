"""geo.official.areas: the prepared LAD frame (population, land area, region, web-ready geometry)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from atlas_testing import GREATER_LONDON_POPULATION, UK_POPULATION
from geopandas.testing import assert_geodataframe_equal

from geo.official import areas, sources

REGION_CODES = {f"E1200000{i}" for i in range(1, 10)} | {"W92000004", "S92000003", "N92000002"}


def test_columns_rows_and_crs(areas_frame: gpd.GeoDataFrame) -> None:
    assert list(areas_frame.columns) == areas.AREA_COLUMNS
    assert len(areas_frame) == 361
    assert areas_frame["code"].is_unique
    assert areas_frame["code"].is_monotonic_increasing
    assert areas_frame.crs.to_epsg() == 4326
    assert areas_frame["population"].dtype == np.int64
    assert areas_frame["area_km2"].dtype == np.float64
    assert areas_frame["code"].str[0].value_counts().to_dict() == {"E": 296, "W": 22, "S": 32, "N": 11}


def test_geometry_valid_and_non_empty(areas_frame: gpd.GeoDataFrame) -> None:
    geometry = areas_frame.geometry
    assert not geometry.isna().any()
    assert not geometry.is_empty.any()
    assert geometry.is_valid.all()
    assert set(geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    # Inside the UK's bounding box.
    minx, miny, maxx, maxy = geometry.total_bounds
    assert -8.7 < minx and maxx < 1.8 and 49.8 < miny and maxy < 60.9


def test_coordinates_on_web_grid(areas_frame: gpd.GeoDataFrame) -> None:
    coords = shapely.get_coordinates(areas_frame.geometry.values)
    scaled = coords / areas.WEB_GRID_DEGREES
    assert np.abs(scaled - np.round(scaled)).max() < 1e-6


def test_land_area_and_population_from_ons(areas_frame: gpd.GeoDataFrame, population: pd.DataFrame) -> None:
    manchester = areas_frame.set_index("code").loc["E08000003"]
    assert manchester["name"] == "Manchester"
    assert manchester["area_km2"] == 115.6485
    assert manchester["region_name"] == "North West"
    ons = population[population["is_lad"]].set_index("code").loc[areas_frame["code"]]
    assert (areas_frame["population"].to_numpy() == ons["population"].to_numpy()).all()
    assert (areas_frame["area_km2"].to_numpy() == ons["area_km2"].to_numpy()).all()
    assert (areas_frame["region_code"].to_numpy() == ons["region_code"].to_numpy()).all()


def test_region_and_nation_columns(areas_frame: gpd.GeoDataFrame) -> None:
    assert set(areas_frame["region_code"]) == REGION_CODES
    first = areas_frame["code"].str[0]
    assert (areas_frame["nation_code"].str[0] == first).all()
    english = areas_frame[first == "E"]
    assert english["region_code"].str.startswith("E12").all()
    others = areas_frame[first != "E"]
    assert (others["region_code"] == others["nation_code"]).all()
    london = areas_frame[areas_frame["region_code"] == "E12000007"]
    assert len(london) == 33 and london["code"].str.startswith("E09").all()


def test_uk_totals(areas_frame: gpd.GeoDataFrame, population: pd.DataFrame) -> None:
    assert int(areas_frame["population"].sum()) == UK_POPULATION
    uk_area = population.loc[population["code"] == sources.UK_CODE, "area_km2"].iloc[0]
    assert float(areas_frame["area_km2"].sum()) == pytest.approx(uk_area, abs=0.05)


def test_regions_match_ons_rows(areas_frame: gpd.GeoDataFrame, population: pd.DataFrame) -> None:
    units = areas.regions(areas_frame)
    assert len(units) == 12
    assert set(units["code"]) == REGION_CODES
    assert list(units.columns) == ["code", "name", "nation_code", "nation_name", "population", "area_km2", "geometry"]
    ons = population.set_index("code")
    for unit in units.itertuples():
        assert unit.population == ons.loc[unit.code, "population"], unit.name
        assert unit.area_km2 == pytest.approx(ons.loc[unit.code, "area_km2"], abs=0.05), unit.name
    by_code = units.set_index("code")
    assert by_code.loc["E12000007", "name"] == "London"
    assert by_code.loc["E12000007", "population"] == GREATER_LONDON_POPULATION
    assert by_code.loc["E12000003", "name"] == "Yorkshire and The Humber"
    assert by_code.loc["W92000004", "name"] == "Wales"
    assert units.geometry.is_valid.all() and not units.geometry.is_empty.any()
    assert units["population"].sum() == UK_POPULATION


def test_fetch_writes_cache_and_load_reads_it_back(
    fetched: tuple[gpd.GeoDataFrame, Path, str], isolated_data_dir: Path, mirror: Path
) -> None:
    frame, path, origin = fetched
    assert path == isolated_data_dir / areas.CACHE_NAME
    assert path.is_file()
    assert origin == f"mirror {mirror}"
    assert not list(isolated_data_dir.glob("*.tmp"))
    assert areas.cache_path() == path
    assert_geodataframe_equal(areas.load_areas(), frame, check_less_precise=False)


def test_fetched_equals_dev_cache(fetched: tuple[gpd.GeoDataFrame, Path, str], areas_frame: gpd.GeoDataFrame) -> None:
    assert_geodataframe_equal(fetched[0], areas_frame)


def test_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_DATA_DIR", str(tmp_path))
    areas.cache_path().write_bytes(b"not parquet")
    frame = areas.load_areas()
    assert len(frame) == 361
    assert gpd.read_parquet(areas.cache_path()).shape == frame.shape
