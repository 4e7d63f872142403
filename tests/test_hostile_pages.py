"""AppTest: the hostile corpus as a visitor types or uploads it, through the pages that draw maps.

Paths: an uploaded table's file name, a saved dataset zip whose ``datapackage.json`` fields
hold the corpus, and the Map page's snapshot title and subtitle (every format, the
interactive HTML included). The Map and Compare pages render their live maps in-process under
AppTest (streamlit-folium renders the whole figure on the server), so a payload that reached
a template would run here. Each upload is loaded or refused in one line; no page raises; no
payload runs; what is shown is the text as written.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from hostile import assert_nothing_ran, everything, new_token
from streamlit.testing.v1 import AppTest
from test_app_pages import APP
from test_data_page import button, upload

from geo.core.text import MAX_SUBTITLE, MAX_TITLE

pytestmark = pytest.mark.usefixtures("app_navigation")

TOKEN = new_token()
TEXTS = everything(TOKEN)
TABLE = b"place,networks\nLeeds,50\nYork,7\nManchester,30\n"
# Several corpus strings to a file name or field, so each is tried without a run per string.
GROUPS = [
    ("rce_expression", "jinja_open_comment"),
    ("rce_statement", "jinja_open_expression", "html"),
    ("rce_cycler", "jinja_open_statement", "bidi_override"),
    ("jinja_expression", "markdown", "formula"),
    ("jinja_comment", "mathtext", "format_strings", "zero_width"),
    ("attribute", "javascript", "sql", "other_templates"),
]


def _group(names: tuple[str, ...]) -> str:
    return " ".join(TEXTS[n] for n in names)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield
    assert_nothing_ran(TOKEN, tmp_path)


def _session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tour(at: AppTest) -> None:
    """Every page that draws or names the dataset, with its live map where it has one."""
    for page in (
        "pages/map.py",
        "pages/compare.py",
        "pages/trends.py",
        "pages/rankings.py",
        "pages/per_capita.py",
        "pages/data.py",
    ):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for error in at.error:
            assert "\n" not in error.value.strip(), error.value


def _saved_zip(text: str) -> bytes:
    package = {
        "profile": "tabular-data-package",
        "name": "hostile",
        "title": text,
        "description": text,
        "date": text,
        "source_short": text,
        "sources": [{"title": text, "path": text}],
        "licenses": [{"name": "other", "title": text}],
        "method_notes": [text],
        "resources": [{"name": "observations", "path": "observations.csv"}],
        "place_choices": [[text, "Leeds"]],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("observations.csv", TABLE)
        archive.writestr("datapackage.json", json.dumps(package))
    return buffer.getvalue()


@pytest.mark.parametrize("names", GROUPS, ids=["+".join(g) for g in GROUPS])
def test_an_uploaded_files_name_is_shown_not_run(names):
    at = _session()
    upload(at, "upload_table", f"{_group(names)}.csv", TABLE)
    assert not at.exception
    if not at.error:  # refused in one line is fine; loaded, it must draw everywhere
        button(at, "Load this table").click().run()
        assert not at.exception, [e.value for e in at.exception]
    _tour(at)


@pytest.mark.parametrize("names", GROUPS, ids=["+".join(g) for g in GROUPS])
def test_a_saved_zips_fields_are_shown_not_run(names):
    at = _session()
    upload(at, "upload_zip", "saved.zip", _saved_zip(_group(names)), mime="application/zip")
    assert not at.exception, [e.value for e in at.exception]
    for error in at.error:
        assert "\n" not in error.value.strip(), error.value
    _tour(at)


@pytest.mark.parametrize("fmt", ["html", "png", "svg", "pdf"])
def test_snapshot_title_and_subtitle_are_shown_not_run(fmt):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    title = _group(GROUPS[0] + GROUPS[1][:1])[:MAX_TITLE]
    subtitle = _group(GROUPS[2] + GROUPS[4][:2])[:MAX_SUBTITLE]
    at.text_input[0].set_value(title)
    at.text_input[1].set_value(subtitle)
    at.radio(key="snap_format").set_value(fmt).run()
    next(b for b in at.button if b.label == "Create the snapshot").click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any(b.label.startswith("Download") and b.label != "CSV" for b in at.get("download_button"))
    alt = next(m.value for m in at.markdown if m.value.startswith("**Alt text**"))
    assert TOKEN not in alt or "\\{\\{" in alt  # the alt text describes the map; it never ran the title
