"""geo.pictures.circles: which maps draw counts as circles, where a circle sits, how big, in which order, and the legend's values."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.core.errors import AtlasError
from geo.figures import join, metrics
from geo.figures.selection import Selection, from_params, to_params
from geo.pictures import circles


@pytest.mark.parametrize(
    ("metric", "style", "expected"),
    [
        ("networks", None, True),
        ("networks", "circles", True),
        ("networks", "shaded", False),
        ("per_1k", None, False),
        ("per_km2", "shaded", False),
    ],
)
def test_counts_are_circles_unless_shading_is_asked_for_and_rates_are_shaded(
    metric: str, style: str | None, expected: bool
) -> None:
    assert circles.draws_circles(metric, style) is expected


def test_circles_for_a_rate_or_an_unknown_style_is_one_line_naming_the_fix() -> None:
    with pytest.raises(AtlasError) as rate:
        circles.draws_circles("per_1k", "circles")
    assert "--style shaded" in str(rate.value) and "\n" not in str(rate.value)
    with pytest.raises(AtlasError) as unknown:
        circles.draws_circles("networks", "{{ 7*7 }}")
    assert "circles, shaded" in str(unknown.value)


def test_a_circles_area_is_proportional_to_its_count_and_missing_stays_missing() -> None:
    r = circles.radii([40_000, 10_000, 0, float("nan")], 40_000, 30)
    assert r[0] == pytest.approx(30)
    assert (r[1] / r[0]) ** 2 == pytest.approx(10_000 / 40_000)  # area, not radius, follows the value
    assert r[2] == 0 and math.isnan(r[3])
    assert np.isnan(circles.radii([float("nan")], float("nan"), 30)).all()


def test_the_largest_circle_is_drawn_first_and_units_without_a_figure_not_at_all() -> None:
    assert circles.draw_order([5.0, float("nan"), 90.0, 12.0]).tolist() == [2, 3, 0]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([44_766, 8_865, 7_436, 4_957], (40_000, 10_000, 2_000)),
        ([12, 800], (800, 200, 50)),
        ([3], (3,)),
        ([1, 2], (2,)),
        ([float("nan"), 0], ()),
    ],
)
def test_the_legend_shows_round_values_no_larger_than_the_largest_count(
    values: list[float], expected: tuple[int, ...]
) -> None:
    got = circles.reference_values(values)
    assert got == expected
    assert all(value <= max(v for v in values if v == v) for value in got)


def test_an_areas_circle_sits_inside_it_and_a_towns_circle_on_the_town(
    areas_frame: gpd.GeoDataFrame, resolver, shipped
) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="lad")
    shapes = join.level_shapes(table, areas_frame)
    points = circles.unit_points(shapes)
    with_geometry = shapes.geometry.notna().to_numpy()
    assert with_geometry.any()
    for (x, y), geometry in zip(points[with_geometry], shapes.geometry[with_geometry]):
        assert geometry.buffer(1e-9).contains(shapely.Point(x, y))
    town = shapes.assign(town_lon=np.nan, town_lat=np.nan)
    town.loc[town.index[0], ["town_lon", "town_lat"]] = (-4.2247, 57.4778)  # Inverness
    moved = circles.unit_points(town)
    assert moved[0].tolist() == pytest.approx([-4.2247, 57.4778])
    assert np.array_equal(moved[1:], points[1:], equal_nan=True)


def test_the_style_travels_in_the_link_and_a_mangled_one_falls_back_to_the_metric() -> None:
    assert to_params(Selection(style="shaded")) == {"style": "shaded"}
    assert from_params({"style": "shaded"}).style == "shaded"
    assert from_params({"style": "<script>"}).style is None
    assert "style" not in to_params(Selection())
