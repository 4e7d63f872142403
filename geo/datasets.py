"""Observation datasets: the :class:`Dataset` type, users' uploaded tables and the user's own
place choices (dataset folders, shipped ones included, and their zips are :mod:`geo.dataset_folders`). :func:`observations_from_table` validates a table strictly and names the line
and the fix for every problem; it never returns a half-valid table.

An observation is ``place, vendor, networks`` (+ optional ``lad_code, source, date``).
Reading files into text cells (decoding, delimiters, workbooks, upload limits) is
:mod:`geo.tables`; reading counts is :mod:`geo.counts`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
import string
from dataclasses import dataclass, field, replace
from typing import Mapping

import pandas as pd

from geo.counts import parse_count
from geo.errors import DatasetError
from geo.exports import restore_cell
from geo.limits import MAX_CHOICES, MAX_TABLE_PLACES_ENV, TableLimits
from geo.tables import RawTable, clean_header, file_label, read_table
from geo.text import MAX_DATE, MAX_PLACE_NAME, MAX_SOURCE, shown
from geo.workbooks import column_letter

__all__ = [
    "VENDORS", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "Dataset", "from_upload", "with_choices", "choices_csv",
    "read_choices", "parse_observations", "observations_from_table",
]

VENDORS = ("all", "hikvision", "dahua")
REQUIRED_COLUMNS = ("place", "networks")
OPTIONAL_COLUMNS = ("vendor", "lad_code", "source", "date")
_VENDOR_WORDS = {
    "all": "all", "both": "all", "combined": "all", "total": "all",
    "hikvision": "hikvision", "hik": "hikvision", "dahua": "dahua",
}
_CODE_WRAPPING = string.punctuation + string.whitespace
_NOTED_REPEATS = 20  # repeated names listed one by one in the notes before a summary


@dataclass(frozen=True)
class Dataset:
    """Observations plus their provenance."""

    id: str
    title: str
    observations: pd.DataFrame
    source: str = "uploaded by you"
    url: str | None = None
    licence: str | None = None
    date: str = "not stated"  # when the counts were made (ISO date or month), if known
    description: str = ""
    method_notes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what the loader did (e.g. dropped duplicate rows)
    # The user's own resolutions: (name as written, place or GSS code it means).
    choices: tuple[tuple[str, str], ...] = field(default=())
    published: str | None = None  # when the source published them (ISO date or month)
    source_short: str | None = None  # the source in a few words, for map footers
    # The Frictionless descriptor it was read from (shipped, folder, zip or scan), kept whole
    # so saving the dataset again keeps every provenance field.
    package: dict | None = field(default=None, compare=False, hash=False)

    @property
    def date_label(self) -> str:
        """When the counts are from, in words: "counted 28 November 2026", "published November 2021 (scan date not stated)"."""
        counted = _readable_date(self.date)
        published = _readable_date(self.published) if self.published else None
        if counted and published and counted != published:
            return f"counted {counted}, published {published}"
        if counted:
            return f"counted {counted}"
        if published:
            return f"published {published} (scan date not stated)"
        return "date not stated"

    @property
    def when(self) -> datetime | None:
        """When the counts are from, for putting datasets in order: the count's date (and UTC time
        where given), else the publication date; None when neither is a date."""
        return parse_when(self.date) or (parse_when(self.published) if self.published else None)

    @property
    def vendors(self) -> tuple[str, ...]:
        """The vendors present: ``('all',)`` for a combined-only dataset."""
        return tuple(v for v in VENDORS if v in set(self.observations["vendor"]))

    @property
    def splits_vendors(self) -> bool:
        """True when the dataset counts Hikvision and Dahua separately."""
        return any(v in ("hikvision", "dahua") for v in self.vendors)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


_WHEN_PATTERNS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H%M%z", "%Y-%m-%d", "%Y-%m", "%Y")


def parse_when(value: str | None) -> datetime | None:
    """A dataset's date as a UTC datetime: "2026-12-01T06:00Z", "2026-12-01T0600Z", "2026-12-01",
    "2021-11" (its first day), "2021"; None for anything else ("not stated", "late 2021")."""
    text = str(value or "").strip().replace("Z", "+00:00").replace("+0000", "+00:00")
    for pattern in _WHEN_PATTERNS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=parsed.tzinfo or timezone.utc).astimezone(timezone.utc)
    return None


def _readable_date(value: str | None) -> str | None:
    """"2021-11" -> "November 2021", "2026-11-28" -> "28 November 2026"; other text as it is; None if unknown."""
    text = str(value or "").strip()
    if not text or text.lower() in ("not stated", "unknown", "none"):
        return None
    for pattern, shown in (("%Y-%m-%d", "{d.day} {month} {d.year}"), ("%Y-%m", "{month} {d.year}")):
        try:
            parsed = datetime.strptime(text[:10], pattern)
        except ValueError:
            continue
        return shown.format(d=parsed, month=_MONTHS[parsed.month - 1])
    return text


def from_upload(
    data: bytes,
    filename: str,
    max_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    title: str | None = None,
    source: str | None = None,
    limits: TableLimits | None = None,
) -> Dataset:
    """A :class:`Dataset` from the bytes of a user's CSV or XLSX table (see :func:`parse_observations`)."""
    observations = parse_observations(data, filename, max_bytes=max_bytes, mapping=mapping, limits=limits)
    digest = hashlib.sha256(data + repr(sorted((mapping or {}).items())).encode()).hexdigest()[:16]
    name = file_label(filename)  # a visitor's file name: one line, bounded, no invisible characters
    return Dataset(
        id=f"upload-{digest}",
        title=title or f"Your table: {name}",
        observations=observations,
        source=source or f"uploaded file {name}",
        notes=tuple(observations.attrs.get("notes", ())),
    )


def with_choices(dataset: Dataset, choices: Mapping[str, str]) -> Dataset:
    """``dataset`` with the user's place choices added (a new id, so caches key on them).

    Every choice is bounded as :func:`read_choices` bounds it (typed picks included), and the
    dataset may carry at most :data:`~geo.limits.MAX_CHOICES` of them.
    """
    merged = dict(dataset.choices)
    for name, target in choices.items():
        if str(target).strip():
            _check_choice(str(name), str(target), "your place choices")
            merged[str(name)] = str(target)
    if len(merged) > MAX_CHOICES:
        raise DatasetError(
            f"{dataset.title} would carry {len(merged):,} place choices, over the limit of {MAX_CHOICES:,}: "
            "fix the names in the table itself, or give its rows a lad_code"
        )
    pairs = tuple(sorted(merged.items()))
    base = dataset.id.split("~", 1)[0]
    digest = hashlib.sha256(repr(pairs).encode()).hexdigest()[:10]
    title = dataset.title if dataset.choices else f"{dataset.title} (with your place choices)"
    return replace(dataset, id=f"{base}~{digest}" if pairs else base, title=title, choices=pairs)


def choices_csv(choices: tuple[tuple[str, str], ...]) -> str:
    """The choices as an aliases CSV (``alias,target``) to keep and load again."""
    from geo.exports import safe_csv

    return safe_csv(pd.DataFrame(list(choices), columns=["alias", "target"]))


def read_choices(data: bytes, filename: str) -> dict[str, str]:
    """Choices from an aliases CSV saved earlier (columns ``alias, target``).

    At most :data:`~geo.limits.MAX_CHOICES` rows (every choice costs work on every view), each
    alias and target at most :data:`~geo.text.MAX_PLACE_NAME` characters (no place name is
    longer, so a longer alias could never match); more is refused in one line.
    """
    table = read_table(data, filename)
    filename = table.filename
    header = [clean_header(h) for h in table.header]
    if "alias" not in header or "target" not in header:
        raise DatasetError(f"{filename} lacks columns alias, target: upload a choices file saved from this page")
    if len(table.rows) > MAX_CHOICES:
        raise DatasetError(
            f"{filename} holds {len(table.rows):,} choices, over the limit of {MAX_CHOICES:,}: keep one row per "
            "name that needs fixing (the page saves them so)"
        )
    a, t = header.index("alias"), header.index("target")
    choices = {}
    for line, row in table.rows:
        alias = row[a].strip() if a < len(row) else ""
        target = row[t].strip() if t < len(row) else ""
        if alias and target:
            alias = str(restore_cell(alias))  # undo the apostrophe safe_csv puts before formula-looking text
            _check_choice(alias, target, f"{filename} {table.unit} {line}")
            choices[alias] = target
    return choices


def _check_choice(alias: str, target: str, where: str) -> None:
    """Refuse a choice whose name or target is longer than any place name."""
    for what, text in (("name", alias), ("place", target)):
        if len(text) > MAX_PLACE_NAME:
            raise DatasetError(
                f"{where}: the {what} '{shown(text)}' is {len(text):,} characters, over the {MAX_PLACE_NAME}-character "
                "limit for place names: choose a place by its name or GSS code"
            )


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
    (``{"place": "City", "networks": "Count"}``); without it the headers must be the
    contract's own names. ``limits`` (default: :meth:`TableLimits.from_env`) bound the work;
    ``max_bytes`` overrides their byte limit; ``delimiter`` is the CSV's when known (else guessed).
    Every problem raises :class:`DatasetError`
    naming the file, line (or spreadsheet row) and the fix; nothing half-valid is returned.
    The frame's ``attrs["notes"]`` say what loading did (collapsed repeats, decoding).
    """
    limits = limits or TableLimits.from_env()
    return observations_from_table(read_table(data, filename, max_bytes, limits, delimiter), mapping, limits)


def observations_from_table(
    table: RawTable, mapping: Mapping[str, str | None] | None = None, limits: TableLimits | None = None
) -> pd.DataFrame:
    """Validate a :class:`RawTable`; see :func:`parse_observations`.

    Rows are keyed by place as written (:func:`geo.places.place_key`, which keeps qualifiers:
    "Bangor (Gwynedd)" and "Bangor (Ards and North Down)" are two places), ``lad_code`` and
    vendor: identical repeats collapse to one with a note, the same key with different counts
    is refused. More than ``limits.max_places`` distinct places is refused at the first extra one.
    """
    from geo.places import place_key  # local: places imports heavier modules

    max_places = (limits or TableLimits.from_env()).max_places
    filename, unit = table.filename, table.unit
    header = _header_fields(table, mapping)
    index = {name: header.index(name) for name in header if name}
    records: list[dict] = []
    seen: dict[str, tuple[int, int, str]] = {}  # key → (line, networks, place) of its first row
    repeats: dict[str, int] = {}
    places: set[str] = set()
    keys: dict[str, str] = {}  # place as written → place_key (tables repeat names per vendor)
    for line, row in table.rows:
        where = f"{filename} {unit} {line}"
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            if unit == "row":
                raise DatasetError(
                    f"{where}: a value in column {column_letter(len(row))}, right of the header's {len(header)} "
                    f"columns: delete the cells to the right of the table in row {line}"
                )
            raise DatasetError(f"{where}: {len(row)} fields but the header has {len(header)}: quote names that contain the delimiter")

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        place, lad_code = cell("place"), cell("lad_code").strip(_CODE_WRAPPING).upper()
        if not place and not lad_code:
            raise DatasetError(f"{where}: place is empty: name the place or give its lad_code")
        _check_lengths(where, place=place, lad_code=lad_code, source=cell("source"), date=cell("date"))
        vendor = _VENDOR_WORDS.get((cell("vendor") or "all").lower())
        if vendor is None:
            raise DatasetError(f"{where}: vendor '{shown(cell('vendor'))}' is not one of all, hikvision, dahua: fix the value")
        networks = parse_count(cell("networks"), where, decimal_comma=table.decimal_comma)
        place = place or lad_code
        name_key = keys.get(place)
        if name_key is None:
            name_key = keys[place] = place_key(place)
        if not lad_code and not any(ch.isalnum() for ch in name_key):
            # "???", "---" and "!!!" all normalise to "": read on, they would merge into one place.
            raise DatasetError(f"{where}: place '{shown(place)}' has no letters or digits: name the place or give its lad_code")
        if name_key not in places:
            if len(places) >= max_places:
                raise DatasetError(
                    f"{filename} names more than {max_places:,} distinct places (the limit; {unit} {line} is the first "
                    f"beyond it): aggregate to local authorities (one row per lad_code), or raise {MAX_TABLE_PLACES_ENV}"
                )
            places.add(name_key)
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
    result = pd.DataFrame.from_records(records)
    result.attrs["notes"] = [*table.notes, *_repeat_notes(repeats, seen)]
    return result


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


def _header_fields(table: RawTable, mapping: Mapping[str, str | None] | None) -> list[str]:
    """The field each column holds (``""`` for none), checked: required fields present, none twice, rows present."""
    filename = table.filename
    header = [clean_header(h) for h in table.header]
    if mapping:
        header = [""] * len(table.header)
        for field_name, column in mapping.items():
            if not column:
                continue
            if column not in table.header:
                raise DatasetError(f"{filename} has no column '{shown(column)}': pick one of {_columns(table.header)}")
            header[table.header.index(column)] = field_name
        # A field the mapping does not mention is read from a column of its own name (the Data
        # page once mapped only place, networks, vendor and lad_code, and dropped source and date).
        cleaned = [clean_header(h) for h in table.header]
        for field_name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            if field_name not in mapping and field_name in cleaned and not header[cleaned.index(field_name)]:
                header[cleaned.index(field_name)] = field_name
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DatasetError(
            f"{filename} lacks column(s) {', '.join(missing)} (found: {_columns(table.header) or 'none'}): "
            "name the columns place and networks (optional: vendor, lad_code, source, date), or map them"
        )
    named = [h for h in header if h]
    if len(named) != len(set(named)):
        raise DatasetError(f"{filename} repeats a column name in its header: give each column one name")
    if not table.rows:
        raise DatasetError(f"{filename} has a header but no rows: add one row per place")
    return header


def _columns(header: list[str]) -> str:
    """A header's column names as a message lists them: quoted with :func:`geo.text.shown`, cut short."""
    return shown(", ".join(header), 200)


def _repeat_notes(repeats: dict[str, int], seen: dict[str, tuple[int, int, str]]) -> list[str]:
    notes = [
        f"{seen[key][2]!r} appears {times} times with the same count; counted once"
        for key, times in sorted(repeats.items(), key=lambda item: seen[item[0]][0])[:_NOTED_REPEATS]
    ]
    if len(repeats) > _NOTED_REPEATS:
        notes.append(f"{len(repeats) - _NOTED_REPEATS:,} more names appear more than once with the same count; each counted once")
    return notes
