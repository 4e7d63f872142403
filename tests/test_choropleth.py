"""geo.pictures.web.choropleth: the folium map (real mirrored ONS data)."""

from __future__ import annotations

import re

import folium
import numpy as np
import pytest
from atlas_testing import HOSTILE, HOSTILE_ATTRIBUTION, QUOTES, assert_map_escapes_hostile_strings, unjs

from geo.core.errors import AtlasError
from geo.figures import join, metrics
from geo.figures.vocabulary import LEVELS
from geo.official.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION
from geo.pictures.captions import Attribution
from geo.pictures.classes import Classes, classify
from geo.pictures.palettes import NO_DATA_COLOR, SELECTED_EDGE
from geo.pictures.web import controls, scripts
from geo.pictures.web.choropleth import MapParts, build_map, map_html
from geo.pictures.web.layers import Shapes
from geo.pictures.web.polyline import ALPHABET, PRECISION
from geo.pictures.web.units import unit_geometry


def decode_ring(text: str) -> np.ndarray:
    """The browser's decoding of one encoded ring (``CameraAtlas.decodeRing``, geo/pictures/web/js/atlas.js), in Python."""
    values, value, shift = [], 0, 0
    for char in text:
        chunk = ALPHABET.index(char)
        value |= (chunk & 0x1F) << shift
        shift += 5
        if chunk < 0x20:
            values.append(~(value >> 1) if value & 1 else value >> 1)
            value, shift = 0, 0
    return np.cumsum(np.array(values, dtype=np.int64).reshape(-1, 2), axis=0) / 10**PRECISION


CREDIT = Attribution("The Mail on Sunday via TOP10VPN")


@pytest.fixture(scope="module")
def areas(areas_frame):
    return areas_frame


@pytest.fixture(scope="module")
def shapes(areas, resolver, shipped):
    """level -> joined shapes."""
    return {
        level: join.level_shapes(metrics.build_table(shipped, resolver, areas, level=level), areas) for level in LEVELS
    }


def values_of(frame, metric):
    return frame.loc[frame["has_data"], metric]


def geojson_layers(parts: MapParts) -> list[Shapes]:
    """The map's polygon layers: the base's (context outlines) first, then the data layer's."""
    children = [*parts.base._children.values(), *parts.layer._children.values()]
    return [child for child in children if isinstance(child, Shapes)]


def fit_view(parts: MapParts) -> list[list[float]]:
    return next(c for c in parts.layer._children.values() if isinstance(c, controls.LayerFrame)).bounds


# -- build_map -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lad_map(shapes):
    frame = shapes["lad"]
    classes = classify(values_of(frame, "per_1k"), "quantiles", 5)
    m = build_map(frame, "per_1k", classes, attribution=CREDIT)
    return m, classes, map_html(m)


def test_lad_map_has_one_layer_with_every_unit(lad_map, shapes):
    m, _, html = lad_map
    layers = geojson_layers(m)
    assert len(layers) == 1
    # 361 LADs, Greater London's 33 as one unit: 329.
    assert len(layers[0].data["features"]) == len(shapes["lad"]) == 329
    geometry = unit_geometry(shapes["lad"].to_crs(4326))
    rings = [f["g"][0][0] for f in geometry.features]
    assert all(html.count(ring) == 1 for ring in rings)  # each LAD's outline once: no second copy


def test_lad_map_payload_is_compact(lad_map):
    _, _, html = lad_map
    assert len(html.encode("utf-8")) <= 350_000  # geometry as encoded polylines


def test_geometry_round_trips_through_the_polylines(shapes):
    frame = shapes["lad"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT)
    feature = next(f for f in geojson_layers(m)[0].data["features"] if f["properties"]["code"] == "E08000003")
    ring = decode_ring(feature["g"][0][0])
    exterior = frame.loc[frame["code"] == "E08000003"].geometry.iloc[0]
    exterior = max(getattr(exterior, "geoms", [exterior]), key=lambda p: p.area).exterior
    assert ring.shape[0] == len(exterior.coords)
    assert abs(ring[:, 0].min() - exterior.bounds[0]) < 1e-4 and abs(ring[:, 1].max() - exterior.bounds[3]) < 1e-4


def test_no_data_style_differs_from_lowest_class_and_zero(shapes):
    frame = shapes["lad"].copy()
    # Make one LAD a real zero: it must look like the lowest class, not like "no data".
    zero = frame.index[~frame["has_data"]][0]
    frame.loc[zero, ["networks", "per_1k", "per_km2", "rank"]] = 0
    frame.loc[zero, "has_data"] = True
    classes = classify(values_of(frame, "networks"), "quantiles", 5)
    m = build_map(frame, "networks", classes, attribution=CREDIT, style="shaded")
    layer = geojson_layers(m)[0]
    styles = {f["properties"]["code"]: layer.style_of(f) for f in layer.data["features"]}
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


def test_legend_leaves_out_states_no_area_has(shapes):
    frame = shapes["place"]  # every place has data, none is partly covered
    html = unjs(map_html(build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT)))
    assert "No data" not in html and "part of the area" not in html


def test_partly_covered_regions_are_marked(shapes):
    frame = shapes["region"]
    m = build_map(frame, "per_1k", classify(values_of(frame, "per_1k")), attribution=CREDIT)
    layer = geojson_layers(m)[0]
    features = {f["properties"]["code"]: f for f in layer.data["features"]}
    north_west = layer.style_of(features["E12000002"])
    london = layer.style_of(features["E12000007"])
    assert north_west.get("dashArray") and north_west["weight"] > london["weight"]
    assert "14%" in features["E12000002"]["properties"]["s"]
    assert "Counts cover part of the area" in unjs(map_html(m))


def test_attribution_names_ons_geonames_and_source(lad_map):
    _, _, html = lad_map
    text = unjs(html)
    assert "CameraAtlas.decorate(" in text  # which adds it to Leaflet's attribution (js/controls.js)
    assert "attributionControl.addAttribution" in "".join(scripts.texts())
    assert controls.esc(ONS_ATTRIBUTION) in text
    assert controls.esc(GEONAMES_ATTRIBUTION) in text
    assert "The Mail on Sunday via TOP10VPN" in text


def test_tooltip_fields(lad_map):
    m, _, html = lad_map
    layer = geojson_layers(m)[0]
    manchester = next(f["properties"] for f in layer.data["features"] if f["properties"]["code"] == "E08000003")
    assert manchester["name"] == "Manchester"
    assert manchester["n"] == "7,436"
    assert manchester["a"] == "13.1"
    assert manchester["d"] == "64.3"
    assert manchester["r"].endswith("of 4")
    text = unjs(html)
    for label in ("Per 1,000 residents", "Per km\u00b2", "Rank", "Source: The Mail on Sunday via TOP10VPN"):
        assert label in text


def test_tooltip_source_is_the_counts_only(shapes):
    frame = shapes["region"]
    m = build_map(
        frame,
        "networks",
        classify(values_of(frame, "networks")),
        attribution=Attribution("The Mail on Sunday"),
        style="shaded",
    )
    tooltip = geojson_layers(m)[0].payload["tooltip"]  # the areas' tooltip (CameraAtlas.paint)
    assert tooltip["source"] == "Source: The Mail on Sunday"
    text = unjs(map_html(m))
    assert text.count(controls.esc(ONS_ATTRIBUTION)) == 1  # in the attribution control only


@pytest.mark.parametrize("style", ["circles", "shaded"])
def test_hostile_strings_are_escaped_everywhere(shapes, style):
    frame = shapes["lad"].copy()
    data_rows = frame.index[frame["has_data"]]
    frame.loc[data_rows[0], "name"] = HOSTILE
    frame.loc[data_rows[1], "name"] = QUOTES
    frame.loc[frame.index[~frame["has_data"]][0], "name"] = HOSTILE + "-nodata"
    base = classify(values_of(frame, "networks"))
    classes = Classes(base.scheme, base.bins, base.colors, (HOSTILE, QUOTES) + base.labels[2:])
    m = build_map(frame, "networks", classes, attribution=Attribution(HOSTILE_ATTRIBUTION + " " + QUOTES), style=style)
    html = map_html(m)
    assert_map_escapes_hostile_strings(html)
    # The page's own script blocks still open and close in pairs (nothing broke out).
    assert html.count("<script") == html.count("</script>")


def test_selected_units_are_outlined_and_fitted(shapes):
    frame = shapes["lad"]
    classes = classify(values_of(frame, "per_1k"))
    m = build_map(frame, "per_1k", classes, selected=["E08000003"], attribution=CREDIT)
    layer = geojson_layers(m)[0]
    features = layer.data["features"]
    assert features[-1]["properties"]["code"] == "E08000003"  # drawn last, on top
    style = layer.style_of(features[-1])
    assert style["weight"] >= 3 and style["color"] == SELECTED_EDGE
    (south, west), (north, east) = fit_view(m)
    minx, miny, maxx, maxy = frame.loc[frame["code"] == "E08000003"].total_bounds
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx))


def test_unselected_map_opens_on_the_whole_uk(shapes):
    frame = shapes["region"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT)
    (south, west), (north, east) = fit_view(m)
    # The UK's extent (Scilly to Shetland, Fermanagh to Suffolk), not just the units with data.
    assert south < 50.0 and north > 60.5 and west < -8.0 and east > 1.7


def test_place_level_draws_every_lad_as_context(shapes, areas):
    frame = shapes["place"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), context=areas, attribution=CREDIT)
    layers = geojson_layers(m)
    assert [len(layer.data["features"]) for layer in layers] == [361, len(frame)]
    context_style = layers[0].style_of(layers[0].data["features"][0])
    assert context_style["fill"] is False
    assert "Not in this dataset" in unjs(map_html(m))


def test_map_has_no_basemap_and_loads_leaflet_from_this_server(shapes):
    frame = shapes["region"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT)
    assert not [c for c in m.base._children.values() if isinstance(c, folium.TileLayer)]
    scripts = [url for _, url in m.base.default_js] + [url for _, url in m.base.default_css]
    html = map_html(m)
    assert scripts and all(url.startswith("/app/static/") for url in scripts)
    for host in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn", "googleapis"):
        assert host not in html
    assert folium.Map.default_js and "jsdelivr" in str(folium.Map.default_js)  # the class is untouched


def test_html_export_inlines_leaflet(shapes):
    frame = shapes["region"]
    m = build_map(frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT, inline_assets=True)
    html = map_html(m)
    assert "src=" not in html.split("<body>")[0] or "/app/static" not in html
    assert "L.Map" in html or "L.map" in html  # Leaflet itself is in the file
    # and so are the atlas's own scripts, after it, in order (nothing linked from /app/static)
    positions = [html.index(text) for text in scripts.texts()]
    assert positions == sorted(positions) and positions[-1] < html.index("<body")
    # Nothing to fetch: no script, stylesheet, image or font points at another host (Leaflet's
    # own source mentions leafletjs.com in a string the map never shows: prefix is off).
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", html)


def test_merged_units_lose_their_slivers(shapes):
    london = shapes["place"].loc[lambda f: f["code"] == "E12000007"]
    m = build_map(london, "networks", classify(london["networks"]), attribution=CREDIT)
    polygons = geojson_layers(m)[0].data["features"][0]["g"]
    assert len(polygons) == 1 and len(polygons[0]) == 1  # one polygon, no hairline holes between boroughs


def test_unknown_metric_is_an_atlas_error(shapes):
    frame = shapes["lad"]
    with pytest.raises(AtlasError):
        build_map(frame, "cameras", classify([1, 2]), attribution=CREDIT)


def test_selected_units_helper(shapes, resolver):
    london = resolver.resolve("London").lad_codes
    assert join.selected_units(shapes["place"], london) == ("E12000007",)
    assert join.selected_units(shapes["region"], ["E08000003"]) == ("E12000002",)
    assert join.selected_units(shapes["lad"], london) == ("E12000007",)  # the merged Greater London unit
    assert join.selected_units(shapes["lad"], ["E08000003"]) == ("E08000003",)
    assert join.selected_units(shapes["lad"], []) == ()


def test_polyline_encoding_matches_the_reference_algorithm():
    # Google's polyline algorithm value by value, with the template-safe alphabet.
    rng = np.random.default_rng(0)
    from geo.pictures.web.polyline import encode_ring

    for _ in range(50):
        xy = np.cumsum(rng.normal(0, rng.choice([1e-4, 1e-2, 1.0, 50.0]), (int(rng.integers(2, 300)), 2)), axis=0)
        ring = decode_ring(encode_ring(xy))
        assert np.allclose(ring, np.round(xy * 10**PRECISION) / 10**PRECISION)


def test_the_data_layer_swaps_in_without_changing_the_base(shapes):
    # streamlit-folium remounts the map when its base script changes; a new metric must not change it.
    from streamlit_folium import _get_map_string

    frame = shapes["lad"]
    first = build_map(frame, "per_1k", classify(values_of(frame, "per_1k")), attribution=CREDIT)
    second = build_map(
        frame, "networks", classify(values_of(frame, "networks")), attribution=CREDIT, selected=["E08000003"]
    )
    for parts in (first, second):
        parts.base.get_root().render()
    assert _get_map_string(first.base) == _get_map_string(second.base)
    html = map_html(second)
    assert "CameraAtlas.frame(" in html and "window.atlas" not in html


def test_a_chosen_place_picks_itself_before_the_area_holding_it(resolver, areas_frame):
    from geo.datasets import dataset as datasets

    both = datasets.from_upload(b"place,networks\nLondon,100\nCroydon,10\n", "two.csv")
    shapes = join.level_shapes(metrics.build_table(both, resolver, areas_frame, level="lad"), areas_frame)
    assert join.selected_units(shapes, resolver.resolve("Croydon").lad_codes) == ("E09000008",)
    assert join.selected_units(shapes, resolver.resolve("London").lad_codes) == ("E12000007",)


def test_an_area_covered_by_nobody_known_is_drawn_partial_not_whole() -> None:
    """Coverage 0 (a town whose population GeoNames does not know) is partial, like 0.2; 1 and no figure are whole."""
    import geopandas as gpd

    from geo.pictures.web.choropleth import PARTIAL_STYLE, _styles

    shapes = gpd.GeoDataFrame(
        {
            "networks": [120, 120, 120, 120],
            "has_data": [True] * 4,
            "coverage": [0.0, 0.2, 1.0, float("nan")],
        }
    )
    styles = _styles(shapes, "networks", classify([120.0], "quantiles", 3))
    partial = [style.get("dashArray") == PARTIAL_STYLE["dashArray"] for style in styles]
    assert partial == [True, True, False, False]
