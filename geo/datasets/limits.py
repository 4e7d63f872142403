"""How much work one upload may cause: the limits on users' tables and workbooks (the
settable ones read through :mod:`geo.settings`), and the one size formatter every limit message uses.

Sizes are binary megabytes (1 MB = 1024² bytes) both in settings and in messages, so a file
is never reported "21.0 MB, over the 21 MB limit" for a 20 MB limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geo import settings

MB = settings.MB
KB = 1024

MAX_TABLE_MB_ENV = settings.MAX_TABLE_MB
MAX_TABLE_ROWS_ENV = settings.MAX_TABLE_ROWS
MAX_TABLE_PLACES_ENV = settings.MAX_TABLE_PLACES

DEFAULT_MAX_BYTES = settings.default_bytes(MAX_TABLE_MB_ENV)
DEFAULT_MAX_ROWS = settings.default_count(MAX_TABLE_ROWS_ENV)
DEFAULT_MAX_PLACES = settings.default_count(MAX_TABLE_PLACES_ENV)
DEFAULT_MAX_COLUMNS = 60
# Place choices one dataset (or one choices file) may carry: one per distinct place at most.
# Every choice is an alias the resolver checks on each view, so 600,000 of them cost ~11 CPU-s a view.
MAX_CHOICES = DEFAULT_MAX_PLACES
# Rows × columns a table may hand the parser (blank rows count as one cell each): ten
# cells per allowed row on average, so the bound moves with CAMERA_ATLAS_MAX_TABLE_ROWS.
CELLS_PER_ROW = 10
# An XLSX is a zip: what its parts may unpack to before openpyxl is allowed to read them.
DEFAULT_MAX_UNPACKED = 128 * MB  # all parts together
DEFAULT_MAX_SHEET = 64 * MB  # one worksheet (openpyxl streams these row by row)
DEFAULT_MAX_PART = 32 * MB  # shared strings, styles, … (openpyxl reads these whole)
MAX_PARTS = 1_000  # zip members (a workbook has a few dozen)


def format_size(size: int, round_up: bool = False) -> str:
    """A byte count for messages: '200 MB', '74.6 MB', '12.5 KB', '80 bytes' (binary units).

    ``round_up`` rounds to the next tenth instead of the nearest, so a size just over a
    limit never prints as the limit itself ('20.1 MB, over the 20 MB limit').
    """
    for unit, scale in (("MB", MB), ("KB", KB)):
        if size >= scale:
            value = math.ceil(size / scale * 10) / 10 if round_up else size / scale
            return f"{value:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def max_table_bytes() -> int:
    """Upload limit for tables: ``CAMERA_ATLAS_MAX_TABLE_MB`` megabytes (default 20)."""
    return settings.megabytes(MAX_TABLE_MB_ENV)


def max_table_rows() -> int:
    """Rows a table may have: ``CAMERA_ATLAS_MAX_TABLE_ROWS`` (default 200,000)."""
    return settings.count(MAX_TABLE_ROWS_ENV)


def max_table_places() -> int:
    """Distinct places a table may name: ``CAMERA_ATLAS_MAX_TABLE_PLACES`` (default 10,000)."""
    return settings.count(MAX_TABLE_PLACES_ENV)


@dataclass(frozen=True)
class TableLimits:
    """Every bound on one table upload. :meth:`from_env` reads the settings; tests pass small ones."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_places: int = DEFAULT_MAX_PLACES
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_cells: int | None = None  # None: CELLS_PER_ROW × max_rows
    max_unpacked: int = DEFAULT_MAX_UNPACKED
    max_sheet: int = DEFAULT_MAX_SHEET
    max_part: int = DEFAULT_MAX_PART

    @property
    def cells(self) -> int:
        """The cell budget (rows × columns read, blank rows counting one)."""
        return self.max_cells if self.max_cells is not None else CELLS_PER_ROW * self.max_rows

    @classmethod
    def from_env(cls) -> TableLimits:
        """The limits in force: defaults, with the ``CAMERA_ATLAS_MAX_TABLE_*`` settings applied."""
        return cls(max_bytes=max_table_bytes(), max_rows=max_table_rows(), max_places=max_table_places())
