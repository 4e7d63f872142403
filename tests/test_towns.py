"""geo.names.towns: a count from a town inside a larger council covers the town, not the council (real ONS and GeoNames data).

Expected figures are read through the code paths that produce them (the resolver's GeoNames
town, the areas frame's residents), never typed in.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geo.cli.main as cli
from geo.datasets import dataset as datasets
from geo.datasets import folders
from geo.figures import join, metrics
from geo.names.gazetteer import Town, load_towns
from geo.names.places import Resolver
from geo.names.towns import SEPARATOR
from geo.pictures import captions, circles
from geo.pictures.captions import Attribution
from geo.pictures.classes import classify
from geo.pictures.web.choropleth import TOWN_AREA_STYLE, build_map

HIGHLAND = "S12000017"
INVERNESS_CSV = "place,networks\nUnited Kingdom,5000\nInverness,120\nManchester,300\n"


def dataset_from(csv: str, dataset_id: str) -> datasets.Dataset:
    observations = datasets.parse_observations(csv.encode(), f"{dataset_id}.csv")
    return datasets.Dataset(id=dataset_id, title=dataset_id, observations=observations)


def row(table: metrics.Table, code: str) -> pd.Series:
    rows = table.rows[table.rows["code"] == code]
    assert len(rows) == 1, (code, table.rows["code"].tolist())
    return rows.iloc[0]


@pytest.fixture(scope="module")
def inverness(resolver: Resolver) -> Town:
    resolved = resolver.resolve("Inverness")
    assert (resolved.method, resolved.lad_codes) == ("gazetteer", (HIGHLAND,))
    assert resolved.town is not None and resolved.town.name == "Inverness"
    return resolved.town


@pytest.fixture(scope="module")
def lads(areas_frame: gpd.GeoDataFrame) -> pd.DataFrame:
    return areas_frame.set_index("code")


@pytest.fixture(scope="module")
def unknown_town(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> tuple[str, str]:
    """A name the gazetteer matches to a town GeoNames gives no population (0), and its LAD."""
    for name in load_towns(areas_frame).query("population == 0")["name"]:
        resolved = resolver.resolve(name, suggest=False)
        if resolved.method == "gazetteer" and resolved.status == "matched" and resolved.town.population == 0:
            return name, resolved.lad_codes[0]
    pytest.fail("no gazetteer town of unknown population resolves on its own")


@pytest.fixture(scope="module")
def lad_table(resolver, areas_frame) -> metrics.Table:
    return metrics.build_table(dataset_from(INVERNESS_CSV, "inverness"), resolver, areas_frame, level="lad")


# -- resolution --------------------------------------------------------------------------


def test_only_a_gazetteer_match_is_a_town(resolver: Resolver, inverness: Town) -> None:
    assert inverness.population > 0 and -8 < inverness.lon < 2 and 49 < inverness.lat < 61
    for name in ("Highland", HIGHLAND, "Manchester", "London", "Birmingham", "Liverpool", "Hull"):
        resolved = resolver.resolve(name)
        assert resolved.status == "matched" and resolved.town is None, (name, resolved.method)
    qualified = resolver.resolve("Inverness, Highland")
    assert qualified.town == inverness
    assert resolver.resolve("Inverness").to_dict()["town"] == {
        "name": "Inverness",
        "population": inverness.population,
        "lon": inverness.lon,
        "lat": inverness.lat,
    }


def test_a_town_chosen_by_the_user_stays_a_town(resolver: Resolver, inverness: Town) -> None:
    from geo.names.places import with_choices

    chosen = with_choices(resolver, {"Invrness": "Inverness", "Hilands": "Highland"})
    assert chosen.resolve("Invrness").town == inverness
    assert chosen.resolve("Hilands").town is None


def test_the_match_report_carries_the_town(lad_table: metrics.Table, inverness: Town) -> None:
    report = lad_table.match_report.set_index("input")
    assert report.loc["Inverness", "town"] == "Inverness"
    assert report.loc["Inverness", "town_population"] == inverness.population
    assert (report.loc["Inverness", "town_lon"], report.loc["Inverness", "town_lat"]) == (inverness.lon, inverness.lat)
    assert pd.isna(report.loc["Manchester", "town"]) and math.isnan(report.loc["Manchester", "town_lon"])


# -- coverage and rates ------------------------------------------------------------------


def test_inverness_at_lad_level_covers_the_town_only(lad_table: metrics.Table, inverness: Town, lads) -> None:
    highland = row(lad_table, HIGHLAND)
    residents = int(lads.loc[HIGHLAND, "population"])
    assert highland["covered_population"] == inverness.population
    assert highland["coverage"] == pytest.approx(inverness.population / residents)
    assert highland["coverage"] < 1
    assert highland["per_1k"] == pytest.approx(120 / inverness.population * 1000)
    uk_per_1k = 5000 / lads["population"].sum() * 1000
    assert highland["index_uk"] == pytest.approx(highland["per_1k"] / uk_per_1k * 100)
    # The land a town covers is not known: no density rather than an invented one.
    assert math.isnan(highland["per_km2"]) and math.isnan(highland["covered_area_km2"])
    assert highland["area_km2"] == pytest.approx(lads.loc[HIGHLAND, "area_km2"])
    assert (highland["town"], highland["town_lon"], highland["town_lat"]) == ("Inverness", inverness.lon, inverness.lat)
    note = next(n for n in lad_table.notes if n.startswith("Inverness:"))
    assert "the count is for the town of Inverness" in note
    assert f"pop. {inverness.population:,} in GeoNames" in note
    assert f"not all of Highland ({residents:,} residents)" in note
    assert "no rate per km²" in note


def test_an_area_named_whole_is_not_a_town(lad_table: metrics.Table, lads) -> None:
    manchester = row(lad_table, "E08000003")
    assert manchester["coverage"] == 1 and manchester["covered_population"] == lads.loc["E08000003", "population"]
    assert manchester["town"] is None or pd.isna(manchester["town"])
    assert math.isnan(manchester["town_lon"]) and math.isnan(manchester["town_lat"])
    assert manchester["per_km2"] == pytest.approx(300 / lads.loc["E08000003", "area_km2"])


def test_inverness_at_place_level_too(resolver, areas_frame, inverness: Town) -> None:
    table = metrics.build_table(dataset_from(INVERNESS_CSV, "inverness"), resolver, areas_frame, level="place")
    highland = row(table, HIGHLAND)
    assert highland["covered_population"] == inverness.population and highland["coverage"] < 1
    assert highland["per_1k"] == pytest.approx(120 / inverness.population * 1000)
    assert highland["town"] == "Inverness" and highland["town_lon"] == inverness.lon
    assert any(n.startswith("Inverness: the count is for the town of Inverness") for n in table.notes)


def test_the_area_itself_beside_its_town_covers_it_whole(resolver, areas_frame, lads) -> None:
    data = dataset_from("place,networks\nHighland,40\nInverness,120\n", "both")
    for level in ("place", "lad"):
        table = metrics.build_table(data, resolver, areas_frame, level=level)
        highland = row(table, HIGHLAND)
        assert highland["coverage"] == 1 and highland["covered_population"] == lads.loc[HIGHLAND, "population"]
        assert highland["per_1k"] == pytest.approx(160 / lads.loc[HIGHLAND, "population"] * 1000)
        assert highland["per_km2"] == pytest.approx(160 / lads.loc[HIGHLAND, "area_km2"])
        assert highland["town"] is None or pd.isna(highland["town"])
        assert not any("the count is for the town" in n for n in table.notes)


def test_two_towns_in_one_council_add_their_residents(resolver, areas_frame, lads) -> None:
    towns = [resolver.resolve(n).town for n in ("Inverness", "Fort William")]
    assert all(t is not None for t in towns) and resolver.resolve("Fort William").lad_codes == (HIGHLAND,)
    table = metrics.build_table(
        dataset_from("place,networks\nInverness,120\nFort William,30\n", "two"), resolver, areas_frame, level="lad"
    )
    highland = row(table, HIGHLAND)
    covered = min(sum(t.population for t in towns), int(lads.loc[HIGHLAND, "population"]))
    assert highland["covered_population"] == covered and highland["per_1k"] == pytest.approx(150 / covered * 1000)
    largest = max(towns, key=lambda t: t.population)
    assert highland["town"].split(SEPARATOR) == [t.name for t in sorted(towns, key=lambda t: -t.population)]
    assert (highland["town_lon"], highland["town_lat"]) == (largest.lon, largest.lat)


def test_a_town_of_unknown_population_has_no_rate(resolver, areas_frame, unknown_town) -> None:
    name, code = unknown_town
    table = metrics.build_table(
        dataset_from(f"place,networks\nUnited Kingdom,900\n{name},12\n", "unknown"), resolver, areas_frame, level="lad"
    )
    unit = row(table, code)
    assert unit["networks"] == 12 and unit["coverage"] < 1  # drawn as partly covered
    assert math.isnan(unit["per_1k"]) and math.isnan(unit["per_km2"]) and pd.isna(unit["index_uk"])
    assert unit["town"] == name
    assert any(n.startswith(f"{name}:") and "population not known" in n and "no rate" in n for n in table.notes)


def test_a_region_counted_from_a_town_covers_its_residents(resolver, areas_frame, inverness: Town) -> None:
    table = metrics.build_table(dataset_from(INVERNESS_CSV, "inverness"), resolver, areas_frame, level="region")
    scotland = row(table, "S92000003")
    assert scotland["covered_population"] == inverness.population
    assert scotland["per_1k"] == pytest.approx(120 / inverness.population * 1000)
    assert math.isnan(scotland["per_km2"])
    assert pd.isna(scotland["town"]) and math.isnan(scotland["town_lon"])  # a region's circle sits inside it
    assert any(n.startswith("Scotland:") and "the town of Inverness" in n for n in table.notes)


def test_without_a_national_figure_the_average_uses_the_towns_residents(resolver, areas_frame, inverness, lads) -> None:
    table = metrics.build_table(
        dataset_from("place,networks\nInverness,120\nManchester,300\n", "sum"), resolver, areas_frame, level="lad"
    )
    assert table.national_total_source == "sum of places"
    assert table.uk_population == inverness.population + int(lads.loc["E08000003", "population"])
    assert math.isnan(table.uk_rates["per_km2"])  # the town's land is in it, and not known


def test_the_shipped_cities_are_not_towns(shipped, resolver, areas_frame) -> None:
    for level in ("place", "lad", "region"):
        table = metrics.build_table(shipped, resolver, areas_frame, level=level)
        assert table.rows["town"].isna().all() and table.rows["town_lon"].isna().all()
        if level != "region":
            assert (table.rows["coverage"] == 1).all()
    assert shipped.observations["place"].map(lambda p: resolver.resolve(p).town).isna().all()


# -- the shapes, the map and the words -----------------------------------------------------


def test_town_columns_reach_the_shapes_and_the_circle_sits_on_the_town(lad_table, areas_frame, inverness) -> None:
    shapes = join.level_shapes(lad_table, areas_frame)
    assert set(metrics.ROW_COLUMNS) <= set(shapes.columns)
    at = shapes.index[shapes["code"] == HIGHLAND][0]
    assert shapes.loc[at, "town"] == "Inverness"
    point = gpd.GeoSeries(gpd.points_from_xy([inverness.lon], [inverness.lat]), crs=4326).to_crs(shapes.crs)
    np.testing.assert_allclose(circles.unit_points(shapes)[shapes.index.get_loc(at)], [point.x[0], point.y[0]])
    no_data = shapes[~shapes["has_data"]]
    assert no_data["town"].isna().all() and no_data["town_lon"].isna().all()
    figures = join.table_frame(shapes)
    assert {"town", "town_lon", "town_lat"} <= set(figures.columns)


def test_the_map_draws_the_town_unit_as_partly_covered_and_says_whose_count(lad_table, areas_frame) -> None:
    shapes = join.level_shapes(lad_table, areas_frame)
    with_data = shapes[shapes["has_data"]]
    parts = build_map(shapes, "per_1k", classify(with_data["per_1k"]), attribution=Attribution("test counts"))
    layer = next(c for c in parts.layer._children.values() if type(c).__name__ in ("Shapes", "UnitFigures"))
    features = {f["properties"]["code"]: f for f in layer.data["features"]}
    highland, manchester = layer.style_of(features[HIGHLAND]), layer.style_of(features["E08000003"])
    assert highland.get("dashArray") == TOWN_AREA_STYLE["dashArray"] and not manchester.get("dashArray")
    assert features[HIGHLAND]["properties"]["s"].startswith(
        "The count is for the town of Inverness, not all of Highland"
    )
    assert "town" not in features["E08000003"]["properties"].get("s", "")


def test_the_snapshot_footnote_says_whose_count(lad_table, areas_frame) -> None:
    shapes = join.level_shapes(lad_table, areas_frame)
    notes = captions.footnotes(lad_table, shapes, classify(shapes.loc[shapes["has_data"], "per_1k"]))
    assert any(n.startswith("Highland: the count is for the town of Inverness, not the whole area") for n in notes)
    assert not any(n.startswith("Partly covered") for n in notes)


# -- the command line ---------------------------------------------------------------------


def test_table_json_at_lad_level_carries_town_and_coverage(
    monkeypatch, capsys, tmp_path, resolver, areas_frame, inverness: Town
) -> None:
    monkeypatch.setattr(cli, "_context", lambda mirror: (areas_frame, resolver))
    folder = tmp_path / "towns"
    folder.mkdir()
    for name, content in folders.folder_files(dataset_from(INVERNESS_CSV, "towns")).items():
        (folder / name).write_bytes(content)
    assert cli.main(["table", "--dataset", str(folder), "--level", "lad", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    rows = {r["code"]: r for r in payload["rows"]}
    assert rows[HIGHLAND]["town"] == "Inverness"
    assert (rows[HIGHLAND]["town_lon"], rows[HIGHLAND]["town_lat"]) == (inverness.lon, inverness.lat)
    assert rows[HIGHLAND]["covered_population"] == inverness.population and rows[HIGHLAND]["coverage"] < 1
    assert rows["E08000003"]["town"] is None and rows["E08000003"]["coverage"] == 1
    assert rows["E08000003"]["town_lon"] is None
    report = {r["input"]: r for r in payload["match_report"]}
    assert report["Inverness"]["town_population"] == inverness.population
    assert any("the count is for the town of Inverness" in n for n in payload["notes"])


# -- the Map page ---------------------------------------------------------------------------


@pytest.mark.usefixtures("app_navigation")
def test_the_map_pages_area_details_say_whose_count(monkeypatch, tmp_path) -> None:
    from atlas_testing import REPO_ROOT
    from streamlit.testing.v1 import AppTest

    folder = tmp_path / "towns"
    folder.mkdir()
    for name, content in folders.folder_files(dataset_from(INVERNESS_CSV, "towns")).items():
        (folder / name).write_bytes(content)
    monkeypatch.setenv("CAMERA_ATLAS_DATASETS_DIR", str(tmp_path))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    for key, value in {"dataset": "towns", "level": "lad", "metric": "per_1k", "place": ["Highland"]}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions_shown = [c.value for c in at.caption]
    assert any(c.startswith("The count is for the town of Inverness, not all of Highland") for c in captions_shown), (
        captions_shown
    )
    assert any("the count is for the town of Inverness" in i.value for i in at.info)
