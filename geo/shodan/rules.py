"""The rules that judge a Shodan banner, written once as data, and everything derived from them.

:data:`VENDORS` (each vendor's case-insensitive markers) and :data:`SEARCHED_FIELDS` (where
the markers are looked for) are the single definition of which camera maker a banner is.
From them come the SQL that the DuckDB scan runs (:func:`vendor_case_sql`), the Python
reference :func:`vendor_of` (the tests check the two agree), and :func:`rules_text`, the
plain-language rules the app shows (:data:`VENDOR_RULES`), together with the country, place
and counting rules. :func:`canonical_ip` is the rule for when two spellings are one address.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from geo.names.gazetteer import COAST_SNAP_METRES as _GAZETTEER_SNAP


@dataclass(frozen=True)
class Vendor:
    """A camera maker: its key in the observations, its name in text, and its markers."""

    key: str
    label: str
    markers: tuple[str, ...]  # case-insensitive substrings


VENDORS: tuple[Vendor, ...] = (
    Vendor("hikvision", "Hikvision", ("hikvision", "dnvrs-webs", "dvrdvs-webs", "app-webs", "/doc/page/login.asp")),
    Vendor("dahua", "Dahua", ("dahua", "dhi-")),
)
# The field that decides on its own when it names exactly one vendor.
DECIDING_FIELD = "product"
# Where markers are searched otherwise: (dotted field, how the rules text names it). The order does not matter.
SEARCHED_FIELDS: tuple[tuple[str, str], ...] = (
    ("product", "product"),
    ("devicetype", "devicetype"),
    ("http.title", "http.title"),
    ("http.server", "http.server"),
    ("data", "data (response headers)"),
    ("ssl.cert.subject", "ssl.cert.subject"),
    ("ssl.cert.issuer", "ssl.cert.issuer"),
    ("cpe23", "cpe23"),
    ("cpe", "cpe"),
)
UK_COUNTRY_CODES = ("GB", "UK")  # UK: a common misspelling of GB
COAST_SNAP_METRES = _GAZETTEER_SNAP  # 5 km, as for gazetteer towns

VENDOR_FIELDS = tuple(field for field, _ in SEARCHED_FIELDS)
VENDOR_KEYS = tuple(vendor.key for vendor in VENDORS)
HIKVISION_MARKERS = next(v.markers for v in VENDORS if v.key == "hikvision")
DAHUA_MARKERS = next(v.markers for v in VENDORS if v.key == "dahua")


def all_of(words: list[str], joiner: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def several(vendors: tuple[Vendor, ...] = VENDORS) -> str:
    """'both Hikvision and Dahua' (or 'more than one of A, B and C')."""
    labels = [v.label for v in vendors]
    return f"both {labels[0]} and {labels[1]}" if len(labels) == 2 else f"more than one of {all_of(labels)}"


# -- the rules text ----------------------------------------------------------------------------


def rules_text(vendors: tuple[Vendor, ...] = VENDORS, fields: tuple[tuple[str, str], ...] = SEARCHED_FIELDS) -> str:
    """The rules in plain words, for the app: vendor markers and fields, UK, place, counting."""
    by_vendor = "; ".join(
        f"{v.label} when {'a field' if i == 0 else 'it'} contains " + ", ".join(f'"{m}"' for m in v.markers)
        for i, v in enumerate(vendors)
    )
    neither = "both vendors or neither" if len(vendors) == 2 else "more than one vendor or none"
    return (
        f"Vendor, case-insensitive: {by_vendor}. If the {DECIDING_FIELD} field names exactly one vendor, that vendor "
        f"wins; otherwise the markers are searched in {all_of([label for _, label in fields])}, and a banner matching "
        f"{neither} is skipped as 'vendor not recognised'. "
        f"UK: location.country_code {UK_COUNTRY_CODES[0]} (banners without a country count only when their "
        "coordinates fall inside a UK local authority). Place: the local authority containing "
        f"location.latitude/longitude (points up to {COAST_SNAP_METRES / 1000:g} km off the coast snap to the nearest "
        "one); without coordinates, location.city when it names exactly one local authority. "
        "Networks: distinct IP addresses (ip_str, each address in one spelling) per local authority and vendor; an "
        "address placed in several local authorities counts once per vendor, in the one where most of its banners "
        "place it (a tie goes to the lowest local authority code)."
    )


VENDOR_RULES = rules_text()


# -- the SQL -----------------------------------------------------------------------------------


def regex(markers: tuple[str, ...]) -> str:
    """A case-insensitive regular expression (RE2 and Python alike) matching any of ``markers``."""
    return "(?i)(?:" + "|".join(re.escape(m) for m in markers) + ")"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _any_field(markers: tuple[str, ...], fields: tuple[str, ...]) -> str:
    """SQL: does any field match any of ``markers``? (Per field: no copying into one string.)"""
    pattern = _sql_text(regex(markers))
    return "coalesce(" + " OR ".join(f"regexp_matches({field}, {pattern})" for field in fields) + ", false)"


def _others(vendors: tuple[Vendor, ...], vendor: Vendor) -> tuple[str, ...]:
    return tuple(m for other in vendors if other is not vendor for m in other.markers)


def vendor_case_sql(vendors: tuple[Vendor, ...] = VENDORS, fields: tuple[str, ...] = VENDOR_FIELDS) -> str:
    """SQL ``CASE`` branches naming a banner's vendor key, ``'none'`` or ``'ambiguous'``.

    The columns are named as the fields (``http.server`` is the struct field of ``http``).
    DuckDB evaluates a branch only for the rows that reach it, so the other fields are
    searched only when the deciding field did not decide; most of those banners are other
    makes, which one pass with every vendor's markers rules out.
    """
    lines = [
        f"WHEN coalesce(regexp_matches({DECIDING_FIELD}, {_sql_text(regex(v.markers))}) AND NOT "
        f"regexp_matches({DECIDING_FIELD}, {_sql_text(regex(_others(vendors, v)))}), false) THEN {_sql_text(v.key)}"
        for v in vendors
    ]
    lines.append(f"WHEN NOT {_any_field(tuple(m for v in vendors for m in v.markers), fields)} THEN 'none'")
    for i, v in enumerate(vendors[:-1]):  # the first vendor found, unless a later one is found too
        later = tuple(m for other in vendors[i + 1 :] for m in other.markers)
        lines.append(
            f"WHEN {_any_field(v.markers, fields)} THEN "
            f"(CASE WHEN {_any_field(later, fields)} THEN 'ambiguous' ELSE {_sql_text(v.key)} END)"
        )
    lines.append(f"ELSE {_sql_text(vendors[-1].key)}")
    return "\n".join(lines)


# -- the Python reference ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _compiled(vendors: tuple[Vendor, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((v.key, re.compile(regex(v.markers))) for v in vendors)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)  # objects and arrays are searched as their JSON text


def _field(banner: Mapping, dotted: str) -> object:
    value: object = banner
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def vendor_of(
    banner: Mapping, vendors: tuple[Vendor, ...] = VENDORS, fields: tuple[str, ...] = VENDOR_FIELDS
) -> str | None:
    """The vendor key of one parsed banner by the rules (e.g. ``hikvision``), or None.

    The reference implementation of what the DuckDB scan does (tests check they agree).
    """
    patterns = _compiled(vendors)
    deciding = _text(_field(banner, DECIDING_FIELD))
    named = [key for key, pattern in patterns if pattern.search(deciding)]
    if len(named) == 1:
        return named[0]
    texts = [_text(_field(banner, name)) for name in fields]
    found = [key for key, pattern in patterns if any(pattern.search(text) for text in texts)]
    return found[0] if len(found) == 1 else None


# -- addresses ---------------------------------------------------------------------------------

# What str(IPv4Address) writes: such strings are already in their one spelling.
CANONICAL_IPV4 = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"


def canonical_ip(text: str) -> str | None:
    """One spelling per address: IPv6 compressed and lower case, IPv4-mapped IPv6 as IPv4,
    ``010.000.001.002`` as ``10.0.1.2``; None when ``text`` is not an IP address."""
    text = text.strip()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(text)
    except ValueError:
        parts = text.split(".")  # ipaddress refuses leading zeros (octal or decimal?): a dotted quad is decimal
        if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
            return None
        if any(int(p) > 255 for p in parts):
            return None
        address = ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)
