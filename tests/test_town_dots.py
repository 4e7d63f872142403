"""A town's figure on a shaded map is a dot at the town in its class colour; the council around it is
pale and striped, never painted in the town's colour (Inverness must not colour all of Highland)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_towns import HIGHLAND, INVERNESS_CSV, dataset_from

from geo.datasets import dataset as datasets
from geo.datasets import folders
from geo.figures import join, metrics
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.pictures import captions, circles, snapshot
from geo.pictures.captions import Attribution
from geo.pictures.classes import classify
from geo.pictures.static import figure as static_map
from geo.pictures.static import map_layers, map_windows
from geo.pictures.static.legend import KEYS
from geo.pictures.web import circle_markers
from geo.pictures.web.choropleth import OUTLINE_STYLE, build_map

MANCHESTER = "E08000003"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def inverness_dataset():
    return dataset_from(INVERNESS_CSV, "inverness-dots")


@pytest.fixture(scope="module")
def shapes(inverness_dataset, resolver, areas_frame):
    table = metrics.build_table(inverness_dataset, resolver, areas_frame, level="lad", rank_by="per_1k")
    return join.level_shapes(table, areas_frame)


def test_only_units_with_a_towns_figure_are_town_units(shapes) -> None:
    towns = circles.town_units(shapes)
    assert shapes.loc[towns, "code"].tolist() == [HIGHLAND]
    assert circles.label_names(shapes)[int(np.flatnonzero(towns)[0])] == "Inverness"
    plain = shapes.drop(columns=["town"])
    assert not circles.town_units(plain).any()  # a frame without towns has none


def test_the_web_map_puts_the_towns_colour_on_a_dot_and_leaves_the_council_pale(shapes) -> None:
    with_data = shapes[shapes["has_data"]]
    found = classify(with_data["per_1k"], "quantiles", 3)
    parts = build_map(shapes, "per_1k", found, attribution=Attribution("test counts"))
    layer = next(c for c in parts.layer._children.values() if type(c).__name__ == "Shapes")
    features = {f["properties"]["code"]: f for f in layer.data["features"]}
    highland = layer.style_of(features[HIGHLAND])
    manchester = layer.style_of(features[MANCHESTER])
    assert highland["fillColor"] == OUTLINE_STYLE["fillColor"]  # not the class colour
    assert manchester["fillColor"] == found.color_for(with_data.loc[with_data["code"] == MANCHESTER, "per_1k"].iat[0])
    dots = [c for c in parts.layer._children.values() if isinstance(c, circle_markers.Circles)]
    assert len(dots) == 1
    (dot,) = dots[0].data["features"]
    value = with_data.loc[with_data["code"] == HIGHLAND, "per_1k"].iat[0]
    assert dot["c"] == found.color_for(value) and dot["k"] == 2
    (frame,) = [c for c in parts.layer._children.values() if type(c).__name__ == "LayerFrame"]
    assert (
        circles.TOWN_KEY.replace("'", "&#39;") in frame.legend
    )  # the legend says what the dot and the pale area mean (autoescaped)


def test_a_circles_map_has_no_town_dots(shapes) -> None:
    parts = build_map(
        shapes, "networks", classify(shapes.loc[shapes["has_data"], "networks"]), attribution=Attribution("t")
    )
    dots = [c for c in parts.layer._children.values() if isinstance(c, circle_markers.Circles)]
    assert len(dots) == 1 and all(f["k"] != 2 for f in dots[0].data["features"])


def test_the_snapshot_draws_one_dot_per_town_and_names_the_town(inverness_dataset, resolver, areas_frame) -> None:
    view = build_view(
        inverness_dataset, resolver, areas_frame, Selection(dataset="inverness-dots", metric="per_1k", level="lad")
    )
    shot = snapshot.make(view, inverness_dataset, areas_frame, fmt="svg", size="article")
    svg = shot.data.decode("utf-8")
    assert len(re.findall(r'id="town-\d+"', svg)) == 1
    assert not re.findall(r'id="circle-\d+"', svg)
    assert KEYS["town"].words.split(": ")[1] in svg  # the legend key (SVG text is text: svg.fonttype none)
    assert ">Inverness<" in svg


def test_the_classed_layer_leaves_the_towns_council_out(shapes) -> None:
    found = classify(shapes.loc[shapes["has_data"], "per_1k"], "quantiles", 3)
    geometries = map_windows.project(shapes)
    layers = map_layers.unit_layers(shapes, "per_1k", found, geometries, np.array([]), np.zeros(len(shapes), bool), 0.6)
    with_data = int(shapes["has_data"].sum())
    sizes = [len(layer.paths) for layer in layers]
    assert with_data - 1 in sizes  # the classed units: every unit with data but the town's council
    assert 1 in sizes  # the council around the town, pale and striped


def test_the_finding_names_the_town_not_its_council(inverness_dataset, resolver, areas_frame) -> None:
    table = metrics.build_table(inverness_dataset, resolver, areas_frame, level="lad", rank_by="per_1k")
    lead = captions.subject(table, "per_1k")
    assert lead is not None
    if lead.row["code"] == HIGHLAND:
        assert lead.name == "Inverness"
        assert captions.title(table, "per_1k").startswith("Inverness ")
    else:
        assert lead.name == lead.row["name"]


def test_no_map_label_covers_a_dot(resolver, areas_frame) -> None:
    """On the crowded 70-city map at LAD level, no label's box overlaps any town's dot (a name beside the
    wrong dot misleads): labels sit beside their own dot and keep off the others."""
    from matplotlib.text import Text

    from geo.pictures.classes import classify_for_map
    from geo.pictures.static.sizes import PRESETS

    seventy = datasets.from_upload((FIXTURES / "city_counts_2025-03.csv").read_bytes(), "city_counts_2025-03.csv")
    view = build_view(seventy, resolver, areas_frame, Selection(dataset=seventy.id, level="lad", metric="per_1k"))
    classes = classify_for_map(view.shapes.loc[view.shapes["has_data"], "per_1k"])
    caption = captions.caption(view.table, view.shapes, seventy, "per_1k", classes)
    page = static_map.figure(view.shapes, "per_1k", classes, caption, preset=PRESETS["article"])
    renderer = page.canvas.get_renderer()
    dots = [a.get_window_extent(renderer) for a in page.findobj(lambda a: str(a.get_gid() or "").startswith("town-"))]
    labels = [t.get_window_extent(renderer) for t in page.findobj(Text) if t.get_label() == "map-label"]
    assert len(dots) >= 5 and labels
    assert not [(d, t) for d in dots for t in labels if d.overlaps(t)]


def test_a_circles_map_names_no_classes_and_the_html_export_keeps_its_classes(resolver, areas_frame) -> None:
    """A circles snapshot's footnotes never say "Classes: quantiles" (its circles carry the counts); the
    interactive HTML of four shaded cities keeps a class per city, as the Map page draws it, while the
    static map labels each value directly."""
    seventy = datasets.from_upload((FIXTURES / "city_counts_2025-03.csv").read_bytes(), "city_counts_2025-03.csv")
    view = build_view(seventy, resolver, areas_frame, Selection(dataset=seventy.id, level="lad"))
    shot = snapshot.make(view, seventy, areas_frame, fmt="svg", size="article")
    assert not any(note.startswith("Classes:") for note in shot.caption.notes)
    shaded = snapshot.make(view, seventy, areas_frame, fmt="svg", size="article", style="shaded")
    assert any(note.startswith("Classes: quantiles") for note in shaded.caption.notes)

    shipped = folders.load("top10vpn-2021")
    four = build_view(shipped, resolver, areas_frame, Selection(metric="per_1k"))
    page = snapshot.make(four, shipped, areas_frame, fmt="html").data.decode("utf-8")
    assert page.count("atlas-legend-item") >= 4  # four classes, one per city (plus the keys)
