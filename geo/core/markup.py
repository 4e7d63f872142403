"""Text that reaches Streamlit's Markdown renderer as text: escaping user strings.

Streamlit renders captions, alerts, table cells and widget labels as GitHub-flavoured
Markdown with raw HTML off. Backslash-escaping Markdown's specials keeps links, images and
emphasis from forming, but GFM's autolink literals ("https://…", "www.…", "a@b.c") are
found after escapes are undone (seen in widget labels), so they are broken with an
invisible word joiner instead.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$:&=\"'")
_WORD_JOINER = "\u2060"  # invisible, and no line break opens where it stands
# Where an autolink literal could start: after "://", between "www" and ".", after "@".
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(?<=:/)(?=/)|(?<=\bwww)(?=\.)|(?<=@)")


def md_escape(text: object) -> str:
    """``text`` safe to embed in Streamlit Markdown: shown as written, never a link, image or format."""
    defused = _AUTOLINK_TRIGGERS.sub(_WORD_JOINER, str(text))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in defused)
