"""Dataset folders: the shipped collection, any folder of observations plus a Frictionless
``datapackage.json``, and the same two files in a zip a user can keep, share and upload again.

:func:`from_package` is the one reader of a descriptor; :func:`load` takes whatever a user
names (a shipped id, a former id, a folder, a CSV/XLSX file); :func:`package_for` and
:func:`folder_files` write any dataset (a shipped one, an upload with the user's place
choices, a live scan) back out; :func:`to_zip` / :func:`from_zip` carry it as one file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo import settings
from geo.core.errors import DatasetError
from geo.core.memo import Memo
from geo.core.text import shown
from geo.datasets.dataset import Dataset, from_upload, parse_observations
from geo.datasets.exports import neutralised, restore_cell
from geo.datasets.limits import format_size, max_table_bytes
from geo.datasets.package_schema import MAX_PACKAGE_BYTES, checked_package, parse_package

DATASETS_DIR = settings.shipped_dir() / "datasets"
SCANS_DIR = settings.default_scans_dir()  # the default collection
SCANS_ENV = settings.SCANS_DIR
DATASETS_ENV = settings.DATASETS_DIR
FILES = ("observations.csv", "datapackage.json")
OBSERVATION_COLUMNS = ["place", "vendor", "networks", "lad_code", "source", "date"]


def scans_dir() -> Path:
    """The default collection of dated counts: :data:`SCANS_DIR` (``data/scans/`` in a checkout),
    or the folder ``CAMERA_ATLAS_SCANS_DIR`` names."""
    return settings.folder(SCANS_ENV) or SCANS_DIR


def dataset_dirs() -> list[Path]:
    """Folders holding datasets: the shipped ``datasets/`` (:data:`DATASETS_DIR`), the default
    collection (:func:`scans_dir`), then any in ``CAMERA_ATLAS_DATASETS_DIR`` (``os.pathsep``-separated;
    local collections and test fixtures). A folder named twice is listed once."""
    extra = settings.folders(DATASETS_ENV)
    found: dict[Path, Path] = {}
    for root in (DATASETS_DIR, scans_dir(), *extra):
        found.setdefault(root.resolve(), root)
    return list(found.values())


def folders(roots: Sequence[Path] | None = None) -> dict[str, Path]:
    """Every dataset folder (a folder holding a ``datapackage.json``) in ``roots`` (default
    :func:`dataset_dirs`), by id, in the order of ``roots`` and by name within each.

    A folder's id is its name, unless an earlier folder has that name: then it is
    ``NAME@COLLECTION`` (the name of the folder holding it), ``NAME@COLLECTION-2``… So the
    shipped datasets keep their ids whatever a collection holds, and an id stays the same as
    long as the collections do. Hidden folders (a scan still being written) are no datasets;
    a missing or unreadable collection holds none.
    """
    ids: dict[str, Path] = {}
    for root in dataset_dirs() if roots is None else roots:
        try:
            packages = sorted(root.glob("*/datapackage.json"))
        except OSError:
            continue
        for package in packages:
            folder = package.parent
            if folder.name.startswith("."):
                continue
            dataset_id, n = folder.name, 1
            while dataset_id in ids:
                n += 1
                dataset_id = f"{folder.name}@{root.name}" + (f"-{n - 1}" if n > 2 else "")
            ids[dataset_id] = folder
    return ids


def shipped_ids() -> list[str]:
    """Ids of the datasets in :func:`dataset_dirs` (shipped ones first; see :func:`folders`)."""
    return list(folders())


def former_ids() -> dict[str, str]:
    """Old ids that still open a dataset (``former_ids`` in its datapackage.json) -> its id.

    Each file is read once while it stays the same (size and modification time): the sidebar
    asks on every run.
    """
    found: dict[str, str] = {}
    for dataset_id, folder in folders().items():
        for old in _former_ids_of(folder / "datapackage.json"):
            found.setdefault(old, dataset_id)
    return found


_FORMER: Memo[tuple, tuple[str, ...]] = Memo(4_096)


def _former_ids_of(path: Path) -> tuple[str, ...]:
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        known = _FORMER.get(key)
        if known is None:
            package = parse_package(path.read_bytes(), f"folder {path.parent.name}", ("former_ids",))
            known = tuple(str(old) for old in package.get("former_ids", []))
            _FORMER.put(key, known)
        return known
    except (OSError, DatasetError):
        return ()


def current_id(dataset_id: str) -> str:
    """``dataset_id``, or the id a renamed dataset has now ("top10vpn-2022" -> "top10vpn-2021")."""
    return dataset_id if dataset_id in shipped_ids() else former_ids().get(dataset_id, dataset_id)


def described(package: object, dataset_id: str, where: str, observations: pd.DataFrame | None = None) -> Dataset:
    """A :class:`Dataset` with a Frictionless descriptor's provenance (checked as :func:`from_package`
    checks it) and ``observations`` (default: none), e.g. what a listing of datasets shows, read from
    ``datapackage.json`` alone."""
    package = checked_package(package, where)
    sources = package.get("sources", [])
    licences = package.get("licenses", [])
    choices = tuple((a, t) for a, t in package.get("place_choices", []) if a.strip() and t.strip())
    return Dataset(
        id=dataset_id,
        title=package.get("title") or dataset_id,
        observations=pd.DataFrame(columns=OBSERVATION_COLUMNS) if observations is None else observations,
        source="; ".join(s.get("title", "") for s in sources) or "not stated",
        url=next((s["path"] for s in sources if s.get("path")), None),
        licence="; ".join(lic.get("title") or lic.get("name", "") for lic in licences) or None,
        date=package.get("date") or "not stated",
        description=package.get("description", ""),
        method_notes=tuple(package.get("method_notes", [])),
        choices=choices,
        published=package.get("published") or None,
        source_short=package.get("source_short") or None,
        package=package,
    )


def from_package(package: object, observations: bytes, dataset_id: str, where: str) -> Dataset:
    """A :class:`Dataset` from a Frictionless descriptor and its observations file (``where`` names it in errors).

    Every field read is checked first (:func:`geo.datasets.package_schema.checked_package`: shape,
    length, invisible characters); text cells the saved file neutralised as formulas are
    read back as written.
    """
    dataset = described(package, dataset_id, where)
    resource = (dataset.package or {})["resources"][0]  # checked: one at least
    path = Path(resource.get("path", "")).name or "observations.csv"
    # A dataset's CSV is comma-separated (the Frictionless default, and what every writer here
    # writes): never guessed, so no name such as "x';'" can tip a guess to ";".
    table = parse_observations(observations, path, delimiter=",")
    for column in ("place", "source", "date"):  # folder_files neutralised these; restore them
        table[column] = table[column].map(restore_cell)
    return replace(dataset, observations=table, notes=tuple(table.attrs.get("notes", ())))


def load_folder(folder: str | os.PathLike[str], dataset_id: str | None = None) -> Dataset:
    """A dataset folder (observations + ``datapackage.json``), e.g. one written by ``scan shodan``."""
    folder = Path(folder)
    where = f"folder {folder.name}"
    if not (folder / "datapackage.json").is_file():
        raise DatasetError(f"{where} has no datapackage.json: pass a dataset folder, a CSV file or a dataset id")
    try:
        if (folder / "datapackage.json").stat().st_size > MAX_PACKAGE_BYTES:
            raise DatasetError(
                f"{where}: datapackage.json is over the {format_size(MAX_PACKAGE_BYTES)} limit: "
                "shorten its description and notes, or write it again (e.g. with scan shodan)"
            )
        package = parse_package((folder / "datapackage.json").read_bytes(), where)
        data = (folder / (Path(package["resources"][0].get("path", "")).name or "observations.csv")).read_bytes()
    except OSError:
        raise DatasetError(
            f"{where} has an unreadable datapackage.json or observations file: write it again (e.g. with scan shodan)"
        ) from None
    return from_package(package, data, dataset_id or package.get("name") or folder.name, where)


def load_shipped(dataset_id: str) -> Dataset:
    """Load a dataset by id (or former id) from :func:`folders`, with its datapackage.json provenance."""
    dataset_id = current_id(dataset_id)
    folder = folders().get(dataset_id)
    if folder is None:
        ids = shipped_ids()
        known = ", ".join(ids[:8]) + (f" … ({len(ids)} in all)" if len(ids) > 8 else "") if ids else "none"
        raise DatasetError(
            f"no dataset called {dataset_id!r}: choose one of {known}, or pass a CSV file or a dataset folder"
        )
    return load_folder(folder, dataset_id)


def load(spec: str, source: str | None = None, date: str | None = None) -> Dataset:
    """A shipped dataset id (or former id), a dataset folder, a saved dataset zip, or a CSV/XLSX file.

    ``source`` and ``date`` (the command line's ``--source``/``--date``) are a table file's
    (:func:`geo.datasets.dataset.from_upload`); a dataset with its own ``datapackage.json`` states its
    provenance there, so giving them for one is refused in one line.
    """
    path = Path(spec)
    if source is not None or date is not None:
        shipped = spec in shipped_ids() or spec in former_ids()
        if shipped or path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip"):
            what = "dataset" if shipped else "dataset folder" if path.is_dir() else "saved dataset"
            raise DatasetError(
                f"--source and --date are for a table file (CSV/XLSX): the {what} '{shown(spec)}' states its own "
                "in its datapackage.json: leave them out (or edit its datapackage.json)"
            )
    if spec in shipped_ids() or spec in former_ids():
        return load_shipped(spec)
    if path.is_dir():
        return load_folder(path)
    if path.is_file():
        data = path.read_bytes()
        if path.suffix.lower() == ".zip":
            return from_zip(data, path.name)
        return from_upload(data, path.name, source=source, date=date)
    if path.suffix:
        raise DatasetError(f"file {spec} not found: check the path")
    return load_shipped(spec)


def package_for(dataset: Dataset) -> dict:
    """The dataset's Frictionless descriptor: the one it came with, else one written from its provenance.

    The user's place choices travel with it (``place_choices``), so a saved upload reopens
    exactly as it was.
    """
    package: dict[str, Any] = (
        dict(dataset.package)
        if dataset.package
        else {
            "profile": "tabular-data-package",
            "name": "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in dataset.id.lower()).strip("-._")
            or "dataset",
            "title": dataset.title,
            "description": dataset.description,
            "date": dataset.date,
            **({"published": dataset.published} if dataset.published else {}),
            **({"source_short": dataset.source_short} if dataset.source_short else {}),
            "sources": [{"title": dataset.source, **({"path": dataset.url} if dataset.url else {})}],
            "licenses": [{"name": "other", "title": dataset.licence or "not stated"}],
            "method_notes": list(dataset.method_notes),
            "resources": [
                {
                    "name": "observations",
                    "path": "observations.csv",
                    "profile": "tabular-data-resource",
                    "format": "csv",
                }
            ],
        }
    )
    if dataset.choices:
        package["place_choices"] = [list(pair) for pair in dataset.choices]
    package["resources"] = [{**package["resources"][0], "path": "observations.csv"}]
    return package


def folder_files(dataset: Dataset) -> dict[str, bytes]:
    """``observations.csv`` and ``datapackage.json`` of any dataset, as bytes."""
    buffer = io.StringIO()
    # Formula-looking names are neutralised as in every download (from_package restores them).
    neutralised(dataset.observations.reindex(columns=OBSERVATION_COLUMNS)).to_csv(
        buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n"
    )
    package = json.dumps(package_for(dataset), ensure_ascii=False, indent=2) + "\n"
    return {"observations.csv": buffer.getvalue().encode("utf-8"), "datapackage.json": package.encode("utf-8")}


def to_zip(files: dict[str, bytes]) -> bytes:
    """The dataset folder's files as one zip (fixed timestamps, so the same dataset gives the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def from_zip(data: bytes, filename: str, max_bytes: int | None = None) -> Dataset:
    """A dataset saved as a zip (``observations.csv`` + ``datapackage.json``), checked before it is inflated."""
    limit = max_table_bytes() if max_bytes is None else max_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DatasetError(f"{filename} is not a zip archive: upload the .zip the app or scan shodan saved") from None
    with archive:
        members = _members(archive, filename)
        total = sum(members[name].file_size for name in FILES)
        if total > limit:
            raise DatasetError(
                f"{filename} inflates to {format_size(total, round_up=True)}, over the {format_size(limit)} limit: "
                "upload a smaller dataset or raise CAMERA_ATLAS_MAX_TABLE_MB"
            )
        if members["datapackage.json"].file_size > MAX_PACKAGE_BYTES:
            raise DatasetError(
                f"{filename}: datapackage.json inflates to {format_size(members['datapackage.json'].file_size, round_up=True)}, "
                f"over the {format_size(MAX_PACKAGE_BYTES)} limit: save the dataset again from the app"
            )
        try:
            descriptor = archive.read(members["datapackage.json"])
            observations = archive.read(members["observations.csv"])
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
            # RuntimeError: an encrypted member; NotImplementedError: a compression zipfile cannot read.
            raise DatasetError(
                f"{filename} holds an unreadable datapackage.json: save the dataset again from the app"
            ) from None
    package = parse_package(descriptor, filename)
    dataset = from_package(package, observations, "upload-zip", filename)
    # Each saved dataset its own id (several are opened at once, and caches key on the id).
    digest = hashlib.sha256(descriptor + b"\0" + observations).hexdigest()[:16]
    return replace(
        dataset, id=f"upload-zip-{digest}", source=dataset.source if dataset.package else f"saved dataset {filename}"
    )


def _members(archive: zipfile.ZipFile, filename: str) -> dict[str, zipfile.ZipInfo]:
    """The zip's ``observations.csv`` and ``datapackage.json``: each exactly once, side by side at
    the root or in one folder (a dataset folder zipped). Another copy anywhere in the archive
    would silently replace the one read, so it is refused; files of other names are ignored."""
    found: dict[str, list[zipfile.ZipInfo]] = {name: [] for name in FILES}
    for info in archive.infolist():
        base = info.filename.rstrip("/").rsplit("/", 1)[-1]
        if base in found and not info.is_dir():
            found[base].append(info)
    for name, infos in found.items():
        if len(infos) > 1:
            where = ", ".join(shown(info.filename, 40) for info in infos[:3])
            raise DatasetError(
                f"{filename} holds {len(infos)} files named {name} ({where}): zip one dataset folder's "
                "observations.csv and datapackage.json, and no other copies"
            )
    missing = [name for name, infos in found.items() if not infos]
    if missing:
        raise DatasetError(
            f"{filename} lacks {', '.join(missing)}: upload the .zip the app saved (a dataset folder zipped)"
        )
    members = {name: infos[0] for name, infos in found.items()}
    folders = {info.filename.rpartition("/")[0] for info in members.values()}
    if len(folders) > 1 or any("/" in folder or folder in (".", "..") for folder in folders):
        raise DatasetError(
            f"{filename} keeps observations.csv and datapackage.json in different or nested folders: "
            "zip the two files side by side (as the app saves them)"
        )
    return members
