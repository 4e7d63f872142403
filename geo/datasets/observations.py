"""A user's table validated as observations: ``place, vendor, networks, lad_code, source, date, line``.

:func:`observations_from_table` reads a :class:`~geo.datasets.tables.RawTable` in the layout
:func:`geo.datasets.columns.layout` finds (long: one row per place and vendor; wide: one count column
per vendor, each row becoming one observation per vendor) and names the line and the fix
for every problem; it never returns a half-valid table. Its notes say what reading did:
the layout, each column not used, collapsed repeats, blank counts of a wide table.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

import pandas as pd

from geo.core.errors import DatasetError
from geo.core.text import MAX_DATE, MAX_PLACE_NAME, MAX_SOURCE, shown
from geo.datasets.columns import Layout, layout
from geo.datasets.counts import parse_count
from geo.datasets.limits import MAX_TABLE_PLACES_ENV, TableLimits
from geo.datasets.tables import RawTable, read_table
from geo.datasets.workbooks import column_letter
from geo.names.keys import place_key

_VENDOR_WORDS = {
    "all": "all",
    "both": "all",
    "combined": "all",
    "total": "all",
    "hikvision": "hikvision",
    "hik": "hikvision",
    "dahua": "dahua",
}
_CODE_WRAPPING = string.punctuation + string.whitespace
_NOTED_REPEATS = 20  # repeated names listed one by one in the notes before a summary
_NOTED_LINES = 5  # line numbers a note lists before "and N more"


def parse_observations(
    data: bytes,
    filename: str = "table.csv",
    max_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    limits: TableLimits | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """Validate a table in the dataset contract; returns ``place, vendor, networks, lad_code, source, date, line``.

    ``mapping`` names the column holding each field when the headers differ
    (``{"place": "City", "networks": "Count"}``, or for one column per vendor
    ``{"place": "City", "hikvision": "HIK", "dahua": "Dahua"}``); without it the headers must
    be the contract's own names, or a place column and one count column per vendor
    (:func:`geo.datasets.columns.layout`). ``limits`` (default: :meth:`TableLimits.from_env`) bound the
    work; ``max_bytes`` overrides their byte limit; ``delimiter`` is the CSV's when known (else
    guessed). Every problem raises :class:`DatasetError` naming the file, line (or spreadsheet
    row) and the fix; nothing half-valid is returned. The frame's ``attrs["notes"]`` say what
    loading did (the layout, columns not used, collapsed repeats, decoding).
    """
    limits = limits or TableLimits.from_env()
    return observations_from_table(read_table(data, filename, max_bytes, limits, delimiter), mapping, limits)


def observations_from_table(
    table: RawTable, mapping: Mapping[str, str | None] | None = None, limits: TableLimits | None = None
) -> pd.DataFrame:
    """Validate a :class:`RawTable`; see :func:`parse_observations`.

    Rows are keyed by place as written (:func:`geo.names.places.place_key`, which keeps qualifiers:
    "Bangor (Gwynedd)" and "Bangor (Ards and North Down)" are two places), ``lad_code`` and
    vendor: identical repeats collapse to one with a note, the same key with different counts
    is refused. More than ``limits.max_places`` distinct places is refused at the first extra one.
    """

    max_places = (limits or TableLimits.from_env()).max_places
    filename, unit = table.filename, table.unit
    shape = layout(table.header, filename, mapping)
    if not table.rows:
        raise DatasetError(f"{filename} has a header but no rows: add one row per place")
    width = len(table.header)
    records: list[dict] = []
    seen: dict[str, tuple[int, int, str]] = {}  # key → (line, networks, place) of its first row
    repeats: dict[str, int] = {}
    blanks: dict[str, list[int]] = {}  # a wide table's vendor → lines whose count cell is blank
    places: set[str] = set()
    keys: dict[str, str] = {}  # place as written → place_key (tables repeat names per vendor)
    for line, row in table.rows:
        where = f"{filename} {unit} {line}"
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            if unit == "row":
                raise DatasetError(
                    f"{where}: a value in column {column_letter(len(row))}, right of the header's {width} "
                    f"columns: delete the cells to the right of the table in row {line}"
                )
            raise DatasetError(
                f"{where}: {len(row)} fields but the header has {width}: quote names that contain the delimiter"
            )

        def cell(name: str, row: list[str] = row) -> str:
            i = shape.fields.get(name)
            return _at(row, i)

        place, lad_code = cell("place"), cell("lad_code").strip(_CODE_WRAPPING).upper()
        if not place and not lad_code:
            raise DatasetError(f"{where}: place is empty: name the place or give its lad_code")
        _check_lengths(where, place=place, lad_code=lad_code, source=cell("source"), date=cell("date"))
        counts = _counts(shape, table, row, where, cell, blanks, line)
        place = place or lad_code
        name_key = keys.get(place)
        if name_key is None:
            name_key = keys[place] = place_key(place)
        if not lad_code and not any(ch.isalnum() for ch in name_key):
            # "???", "---" and "!!!" all normalise to "": read on, they would merge into one place.
            raise DatasetError(
                f"{where}: place '{shown(place)}' has no letters or digits: name the place or give its lad_code"
            )
        if name_key not in places:
            if len(places) >= max_places:
                raise DatasetError(
                    f"{filename} names more than {max_places:,} distinct places (the limit; {unit} {line} is the first "
                    f"beyond it): aggregate to local authorities (one row per lad_code), or raise {MAX_TABLE_PLACES_ENV}"
                )
            places.add(name_key)
        for vendor, networks in counts:
            key = f"{name_key}|{lad_code}|{vendor}"
            if key in seen:
                first_line, first_networks, first_place = seen[key]
                if first_networks != networks:
                    raise DatasetError(
                        f"{filename} {unit}s {first_line} and {line}: {first_place!r} ({vendor}) has "
                        f"{first_networks:,} and {networks:,} networks: keep one row per place and vendor"
                    )
                repeats[key] = repeats.get(key, 1) + 1
                continue
            seen[key] = (line, networks, place)
            records.append(
                {
                    "place": place,
                    "vendor": vendor,
                    "networks": networks,
                    "lad_code": lad_code or None,
                    "source": cell("source") or None,
                    "date": cell("date") or None,
                    "line": line,
                }
            )
    if not records:
        raise DatasetError(
            f"{filename}: every count cell is blank: write a whole number in each (0 if none were found)"
        )
    result = pd.DataFrame.from_records(
        records, columns=["place", "vendor", "networks", "lad_code", "source", "date", "line"]
    )
    result.attrs["notes"] = [*table.notes, *layout_notes(shape, table, blanks), *_repeat_notes(repeats, seen)]
    return result


def _at(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _counts(
    shape: Layout, table: RawTable, row: list[str], where: str, cell, blanks: dict[str, list[int]], line: int
) -> list[tuple[str, int]]:
    """The row's ``(vendor, networks)`` observations: one (long), or one per non-blank vendor column (wide)."""
    if not shape.wide:
        vendor = _VENDOR_WORDS.get((cell("vendor") or shape.vendor or "all").lower())
        if vendor is None:
            raise DatasetError(
                f"{where}: vendor '{shown(cell('vendor'))}' is not one of all, hikvision, dahua: fix the value"
            )
        return [(vendor, parse_count(cell("networks"), where, decimal_comma=table.decimal_comma))]
    counts = []
    for vendor, i in shape.vendor_columns:
        text = _at(row, i)
        if not text:
            blanks.setdefault(vendor, []).append(line)  # said in the notes: no count, not 0
            continue
        counts.append(
            (vendor, parse_count(text, f"{where} ({shown(table.header[i])})", decimal_comma=table.decimal_comma))
        )
    return counts


def layout_notes(shape: Layout, table: RawTable, blanks: Mapping[str, list[int]] | None = None) -> list[str]:
    """What the layout did, in words: read as one column per vendor, each column not used (a wide
    table's total checked against the vendor columns), blank vendor cells."""
    header, notes = table.header, []
    if shape.wide:
        named = [(v, header[i]) for v, i in shape.vendor_columns]
        plain = all(h.strip().lower() == v for v, h in named)
        listed = ", ".join(v if plain else f"{v} (column `{shown(h)}`)" for v, h in named)
        notes.append(f"read as one column per vendor: {listed}; one row per place and vendor")
        if len(named) == 1:
            other = next(v for v in ("hikvision", "dahua") if v != named[0][0])
            notes.append(f"no {other} column: this is a {named[0][0]}-only dataset")
        for vendor, lines in (blanks or {}).items():
            column = header[dict(shape.vendor_columns)[vendor]]
            notes.append(
                f"column `{shown(column)}` is blank on {len(lines):,} row{'s' if len(lines) != 1 else ''} "
                f"({table.unit}{'s' if len(lines) != 1 else ''} {_lines(lines)}): no {vendor} count read there (not 0)"
            )
    elif shape.vendor:
        column = header[shape.fields["networks"]]
        notes.append(
            f"the networks column `{shown(column)}` holds {shape.vendor} counts: read as vendor {shape.vendor}"
        )
    if shape.total is not None:
        notes.append(_total_note(shape, table))
    unused = [
        i for i in shape.unused if i != shape.total and (header[i].strip() or any(_at(r, i) for _, r in table.rows))
    ]
    if unused:
        names = ", ".join(
            f"`{shown(header[i])}`" if header[i].strip() else f"{column_letter(i + 1)} (no header)" for i in unused
        )
        notes.append(f"column{'s' if len(unused) != 1 else ''} {names} not used")
    return notes


def _total_note(shape: Layout, table: RawTable) -> str:
    """A wide table's total column: not used (the vendor columns are), and whether it is their sum."""
    assert shape.total is not None
    name = f"column `{shown(table.header[shape.total])}` not used"
    vendors = " + ".join(v for v, _ in shape.vendor_columns)
    differ: list[tuple[int, str, int]] = []
    for line, row in table.rows:
        parts = []
        try:
            parts = [
                parse_count(_at(row, i), "", decimal_comma=table.decimal_comma)
                for _, i in shape.vendor_columns
                if _at(row, i)
            ]
            total = parse_count(_at(row, shape.total), "", decimal_comma=table.decimal_comma)
        except DatasetError:
            differ.append((line, _at(row, shape.total), sum(parts)))
            continue
        if total != sum(parts):
            differ.append((line, str(total), sum(parts)))
    if not differ:
        return f"{name}: it equals {vendors} on every row"
    line, written, summed = differ[0]
    return (
        f"{name}: the vendor columns were read, and it differs from {vendors} on {len(differ):,} "
        f"row{'s' if len(differ) != 1 else ''} ({table.unit} {line}: {shown(written, 20)} against {summed:,})"
    )


def _lines(lines: list[int]) -> str:
    more = f" and {len(lines) - _NOTED_LINES:,} more" if len(lines) > _NOTED_LINES else ""
    return ", ".join(str(n) for n in lines[:_NOTED_LINES]) + more


# The longest text each cell may hold, in characters: a longer place is no place name (the
# longest UK name has 58 letters) and would cost fuzzy matching on every view.
_CELL_LIMITS = {"place": MAX_PLACE_NAME, "lad_code": MAX_PLACE_NAME, "source": MAX_SOURCE, "date": MAX_DATE}
_CELL_FIXES = {
    "place": "write the place's name (or leave it empty and give its lad_code)",
    "lad_code": "write a GSS code such as E08000035",
    "source": "shorten it (the dataset's own source can say more)",
    "date": "write a date such as 2026-11-28",
}


def _check_lengths(where: str, **cells: str) -> None:
    """Refuse the first cell longer than its :data:`_CELL_LIMITS` bound, naming its length and the fix."""
    for name, text in cells.items():
        if len(text) > _CELL_LIMITS[name]:
            raise DatasetError(
                f"{where}: {name} is {len(text):,} characters, over the {_CELL_LIMITS[name]}-character limit: "
                f"{_CELL_FIXES[name]}"
            )


def _repeat_notes(repeats: dict[str, int], seen: dict[str, tuple[int, int, str]]) -> list[str]:
    notes = [
        f"{seen[key][2]!r} appears {times} times with the same count; counted once"
        for key, times in sorted(repeats.items(), key=lambda item: seen[item[0]][0])[:_NOTED_REPEATS]
    ]
    if len(repeats) > _NOTED_REPEATS:
        notes.append(
            f"{len(repeats) - _NOTED_REPEATS:,} more names appear more than once with the same count; each counted once"
        )
    return notes
