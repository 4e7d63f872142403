"""User text as data: invisible characters, length bounds, and how user text is quoted in messages.

Every string a visitor controls (a title, a file name, a place, a dataset's source) is read
through these few rules, wherever it enters:

* :func:`invisible` names the characters that change how text *looks* without being seen:
  controls, bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width
  characters, line and paragraph separators, private-use code points. A U+202E in a name
  reverses the words of any message that quotes it.
* :func:`one_line` is free text made safe to lay out: invisible characters removed,
  whitespace collapsed, cut at a bound (titles, source lines, dataset titles).
* :func:`shown` quotes user text inside a message: invisible characters written out as
  ``\\u202e``, cut short, so a message always reads as it was written.

Length bounds live here so every reader uses the same ones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Categories that never carry a visible glyph of their own: controls (Cc), format characters
# (Cf: bidi controls, zero-width space/joiners, word joiner, BOM, soft hyphen), line and
# paragraph separators (Zl, Zp), surrogates (Cs) and private use (Co).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c")

# Bounds, in characters, on text a visitor controls (long enough for any honest use).
MAX_TITLE = 160  # a map's title (the finding; a headline)
MAX_SUBTITLE = 240  # a map's subtitle
MAX_SOURCE = 200  # a dataset's source in a few words (the footer's "Source: …")
MAX_DATASET_TITLE = 200
MAX_DATE = 40  # "2026-12-01T06:00Z", "November 2021"
MAX_URL = 500
MAX_DESCRIPTION = 5_000
MAX_NOTE = 1_000  # one method note
MAX_NOTES = 50  # method notes in one dataset
MAX_PLACE_NAME = 100  # the longest UK place name is 58 letters
MAX_FILE_NAME = 120
MAX_SHOWN = 60  # user text quoted in a message


def invisible(text: str) -> list[str]:
    """The invisible characters in ``text`` as ``U+XXXX`` labels, in order, without repeats (tab, CR, LF excepted)."""
    found: list[str] = []
    for ch in str(text):
        if ch in _WHITESPACE_CONTROLS or unicodedata.category(ch) not in INVISIBLE_CATEGORIES:
            continue
        label = f"U+{ord(ch):04X}"
        if label not in found:
            found.append(label)
    return found


def strip_invisible(text: str) -> str:
    """``text`` without its invisible characters (whitespace controls kept)."""
    return "".join(
        ch for ch in str(text) if ch in _WHITESPACE_CONTROLS or unicodedata.category(ch) not in INVISIBLE_CATEGORIES
    )


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def one_line(text: object, limit: int) -> str:
    """Free text as one line: invisible characters removed, whitespace collapsed, at most ``limit`` characters."""
    return cut(" ".join(strip_invisible(str(text if text is not None else "")).split()), limit)


def shown(text: object, limit: int = MAX_SHOWN) -> str:
    """User text as a message quotes it: invisible characters written as ``\\uXXXX``, at most ``limit`` characters."""
    out = []
    for ch in str(text):
        if ch in _WHITESPACE_CONTROLS:
            out.append(" ")
        elif unicodedata.category(ch) in INVISIBLE_CATEGORIES:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return cut("".join(out), limit)


def field_chars(written: str, limit: int) -> int:
    """The character bound of a field that opens with the atlas's own ``written`` text: ``limit`` for the
    reader's text, never below ``written``'s length (a browser cuts a longer value at its field's bound)."""
    return max(limit, len(written))


def edited(text: str, written: str) -> str:
    """What the reader wrote in a field that opened with ``written``: "" when they left it as written, so
    the caller writes its own text again (in full, where the reader's own is held to a shorter bound)."""
    text = text.strip()
    return "" if text == written.strip() else text


def word_list(names: Iterable[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C" (at least one name)."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# Month names as every date in the atlas writes them (English, whatever the server's locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
