"""A scan written as a dataset: its table, its Frictionless descriptor and its folder.

:func:`observations` and :func:`datapackage` make the dataset of a
:class:`geo.scan.summary.ScanSummary` (a scan with its cities resolved) in the shipped
datasets' format (``observations.csv`` + Frictionless ``datapackage.json`` with a ``scan``
section); :func:`as_dataset` loads it in memory for a page. :func:`write_dataset` writes the
folder atomically: into a hidden sibling folder first, then renamed into place. An existing
folder is replaced only after the new one is complete, and only if it holds an earlier scan (or
nothing); any other folder is refused. :func:`write_into` adds a new dated folder to a
collection instead, never replacing one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from geo.core.errors import AtlasError
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders
from geo.datasets.exports import neutralised
from geo.scan.summary import ScanSummary

NATIONAL_PLACE = "United Kingdom"  # the resolver's name for the national total
FILES = ("observations.csv", "datapackage.json")


def observations(summary: ScanSummary) -> pd.DataFrame:
    """The dataset table: per vendor a national row (Shodan's total), then one row per city.

    ``lad_code`` is set when the city resolves to exactly one LAD, else empty (the loader
    resolves the name again: "London" is the 33 London LADs).
    """
    source = f"{summary.result.provider} count API"
    date = summary.result.date
    rows = []
    for vendor in summary.vendors:
        rows.append((NATIONAL_PLACE, vendor.vendor, vendor.total, ""))
        cities = summary.cities[(summary.cities["vendor"] == vendor.vendor) & (summary.cities["status"] != "national")]
        for city in cities.itertuples(index=False):
            code = city.lad_codes[0] if city.status == "resolved" and len(city.lad_codes) == 1 else ""
            rows.append((city.place, vendor.vendor, int(city.networks), code))
    table = pd.DataFrame(rows, columns=["place", "vendor", "networks", "lad_code"])
    return table.assign(source=source, date=date)


def package_name(name: str) -> str:
    """A Frictionless package name (lower case, digits, ``-._``) from a folder name."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return cleaned or "scan"


def datapackage(summary: ScanSummary, name: str) -> dict:
    """The Frictionless descriptor: provenance, method notes and the ``scan`` record."""
    result = summary.result
    where = "the UK" if result.country == "GB" else f"country {result.country}"
    counted_at = result.started_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "profile": "tabular-data-package",
        "name": package_name(name),
        "title": f"{result.provider} count: Hikvision and Dahua results in {where} by city, {result.date}",
        "description": (
            f"Per-city counts of {result.provider} results (services: IP address and port) matching a Hikvision "
            f"query and a Dahua query in country:{result.country}, from {result.provider}'s count API on "
            f"{result.date} (UTC), with each vendor's national total."
        ),
        "date": result.date,
        "source_short": f"{result.provider} count API (results: services, not cameras)",
        "vendors": "split",
        "method_notes": [
            f"Unit: {result.provider} results, i.e. services (one IP address and port each) matching the vendor's query. "
            "Not cameras, and not distinct IP addresses: a device answering on several ports counts once per port, "
            "and one address can front many cameras. Not comparable one-to-one with TOP10VPN or Comparitech, "
            "which counted camera networks (distinct IP addresses).",
            f"Places are the GeoIP city names of {result.provider}'s city facet (the {result.facet_size:,} largest per "
            "vendor), resolved to local authorities by the project's resolver; 'London' means Greater London. "
            "lad_code is filled where a city resolves to exactly one local authority.",
            f"The {NATIONAL_PLACE} rows are {result.provider}'s total for each query: the national figure. "
            "The remainder (results beyond the largest cities, or without a city) is part of it but of no place.",
            "One query per vendor (see scan.queries), so a result counts once per vendor; a result matching both "
            "vendors' queries would count for both, so Hikvision + Dahua can count it twice.",
            *result.notes,
            *summary.notes,
        ],
        "sources": [{"title": f"{result.source}, queried with the user's own API key", "path": result.source_url}],
        "licenses": [
            {
                "name": "other-provider-terms",
                "title": f"Aggregate counts obtained under the key holder's {result.provider} account terms; "
                "no banner data is included",
            }
        ],
        "scan": {
            "provider": result.provider,
            "client": result.provider_version,
            "counted_at": counted_at,
            "finished_at": result.finished_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "country": result.country,
            "facet": result.facet,
            "facet_size": result.facet_size,
            "calls": result.calls,
            "queries": [{"vendor": v.vendor, "query": v.query, "note": v.note} for v in result.vendors],
            "vendors": {v.vendor: v.to_dict() for v in summary.vendors},
        },
        "resources": [_resource(result.provider)],
    }


def _resource(provider: str) -> dict:
    """The observations resource: the same fields as the shipped datasets."""
    return {
        "name": "observations",
        "path": "observations.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {
                    "name": "place",
                    "type": "string",
                    "description": f"City as {provider} names it (GeoIP), or {NATIONAL_PLACE} for the national total",
                },
                {"name": "vendor", "type": "string", "constraints": {"enum": ["hikvision", "dahua"]}},
                {
                    "name": "networks",
                    "type": "integer",
                    "constraints": {"minimum": 0},
                    "description": f"{provider} results (services), not distinct IP addresses",
                },
                {
                    "name": "lad_code",
                    "type": "string",
                    "description": "GSS LAD code when the city resolves to exactly one LAD",
                },
                {"name": "source", "type": "string"},
                {"name": "date", "type": "string", "description": "UTC date of the count"},
            ]
        },
    }


def dataset_files(summary: ScanSummary, name: str) -> dict[str, bytes]:
    """The folder's files as bytes: ``observations.csv`` and ``datapackage.json``."""
    buffer = io.StringIO()
    # Comma CSV with every text cell quoted (dataset_folders reads it as comma CSV, never guessing),
    # formula-looking city names neutralised as in every file a user may open in a spreadsheet
    # (dataset_folders.from_package restores them).
    neutralised(observations(summary)).to_csv(buffer, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    package = json.dumps(datapackage(summary, name), ensure_ascii=False, indent=2) + "\n"
    return {"observations.csv": buffer.getvalue().encode("utf-8"), "datapackage.json": package.encode("utf-8")}


def as_dataset(summary: ScanSummary, dataset_id: str) -> datasets.Dataset:
    """The scan as an in-memory :class:`geo.datasets.dataset.Dataset` (for a page, without writing a folder)."""
    files = dataset_files(summary, dataset_id)
    return dataset_folders.from_package(
        json.loads(files["datapackage.json"]), files["observations.csv"], dataset_id, "the scan"
    )


def check_out_dir(out: Path | str) -> Path:
    """``out`` if a scan may be written there: a new folder in an existing one, or an earlier scan's folder."""
    path = Path(out)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AtlasError(f"folder {parent} does not exist: create it or choose another output folder")
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink():
            raise AtlasError(f"{out} is not a folder: choose a new folder name for the scan")
        entries = {p.name for p in path.iterdir()}
        if entries and not (entries <= set(FILES) and _is_scan(path / "datapackage.json")):
            raise AtlasError(
                f"{out} holds files that are not an earlier scan: choose a new folder name (only a scan folder is replaced)"
            )
    return path


def _is_scan(package_path: Path) -> bool:
    try:
        return "scan" in json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def write_dataset(summary: ScanSummary, out: Path | str, name: str | None = None) -> Path:
    """Write the scan as a dataset folder at ``out``, all or nothing; returns the folder.

    The files go into a hidden sibling folder, which is renamed to ``out`` once complete. An
    earlier scan at ``out`` is moved aside first and deleted only after the rename succeeds
    (it is put back if the rename fails). A failure leaves no partial folder behind.
    """
    path = check_out_dir(out)
    files = dataset_files(summary, name or path.resolve().name)
    parent = path.parent if str(path.parent) else Path(".")
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=parent))
    old: Path | None = None
    try:
        for filename, data in files.items():
            with open(staging / filename, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=parent))
            os.replace(path, old)
        os.replace(staging, path)
    except OSError as exc:
        raise AtlasError(
            f"cannot write {out} ({exc.strerror or type(exc).__name__}): check the path and permissions"
        ) from None
    finally:
        if old is not None:
            if path.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:  # the new folder did not arrive: put the earlier scan back
                os.replace(old, path)
        shutil.rmtree(staging, ignore_errors=True)
    return path


def write_into(summary: ScanSummary, into: Path | str) -> Path:
    """Write the scan as a new dated folder in the collection ``into`` (:func:`geo.datasets.collection.reserve_folder`:
    ``into/2026-12-01T0600Z``), never over an existing one; returns the folder. On failure no folder is left."""
    from geo.datasets.collection import reserve_folder

    path = reserve_folder(into, summary.result.started_at)
    try:
        return write_dataset(summary, path)
    except BaseException:
        if path.is_dir() and not any(path.iterdir()):  # the reservation, still empty
            path.rmdir()
        raise
