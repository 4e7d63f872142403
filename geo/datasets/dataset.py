"""Observation datasets: the :class:`Dataset` type, users' uploaded tables with their source and
date, and the user's own place choices (dataset folders, shipped ones included, and their zips
are :mod:`geo.datasets.folders`).

An observation is ``place, vendor, networks`` (+ optional ``lad_code, source, date``).
Reading files into text cells (decoding, delimiters, workbooks, upload limits) is
:mod:`geo.datasets.tables`; which column holds what (long tables, one column per vendor) is
:mod:`geo.datasets.columns`; validating the cells is :mod:`geo.datasets.observations`
(:func:`parse_observations`, re-exported here); reading counts is :mod:`geo.datasets.counts`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import pandas as pd

from geo.core.errors import DatasetError
from geo.core.text import MAX_DATE, MAX_PLACE_NAME, MAX_SOURCE, MONTHS, invisible, one_line, shown
from geo.datasets.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, guess_mapping
from geo.datasets.exports import restore_cell
from geo.datasets.limits import MAX_CHOICES, TableLimits
from geo.datasets.observations import observations_from_table, parse_observations
from geo.datasets.tables import RawTable, clean_header, file_label, read_table

__all__ = [
    "VENDORS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "Dataset",
    "from_upload",
    "with_choices",
    "choices_csv",
    "read_choices",
    "parse_observations",
    "observations_from_table",
    "parse_when",
    "readable_date",
    "checked_date",
    "checked_source",
    "date_in_file_name",
    "guess_provenance",
]

VENDORS = ("all", "hikvision", "dahua")


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
        """When the counts are from, in words: "counted 28 November 2026", "published November 2021, scan date not stated"."""
        counted = readable_date(self.date)
        published = readable_date(self.published) if self.published else None
        if counted and published and counted != published:
            return f"counted {counted}, published {published}"
        if counted:
            return f"counted {counted}"
        if published:
            return f"published {published}, scan date not stated"
        return "date not stated"

    @property
    def short_name(self) -> str:
        """The dataset in a few words, as captions and headlines name it: its short source, else
        its title (one bounded line: a saved zip can carry anything)."""
        return one_line(self.source_short or self.title, MAX_SOURCE)

    @property
    def vendors(self) -> tuple[str, ...]:
        """The vendors present: ``('all',)`` for a combined-only dataset, ``('hikvision',)`` for a
        table with only a Hikvision column."""
        return tuple(v for v in VENDORS if v in set(self.observations["vendor"]))

    def shown_vendor(self, vendor: str) -> str:
        """The vendor a view of this dataset for ``vendor`` really shows, for labels and file names:
        ``vendor``, except that "all" over a dataset that counted one vendor only is that vendor
        (a Hikvision-only table is never labelled "Hikvision and Dahua")."""
        present = self.vendors
        return present[0] if vendor == "all" and len(present) == 1 and present[0] != "all" else vendor

    @property
    def vendors_label(self) -> str:
        """Which vendors the dataset counts, in words: "Hikvision and Dahua counted separately",
        "Hikvision and Dahua combined", "Hikvision only" (a table with only a Hikvision column)."""
        only = self.shown_vendor("all")
        if only != "all":
            return f"{only.capitalize()} only"
        return "Hikvision and Dahua counted separately" if self.splits_vendors else "Hikvision and Dahua combined"

    @property
    def splits_vendors(self) -> bool:
        """True when the dataset counts Hikvision and Dahua separately."""
        return any(v in ("hikvision", "dahua") for v in self.vendors)


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


def readable_date(value: str | None) -> str | None:
    """ "2021-11" -> "November 2021", "2026-11-28" -> "28 November 2026"; other text as it is; None if unknown."""
    text = str(value or "").strip()
    if not text or text.lower() in ("not stated", "unknown", "none"):
        return None
    for pattern, layout in (("%Y-%m-%d", "{d.day} {month} {d.year}"), ("%Y-%m", "{month} {d.year}")):
        try:
            parsed = datetime.strptime(text[:10], pattern)
        except ValueError:
            continue
        return layout.format(d=parsed, month=MONTHS[parsed.month - 1])
    return text


def from_upload(
    data: bytes,
    filename: str,
    max_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    title: str | None = None,
    source: str | None = None,
    limits: TableLimits | None = None,
    date: str | None = None,
) -> Dataset:
    """A :class:`Dataset` from the bytes of a user's CSV or XLSX table (see :func:`parse_observations`).

    ``source`` and ``date`` are the dataset's own (the Data page's fields, the command line's
    ``--source``/``--date``); left out or empty, they come from the table's ``source`` and
    ``date`` columns when one value holds for every row, the date else from the file's name
    ("city_counts_2025-03.csv" → 2025-03). Both are checked first (:func:`checked_source`,
    :func:`checked_date`): a date that is not one is refused in one line with an example.
    """
    source, date = checked_source(source), checked_date(date)  # refused before any reading
    observations = parse_observations(data, filename, max_bytes=max_bytes, mapping=mapping, limits=limits)
    name = file_label(filename)  # a visitor's file name: one line, bounded, no invisible characters
    found_source, found_date = _provenance(list(observations["source"]), list(observations["date"]), name)
    source, date = source or found_source, date or found_date
    # The source and date name the dataset too: the same file given another date is another
    # dataset (caches key on the id, and a cached snapshot carries the old source line).
    key = repr((sorted((mapping or {}).items()), source, date)).encode()
    digest = hashlib.sha256(data + key).hexdigest()[:16]
    return Dataset(
        id=f"upload-{digest}",
        title=title or f"Your table: {name}",
        observations=observations,
        source=source or f"uploaded file {name}",
        source_short=source or None,
        date=date or "not stated",
        notes=tuple(observations.attrs.get("notes", ())),
    )


# A date in a file's name: "…_2025-03-01", "…20250301", "…_2025-03", "…_2025" (years 1990-2099).
_FILE_DATES = (
    (
        re.compile(r"(?<![0-9])((?:199|20[0-9])[0-9])[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12][0-9]|3[01])(?![0-9])"),
        "{}-{}-{}",
    ),
    (re.compile(r"(?<![0-9])((?:199|20[0-9])[0-9])[-_.](0[1-9]|1[0-2])(?![0-9])"), "{}-{}"),
    (re.compile(r"(?<![0-9])((?:199|20[0-9])[0-9])(?![0-9])"), "{}"),
)
DATE_EXAMPLE = "2025-03-01 or 2025-03"


def date_in_file_name(filename: str) -> str | None:
    """The date a file's name carries, in ISO form ("city_counts_2025-03.csv" → "2025-03",
    "scan-20250301.csv" → "2025-03-01", "counts_2025_long.csv" → "2025"); None if none."""
    stem = str(filename).rsplit("/", 1)[-1]
    for pattern, form in _FILE_DATES:
        for match in pattern.finditer(stem):
            text = form.format(*match.groups())
            if parse_when(text):
                return text
    return None


def checked_date(value: str | None, what: str = "date") -> str | None:
    """A dataset's date as given (one line, ISO: "2025-03-01", "2025-03", "2025", or a UTC time);
    None when empty; a :class:`DatasetError` in one line with an example when it is not a date
    or is longer than :data:`~geo.core.text.MAX_DATE`."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) > MAX_DATE:
        raise DatasetError(
            f"the {what} is {len(text):,} characters, over the {MAX_DATE}-character limit: write it as {DATE_EXAMPLE}"
        )
    if invisible(text) or parse_when(text) is None:
        raise DatasetError(
            f"the {what} '{shown(text)}' is not a date: write it as {DATE_EXAMPLE} (when the counts were made, "
            "else when they were published)"
        )
    year, _, rest = text.partition("-")
    month, _, day = rest.partition("-")
    if rest and month.isdigit() and (not day or day.isdigit()):  # "2025-3" → "2025-03", as file names sort
        return "-".join([year, month.zfill(2), *([day.zfill(2)] if day else [])])
    return text


def checked_source(value: str | None) -> str | None:
    """A dataset's source as given, as one line without invisible characters; None when empty;
    a :class:`DatasetError` in one line when longer than :data:`~geo.core.text.MAX_SOURCE`."""
    text = one_line(value, 10 * MAX_SOURCE) if value is not None else ""
    if len(text) > MAX_SOURCE:
        raise DatasetError(
            f"the source is {len(text):,} characters, over the {MAX_SOURCE}-character limit: name it in a few words "
            "(e.g. Shodan, counted by Jane Doe)"
        )
    return text or None


def guess_provenance(table: RawTable, mapping: Mapping[str, str | None] | None = None) -> tuple[str, str]:
    """The source and date the Data page offers for a table before it is loaded: its ``source``
    and ``date`` columns' value when one holds for every row, the date else from the file's
    name; ``""`` for what is not known."""
    chosen = mapping if mapping is not None else guess_mapping(table.header)

    def column(name: str) -> list[str]:
        header = chosen.get(name)
        i = table.header.index(header) if header in table.header else None
        return [row[i].strip() if i is not None and i < len(row) else "" for _, row in table.rows]

    source, date = _provenance(column("source"), column("date"), table.filename)
    return source or "", date or ""


def _provenance(sources: list, dates: list, filename: str) -> tuple[str | None, str | None]:
    """The dataset's source and date from its rows' values (one value on every row) and its file name."""
    source, date = _single(sources), _single(dates)
    if source is not None and (len(source) > MAX_SOURCE or invisible(source)):
        source = None
    try:
        date = checked_date(date)
    except DatasetError:
        date = None  # e.g. "March 2025": the rows keep it; the dataset's date stays for the user to give
    return (one_line(source, MAX_SOURCE) if source else None), date or date_in_file_name(filename)


def _single(values: list) -> str | None:
    """The one value every row holds (blank counts as a value); None otherwise."""
    found = {str(v).strip() if v is not None and not (isinstance(v, float) and pd.isna(v)) else "" for v in values}
    return found.pop() or None if len(found) == 1 else None


def with_choices(dataset: Dataset, choices: Mapping[str, str]) -> Dataset:
    """``dataset`` with the user's place choices added (a new id, so caches key on them).

    Every choice is bounded as :func:`read_choices` bounds it (typed picks included), and the
    dataset may carry at most :data:`~geo.datasets.limits.MAX_CHOICES` of them.
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
    from geo.datasets.exports import safe_csv

    return safe_csv(pd.DataFrame(list(choices), columns=["alias", "target"]))


def read_choices(data: bytes, filename: str) -> dict[str, str]:
    """Choices from an aliases CSV saved earlier (columns ``alias, target``).

    At most :data:`~geo.datasets.limits.MAX_CHOICES` rows (every choice costs work on every view), each
    alias and target at most :data:`~geo.core.text.MAX_PLACE_NAME` characters (no place name is
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
