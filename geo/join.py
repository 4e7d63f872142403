"""Joining a metrics table to the shapes of its level, ready to map or export."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.areas import merge_lads, regions
from geo.metrics import ROW_COLUMNS, Table


def level_shapes(table: Table, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every unit of the table's level with its metrics; units without data have NaN metrics.

    ``lad``: all 361 LADs. ``region``: the 9 English regions and 3 other nations.
    ``place``: one (dissolved) shape per place in the table. The column ``has_data`` tells
    "no data" apart from zero.
    """
    rows = table.rows
    if table.level == "lad":
        base = areas[["code", "name", "population", "area_km2", "geometry"]]
    elif table.level == "region":
        base = regions(areas)[["code", "name", "population", "area_km2", "geometry"]]
    else:
        geometry = [merge_lads(areas, codes) for codes in rows["lad_codes"]]
        shaped = gpd.GeoDataFrame(rows.copy(), geometry=geometry, crs=areas.crs)
        shaped["has_data"] = True
        return shaped[ROW_COLUMNS + ["has_data", "geometry"]]
    metrics = rows.drop(columns=["name", "population", "area_km2"])
    joined = base.merge(metrics, on="code", how="left")
    joined["has_data"] = joined["networks"].notna()
    joined["lad_codes"] = [
        codes if isinstance(codes, tuple) else ((code,) if table.level == "lad" else ())
        for code, codes in zip(joined["code"], joined["lad_codes"])
    ]
    return gpd.GeoDataFrame(joined[ROW_COLUMNS + ["has_data", "geometry"]], geometry="geometry", crs=areas.crs)


def geojson(shapes: gpd.GeoDataFrame) -> str:
    """GeoJSON text of a joined frame (lists joined by spaces, NaN as null)."""
    out = shapes.copy()
    out["lad_codes"] = out["lad_codes"].map(lambda c: " ".join(c))
    return out.to_json(na="null", drop_id=True)


def table_frame(shapes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows with data, without geometry (for CSV and tables)."""
    return pd.DataFrame(shapes[shapes["has_data"]].drop(columns=["geometry", "has_data"]))
