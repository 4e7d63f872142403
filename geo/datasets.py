"""Observation tables: the shipped datasets under ``data/datasets/`` and users' own CSVs.

An observation is ``place, vendor, networks`` (+ optional ``lad_code, source, date``).
:func:`parse_observations` validates a table strictly and names the line and the fix for
every problem; it never returns a half-valid table.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

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


def from_upload(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """A :class:`Dataset` from the bytes of a user's CSV."""
    observations = parse_observations(data, filename, max_bytes=max_bytes)
    return Dataset(
        id=f"upload:{filename}",
        title=f"Your table: {filename}",
        observations=observations,
        notes=tuple(observations.attrs.get("notes", ())),
    )


def decode_text(data: bytes, filename: str) -> str:
    """Decode a text table: UTF-8 (with or without BOM), else Latin-1; refuse binaries."""
    if not data or not data.strip():
        raise DatasetError(f"{filename} is empty: upload a CSV with a header line 'place,networks' and one row per place")
    if data[:4] == b"PK\x03\x04":
        raise DatasetError(
            f"{filename} is a zip or Excel (.xlsx) file, not CSV: save it as CSV (File > Save as > CSV UTF-8)"
        )
    if b"\x00" in data[:8192]:
        raise DatasetError(f"{filename} is a binary file, not CSV text: export the table as CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Latin-1 maps every byte; Excel on Windows often saves CSV that way.
        return data.decode("latin-1")


def _clean_header(name: str) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def _parse_count(value: str, line: int, filename: str) -> int:
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    where = f"{filename} line {line}"
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


def parse_observations(data: bytes, filename: str = "table.csv", max_bytes: int = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """Validate a CSV in the dataset contract and return ``place, vendor, networks, lad_code, source, date, line``."""
    if len(data) > max_bytes:
        raise DatasetError(
            f"{filename} is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit: "
            "split it, or aggregate to one row per place"
        )
    text = decode_text(data, filename)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    header = [_clean_header(h) for h in rows[0]] if rows else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DatasetError(
            f"{filename} lacks column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'}): "
            "name the columns place and networks (optional: vendor, lad_code, source, date)"
        )
    if len(header) != len(set(header)):
        raise DatasetError(f"{filename} repeats a column name in its header: give each column one name")
    if len(rows) < 2:
        raise DatasetError(f"{filename} has a header but no rows: add one row per place")
    index = {name: header.index(name) for name in header}
    records = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise DatasetError(
                f"{filename} line {line}: {len(row)} fields but the header has {len(header)}: "
                "quote names that contain the delimiter"
            )

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        place, lad_code = cell("place"), cell("lad_code").upper()
        if not place and not lad_code:
            raise DatasetError(f"{filename} line {line}: place is empty: name the place or give its lad_code")
        vendor = (cell("vendor") or "all").lower()
        if vendor not in VENDORS:
            raise DatasetError(
                f"{filename} line {line}: vendor {cell('vendor')!r} is not one of all, hikvision, dahua: fix the value"
            )
        records.append(
            {
                "place": place or lad_code,
                "vendor": vendor,
                "networks": _parse_count(cell("networks"), line, filename),
                "lad_code": lad_code or None,
                "source": cell("source") or None,
                "date": cell("date") or None,
                "line": line,
            }
        )
    table = pd.DataFrame.from_records(records)
    return _drop_duplicates(table, filename)


def _drop_duplicates(table: pd.DataFrame, filename: str) -> pd.DataFrame:
    """Identical repeated rows collapse to one; the same place and vendor with different counts is an error."""
    from geo.places import normalise_name  # local: places imports heavier modules

    key = table["lad_code"].fillna("") + "|" + table["place"].map(normalise_name) + "|" + table["vendor"]
    notes = []
    keep = []
    for _, group in table.groupby(key, sort=False):
        if group["networks"].nunique() > 1:
            first, second = group.iloc[0], group[group["networks"] != group.iloc[0]["networks"]].iloc[0]
            raise DatasetError(
                f"{filename} lines {first.line} and {second.line}: {first.place!r} ({first.vendor}) has "
                f"{first.networks:,} and {second.networks:,} networks: keep one row per place and vendor"
            )
        if len(group) > 1:
            notes.append(f"{group.iloc[0].place!r} appears {len(group)} times with the same count; counted once")
        keep.append(group.index[0])
    result = table.loc[sorted(keep)].reset_index(drop=True)
    result.attrs["notes"] = notes
    return result
