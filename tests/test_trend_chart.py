"""geo.pictures.trends.chart (with geo.pictures.trends.layout): the trend snapshot as PNG, SVG and PDF, over series of
in-memory dated counts and the shipped TOP10VPN dataset (a break).

Writes PNGs of a falling series, a broken one and small multiples at 600 and 1200 px to
``artifacts/trends/`` for a person to look at.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from atlas_testing import REPO_ROOT, assert_one_line
from hostile import assert_nothing_ran, everything, new_token
from matplotlib.lines import Line2D
from matplotlib.text import Text
from trend_series import FALLING, monthly_scans

from geo.core.errors import AtlasError
from geo.core.text import MAX_TITLE, one_line
from geo.figures.series_vendors import series_for
from geo.pictures.trends import caption as trend_caption
from geo.pictures.trends import chart as trend_chart
from geo.pictures.trends import line_panels, words

ARTIFACTS = REPO_ROOT / "artifacts" / "trends"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOKEN = new_token()


@pytest.fixture(scope="module")
def falling(resolver, areas_frame):
    return series_for(monthly_scans(resolver, FALLING), resolver, areas_frame, vendor="all")


@pytest.fixture(scope="module")
def broken(shipped, resolver, areas_frame):
    return series_for([shipped, *monthly_scans(resolver, FALLING)], resolver, areas_frame, vendor="all")


def lines(figure) -> dict[str, Line2D]:
    """The data lines of a drawn chart, by their id (``national-run0``, ``area2-run1``)."""
    return {line.get_gid(): line for line in figure.findobj(Line2D) if line.get_gid()}


def svg_texts(data: bytes) -> list[tuple[str, float]]:
    """Every text of an SVG chart with its font size in the SVG's user units."""
    root = ET.fromstring(data)
    out = []
    for node in root.iter(f"{SVG}text"):
        size = re.search(r"font-size:\s*([0-9.]+)px", node.get("style", ""))
        assert size, node.get("style")
        out.append(("".join(node.itertext()), float(size.group(1))))
    return out


def luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def pdf_string(data: bytes, key: bytes) -> str:
    match = re.search(rb"/" + key + rb" (\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", data)
    assert match, key
    value = match.group(1)
    if value.startswith(b"<"):
        return bytes.fromhex(value[1:-1].decode()).decode("utf-16")
    raw = re.sub(rb"\\(.)", rb"\1", value[1:-1], flags=re.DOTALL)
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_reference_charts_are_written_for_people_to_look_at(falling, broken):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, series, options in (
        ("falling", falling, {}),
        ("broken", broken, {}),
        ("multiples", broken, {"small_multiples": 4}),
    ):
        for width in (600, 1200):
            shot = trend_chart.make(series, "png", width_px=width, **options)
            (ARTIFACTS / f"{name}-{width}.png").write_bytes(shot.data)
            assert shot.data[:8] == PNG_SIGNATURE


def test_every_format_opens_with_its_title_and_alt_text(falling):
    from PIL import Image

    png = trend_chart.make(falling, "png", width_px=900)
    image = Image.open(io.BytesIO(png.data))
    assert image.size[0] == 900 and image.text["Title"] == png.title and image.text["Description"] == png.alt
    assert png.mime == "image/png" and png.title == words.finding(falling)

    svg = trend_chart.make(falling, "svg")
    root = ET.fromstring(svg.data)
    first, second = list(root)[:2]
    assert (first.tag, first.text, second.tag, second.text) == (f"{SVG}title", svg.title, f"{SVG}desc", svg.alt)
    drawn = " ".join(text for text, _ in svg_texts(svg.data))
    assert svg.title in drawn and trend_caption.subtitle(falling) in drawn
    assert svg.mime == "image/svg+xml"

    pdf = trend_chart.make(falling, "pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.mime == "application/pdf"
    assert pdf_string(pdf.data, b"Title") == pdf.title and pdf_string(pdf.data, b"Subject") == pdf.alt


@pytest.mark.parametrize("small_multiples", [0, 4])
def test_every_text_is_legible_at_600_px_with_enough_contrast(broken, small_multiples):
    shot = trend_chart.make(broken, "svg", width_px=600, small_multiples=small_multiples)
    root = ET.fromstring(shot.data)
    px_per_unit = 600 / float(root.get("viewBox").split()[2])
    texts = svg_texts(shot.data)
    assert len(texts) > 20
    for text, size in texts:
        assert size * px_per_unit >= trend_chart.SMALLEST_PX, (text, size * px_per_unit)
    for color in set(re.findall(r"fill:\s*(#[0-9a-f]{6})", shot.data.decode())) - {"#ffffff"}:
        if any(f"fill: {color}" in (n.get("style") or "") for n in root.iter(f"{SVG}text")):
            assert (1.05) / (luminance(color) + 0.05) >= 4.5, color


def test_a_break_is_two_separate_lines_with_a_labelled_gap(broken):
    caption = trend_caption.caption(broken, units=())
    figure = trend_chart.figure(broken, caption)
    drawn = lines(figure)
    assert set(drawn) == {"national-run0", "national-run1"}
    before, after = drawn["national-run0"], drawn["national-run1"]
    assert len(before.get_xdata()) == 1 and len(after.get_xdata()) == 4  # never one line across the break
    assert [t.get_text() for t in figure.findobj(Text) if t.get_label() == "break"] == [trend_chart.BREAK_WORDS]
    svg = trend_chart.make(broken, "svg").data.decode()
    for gid in ("national-run0", "national-run1", "break"):
        assert f'<g id="{gid}">' in svg


def test_a_gap_is_never_drawn_as_zero(broken):
    rows = trend_chart.top_rows(broken, 4)
    figure = trend_chart.figure(broken, trend_caption.caption(broken, units=list(broken.units["code"][rows])), rows)
    drawn = lines(figure)
    leeds = rows.index(int(np.flatnonzero(broken.units["name"] == "Leeds")[0]))
    scans = drawn[f"area{leeds}-run1"].get_ydata()
    assert np.isnan(scans[1]) and not (np.asarray(scans) == 0).any()  # Leeds is not in October's top 8
    assert np.isnan(drawn[f"area{leeds}-run0"].get_ydata()).all()  # nor in TOP10VPN's table
    assert "no figure" in [t.get_text() for t in figure.findobj(Text)]


def test_an_area_asked_for_is_the_one_drawn(falling):
    manchester = str(falling.units.loc[falling.units["name"] == "Manchester", "code"].iloc[0])
    row = int(np.flatnonzero(falling.units["code"] == manchester)[0])
    caption = trend_caption.caption(falling, manchester, [manchester])
    figure = trend_chart.figure(falling, caption, [row])
    (line,) = lines(figure).values()
    assert list(line.get_ydata()) == list(falling.values[row])  # Manchester's line, not the national one
    assert [t.get_text() for t in figure.findobj(Text) if t.get_label() == "area"] == ["Manchester"]
    assert [t.get_text() for t in figure.findobj(Text) if t.get_label() == "tick"]  # alone, it has its scale


def test_top_rows_follow_the_latest_line(broken):
    names = [broken.units["name"][r] for r in trend_chart.top_rows(broken, 3)]
    assert names == ["Greater London", "Manchester", "Leeds"]  # Birmingham has a 2021 figure only
    birmingham = str(broken.units.loc[broken.units["name"] == "Birmingham", "code"].iloc[0])
    assert broken.units["code"][trend_chart.top_rows(broken, 3, focus=birmingham)[-1]] == birmingham


def test_no_national_figure_draws_the_areas(resolver, areas_frame):
    from trend_series import upload_at

    series = series_for(
        [
            upload_at("2026-09", {"Leeds": 100, "Manchester": 300}),
            upload_at("2026-12", {"Leeds": 90, "Manchester": 150}),
        ],
        resolver,
        areas_frame,
    )
    shot = trend_chart.make(series, "svg")
    assert "_top" in shot.file_name and shot.alt.startswith("Small line charts")
    assert '<g id="area0-run0">' in shot.data.decode() and "national-run0" not in shot.data.decode()


def test_a_date_without_a_national_figure_is_no_point(broken, resolver, areas_frame):
    from trend_series import upload_at

    series = series_for(
        [
            *[p.dataset for p in broken.points],
            upload_at("2027-01", {"Leeds": 100}),
            upload_at("2027-02", {"Leeds": 90}),
        ],
        resolver,
        areas_frame,
    )
    figure = trend_chart.figure(series, trend_caption.caption(series, units=()))
    last = lines(figure)["national-run2"].get_ydata()
    assert np.isnan(last).all()
    assert "No national figure in" in " ".join(trend_caption.footnotes(series))
    # The national line has no figure at the ends of the last run: the areas are drawn, and named.
    assert not trend_chart.national_line(series)
    shot = trend_chart.make(series, "svg")
    assert "_top" in shot.file_name and "Leeds" in shot.title and "UK" not in shot.title


def test_hostile_titles_print_literally_and_nothing_runs(falling, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in everything(TOKEN).items():
        if len(text) > MAX_TITLE:
            with pytest.raises(AtlasError) as err:
                trend_chart.make(falling, "svg", title=text)
            assert_one_line(err.value, "over the 160-character limit")
            continue
        shot = trend_chart.make(falling, "svg", title=text, subtitle=text)
        assert shot.title == one_line(text, MAX_TITLE)
        drawn = "".join("".join(t for t, _ in svg_texts(shot.data)).split())
        assert "".join(one_line(text, MAX_TITLE).split()) in drawn, name
    png = trend_chart.make(falling, "png", title=everything(TOKEN)["mathtext"])  # Agg would fail on bad mathtext
    assert png.data[:8] == PNG_SIGNATURE
    assert_nothing_ran(TOKEN, tmp_path)


def test_texts_are_never_mathtext(broken):
    figure = trend_chart.figure(broken, trend_caption.caption(broken, units=(), title_text="$x^2$ costs $5"))
    texts = [t for t in figure.findobj(Text) if t.get_text()]
    assert all(t.get_parse_math() is False for t in texts)
    assert "$x^2$ costs $5" in [t.get_text() for t in texts]


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"fmt": "gif"}, "format"),
        ({"fmt": "html"}, "format"),
        ({"width_px": 10}, "width"),
        ({"small_multiples": 99}, "small multiples"),
        ({"focus": "E99999999"}, "E99999999"),
    ],
)
def test_bad_requests_are_one_line(falling, options, needle):
    with pytest.raises(AtlasError) as err:
        trend_chart.make(falling, **{"fmt": "png", **options})
    assert_one_line(err.value, needle)


def test_file_names_are_safe_and_say_what_is_drawn(falling, broken):
    national = trend_chart.make(falling, "pdf")
    assert national.file_name == "uk-camera-atlas_trend_2026-09-01_2026-12-01_all_place_networks.pdf"
    multiples = trend_chart.make(broken, "svg", small_multiples=3)
    assert multiples.file_name == "uk-camera-atlas_trend_2021-11_2026-12-01_all_place_networks_top3.svg"
    manchester = str(falling.units.loc[falling.units["name"] == "Manchester", "code"].iloc[0])
    focused = trend_chart.make(falling, "png", focus=manchester)
    assert focused.file_name.endswith("_manchester.png") and "Manchester" in focused.title
    among = trend_chart.make(falling, "png", small_multiples=2, focus=manchester)
    assert among.file_name.endswith("_top2.png") and "Manchester" in among.title
    for shot in (national, multiples, focused):
        assert re.fullmatch(r"[a-z0-9_.-]+", shot.file_name)


def test_no_pyplot_figures_leak(falling):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    trend_chart.make(falling, "png")
    assert len(plt.get_fignums()) == before


def test_panels_share_the_width_and_date_labels_never_overlap(broken, falling):
    from geo.pictures.static import typeset
    from geo.pictures.trends.layout import BREAK_GAP, MIN_RUN_W, fitted_dates, panels

    laid = panels(broken, 400.0, 30.0)
    assert [p.points for p in laid] == [(0,), (1, 2, 3, 4)]
    assert laid[0].x0 == 30.0 and laid[1].x0 == pytest.approx(laid[0].x1 + BREAK_GAP + 30.0)
    assert laid[-1].x1 == pytest.approx(400.0) and laid[0].x1 - laid[0].x0 == MIN_RUN_W  # one date: the narrowest
    for panel in laid:
        assert all(0 < x < panel.x1 - panel.x0 for x in panel.xs) and list(panel.xs) == sorted(panel.xs)
    font = typeset.font(line_panels.LABEL_SIZE)
    for width in (90.0, 160.0, 400.0):
        (panel,) = panels(falling, width)
        placed = fitted_dates(falling, panel, 0.0, font)
        assert placed[-1].index == len(panel.xs) - 1  # the latest date is always labelled
        spans = sorted((p.x, p.x + typeset.width(p.text, font)) for p in placed)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
        assert all(panel.x0 - 1e-6 <= a and b <= panel.x1 + 1e-6 for a, b in spans)
    assert [p.text for p in fitted_dates(falling, panels(falling, 400.0)[0], 0.0, font)] == [
        "1 Sep 2026",
        "1 Oct",
        "1 Nov",
        "1 Dec",
    ]
