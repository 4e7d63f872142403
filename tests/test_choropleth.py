"""geo.choropleth: class breaks, colours, labels and the folium map (real mirrored ONS data)."""

from __future__ import annotations

import math
import re

import folium
import numpy as np
import pytest

from geo import choropleth, join, metrics
from geo.choropleth import NO_DATA_COLOR, SCHEMES, Classes, build_map, classify, map_html
from geo.errors import AtlasError
from geo.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION

from atlas_testing import HOSTILE, HOSTILE_ATTRIBUTION, QUOTES, assert_map_escapes_hostile_strings, unjs

HEX = re.compile(r"^#[0-9a-f]{6}$")


@pytest.fixture(scope="module")
def areas(areas_frame):
    return areas_frame  # the session's prepared areas (tests/conftest.py)


@pytest.fixture(scope="module")
def dataset(shipped):
    return shipped


@pytest.fixture(scope="module")
def shapes(areas, resolver, dataset):
    """level -> joined shapes."""
    return {
        level: join.level_shapes(metrics.build_table(dataset, resolver, areas, level=level), areas)
        for level in metrics.LEVELS
    }


def values_of(frame, metric):
    return frame.loc[frame["has_data"], metric]


def geojson_layers(m: folium.Map) -> list[folium.GeoJson]:
    return [child for child in m._children.values() if isinstance(child, folium.GeoJson)]


def check_classes(classes: Classes) -> None:
    assert len(classes.bins) == len(classes.colors) == len(classes.labels) >= 1
    assert list(classes.bins) == sorted(classes.bins)
    assert all(HEX.match(c) for c in classes.colors)
    assert len(set(classes.colors)) == len(classes.colors)
    assert NO_DATA_COLOR not in classes.colors
    assert all(label.strip() for label in classes.labels)


# -- classify --------------------------------------------------------------------------------


def test_schemes_are_the_three_documented():
    assert SCHEMES == {
        "quantiles": "Quantiles",
        "natural_breaks": "Natural breaks (Fisher-Jenks)",
        "equal_interval": "Equal interval",
    }


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_classify_many_values(scheme, areas):
    values = areas["population"] / 1000  # 361 real, distinct rates-like values
    classes = classify(values, scheme, k=5)
    check_classes(classes)
    assert len(classes.bins) == 5
    assert classes.scheme == scheme
    assert math.isclose(classes.bins[-1], float(values.max()))
    # Every value falls in a class and the lowest value in the first.
    assert classes.color_for(float(values.min())) == classes.colors[0]
    assert classes.color_for(float(values.max())) == classes.colors[-1]


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_classify_fewer_distinct_values_than_k(scheme):
    classes = classify([7436, 4957, 8865], scheme, k=5)
    check_classes(classes)
    assert len(classes.bins) == 3
    # Three values, three classes: each value its own colour.
    assert len({classes.color_for(v) for v in (4957, 7436, 8865)}) == 3
    # Counts: whole numbers with thousands separators.
    assert classes.labels[0].startswith("4,957")
    assert classes.labels[-1].endswith("8,865")
    assert all("." not in label for label in classes.labels)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_classify_shipped_dataset_every_level_and_metric(scheme, shapes):
    for level, frame in shapes.items():
        for metric in metrics.METRICS:
            values = values_of(frame, metric)
            classes = classify(values, scheme, k=5)
            check_classes(classes)
            assert len(classes.bins) <= values.nunique()
            for value in values:
                assert classes.color_for(value) in classes.colors


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_classify_one_value(scheme):
    classes = classify([5.0, 5.0, float("nan")], scheme)
    check_classes(classes)
    assert classes.bins == (5.0,)
    assert classes.labels == ("5",)
    assert classes.color_for(5) == classes.colors[0]


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("values", [[], [float("nan"), None], np.array([np.nan])])
def test_classify_no_values_gives_one_empty_class(scheme, values):
    classes = classify(values, scheme)
    check_classes(classes)
    assert len(classes.bins) == 1
    assert classes.color_for(None) == NO_DATA_COLOR


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_classify_ignores_nan_and_none(scheme):
    clean = classify([1.5, 2.25, 3.0, 10.0, 12.5, 40.0], scheme, k=3)
    dirty = classify([1.5, None, 2.25, float("nan"), 3.0, 10.0, np.nan, 12.5, 40.0], scheme, k=3)
    assert clean == dirty


def test_natural_breaks_is_deterministic(areas):
    values = areas["area_km2"]
    assert classify(values, "natural_breaks", 6) == classify(values, "natural_breaks", 6)


def test_rate_labels_use_decimals_that_tell_breaks_apart():
    classes = classify([0.68, 0.81, 1.47, 1.65, 6.94], "quantiles", k=5)
    assert all("." in label for label in classes.labels)
    edges = [part for label in classes.labels for part in label.split(" \u2013 ")]
    assert len(set(edges)) > 1
    assert classes.labels[0].startswith("0.68")


def test_zero_is_a_class_colour_not_no_data():
    classes = classify([0, 0, 3, 10, 250], "quantiles", k=4)
    assert classes.color_for(0) == classes.colors[0]
    assert classes.color_for(0) != NO_DATA_COLOR


def test_unknown_scheme_is_a_one_line_atlas_error():
    with pytest.raises(AtlasError) as info:
        classify([1, 2, 3], "jenks-ish")
    message = str(info.value)
    assert "\n" not in message and "quantiles" in message


@pytest.mark.parametrize("k", [0, 10, -1])
def test_bad_k_is_an_atlas_error(k):
    with pytest.raises(AtlasError):
        classify([1, 2, 3], "quantiles", k=k)


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, "n/a", float("inf")])
def test_color_for_missing_is_no_data(missing):
    classes = classify([1, 2, 3, 4, 5])
    assert classes.color_for(missing) == NO_DATA_COLOR


def test_no_data_colour_differs_from_every_palette_colour():
    for k in range(1, 10):
        assert NO_DATA_COLOR not in choropleth.palette(k)


def test_color_for_clips_values_outside_the_breaks():
    classes = classify([10, 20, 30, 40], "equal_interval", k=2)
    assert classes.color_for(-5) == classes.colors[0]
    assert classes.color_for(1e9) == classes.colors[-1]


# -- build_map -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lad_map(shapes):
    frame = shapes["lad"]
    classes = classify(values_of(frame, "per_1k"), "quantiles", 5)
    m = build_map(frame, "per_1k", classes, attribution="The Mail on Sunday via TOP10VPN")
    return m, classes, map_html(m)


def test_lad_map_has_one_layer_of_361_features(lad_map):
    m, _, html = lad_map
    layers = geojson_layers(m)
    assert len(layers) == 1
    assert len(layers[0].data["features"]) == 361
    assert html.count('"FeatureCollection"') == 1  # no second copy of the LADs


def test_lad_map_payload_is_small(lad_map):
    _, _, html = lad_map
    assert len(html.encode("utf-8")) <= 1_500_000


def test_no_data_style_differs_from_lowest_class_and_zero(shapes):
    frame = shapes["lad"].copy()
    # Make one LAD a real zero: it must look like the lowest class, not like "no data".
    zero = frame.index[~frame["has_data"]][0]
    frame.loc[zero, ["networks", "per_1k", "per_km2", "rank"]] = 0
    frame.loc[zero, "has_data"] = True
    classes = classify(values_of(frame, "networks"), "quantiles", 5)
    m = build_map(frame, "networks", classes)
    layer = geojson_layers(m)[0]
    styles = {f["properties"]["code"]: layer.style_function(f) for f in layer.data["features"]}
    no_data = [styles[c] for c in frame.loc[~frame["has_data"], "code"]]
    assert no_data and all(s["fillColor"] == NO_DATA_COLOR and s.get("dashArray") for s in no_data)
    zero_style = styles[frame.loc[zero, "code"]]
    assert zero_style["fillColor"] == classes.colors[0]
    assert zero_style["fillColor"] != NO_DATA_COLOR
    assert not zero_style.get("dashArray")


def test_legend_lists_classes_and_no_data(lad_map):
    _, classes, html = lad_map
    text = unjs(html)
    assert "atlas-legend" in text
    for label, color in zip(classes.labels, classes.colors):
        assert label in text
        assert color in text
    assert "No data" in text
    assert NO_DATA_COLOR in text


def test_attribution_names_ons_geonames_and_source(lad_map):
    _, _, html = lad_map
    text = unjs(html)
    assert "attributionControl.addAttribution" in text
    assert choropleth._esc(ONS_ATTRIBUTION) in text
    assert choropleth._esc(GEONAMES_ATTRIBUTION) in text
    assert "The Mail on Sunday via TOP10VPN" in text


def test_tooltip_fields(lad_map):
    m, _, html = lad_map
    layer = geojson_layers(m)[0]
    manchester = next(f["properties"] for f in layer.data["features"] if f["properties"]["code"] == "E08000003")
    assert manchester["name"] == "Manchester"
    assert manchester["n"] == "7,436"
    assert manchester["a"] == "13.1"
    assert manchester["d"] == "64.3"
    assert manchester["r"].endswith("of 3")
    text = unjs(html)
    for label in ("Per 1,000 residents", "Per km\u00b2", "Rank", "Source: The Mail on Sunday via TOP10VPN"):
        assert label in text


def test_tooltip_source_leaves_out_the_ons_and_geonames_lines(shapes):
    frame = shapes["region"]
    attribution = f"Counts: The Mail on Sunday. {ONS_ATTRIBUTION} {GEONAMES_ATTRIBUTION}"
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=attribution)
    tooltip = next(c for c in geojson_layers(m)[0]._children.values() if isinstance(c, choropleth._Tooltip))
    assert unjs(tooltip.source) == '"Source: Counts: The Mail on Sunday."'
    text = unjs(map_html(m))
    assert text.count(choropleth._esc(ONS_ATTRIBUTION)) == 1  # in the attribution control only


def test_hostile_strings_are_escaped_everywhere(shapes):
    frame = shapes["lad"].copy()
    data_rows = frame.index[frame["has_data"]]
    frame.loc[data_rows[0], "name"] = HOSTILE
    frame.loc[data_rows[1], "name"] = QUOTES
    frame.loc[frame.index[~frame["has_data"]][0], "name"] = HOSTILE + "-nodata"
    base = classify(values_of(frame, "networks"))
    classes = Classes(base.scheme, base.bins, base.colors, (HOSTILE, QUOTES) + base.labels[2:])
    m = build_map(frame, "networks", classes, attribution=HOSTILE_ATTRIBUTION, source=QUOTES)
    html = map_html(m)
    assert_map_escapes_hostile_strings(html)
    # The page's own script blocks still open and close in pairs (nothing broke out).
    assert html.count("<script") == html.count("</script>")


def test_selected_units_are_outlined_and_fitted(shapes):
    frame = shapes["lad"]
    classes = classify(values_of(frame, "per_1k"))
    m = build_map(frame, "per_1k", classes, selected=["E08000003"])
    layer = geojson_layers(m)[0]
    features = layer.data["features"]
    assert features[-1]["properties"]["code"] == "E08000003"  # drawn last, on top
    style = layer.style_function(features[-1])
    assert style["weight"] >= 3 and style["color"] == choropleth.SELECTED_EDGE
    fit = next(c for c in m._children.values() if isinstance(c, folium.map.FitBounds))
    (south, west), (north, east) = fit.bounds
    minx, miny, maxx, maxy = frame.loc[frame["code"] == "E08000003"].total_bounds
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx))


def test_unselected_map_opens_on_the_whole_uk(shapes):
    frame = shapes["region"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")))
    fit = next(c for c in m._children.values() if isinstance(c, folium.map.FitBounds))
    (south, west), (north, east) = fit.bounds
    # The UK's extent (Scilly to Shetland, Fermanagh to Suffolk), not just the units with data.
    assert south < 50.0 and north > 60.5 and west < -8.0 and east > 1.7


def test_place_level_draws_every_lad_as_context(shapes, areas):
    frame = shapes["place"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), context=areas)
    layers = geojson_layers(m)
    assert [len(layer.data["features"]) for layer in layers] == [361, len(frame)]
    context_style = layers[0].style_function(layers[0].data["features"][0])
    assert context_style["fill"] is False
    assert "Not in this dataset" in unjs(map_html(m))


def test_default_map_has_no_basemap_and_tiles_pass_through(shapes):
    frame = shapes["region"]
    classes = classify(values_of(frame, "networks"))
    bare = build_map(frame, "networks", classes)
    assert not [c for c in bare._children.values() if isinstance(c, folium.TileLayer)]
    tiled = build_map(frame, "networks", classes, tiles="OpenStreetMap")
    assert [c for c in tiled._children.values() if isinstance(c, folium.TileLayer)]


def test_merged_units_lose_their_slivers(shapes):
    london = shapes["place"].loc[lambda f: f["code"] == "E12000007"]
    m = build_map(london, "networks", classify(london["networks"]))
    geometry = geojson_layers(m)[0].data["features"][0]["geometry"]
    assert geometry["type"] == "Polygon"
    assert len(geometry["coordinates"]) == 1  # no hairline holes left between boroughs


def test_unknown_metric_is_an_atlas_error(shapes):
    frame = shapes["lad"]
    with pytest.raises(AtlasError):
        build_map(frame, "cameras", classify([1, 2]))


def test_selected_units_helper(shapes, resolver):
    london = resolver.resolve("London").lad_codes
    assert choropleth.selected_units(shapes["place"], london) == ("E12000007",)
    assert choropleth.selected_units(shapes["region"], ["E08000003"]) == ("E12000002",)
    assert len(choropleth.selected_units(shapes["lad"], london)) == 33
    assert choropleth.selected_units(shapes["lad"], []) == ()
