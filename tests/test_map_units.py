"""Geometry once, figures per selection (geo.pictures.web.units): the base map holds the units, the layer only figures."""

from __future__ import annotations

import json
import os

import pytest
from atlas_testing import HOSTILE, QUOTES, unjs

from geo.figures import join, metrics
from geo.pictures.captions import Attribution
from geo.pictures.classes import classify
from geo.pictures.web import units
from geo.pictures.web.choropleth import build_map, map_html
from geo.pictures.web.units import UnitFigures, sparse_figures, unit_figures, unit_geometry

CREDIT = Attribution("The Mail on Sunday via TOP10VPN")


@pytest.fixture(scope="module")
def lad(areas_frame, resolver, shipped):
    return join.level_shapes(metrics.build_table(shipped, resolver, areas_frame, level="lad"), areas_frame)


@pytest.fixture(scope="module")
def place(areas_frame, resolver, shipped):
    return join.level_shapes(metrics.build_table(shipped, resolver, areas_frame, level="place"), areas_frame)


def draw(frame, metric, **options):
    return build_map(frame, metric, classify(frame.loc[frame["has_data"], metric]), attribution=CREDIT, **options)


def figures_of(parts) -> UnitFigures:
    return next(c for c in parts.layer._children.values() if isinstance(c, UnitFigures))


def sent(parts) -> dict:
    """What st_folium hands the browser for ``parts``, as pages/map.py calls it (script, feature_group, js_links...)."""
    import streamlit_folium

    captured: dict = {}

    def capture(**kwargs: object) -> object:
        captured.update(kwargs)
        return kwargs.get("default")

    original = streamlit_folium._component_func
    streamlit_folium._component_func = capture
    try:
        streamlit_folium.st_folium(parts.base, feature_group_to_add=parts.layer, key="atlas-map", returned_objects=[])
    finally:
        streamlit_folium._component_func = original
    return captured


def test_the_base_links_the_units_file_and_the_layer_sends_no_geometry(lad, tmp_path):
    parts = draw(lad, "per_1k", static_dir=tmp_path)
    geometry = unit_geometry(lad.to_crs(4326) if lad.crs.to_epsg() != 4326 else lad)
    url = f"/app/static/{units.FOLDER}/{geometry.key}.js"
    assert url in [link for _, link in parts.base.default_js]
    published = (tmp_path / units.FOLDER / f"{geometry.key}.js").read_text(encoding="utf-8")
    assert published.startswith("CameraAtlas.addUnits(")
    payload = json.loads(published[published.index(",") + 1 : published.rindex(")")])
    assert [f["c"] for f in payload["features"]] == [f["c"] for f in geometry.features]
    assert len(payload["features"]) == len(lad)
    manchester = next(f for f in geometry.features if f["c"] == "E08000003")
    ring = manchester["g"][0][0]
    browser = sent(parts)
    assert ring in published and ring not in browser["script"]  # the base's script only names the file's units
    assert url in browser["js_links"]
    layer = browser["feature_group"]
    assert ring not in layer and "Manchester" not in layer  # the layer: figures by position only
    figures = figures_of(parts)
    at = geometry.index["E08000003"]
    assert figures.unit(at)["columns"]["n"] == "7,436"
    assert figures.unit(at)["k"] >= 0 and "extra" not in figures.payload  # every unit is the base's


def test_a_metric_change_keeps_the_base_and_changes_only_figures(lad, tmp_path):
    from streamlit_folium import _get_map_string

    first, second = draw(lad, "per_1k", static_dir=tmp_path), draw(lad, "per_km2", static_dir=tmp_path)
    for parts in (first, second):
        parts.base.get_root().render()
    assert _get_map_string(first.base) == _get_map_string(second.base)
    assert first.base.default_js == second.base.default_js
    one, two = figures_of(first), figures_of(second)
    count = len(unit_geometry(lad.to_crs(4326) if lad.crs.to_epsg() != 4326 else lad).features)
    # every figure of the tooltip, whatever the metric
    assert [one.unit(i)["columns"] for i in range(count)] == [two.unit(i)["columns"] for i in range(count)]
    styles = [(one.payload["styles"][one.unit(i)["k"]], two.payload["styles"][two.unit(i)["k"]]) for i in range(count)]
    assert any(a != b for a, b in styles)  # coloured by another metric


def test_units_the_base_lacks_travel_with_the_figures(place, tmp_path):
    without = place[place["code"] != "E08000003"]
    parts = draw(place, "networks", static_dir=tmp_path, geometry_from=without, style="shaded")
    figures = figures_of(parts)
    (extra,) = figures.payload["extra"]["features"]
    assert extra["properties"] == {"code": "E08000003", "name": "Manchester"} and extra["g"]
    position = len(unit_geometry(without.to_crs(4326)).features)
    assert figures.unit(position)["columns"]["n"] == "7,436"


def test_a_chosen_unit_is_painted_on_top_and_only_a_new_choice_moves_the_view(lad):
    parts = draw(lad, "per_1k", selected=["E08000003"])
    figures = figures_of(parts)
    geometry = unit_geometry(lad.to_crs(4326) if lad.crs.to_epsg() != 4326 else lad)
    assert figures.payload["front"] == [geometry.index["E08000003"]]
    frame = next(c for c in parts.layer._children.values() if type(c).__name__ == "LayerFrame")
    assert frame.options["view"] == "E08000003"  # CameraAtlas.frame fits only when this changes
    plain = next(c for c in draw(lad, "per_km2").layer._children.values() if type(c).__name__ == "LayerFrame")
    assert plain.options["view"] == ""


def test_hostile_unit_names_reach_the_units_file_escaped(lad, tmp_path):
    frame = lad.copy()
    frame.loc[frame.index[0], "name"] = HOSTILE
    frame.loc[frame.index[1], "name"] = QUOTES
    parts = draw(frame, "per_1k", static_dir=tmp_path)
    (path,) = (tmp_path / units.FOLDER).glob(f"{unit_geometry(frame.to_crs(4326)).key}.js")
    text = path.read_text(encoding="utf-8")
    assert "</script" not in text.lower() and "{{" not in text and "{%" not in text
    decoded = unjs(text)
    for raw in (HOSTILE, QUOTES, "<img src=x", 'Jerry\'s "place"'):
        assert raw not in text and raw not in decoded
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in decoded  # shown as text in the tooltip
    assert "Tom &amp; Jerry&#x27;s &quot;place&quot;" in decoded
    # and inline, in a standalone file
    html = map_html(draw(frame, "per_1k"))
    assert HOSTILE not in html and QUOTES not in html and "&lt;script&gt;alert(1)" in unjs(html)
    assert parts.base is not None


def test_the_shared_units_folder_keeps_only_the_most_recently_used_files(lad, tmp_path):
    folder = tmp_path / units.FOLDER
    folder.mkdir()
    for i in range(5):
        path = folder / f"old{i}.js"
        path.write_text("x")
        os.utime(path, ns=(i * 10**9, i * 10**9))  # old0 used longest ago
    url = units.publish(unit_geometry(lad), tmp_path, "/app/static")
    published = folder / url.rsplit("/", 1)[1]
    assert published.is_file()
    removed = units.prune(folder, keep=published, limit=3)
    assert sorted(p.name for p in removed) == ["old0.js", "old1.js", "old2.js"]
    assert sorted(p.name for p in folder.glob("*.js")) == sorted([published.name, "old3.js", "old4.js"])
    # publishing what is there marks it used: it outlives a file used after it was written
    os.utime(published, ns=(0, 0))
    units.publish(unit_geometry(lad), tmp_path, "/app/static")
    units.prune(folder, keep=folder / "none.js", limit=1)
    assert [p.name for p in folder.glob("*.js")] == [published.name]


def test_a_map_of_a_few_cities_sends_figures_only_for_them(lad):
    parts = draw(lad, "per_1k")
    figures = figures_of(parts)
    payload = figures.payload
    with_data = int(lad["has_data"].sum())
    assert len(payload["rows"]) == with_data < len(lad) / 2  # the others are one default, sent once
    assert all(len(column) == with_data for column in payload["columns"].values())
    no_data = next(i for i in range(len(lad)) if i not in payload["rows"])
    assert figures.unit(no_data) == {**payload["default"], "columns": {key: 0 for key in payload["columns"]}}
    assert payload["default"]["noData"] == 1 and payload["statusTexts"][payload["default"]["status"] - 1]


def test_sparse_figures_read_back_as_the_whole_lists():
    k = [1, 1, 0, 1, 2, 1, 1, 1]
    columns = {"n": [0, 0, "7", 0, "9", 0, 0, 0], "a": [0, 0, "1.5", 0, 0, 0, 0, 0]}
    status = [1, 1, 0, 1, 0, 1, 1, 2]
    no_data = [1, 1, 0, 1, 0, 1, 1, 1]
    sparse = sparse_figures(k, columns, status, no_data)
    assert sparse["rows"] == [2, 4, 7]  # the unit with another status differs too
    for payload in (sparse, sparse_figures(k[:2] + [0] * 6, {"n": ["1"] * 8}, [0] * 8, [0] * 8)):
        for i in range(8):
            unit = unit_figures(payload, i)
            assert set(unit) == {"k", "columns", "status", "noData"}
    for i in range(8):
        assert unit_figures(sparse, i) == {
            "k": k[i],
            "columns": {key: column[i] for key, column in columns.items()},
            "status": status[i],
            "noData": no_data[i],
        }
    dense = sparse_figures(k[:2] + [0] * 6, {"n": ["1"] * 8}, [0] * 8, [0] * 8)
    assert "rows" not in dense and dense["columns"]["n"] == ["1"] * 8  # most units differ: sent whole
