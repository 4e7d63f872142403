"""What a Shodan export is before it is read: its size limits, gzip or not, and the sniffing that refuses non-exports.

:func:`open_source` takes a path or uploaded bytes and returns a :class:`Source` once the
file is known to exist, to be non-empty, within :func:`max_bytes_default`, and to start like
JSON lines (gzip recognised by its magic bytes, never by the name). Anything else is a
one-line :class:`DatasetError` naming the file and the fix. The limits on the decompressed
content (:func:`max_inflated_default`, :data:`MAX_EXPANSION`) are enforced while it streams
(see :mod:`geo.shodan.stream`); :func:`inflated_limit` says which applies and how to word it.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from geo import settings
from geo.core.errors import DatasetError

MAX_BYTES_ENV = settings.MAX_SHODAN_MB
DEFAULT_MAX_BYTES = settings.default_bytes(MAX_BYTES_ENV)
# The inflated limit: a 200 MB export (the upload limit) that expands 10x, the top of what
# real exports do, is 2 GB. Past that an import only burns CPU (memory stays bounded).
MAX_INFLATED_ENV = settings.MAX_SHODAN_INFLATED_MB
DEFAULT_MAX_INFLATED_BYTES = settings.default_bytes(MAX_INFLATED_ENV)
# Decompressed content may also be at most this many times the file size limit (a guard
# against gzip bombs when that limit is set low; real exports expand 5-10x).
MAX_EXPANSION = 25

HOW_TO_EXPORT = "use the .json.gz file that `shodan download NAME QUERY` writes (or its unzipped JSON lines)"
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 64 * 1024
_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (or an Excel .xlsx file)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"BZh": "a bzip2 file",
    b"\xfd7zXZ": "an xz file",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"PAR1": "a Parquet file",
    b"SQLite format 3": "an SQLite database",
}


@dataclass(frozen=True)
class Source:
    """An export to read: a file on disk (``path``) or uploaded bytes (``data``)."""

    path: Path | None
    data: bytes | None
    name: str  # for messages: the file's name, never a server path
    size: int  # bytes as stored (compressed when gzip)
    is_gzip: bool

    @property
    def on_disk_plain(self) -> bool:
        """A plain JSON-lines file on disk, which DuckDB can read directly."""
        return self.data is None and not self.is_gzip


# -- limits ------------------------------------------------------------------------------------


def max_bytes_default() -> int:
    """The upload limit: ``CAMERA_ATLAS_MAX_SHODAN_MB`` (megabytes) when set, else 200 MB."""
    return settings.megabytes(MAX_BYTES_ENV)


def max_inflated_default() -> int:
    """The decompressed-size limit: ``CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB`` (megabytes) when set, else 2048 MB."""
    return settings.megabytes(MAX_INFLATED_ENV)


def size_text(size: int) -> str:
    """A byte count for messages: '2 GB', '200 MB', '74.6 MB', '12.5 KB', '80 bytes'."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def inflated_limit(name: str, max_bytes: int, max_inflated: int) -> tuple[int, str]:
    """The decompressed-size bound for one import, and the one-line refusal when it is passed."""
    if max_inflated <= MAX_EXPANSION * max_bytes:
        return max_inflated, (
            f"{name} expands to over {size_text(max_inflated)} when decompressed, over the {size_text(max_inflated)} "
            f"limit for decompressed Shodan exports: split the download (shodan download --limit N) or raise "
            f"{MAX_INFLATED_ENV}"
        )
    bound = MAX_EXPANSION * max_bytes
    return bound, (
        f"{name} expands to over {size_text(bound)} when decompressed, more than any plausible Shodan export "
        "of this size: split the download into smaller files"
    )


# -- opening and sniffing ----------------------------------------------------------------------


def truncated_message(name: str) -> str:
    return (
        f"{name} is an incomplete gzip file (it ends before the compressed data does, so banners are missing): "
        "download the export again and use the whole file"
    )


def corrupt_message(name: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return f"{name} is a damaged gzip file ({detail}): download the export again"


def open_source(source: str | os.PathLike | bytes, filename: str | None, max_bytes: int) -> Source:
    """The export, checked: it exists, is not empty, is within ``max_bytes`` and looks like JSON lines."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        path, data, name = None, bytes(source), filename or "the uploaded file"
        size = len(data)
    else:
        path, data = Path(source), None
        name = filename or path.name
        if not path.is_file():
            raise DatasetError(f"file {name} not found: check the path")
        size = path.stat().st_size
    if size == 0:
        raise DatasetError(f"{name} is empty (0 bytes): {HOW_TO_EXPORT}")
    if size > max_bytes:
        raise DatasetError(
            f"{name} is {size_text(size)}, over the {size_text(max_bytes)} limit for Shodan exports: "
            f"split the download (shodan download --limit N) or raise {MAX_BYTES_ENV}"
        )
    if data is not None:
        is_gzip = data[:2] == _GZIP_MAGIC
    else:
        assert path is not None  # no bytes given: a file on disk
        with open(path, "rb") as stream:
            is_gzip = stream.read(2) == _GZIP_MAGIC
    found = Source(path, data, name, size, is_gzip)
    _sniff(_head(found), name, is_gzip)
    return found


def _head(source: Source) -> bytes:
    """The first ~64 KB of the (decompressed) content, for sniffing."""
    try:
        if source.data is not None:
            raw: BinaryIO = io.BytesIO(source.data)
        else:
            assert source.path is not None  # a Source holds its bytes or its path
            raw = open(source.path, "rb")  # noqa: SIM115 - closed just below
        with raw:
            if source.is_gzip:
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    return stream.read(_SNIFF_BYTES)
            return raw.read(_SNIFF_BYTES)
    except EOFError:
        raise DatasetError(truncated_message(source.name)) from None
    except (OSError, zlib.error) as exc:
        raise DatasetError(corrupt_message(source.name, exc)) from None


def _sniff(head: bytes, name: str, is_gzip: bool) -> None:
    """Refuse what is plainly not a Shodan export, before the scan."""
    if not head.strip():
        raise DatasetError(f"{name} is empty{' once decompressed' if is_gzip else ''}: {HOW_TO_EXPORT}")
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            inside = " inside a gzip file" if is_gzip else ""
            raise DatasetError(f"{name} is {what}{inside}, not a Shodan export: {HOW_TO_EXPORT}")
    if b"\x00" in head:
        raise DatasetError(f"{name} is a binary file, not a Shodan export: {HOW_TO_EXPORT}")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("["):
        raise DatasetError(
            f"{name} is one JSON array, not JSON lines (one banner per line): "
            "export with `shodan download`, or convert it with `jq -c '.[]'`"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not any(line.startswith("{") for line in lines):
        first = lines[0][:40] if lines else ""
        raise DatasetError(f"{name} is not JSON lines (it starts {first!r}): {HOW_TO_EXPORT}")
