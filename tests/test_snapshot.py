"""geo.pictures.snapshot: the front door for every map file (real mirrored ONS data)."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET

import pytest

from geo.core.errors import AtlasError
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.pictures import snapshot
from geo.pictures.snapshot import FORMATS, MIME, make

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def view_of(shipped, resolver, areas_frame):
    def build(**choice):
        return build_view(shipped, resolver, areas_frame, Selection(**choice))

    return build


@pytest.fixture(scope="module")
def lad_png(view_of, shipped, areas_frame):
    return make(view_of(level="lad", metric="per_1k"), shipped, areas_frame, fmt="png")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_formats_and_mime():
    assert FORMATS == ("png", "svg", "pdf", "html")
    assert MIME == {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}


def test_png_is_wide_enough_and_carries_its_alt_text(lad_png):
    width, height = png_size(lad_png.data)
    assert width == 1800 and height > 600
    from PIL import Image

    image = Image.open(io.BytesIO(lad_png.data))
    assert image.text["Description"] == lad_png.caption.alt
    assert image.text["Title"] == lad_png.caption.title
    assert lad_png.mime == "image/png"


def test_png_width_follows_width_px(view_of, shipped, areas_frame):
    shot = make(view_of(level="region"), shipped, areas_frame, fmt="png", width_px=900)
    assert png_size(shot.data)[0] == 900


def test_svg_holds_title_and_description(view_of, shipped, areas_frame):
    shot = make(view_of(level="region", metric="per_1k"), shipped, areas_frame, fmt="svg")
    root = ET.fromstring(shot.data)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    texts = "".join(root.itertext())
    assert shot.caption.title[:20] in texts
    assert root.find("svg:title", ns) is not None or "<title>" in shot.data.decode()
    assert shot.caption.alt in shot.data.decode().replace("&#x27;", "'").replace("&amp;", "&")


def test_pdf_carries_title_and_subject(view_of, shipped, areas_frame):
    shot = make(view_of(level="region"), shipped, areas_frame, fmt="pdf")
    assert shot.data.startswith(b"%PDF")
    assert b"/Subject" in shot.data and b"/Title" in shot.data


def test_html_is_a_self_contained_leaflet_map(view_of, shipped, areas_frame):
    shot = make(view_of(level="lad"), shipped, areas_frame, fmt="html")
    html = shot.data.decode("utf-8")
    assert "L.map(" in html or "L.Map(" in html
    assert "/app/static" not in html  # Leaflet is inlined, not served
    assert f"<title>{shot.caption.title}" in html.replace("&#x27;", "'")
    assert 'meta name="description"' in html
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["']https?://""", html)


def test_written_title_and_subtitle_replace_the_finding(view_of, shipped, areas_frame):
    shot = make(view_of(), shipped, areas_frame, fmt="svg", title="  My <own> title ", subtitle="Sub & text")
    assert shot.caption.title == "My <own> title"
    text = shot.data.decode("utf-8")
    assert "My &lt;own&gt; title" in text and "Sub &amp; text" in text


def test_renders_are_deterministic(view_of, shipped, areas_frame, lad_png):
    again = make(view_of(level="lad", metric="per_1k"), shipped, areas_frame, fmt="png")
    assert again.data == lad_png.data


def test_a_dataset_with_no_mapped_place_still_draws(resolver, areas_frame):
    # Regression: an all-unmatched table crashed in the extent computation.
    from geo.datasets import dataset as datasets

    typos = datasets.from_upload(b"place,networks\nManchestr,5\nUnited Kingdom,100\n", "typos.csv")
    for level in ("place", "lad", "region"):
        view = build_view(typos, resolver, areas_frame, Selection(dataset=typos.id, level=level))
        for fmt in FORMATS:
            shot = make(view, typos, areas_frame, fmt=fmt)
            assert len(shot.data) > 1000
        assert "could not be mapped" in shot.caption.title or "No" in shot.caption.title


def test_file_names_follow_place_and_never_carry_a_hash(view_of, shipped, areas_frame):
    shot = make(view_of(level="lad", metric="per_1k", places=("Manchester",)), shipped, areas_frame, fmt="png")
    assert shot.file_name == "uk-camera-atlas_top10vpn-2021_2021-11_all_lad_per_1k_manchester.png"
    from dataclasses import replace

    upload = replace(shipped, id="upload-0123456789abcdef~fedcba", title="Your table: Alice's scan.csv")
    view = view_of(level="region")
    assert snapshot.file_stem(view, upload) == "uk-camera-atlas_alice-s-scan-csv_2021-11_all_region_networks"


@pytest.mark.parametrize(("kwargs", "needle"), [({"fmt": "gif"}, "format"), ({"width_px": 10}, "width")])
def test_bad_requests_are_one_line(view_of, shipped, areas_frame, kwargs, needle):
    with pytest.raises(AtlasError) as info:
        make(view_of(), shipped, areas_frame, **kwargs)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_no_pyplot_figures_leak(view_of, shipped, areas_frame):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    make(view_of(level="region"), shipped, areas_frame, fmt="png")
    assert len(plt.get_fignums()) == before
