"""Markdown escaping of user strings (geo.core.markup)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.core.markup import md_escape

ZWSP = "\u2060"  # the word joiner that breaks autolinks


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Leeds", "Leeds"),
        ("![f](https:evil.example?fn=1).csv", "\\!\\[f\\]\\(https\\:evil\\.example?fn\\=1\\)\\.csv"),
        ("[click](https://evil.example)", f"\\[click\\]\\(https\\:/{ZWSP}/evil\\.example\\)"),
        ("www.evil.example", f"www{ZWSP}\\.evil\\.example"),
        ("mail me@evil.example", f"mail me@{ZWSP}evil\\.example"),
        ("<img src=x>", "\\<img src\\=x\\>"),
        ("**bold** _it_ `code` $x$ ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\$x\\$ \\~\\~s\\~\\~"),
        ("# heading", "\\# heading"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


@given(st.text())
def test_md_escape_keeps_the_words(text: str) -> None:
    shown = md_escape(text).replace("\\", "").replace(ZWSP, "")
    assert shown == text.replace("\\", "").replace(ZWSP, "")


@given(st.text(alphabet="abw.:/@[]()!<>h tps"))
def test_no_link_or_image_can_form(text: str) -> None:
    escaped = md_escape(text)
    assert "](" not in escaped.replace("\\](", "").replace("\\]\\(", "")
    assert "://" not in escaped
    assert "www." not in escaped.lower()
