"""Unions of LADs made once (geo.figures.join.UnitShapes) and views from a table already built (geo.figures.view.build_view)."""

from __future__ import annotations

import pytest

from geo.figures import compare, join, metrics, selection
from geo.figures.view import build_view


@pytest.fixture(scope="module")
def unit_shapes(areas_frame) -> join.UnitShapes:
    return join.UnitShapes(areas_frame)


@pytest.mark.parametrize("level", ["place", "lad", "region"])
def test_kept_unions_draw_the_same_shapes(shipped, resolver, areas_frame, unit_shapes, level) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level=level)
    made = join.level_shapes(table, areas_frame)
    kept = join.level_shapes(table, areas_frame, unit_shapes)
    again = join.level_shapes(table, areas_frame, unit_shapes)
    assert list(kept["code"]) == list(made["code"])
    assert kept.geometry.geom_equals_exact(made.geometry, tolerance=0).all()
    assert kept.drop(columns="geometry").equals(made.drop(columns="geometry"))
    # The second view reuses the unions made for the first (the same objects, not new ones).
    merged = [i for i, codes in enumerate(kept["lad_codes"]) if len(codes) > 1]
    assert merged, "every level of TOP10VPN has a unit over several LADs (Greater London, a region)"
    assert all(kept.geometry.iloc[i] is again.geometry.iloc[i] for i in merged)


def test_unions_are_keyed_by_the_set_of_codes(areas_frame, unit_shapes) -> None:
    codes = tuple(areas_frame["code"].head(3))
    assert unit_shapes.merged(codes) is unit_shapes.merged(tuple(reversed(codes)))
    assert unit_shapes.regions() is unit_shapes.regions()
    assert len(unit_shapes.regions()) == 12


@pytest.mark.parametrize("level", ["place", "lad", "region"])
def test_comparison_shapes_with_kept_unions(shipped, resolver, areas_frame, unit_shapes, level) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level=level)
    result = compare.compare(table, table)
    made = compare.comparison_shapes(result, areas_frame)
    kept = compare.comparison_shapes(result, areas_frame, unit_shapes)
    assert list(kept["code"]) == list(made["code"])
    assert kept.geometry.geom_equals_exact(made.geometry, tolerance=0).all()


def test_a_view_from_a_table_already_built(shipped, resolver, areas_frame, unit_shapes) -> None:
    chosen = selection.Selection(dataset=shipped.id, level="lad", metric="per_1k", places=("Manchester",))
    table = metrics.build_table(shipped, resolver, areas_frame, level="lad", rank_by="per_1k")
    view = build_view(shipped, resolver, areas_frame, chosen, table=table, unit_shapes=unit_shapes)
    fresh = build_view(shipped, resolver, areas_frame, chosen)
    assert view.table is table  # already ranked by the selection's metric: used as it is
    assert view.selected_units == fresh.selected_units
    assert view.shapes.drop(columns="geometry").equals(fresh.shapes.drop(columns="geometry"))


@pytest.mark.parametrize("level", ["place", "lad", "region"])
@pytest.mark.parametrize("metric", ["per_1k", "per_km2"])
def test_a_table_ranked_again_is_the_table_built_so(shipped, resolver, areas_frame, level, metric) -> None:
    built = metrics.build_table(shipped, resolver, areas_frame, level=level, rank_by=metric)
    again = metrics.ranked(metrics.build_table(shipped, resolver, areas_frame, level=level), metric)
    assert again.rank_by == metric
    assert again.rows.equals(built.rows)
    assert metrics.ranked(built, metric) is built


def test_a_view_ranks_a_table_by_its_metric(shipped, resolver, areas_frame) -> None:
    chosen = selection.Selection(dataset=shipped.id, level="place", metric="per_km2")
    table = metrics.build_table(shipped, resolver, areas_frame, level="place")  # ranked by networks
    view = build_view(shipped, resolver, areas_frame, chosen, table=table)
    fresh = build_view(shipped, resolver, areas_frame, chosen)
    assert view.table.rank_by == "per_km2"
    assert view.table.rows.equals(fresh.table.rows)


def test_a_table_of_another_selection_is_refused(shipped, resolver, areas_frame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="place")
    chosen = selection.Selection(dataset=shipped.id, level="lad")
    with pytest.raises(ValueError, match="not the selection's"):
        build_view(shipped, resolver, areas_frame, chosen, table=table)
