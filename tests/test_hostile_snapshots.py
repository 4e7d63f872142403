"""The hostile corpus through every snapshot format, from the command line and the library.

Paths: ``snapshot --title/--subtitle`` (every format), and a dataset whose own texts (title,
source, short source, date) hold the corpus, as a saved zip may. Each string comes out
literally (one line, invisible characters removed: :func:`geo.core.text.one_line`) or is refused in
one line, and no payload runs. Matplotlib's mathtext (``$…$``) prints as written.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from hostile import CORPUS, assert_nothing_ran, everything, new_token

import geo.cli.main as cli
from geo.core.text import MAX_SUBTITLE, MAX_TITLE, one_line
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names import places
from geo.official import areas as areas_mod
from geo.pictures import snapshot

TOKEN = new_token()
TEXTS = everything(TOKEN)
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def context():
    frame = areas_mod.load_areas()
    return frame, places.build_resolver(frame)


@pytest.fixture
def fast_cli(monkeypatch, context, tmp_path):
    """The CLI in-process (areas loaded once), working in a fresh folder where payloads would leave their marker."""
    monkeypatch.setattr(cli, "_context", lambda mirror: context)
    monkeypatch.chdir(tmp_path)
    yield cli.main
    assert_nothing_ran(TOKEN, tmp_path)


def svg_text(data: bytes) -> str:
    """Every text drawn in an SVG snapshot, lines joined by spaces (wrapped lines read as one)."""
    root = ET.fromstring(data)
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def words(text: str) -> str:
    """Text without its whitespace (the layout wraps long words wherever it must)."""
    return "".join(text.split())


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("option", ["--title", "--subtitle"])
def test_title_and_subtitle_print_literally_or_are_refused(fast_cli, tmp_path, capsys, name, option):
    text = TEXTS[name]
    limit = MAX_TITLE if option == "--title" else MAX_SUBTITLE
    for fmt in ("svg", "html"):
        out = tmp_path / f"map.{fmt}"
        code = fast_cli(["snapshot", "--level", "place", f"{option}={text}", "--out", str(out)])
        captured = capsys.readouterr()
        if len(text) > limit:
            assert code == 2 and not out.exists()
            (line,) = captured.err.strip().splitlines()
            assert f"over the {limit}-character limit: shorten it" in line
            continue
        assert code == 0, captured.err
        expected = one_line(text, limit)
        if fmt == "svg":
            assert words(expected) in words(svg_text(out.read_bytes()))
        else:
            document = out.read_text(encoding="utf-8")
            head = re.search(r"<title>(.*?)</title>", document, re.S)
            if option == "--title":
                assert head and html.unescape(head.group(1)) == expected
            assert "T 49 X" not in document


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_payloads_in_every_text_run_nowhere_in_png_and_pdf(fast_cli, tmp_path, capsys, fmt):
    title = TEXTS["rce_expression"][:MAX_TITLE]
    subtitle = (TEXTS["rce_statement"] + " " + TEXTS["mathtext"] + " " + TEXTS["jinja_open_comment"])[:MAX_SUBTITLE]
    out = tmp_path / f"map.{fmt}"
    assert fast_cli(["snapshot", "--title", title, "--subtitle", subtitle, "--out", str(out)]) == 0, (
        capsys.readouterr().err
    )
    assert out.stat().st_size > 10_000


def test_mathtext_prints_as_written(fast_cli, tmp_path, capsys):
    out = tmp_path / "map.svg"
    assert fast_cli(["snapshot", "--title", CORPUS["mathtext"], "--out", str(out)]) == 0
    assert "$\\frac{1}{0}$ and $x^2$" in svg_text(out.read_bytes())


# -- a dataset whose own texts are hostile (as a saved zip's datapackage.json may be) -------------


@pytest.mark.parametrize("fmt", ["svg", "html", "png", "pdf"])
def test_a_datasets_own_texts_are_bounded_and_literal(context, shipped, tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    areas, resolver = context
    source = " ".join(TEXTS[k] for k in ("rce_cycler", "jinja_open_statement", "formula", "bidi_override"))
    dataset = replace(
        shipped,
        title=TEXTS["rce_statement"],
        source_short=source,
        source=TEXTS["long"],
        date=TEXTS["jinja_open_comment"],
        published=None,
    )
    view = build_view(dataset, resolver, areas, Selection(dataset=dataset.id, level="lad", metric="per_1k"))
    shot = snapshot.make(view, dataset, areas, fmt=fmt)
    assert_nothing_ran(TOKEN, tmp_path)
    assert len(shot.caption.source) < 600 and len(shot.caption.subtitle) <= 2 * MAX_SUBTITLE
    assert "\u202e" not in shot.caption.source + shot.caption.subtitle + shot.caption.alt
    if fmt == "svg":
        drawn = words(svg_text(shot.data))
        assert words(one_line(source, 10_000))[:60] in drawn
    if fmt == "html":
        assert "T 49 X" not in shot.data.decode("utf-8")
