"""A secret (an API key) scrubbed from text in every spelling, and from log records.

An API key travels in the request URL (``?key=…``), so a server's error body, an exception
or a log line can carry it back, and not only as typed: an error page may echo it upper-
or lower-cased, URL-encoded (``%66%61…``, ``%2566``), spaced out (``f a k e``), separated by
punctuation (``f-a-k-e``), or as HTML or JSON escapes. :class:`Scrubber` finds all of these
with one rule: reduce the text to its letters and digits (decoding ``%XX``, ``&#NN;`` and
``\\uXXXX`` first, folding case and width), look for the key's letters and digits in that
skeleton, and replace the whole stretch of the original text they span with ``***``.
Everything that is not a letter or digit counts as a separator, so no spelling that keeps
the key's characters in order gets through. The search is ``str.find`` on the skeleton:
linear, no regular-expression backtracking on hostile text.

A key with fewer than :data:`MIN_SKELETON` letters and digits is only replaced as given and
case-folded (a spelling-blind search for a short string would blank ordinary words).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

MASK = "***"
MIN_SKELETON = 8  # letters and digits a key needs before its spaced-out spellings are searched for

# One "unit" of text: an escape that stands for one character (URL-encoded, possibly twice;
# an HTML numeric entity; a JSON/Python \u or \x escape), or any single character.
_UNIT = re.compile(
    r"%25(?P<url2>[0-9a-fA-F]{2})|%(?P<url>[0-9a-fA-F]{2})"
    r"|&#[xX](?P<hexent>[0-9a-fA-F]{1,6});|&#(?P<decent>[0-9]{1,7});"
    r"|\\u(?P<u>[0-9a-fA-F]{4})|\\x(?P<x>[0-9a-fA-F]{2})"
    r"|(?P<char>.)",
    re.DOTALL,
)
_ESCAPES = re.compile(r"%[0-9a-fA-F]{2}|&#|\\[ux]")


@lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    """``char`` case- and width-folded ("Ｆ" -> "f"); empty unless it is one letter or digit."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    return folded if len(folded) == 1 and folded.isalnum() else ""


def _decoded(match: re.Match[str]) -> str:
    for group, base in (("url2", 16), ("url", 16), ("hexent", 16), ("decent", 10), ("u", 16), ("x", 16)):
        digits = match.group(group)
        if digits is not None:
            code = int(digits, base)
            return chr(code) if code <= 0x10FFFF else ""
    return match.group("char")


class Scrubber:
    """Replaces ``secret`` in any text, in every spelling, with :data:`MASK`."""

    def __init__(self, secret: str) -> None:
        self.secret = secret or ""
        self.skeleton = "".join(_folded(ch) for ch in self.secret)

    def __call__(self, text: str) -> str:
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """``text`` with every spelling of the secret replaced by :data:`MASK`."""
        text = str(text)
        if not self.secret:
            return text
        text = re.sub(re.escape(self.secret), MASK, text, flags=re.IGNORECASE)
        if len(self.skeleton) < MIN_SKELETON:
            return text
        letters: list[str] = []  # the skeleton of ``text`` ...
        spans: list[tuple[int, int]] = []  # ... and where each of its characters stands in ``text``
        if not _ESCAPES.search(text):  # the common case, without the escape parser
            for index, char in enumerate(text):
                folded = _folded(char)
                if folded:
                    letters.append(folded)
                    spans.append((index, index + 1))
        else:
            for match in _UNIT.finditer(text):
                folded = _folded(_decoded(match))
                if folded:
                    letters.append(folded)
                    spans.append(match.span())
        skeleton = "".join(letters)
        cuts: list[tuple[int, int]] = []
        at = skeleton.find(self.skeleton)
        while at >= 0:
            cuts.append((spans[at][0], spans[at + len(self.skeleton) - 1][1]))
            at = skeleton.find(self.skeleton, at + len(self.skeleton))
        for start, end in reversed(cuts):
            text = text[:start] + MASK + text[end:]
        return text

    def holds(self, text: str) -> bool:
        """True if ``text`` carries the secret in any spelling."""
        return bool(self.secret) and self.scrub(text) != str(text)


class LogScrub(logging.Filter):
    """A logging filter that scrubs the secret from each record's message (urllib3 logs every URL).

    Attach it to the loggers of :func:`http_loggers` while a call runs; a filter on a logger
    sees only the records logged there, so it goes on each of them, not on a parent.
    """

    def __init__(self, scrubber: Scrubber) -> None:
        super().__init__()
        self.scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        cleaned = self.scrubber.scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self.scrubber.scrub(record.exc_text)
        return True


HTTP_LOGGER_PREFIXES = ("urllib3", "requests", "shodan", "charset_normalizer")


def http_loggers() -> list[logging.Logger]:
    """Every logger the HTTP stack logs through (those created so far, and their usual names)."""
    names = {
        "urllib3",
        "urllib3.connectionpool",
        "urllib3.connection",
        "urllib3.response",
        "urllib3.util.retry",
        "requests",
        "shodan",
    }
    names |= {name for name in logging.root.manager.loggerDict if name.split(".")[0] in HTTP_LOGGER_PREFIXES}
    return [logging.getLogger(name) for name in sorted(names)]
