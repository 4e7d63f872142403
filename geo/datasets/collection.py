"""Collections of dated counts: the dataset folders the atlas can reach, each with its date, newest first.

A *collection* is a folder of dataset folders: ``data/scans/`` (the default one, which
``scan shodan --into`` fills with one folder per count, named by the count's UTC start time)
and the folders in ``CAMERA_ATLAS_DATASETS_DIR``; the shipped ``data/datasets/`` is listed
with them. Ids follow :func:`geo.datasets.folders.folders` (a folder's name; a later folder of
a name already taken is ``NAME@COLLECTION``).

:func:`listing` reads each folder's ``datapackage.json`` only (never its observations), so it
is cheap enough for every rerun of a page; a folder that cannot be read is skipped and
reported (:attr:`Listing.skipped_lines`), never breaking the list. Datasets a session holds
(uploads, counts, saved zips) join the same order through ``session``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geo.core.errors import AtlasError, DatasetError
from geo.core.memo import Memo
from geo.core.text import shown
from geo.datasets import folders as dataset_folders
from geo.datasets.dataset import Dataset
from geo.datasets.package_schema import MAX_PACKAGE_BYTES, parse_package
from geo.datasets.time_order import Dated, dated

FOLDER_TIME = "%Y-%m-%dT%H%MZ"  # a count's folder name: 2026-12-01T0600Z
MAX_SAME_MINUTE = 99  # counts started in one minute, kept side by side (…T0600Z-2 … -99)


@dataclass(frozen=True)
class Listed:
    """One dataset as a list shows it: id, title, short name, date and where it lives.

    ``folder`` is None for a dataset only this session holds (an upload, a count, a saved zip).
    """

    id: str
    title: str
    short_name: str
    date_words: str  # geo.datasets.time_order.date_words: "counted 1 Dec 2026 06:00 UTC", "published Nov 2021"
    dated: Dated | None
    folder: Path | None = None

    @property
    def sort_key(self) -> tuple[int, float]:
        """Orders newest first: dated ones by date, newest first, then the undated."""
        return (0, -self.dated.when.timestamp()) if self.dated else (1, 0.0)

    @property
    def label(self) -> str:
        """How a selectbox names it: "TOP10VPN, via The Mail on Sunday · published Nov 2021"."""
        return f"{self.short_name} · {self.date_words}"


@dataclass(frozen=True)
class Skipped:
    """A dataset folder that could not be read, and why (one line)."""

    folder: Path
    reason: str

    @property
    def line(self) -> str:
        """ "not listed: folder scans/2026-12-01T0600Z holds an unreadable datapackage.json (…): fix"."""
        return f"not listed: {self.reason}"


@dataclass(frozen=True)
class Listing:
    """Every dataset reached, newest first, and the folders skipped."""

    datasets: tuple[Listed, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def ids(self) -> list[str]:
        """The datasets' ids, newest first."""
        return [entry.id for entry in self.datasets]

    @property
    def labels(self) -> dict[str, str]:
        """Id → :attr:`Listed.label`."""
        return {entry.id: entry.label for entry in self.datasets}

    @property
    def skipped_lines(self) -> list[str]:
        """One line per folder that could not be read."""
        return [s.line for s in self.skipped]


def listed(dataset: Dataset, folder: Path | None = None) -> Listed:
    """``dataset`` as a list shows it (its observations are not read)."""
    when = dated(dataset)
    return Listed(
        id=dataset.id,
        title=dataset.title,
        short_name=dataset.short_name,
        date_words=when.label if when else "date not stated",
        dated=when,
        folder=folder,
    )


def newest_first(entries: Sequence[Listed]) -> list[Listed]:
    """``entries`` newest first (:attr:`Listed.sort_key`); equal dates keep their order."""
    return sorted(entries, key=lambda entry: entry.sort_key)


# What a listing reads of each datapackage.json: checking only these keeps forty folders to a
# few milliseconds (a field it does not read, if malformed, is refused when the dataset is opened).
LISTED_FIELDS = ("title", "date", "published", "source_short", "scan")
_NO_ROWS = pd.DataFrame(columns=dataset_folders.OBSERVATION_COLUMNS)  # never leaves read_listed
_SEEN: Memo[tuple, Listed] = Memo(4_096)  # folders read, shared by every session (entries are immutable)


def read_listed(dataset_id: str, folder: Path) -> Listed:
    """The dataset folder's entry, from its ``datapackage.json`` alone; a :class:`DatasetError` in one line if unreadable.

    Remembered (:data:`_SEEN`) by the file's path, size and modification time, and the id: a
    folder read once costs a ``stat`` afterwards, and a folder written again is read again.
    """
    where = f"folder {shown(folder.parent.name)}/{shown(folder.name)}"
    path = folder / "datapackage.json"
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns, dataset_id)
        known = _SEEN.get(key)
        if known is not None:
            return known
        if stat.st_size > MAX_PACKAGE_BYTES:
            raise DatasetError(
                f"{where}: datapackage.json is over the size limit: write it again (e.g. with scan shodan)"
            )
        package = parse_package(path.read_bytes(), where, LISTED_FIELDS)
    except OSError as exc:
        raise DatasetError(
            f"{where}: datapackage.json cannot be read ({exc.strerror or type(exc).__name__}): check its permissions"
        ) from None
    entry = listed(dataset_folders.described(package, dataset_id, where, _NO_ROWS), folder)
    _SEEN.put(key, entry)
    return entry


def listing(roots: Sequence[Path] | None = None, session: Sequence[Dataset] = ()) -> Listing:
    """Every dataset folder in ``roots`` (default :func:`geo.datasets.folders.dataset_dirs`) plus
    the ``session``'s datasets, newest first; unreadable folders skipped, each with its reason.

    Ids are :func:`geo.datasets.folders.folders`'s; a session dataset whose id a folder has is
    listed once (the folder's).
    """
    entries: list[Listed] = []
    skipped: list[Skipped] = []
    for dataset_id, folder in dataset_folders.folders(roots).items():
        try:
            entries.append(read_listed(dataset_id, folder))
        except DatasetError as err:
            skipped.append(Skipped(folder, str(err)))
    known = {entry.id for entry in entries}
    entries += [listed(d) for d in session if d.id not in known]
    return Listing(tuple(newest_first(entries)), tuple(skipped))


def folder_name(started_at: datetime) -> str:
    """A count's folder name from its UTC start: ``2026-12-01T0600Z``."""
    return started_at.astimezone(timezone.utc).strftime(FOLDER_TIME)


def check_collection(into: Path | str) -> Path:
    """``into`` if new counts can be added to it (an existing folder); else one line with the fix."""
    path = Path(into)
    named = shown(str(into), 400)
    if path.is_dir():
        return path
    if path.exists():
        raise AtlasError(
            f"--into {named} is not a folder: name the collection folder to add the count to (e.g. data/scans)"
        )
    raise AtlasError(f"--into {named} does not exist: create the collection folder first (mkdir -p {named})")


def reserve_folder(into: Path | str, started_at: datetime) -> Path:
    """A new, empty folder for a count in the collection ``into``, named by its UTC start
    (``2026-12-01T0600Z``; ``…T0600Z-2``, ``-3`` for counts started in the same minute). Made
    with an exclusive ``mkdir``, so two counts finishing together never take the same name and
    no folder already there is ever written over."""
    base = check_collection(into) / folder_name(started_at)
    for n in range(1, MAX_SAME_MINUTE + 1):
        path = base if n == 1 else base.with_name(f"{base.name}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise AtlasError(
                f"cannot create {path} ({exc.strerror or type(exc).__name__}): check the permissions of {base.parent}"
            ) from None
        return path
    raise AtlasError(
        f"{base.parent} already holds {MAX_SAME_MINUTE} counts started at {base.name}: wait a minute and count again"
    )
