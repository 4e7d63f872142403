"""geo.pictures.web.circle_markers and build_map's circles: counts as circles (area ∝ count) on the interactive map (real ONS data)."""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import pytest
from atlas_testing import HOSTILE, HOSTILE_ATTRIBUTION, QUOTES, assert_map_escapes_hostile_strings, unjs
from hostile import assert_nothing_ran, everything, new_token

from geo.core.errors import AtlasError
from geo.figures import join, metrics
from geo.figures.vocabulary import LEVELS
from geo.pictures.captions import Attribution, off_map_note
from geo.pictures.circles import CIRCLE_FILL, reference_values
from geo.pictures.classes import classify
from geo.pictures.palettes import NO_DATA_COLOR, SELECTED_EDGE
from geo.pictures.web import circle_markers, controls
from geo.pictures.web.choropleth import MapParts, build_map, map_html
from geo.pictures.web.circle_markers import MAX_RADIUS_PX, MIN_RADIUS_PX, Circles
from geo.pictures.web.elements import AtlasElement
from geo.pictures.web.layers import Shapes

CREDIT = Attribution("The Mail on Sunday via TOP10VPN")


@pytest.fixture(scope="module")
def tables(areas_frame, resolver, shipped):
    return {level: metrics.build_table(shipped, resolver, areas_frame, level=level) for level in LEVELS}


@pytest.fixture(scope="module")
def shapes(tables, areas_frame):
    return {level: join.level_shapes(table, areas_frame) for level, table in tables.items()}


def draw(frame, metric="networks", **options) -> MapParts:
    return build_map(frame, metric, classify(frame.loc[frame["has_data"], metric]), attribution=CREDIT, **options)


def circles_of(parts: MapParts) -> list[Circles]:
    return [child for child in parts.layer._children.values() if isinstance(child, Circles)]


def areas_of(parts: MapParts) -> Shapes:
    return next(child for child in parts.layer._children.values() if isinstance(child, Shapes))


def legend_of(parts: MapParts) -> str:
    return next(c for c in parts.layer._children.values() if isinstance(c, controls.LayerFrame)).legend


@pytest.mark.parametrize("level", LEVELS)
def test_counts_are_one_circle_per_unit_with_data(shapes, level):
    frame = shapes[level]
    (layer,) = circles_of(draw(frame))
    codes = [f["properties"]["code"] for f in layer.data["features"]]
    assert sorted(codes) == sorted(frame.loc[frame["has_data"], "code"])  # every unit with data, once; none without
    assert all(f["geometry"]["type"] == "Point" for f in layer.data["features"])


def test_shaded_counts_and_rates_draw_no_circles(shapes):
    frame = shapes["lad"]
    for parts in (draw(frame, style="shaded"), draw(frame, "per_1k"), draw(frame, "per_km2", style="shaded")):
        assert circles_of(parts) == []
        assert areas_of(parts).interactive  # the shaded areas carry the tooltip again
    with pytest.raises(AtlasError, match="circles are for counts"):
        draw(frame, "per_1k", style="circles")


def test_radii_are_area_proportional_and_in_screen_pixels(shapes):
    frame = shapes["lad"]
    (layer,) = circles_of(draw(frame))
    values = frame.set_index("code")["networks"]
    pairs = [(float(values[f["properties"]["code"]]), f["r"]) for f in layer.data["features"]]
    top = max(v for v, _ in pairs)
    assert max(r for _, r in pairs) == pytest.approx(MAX_RADIUS_PX)
    for value, r in pairs:
        expected = max(MAX_RADIUS_PX * np.sqrt(value / top), MIN_RADIUS_PX)
        assert r == pytest.approx(expected, abs=0.01)
    # Area, not radius: a count four times another gets twice the radius.
    assert circle_markers.circle_radii(np.array([400.0, 100.0])).tolist() == pytest.approx(
        [MAX_RADIUS_PX, MAX_RADIUS_PX / 2]
    )
    assert np.isnan(circle_markers.circle_radii(np.array([np.nan, 5.0]))[0])


def test_largest_circles_are_drawn_first(shapes):
    frame = shapes["lad"]
    (layer,) = circles_of(draw(frame))
    values = frame.set_index("code")["networks"]
    drawn = [float(values[f["properties"]["code"]]) for f in layer.data["features"]]
    assert drawn == sorted(drawn, reverse=True) and len(drawn) > 2


def test_circles_have_a_thin_white_edge_and_one_colour(shapes):
    (layer,) = circles_of(draw(shapes["place"]))
    plain = layer.styles[0]
    assert plain["fillColor"] == CIRCLE_FILL and plain["color"] == "#ffffff" and plain["weight"] <= 1
    assert {f["k"] for f in layer.data["features"]} == {0}


def test_areas_under_circles_are_outlines_and_no_data_stays_no_data(shapes):
    frame = shapes["lad"]
    parts = draw(frame)
    areas = areas_of(parts)
    assert not areas.interactive  # hover and click belong to the circles
    styles = {f["properties"]["code"]: areas.style_of(f) for f in areas.data["features"]}
    with_data = [styles[c] for c in frame.loc[frame["has_data"], "code"]]
    without = [styles[c] for c in frame.loc[~frame["has_data"], "code"]]
    assert with_data and all(s["fillColor"] == "#ffffff" for s in with_data)
    assert without and all(s["fillColor"] == NO_DATA_COLOR and s.get("dashArray") for s in without)
    # The tooltip is bound to the circles, with the rows the areas had.
    (layer,) = circles_of(parts)
    assert any(isinstance(c, controls.Tooltip) for c in layer._children.values())
    assert not any(isinstance(c, controls.Tooltip) for c in areas._children.values())
    manchester = next(f["properties"] for f in layer.data["features"] if f["properties"]["code"] == "E08000003")
    assert (
        manchester["name"] == "Manchester"
        and manchester["n"] == f"{int(frame.set_index('code').loc['E08000003', 'networks']):,}"
    )


def test_a_town_count_sits_on_the_town(shapes):
    frame = shapes["lad"].copy()
    frame["town_lon"], frame["town_lat"] = np.nan, np.nan
    row = frame.index[frame["code"] == "E08000003"][0]
    frame.loc[row, ["town_lon", "town_lat"]] = (-2.3, 53.45)
    (layer,) = circles_of(draw(frame))
    manchester = next(f for f in layer.data["features"] if f["properties"]["code"] == "E08000003")
    assert manchester["geometry"]["coordinates"] == pytest.approx([-2.3, 53.45])
    (without,) = circles_of(draw(shapes["lad"]))  # no town columns: the area's own interior point
    inside = next(f for f in without.data["features"] if f["properties"]["code"] == "E08000003")
    assert inside["geometry"]["coordinates"] != pytest.approx([-2.3, 53.45])


def test_a_chosen_unit_gets_a_dark_edge(shapes):
    (layer,) = circles_of(draw(shapes["lad"], selected=["E08000003"]))
    chosen = [f for f in layer.data["features"] if f["k"] == 1]
    assert [f["properties"]["code"] for f in chosen] == ["E08000003"]
    assert layer.styles[1]["color"] == SELECTED_EDGE


def test_legend_shows_reference_circles_not_classes(shapes):
    frame = shapes["lad"]
    classes = classify(frame.loc[frame["has_data"], "networks"])
    legend = legend_of(build_map(frame, "networks", classes, attribution=CREDIT))
    refs = reference_values(frame.loc[frame["has_data"], "networks"])
    assert 2 <= len(refs) <= 3
    for value in refs:
        assert f">{value:,}</text>" in legend  # with thousands separators
    assert legend.count("<circle ") == 2 * len(refs)  # one key for a wide map, one for a phone
    assert "Circle area shows the count" in legend
    for label in classes.labels:
        assert label not in legend
    assert "No data" in legend  # the no-data swatch stays
    shaded = legend_of(build_map(frame, "networks", classes, attribution=CREDIT, style="shaded"))
    assert "<circle " not in shaded and classes.labels[0] in shaded


def test_reference_circles_use_the_maps_own_scale(shapes):
    frame = shapes["place"]
    values = frame.loc[frame["has_data"], "networks"].to_numpy(dtype=float)
    legend = circle_markers.circle_legend_html("Camera networks", values)
    top = reference_values(values)[0]
    expected = MAX_RADIUS_PX * np.sqrt(top / values.max())
    assert f'r="{round(expected, 2)}"' in legend
    assert f'r="{round(expected * circle_markers.NARROW_SCALE, 2)}"' in legend  # the phone's key, as its circles


def test_off_map_note_is_the_share_of_the_total_on_no_map(tables, shapes):
    table = tables["place"]
    note = off_map_note(table)
    assert table.national_total == 277_986 and table.unattributed == table.national_total - table.mapped_total
    assert f"{table.unattributed:,} of the {table.national_total:,} networks" in note and "UK total" in note
    html_out = unjs(map_html(draw(shapes["place"], note=note)))
    assert html.escape(note) in html_out
    whole = replace(table, national_total=table.mapped_total)
    assert off_map_note(whole) == ""


def test_hostile_names_in_circle_tooltips_never_run(shapes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    token = new_token()
    texts = everything(token)
    frame = shapes["place"].copy()
    data_rows = list(frame.index[frame["has_data"]])
    frame.loc[data_rows[0], "name"] = HOSTILE
    frame.loc[data_rows[1], "name"] = QUOTES
    frame.loc[data_rows[2], "name"] = " | ".join(
        texts[k] for k in ("rce_expression", "rce_statement", "jinja_open_comment")
    )
    frame.loc[data_rows[3], "name"] = " | ".join(texts[k] for k in ("rce_cycler", "jinja_close", "javascript"))
    parts = build_map(
        frame,
        "networks",
        classify(frame.loc[frame["has_data"], "networks"]),
        attribution=Attribution(HOSTILE_ATTRIBUTION + " " + QUOTES),
        note=texts["rce_expression"],
        inline_assets=True,
    )
    assert len(circles_of(parts)) == 1
    out = map_html(parts)
    assert_map_escapes_hostile_strings(out)
    assert out.count("<script") == out.count("</script>")
    assert html.escape(texts["rce_expression"]) in unjs(out)  # shown literally in the circle's tooltip and the note
    assert_nothing_ran(token, tmp_path)


def test_circles_layer_is_an_atlas_element_on_the_data_layer(shapes):
    parts = draw(shapes["place"])
    (layer,) = circles_of(parts)
    assert isinstance(layer, AtlasElement)  # its data travels as |data JSON, its output is never compiled again
    out = map_html(parts)
    assert "L.circleMarker" in out
