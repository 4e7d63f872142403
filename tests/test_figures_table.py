"""A table beside the map (issue 17, item 6): the Map page's figures under the map, and an
accessible ``<table>`` after the map in the HTML export (every cell escaped, missing as "no figure")."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hostile import CORPUS, assert_nothing_ran, new_token, payloads
from streamlit.testing.v1 import AppTest

from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.pictures import figures_table, snapshot
from geo.pictures.numbers import format_value

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TOKEN = new_token()


def table_section(document: bytes) -> str:
    """The figures' section of an HTML export (exactly one)."""
    found = re.findall(r'<section class="atlas-figures">.*?</section>', document.decode("utf-8"), re.S)
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def region_view(shipped, resolver, areas_frame):
    return build_view(shipped, resolver, areas_frame, Selection(dataset=shipped.id, level="region", metric="per_1k"))


def test_the_frame_has_one_ranked_row_per_unit_with_a_figure(region_view):
    shapes = region_view.shapes
    table = figures_table.frame(shapes, "per_1k", "region")
    assert list(table.columns) == ["Region or nation", "Per 1,000 residents", "Networks", "Per km²", "Coverage", "Rank"]
    with_data = shapes[shapes["has_data"]]
    assert len(table) == len(with_data) and set(table["Region or nation"]) == set(with_data["name"])
    assert list(table["Per 1,000 residents"]) == sorted(with_data["per_1k"], reverse=True)
    assert list(table["Rank"]) == list(range(1, len(table) + 1))
    assert figures_table.missing_units(shapes) == len(shapes) - len(with_data)


def test_missing_is_no_figure_never_zero(region_view):
    shapes = region_view.shapes.copy()
    row = shapes.index[shapes["has_data"]][0]
    shapes.loc[row, "per_km2"] = np.nan
    table = figures_table.frame(shapes, "per_1k", "region")
    assert table["Per km²"].isna().sum() == 1  # still missing, not 0
    cells = re.findall(r"<td>(.*?)</td>", figures_table.html_table(table, "c", "region"))
    assert cells.count("no figure") == 1 and "0" not in cells
    assert figures_table.styled(table, "region").to_html().count("no figure") == 1


def test_the_html_export_has_an_accessible_table_after_the_map(region_view, shipped, areas_frame):
    shot = snapshot.make(region_view, shipped, areas_frame, fmt="html")
    document = shot.data.decode("utf-8")
    section = table_section(shot.data)
    assert document.index('class="folium-map"') < document.index(section) < document.index("</body>")
    assert re.search(
        r"<caption>The figures on this map: camera networks per 1,000 residents by region or nation", section
    )
    shapes = region_view.shapes
    with_data = shapes[shapes["has_data"]]
    assert f"{len(shapes) - len(with_data)} other regions and nations have no figure (no data, not zero)" in section
    assert section.count('<th scope="col">') == 6
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', section)
    assert len(rows) == len(with_data)
    for name, cells in rows:
        unit = with_data[with_data["name"] == html.unescape(name)].iloc[0]
        values = re.findall(r"<td>(.*?)</td>", cells)
        assert values[:4] == [
            format_value("per_1k", unit["per_1k"]),
            format_value("networks", unit["networks"]),
            format_value("per_km2", unit["per_km2"]),
            f"{unit['coverage']:.0%}",
        ]


@pytest.mark.parametrize("key", ["html", "attribute", "javascript", "jinja_expression", "jinja_open_comment", "rce"])
def test_hostile_names_are_escaped_in_the_table(region_view, shipped, areas_frame, tmp_path, monkeypatch, key):
    monkeypatch.chdir(tmp_path)
    name = payloads(TOKEN)["rce_expression"] if key == "rce" else CORPUS[key]
    shapes = region_view.shapes.copy()
    shapes.loc[shapes.index[shapes["has_data"]][0], "name"] = name
    view = replace(region_view, shapes=shapes)
    section = table_section(snapshot.make(view, shipped, areas_frame, fmt="html").data)
    assert_nothing_ran(TOKEN, tmp_path)
    assert "<script" not in section and "<img" not in section and "T 49 X" not in section
    assert f'<th scope="row">{html.escape(name)}</th>' in section  # literally, escaped once


def test_the_map_page_has_the_figures_under_the_map(app_navigation):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["level"] = "region"
    at.query_params["metric"] = "per_1k"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expander = next(e for e in at.expander if e.label == "The figures on this map")
    assert not expander.dataframe, "closed, the expander makes no table"  # nothing sent that nobody reads
    at.session_state["map-figures-open"] = True  # the reader opens it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expander = next(e for e in at.expander if e.label == "The figures on this map")
    shown = expander.dataframe[0].value
    assert list(shown.columns)[:2] == ["Region or nation", "Per 1,000 residents"]
    assert list(shown["Region or nation"]) == ["North West", "West Midlands", "London"]  # ranked by the metric drawn
    assert list(shown["Rank"]) == [1, 2, 3]
    assert any("9 other regions and nations have no figure" in c.value for c in expander.caption)
