"""Reading a count of networks as a person wrote it: whole numbers, thousands separators and
decimal marks in the file's convention. A value with two plausible readings is refused with
the fix; a count is never read 1,000 times too small or too large.

Conventions (see :func:`parse_count`):

* ``,``- and tab-separated files and spreadsheets: ``,`` groups thousands, ``.`` is the
  decimal mark: ``1,234`` → 1234, ``120.0`` → 120, ``1.000.000`` → 1000000 (only a
  thousands reading is possible); ``12.000`` is refused (12 or 12,000?).
* ``;``-separated files (continental Europe): ``.`` groups thousands, ``,`` is the decimal
  mark: ``1.000`` → 1000, ``1.234.567`` → 1234567, ``12,0`` → 12; ``1,234`` is refused (in
  that convention it reads 1.234, not a whole number).
* Everywhere: spaces, no-break spaces (U+00A0) and narrow no-break spaces (U+202F) may group
  thousands: ``1 234`` → 1234.
"""

from __future__ import annotations

import re

from geo.core.errors import DatasetError

# No single place plausibly holds more networks than there are UK IPv4 addresses in use.
MAX_NETWORKS = 50_000_000

_SPACE_CHARS = " \u00a0\u202f"
_SPACE_GROUPED = re.compile(r"^[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]*)?$")
_DIGITS = re.compile(r"^[0-9]+$")
_NUMERIC = re.compile(r"^[0-9.,]*[0-9][0-9.,]*$")
_FIX = "write whole numbers without separators, e.g. 1234"


def _grouped(group: str, decimal: str) -> re.Pattern[str]:
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(rf"^[0-9]{{1,3}}(?:{g}[0-9]{{3}})+(?:{d}[0-9]*)?$")


_COMMA_GROUPED = _grouped(",", ".")  # 1,234 / 1,234.0
_DOT_GROUPED = _grouped(".", ",")  # 1.234 / 1.234,0
_COMMA_GROUPS_ONLY = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+$")
_DOT_GROUPS_ONLY = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")


def parse_count(value: str, where: str, decimal_comma: bool = False, maximum: int = MAX_NETWORKS) -> int:
    """The whole number ``value`` writes, or :class:`DatasetError` "``where``: problem: fix".

    ``decimal_comma`` selects the convention of ``;``-separated files (``.`` groups
    thousands, ``,`` marks decimals); otherwise ``,`` groups and ``.`` marks decimals.
    """
    text = value.strip()
    shown = text if len(text) <= 40 else text[:39] + "…"  # messages stay short
    if not text:
        raise DatasetError(f"{where}: networks is empty: write a whole number (0 if none were found)")
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if any(ch in _SPACE_CHARS for ch in body):
        if not _SPACE_GROUPED.match(body):
            raise DatasetError(f"{where}: networks {shown!r} is not a number: write a whole number such as 120")
        body = "".join(ch for ch in body if ch not in _SPACE_CHARS)
    if not _NUMERIC.match(body):
        raise DatasetError(f"{where}: networks {shown!r} is not a number: write a whole number such as 120")
    if negative:
        raise DatasetError(f"{where}: networks {shown!r} is negative: counts cannot be below 0")
    if sum(ch.isdigit() for ch in body) > 30:  # int() refuses > 4,300 digits; nothing real is this long
        raise DatasetError(
            f"{where}: networks {shown!r} is implausibly large (over {maximum:,}): check the column and units"
        )
    count = _semicolon_convention(body, shown, where) if decimal_comma else _comma_convention(body, shown, where)
    if count > maximum:
        raise DatasetError(
            f"{where}: networks {count:,} is implausibly large (over {maximum:,}): check the column and units"
        )
    return count


def _comma_convention(body: str, shown: str, where: str) -> int:
    if _DIGITS.match(body):
        return int(body)
    if _COMMA_GROUPED.match(body):
        return _whole(body.replace(",", ""), ".", shown, where)
    if _DOT_GROUPS_ONLY.match(body) and body.count(".") > 1:
        return int(body.replace(".", ""))  # 1.000.000: no decimal reading exists
    head, dot, tail = body.partition(".")
    if dot and _DIGITS.match(head) and (not tail or _DIGITS.match(tail)):
        if len(head) <= 3 and tail == "000":
            raise DatasetError(
                f"{where}: networks {shown!r} is ambiguous ({int(head)} or {int(head) * 1000}?): "
                f"write whole numbers without separators, e.g. {int(head) * 1000} or {int(head)}"
            )
        hint = (
            " (or is '.' grouping thousands? then write it without separators)"
            if len(head) <= 3 and len(tail) == 3
            else ""
        )
        return _whole(body, ".", shown, where, hint)
    raise DatasetError(f"{where}: networks {shown!r} is not a number: write a whole number such as 120")


def _semicolon_convention(body: str, shown: str, where: str) -> int:
    if _DIGITS.match(body):
        return int(body)
    if _COMMA_GROUPS_ONLY.match(body):
        reading = f" (it reads {body.replace(',', '.')})" if body.count(",") == 1 else ""
        raise DatasetError(
            f"{where}: networks {shown!r} groups thousands with ',', but in a ';'-separated file ',' is the "
            f"decimal mark{reading}: write whole numbers without separators, e.g. {body.replace(',', '')}"
        )
    if _DOT_GROUPED.match(body):
        return _whole(body.replace(".", ""), ",", shown, where)
    head, mark, tail = body.replace(".", ",").partition(",")
    if mark and body.count(".") + body.count(",") == 1 and _DIGITS.match(head) and (not tail or _DIGITS.match(tail)):
        # 12,0 (the convention's decimal comma) or 120.0 (a decimal point: '.0' cannot group thousands).
        return _whole(f"{head}.{tail}", ".", shown, where)
    raise DatasetError(
        f"{where}: networks {shown!r} is not a number (in a ';'-separated file '.' groups thousands and ',' "
        f"is the decimal mark): {_FIX}"
    )


def _whole(text: str, decimal: str, shown: str, where: str, hint: str = "") -> int:
    """``text`` (digits, at most one ``decimal`` mark) as a whole number; refuse a fraction."""
    head, _, tail = text.partition(decimal)
    if tail.strip("0"):
        raise DatasetError(f"{where}: networks {shown!r} is fractional{hint}: counts of networks are whole numbers")
    if not head:
        raise DatasetError(f"{where}: networks {shown!r} is not a number: write a whole number such as 120")
    return int(head)
