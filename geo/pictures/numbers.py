"""Numbers as the maps, legends and pages write them: thousands separators, as many decimals as a
figure needs, signed changes with a true minus, and an en dash for a missing value.

One place for number formats, so the interactive map, the snapshot, the captions and the pages
write the same figure the same way (:func:`format_value`: counts "7,436", rates "13.1").
"""

from __future__ import annotations

import math

DASH = "\u2013"  # en dash: a missing value, and between class bounds
MINUS = "\u2212"  # a true minus sign for negative changes


def as_float(value: object) -> float | None:
    """``value`` as a finite float, or None (NaN, None, text)."""
    if value is None:
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def format_edges(edges: list[float], integer: bool) -> list[str]:
    """Class edges with the fewest decimals (up to 4) that keep distinct edges distinct."""
    if integer:
        return [format_number(e, 0) for e in edges]
    nonzero = [abs(e) for e in edges if e != 0]
    smallest = min(nonzero) if nonzero else 1.0
    # Rates keep at least one decimal ("33.1", not "33") and two significant digits.
    decimals = int(min(4, max(1, 1 - math.floor(math.log10(smallest)))))
    distinct = len(set(edges))
    while decimals < 4 and len({format_number(e, decimals) for e in edges}) < distinct:
        decimals += 1
    return [format_number(e, decimals) for e in edges]


def format_number(value: float, decimals: int) -> str:
    """``value`` with thousands separators and ``decimals`` decimals ("-0" shown as "0")."""
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def format_value(metric: str, value: object) -> str:
    """A metric value for people: counts ``7,436``; rates with 1-3 significant decimals; ``–`` if missing."""
    v = as_float(value)
    if v is None:
        return DASH
    if metric == "networks":
        return f"{v:,.0f}"
    magnitude = abs(v)
    if magnitude >= 100:
        return f"{v:,.0f}"
    if magnitude >= 10:
        return f"{v:,.1f}"
    if magnitude >= 0.01 or magnitude == 0:
        return f"{v:,.2f}"
    return f"{v:.2g}"


def signed(value: float, decimals: int) -> str:
    """``value`` with its sign: ``+1,200``, ``−300`` (a true minus), ``0``."""
    text = format_number(value, decimals)
    return "+" + text if value > 0 and text != "0" else text.replace("-", MINUS)


def format_change(value: object) -> str:
    """A change in networks with its sign (``+1,200``, ``−300``, ``0``); ``–`` if missing."""
    v = as_float(value)
    return DASH if v is None else signed(v, 0)


def format_pct_change(value: object) -> str:
    """A percent change with its sign and one decimal (``+12.5%``); ``–`` if missing."""
    v = as_float(value)
    return DASH if v is None else signed(v, 1) + "%"
