"""Tables as people download them: rounded figures with their source, as CSV that spreadsheets cannot execute."""

from __future__ import annotations

import io

import pandas as pd

# Spreadsheet apps run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix formula-looking text with an apostrophe; numbers and other values pass unchanged.

    Text that already starts with an apostrophe and a formula character gets one more, so
    :func:`restore_cell` gives back every string exactly (a saved dataset reopens as it was).
    """
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """Undo :func:`neutralise_cell` on text read back from a CSV this project wrote ("'=SUM(1)" -> "=SUM(1)")."""
    if isinstance(value, str) and value[:1] == "'" and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


def _flatten(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with lists joined by spaces and formula-looking text cells neutralised."""
    clean = frame.copy()
    for column in clean.columns:
        # Object and pandas string dtypes alike (pandas 3 stores text as "str", not object).
        if not pd.api.types.is_numeric_dtype(clean[column]) and not pd.api.types.is_bool_dtype(clean[column]):
            clean[column] = clean[column].map(_flatten).map(neutralise_cell)
    return clean


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV text of ``frame`` with lists joined by spaces and formula-looking cells neutralised."""
    buffer = io.StringIO()
    neutralised(frame).to_csv(buffer, index=False)
    return buffer.getvalue()


# Decimals kept in downloads: enough to recompute a figure, not 15 digits of float noise.
DOWNLOAD_DECIMALS = {
    "per_1k": 3,
    "per_km2": 3,
    "share": 5,
    "index_uk": 1,
    "coverage": 4,
    "area_km2": 1,
    "covered_area_km2": 1,
    "town_lon": 5,
    "town_lat": 5,  # about a metre: as GeoNames gives them
}


def figures_for_download(frame: pd.DataFrame, source: str, date: str) -> pd.DataFrame:
    """A table of figures as people download it: rounded, with its source and date on every row."""
    out = frame.round({k: v for k, v in DOWNLOAD_DECIMALS.items() if k in frame.columns})
    return out.assign(source=source, date=date)
