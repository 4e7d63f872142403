"""Reading a user's table — CSV/TSV text or an XLSX workbook — into text cells.

:func:`read_table` checks the file type and size, decodes text (:func:`decode_table_text`),
picks the delimiter, and streams the rows through the upload limits
(:class:`~geo.datasets.limits.TableLimits`: bytes, rows, columns, cells), stopping at the first row
over a limit. Which column holds what (:func:`guess_mapping`, re-exported) is :mod:`geo.datasets.columns`.
Validating the cells as observations is :mod:`geo.datasets.dataset`'s job; workbooks are read by
:mod:`geo.datasets.workbooks`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from geo.core.errors import DatasetError
from geo.core.text import MAX_FILE_NAME, cut, strip_invisible
from geo.datasets import workbooks
from geo.datasets.columns import COLUMN_SYNONYMS, clean_header, guess_mapping  # noqa: F401 (re-exported: which column holds what)
from geo.datasets.limits import MAX_TABLE_MB_ENV, MAX_TABLE_ROWS_ENV, TableLimits, format_size

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
DELIMITERS = ",;\t"
# Rows read, blank ones included, may be this many times the row limit (empty spreadsheet
# rows still cost openpyxl ~10 µs each).
BLANK_ALLOWANCE = 2
_NOTED_LINES = 10  # line numbers listed in the encoding note before "and N more"


@dataclass(frozen=True)
class RawTable:
    """A table's header and rows as text, with each row's line (CSV) or row (XLSX) number.

    Rows hold no trailing blank cells and no blank rows. ``delimiter`` is the text file's
    (``""`` for spreadsheets); ``notes`` say what reading did (e.g. lines decoded as
    Windows-1252).
    """

    filename: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str  # "line" for text files, "row" for spreadsheets
    delimiter: str = ","
    notes: tuple[str, ...] = ()

    @property
    def decimal_comma(self) -> bool:
        """True for ``;``-separated files, whose numbers group with ``.`` and mark decimals with ``,``."""
        return self.delimiter == ";"


def file_label(filename: str) -> str:
    """A visitor's file name as messages and titles show it: one line, no invisible characters,
    at most :data:`~geo.core.text.MAX_FILE_NAME` characters, its suffix kept (it says the file's type)."""
    name = " ".join(strip_invisible(str(filename)).split()) or "(unnamed file)"
    if len(name) <= MAX_FILE_NAME:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    return cut(name[: len(name) - len(suffix)], MAX_FILE_NAME - len(suffix)) + suffix


def read_table(
    data: bytes,
    filename: str,
    max_bytes: int | None = None,
    limits: TableLimits | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """Read a CSV/TSV or XLSX upload into text cells; refuse wrong types and oversized tables with the fix.

    ``limits`` defaults to :meth:`TableLimits.from_env`; ``max_bytes`` overrides its byte limit.
    ``delimiter`` is the text file's when it is known (a dataset folder's CSV is comma-separated);
    otherwise it is guessed from the first lines, as for a user's own table.
    ``filename`` is shown as :func:`file_label` writes it, in messages and in the result.
    """
    filename = file_label(filename)
    limits = limits or TableLimits.from_env()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    if len(data) > limits.max_bytes:
        raise DatasetError(
            f"{filename} is {format_size(len(data), round_up=True)}, over the {format_size(limits.max_bytes)} limit: "
            f"split it, or aggregate to one row per place and vendor (or raise {MAX_TABLE_MB_ENV})"
        )
    suffix = Path(filename).suffix.lower()
    if suffix and suffix not in TABLE_SUFFIXES:
        raise DatasetError(f"{filename} is not a table ({suffix}): upload a .csv or .xlsx file")
    if suffix == ".xlsx":
        if not workbooks.is_xlsx(data):
            raise DatasetError(f"{filename} is not an Excel workbook: save it as .xlsx, or upload it as .csv")
        records: Iterator[tuple[int, int, list[str]]] = workbooks.sheet_rows(data, filename, limits)
        unit, delimiter = "row", ""
        notes: tuple[str, ...] = ()
    else:
        text, notes = decode_table_text(data, filename)
        delimiter = delimiter or sniff_delimiter(text)
        records = _csv_rows(text, delimiter, filename)
        unit = "line"
    rows = _collect(records, filename, unit, limits)
    if not rows:
        raise DatasetError(f"{filename} is empty: upload a table with a header 'place, networks' and one row per place")
    header = [h.strip() for h in rows[0][1]]
    return RawTable(filename=filename, header=header, rows=rows[1:], unit=unit, delimiter=delimiter, notes=notes)


def _collect(
    records: Iterator[tuple[int, int, list[str]]], filename: str, unit: str, limits: TableLimits
) -> list[tuple[int, list[str]]]:
    """The non-blank rows of ``records``, refusing the first row over a limit (nothing more is read)."""
    rows: list[tuple[int, list[str]]] = []
    cells = read = 0
    try:
        for number, width, row in records:
            cells += max(width, 1)
            read += 1
            if read > BLANK_ALLOWANCE * limits.max_rows + 1:
                raise DatasetError(
                    f"{filename} has more than {BLANK_ALLOWANCE * limits.max_rows:,} rows counting blank ones (by {unit} "
                    f"{number:,}): delete the blank rows (this limit grows with {MAX_TABLE_ROWS_ENV})"
                )
            if cells > limits.cells:
                raise DatasetError(
                    f"{filename} has over {limits.cells:,} cells (rows × columns, a blank row counting one) by {unit} "
                    f"{number:,}: delete unused columns and blank rows (this limit grows with {MAX_TABLE_ROWS_ENV})"
                )
            if not row:
                continue
            if len(row) > limits.max_columns:
                fix = "delete the columns you do not need" if not rows else "quote names that contain the delimiter"
                raise DatasetError(
                    f"{filename} {unit} {number} has {len(row)} fields, over the {limits.max_columns}-column limit: {fix}"
                )
            rows.append((number, row))
            if len(rows) > limits.max_rows + 1:  # the header plus max_rows rows
                raise DatasetError(
                    f"{filename} has more than {limits.max_rows:,} rows (the limit): aggregate to one row per place "
                    f"and vendor, or raise {MAX_TABLE_ROWS_ENV}"
                )
    finally:
        close = getattr(records, "close", None)
        if close:
            close()  # a workbook's archive is closed at once, not when garbage-collected
    return rows


def _csv_rows(text: str, delimiter: str, filename: str) -> Iterator[tuple[int, int, list[str]]]:
    """``(first line, fields read, fields without trailing blanks)`` for each CSV record.

    ``newline=""`` lets the csv module end records at CR, LF or CRLF (old Mac, Unix, Windows,
    or a mixture) while keeping line breaks inside quoted fields.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            width = len(row)
            while row and not row[-1].strip():
                row.pop()
            yield start, width, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DatasetError(
            f"{filename} line {reader.line_num} is not valid CSV ({exc}): check its quotes and save it as CSV again"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,``, ``;`` or tab) of a text table; ``,`` if unclear.

    The header decides when just one of them appears in it: column names are the table's own
    words, while a place such as "x';'x';'" in the rows could tip a guess made from them.
    Otherwise the first lines are judged (``csv.Sniffer``).
    """
    sample = re.sub(r"\r\n?", "\n", text[:4096])
    header = sample.split("\n", 1)[0]
    present = [d for d in DELIMITERS if d in header]
    if len(present) == 1:
        return present[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def decode_table_text(data: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """Decode a text table, and notes on what decoding did; refuse binaries with the fix.

    A UTF-8 byte-order mark is dropped first. The text is UTF-8; a line that is not (say a
    name typed on Windows into an otherwise UTF-8 file) is read as Windows-1252, alone, and
    a note names those lines.
    """
    if not data or not data.strip():
        raise DatasetError(
            f"{filename} is empty: upload a CSV with a header line 'place,networks' and one row per place"
        )
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise DatasetError(f"{filename} is UTF-16 text: save it as CSV UTF-8 (or Latin-1) and upload again")
    if data[:4] == b"PK\x03\x04":
        if workbooks.is_xlsx(data):
            raise DatasetError(
                f"{filename} is an Excel workbook with a text name: rename it to .xlsx, or save it as CSV"
            )
        raise DatasetError(f"{filename} is a zip archive, not a table: unzip it and upload the CSV inside")
    if data[:2] == b"\x1f\x8b":
        raise DatasetError(f"{filename} is gzip-compressed: unzip it first (or import it as a Shodan export)")
    if b"\x00" in data[:8192]:
        raise DatasetError(f"{filename} is a binary file, not CSV text: export the table as CSV")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    lines, fallback = [], []
    # bytes.splitlines breaks at CR, LF and CRLF only, as the csv reader does: numbers agree.
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            fallback.append(number)
    return "".join(lines), (_fallback_note(fallback),)


def _fallback_note(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:_NOTED_LINES])
    more = f" and {len(numbers) - _NOTED_LINES:,} more" if len(numbers) > _NOTED_LINES else ""
    word = "line" if len(numbers) == 1 else "lines"
    return (
        f"{word} {shown}{more} {'is' if len(numbers) == 1 else 'are'} not UTF-8 text and {'was' if len(numbers) == 1 else 'were'} "
        "read as Windows-1252: check the accented names there, or save the file as CSV UTF-8"
    )
