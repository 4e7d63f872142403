"""Everything a dashboard page shows for one selection, computed without Streamlit.

The names of chosen places a :class:`View` hands a page to quote (``unknown_places``,
``places_without_data``) are already written for a message (:func:`geo.core.text.shown`:
invisible characters as ``\\u202e``, cut short), so no page can print a bidi override raw.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.text import shown
from geo.datasets.dataset import Dataset
from geo.figures import join, metrics
from geo.figures.selection import Selection
from geo.names.places import Resolver


@dataclass(frozen=True)
class View:
    """A selection's table, shapes and the figures around them."""

    selection: Selection
    table: metrics.Table
    shapes: gpd.GeoDataFrame
    selected_lads: tuple[str, ...]  # LAD codes of the chosen places
    selected_units: tuple[str, ...]  # codes of the level's units that contain them, in the order chosen
    unknown_places: tuple[str, ...]  # chosen names that did not resolve, as a message quotes them (shown())
    places_without_data: tuple[str, ...]  # chosen names that resolve but have no figure at this level (shown())

    @property
    def uk_rates(self) -> dict[str, float]:
        """The national rates a row is compared against."""
        return self.table.uk_rates

    @property
    def focus_rows(self) -> pd.DataFrame:
        """The table rows for the chosen places, or every row when none is chosen."""
        rows = self.table.rows
        if not self.selection.places:
            return rows
        return rows[rows["code"].isin(self.selected_units)]


def place_options(place_rows: pd.DataFrame, areas: pd.DataFrame) -> list[str]:
    """Names a user can pick: the dataset's places first, then every LAD."""
    names = list(dict.fromkeys(place_rows["name"]))
    names += sorted(n for n in areas["name"] if n not in set(names))
    return names


def resolve_selection(names: tuple[str, ...], resolver: Resolver) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """LAD codes of the chosen names, and the names that did not resolve.

    Names are read as picks (:meth:`geo.names.places.Resolver.choose`): every name the sidebar
    offers (the LAD "Newport" among them) means that area.
    """
    codes: list[str] = []
    unknown: list[str] = []
    for name in names:
        resolved = resolver.choose(name)
        if resolved.status == "matched" and resolved.lad_codes:
            codes.extend(resolved.lad_codes)
        else:
            unknown.append(name)
    return tuple(dict.fromkeys(codes)), tuple(unknown)


def ranked_shapes(shapes: gpd.GeoDataFrame, table: metrics.Table) -> gpd.GeoDataFrame:
    """``shapes`` (:func:`geo.figures.join.level_shapes` of ``table`` ranked by any metric) with ``table``'s
    ranks, in the order ``level_shapes(table)`` gives: the same frame, without joining or dissolving again.

    A metric changes only the rank, and with it the order of the units taken from the table's rows (every
    unit at place level; at LAD level the units over several LADs, which come first); the level's other
    units keep the order of the areas.
    """
    rows = table.rows
    position = pd.Series(range(len(rows)), index=rows["code"])
    out = shapes.assign(rank=shapes["code"].map(rows.set_index("code")["rank"]).astype("Int64"))
    if table.level == "place":
        from_rows = np.ones(len(out), dtype=bool)
    elif table.level == "lad":
        from_rows = (out["has_data"] & (out["lad_codes"].map(len) > 1)).to_numpy()
    else:
        return out
    head = np.flatnonzero(from_rows)
    head = head[np.argsort(position[out["code"].iloc[head]].to_numpy(), kind="stable")]
    # Rows picked by position (no concat: that compares every row's CRS, ~0.1 s on a freshly unpickled frame).
    return out.iloc[np.concatenate([head, np.flatnonzero(~from_rows)])].reset_index(drop=True)


def build_view(
    dataset: Dataset,
    resolver: Resolver,
    areas: gpd.GeoDataFrame,
    selection: Selection,
    matched: metrics.Matched | None = None,
    table: metrics.Table | None = None,
    unit_shapes: join.UnitShapes | None = None,
    shapes: gpd.GeoDataFrame | None = None,
) -> View:
    """Table, shapes and selection for one view of the dashboard.

    ``matched`` is the dataset's names resolved once (:func:`geo.figures.metrics.match_dataset`);
    pass it for every view of a dataset, so that a change of vendor, level, metric or places
    resolves nothing again. ``table``: the dataset's table at the selection's vendor and level
    when it is already built (ranked by any metric: it is ranked again by the selection's);
    ``unit_shapes``: unions of LADs kept between views (:class:`geo.figures.join.UnitShapes` over ``areas``);
    ``shapes``: ``table``'s shapes when already joined (:func:`geo.figures.join.level_shapes` of ``table``
    ranked by any metric), so that a change of metric or places joins and dissolves nothing again
    (:func:`ranked_shapes`).
    """
    if table is None and shapes is not None:
        raise ValueError("shapes come with their table: pass the table they were joined from")
    if table is None:
        table = metrics.build_table(
            dataset,
            resolver,
            areas,
            vendor=selection.vendor,
            level=selection.level,
            rank_by=selection.metric,
            matched=matched,
        )
    elif (table.dataset, table.vendor, table.level) != (dataset.id, selection.vendor, selection.level):
        raise ValueError("the table given is not the selection's: build it for the same dataset, vendor and level")
    table = metrics.ranked(table, selection.metric)
    shapes = join.level_shapes(table, areas, unit_shapes) if shapes is None else ranked_shapes(shapes, table)
    lads, unknown = resolve_selection(selection.places, resolver)
    # The units of each chosen place, in the order the places were chosen.
    per_place = {
        name: join.selected_units(shapes, resolve_selection((name,), resolver)[0]) for name in selection.places
    }
    units = tuple(dict.fromkeys(code for codes in per_place.values() for code in codes))
    with_data = set(shapes.loc[shapes["has_data"], "code"])
    without = tuple(
        name for name, codes in per_place.items() if name not in unknown and not with_data.intersection(codes)
    )
    return View(
        selection=selection,
        table=table,
        shapes=shapes,
        selected_lads=lads,
        selected_units=units,
        unknown_places=tuple(shown(name) for name in unknown),
        places_without_data=tuple(shown(name) for name in without),
    )
