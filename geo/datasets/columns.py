"""Which column of a user's table holds what: header words, the guess the Data page starts
from, and the :class:`Layout` a table is read with.

Two layouts are read. *Long*: one row per place and vendor, a ``networks`` column and
optionally a ``vendor`` column (the dataset contract). *Wide*: one row per place and one
count column per vendor, as researchers export them (``city,hikvision,dahua``): each row
becomes one observation per vendor column. A header names a vendor's count column when it
is the vendor's name, alone or with count words, in any case ("Hikvision", "HIK",
"hikvision networks", "Dahua Technology", "dahua_networks"); :func:`vendor_column` says
which. A column that is read by no field is listed in :attr:`Layout.unused`, so the notes
can name it: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from geo.core.errors import DatasetError
from geo.core.text import shown

REQUIRED_COLUMNS = ("place", "networks")
OPTIONAL_COLUMNS = ("vendor", "lad_code", "source", "date")
VENDOR_COLUMNS = ("hikvision", "dahua")  # the vendors a wide table may give a count column each
# Header names people use for each field; the first match wins (see guess_mapping).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "place": (
        "place",
        "city",
        "town",
        "location",
        "locality",
        "area",
        "place_name",
        "local_authority",
        "la_name",
        "name",
    ),
    "networks": (
        "networks",
        "network_count",
        "networks_count",
        "cameras",
        "camera_count",
        "count",
        "counts",
        "total",
        "ips",
        "ip_count",
        "hosts",
        "devices",
        "number",
        "n",
    ),
    "vendor": ("vendor", "brand", "manufacturer", "make", "maker"),
    "lad_code": ("lad_code", "lad24cd", "lad23cd", "lad22cd", "gss_code", "la_code", "code"),
    "source": ("source",),
    "date": ("date", "scan_date", "as_of"),
}
# Place columns as GeoIP exports and researchers spell them, besides the synonyms above.
_PLACE_EXTRA = ("city_name", "town_name", "place_name", "geoip_city", "location_name")

_VENDOR_NAMES = {"hikvision": "hikvision", "hik": "hikvision", "hikv": "hikvision", "dahua": "dahua"}
# Words that may stand beside a vendor's name in its count column ("Hikvision networks",
# "Dahua Technology", "n_hik"); any other word ("share", "pct") makes it another column.
_COUNT_WORDS = frozenset(
    {
        "networks",
        "network",
        "count",
        "counts",
        "cameras",
        "camera",
        "devices",
        "device",
        "hosts",
        "host",
        "ips",
        "ip",
        "n",
        "no",
        "number",
        "of",
        "total",
        "technology",
        "tech",
        "digital",
        "vision",
        "co",
        "ltd",
        "inc",
        "results",
        "banners",
        "addresses",
    }
)
# Words of a column that counts every vendor at once ("total", "all", "Hikvision + Dahua").
_TOTAL_WORDS = _COUNT_WORDS | {"all", "both", "combined", "sum", "vendors", "and", "overall", "grand"}
_SEPARATORS = re.compile(r"[\s_\-./:,;()\[\]#+&]+")


def clean_header(name: str) -> str:
    """A header name as a key: 'LAD Code ' → 'lad_code'."""
    return re.sub(r"\s+", "_", str(name).strip().lower())


def _words(name: str) -> list[str] | None:
    """A header's words in lower case; None when it holds anything but letters, digits and separators
    (a "%" or "£" says the column is not a count)."""
    words = [w for w in _SEPARATORS.split(str(name).strip().lower()) if w]
    return words if words and all(w.isalnum() for w in words) else None


def vendor_column(name: str) -> str | None:
    """The vendor whose count a column holds, from its header: "Hikvision networks" → "hikvision",
    "Dahua Technology" → "dahua", "HIK" → "hikvision"; None for any other header ("hikvision_share")."""
    words = _words(name)
    if not words:
        return None
    vendors = [_VENDOR_NAMES[w] for w in words if w in _VENDOR_NAMES]
    if len(vendors) != 1 or not all(w in _COUNT_WORDS for w in words if w not in _VENDOR_NAMES):
        return None
    return vendors[0]


def total_column(name: str) -> bool:
    """Whether a header names a count of every vendor at once: "total", "all", "networks",
    "Hikvision and Dahua" (never one vendor's column)."""
    words = _words(name)
    if not words:
        return False
    vendors = {_VENDOR_NAMES[w] for w in words if w in _VENDOR_NAMES}
    if len(vendors) == 1:
        return False
    return all(w in _TOTAL_WORDS for w in words if w not in _VENDOR_NAMES)


def guess_mapping(header: list[str]) -> dict[str, str | None]:
    """Which header column most likely holds each field ("City" → place, "Count" → networks, …),
    and for a wide table each vendor's count column ("HIK" → hikvision, "Dahua Technology" → dahua)."""
    cleaned = {clean_header(h): h for h in header if str(h).strip()}
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    vendors = {h: vendor_column(h) for h in header if str(h).strip()}
    for field_name, synonyms in COLUMN_SYNONYMS.items():
        if field_name == "place":
            synonyms = (*synonyms, *_PLACE_EXTRA)
        found = next((cleaned[s] for s in synonyms if s in cleaned and cleaned[s] not in taken), None)
        mapping[field_name] = found if found is None or not vendors.get(found) else None
        if mapping[field_name]:
            taken.add(str(mapping[field_name]))
    for vendor in VENDOR_COLUMNS:
        mapping[vendor] = next((h for h, v in vendors.items() if v == vendor and h not in taken), None)
        if mapping[vendor]:
            taken.add(str(mapping[vendor]))
    return mapping


def is_wide(mapping: Mapping[str, str | None]) -> bool:
    """Whether a mapping (e.g. :func:`guess_mapping`'s) reads the table as one column per vendor:
    it names a vendor's count column and no vendor column."""
    return any(mapping.get(v) for v in VENDOR_COLUMNS) and not mapping.get("vendor")


@dataclass(frozen=True)
class Layout:
    """How a table's columns are read: field → column index, and for a wide table each vendor's column.

    ``total`` is a wide table's column counting every vendor (not read: the vendor columns are,
    and the notes say whether it equals their sum); ``unused`` are the columns no field reads.
    """

    fields: dict[str, int]
    vendor_columns: tuple[tuple[str, int], ...] = ()
    total: int | None = None
    unused: tuple[int, ...] = ()
    # A long table without a vendor column whose count column is one vendor's ("networks" mapped
    # to `hikvision`): its rows are that vendor's, never "Hikvision and Dahua".
    vendor: str | None = None

    @property
    def wide(self) -> bool:
        """True when the table has one count column per vendor."""
        return bool(self.vendor_columns)


def layout(header: list[str], filename: str, mapping: Mapping[str, str | None] | None = None) -> Layout:
    """The :class:`Layout` of a table with ``header``, from ``mapping`` (field → column name) when given.

    Without a mapping, a table whose headers are the contract's (``place, networks, vendor…``)
    is long; one with a vendor's count column and no vendor column is wide, its place, code,
    source and date columns found by :func:`guess_mapping`'s synonyms. A mapping naming
    ``hikvision`` or ``dahua`` columns is wide, else long. Fields a mapping leaves out are read
    from a column of their own name. Refused in one line: a missing place or count column, a
    mapped column that is not there, one field in two columns.
    """
    if mapping and any(mapping.get(v) for v in VENDOR_COLUMNS):
        if mapping.get("networks") or mapping.get("vendor"):
            raise DatasetError(
                f"{filename}: map either a networks column (with a vendor column) or one column per vendor, not both: "
                "choose one of the two layouts"
            )
        return _wide(header, filename, {**_by_name(header, mapping), **_mapped(header, filename, mapping)})
    if not mapping:
        guess = guess_mapping(header)
        cleaned = [clean_header(h) for h in header]
        if is_wide(guess) and "vendor" not in cleaned:
            return _wide(header, filename, guess, guessed=True)
        fields = {f: cleaned.index(f) for f in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if f in cleaned}
        named = [h for h in cleaned if h]
        if len(named) != len(set(named)):
            raise DatasetError(f"{filename} repeats a column name in its header: give each column one name")
    else:
        fields = {
            f: header.index(c) for f, c in {**_by_name(header, mapping), **_mapped(header, filename, mapping)}.items()
        }
    missing = [c for c in REQUIRED_COLUMNS if c not in fields]
    if missing:
        raise DatasetError(
            f"{filename} lacks column(s) {', '.join(missing)} (found: {columns_text(header) or 'none'}): "
            "name the columns place and networks (optional: vendor, lad_code, source, date), or map them"
        )
    vendor = vendor_column(header[fields["networks"]]) if "vendor" not in fields else None
    return Layout(fields=fields, unused=_unused(header, set(fields.values())), vendor=vendor)


def _mapped(header: list[str], filename: str, mapping: Mapping[str, str | None]) -> dict[str, str]:
    """The mapping's fields with a column, each column checked to be in the header and used once."""
    chosen = {f: c for f, c in mapping.items() if c}
    for column in chosen.values():
        if column not in header:
            raise DatasetError(f"{filename} has no column '{shown(column)}': pick one of {columns_text(header)}")
    fields_of: dict[str, list[str]] = {}
    for field_name, column in chosen.items():
        fields_of.setdefault(column, []).append(field_name)
    for column, names in fields_of.items():
        if len(names) > 1:
            raise DatasetError(
                f"{filename}: column '{shown(column)}' is chosen for {' and '.join(names)}: pick one column for each"
            )
    return dict(chosen)


def _by_name(header: list[str], mapping: Mapping[str, str | None]) -> dict[str, str]:
    """Fields a mapping does not mention, read from a column of their own name (the Data page once
    mapped only place, networks, vendor and lad_code, and dropped source and date)."""
    cleaned = [clean_header(h) for h in header]
    taken = {c for c in mapping.values() if c}
    return {
        f: header[cleaned.index(f)]
        for f in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        if f not in mapping and f in cleaned and header[cleaned.index(f)] not in taken
    }


def _wide(header: list[str], filename: str, named: Mapping[str, str | None], guessed: bool = False) -> Layout:
    """A wide table's layout from its fields' column names (``hikvision``/``dahua`` among them).

    ``guessed``: the columns were found by their names, not chosen; then two columns that both
    read as one vendor's counts are refused (which one is meant cannot be told).
    """
    if not named.get("place") and not named.get("lad_code"):
        raise DatasetError(
            f"{filename} has one column per vendor but no place column (found: {columns_text(header)}): "
            "name the place column place (or city, town), or map it"
        )
    fields = {f: header.index(str(named[f])) for f in ("place", "lad_code", "source", "date") if named.get(f)}
    chosen = {v: header.index(str(named[v])) for v in VENDOR_COLUMNS if named.get(v)}
    if guessed:
        for vendor in chosen:
            found = [i for i, h in enumerate(header) if vendor_column(h) == vendor and i not in fields.values()]
            if len(found) > 1:
                names = " and ".join(f"'{shown(header[i])}'" for i in found)
                raise DatasetError(
                    f"{filename}: columns {names} both read as {vendor} counts: keep one, or map the columns on the Data page"
                )
    used = set(fields.values()) | set(chosen.values())
    total = next((i for i, h in enumerate(header) if i not in used and total_column(h)), None)
    return Layout(
        fields=fields,
        vendor_columns=tuple((v, chosen[v]) for v in VENDOR_COLUMNS if v in chosen),
        total=total,
        unused=_unused(header, used | ({total} if total is not None else set())),
    )


def _unused(header: list[str], used: set[int]) -> tuple[int, ...]:
    return tuple(i for i in range(len(header)) if i not in used)


def columns_text(header: list[str]) -> str:
    """A header's column names as a message lists them: quoted with :func:`geo.core.text.shown`, cut short."""
    return shown(", ".join(header), 200)
