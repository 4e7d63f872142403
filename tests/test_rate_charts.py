"""geo.rate_charts: the Per capita charts stay readable for a full UK count and never draw "no rate" as 0."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest

from geo import datasets, metrics
from geo.places import Resolver
from geo.rate_charts import MAX_BARS, MAX_LABELS, population_scatter, rate_bars


@pytest.fixture(scope="module")
def every_lad(areas_frame: gpd.GeoDataFrame, resolver: Resolver) -> metrics.Table:
    """A count in every local authority (as a full Shodan count gives), by GSS code."""
    lines = ["place,networks"] + [f"{code},{10 + i}" for i, code in enumerate(areas_frame["code"])]
    observations = datasets.parse_observations("\n".join(lines).encode(), "every-lad.csv")
    dataset = datasets.Dataset(id="every-lad", title="every LAD", observations=observations)
    return metrics.build_table(dataset, resolver, areas_frame, level="lad")


def test_bars_show_the_highest_rates_and_say_how_many_areas_there_are(every_lad: metrics.Table) -> None:
    rows = every_lad.rows
    assert len(rows) == 361
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1)
    drawn = bars.chart.layer[0].data
    assert bars.shown == MAX_BARS == len(drawn)
    assert bars.total == 361
    assert set(drawn["name"]) == set(rows.nlargest(MAX_BARS, "per_1k")["name"])
    assert bars.note == "The 20 highest of 361 areas; Rankings lists them all."
    assert bars.chart.to_dict()["height"] <= 26 * MAX_BARS


def test_bars_of_a_few_areas_show_them_all_with_no_note(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(4)
    bars = rate_bars(rows, "per_km2", "Networks per km²", 1.2)
    assert (bars.shown, bars.total, bars.note) == (4, 4, "")
    assert bars.chart.to_dict()["height"] == 160


def test_an_area_without_a_rate_is_not_a_zero_bar(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(5).copy()
    rows.loc[rows.index[0], "per_1k"] = math.nan
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1)
    drawn = bars.chart.layer[0].data
    assert rows["name"].iloc[0] not in set(drawn["name"])
    assert (bars.shown, bars.total) == (4, 4)


def test_scatter_is_log_log_with_the_uk_rate_as_a_line(every_lad: metrics.Table) -> None:
    rows = every_lad.rows
    chart = population_scatter(rows, uk_per_1k=4.0)
    assert chart is not None
    spec = chart.to_dict()
    scales = [layer["encoding"][axis]["scale"]["type"] for layer in spec["layer"][:2] for axis in ("x", "y")]
    assert scales == ["log"] * 4
    line, points = chart.layer[0].data, chart.layer[1].data
    assert len(points) == 361
    assert line["population"].tolist() == [rows["population"].min(), rows["population"].max()]
    assert line["networks"].tolist() == pytest.approx((line["population"] * 4.0 / 1000).tolist())


def test_scatter_names_only_the_areas_with_most_networks(every_lad: metrics.Table) -> None:
    rows = every_lad.rows
    chart = population_scatter(rows, uk_per_1k=4.0)
    assert chart is not None
    names = chart.layer[2]  # the two text layers (left and right of their dots) share their data
    named = names.data if isinstance(names.data, pd.DataFrame) else pd.concat(layer.data for layer in names.layer)
    assert len(named) == MAX_LABELS
    assert set(named["name"]) == set(rows.nlargest(MAX_LABELS, "networks")["name"])


def test_scatter_places_a_partly_covered_area_by_the_residents_counted(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(3).copy()
    rows.loc[rows.index[0], "covered_population"] = rows["population"].iloc[0] // 4
    chart = population_scatter(rows, uk_per_1k=4.0)
    assert chart is not None
    points = chart.layer[1].data.set_index("name")["population"]
    assert points[rows["name"].iloc[0]] == rows["population"].iloc[0] // 4


def test_scatter_leaves_out_areas_a_log_scale_cannot_hold(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(3).copy()
    rows.loc[rows.index[0], "networks"] = 0
    chart = population_scatter(rows, uk_per_1k=4.0)
    assert chart is not None
    assert len(chart.layer[1].data) == 2
    assert population_scatter(rows.assign(networks=0), uk_per_1k=4.0) is None


def test_scatter_of_one_area_still_draws_a_line(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(1)
    chart = population_scatter(rows, uk_per_1k=4.0)
    assert chart is not None
    low, high = chart.layer[0].data["population"]
    assert low < rows["population"].iloc[0] < high
