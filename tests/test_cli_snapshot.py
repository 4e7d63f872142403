"""``python -m geo snapshot``: writes each format; user errors are one line, exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import geo.cli.main as cli
from geo.names import places
from geo.official import areas as areas_mod

REPO = Path(__file__).resolve().parent.parent
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF"}


@pytest.fixture(scope="module")
def context():
    frame = areas_mod.load_areas()
    return frame, places.build_resolver(frame)


@pytest.fixture
def fast_cli(monkeypatch, context):
    """The CLI with the areas frame and resolver loaded once for the module."""
    monkeypatch.setattr(cli, "_context", lambda mirror: context)
    return cli.main


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "html"])
def test_writes_each_format(fast_cli, tmp_path, capsys, fmt):
    out = tmp_path / f"map.{fmt}"
    code = fast_cli(["snapshot", "--level", "place", "--place", "London", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = out.read_bytes()
    wrote, alt = captured.out.strip().splitlines()
    assert wrote == f"wrote {out} ({len(data)} bytes): Greater London has the most Hikvision and Dahua camera networks"
    assert alt.startswith("alt text: Map of the United Kingdom by place")
    assert "Traceback" not in captured.err
    if fmt in MAGIC:
        assert data.startswith(MAGIC[fmt])
    elif fmt == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        assert b"leaflet" in data.lower()


def test_filters_reach_the_picture(fast_cli, tmp_path, capsys):
    out = tmp_path / "lad.svg"
    code = fast_cli(
        [
            "snapshot",
            "--level",
            "lad",
            "--metric",
            "per_km2",
            "--scheme",
            "natural_breaks",
            "--place",
            "Manchester",
            "Liverpool",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "camera networks per km\u00b2" in text
    # Four LADs have a figure: five or fewer are labelled with their values, not put in classes.
    assert "natural breaks" not in text.lower() and "Classes:" not in text
    assert "Liverpool" in text and "Manchester" in text


def test_title_and_subtitle_can_be_written(fast_cli, tmp_path, capsys):
    out = tmp_path / "mine.svg"
    code = fast_cli(["snapshot", "--title", "Cameras & <you>", "--subtitle", "My sub", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "Cameras &amp; &lt;you&gt;" in text and "My sub" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "map.gif"], r"\.png, \.svg, \.pdf, \.html"),
        (["--out", "map"], r"\.png"),
        (["--place", "Xyzzyqwv", "--out", "map.png"], r"not found"),
        (["--place", "Newport", "--out", "map.png"], r"ambiguous.*Newport"),
        (["--place", "Leeds", "--out", "map.png"], r"Leeds has no figure.*--level lad"),
        (["--place", "United Kingdom", "--out", "map.png"], r"whole UK"),
        (["--out", "no/such/folder/map.png"], r"does not exist"),
        (["--classes", "12", "--out", "map.png"], r"between 1 and 9"),
    ],
)
def test_user_errors_are_one_line_exit_2(fast_cli, tmp_path, monkeypatch, capsys, args, expected):
    monkeypatch.chdir(tmp_path)
    code = fast_cli(["snapshot", *args])
    captured = capsys.readouterr()
    assert code == 2
    line = one_line(captured.err)
    assert line.startswith("error: ")
    assert re.search(expected, line), line
    assert captured.out == ""
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_bad_extension_from_a_real_process(tmp_path):
    env = {**os.environ, "CAMERA_ATLAS_GEO_MIRROR": os.environ.get("CAMERA_ATLAS_GEO_MIRROR", "/work/shared/geo")}
    result = subprocess.run(
        [sys.executable, "-m", "geo", "snapshot", "--out", str(tmp_path / "map.jpeg")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert ".png" in line and ".html" in line
    assert result.stdout == ""


def test_missing_out_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["snapshot"])
    assert info.value.code == 2
    assert "--out" in one_line(capsys.readouterr().err)


def test_size_presets_and_a_contradicting_width(fast_cli, tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "social.png"
    assert fast_cli(["snapshot", "--size", "social", "--out", str(out)]) == 0, capsys.readouterr().err
    assert Image.open(out).size == (1200, 1200)
    bad = tmp_path / "bad.png"
    code = fast_cli(["snapshot", "--size", "article", "--width", "900", "--out", str(bad)])
    line = one_line(capsys.readouterr().err)
    assert code == 2 and not bad.exists()
    assert "--width 900 contradicts --size article" in line
