"""Importing a raw Shodan export: distinct camera networks per vendor per local authority.

Input is what ``shodan download`` writes: JSON lines, one banner per line, usually gzip
compressed (``.json.gz``); plain JSON lines work too. Gzip is recognised by its magic bytes,
never by the file name. The result counts distinct ``ip_str`` per (LAD, vendor).

How a banner is counted (also in :data:`VENDOR_RULES`, shown in the app):

* **Malformed**: a line that is not one JSON object, or an object without ``ip_str``
  (``ipv6`` is accepted in its place). Blank lines are ignored, not counted.
* **Not UK**: ``location.country_code`` is present and is not ``GB`` (``UK`` is accepted as
  a misspelling). Crown dependencies (``IM``, ``JE``, ``GG``) are not UK here: they have no
  ONS local authority. A banner *without* a country code counts as UK only when its
  coordinates fall inside a UK LAD polygon (no coastal snapping for those); with coordinates
  elsewhere it is "not UK", with no coordinates it is "no location".
* **Vendor** (case-insensitive substring markers, see :data:`HIKVISION_MARKERS` and
  :data:`DAHUA_MARKERS`): when ``product`` names exactly one vendor, that vendor. Otherwise
  the markers are searched in ``product``, ``devicetype``, ``http.title``, ``http.server``,
  ``data`` (the raw response headers), ``ssl.cert.subject``/``issuer``, ``cpe23`` and
  ``cpe``: exactly one vendor's markers → that vendor; both or neither → "vendor not
  recognised" (the notes say how many were ambiguous). The country check comes first when
  the country is known, so a non-UK non-camera banner counts once, as "not UK".
* **Place**: valid coordinates (``location.latitude``/``longitude``; ``0,0`` is GeoIP's
  "unknown", not a place) → the LAD polygon that contains the point; a point outside every
  polygon (sea, estuary, the generalised coastline) snaps to the nearest LAD within
  :data:`COAST_SNAP_METRES`, else "no location". Without coordinates, ``location.city`` is
  resolved with the place resolver and used only when it matches exactly one LAD ("London"
  is 33 LADs, so it places nowhere); else "no location".
* **Address**: ``ip_str`` (or ``ipv6``) in one spelling (:func:`canonical_ip`): IPv6
  compressed and lower case, an IPv4-mapped IPv6 address as IPv4, a zero-padded dotted quad
  (``010.000.001.002``) as ``10.0.1.2``. A banner whose address is not an IP address is
  "malformed".
* **Count**: distinct addresses per (LAD, vendor). An address seen on many ports counts
  once; an address with both a Hikvision and a Dahua banner counts once for each vendor.
  An address counts once nationally and in exactly one LAD per vendor: the LAD where most
  of its banners place it, ties to the lowest LAD code (the notes say how many addresses
  were placed in more than one).

The scan and aggregation run in embedded DuckDB: ``read_json`` with a fixed schema of only
the fields above, the rules as SQL, grouped to distinct ``(ip, location, vendor)`` rows.
Gzip is inflated by zlib in a background thread and streamed to DuckDB through named pipes
(see :class:`_Feed`: DuckDB's own gzip reader does not report a damaged stream), so
decompression and parsing overlap. DuckDB keeps in memory everything it reads from a pipe
until that ``read_json`` ends, so the stream is cut into segments of about
:data:`SEGMENT_BYTES` (at line ends), each read by its own query and merged into the
grouped rows. DuckDB runs with a memory limit, a thread count and a private spill folder
(removed afterwards). Only the distinct addresses, points and city names then go through
Python, GeoPandas and the resolver. Memory stays bounded by the number of distinct
``(address, place, vendor)`` keys, not by the file size; decompressed content over
:data:`DEFAULT_MAX_INFLATED_BYTES` (``CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB``) is refused.

``progress(fraction, message)`` may raise (e.g. :class:`geo.errors.Cancelled` when the
session that asked has gone): the scan then stops, DuckDB is interrupted, the pump thread
ends, the temporary folder is removed, and the exception propagates.

Refused outright, each with a one-line :class:`DatasetError` naming the file and the fix:
an empty file, one over the size limit (:data:`DEFAULT_MAX_BYTES`, or
``CAMERA_ATLAS_MAX_SHODAN_MB``), a truncated or damaged gzip file (partial data is not
counted: the user is told to download it again), one that decompresses to more than the
inflated limit, a line over :data:`MAX_LINE_BYTES`, a file that is not JSON lines (CSV,
HTML, a JSON array, a zip or other binary), and one with no usable banner at all. No
message carries a server path.
"""

from __future__ import annotations

import gzip
import io
import ipaddress
import json
import os
import queue
import re
import shutil
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

import geopandas as gpd
import pandas as pd

from geo import places
from geo.errors import AtlasError, DatasetError

try:
    import fcntl
except ImportError:  # Windows: no named pipes either (see _Feed)
    fcntl = None  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_BYTES_ENV = "CAMERA_ATLAS_MAX_SHODAN_MB"
SKIP_REASONS = ("not_uk", "no_location", "vendor_not_recognised", "malformed")
UK_COUNTRY_CODES = ("GB", "UK")
COAST_SNAP_METRES = places.COAST_SNAP_METRES  # 5 km, as for gazetteer towns
# Decompressed content may be at most this many times the size limit (a guard against gzip
# bombs; real exports expand 5-10x) and at most the inflated limit below.
MAX_EXPANSION = 25
# The inflated limit: a 200 MB export (the upload limit) that expands 10x, the top of what
# real exports do, is 2 GB. Past that an import only burns CPU (memory stays bounded).
DEFAULT_MAX_INFLATED_BYTES = 2048 * 1024 * 1024
MAX_INFLATED_ENV = "CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB"
# A banner is a few KB (a few hundred with a screenshot); a longer line is not one.
MAX_LINE_BYTES = 16 * 1024 * 1024
# DuckDB's read_json maximum_object_size: its smallest (its read buffers are twice that, per thread).
DUCKDB_MAX_OBJECT_BYTES = 16 * 1024 * 1024
# Stream decompressed content to DuckDB through named pipes (else via temporary files).
USE_FIFO = True
PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size
# DuckDB holds all it reads from a pipe until the query ends: one query per segment this size.
SEGMENT_BYTES = 32 * 1024 * 1024
# DuckDB's own budget: memory limit (it spills to the import's private folder past it) and threads.
DUCKDB_MEMORY_LIMIT = "512MB"
DUCKDB_THREADS = 2
# The segments' grouped rows are merged once they outgrow twice the last merge (and this).
COMPACT_ROWS = 100_000

HIKVISION_MARKERS = ("hikvision", "dnvrs-webs", "dvrdvs-webs", "app-webs", "/doc/page/login.asp")
DAHUA_MARKERS = ("dahua", "dhi-")
# Where markers are searched when ``product`` alone does not decide (the order does not matter).
VENDOR_FIELDS = ("product", "devicetype", "http.server", "http.title", "ssl.cert.subject", "ssl.cert.issuer", "cpe23", "cpe", "data")

VENDOR_RULES = (
    "Vendor, case-insensitive: Hikvision when a field contains "
    + ", ".join(f'"{m}"' for m in HIKVISION_MARKERS)
    + "; Dahua when it contains "
    + ", ".join(f'"{m}"' for m in DAHUA_MARKERS)
    + ". If the product field names exactly one vendor, that vendor wins; otherwise the markers are searched in "
    "product, devicetype, http.title, http.server, data (response headers), ssl.cert subject/issuer and cpe, and a "
    "banner matching both vendors or neither is skipped as 'vendor not recognised'. "
    "UK: location.country_code GB (banners without a country count only when their coordinates fall inside a UK "
    "local authority). Place: the local authority containing location.latitude/longitude (points up to 5 km off the "
    "coast snap to the nearest one); without coordinates, location.city when it names exactly one local authority. "
    "Networks: distinct IP addresses (ip_str, each address in one spelling) per local authority and vendor; an "
    "address placed in several local authorities counts once per vendor, in the one where most of its banners "
    "place it (a tie goes to the lowest local authority code)."
)

ProgressFn = Callable[[float, str], None]

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
_HOW_TO_EXPORT = "use the .json.gz file that `shodan download NAME QUERY` writes (or its unzipped JSON lines)"


@dataclass(frozen=True)
class ShodanImport:
    """What an import found: the observations, and what was read and skipped."""

    observations: pd.DataFrame  # lad_code, place (LAD name), vendor (hikvision|dahua), networks (distinct ip_str)
    records_read: int  # non-blank lines read, malformed ones included
    skipped: dict[str, int]  # every key of SKIP_REASONS, banner counts (0 allowed)
    used: int  # banners that counted
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: records read, used, skipped by reason, and the result."""
        skipped = ", ".join(f"{reason.replace('_', ' ')} {self.skipped[reason]:,}" for reason in SKIP_REASONS)
        networks = int(self.observations["networks"].sum()) if len(self.observations) else 0
        return (
            f"{self.records_read:,} banners read, {self.used:,} used; skipped: {skipped}; "
            f"{networks:,} networks in {self.observations['lad_code'].nunique():,} local authorities"
        )


# -- vendor rules ------------------------------------------------------------------------------


def _regex(markers: tuple[str, ...]) -> str:
    return "(?i)(?:" + "|".join(re.escape(m) for m in markers) + ")"


_HIK_RE = _regex(HIKVISION_MARKERS)
_DAHUA_RE = _regex(DAHUA_MARKERS)
_EITHER_RE = _regex(HIKVISION_MARKERS + DAHUA_MARKERS)
_HIK_PY = re.compile(_HIK_RE)
_DAHUA_PY = re.compile(_DAHUA_RE)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _field(banner: Mapping, dotted: str) -> object:
    value: object = banner
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _one_vendor(text: str) -> str | None:
    hik, dahua = bool(_HIK_PY.search(text)), bool(_DAHUA_PY.search(text))
    if hik != dahua:
        return "hikvision" if hik else "dahua"
    return "ambiguous" if hik else None


def vendor_of(banner: Mapping) -> str | None:
    """The vendor of one parsed banner by :data:`VENDOR_RULES`: ``hikvision``, ``dahua`` or None.

    The reference implementation of what the DuckDB scan does (tests check they agree).
    """
    decided = _one_vendor(_text(banner.get("product")))
    if decided in ("hikvision", "dahua"):
        return decided
    texts = [_text(_field(banner, name)) for name in VENDOR_FIELDS]
    hik = any(_HIK_PY.search(text) for text in texts)
    dahua = any(_DAHUA_PY.search(text) for text in texts)
    if hik != dahua:
        return "hikvision" if hik else "dahua"
    return None


# -- limits and sniffing -----------------------------------------------------------------------


def max_bytes_default() -> int:
    """The upload limit: ``CAMERA_ATLAS_MAX_SHODAN_MB`` (megabytes) when set, else 200 MB."""
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise AtlasError(f"{MAX_BYTES_ENV}={value!r} is not a size: set it to a number of megabytes such as 500")
    return int(megabytes * 1024 * 1024)


def max_inflated_default() -> int:
    """The decompressed-size limit: ``CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB`` (megabytes) when set, else 2048 MB."""
    value = os.environ.get(MAX_INFLATED_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_INFLATED_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise AtlasError(f"{MAX_INFLATED_ENV}={value!r} is not a size: set it to a number of megabytes such as 4096")
    return int(megabytes * 1024 * 1024)


def _size(size: int) -> str:
    """A byte count for messages: '2 GB', '200 MB', '74.6 MB', '12.5 KB', '80 bytes'."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _head(path: Path | None, data: bytes | None, is_gzip: bool, name: str) -> bytes:
    """The first ~64 KB of the (decompressed) content, for sniffing."""
    try:
        raw = io.BytesIO(data) if data is not None else open(path, "rb")  # type: ignore[arg-type]
        with raw:
            if is_gzip:
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    return stream.read(_SNIFF_BYTES)
            return raw.read(_SNIFF_BYTES)
    except EOFError:
        raise DatasetError(_truncated(name)) from None
    except (OSError, zlib.error) as exc:
        raise DatasetError(_corrupt(name, exc)) from None


def _truncated(name: str) -> str:
    return (
        f"{name} is an incomplete gzip file (it ends before the compressed data does, so banners are missing): "
        "download the export again and use the whole file"
    )


def _corrupt(name: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return f"{name} is a damaged gzip file ({detail}): download the export again"


def _sniff(head: bytes, name: str, is_gzip: bool) -> None:
    """Refuse what is plainly not a Shodan export, before the scan."""
    if not head.strip():
        raise DatasetError(f"{name} is empty{' once decompressed' if is_gzip else ''}: {_HOW_TO_EXPORT}")
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            inside = " inside a gzip file" if is_gzip else ""
            raise DatasetError(f"{name} is {what}{inside}, not a Shodan export: {_HOW_TO_EXPORT}")
    if b"\x00" in head:
        raise DatasetError(f"{name} is a binary file, not a Shodan export: {_HOW_TO_EXPORT}")
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
        raise DatasetError(f"{name} is not JSON lines (it starts {first!r}): {_HOW_TO_EXPORT}")


# -- the scan ----------------------------------------------------------------------------------

_COLUMNS = (
    "{'ip_str': 'VARCHAR', 'ipv6': 'VARCHAR', 'product': 'VARCHAR', 'devicetype': 'VARCHAR', 'data': 'VARCHAR', "
    "'location': 'STRUCT(country_code VARCHAR, city VARCHAR, latitude VARCHAR, longitude VARCHAR)', "
    "'http': 'STRUCT(title VARCHAR, server VARCHAR)', 'ssl': 'STRUCT(cert STRUCT(subject VARCHAR, issuer VARCHAR))', "
    "'cpe23': 'VARCHAR', 'cpe': 'VARCHAR'}"
)  # VARCHAR takes a JSON object or array as its JSON text, so markers are found inside them too

# The grouped rows: one per distinct key, ``n`` banners each.
_KEYS = "kind, vendor, ip, cc_known, lat, lon, city"
_PARTS_TABLE = (
    "CREATE TEMP TABLE parts (kind VARCHAR, vendor VARCHAR, ip VARCHAR, cc_known BOOLEAN, lat DOUBLE, lon DOUBLE, "
    "city VARCHAR, n BIGINT)"
)


def _any_field(pattern: str) -> str:
    """SQL: does any of :data:`VENDOR_FIELDS` match ``pattern``? (Per field: no copying into one string.)"""
    quoted = pattern.replace("'", "''")
    return "coalesce(" + " OR ".join(f"regexp_matches({field}, '{quoted}')" for field in VENDOR_FIELDS) + ", false)"


def _scan_sql() -> str:
    """One pass over one segment: each banner classified, grouped to distinct keys, added to ``parts``."""
    hik, dahua = (pattern.replace("'", "''") for pattern in (_HIK_RE, _DAHUA_RE))
    uk = ", ".join(f"'{c}'" for c in UK_COUNTRY_CODES)
    usable = "kind = 'candidate' AND vendor IN ('hikvision', 'dahua')"
    has_coords = "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 AND NOT (lat = 0 AND lon = 0)"
    # DuckDB evaluates CASE branches only for the rows that reach them, so the other fields
    # are searched only for UK banners whose product field did not decide; most of those
    # are other makes, which one pass with both vendors' markers rules out. The address is
    # kept for every banner that has one, so that its spelling can be checked afterwards.
    return f"""
INSERT INTO parts
WITH raw AS (
    SELECT
        coalesce(nullif(trim(ip_str), ''), nullif(trim(ipv6), '')) AS ip,
        nullif(upper(trim(location.country_code)), '') AS cc,
        TRY_CAST(location.latitude AS DOUBLE) AS lat,
        TRY_CAST(location.longitude AS DOUBLE) AS lon,
        nullif(trim(location.city), '') AS city,
        product, devicetype, http, data, ssl, cpe23, cpe
    FROM read_json($path, columns = {_COLUMNS}, format = 'newline_delimited', records = true,
                   ignore_errors = true, compression = 'none', maximum_object_size = {DUCKDB_MAX_OBJECT_BYTES})
), judged AS (
    SELECT *,
        CASE WHEN ip IS NULL THEN 'malformed'
             WHEN cc IS NOT NULL AND cc NOT IN ({uk}) THEN 'not_uk'
             ELSE 'candidate' END AS kind
    FROM raw
), classified AS (
    SELECT ip, cc, lat, lon, city, kind,
        CASE WHEN kind <> 'candidate' THEN NULL
             WHEN coalesce(regexp_matches(product, '{hik}') AND NOT regexp_matches(product, '{dahua}'), false) THEN 'hikvision'
             WHEN coalesce(regexp_matches(product, '{dahua}') AND NOT regexp_matches(product, '{hik}'), false) THEN 'dahua'
             WHEN NOT {_any_field(_EITHER_RE)} THEN 'none'
             WHEN {_any_field(_HIK_RE)} THEN (CASE WHEN {_any_field(_DAHUA_RE)} THEN 'ambiguous' ELSE 'hikvision' END)
             ELSE 'dahua'
        END AS vendor
    FROM judged
)
SELECT
    CASE WHEN kind = 'candidate' AND vendor NOT IN ('hikvision', 'dahua') THEN 'vendor_not_recognised' ELSE kind END AS kind,
    CASE WHEN kind = 'candidate' THEN vendor END AS vendor,
    ip,
    CASE WHEN {usable} THEN cc IS NOT NULL END AS cc_known,
    CASE WHEN {usable} AND {has_coords} THEN lat END AS lat,
    CASE WHEN {usable} AND {has_coords} THEN lon END AS lon,
    CASE WHEN {usable} THEN city END AS city,
    count(*) AS n
FROM classified
GROUP BY ALL
"""


class _Blocks:
    """Decompressed content as blocks, with one block of look-ahead and the limits checked as it flows.

    Raises :class:`DatasetError` when the content grows past ``max_output`` or a line past
    :data:`MAX_LINE_BYTES`, EOFError when the last gzip member is cut short, and zlib or OS
    errors as they come.
    """

    def __init__(self, feed: _Feed) -> None:
        self.feed = feed
        self._source = feed._inflated()
        self._pending: bytes | None = None
        self.written = 0
        self._line = 0  # bytes since the last line end

    def peek(self) -> bool:
        """Is there more content? (Inflates the next block to know.)"""
        if self._pending is None:
            self._pending = next(self._source, None)
        return self._pending is not None

    def _next(self) -> bytes | None:
        self.peek()
        block, self._pending = self._pending, None
        return block

    def _check(self, block: bytes) -> None:
        self.written += len(block)
        if self.written > self.feed.max_output:
            raise DatasetError(self.feed.too_big_message())
        # A line wholly inside one block is shorter than a block (8 x CHUNK, under MAX_LINE_BYTES):
        # only the line running into this block and the one running out of it need counting.
        first = block.find(b"\n")
        if first < 0:
            self._line += len(block)
        elif self._line + first <= MAX_LINE_BYTES:
            self._line = len(block) - block.rfind(b"\n") - 1
        else:
            self._line += first
        if self._line > MAX_LINE_BYTES:
            raise DatasetError(
                f"{self.feed.name} has a line over {_size(MAX_LINE_BYTES)} long, far longer than any Shodan banner: "
                f"{_HOW_TO_EXPORT}"
            )

    def copy_segment(self, write: Callable[[bytes], object], stop: threading.Event) -> None:
        """Write about :data:`SEGMENT_BYTES` of content, ending at a line end (or at the end)."""
        written = 0
        while not stop.is_set():
            block = self._next()
            if block is None:
                return
            if written >= SEGMENT_BYTES:
                end = block.find(b"\n")
                if end >= 0:
                    head, rest = block[: end + 1], block[end + 1:]
                    self._check(head)
                    write(head)
                    if rest:  # checked and counted when it is written
                        self._pending = rest
                    return
            self._check(block)
            write(block)
            written += len(block)


class _Feed:
    """Decompressed content for DuckDB, in segments, streamed through named pipes by a background thread.

    DuckDB's own gzip reader neither verifies the CRC nor reports damage in the middle of a
    stream (it stops early, silently), so gzip is inflated here with zlib (which checks every
    member's CRC and length) and written to FIFOs that DuckDB reads as plain JSON lines. The
    two overlap: zlib releases the GIL, so inflating runs beside DuckDB's parsing. It also
    gives exact progress (compressed bytes consumed) and bounds the decompressed size and
    line length. DuckDB keeps whatever it reads from a pipe until its query ends, so the
    content goes in segments of about :data:`SEGMENT_BYTES`, cut at line ends, each through
    its own FIFO (one per segment, so a reader never sees the next segment's bytes).
    Uploaded bytes go the same way, so they are never copied to disk. A plain file on disk
    is one segment, read by DuckDB directly (seekable, so nothing is held). Without
    ``os.mkfifo`` (Windows) each segment is written to a temporary file first.
    """

    CHUNK = 1 << 20

    def __init__(self, path: Path | None, data: bytes | None, is_gzip: bool, name: str, folder: Path,
                 max_output: int, too_big: str) -> None:
        self.source_path, self.data, self.is_gzip, self.name = path, data, is_gzip, name
        self.folder, self.max_output, self._too_big = folder, max_output, too_big
        self.total = len(data) if data is not None else path.stat().st_size  # type: ignore[union-attr]
        self.consumed = 0
        self.error: DatasetError | None = None
        self.direct = data is None and not is_gzip
        self.fifo = USE_FIFO and hasattr(os, "mkfifo") and not self.direct
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._opening: Path | None = None  # the FIFO the pump is opening or writing

    def too_big_message(self) -> str:
        return self._too_big

    # -- the segments, in order
    def segments(self) -> Iterator[Path]:
        """The paths DuckDB reads, one at a time; each is deleted once the next is asked for."""
        if self.direct:
            yield self.source_path  # type: ignore[misc]
            return
        if self.fifo:
            if self._thread is None:
                self._thread = threading.Thread(target=self._pump, name="shodan-inflate", daemon=True)
                self._thread.start()
            while (path := self._queue.get()) is not None:
                yield path
                path.unlink(missing_ok=True)
            return
        blocks = _Blocks(self)
        index = 0
        while True:
            path = self.folder / f"segment-{index}.jsonl"
            try:
                if self._stop.is_set() or not blocks.peek():
                    return
                with open(path, "wb") as out:
                    blocks.copy_segment(out.write, self._stop)
            except BaseException as exc:  # noqa: BLE001 - sorted into a user message, or re-raised
                self._fail(exc)
                path.unlink(missing_ok=True)
                return
            yield path
            path.unlink(missing_ok=True)
            index += 1

    # -- stopping
    def stop(self) -> None:
        """Stop the pump, unblocking it first when it waits for a reader that will not come."""
        self._stop.set()
        thread = self._thread
        while thread is not None and thread.is_alive():
            opening = self._opening
            if opening is not None:
                try:  # a writer blocked in open() waits for a reader: be one, briefly
                    os.close(os.open(opening, os.O_RDONLY | os.O_NONBLOCK))
                except OSError:
                    pass
            thread.join(0.02)
        self._thread = None

    def finish(self) -> None:
        """Wait for the pump after the last segment was read (it has little or nothing left to do)."""
        thread = self._thread
        if thread is not None:
            thread.join(0.5)
        self.stop()

    @property
    def fraction(self) -> float:
        return self.consumed / self.total if self.total else 1.0

    # -- the pump
    def _compressed_chunks(self):
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), self.CHUNK):
                if self._stop.is_set():
                    return
                yield view[start:start + self.CHUNK]
            return
        with open(self.source_path, "rb") as stream:  # type: ignore[arg-type]
            while not self._stop.is_set() and (chunk := stream.read(self.CHUNK)):
                yield chunk

    def _inflated(self):
        """Decompressed blocks; raises EOFError when the last gzip member is cut short."""
        if not self.is_gzip:
            for chunk in self._compressed_chunks():
                self.consumed += len(chunk)
                yield bytes(chunk)
            return
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        started = False
        for chunk in self._compressed_chunks():
            self.consumed += len(chunk)
            pending = bytes(chunk)
            while pending and not self._stop.is_set():
                if inflater.eof:  # the next member of a multi-member file (or trailing padding)
                    if not pending.strip(b"\x00"):
                        break
                    inflater, started = zlib.decompressobj(16 + zlib.MAX_WBITS), False
                started = True
                out = inflater.decompress(pending, 8 * self.CHUNK)
                pending = inflater.unconsumed_tail or (inflater.unused_data if inflater.eof else b"")
                if out:
                    yield out
        if started and not inflater.eof and not self._stop.is_set():
            raise EOFError("compressed file ended before the end-of-stream marker was reached")

    def _pump(self) -> None:
        try:
            blocks = _Blocks(self)
            index = 0
            while not self._stop.is_set() and blocks.peek():
                path = self.folder / f"segment-{index}.jsonl"
                os.mkfifo(path, 0o600)
                self._opening = path
                self._queue.put(path)
                with open(path, "wb", buffering=0) as out:
                    if hasattr(fcntl, "F_SETPIPE_SZ"):
                        try:  # fewer, larger hand-overs between this thread and DuckDB (Linux)
                            fcntl.fcntl(out.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
                        except OSError:
                            pass
                    blocks.copy_segment(out.write, self._stop)
                self._opening = None
                index += 1
        except BaseException as exc:  # noqa: BLE001 - sorted into a user message
            self._fail(exc)
        finally:
            self._opening = None
            self._queue.put(None)

    def _fail(self, exc: BaseException) -> None:
        """Keep what went wrong as a user message (DuckDB stopping to read is not the feed's error)."""
        if isinstance(exc, DatasetError):
            self.error = exc
        elif isinstance(exc, EOFError):
            self.error = DatasetError(_truncated(self.name))
        elif isinstance(exc, (zlib.error, gzip.BadGzipFile)):
            self.error = DatasetError(_corrupt(self.name, exc))
        elif isinstance(exc, BrokenPipeError):
            pass  # DuckDB stopped reading; its own error (if any) is reported
        elif isinstance(exc, OSError):
            if not self._stop.is_set():
                self.error = DatasetError(f"cannot read {self.name} ({exc.strerror or type(exc).__name__}): check the file")
        else:
            raise exc


_DUCKDB_PREFIX = re.compile(r"^\s*[A-Z][A-Za-z ]*Error:\s*")
_QUOTED_PATH = re.compile(r"""(["'])[^"']*[/\\][^"']*\1""")
_BARE_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s\"'()]+")


def _describe_duckdb_error(exc: BaseException) -> str:
    """DuckDB's complaint in plain words, without a server path or the query text."""
    text = str(exc)
    if "maximum_object_size" in text:
        return f"a line is over {_size(DUCKDB_MAX_OBJECT_BYTES)} long, far longer than any Shodan banner"
    first = next((line for line in text.splitlines() if line.strip()), "")
    first = _DUCKDB_PREFIX.sub("", first.split("LINE 1:")[0])
    first = _BARE_PATH.sub("the file", _QUOTED_PATH.sub("the file", first))
    return " ".join(first.split())[:160] or "the JSON reader failed"


def _connect(folder: Path):
    """An in-memory DuckDB with a memory limit, a thread count and its spill folder inside ``folder``."""
    import duckdb

    spill = folder / "spill"
    spill.mkdir()
    return duckdb.connect(":memory:", config={
        "preserve_insertion_order": False,
        "memory_limit": DUCKDB_MEMORY_LIMIT,
        "threads": max(1, min(DUCKDB_THREADS, os.cpu_count() or 1)),
        "temp_directory": str(spill),
    })


def _scan(con, feed: _Feed, name: str, progress: ProgressFn | None) -> None:
    """Scan every segment into DuckDB's ``parts`` table, reporting progress from the calling thread.

    The queries run in a worker thread. When ``progress`` raises, the worker is told to stop,
    the running query is interrupted, the pump is stopped, and the exception propagates.
    """
    import duckdb

    con.execute(_PARTS_TABLE)
    sql = _scan_sql()
    cancel = threading.Event()
    failure: list[BaseException] = []

    def work() -> None:
        try:
            rows = compacted = 0
            for segment in feed.segments():
                if cancel.is_set():
                    break
                rows += int(con.execute(sql, {"path": str(segment)}).fetchone()[0])
                if rows > max(2 * compacted, COMPACT_ROWS):  # merge the segments' rows: memory stays ~ distinct keys
                    con.execute(f"CREATE OR REPLACE TEMP TABLE parts AS SELECT {_KEYS}, sum(n)::BIGINT AS n FROM parts GROUP BY ALL")
                    rows = compacted = int(con.execute("SELECT count(*) FROM parts").fetchone()[0])
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    if feed.direct:
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")

        def fraction() -> float:
            try:
                return con.query_progress() / 100.0
            except Exception:
                return 0.0
    else:
        def fraction() -> float:
            return feed.fraction

    worker = threading.Thread(target=work, name="shodan-scan", daemon=True)
    worker.start()
    shown = 0.05
    try:
        while worker.is_alive():
            worker.join(0.2)
            value = 0.05 + 0.65 * min(max(fraction(), 0.0), 1.0)
            if progress is not None and worker.is_alive() and value >= shown + 0.01:
                shown = value
                progress(shown, f"Reading {name}")
    except BaseException:  # the caller has gone (or Ctrl-C): stop everything, then let it propagate
        cancel.set()
        feed.stop()
        while worker.is_alive():
            con.interrupt()
            worker.join(0.05)
        raise
    if failure:
        feed.stop()
        if feed.error is not None:
            raise feed.error from None
        if isinstance(failure[0], duckdb.Error):
            raise DatasetError(
                f"{name} could not be read as JSON lines ({_describe_duckdb_error(failure[0])}): {_HOW_TO_EXPORT}"
            ) from None
        raise failure[0]
    feed.finish()
    if feed.error is not None:  # damaged or cut short: refuse the partial data
        raise feed.error


# -- addresses ---------------------------------------------------------------------------------

# What str(IPv4Address) writes: such strings are already in their one spelling.
_CANONICAL_IPV4 = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"


def canonical_ip(text: str) -> str | None:
    """One spelling per address: IPv6 compressed and lower case, IPv4-mapped IPv6 as IPv4,
    ``010.000.001.002`` as ``10.0.1.2``; None when ``text`` is not an IP address."""
    text = text.strip()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(text)
    except ValueError:
        parts = text.split(".")  # ipaddress refuses leading zeros (octal or decimal?): a dotted quad is decimal
        if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
            return None
        if any(int(p) > 255 for p in parts):
            return None
        address = ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def _group_banners(con) -> None:
    """``banners``: the segments' rows merged, each address in its one spelling (else malformed)."""
    odd = [row[0] for row in con.execute(
        "SELECT ip FROM (SELECT DISTINCT ip FROM parts WHERE ip IS NOT NULL) WHERE NOT regexp_full_match(ip, $re)",
        {"re": _CANONICAL_IPV4},
    ).fetchall()]
    if not odd:
        con.execute(f"CREATE TEMP TABLE banners AS SELECT {_KEYS}, sum(n)::BIGINT AS n FROM parts GROUP BY ALL")
    else:
        spelled = pd.DataFrame({"raw": odd, "ip": [canonical_ip(ip) for ip in odd]}).astype("string")
        con.register("spellings", spelled)
        con.execute("""
            CREATE TEMP TABLE banners AS
            SELECT
                CASE WHEN bad THEN 'malformed' ELSE kind END AS kind,
                CASE WHEN NOT bad THEN vendor END AS vendor,
                CASE WHEN NOT bad THEN ip END AS ip,
                CASE WHEN NOT bad THEN cc_known END AS cc_known,
                CASE WHEN NOT bad THEN lat END AS lat,
                CASE WHEN NOT bad THEN lon END AS lon,
                CASE WHEN NOT bad THEN city END AS city,
                sum(n)::BIGINT AS n
            FROM (
                SELECT p.kind, p.vendor, coalesce(s.ip, p.ip) AS ip, p.cc_known, p.lat, p.lon, p.city, p.n,
                       s.raw IS NOT NULL AND s.ip IS NULL AS bad
                FROM parts p LEFT JOIN spellings s ON p.ip = s.raw
            )
            GROUP BY ALL
        """)
        con.unregister("spellings")
    con.execute("DROP TABLE parts")


# -- placing -----------------------------------------------------------------------------------


def place_points(points: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """LAD of each ``lat, lon`` row: ``lat, lon, lad_code, how`` (``inside``/``snapped``/None).

    Inside a polygon wins (the lowest code on a shared boundary); otherwise the nearest LAD
    within :data:`COAST_SNAP_METRES` (in the British National Grid); otherwise None.
    """
    out = points[["lat", "lon"]].reset_index(drop=True).copy()
    out["lad_code"] = None
    out["how"] = None
    if out.empty:
        return out
    polygons = areas[["code", "geometry"]].sort_values("code")
    frame = gpd.GeoDataFrame(out[["lat", "lon"]], geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=4326)
    inside = gpd.sjoin(frame, polygons, how="inner", predicate="intersects")
    inside = inside.sort_values("code")
    inside = inside[~inside.index.duplicated(keep="first")]
    out.loc[inside.index, "lad_code"] = inside["code"]
    out.loc[inside.index, "how"] = "inside"
    rest = frame.loc[out["lad_code"].isna()]
    if len(rest):
        near = gpd.sjoin_nearest(
            rest.to_crs(27700), polygons.to_crs(27700), how="inner", max_distance=COAST_SNAP_METRES
        ).sort_values("code")
        near = near[~near.index.duplicated(keep="first")]
        out.loc[near.index, "lad_code"] = near["code"]
        out.loc[near.index, "how"] = "snapped"
    return out


def place_cities(cities: list[str], resolver: places.Resolver) -> tuple[pd.DataFrame, dict[str, str]]:
    """LAD of each city name when it resolves to exactly one LAD: ``(city, lad_code)`` rows, and why others did not."""
    placed, why = [], {}
    for city in cities:
        result = resolver.resolve(city)
        if result.status == "matched" and not result.national and len(result.lad_codes) == 1:
            placed.append((city, result.lad_codes[0]))
        elif result.status == "matched":
            why[city] = "the whole UK" if result.national else f"{len(result.lad_codes)} local authorities"
        else:
            why[city] = result.status
    return pd.DataFrame(placed, columns=["city", "lad_code"], dtype=object), why


# -- the import --------------------------------------------------------------------------------


def _source_file(source: str | os.PathLike | bytes, filename: str | None) -> tuple[Path | None, bytes | None, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return None, bytes(source), filename or "the uploaded file"
    path = Path(source)
    name = filename or path.name
    if not path.is_file():
        raise DatasetError(f"file {path} not found: check the path")
    return path, None, name


def ingest(
    source: str | os.PathLike | bytes,
    areas: gpd.GeoDataFrame,
    resolver: places.Resolver,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_inflated: int | None = None,
    progress: ProgressFn | None = None,
) -> ShodanImport:
    """Count distinct camera networks per vendor per LAD in a Shodan export (path or uploaded bytes).

    ``progress(fraction, message)`` is called from the calling thread with increasing
    fractions from 0 to 1.0 (checking, reading, placing, counting); when it raises (e.g.
    :class:`geo.errors.Cancelled`), the import stops promptly, cleans up and re-raises.
    ``max_bytes`` and ``max_inflated`` override the file and decompressed size limits.
    Raises :class:`DatasetError` with a one-line message naming the file and the fix for a
    file that is missing, empty, too large (packed or unpacked), truncated or damaged, not
    JSON lines, or that holds no usable banner.
    """
    path, data, name = _source_file(source, filename)
    limit = max_bytes_default() if max_bytes is None else int(max_bytes)
    inflated_limit = max_inflated_default() if max_inflated is None else int(max_inflated)
    size = len(data) if data is not None else path.stat().st_size  # type: ignore[union-attr]
    report = progress or (lambda fraction, message: None)
    report(0.0, f"Checking {name} ({_size(size)})")
    if size == 0:
        raise DatasetError(f"{name} is empty (0 bytes): {_HOW_TO_EXPORT}")
    if size > limit:
        raise DatasetError(
            f"{name} is {_size(size)}, over the {_size(limit)} limit for Shodan exports: "
            f"split the download (shodan download --limit N) or raise {MAX_BYTES_ENV}"
        )
    if data is not None:
        is_gzip = data[:2] == _GZIP_MAGIC
    else:
        with open(path, "rb") as stream:  # type: ignore[arg-type]
            is_gzip = stream.read(2) == _GZIP_MAGIC
    _sniff(_head(path, data, is_gzip, name), name, is_gzip)
    if inflated_limit <= MAX_EXPANSION * limit:
        max_output = inflated_limit
        too_big = (
            f"{name} expands to over {_size(inflated_limit)} when decompressed, over the {_size(inflated_limit)} "
            f"limit for decompressed Shodan exports: split the download (shodan download --limit N) or raise "
            f"{MAX_INFLATED_ENV}"
        )
    else:
        max_output = MAX_EXPANSION * limit
        too_big = (
            f"{name} expands to over {_size(max_output)} when decompressed, more than any plausible Shodan export "
            "of this size: split the download into smaller files"
        )
    report(0.05, f"Reading {name}")
    folder = Path(tempfile.mkdtemp(prefix="atlas-shodan-"))
    con = None
    try:
        con = _connect(folder)
        feed = _Feed(path, data, is_gzip, name, folder, max_output, too_big)
        _scan(con, feed, name, progress)
        _group_banners(con)
        return _finish(con, name, areas, resolver, report)
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(folder, ignore_errors=True)


def _finish(con, name: str, areas: gpd.GeoDataFrame, resolver: places.Resolver, report: ProgressFn) -> ShodanImport:
    by_kind = dict(con.execute("SELECT kind, sum(n)::BIGINT FROM banners GROUP BY kind").fetchall())
    records = int(sum(by_kind.values()))
    if records == 0:
        raise DatasetError(f"{name} is empty: {_HOW_TO_EXPORT}")
    if by_kind.get("malformed", 0) == records:
        raise DatasetError(
            f"{name} holds no Shodan banners (no line is a JSON object with ip_str): {_HOW_TO_EXPORT}"
        )
    skipped = {reason: int(by_kind.get(reason, 0)) for reason in SKIP_REASONS}
    notes: list[str] = []

    points = con.execute("SELECT DISTINCT lat, lon FROM banners WHERE kind = 'candidate' AND lat IS NOT NULL").df()
    report(0.75, f"Placing {len(points):,} distinct locations in local authorities")
    placed_points = place_points(points, areas)
    cities = [row[0] for row in con.execute(
        "SELECT DISTINCT city FROM banners WHERE kind = 'candidate' AND lat IS NULL AND cc_known AND city IS NOT NULL ORDER BY city"
    ).fetchall()]
    placed_cities, unplaced_why = place_cities(cities, resolver)

    report(0.9, "Counting distinct IP addresses per local authority and vendor")
    # Explicit string types: an all-None column would otherwise reach DuckDB untyped.
    con.register("placed_points", placed_points.astype({"lad_code": "string", "how": "string"}))
    con.register("placed_cities", placed_cities.astype({"city": "string", "lad_code": "string"}))
    con.execute("""
        CREATE TEMP TABLE placed AS
        SELECT b.ip, b.vendor, b.n, b.cc_known, b.city, b.lat IS NOT NULL AS has_coords,
            CASE WHEN b.lat IS NOT NULL THEN (CASE WHEN b.cc_known OR p.how = 'inside' THEN p.lad_code END)
                 WHEN b.cc_known THEN c.lad_code END AS lad_code,
            CASE WHEN b.lat IS NOT NULL THEN (CASE WHEN b.cc_known OR p.how = 'inside' THEN p.how END)
                 WHEN b.cc_known AND c.lad_code IS NOT NULL THEN 'city' END AS how
        FROM banners b
        LEFT JOIN placed_points p ON b.lat = p.lat AND b.lon = p.lon
        LEFT JOIN placed_cities c ON b.lat IS NULL AND b.city = c.city
        WHERE b.kind = 'candidate'
    """)
    tally = con.execute("""
        SELECT
            sum(n) FILTER (WHERE lad_code IS NOT NULL)::BIGINT,
            sum(n) FILTER (WHERE lad_code IS NULL AND has_coords AND NOT cc_known)::BIGINT,
            sum(n) FILTER (WHERE lad_code IS NULL AND NOT (has_coords AND NOT cc_known))::BIGINT,
            sum(n) FILTER (WHERE how = 'city')::BIGINT,
            sum(n) FILTER (WHERE how = 'snapped')::BIGINT,
            sum(n) FILTER (WHERE lad_code IS NOT NULL AND NOT cc_known)::BIGINT
        FROM placed
    """).fetchone()
    used, outside_no_country, no_location, by_city, snapped, no_country = (int(v or 0) for v in tally)
    skipped["not_uk"] += outside_no_country
    skipped["no_location"] += no_location
    # One local authority per address and vendor: where most of its banners are, ties to the lowest code.
    con.execute("""
        CREATE TEMP TABLE homes AS
        SELECT ip, vendor, lad_code, lads FROM (
            SELECT ip, vendor, lad_code, sum(n) AS banners, count(*) OVER (PARTITION BY ip, vendor) AS lads
            FROM placed WHERE lad_code IS NOT NULL GROUP BY ip, vendor, lad_code
        )
        QUALIFY row_number() OVER (PARTITION BY ip, vendor ORDER BY banners DESC, lad_code) = 1
    """)
    counts = con.execute("""
        SELECT lad_code, vendor, count(*)::BIGINT AS networks FROM homes GROUP BY ALL ORDER BY lad_code, vendor
    """).df()
    split = int(con.execute("SELECT count(DISTINCT ip)::BIGINT FROM homes WHERE lads > 1").fetchone()[0])
    unplaced_cities = con.execute("""
        SELECT city, sum(n)::BIGINT AS n FROM placed
        WHERE lad_code IS NULL AND NOT has_coords AND cc_known AND city IS NOT NULL
        GROUP BY city ORDER BY n DESC, city LIMIT 5
    """).fetchall()
    ambiguous = int(con.execute(
        "SELECT coalesce(sum(n), 0)::BIGINT FROM banners WHERE kind = 'vendor_not_recognised' AND vendor = 'ambiguous'"
    ).fetchone()[0])

    if used == 0:
        skips = ", ".join(f"{reason.replace('_', ' ')} {skipped[reason]:,}" for reason in SKIP_REASONS)
        raise DatasetError(
            f"{name} has {records:,} banners but none is a UK Hikvision or Dahua camera with a usable location "
            f"({skips}): export a UK camera query, e.g. shodan download cams 'country:GB hikvision'"
        )
    lad_names = dict(zip(areas["code"], areas["name"]))
    observations = pd.DataFrame({
        "lad_code": counts["lad_code"].astype(str),
        "place": counts["lad_code"].map(lad_names).astype(str),
        "vendor": counts["vendor"].astype(str),
        "networks": counts["networks"].astype("int64"),
    })

    if by_city:
        notes.append(f"{by_city:,} banners placed by city name (no coordinates)")
    if snapped:
        notes.append(f"{snapped:,} banners just off the coast placed in the nearest local authority (within {COAST_SNAP_METRES / 1000:g} km)")
    if no_country:
        notes.append(f"{no_country:,} banners without a country code counted as UK because their coordinates lie in a UK local authority")
    if unplaced_cities:
        listed = ", ".join(
            f"{city} ({unplaced_why.get(city, 'unmatched')}, {n:,} banners)" for city, n in unplaced_cities
        )
        notes.append(f"city names not placed (no coordinates): {listed}")
    if split:
        were = "address was" if split == 1 else "addresses were"
        notes.append(
            f"{split:,} {were} placed in more than one local authority; each counted once, where most of its banners are"
        )
    if ambiguous:
        notes.append(f"{ambiguous:,} banners matched both Hikvision and Dahua markers and were skipped as not recognised")
    if skipped["malformed"]:
        notes.append(f"{skipped['malformed']:,} lines were not Shodan banners (not JSON, or no valid ip_str) and were skipped")
    report(1.0, f"Done: {used:,} of {records:,} banners counted")
    return ShodanImport(observations=observations, records_read=records, skipped=skipped, used=used, notes=tuple(notes))


def to_csv_bytes(result: ShodanImport) -> bytes:
    """The observations as CSV (``lad_code,place,vendor,networks``), safe to open in a spreadsheet."""
    from geo.exports import safe_csv

    return safe_csv(result.observations[["lad_code", "place", "vendor", "networks"]]).encode("utf-8")
