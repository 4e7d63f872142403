"""Reading the first sheet of a user's XLSX workbook into text cells, safely.

An XLSX is a zip of XML parts, and a small upload can unpack to gigabytes (one 1.5 GB shared
string; a cell in column XFD on every row, which openpyxl pads to 16,384 cells). So before
openpyxl opens anything, :func:`check_parts` reads the zip's directory and refuses parts over
the :class:`~geo.datasets.limits.TableLimits` (``zipfile`` never inflates a part past its declared
size, so a lying header cannot unpack more). Rows are then streamed in read-only mode and
each one is checked before the next is read (see :func:`sheet_rows`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from geo.core.errors import DatasetError
from geo.datasets.limits import MAX_PARTS, TableLimits, format_size

_SAVE_AS_CSV = "delete what the table does not need, or save the sheet as CSV"


def is_xlsx(data: bytes) -> bool:
    """True when ``data`` is a zip holding an Excel workbook part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def check_parts(data: bytes, filename: str, limits: TableLimits) -> None:
    """Refuse a workbook whose parts would unpack past ``limits`` (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise DatasetError(
            f"{filename} cannot be read as a workbook ({type(exc).__name__}): save it again as .xlsx"
        ) from None
    if len(parts) > MAX_PARTS:
        raise DatasetError(f"{filename} holds {len(parts):,} parts (the limit is {MAX_PARTS:,}): {_SAVE_AS_CSV}")
    for part in parts:
        # Worksheets are streamed row by row; every other part (shared strings, styles…) is read whole.
        sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
        limit = limits.max_sheet if sheet else limits.max_part
        if part.file_size > limit:
            raise DatasetError(
                f"{filename} part {part.filename} unpacks to {format_size(part.file_size, round_up=True)}, over the "
                f"{format_size(limit)} limit for {'a sheet' if sheet else 'a workbook part'}: {_SAVE_AS_CSV}"
            )
    total = sum(part.file_size for part in parts)
    if total > limits.max_unpacked:
        raise DatasetError(
            f"{filename} unpacks to {format_size(total, round_up=True)}, over the {format_size(limits.max_unpacked)} "
            f"limit for workbooks: {_SAVE_AS_CSV}"
        )


def sheet_rows(data: bytes, filename: str, limits: TableLimits) -> Iterator[tuple[int, int, list[str]]]:
    """The first sheet's rows as ``(row number, cells read, text cells without trailing blanks)``.

    The sheet's recorded dimensions are ignored (they can lie, and openpyxl pads every row to
    them), so each row is as wide as its last written cell, at most 16,384 (XFD). A row with a
    value beyond ``limits.max_columns`` is refused at once, before the next row is read.
    """
    check_parts(data, filename, limits)
    import openpyxl  # only needed for spreadsheets

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DatasetError(
            f"{filename} cannot be read as a workbook ({type(exc).__name__}): save it again as .xlsx"
        ) from None
    try:
        if not workbook.worksheets:
            raise DatasetError(f"{filename} has no sheet with cells: put the table on the first sheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(values, None)
            except Exception as exc:  # damaged XML or zip data part-way through
                raise DatasetError(
                    f"{filename} row {number + 1} cannot be read ({type(exc).__name__}): save the workbook again as .xlsx"
                ) from None
            if row is None:
                return
            number += 1
            last = len(row)
            while last and _blank(row[last - 1]):
                last -= 1
            if last > limits.max_columns:
                raise DatasetError(
                    f"{filename} row {number} has data in column {column_letter(last)}, beyond the "
                    f"{limits.max_columns}-column limit: delete the cells to the right of the table in row {number}"
                )
            yield number, len(row), [cell_text(v) for v in row[:last]]
    finally:
        workbook.close()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell value as text: '' for empty cells; 120.0 (how Excel stores 120) as '120'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_letter(index: int) -> str:
    """The spreadsheet name of 1-based column ``index``: 1 → 'A', 28 → 'AB', 16384 → 'XFD'."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index)
