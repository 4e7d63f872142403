"""geo.pictures.rate_charts: the Per capita charts stay readable for a full UK count and never draw "no rate" as 0."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest

from geo.datasets import dataset as datasets
from geo.figures import metrics
from geo.figures.baseline import baseline
from geo.names.places import Resolver
from geo.pictures.rate_charts import (
    AXIS_ROOM,
    BAR_STEP,
    LABEL_CHARS,
    MAX_BARS,
    MAX_LABELS,
    population_scatter,
    rate_bars,
    wrapped,
)

UK = baseline("dataset")  # a dataset with a national figure
PLACES = baseline("sum of places")  # one without: its sum is of the places counted, not the UK's


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
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1, words=UK)
    drawn = bars.chart.layer[0].data
    assert bars.shown == MAX_BARS == len(drawn)
    assert bars.total == 361
    assert set(drawn["name"]) == set(rows.nlargest(MAX_BARS, "per_1k")["name"])
    assert bars.note == "The 20 highest of 361 areas; Rankings lists them all."
    assert bars.chart.to_dict()["height"] <= 2 * BAR_STEP * MAX_BARS + AXIS_ROOM


def test_bars_of_a_few_areas_show_them_all_with_no_note(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(4)
    bars = rate_bars(rows, "per_km2", "Networks per km²", 1.2, words=UK)
    assert (bars.shown, bars.total, bars.note) == (4, 4, "")
    assert bars.chart.to_dict()["height"] == max(160, BAR_STEP * 4 + AXIS_ROOM)


def test_an_area_without_a_rate_is_not_a_zero_bar(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(5).copy()
    rows.loc[rows.index[0], "per_1k"] = math.nan
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1, words=UK)
    drawn = bars.chart.layer[0].data
    assert rows["name"].iloc[0] not in set(drawn["name"])
    assert (bars.shown, bars.total) == (4, 4)


def test_scatter_is_log_log_with_the_uk_rate_as_a_line(every_lad: metrics.Table) -> None:
    rows = every_lad.rows
    chart = population_scatter(rows, 4.0, words=UK)
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
    chart = population_scatter(rows, 4.0, words=UK)
    assert chart is not None
    names = chart.layer[2]  # the two text layers (left and right of their dots) share their data
    named = names.data if isinstance(names.data, pd.DataFrame) else pd.concat(layer.data for layer in names.layer)
    assert len(named) == MAX_LABELS
    assert set(named["name"]) == set(rows.nlargest(MAX_LABELS, "networks")["name"])


def test_scatter_places_a_partly_covered_area_by_the_residents_counted(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(3).copy()
    rows.loc[rows.index[0], "covered_population"] = rows["population"].iloc[0] // 4
    chart = population_scatter(rows, 4.0, words=UK)
    assert chart is not None
    points = chart.layer[1].data.set_index("name")["population"]
    assert points[rows["name"].iloc[0]] == rows["population"].iloc[0] // 4


def test_scatter_leaves_out_areas_a_log_scale_cannot_hold(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(3).copy()
    rows.loc[rows.index[0], "networks"] = 0
    chart = population_scatter(rows, 4.0, words=UK)
    assert chart is not None
    assert len(chart.layer[1].data) == 2
    assert population_scatter(rows.assign(networks=0), 4.0, words=UK) is None


def test_scatter_of_one_area_still_draws_a_line(every_lad: metrics.Table) -> None:
    rows = every_lad.rows.head(1)
    chart = population_scatter(rows, 4.0, words=UK)
    assert chart is not None
    low, high = chart.layer[0].data["population"]
    assert low < rows["population"].iloc[0] < high


# -- whole names, and words that match the figure ----------------------------------------------


def axis_and_labels(bars) -> tuple[dict, list[str]]:
    spec = bars.chart.to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    return y["axis"], list(bars.chart.layer[0].data[y["field"]])


def test_bar_labels_are_whole_names_wrapped_never_cut(every_lad: metrics.Table) -> None:
    rows = every_lad.rows
    hull = rows[rows["name"] == "Kingston upon Hull, City of"].assign(per_1k=1000.0)
    long_name = "Bournemouth, Christchurch and Poole " * 3  # a long place name, as a user may upload
    rows = pd.concat([rows, hull, hull.assign(name=long_name.strip(), code="X", per_1k=999.0)], ignore_index=True)
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1, words=UK)
    axis, labels = axis_and_labels(bars)
    # Streamlit's theme cuts axis labels at 100 px ("Kingston upon H…") and drops those that touch.
    assert axis["labelLimit"] == 0 and axis["labelOverlap"] is False
    assert axis["labelExpr"] == "split(datum.label, '\\n')"  # one line per item: no user text in the expression
    drawn = bars.chart.layer[0].data
    for name, label in zip(drawn["name"], labels):
        assert " ".join(label.split("\n")) == " ".join(name.split()), (name, label)  # every word kept
        assert all(len(line) <= LABEL_CHARS for line in label.split("\n"))
    assert "Kingston upon Hull, City of" in labels  # 27 characters: one line
    lines = max(label.count("\n") + 1 for label in labels)
    assert lines == wrapped(long_name).count("\n") + 1 >= 4
    assert bars.chart.to_dict()["height"] >= len(labels) * lines * 11  # each bar as tall as its label


def test_wrapping_keeps_every_character_but_the_spaces_it_breaks_at() -> None:
    assert wrapped("Kingston upon Hull, City of") == "Kingston upon Hull, City of"
    assert wrapped("Bournemouth, Christchurch and Poole") == "Bournemouth, Christchurch\nand Poole"
    assert wrapped("x" * 60) == "\n".join(["x" * 28, "x" * 28, "x" * 4])  # a long word is split, not cut
    assert wrapped("Na h-Eileanan Siar") == "Na h-Eileanan Siar"


@pytest.mark.parametrize(("words", "label"), [(UK, "UK average"), (PLACES, "Average of the places counted")])
def test_the_average_is_named_by_the_baseline(every_lad: metrics.Table, words, label: str) -> None:
    rows = every_lad.rows.head(6)
    bars = rate_bars(rows, "per_1k", "Networks per 1,000 residents", 4.1, words=words)
    scatter = population_scatter(rows, 4.1, words=words)
    assert scatter is not None
    text = str(bars.chart.to_dict()) + str(scatter.to_dict())
    assert label in text
    if not words.national:
        assert "UK" not in text
