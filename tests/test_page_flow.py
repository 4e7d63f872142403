"""What one script run costs: the view and its dataset made once, nothing built again for a metric, files on request.

Every part of a page (sidebar, headline, map, caption, downloads) asks for the selection's view
and dataset; they are made once per run (pages.per_run) from the cached table and shapes of the
dataset, vendor and level. A change of metric ranks those again (geo.figures.view.ranked_shapes):
no table is built, no shape joined or dissolved. CSV and GeoJSON files are made when the reader
presses the button, not on every run.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import geopandas as gpd
import pytest
import streamlit.elements.widgets.button as button_module
from streamlit.testing.v1 import AppTest
from test_app_pages import APP

from geo.datasets import dataset as datasets
from geo.datasets import exports
from geo.figures import join, metrics
from geo.figures.view import ranked_shapes
from geo.names import places
from pages import loaders

# Ties, places over many LADs (a nation among them) with some of their LADs counted too, a town inside a
# larger council, and every nation: what reorders units when the metric changes.
TABLE = (
    b"place,vendor,networks\n"
    b"London,all,900\n"
    b"Wales,all,500\n"
    b"Scotland,all,80\n"
    b"Croydon,all,40\n"
    b"Birmingham,all,120\n"
    b"Manchester,all,120\n"
    b"Leeds,all,35\n"
    b"Inverness,all,6\n"
    b"Cardiff,all,50\n"
    b"Belfast,all,22\n"
    b"Glasgow,all,70\n"
    b"Rutland,all,3\n"
    b"Hull,all,18\n"
)
LEVELS = ["place", "lad", "region"]
METRICS = ["networks", "per_1k", "per_km2"]


@pytest.fixture(scope="module")
def mixed(resolver: places.Resolver, areas_frame: gpd.GeoDataFrame) -> dict[str, metrics.Table]:
    dataset = datasets.Dataset(id="mixed", title="mixed", observations=datasets.parse_observations(TABLE, "mixed.csv"))
    return {level: metrics.build_table(dataset, resolver, areas_frame, level=level) for level in LEVELS}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("joined_by", METRICS)
@pytest.mark.parametrize("ranked_by", METRICS)
def test_shapes_ranked_again_are_the_shapes_joined_again(
    mixed: dict[str, metrics.Table], areas_frame: gpd.GeoDataFrame, level: str, joined_by: str, ranked_by: str
) -> None:
    joined = join.level_shapes(metrics.ranked(mixed[level], joined_by), areas_frame)
    table = metrics.ranked(mixed[level], ranked_by)
    expected = join.level_shapes(table, areas_frame)
    got = ranked_shapes(joined, table)
    assert list(got["code"]) == list(expected["code"])
    assert got.drop(columns="geometry").equals(expected.drop(columns="geometry"))
    assert got.geometry.geom_equals_exact(expected.geometry, tolerance=0).all()
    assert got.crs == expected.crs


def test_the_metric_reorders_what_ranked_shapes_must_follow(
    mixed: dict[str, metrics.Table], areas_frame: gpd.GeoDataFrame
) -> None:
    """The case above is not empty: a metric reorders the places, and the LADs of a place over several."""
    for level in ("place", "lad"):
        by_count, by_rate = (join.level_shapes(metrics.ranked(mixed[level], m), areas_frame) for m in METRICS[:2])
        assert list(by_count["code"]) != list(by_rate["code"])
        assert list(by_count["rank"]) != list(by_rate["rank"])
    multi = mixed["lad"].rows[mixed["lad"].rows["lad_codes"].map(len) > 1]
    assert len(multi) == 3  # Greater London beside Croydon's own figure, Wales beside Cardiff's, Scotland


class Calls:
    """Counts calls to what a script run may cost: cached fetches (each a copy) and building, joining,
    dissolving and serialising."""

    WATCHED = (
        (loaders, "_load_shipped"),  # a whole dataset, copied out of the cache
        (loaders, "_cached_table"),
        (loaders, "load_shapes"),
        (loaders, "build_view"),
        (metrics, "build_table"),
        (join, "level_shapes"),
        (join.UnitShapes, "merged"),
        (join.UnitShapes, "regions"),
        (exports, "safe_csv"),
        (join, "geojson"),
    )

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        for owner, name in self.WATCHED:
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        original = getattr(owner, name)
        counts = self.counts

        def counted(*args, **kwargs):
            counts[name] += 1
            return original(*args, **kwargs)

        counted.clear = getattr(original, "clear", None)  # type: ignore[attr-defined]
        monkeypatch.setattr(owner, name, counted)

    def during(self, at: AppTest, change=None) -> Counter[str]:
        """The calls of one run (after ``change``, a widget's new value)."""
        self.counts.clear()
        (change() if change else at).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        return Counter(self.counts)


def warm_app(page: str, level: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    if page != "pages/map.py":
        at.switch_page(page).run()
    at.sidebar.radio(key="f_level").set_value(level).run()
    for metric in METRICS:  # every cache this test reads is filled
        at.sidebar.radio(key="f_metric").set_value(metric).run()
    at.sidebar.radio(key="f_metric").set_value("networks").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("app_navigation")
@pytest.mark.parametrize("page", ["pages/map.py", "pages/rankings.py", "pages/per_capita.py"])
def test_one_run_makes_the_view_and_reads_the_dataset_once(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = warm_app(page, "lad")
    calls = Calls(monkeypatch)
    for change in (None, lambda: at.sidebar.radio(key="f_metric").set_value("per_1k")):
        counts = calls.during(at, change)
        assert counts["build_view"] == 1, counts
        assert counts["_load_shipped"] == 1, counts  # the sidebar's and the page's dataset: one copy
        assert counts["load_shapes"] == 1, counts
        # The view's table and the sidebar's place names (another level: its own table), once each.
        assert counts["_cached_table"] == 2, counts


@pytest.mark.usefixtures("app_navigation")
@pytest.mark.parametrize("level", LEVELS)
def test_a_metric_change_builds_joins_and_dissolves_nothing(level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = warm_app("pages/map.py", level)
    calls = Calls(monkeypatch)
    for metric in ("per_1k", "per_km2", "networks"):
        counts = calls.during(at, lambda m=metric: at.sidebar.radio(key="f_metric").set_value(m))
        built = {name: counts[name] for name in ("build_table", "level_shapes", "merged", "regions")}
        assert built == dict.fromkeys(built, 0), counts
        assert at.session_state["atlas_selection"].metric == metric
        # The view ranked again from the cached shapes is the view joined again for this metric.
        view = loaders.load_view(*_view_key(at))
        assert view.table.rank_by == metric
        joined = join.level_shapes(view.table, loaders.load_areas())
        assert view.shapes.drop(columns="geometry").equals(joined.drop(columns="geometry"))


@pytest.mark.usefixtures("app_navigation")
def test_downloads_are_made_on_request_and_hold_the_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    at = warm_app("pages/map.py", "lad")
    offered: dict[str, object] = {}
    marshall = button_module.marshall_file

    def keep(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        offered[str(file_name)] = data
        return marshall(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(button_module, "marshall_file", keep)
    calls = Calls(monkeypatch)
    counts = calls.during(at)
    assert counts["safe_csv"] == 0 and counts["geojson"] == 0, counts  # nothing serialised on a run
    files = {name.rsplit(".", 1)[-1]: data for name, data in offered.items()}
    assert callable(files["csv"]) and callable(files["geojson"])

    view = loaders.load_view(*_view_key(at))  # outside the run: made again, the same figures
    with_data = view.shapes[view.shapes["has_data"]]
    rows = list(csv.DictReader(io.StringIO(files["csv"]())))
    assert [r["code"] for r in rows] == list(with_data["code"])
    assert [float(r["networks"]) for r in rows] == list(with_data["networks"].astype(float))
    assert all(r["source"] and r["date"] for r in rows)
    collection = json.loads(files["geojson"]())
    assert [f["properties"]["code"] for f in collection["features"]] == list(with_data["code"])


def _view_key(at: AppTest) -> tuple:
    sel = at.session_state["atlas_selection"]
    return sel.dataset, sel.vendor, sel.places, sel.metric, sel.level
