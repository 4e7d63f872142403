"""Observation tables: the shipped datasets under ``data/datasets/`` and users' own CSV/XLSX tables.

An observation is ``place, vendor, networks`` (+ optional ``lad_code, source, date``).
:func:`parse_observations` validates a table strictly and names the line and the fix for
every problem; it never returns a half-valid table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

import pandas as pd

from geo.errors import DatasetError

DATASETS_DIR = Path(__file__).resolve().parent.parent / "data" / "datasets"
VENDORS = ("all", "hikvision", "dahua")
REQUIRED_COLUMNS = ("place", "networks")
OPTIONAL_COLUMNS = ("vendor", "lad_code", "source", "date")
# No single place plausibly holds more networks than there are UK IPv4 addresses in use.
MAX_NETWORKS = 50_000_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_INTEGER = re.compile(r"^\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_DECIMAL = re.compile(r"^-?\d*\.\d+$|^-?\d+\.\d*$")


@dataclass(frozen=True)
class Dataset:
    """Observations plus their provenance."""

    id: str
    title: str
    observations: pd.DataFrame
    source: str = "uploaded by you"
    url: str | None = None
    licence: str | None = None
    date: str = "not stated"
    description: str = ""
    method_notes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what the loader did (e.g. dropped duplicate rows)
    # The user's own resolutions: (name as written, place or GSS code it means).
    choices: tuple[tuple[str, str], ...] = field(default=())

    @property
    def vendors(self) -> tuple[str, ...]:
        """The vendors present: ``('all',)`` for a combined-only dataset."""
        return tuple(v for v in VENDORS if v in set(self.observations["vendor"]))

    @property
    def splits_vendors(self) -> bool:
        """True when the dataset counts Hikvision and Dahua separately."""
        return any(v in ("hikvision", "dahua") for v in self.vendors)


def dataset_dirs() -> list[Path]:
    """Folders holding datasets: ``data/datasets/`` plus any in ``CAMERA_ATLAS_DATASETS_DIR``
    (``os.pathsep``-separated; used for local collections and test fixtures)."""
    extra = [Path(p) for p in os.environ.get("CAMERA_ATLAS_DATASETS_DIR", "").split(os.pathsep) if p]
    return [DATASETS_DIR, *extra]


def shipped_ids() -> list[str]:
    """Ids of the datasets in :func:`dataset_dirs` (shipped ones first)."""
    ids: list[str] = []
    for root in dataset_dirs():
        ids += [p.parent.name for p in sorted(root.glob("*/datapackage.json")) if p.parent.name not in ids]
    return ids


def load_shipped(dataset_id: str) -> Dataset:
    """Load a dataset by id, with its datapackage.json provenance."""
    folder = next((root / dataset_id for root in dataset_dirs() if (root / dataset_id / "datapackage.json").is_file()), None)
    if folder is None:
        known = ", ".join(shipped_ids()) or "none"
        raise DatasetError(f"no dataset called {dataset_id!r}: choose one of {known}, or pass a CSV file")
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    resource = package["resources"][0]
    observations = parse_observations((folder / resource["path"]).read_bytes(), resource["path"])
    sources = package.get("sources", [])
    licences = package.get("licenses", [])
    return Dataset(
        id=dataset_id,
        title=package.get("title", dataset_id),
        observations=observations,
        source="; ".join(s.get("title", "") for s in sources) or "not stated",
        url=next((s["path"] for s in sources if s.get("path")), None),
        licence="; ".join(lic.get("title") or lic.get("name", "") for lic in licences) or None,
        date=str(package.get("date", "not stated")),
        description=package.get("description", ""),
        method_notes=tuple(package.get("method_notes", [])),
        notes=tuple(observations.attrs.get("notes", ())),
    )


def load(spec: str) -> Dataset:
    """A shipped dataset id, or the path of a CSV file in the dataset contract."""
    if spec in shipped_ids():
        return load_shipped(spec)
    path = Path(spec)
    if path.is_file():
        return from_upload(path.read_bytes(), path.name)
    if path.suffix:
        raise DatasetError(f"file {spec} not found: check the path")
    return load_shipped(spec)


def from_upload(
    data: bytes,
    filename: str,
    max_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Dataset:
    """A :class:`Dataset` from the bytes of a user's CSV or XLSX table."""
    observations = parse_observations(data, filename, max_bytes=max_bytes, mapping=mapping)
    digest = hashlib.sha256(data + repr(sorted((mapping or {}).items())).encode()).hexdigest()[:16]
    return Dataset(
        id=f"upload-{digest}",
        title=title or f"Your table: {filename}",
        observations=observations,
        source=source or f"uploaded file {filename}",
        notes=tuple(observations.attrs.get("notes", ())),
    )


def with_choices(dataset: Dataset, choices: Mapping[str, str]) -> Dataset:
    """``dataset`` with the user's place choices added (a new id, so caches key on them)."""
    merged = dict(dataset.choices)
    merged.update({name: target for name, target in choices.items() if str(target).strip()})
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
    """Choices from an aliases CSV saved earlier (columns ``alias, target``)."""
    table = read_table(data, filename)
    header = [_clean_header(h) for h in table.header]
    if "alias" not in header or "target" not in header:
        raise DatasetError(f"{filename} lacks columns alias, target: upload a choices file saved from this page")
    a, t = header.index("alias"), header.index("target")
    choices = {}
    for _, row in table.rows:
        alias = row[a].strip() if a < len(row) else ""
        target = row[t].strip() if t < len(row) else ""
        if alias and target:
            # Undo the apostrophe safe_csv puts before formula-looking text.
            choices[alias[1:] if alias[:2] in ("'=", "'+", "'-", "'@") else alias] = target
    return choices


def max_table_bytes() -> int:
    """Upload limit for tables: ``CAMERA_ATLAS_MAX_TABLE_MB`` (default 20 MB)."""
    value = os.environ.get("CAMERA_ATLAS_MAX_TABLE_MB")
    try:
        return int(float(value) * 1024 * 1024) if value else DEFAULT_MAX_BYTES
    except ValueError:
        return DEFAULT_MAX_BYTES


def decode_text(data: bytes, filename: str) -> str:
    """Decode a text table: UTF-8 (with or without BOM), else Latin-1; refuse binaries."""
    if not data or not data.strip():
        raise DatasetError(f"{filename} is empty: upload a CSV with a header line 'place,networks' and one row per place")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DatasetError(f"{filename} is UTF-16 text: save it as CSV UTF-8 (or Latin-1) and upload again")
    if data[:4] == b"PK\x03\x04":
        if _is_xlsx(data):
            raise DatasetError(f"{filename} is an Excel workbook with a text name: rename it to .xlsx, or save it as CSV")
        raise DatasetError(f"{filename} is a zip archive, not a table: unzip it and upload the CSV inside")
    if data[:2] == b"\x1f\x8b":
        raise DatasetError(f"{filename} is gzip-compressed: unzip it first (or import it as a Shodan export)")
    if b"\x00" in data[:8192]:
        raise DatasetError(f"{filename} is a binary file, not CSV text: export the table as CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Latin-1 maps every byte; Excel on Windows often saves CSV that way.
        return data.decode("latin-1")


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _clean_header(name: str) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


# Header names people use for each field; the first match wins (see guess_mapping).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "place": ("place", "city", "town", "location", "locality", "area", "place_name", "local_authority", "la_name", "name"),
    "networks": ("networks", "network_count", "count", "counts", "total", "ips", "ip_count", "hosts", "devices", "number", "n"),
    "vendor": ("vendor", "brand", "manufacturer", "make", "maker"),
    "lad_code": ("lad_code", "lad24cd", "lad23cd", "lad22cd", "gss_code", "la_code", "code"),
    "source": ("source",),
    "date": ("date", "scan_date", "as_of"),
}
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
_VENDOR_WORDS = {
    "all": "all", "both": "all", "combined": "all", "total": "all",
    "hikvision": "hikvision", "hik": "hikvision", "dahua": "dahua",
}


@dataclass(frozen=True)
class RawTable:
    """A table's header and rows as text, with each row's line (CSV) or row (XLSX) number."""

    filename: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str  # "line" for text files, "row" for spreadsheets


def read_table(data: bytes, filename: str, max_bytes: int | None = None) -> RawTable:
    """Read a CSV/TSV or XLSX upload into text cells; refuse wrong types with the fix."""
    limit = max_table_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise DatasetError(
            f"{filename} is {len(data) / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit: "
            "split it, or aggregate to one row per place"
        )
    suffix = Path(filename).suffix.lower()
    if suffix and suffix not in TABLE_SUFFIXES:
        raise DatasetError(f"{filename} is not a table ({suffix}): upload a .csv or .xlsx file")
    if suffix == ".xlsx":
        if not _is_xlsx(data):
            raise DatasetError(f"{filename} is not an Excel workbook: save it as .xlsx, or upload it as .csv")
        rows = _xlsx_rows(data, filename)
        unit = "row"
    else:
        text = decode_text(data, filename)
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        try:
            rows = list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
        except csv.Error as exc:
            raise DatasetError(f"{filename} is not valid CSV ({exc}): check its quotes and save it as CSV again") from None
        unit = "line"
    rows = [(n, [str(c) for c in cells]) for n, cells in rows if any(str(c).strip() for c in cells)]
    if not rows:
        raise DatasetError(f"{filename} is empty: upload a table with a header 'place, networks' and one row per place")
    return RawTable(filename=filename, header=[h.strip() for h in rows[0][1]], rows=rows[1:], unit=unit)


def _xlsx_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    import openpyxl  # only needed for spreadsheets

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DatasetError(f"{filename} cannot be read as a workbook ({type(exc).__name__}): save it again as .xlsx") from None
    rows = []
    for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
        rows.append((number, [_xlsx_cell(v) for v in values]))
    workbook.close()
    return rows


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 120 as 120.0
    return str(value)


def guess_mapping(header: list[str]) -> dict[str, str | None]:
    """Which header column most likely holds each field ("City" → place, "Count" → networks, …)."""
    cleaned = {_clean_header(h): h for h in header if str(h).strip()}
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for field_name, synonyms in COLUMN_SYNONYMS.items():
        mapping[field_name] = next(
            (cleaned[s] for s in synonyms if s in cleaned and cleaned[s] not in taken), None
        )
        if mapping[field_name]:
            taken.add(mapping[field_name])
    return mapping


def parse_observations(
    data: bytes,
    filename: str = "table.csv",
    max_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """Validate a table in the dataset contract; returns ``place, vendor, networks, lad_code, source, date, line``.

    ``mapping`` names the column holding each field when the headers differ
    (``{"place": "City", "networks": "Count"}``); without it the headers must be the
    contract's own names. Every problem raises :class:`DatasetError` naming the file,
    line (or spreadsheet row) and the fix; nothing half-valid is returned.
    """
    return observations_from_table(read_table(data, filename, max_bytes), mapping)


def observations_from_table(table: RawTable, mapping: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Validate a :class:`RawTable`; see :func:`parse_observations`."""
    filename, unit = table.filename, table.unit
    header = [_clean_header(h) for h in table.header]
    if mapping:
        header = [""] * len(table.header)
        for field_name, column in mapping.items():
            if not column:
                continue
            if column not in table.header:
                raise DatasetError(f"{filename} has no column {column!r}: pick one of {', '.join(table.header)}")
            header[table.header.index(column)] = field_name
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DatasetError(
            f"{filename} lacks column(s) {', '.join(missing)} (found: {', '.join(table.header) or 'none'}): "
            "name the columns place and networks (optional: vendor, lad_code, source, date), or map them"
        )
    named = [h for h in header if h]
    if len(named) != len(set(named)):
        raise DatasetError(f"{filename} repeats a column name in its header: give each column one name")
    if not table.rows:
        raise DatasetError(f"{filename} has a header but no rows: add one row per place")
    index = {name: header.index(name) for name in named}
    records = []
    for line, row in table.rows:
        where = f"{filename} {unit} {line}"
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise DatasetError(f"{where}: {len(row)} fields but the header has {len(header)}: quote names that contain the delimiter")

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        place, lad_code = cell("place"), cell("lad_code").upper()
        if not place and not lad_code:
            raise DatasetError(f"{where}: place is empty: name the place or give its lad_code")
        vendor = _VENDOR_WORDS.get((cell("vendor") or "all").lower())
        if vendor is None:
            raise DatasetError(f"{where}: vendor {cell('vendor')!r} is not one of all, hikvision, dahua: fix the value")
        records.append(
            {
                "place": place or lad_code,
                "vendor": vendor,
                "networks": _parse_count(cell("networks"), where),
                "lad_code": lad_code or None,
                "source": cell("source") or None,
                "date": cell("date") or None,
                "line": line,
            }
        )
    return _drop_duplicates(pd.DataFrame.from_records(records), filename, unit)


def _parse_count(value: str, where: str) -> int:
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if text == "":
        raise DatasetError(f"{where}: networks is empty: write a whole number (0 if none were found)")
    if text.startswith("-") and (_INTEGER.match(text[1:]) or _DECIMAL.match(text)):
        raise DatasetError(f"{where}: networks {value.strip()!r} is negative: counts cannot be below 0")
    if _DECIMAL.match(text):
        if float(text) == int(float(text)) and re.match(r"^\d+\.0*$", text):
            return int(float(text))
        raise DatasetError(f"{where}: networks {value.strip()!r} is fractional: counts of networks are whole numbers")
    if not _INTEGER.match(text):
        raise DatasetError(f"{where}: networks {value.strip()!r} is not a number: write a whole number such as 120")
    count = int(text)
    if count > MAX_NETWORKS:
        raise DatasetError(
            f"{where}: networks {count:,} is implausibly large (over {MAX_NETWORKS:,}): check the column and units"
        )
    return count



def _drop_duplicates(table: pd.DataFrame, filename: str, unit: str = "line") -> pd.DataFrame:
    """Identical repeated rows collapse to one; the same place and vendor with different counts is an error."""
    from geo.places import normalise_name  # local: places imports heavier modules

    key = table["lad_code"].fillna("") + "|" + table["place"].map(normalise_name) + "|" + table["vendor"]
    notes = []
    keep = []
    for _, group in table.groupby(key, sort=False):
        if group["networks"].nunique() > 1:
            first, second = group.iloc[0], group[group["networks"] != group.iloc[0]["networks"]].iloc[0]
            raise DatasetError(
                f"{filename} {unit}s {first.line} and {second.line}: {first.place!r} ({first.vendor}) has "
                f"{first.networks:,} and {second.networks:,} networks: keep one row per place and vendor"
            )
        if len(group) > 1:
            notes.append(f"{group.iloc[0].place!r} appears {len(group)} times with the same count; counted once")
        keep.append(group.index[0])
    result = table.loc[sorted(keep)].reset_index(drop=True)
    result.attrs["notes"] = notes
    return result
