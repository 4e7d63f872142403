"""geo.pictures.static.figure (with map_legend, map_labels, map_text): the printable snapshot page, on real ONS shapes.

Writes the PNGs of the reference views to ``artifacts/snapshots/`` for a person to look at.
"""

from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from itertools import combinations, pairwise

import matplotlib
import pytest
from atlas_testing import REPO_ROOT
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.text import Text

from geo.datasets import dataset as datasets
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.figures.vocabulary import METRIC_LABELS
from geo.pictures import captions, snapshot
from geo.pictures.classes import classify
from geo.pictures.static import figure as static_map
from geo.pictures.static import image_files, map_windows
from geo.pictures.static import labels as map_labels
from geo.pictures.static import typeset as map_text
from geo.pictures.static.labels import Box

ARTIFACTS = REPO_ROOT / "artifacts" / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
PARTIAL_WORDS = "Counts cover part of the area"
# The reference views: (selection, whether written to artifacts/).
VIEWS = {
    "default": ({}, True),
    "manchester": ({"places": ("Manchester",), "metric": "per_1k"}, True),
    "region": ({"level": "region", "metric": "per_1k"}, True),
    "lad": ({"level": "lad"}, False),
}


class Drawn:
    """A view's inputs, its caption and its drawn figure (renderer ready)."""

    def __init__(self, view, dataset, areas):
        self.view, self.dataset = view, dataset
        self.metric, self.shapes = view.selection.metric, view.shapes
        self.classes = classify(self.shapes.loc[self.shapes["has_data"].astype(bool), self.metric], "quantiles", 5)
        focus = view.focus_rows if view.selection.places else None
        self.caption = captions.caption(view.table, self.shapes, dataset, self.metric, self.classes, focus)
        self.context = areas if view.table.level == "place" else None
        self.figure = self.draw()
        with matplotlib.rc_context(image_files.rc()):  # as image_files.save renders it
            self.figure.canvas.draw()
        self.renderer = self.figure.canvas.get_renderer()

    def draw(self, **changes) -> Figure:
        caption = replace(self.caption, **changes)
        return static_map.figure(
            self.shapes, self.metric, self.classes, caption, context=self.context, selected=self.view.selected_units
        )

    def texts(self, label: str | None = None) -> list[Text]:
        found = [t for t in self.figure.findobj(Text) if t.get_text() and t.get_label() != "halo"]
        return [t for t in found if label is None or t.get_label() == label]

    def words(self, label: str) -> str:
        return " ".join(t.get_text() for t in self.texts(label))

    def extent(self, artist) -> Box:
        with matplotlib.rc_context(image_files.rc()):
            b = artist.get_window_extent(self.renderer)
        return Box(b.x0, b.y0, b.x1, b.y1)

    @property
    def map_axes(self) -> Axes:
        return self.figure.axes[0]


def build(dataset, resolver, areas, **choice) -> Drawn:
    return Drawn(build_view(dataset, resolver, areas, Selection(dataset=dataset.id, **choice)), dataset, areas)


@pytest.fixture(scope="module")
def drawn(shipped, resolver, areas_frame) -> dict[str, Drawn]:
    views = {name: build(shipped, resolver, areas_frame, **choice) for name, (choice, _) in VIEWS.items()}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, (_choice, keep) in VIEWS.items():
        if keep:
            shot = snapshot.make(views[name].view, shipped, areas_frame, fmt="png", width_px=1800)
            (ARTIFACTS / f"{name}.png").write_bytes(shot.data)
    return views


@pytest.fixture(scope="module")
def crowded(resolver, areas_frame) -> Drawn:
    """Every LAD with a figure, zoomed on two London boroughs: labels and area names compete."""
    rows = "\n".join(f"{code},{(i * 37) % 500 + 3}" for i, code in enumerate(areas_frame["code"]))
    upload = datasets.from_upload(f"place,networks\n{rows}\n".encode(), "every-lad.csv")
    return build(upload, resolver, areas_frame, level="lad", metric="per_1k", places=("Camden", "Hackney"))


def test_reference_views_are_written_for_people_to_look_at(drawn):
    for name in ("default", "manchester", "region"):
        assert (ARTIFACTS / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_legend_is_a_horizontal_row_above_the_map(drawn):
    for d in drawn.values():
        swatches = [d.extent(a) for a in d.figure.findobj(lambda a: a.get_label() == "legend-class")]
        assert len(swatches) == len(d.classes.colors) >= 3
        assert len({round(s.y0, 3) for s in swatches}) == 1  # one row
        assert all(a.x1 <= b.x0 + 1e-6 for a, b in pairwise(swatches))  # left to right
        map_top = d.extent(d.map_axes).y1
        assert min(s.y0 for s in swatches) > map_top
        labels = d.texts("legend-label-class")
        assert [t.get_text() for t in labels] == list(d.classes.labels)
        for swatch, label in zip(swatches, labels):
            box = d.extent(label)
            assert swatch.x0 <= (box.x0 + box.x1) / 2 <= swatch.x1 and box.y1 <= swatch.y0  # under its swatch
        (title,) = d.texts("legend-title")
        assert title.get_text() == METRIC_LABELS[d.metric]
        assert d.extent(title).y0 >= max(s.y1 for s in swatches)


def test_no_data_key_only_when_a_unit_has_no_data(drawn):
    assert "No data" not in [t.get_text() for t in drawn["default"].texts()]  # place level: every unit has data
    assert drawn["lad"].words("legend-label-no_data") == "No data"
    assert drawn["region"].words("legend-label-no_data") == "No data"


def test_partial_coverage_key_only_when_a_unit_is_partly_covered(drawn):
    region = drawn["region"]
    assert (region.shapes["has_data"] & (region.shapes["coverage"] < 1)).any()
    assert region.words("legend-label-partial") == PARTIAL_WORDS
    for name in ("default", "manchester", "lad"):
        assert PARTIAL_WORDS not in [t.get_text() for t in drawn[name].texts()]


def test_areas_outside_the_dataset_have_their_key_at_place_level_only(drawn):
    assert drawn["default"].words("legend-label-context") == "Not in this dataset"
    assert drawn["manchester"].words("legend-label-context") == "Not in this dataset"
    assert not drawn["lad"].texts("legend-label-context") and not drawn["region"].texts("legend-label-context")


def assert_apart(d: Drawn, texts: list[Text]) -> None:
    boxes = [d.extent(t) for t in texts]
    for (i, a), (j, b) in combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), f"{texts[i].get_text()!r} overlaps {texts[j].get_text()!r}"
    frame = d.extent(d.map_axes)
    assert all(b.within(frame.grow(0.5)) for b in boxes)


def test_leading_units_are_labelled_with_their_figures_without_overlap(drawn):
    default = drawn["default"]
    words = [t.get_text() for t in default.texts("map-label")]
    for name, value in [("Greater London", "61,504"), ("Birmingham", "8,865"), ("Manchester", "7,436")]:
        assert name in words and value in words
    for d in drawn.values():
        assert len(d.texts("map-label")) >= 4
        assert_apart(d, d.texts("map-label") + d.texts("area-name"))


def test_crowded_labels_and_area_names_stay_apart(crowded):
    labels = crowded.texts("map-label")
    assert len(labels) >= 2 * 3 and {"Camden", "Hackney"} <= {t.get_text() for t in labels}
    assert_apart(crowded, labels + crowded.texts("area-name"))


def test_greedy_placement_never_overlaps_and_drops_what_does_not_fit():
    requests = [
        map_labels.Request(f"k{i}", ("name", "1"), 40, 20, (100 + i, 100), Box(99 + i, 99, 101 + i, 101))
        for i in range(40)
    ]
    placed = map_labels.place(requests, Box(0, 0, 200, 200))
    assert 3 < len(placed) < 40
    for a, b in combinations([p.box for p in placed], 2):
        assert not a.overlaps(b)
    assert all(p.box.within(Box(0, 0, 200, 200)) for p in placed)


def test_title_subtitle_notes_source_and_credit_are_on_the_page(drawn):
    for d in drawn.values():
        assert d.words("title") == d.caption.title
        assert d.words("subtitle") == d.caption.subtitle
        assert d.words("source") == d.caption.source
        assert d.words("credit") == d.caption.credit == "Map: UK Camera Atlas"
        assert d.words("note") == " ".join(d.caption.notes)
        assert len(d.texts("source")) <= 2
        top = {name: d.extent(d.texts(name)[0]).y0 for name in ("title", "subtitle")}
        assert top["title"] > top["subtitle"] > d.extent(d.map_axes).y1 > d.extent(d.texts("source")[0]).y1


def test_every_text_is_roboto_from_the_package_and_never_mathtext(drawn):
    import font_roboto

    for d in drawn.values():
        for text in d.figure.findobj(Text):
            if not text.get_text():
                continue
            assert text.get_fontfamily()[0] == map_text.FONT_NAME
            assert findfont(text.get_fontproperties()).startswith(font_roboto.font_directory)
            assert text.get_parse_math() is False


def test_uk_fills_the_width_with_shetland_in_an_inset(drawn):
    d = drawn["default"]
    main = d.extent(d.map_axes)
    page = d.figure.bbox
    assert (main.x1 - main.x0) / page.width > 0.9
    xmin, xmax = d.map_axes.get_xlim()
    assert xmin <= map_windows.MAINLAND[0] and xmax >= map_windows.MAINLAND[2]
    assert d.map_axes.get_ylim()[1] < map_windows.SHETLAND[1]  # Shetland is not in the main window...
    inset = d.figure.axes[1]  # ...but in a boxed inset inside the map's top right corner
    assert inset.get_ylim()[0] <= map_windows.SHETLAND[1] and inset.get_ylim()[1] >= map_windows.SHETLAND[3]
    box = d.extent(inset)
    assert box.within(main) and box.x1 > (main.x0 + main.x1) / 2 and box.y0 > (main.y0 + main.y1) / 2


def test_a_selection_zooms_in_with_surroundings_and_a_locator(drawn):
    d = drawn["manchester"]
    (code,) = d.view.selected_units
    minx, miny, maxx, maxy = d.shapes[d.shapes["code"] == code].to_crs(27700).total_bounds
    (x0, x1), (y0, y1) = d.map_axes.get_xlim(), d.map_axes.get_ylim()
    assert x0 < minx and x1 > maxx and y0 < miny and y1 > maxy
    assert map_windows.ZOOM_MIN_SPAN <= x1 - x0 < 200_000
    assert len(d.texts("area-name")) >= 4  # the neighbours are named
    locator = d.figure.axes[1]
    assert locator.get_xlim()[1] - locator.get_xlim()[0] > 600_000


def test_nothing_mapped_still_draws_the_uk_and_says_so(resolver, areas_frame):
    typos = datasets.from_upload(b"place,networks\nManchestr,5\nUnited Kingdom,100\n", "typos.csv")
    for level in ("place", "lad"):
        d = build(typos, resolver, areas_frame, level=level)
        assert d.words("no-data-message") == static_map.NO_FIGURE_MESSAGE
        assert d.map_axes.collections  # the UK is drawn
        assert not d.texts("legend-class") and not d.texts("map-label")
    assert d.words("legend-label-no_data") == "No data"


def test_one_unit_gets_one_class_and_its_label(resolver, areas_frame):
    one = datasets.from_upload(b"place,networks\nLeeds,12\n", "one.csv")
    d = build(one, resolver, areas_frame)
    assert [t.get_text() for t in d.texts("legend-label-class")] == ["12"]
    assert [t.get_text() for t in d.texts("map-label")] == ["Leeds", "12"]


def test_hostile_texts_are_drawn_literally(drawn):
    d = drawn["region"]
    hostile = "$\\alpha$ <b>50%</b> & 'quotes' \"too\" " + "x" * 300
    figure = d.draw(title=hostile, subtitle="$5 & $6")
    lines = [t.get_text() for t in figure.findobj(Text) if t.get_label() == "title"]
    assert "".join(lines).replace(" ", "") == hostile.replace(" ", "")
    svg = image_files.save(figure, "svg", 600, alt=hostile, title=hostile)
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == hostile and root.find(f"{SVG}desc").text == hostile


def pdf_string(data: bytes, key: bytes) -> str:
    match = re.search(rb"/" + key + rb" (\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", data)
    assert match, key
    value = match.group(1)
    if value.startswith(b"<"):
        return bytes.fromhex(value[1:-1].decode()).decode("utf-16")
    return re.sub(rb"\\(.)", rb"\1", value[1:-1]).decode("latin-1")


def test_alt_text_is_embedded_in_every_format(drawn):
    from PIL import Image

    d = drawn["region"]
    alt, title = d.caption.alt, d.caption.title
    png = Image.open(io.BytesIO(image_files.save(d.figure, "png", 600, alt=alt, title=title)))
    assert png.text["Title"] == title and png.text["Description"] == alt
    root = ET.fromstring(image_files.save(d.figure, "svg", 600, alt=alt, title=title))
    first, second = list(root)[:2]
    assert (first.tag, first.text, second.tag, second.text) == (f"{SVG}title", title, f"{SVG}desc", alt)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "atlas-title atlas-desc"
    assert len(root.findall(f"{SVG}title")) == 1
    pdf = image_files.save(d.figure, "pdf", 600, alt=alt, title=title)
    assert pdf_string(pdf, b"Title") == title and pdf_string(pdf, b"Subject") == alt


def test_svg_keeps_text_as_text_and_pdf_embeds_roboto(drawn):
    d = drawn["default"]
    svg = image_files.save(d.figure, "svg", 600).decode()
    assert d.caption.title.split()[0] in "".join(ET.fromstring(svg).itertext())
    family = re.search(r"font-family: ([^;\"]+)", svg).group(1)
    assert family.startswith("'Roboto', 'Helvetica Neue'") and family.endswith("sans-serif")
    pdf = image_files.save(d.figure, "pdf", 600)
    assert b"/FontFile2" in pdf and b"Roboto" in pdf  # TrueType (pdf.fonttype 42), embedded


def test_same_input_same_bytes_even_from_threads(drawn):
    d = drawn["manchester"]
    for fmt in ("svg", "pdf"):
        assert image_files.save(d.draw(), fmt, 600) == image_files.save(d.draw(), fmt, 600)
    results: list[bytes] = []

    def render() -> None:
        results.append(image_files.save(d.draw(), "png", 500, alt="a", title="t"))

    threads = [threading.Thread(target=render) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1
    assert results[0] == image_files.save(d.draw(), "png", 500, alt="a", title="t")
