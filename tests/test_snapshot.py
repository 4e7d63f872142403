"""geo.snapshot: static PNG/SVG/PDF renders and the HTML map (real mirrored ONS data)."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import pytest

from geo import join, metrics, snapshot
from geo.errors import AtlasError
from geo.snapshot import FORMATS, MIME, SnapshotSpec, describe, make, render
from geo.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def areas(areas_frame):
    return areas_frame  # the session's prepared areas (tests/conftest.py)


@pytest.fixture(scope="module")
def dataset(shipped):
    return shipped


@pytest.fixture(scope="module")
def tables(areas, resolver, dataset):
    return {level: metrics.build_table(dataset, resolver, areas, level=level) for level in metrics.LEVELS}


@pytest.fixture(scope="module")
def lad_shapes(tables, areas):
    return join.level_shapes(tables["lad"], areas)


@pytest.fixture(scope="module")
def lad_spec(tables, dataset):
    title, subtitle, lines = describe(tables["lad"], dataset, "per_1k")
    return SnapshotSpec(metric="per_1k", title=title, subtitle=subtitle, source_lines=lines)


@pytest.fixture(scope="module")
def lad_png(lad_shapes, lad_spec):
    return render(lad_shapes, lad_spec, "png")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_formats_and_mime():
    assert FORMATS == ("png", "svg", "pdf", "html")
    assert MIME == {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}


def test_describe(tables, dataset):
    title, subtitle, lines = describe(tables["lad"], dataset, "per_1k")
    assert title == "Hikvision and Dahua camera networks per 1,000 residents"
    for part in (dataset.title, metrics.VENDOR_LABELS["all"], metrics.METRIC_LABELS["per_1k"],
                 metrics.LEVEL_LABELS["lad"], dataset.date):
        assert part in subtitle
    assert any(dataset.source in line for line in lines)
    assert any(dataset.url in line for line in lines)
    assert ONS_ATTRIBUTION in lines and GEONAMES_ATTRIBUTION in lines
    assert lines[-1] == "UK Camera Atlas"
    # A reader learns why London is blank at LAD level and that most networks are unplaced.
    assert any("Greater London" in line for line in lines)
    assert any("277,986" in line for line in lines)
    assert describe(tables["place"], dataset, "networks")[0] == "Hikvision and Dahua camera networks"
    assert describe(tables["place"], dataset, "per_km2")[0].endswith("per km\u00b2")


def test_png_is_wide_enough(lad_png):
    width, height = png_size(lad_png)
    assert width >= 1600 and width == 1800
    assert height > 1000


def test_png_opens_with_pillow(lad_png):
    Image = pytest.importorskip("PIL.Image")
    with Image.open(io.BytesIO(lad_png)) as image:
        assert image.size[0] == 1800
        colors = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    # The no-data grey and the class colours are all on the picture.
    assert (0xC6, 0xC6, 0xC6) in colors


def test_png_width_follows_width_px(lad_shapes, lad_spec):
    assert png_size(render(lad_shapes, lad_spec, "png", width_px=1600))[0] == 1600


def test_svg_parses_and_holds_the_title(lad_shapes, lad_spec):
    data = render(lad_shapes, lad_spec, "svg")
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    texts = " ".join(t for el in root.iter() if el.tag.endswith("text") for t in el.itertext())
    assert lad_spec.title in texts
    assert "No data" in texts


def test_pdf_header(lad_shapes, lad_spec):
    assert render(lad_shapes, lad_spec, "pdf").startswith(b"%PDF")


def test_html_is_the_leaflet_map(lad_shapes, lad_spec):
    data = render(lad_shapes, lad_spec, "html")
    text = data.decode("utf-8")
    assert "leaflet" in text.lower()
    assert "atlas-legend" in text
    assert "UK Camera Atlas" in text


def test_renders_are_deterministic(lad_shapes, lad_spec, lad_png):
    assert render(lad_shapes, lad_spec, "png") == lad_png
    assert render(lad_shapes, lad_spec, "svg") == render(lad_shapes, lad_spec, "svg")


def test_selection_zooms(tables, dataset, areas, resolver):
    london = resolver.resolve("London").lad_codes
    whole = make(tables["place"], dataset, areas, metric="networks", fmt="png")
    zoomed = make(tables["place"], dataset, areas, metric="networks", fmt="png", selected_codes=london)
    assert whole != zoomed
    (w1, h1), (w2, h2) = png_size(whole), png_size(zoomed)
    assert w1 == w2 == 1800
    assert h2 < h1  # London is wider than tall; the UK is tall


def test_make_every_format(tables, dataset, areas):
    for fmt in FORMATS:
        data = make(tables["region"], dataset, areas, metric="per_km2", scheme="natural_breaks", k=3, fmt=fmt)
        assert len(data) > 1000


def test_hostile_names_render(lad_shapes, lad_spec):
    frame = lad_shapes.copy()
    code = frame.loc[frame["has_data"], "code"].iloc[0]
    frame.loc[frame["code"] == code, "name"] = "$x^{2$ <b>Tom & Jerry's</b> \\frac"
    spec = SnapshotSpec(
        metric="per_1k", title="Cost $5 $ and 100% <script>", subtitle="a_b^c $", source_lines=("$$",), selected=(code,)
    )
    assert png_size(render(frame, spec, "png"))[0] == 1800
    assert ET.fromstring(render(frame, spec, "svg")) is not None


def test_no_pyplot_figures_leak(lad_shapes, lad_spec):
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    render(lad_shapes, lad_spec, "png")
    assert plt.get_fignums() == before


def test_unknown_format_and_metric(lad_shapes, lad_spec, tables, dataset, areas):
    with pytest.raises(AtlasError) as info:
        render(lad_shapes, lad_spec, "gif")
    assert "\n" not in str(info.value) and "png" in str(info.value)
    with pytest.raises(AtlasError):
        make(tables["lad"], dataset, areas, metric="per_1k", fmt="jpeg")
    with pytest.raises(AtlasError):
        render(lad_shapes, SnapshotSpec(metric="cameras"), "png")
    with pytest.raises(AtlasError):
        render(lad_shapes, SnapshotSpec(metric="per_1k", scheme="jenks"), "png")


def test_file_name(tables):
    assert snapshot.file_name(tables["lad"], "per_1k", "png") == "camera-atlas_top10vpn-2022_all_lad_per_1k.png"
