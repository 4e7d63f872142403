"""Joining a metrics table to the shapes of its level, ready to map or export, and finding chosen units.

:func:`level_shapes` gives every unit of a level its shape and metrics (``has_data`` tells
"no data" apart from zero); :func:`selected_units` finds the units that chosen places fall
in; :func:`geojson` and :func:`table_frame` are the export forms.
"""

from __future__ import annotations

from typing import Iterable

import geopandas as gpd
import pandas as pd

from geo.areas import merge_lads, regions
from geo.metrics import ROW_COLUMNS, Table

SHAPE_COLUMNS = ROW_COLUMNS + ["has_data", "geometry"]
_BASE = ["code", "name", "population", "area_km2", "geometry"]


def _merged(rows: pd.DataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows as one dissolved shape each (a place over several LADs)."""
    geometry = [merge_lads(areas, codes) for codes in rows["lad_codes"]]
    shaped = gpd.GeoDataFrame(rows.copy(), geometry=geometry, crs=areas.crs)
    shaped["has_data"] = True
    return shaped


def level_shapes(table: Table, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every unit of the table's level with its metrics; units without data have NaN metrics.

    ``lad``: all 361 LADs, except that a place counted over several LADs (Greater London)
    is one merged unit with its own figure in place of its LADs (those with a figure of
    their own are drawn too, on top). ``region``: the 9 English regions and 3 other
    nations. ``place``: one (dissolved) shape per place in the table.
    """
    rows = table.rows
    if table.level == "place":
        return _merged(rows, areas)[SHAPE_COLUMNS]
    multi = rows[rows["lad_codes"].map(len) > 1] if table.level == "lad" else rows.iloc[0:0]
    single = rows.drop(index=multi.index)
    if table.level == "lad":
        own = set(single["code"])
        hidden = {c for codes in multi["lad_codes"] for c in codes} - own
        base = areas.loc[~areas["code"].isin(hidden), _BASE]
    else:
        base = regions(areas)[_BASE]
    joined = base.merge(single.drop(columns=["name", "population", "area_km2"]), on="code", how="left")
    joined["has_data"] = joined["networks"].notna()
    joined["lad_codes"] = [
        codes if isinstance(codes, tuple) else ((code,) if table.level == "lad" else _members(areas, code))
        for code, codes in zip(joined["code"], joined["lad_codes"])
    ]
    shapes = gpd.GeoDataFrame(joined[SHAPE_COLUMNS], geometry="geometry", crs=areas.crs)
    if len(multi):
        shapes = pd.concat([_merged(multi, areas)[SHAPE_COLUMNS], shapes], ignore_index=True)
    return gpd.GeoDataFrame(shapes, geometry="geometry", crs=areas.crs)


def _members(areas: pd.DataFrame, region: str) -> tuple[str, ...]:
    return tuple(sorted(areas.loc[areas["region_code"] == region, "code"]))


def selected_units(shapes: pd.DataFrame, codes: Iterable[str]) -> tuple[str, ...]:
    """Codes of the units that ``codes`` name: a unit's own code, or any of its LAD codes.

    At place or region level a LAD code selects the unit containing it; at LAD level a
    place's LAD codes select each of its LADs (or the merged unit that holds them).
    """
    wanted = {str(c) for c in codes}
    if not wanted:
        return ()
    hits = [
        code
        for code, lads in zip(shapes["code"], shapes["lad_codes"])
        if code in wanted or wanted.intersection(lads or ())
    ]
    return tuple(dict.fromkeys(hits))


def geojson(shapes: gpd.GeoDataFrame) -> str:
    """GeoJSON text of a joined frame (lists joined by spaces, NaN as null)."""
    out = shapes.copy()
    out["lad_codes"] = out["lad_codes"].map(lambda c: " ".join(c))
    return out.to_json(na="null", drop_id=True)


def table_frame(shapes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows with data, without geometry (for CSV and tables)."""
    return pd.DataFrame(shapes[shapes["has_data"]].drop(columns=["geometry", "has_data"]))
