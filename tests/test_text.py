"""geo.core.text: invisible characters, bounds and how user text is quoted in messages."""

from __future__ import annotations

from hostile import CORPUS
from hypothesis import given
from hypothesis import strategies as st

from geo.core import text


def test_invisible_names_bidi_zero_width_and_controls():
    assert text.invisible("\u202eLeeds") == ["U+202E"]
    assert text.invisible("Lee\u200bds\u200d\u200b") == ["U+200B", "U+200D"]
    assert text.invisible("nul\x00byte\u2066x\u2069") == ["U+0000", "U+2066", "U+2069"]
    assert text.invisible("Ynys Môn, Bangor (Gwynedd)\tand\nmore") == []


def test_strip_invisible_keeps_every_visible_character():
    assert text.strip_invisible("\u202eLe\u200beds\ufeff") == "Leeds"
    assert text.strip_invisible("Ynys Môn — “Bangor” €5") == "Ynys Môn — “Bangor” €5"


def test_one_line_strips_collapses_and_cuts():
    assert text.one_line("  a\n b\u202e\tc  ", 80) == "a b c"
    assert text.one_line(None, 10) == ""
    long = text.one_line(CORPUS["long"], text.MAX_TITLE)
    assert len(long) == text.MAX_TITLE and long.endswith("…")


def test_shown_writes_invisible_characters_out():
    assert text.shown("\u202eLeeds") == "\\u202eLeeds"
    assert text.shown("a\nb") == "a b"
    assert len(text.shown("x" * 500)) == text.MAX_SHOWN


@given(st.text())
def test_shown_and_one_line_never_hold_an_invisible_character(value):
    assert text.invisible(text.shown(value, 10_000)) == []
    assert text.invisible(text.one_line(value, 10_000)) == []
    assert "\n" not in text.one_line(value, 10_000)
