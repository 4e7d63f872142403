"""Snapshot sizes (article, social, print): each laid out for its pixels, read back from the files written.

Every text is at least 11 px in the output's own pixels and has 4.5:1 contrast; counts are
circles (area ∝ count) and rates shaded; legend labels never share an endpoint; five or fewer
units are labelled, not classed. Writes the preset PNGs of the shipped cities, a 70-city
upload (LAD, per 1,000) and one chosen city to ``artifacts/snapshots/`` for a person to look at.
"""

from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from atlas_testing import REPO_ROOT
from hostile import CORPUS
from matplotlib.text import Text

from geo.core.errors import AtlasError
from geo.datasets import dataset as datasets
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names.keys import display_name
from geo.pictures import captions, snapshot
from geo.pictures.classes import DIRECT_MAX, classify, classify_for_map
from geo.pictures.numbers import format_value
from geo.pictures.static import circle_marks, map_windows, typeset
from geo.pictures.static import figure as static_map
from geo.pictures.static import legend as map_legend
from geo.pictures.static import page as map_page
from geo.pictures.static import sizes as snapshot_sizes
from geo.pictures.static.sizes import MIN_CONTRAST, MIN_TEXT_PX, PRESETS, SIZES, contrast, resolve

ARTIFACTS = REPO_ROOT / "artifacts" / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
FIXTURE = Path(__file__).parent / "fixtures" / "city_counts_2025-03.csv"
# Text on the map sits on its white halo over the faint context land or the no-data grey; page text on white.
BACKGROUNDS = ("#ffffff", map_legend.LAND)


@pytest.fixture(scope="module")
def seventy(resolver, areas_frame):
    return datasets.from_upload(FIXTURE.read_bytes(), FIXTURE.name)


@pytest.fixture(scope="module")
def views(shipped, seventy, resolver, areas_frame):
    """The reference views: (dataset, view) by name."""
    choices = {
        "cities": (shipped, {}),
        "seventy-lad-per1k": (seventy, {"level": "lad", "metric": "per_1k"}),
        "one-city": (shipped, {"places": ("Manchester",)}),
    }
    return {
        name: (ds, build_view(ds, resolver, areas_frame, Selection(dataset=ds.id, **choice)))
        for name, (ds, choice) in choices.items()
    }


@pytest.fixture(scope="module")
def svgs(views, areas_frame):
    """Every reference view as SVG at every preset: {(name, size): bytes}."""
    return {
        (name, size): snapshot.make(view, ds, areas_frame, fmt="svg", size=size).data
        for name, (ds, view) in views.items()
        for size in SIZES
    }


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> list[tuple[str, float, str]]:
    """Every drawn text of an SVG: (words, font size in SVG units, fill colour); white halos left out."""
    root = ET.fromstring(data)
    out = []
    for node in root.iter(f"{SVG}text"):
        style = node.get("style", "")
        size = re.search(r"font-size:\s*([0-9.]+)px", style)
        fill = re.search(r"fill:\s*(#[0-9a-fA-F]{6})", style)
        assert size and fill, style
        if fill.group(1).lower() == "#ffffff":
            continue  # a halo: the white outline drawn under a map label
        out.append(("".join(node.itertext()), float(size.group(1)), fill.group(1)))
    return out


def px_per_unit(data: bytes, size: str) -> float:
    """Output pixels per SVG user unit at ``size`` (the PNG's width over the SVG's viewBox width)."""
    view_box = ET.fromstring(data).get("viewBox").split()
    return PRESETS[size].width_px / float(view_box[2])


def test_the_preset_pngs_are_written_for_people_to_look_at_and_have_their_pixel_sizes(views, areas_frame):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, (ds, view) in views.items():
        for size in SIZES:
            shot = snapshot.make(view, ds, areas_frame, fmt="png", size=size)
            (ARTIFACTS / f"{name}-{size}.png").write_bytes(shot.data)
            width, height = png_size(shot.data)
            assert width == PRESETS[size].width_px
            if size == "social":
                assert height == 1200
            else:
                assert height > width  # the UK is taller than wide, and fills the width


def test_every_text_is_at_least_11_px_at_every_preset(svgs):
    for (name, size), data in svgs.items():
        scale = px_per_unit(data, size)
        texts = svg_texts(data)
        assert len(texts) > 8
        small = [(words, round(s * scale, 2)) for words, s, _ in texts if s * scale < MIN_TEXT_PX - 1e-6]
        assert not small, f"{name} at {size}: {small[:5]}"


def test_every_text_has_4_5_to_1_contrast_on_its_background(svgs):
    for (name, size), data in svgs.items():
        for words, _, fill in svg_texts(data):
            for background in BACKGROUNDS:
                ratio = contrast(fill, background)
                assert ratio >= MIN_CONTRAST, f"{name} at {size}: {words!r} {fill} on {background} is {ratio:.2f}:1"


def test_contrast_is_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-too-light grey
    assert contrast("#767676", "#ffffff") >= 4.5
    assert contrast("#ffffff", "#000000") == contrast("#000000", "#ffffff")


def test_presets_keep_their_type_legible():
    for preset in PRESETS.values():
        assert preset.smallest * preset.px_per_pt >= MIN_TEXT_PX
    assert PRESETS["social"].height_px == 1200 and PRESETS["article"].height_px is None


def circle_ids(data: bytes) -> list[str]:
    return re.findall(r'<g id="(circle-\d+)">', data.decode("utf-8"))


def test_counts_are_circles_and_rates_are_not(svgs, views):
    ds, view = views["cities"]
    counted = int((view.shapes["has_data"] & (view.shapes["networks"] > 0)).sum())
    for size in SIZES:
        ids = circle_ids(svgs[("cities", size)])
        assert len(ids) == len(set(ids)) == counted == 4
        assert not circle_ids(svgs[("seventy-lad-per1k", size)])
        text = svgs[("cities", size)].decode("utf-8")
        assert "60,000" in text  # a round reference value in the legend


def test_circle_area_is_proportional_to_the_count(views):
    ds, view = views["cities"]
    shapes = view.shapes
    marks = circle_marks.marks(shapes, "networks", map_windows.project(shapes), 30.0)
    values = shapes["networks"].to_numpy(dtype=float)
    ratios = {row: radius**2 / values[row] for row, _, _, radius in marks}
    assert len(ratios) == 4 and max(ratios.values()) == pytest.approx(min(ratios.values()))
    assert [values[row] for row, *_ in marks] == sorted(values[[m[0] for m in marks]], reverse=True)  # largest first


def test_shading_can_still_be_asked_for_counts(views, areas_frame):
    ds, view = views["cities"]
    shot = snapshot.make(view, ds, areas_frame, fmt="svg", size="article", style="shaded")
    assert not circle_ids(shot.data)
    with pytest.raises(AtlasError):
        snapshot.make(
            views["seventy-lad-per1k"][1], views["seventy-lad-per1k"][0], areas_frame, fmt="svg", style="circles"
        )


def interval(label: str) -> tuple[float, float, bool, bool]:
    """A legend label as (low, high, low included, high included)."""
    number = r"(-?[0-9][0-9,]*(?:\.[0-9]+)?)"

    def value(text: str) -> float:
        return float(text.replace(",", ""))

    if m := re.fullmatch(f"under {number}", label):
        return -math.inf, value(m[1]), False, False
    if m := re.fullmatch(f"{number} to under {number}", label):
        return value(m[1]), value(m[2]), True, False
    if m := re.fullmatch(f"{number} and over", label):
        return value(m[1]), math.inf, True, False
    if m := re.fullmatch(f"{number} \u2013 {number}", label):
        return value(m[1]), value(m[2]), True, True
    m = re.fullmatch(number, label)
    assert m, label
    return value(m[1]), value(m[1]), True, True


def contains(span: tuple[float, float, bool, bool], v: float) -> bool:
    low, high, low_in, high_in = span
    return (low < v or (low_in and low == v)) and (v < high or (high_in and high == v))


@pytest.mark.parametrize("seed", range(12))
def test_legend_labels_share_no_endpoint_and_hold_their_values(seed):
    rng = np.random.default_rng(seed)
    rates = np.round(rng.lognormal(1.5, 0.6, 40), int(rng.integers(1, 4)))
    counts = np.round(rng.lognormal(8, 1.2, 40))
    for values in (rates, counts):
        for scheme in ("quantiles", "natural_breaks", "equal_interval"):
            classes = classify(values, scheme, 5)
            spans = [interval(label) for label in classes.labels]
            for a, b in zip(spans, spans[1:]):
                assert a[1] < b[0] or (a[1] == b[0] and not (a[3] and b[2])), classes.labels  # no shared value
            for v in values:
                (inside,) = [i for i, span in enumerate(spans) if contains(span, float(v))]
                assert inside == classes.index_for(v), (v, classes.labels)


def test_rate_labels_read_under_to_under_and_over():
    classes = classify([6.9, 7.2, 7.5, 8.8, 9.1, 12.4, 3.2, 5.5, 7.4, 8.0], "quantiles", 4)
    assert classes.labels[0].startswith("under ") and classes.labels[-1].endswith(" and over")
    assert all(" to under " in label for label in classes.labels[1:-1])


def test_five_units_or_fewer_are_labelled_not_classed(resolver, areas_frame):
    few = datasets.from_upload(b"place,networks\nLeeds,1200\nBristol,800\nCardiff,300\n", "few.csv")
    view = build_view(few, resolver, areas_frame, Selection(dataset=few.id, level="lad", metric="per_1k"))
    values = view.shapes.loc[view.shapes["has_data"], "per_1k"]
    classes = classify_for_map(values)
    assert classes.direct and len(classes.colors) == 1 and len(values) <= DIRECT_MAX
    assert not classify_for_map(np.arange(DIRECT_MAX + 1.0)).direct
    caption = captions.caption(view.table, view.shapes, few, "per_1k", classes)
    assert not any("Classes:" in note for note in caption.notes)
    rows = view.shapes[view.shapes["has_data"]].sort_values("per_1k", ascending=False)
    for size in SIZES:
        page = static_map.figure(view.shapes, "per_1k", classes, caption, preset=PRESETS[size])
        labelled = [t.get_text() for t in page.findobj(Text) if t.get_label() == "legend-value"]
        expected = [f"{display_name(n)} {format_value('per_1k', v)}" for n, v in zip(rows["name"], rows["per_1k"])]
        assert labelled == expected  # highest first
        assert len(labelled) == 3 and not [a for a in page.findobj(lambda a: a.get_label() == "legend-class")]
        names = {t.get_text() for t in page.findobj(Text) if t.get_label() == "map-label"}
        assert {display_name(n) for n in rows["name"]} <= names


def test_size_and_width_combine_by_one_rule():
    assert resolve("article", None) is PRESETS["article"]
    assert resolve("social", 1200) is PRESETS["social"]
    assert resolve(None, None) is PRESETS["print"]
    assert resolve(None, 900).name == "article" and resolve(None, 900).width_px == 900
    assert resolve(None, 2400).name == "print" and resolve(None, 2400).px_per_pt == pytest.approx(2400 / 468)
    with pytest.raises(AtlasError) as info:
        resolve("article", 900)
    assert "contradicts --size article" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(AtlasError):
        resolve("poster", None)


@pytest.mark.parametrize("name", ["mathtext", "html", "jinja_expression", "bidi_override", "format_strings"])
def test_hostile_titles_stay_literal_at_every_preset(views, areas_frame, name):
    ds, view = views["cities"]
    hostile = CORPUS[name]
    for size in ("article", "social"):
        shot = snapshot.make(view, ds, areas_frame, fmt="svg", size=size, title=hostile, subtitle=hostile)
        drawn = " ".join(words for words, _, _ in svg_texts(shot.data))
        assert "".join(shot.caption.title.split()) in "".join(drawn.split())


def test_source_and_credit_share_a_line_where_the_width_allows(views, areas_frame, shipped):
    ds, view = views["cities"]
    caption = snapshot.make(view, ds, areas_frame, fmt="svg", size="social").caption
    texts = map_page.Texts.of(caption, PRESETS["social"], 300, 564)
    assert texts.credit_inline and texts.credit == [caption.credit]
    wide = map_page.Texts.of(caption, PRESETS["print"], 300, 2000)
    assert len(wide.source) == 1 and typeset.width(caption.source, typeset.font(wide.source_size)) <= 2000
    assert snapshot_sizes.SIZE_LABELS.keys() == PRESETS.keys()


def test_a_classification_reaches_a_map_of_many_units(views, areas_frame):
    ds, view = views["seventy-lad-per1k"]
    shot = snapshot.make(view, ds, areas_frame, fmt="svg", size="article", scheme="natural_breaks", k=4)
    assert any("Classes: natural breaks" in note for note in shot.caption.notes)
    labels = [words for words, _, _ in svg_texts(shot.data) if " to under " in words or words.startswith("under ")]
    assert len(labels) >= 3
