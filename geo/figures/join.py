"""Joining a metrics table to the shapes of its level, ready to map or export, and finding chosen units.

:func:`level_shapes` gives every unit of a level its shape and metrics (``has_data`` tells
"no data" apart from zero); :func:`selected_units` finds the units that chosen places fall
in; :func:`geojson` and :func:`table_frame` are the export forms. :class:`UnitShapes` keeps
the unions of LADs (places over several LADs, regions) once made, for a process that draws
many datasets naming the same places (a collection of monthly counts).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from geo.core.memo import Memo
from geo.figures.metrics import ROW_COLUMNS, Table
from geo.official.areas import merge_lads, regions

SHAPE_COLUMNS = ROW_COLUMNS + ["has_data", "geometry"]
_BASE = ["code", "name", "population", "area_km2", "geometry"]
UNIT_SHAPES_SIZE = 20_000  # unions kept: more than the distinct places of many large counts
_REGIONS = ("regions",)


class UnitShapes:
    """The unions of LADs over one areas frame, each made once and kept (bounded, thread-safe).

    A place over several LADs (Greater London) and every region is a union of LADs, which
    takes milliseconds each: a count of 1,000 cities costs most of a second in unions, and
    a collection names the same places month after month. Give one of these (made over the
    same ``areas``) to :func:`level_shapes` and :func:`merged_units` to make each union once.
    Shapes are shared: treat them as read-only.
    """

    def __init__(self, areas: gpd.GeoDataFrame, size: int = UNIT_SHAPES_SIZE) -> None:
        self.areas = areas
        self._memo: Memo[tuple[str, ...], object] = Memo(size)

    def merged(self, codes: Iterable[str]) -> object:
        """The union of the LADs ``codes`` (as :func:`geo.official.areas.merge_lads`)."""
        key = tuple(sorted(codes))
        shape = self._memo.get(key)
        if shape is None:
            shape = merge_lads(self.areas, key)
            self._memo.put(key, shape)
        return shape

    def regions(self) -> gpd.GeoDataFrame:
        """The regions and nations (as :func:`geo.official.areas.regions`); index or copy it, never change it."""
        frame = self._memo.get(_REGIONS)
        if frame is None:
            frame = regions(self.areas)
            self._memo.put(_REGIONS, frame)
        return frame


def merged_units(
    rows: pd.DataFrame, areas: gpd.GeoDataFrame, unit_shapes: UnitShapes | None = None
) -> gpd.GeoDataFrame:
    """Rows (with ``lad_codes``) as one dissolved shape each (a place over several LADs);
    ``unit_shapes`` (over ``areas``) keeps each union once made."""
    geometry = [unit_shapes.merged(codes) if unit_shapes else merge_lads(areas, codes) for codes in rows["lad_codes"]]
    return gpd.GeoDataFrame(rows.copy(), geometry=geometry, crs=areas.crs)


def _merged(rows: pd.DataFrame, areas: gpd.GeoDataFrame, unit_shapes: UnitShapes | None) -> gpd.GeoDataFrame:
    return merged_units(rows, areas, unit_shapes).assign(has_data=True)


def level_shapes(table: Table, areas: gpd.GeoDataFrame, unit_shapes: UnitShapes | None = None) -> gpd.GeoDataFrame:
    """Every unit of the table's level with its metrics; units without data have NaN metrics.

    ``lad``: all 361 LADs, except that a place counted over several LADs (Greater London)
    is one merged unit with its own figure in place of its LADs (those with a figure of
    their own are drawn too, on top). ``region``: the 9 English regions and 3 other
    nations. ``place``: one (dissolved) shape per place in the table. ``unit_shapes``
    (over ``areas``) keeps each union of LADs once made.
    """
    rows = table.rows
    if table.level == "place":
        return _merged(rows, areas, unit_shapes)[SHAPE_COLUMNS]
    multi = rows[rows["lad_codes"].map(len) > 1] if table.level == "lad" else rows.iloc[0:0]
    single = rows.drop(index=multi.index)
    if table.level == "lad":
        own = set(single["code"])
        hidden = {c for codes in multi["lad_codes"] for c in codes} - own
        base = areas.loc[~areas["code"].isin(hidden), _BASE]
    else:
        base = (unit_shapes.regions() if unit_shapes else regions(areas))[_BASE]
    joined = base.merge(single.drop(columns=["name", "population", "area_km2"]), on="code", how="left")
    joined["has_data"] = joined["networks"].notna()
    joined["lad_codes"] = [
        codes if isinstance(codes, tuple) else members(areas, table.level, code)
        for code, codes in zip(joined["code"], joined["lad_codes"])
    ]
    shapes = gpd.GeoDataFrame(joined[SHAPE_COLUMNS], geometry="geometry", crs=areas.crs)
    if len(multi):
        shapes = pd.concat([_merged(multi, areas, unit_shapes)[SHAPE_COLUMNS], shapes], ignore_index=True)
    return gpd.GeoDataFrame(shapes, geometry="geometry", crs=areas.crs)


def members(areas: pd.DataFrame, level: str, code: str) -> tuple[str, ...]:
    """The LAD codes of unit ``code`` of ``level`` (a LAD is its own; a region or nation, its LADs)."""
    if level == "lad":
        return (code,)
    return tuple(sorted(areas.loc[areas["region_code"] == code, "code"]))


def selected_units(shapes: pd.DataFrame, codes: Iterable[str]) -> tuple[str, ...]:
    """Codes of the units that ``codes`` (one place's LAD codes, or unit codes) name.

    The unit that *is* the place (its own code, or exactly its LADs) wins; otherwise the
    units that hold any of its LADs: at place or region level the unit containing a LAD, at
    LAD level each LAD of a place (or the merged unit that holds them). So "Croydon" chosen
    beside a "London" row picks Croydon, not Greater London.
    """
    wanted = {str(c) for c in codes}
    if not wanted:
        return ()
    pairs = list(zip(shapes["code"], shapes["lad_codes"]))
    for matches in (
        [code for code, lads in pairs if set(lads or ()) == wanted],  # the place itself
        [code for code, _ in pairs if code in wanted],  # units named by their own codes
        [code for code, lads in pairs if wanted.intersection(lads or ())],  # units holding its LADs
    ):
        if matches:
            return tuple(dict.fromkeys(matches))
    return ()


def geojson(shapes: gpd.GeoDataFrame) -> str:
    """GeoJSON text of a joined frame (lists joined by spaces, NaN as null)."""
    out = shapes.copy()
    out["lad_codes"] = out["lad_codes"].map(lambda c: " ".join(c))
    return out.to_json(na="null", drop_id=True)


def table_frame(shapes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows with data, without geometry (for CSV and tables)."""
    return pd.DataFrame(shapes[shapes["has_data"]].drop(columns=["geometry", "has_data"]))
