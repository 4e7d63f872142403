"""Place-name text: comparison keys, qualifiers and GSS codes as people write them.

Pure string functions, no data: :func:`normalise_name` (the comparison key of a name),
:func:`split_qualifiers` / :func:`place_key` (a name with its "(Gwynedd)" or ", Wales"
hints kept apart), and :func:`canonical_code` (a GSS code with stray case or punctuation).
"""

from __future__ import annotations

import re
import unicodedata

GSS_PATTERN = re.compile(r"^[EWSNK]\d{8}$")
COUNTRY_SUFFIXES = frozenset(
    {
        "uk",
        "u k",
        "united kingdom",
        "gb",
        "great britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "britain",
    }
)
# Qualifiers that say "somewhere in the UK" and so narrow nothing.
WHOLE_UK = frozenset({"uk", "u k", "united kingdom", "gb", "great britain", "britain"})
ADMIN_SUFFIXES = frozenset({"city of", "county of"})

_BRACKETS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*")
_BRACKET_PARTS = re.compile(r"[\(\[]([^\)\]]*)[\)\]]")
_SEPARATORS = re.compile(r"[-_./'’`]+")
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def normalise_name(name: str) -> str:
    """A comparison key for a place name.

    Case, accents, spacing, hyphens and punctuation are folded; "&" becomes "and" and
    "Saint"/"St." become "st"; decorations such as "Manchester (UK)", "Leeds, England" and
    "Bristol, City of" are dropped. The result is idempotent:
    ``normalise_name(normalise_name(x)) == normalise_name(x)``.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _BRACKETS.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    # "Leeds, England", "Bristol, City of": keep the head, drop the decoration.
    while len(parts) > 1 and (_squash(parts[-1]) in COUNTRY_SUFFIXES or _squash(parts[-1]) in ADMIN_SUFFIXES):
        parts.pop()
    text = " ".join(parts)
    text = text.replace("&", " and ")
    text = _SEPARATORS.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    words = ["st" if w == "saint" else w for w in _squash(text).split(" ")]
    return " ".join(w for w in words if w)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", text)).strip()


def split_qualifiers(name: str) -> tuple[str, tuple[str, ...]]:
    """The head of a place name and its qualifiers, as written.

    Bracketed parts and trailing comma parts are qualifiers: "Bangor (Gwynedd)" and
    "Bangor, Gwynedd" give ``("Bangor", ("Gwynedd",))``; "Newport, Wales" gives
    ``("Newport", ("Wales",))``. Administrative decorations ("Bristol, City of") belong to the
    name and are not qualifiers.
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    qualifiers = [q.strip() for q in _BRACKET_PARTS.findall(text) if q.strip()]
    text = _BRACKETS.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    head, rest = parts[0], parts[1:]
    for part in rest:
        if part and _squash(part.casefold()) not in ADMIN_SUFFIXES:
            qualifiers.append(part)
    return _SPACES.sub(" ", head).strip(), tuple(qualifiers)


def place_key(name: str) -> str:
    """A key that tells places apart as written: the normalised head plus each qualifier.

    Unlike :func:`normalise_name`, qualifiers count: "Bangor (Gwynedd)" and
    "Bangor (Ards and North Down)" have different keys, while "Leeds" and " LEEDS " share
    one, and so do "E08000035" and "e08000035.".
    """
    code = canonical_code(name)
    if code is not None:
        return code.casefold()
    head, qualifiers = split_qualifiers(name)
    return "|".join([normalise_name(head), *(normalise_name(q) for q in qualifiers)])


def canonical_code(text: object) -> str | None:
    """The GSS code ``text`` spells, ignoring case, spaces and surrounding punctuation.

    ``" e08000035. "`` gives ``"E08000035"``; text that is not a code gives None.
    """
    candidate = _EDGE_PUNCTUATION.sub("", str(text).strip()).upper()
    return candidate if GSS_PATTERN.match(candidate) else None


def display_name(name: str) -> str:
    """A LAD name as a headline writes it: ONS's inverted "Bristol, City of" → "Bristol".

    Only the inverted ", City of" / ", County of" tails go ("Glasgow City" and "City of
    London" are names in their own right). For titles and map labels; tables keep ONS names.
    """
    head, comma, tail = str(name).rpartition(",")
    if comma and tail.strip().lower() in ADMIN_SUFFIXES and head.strip():
        return head.strip()
    return str(name)


def name_variants(key: str) -> list[str]:
    """Looser keys for a LAD name: 'city of edinburgh' → 'edinburgh', 'glasgow city' → 'glasgow'."""
    variants = [key]
    for prefix in ("city of ", "county of ", "city and county of ", "isle of "):
        if key.startswith(prefix):
            variants.append(key[len(prefix) :])
    for suffix in (" city", " islands"):
        if key.endswith(suffix):
            variants.append(key[: -len(suffix)])
    return variants
