"""The snapshot's Title and Subtitle fields hold the atlas's own texts whole, and send them only when edited.

The written subtitle can be longer than a reader's own may be (MAX_SUBTITLE): a field bounded at
MAX_SUBTITLE made the browser cut it ("…, scan date not st") and the cut text then went into the
picture as if the reader had written it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import CORPUS
from streamlit.testing.v1 import AppTest

from geo.core.text import MAX_SUBTITLE, MAX_TITLE, edited, field_chars

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_a_field_never_bounds_its_own_written_text_below_its_length():
    assert field_chars("short", MAX_SUBTITLE) == MAX_SUBTITLE
    assert field_chars("x" * 300, MAX_SUBTITLE) == 300
    assert field_chars("", MAX_TITLE) == MAX_TITLE


@pytest.mark.parametrize("key", ["jinja_expression", "jinja_statement", "mathtext", "formula"])
def test_only_an_edited_text_is_the_readers(key):
    written = "Manchester has the most camera networks per resident"
    assert edited(written, written) == ""  # left as written: the snapshot writes it again
    assert edited(f"  {written} ", written) == ""
    assert edited(CORPUS[key], written) == CORPUS[key]  # the reader's own, literally
    assert edited("", written) == ""


def test_the_map_page_holds_its_long_subtitle_whole(app_navigation):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["level"] = "lad"
    at.query_params["metric"] = "per_1k"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for label in ("Title", "Subtitle"):
        field = next(t for t in at.text_input if t.label == label)
        assert len(field.value) <= field.proto.max_chars
    subtitle = next(t for t in at.text_input if t.label == "Subtitle")
    assert len(subtitle.value) > MAX_SUBTITLE  # this selection's written subtitle is the long case
    assert subtitle.value.endswith("scan date not stated.")
