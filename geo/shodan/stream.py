"""Streaming a Shodan export's content to DuckDB: inflating, limits on the way, and line-aligned segment files.

DuckDB's own gzip reader neither verifies the CRC nor reports damage in the middle of a
stream (it stops early, silently), so gzip is inflated here with zlib (which checks every
member's CRC and length) in a background thread, the pump. DuckDB keeps whatever it reads
from a pipe until its query ends (a 4.5 GiB stream held 4.5 GiB), so the content is not
piped: the pump writes it to segment files of about :data:`SEGMENT_BYTES`, cut at line
ends, in the import's private temporary folder, at most :data:`SEGMENTS_AHEAD` at a time,
and DuckDB reads each one as a plain, seekable file (with all its threads, holding nothing)
in its own query while the pump writes the next: memory stays bounded whatever the
inflated size, and each segment file is deleted as soon as it has been read. On the way the
decompressed size and the line length are bounded, and the compressed bytes consumed give
the progress fraction. Damaged or truncated data is never handed to DuckDB: the segment it
falls in is dropped and the import refused.
"""

from __future__ import annotations

import gzip
import queue
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.core.errors import DatasetError
from geo.shodan.source import (
    HOW_TO_EXPORT,
    Source,
    corrupt_message,
    size_text,
    truncated_message,
)

# A banner is a few KB (a few hundred with a screenshot); a longer line is not one.
MAX_LINE_BYTES = 16 * 1024 * 1024
# One DuckDB query per segment: two of its 32 MB read buffers, so both threads parse at once.
SEGMENT_BYTES = 64 * 1024 * 1024
# Segment files on disk at once: the one DuckDB reads and the one the pump writes.
SEGMENTS_AHEAD = 2


class Blocks:
    """Decompressed content as blocks, with one block of look-ahead and the limits checked as it flows.

    Raises :class:`DatasetError` when the content grows past ``max_output`` or a line past
    :data:`MAX_LINE_BYTES`, EOFError when the last gzip member is cut short, and zlib or OS
    errors as they come.
    """

    def __init__(self, feed: Feed) -> None:
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
            raise DatasetError(self.feed.too_big)
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
                f"{self.feed.name} has a line over {size_text(MAX_LINE_BYTES)} long, far longer than any Shodan banner: "
                f"{HOW_TO_EXPORT}"
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
                    head, rest = block[: end + 1], block[end + 1 :]
                    self._check(head)
                    write(head)
                    if rest:  # checked and counted when it is written
                        self._pending = rest
                    return
            self._check(block)
            write(block)
            written += len(block)


class Feed:
    """An export's content for DuckDB as a sequence of segment files (:meth:`segments`).

    A plain file on disk is one segment, read by DuckDB where it is. Gzip files and uploaded
    bytes are inflated (or copied) by the pump thread into segment files in ``folder``.
    Problems the user can fix end up in :attr:`error` as a :class:`DatasetError`.
    """

    CHUNK = 1 << 20

    def __init__(self, source: Source, folder: Path, max_output: int, too_big: str) -> None:
        self.source, self.name = source, source.name
        self.folder, self.max_output = folder, max_output
        self.too_big = too_big  # the refusal when the content passes max_output
        self.total = source.size
        self.consumed = 0
        self.error: DatasetError | None = None
        self.direct = source.on_disk_plain
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._slots = threading.Semaphore(SEGMENTS_AHEAD)

    def segments(self) -> Iterator[Path]:
        """The files DuckDB reads, in order; each is deleted once the next is asked for."""
        if self.direct:
            assert self.source.path is not None  # on_disk_plain: a file on disk
            yield self.source.path
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._pump, name="shodan-inflate", daemon=True)
            self._thread.start()
        while (path := self._ready.get()) is not None:
            yield path
            path.unlink(missing_ok=True)
            self._slots.release()

    def stop(self) -> None:
        """Stop the pump (it checks between blocks) and wait for it; after the last segment it has already ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def fraction(self) -> float:
        return self.consumed / self.total if self.total else 1.0

    # -- the pump
    def _compressed_chunks(self):
        if self.source.data is not None:
            view = memoryview(self.source.data)
            for start in range(0, len(view), self.CHUNK):
                if self._stop.is_set():
                    return
                yield view[start : start + self.CHUNK]
            return
        with open(self.source.path, "rb") as stream:
            while not self._stop.is_set() and (chunk := stream.read(self.CHUNK)):
                yield chunk

    def _inflated(self):
        """Decompressed blocks; raises EOFError when the last gzip member is cut short."""
        if not self.source.is_gzip:
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
        """Write the segment files, at most SEGMENTS_AHEAD at a time; a damaged one is dropped, not handed on."""
        try:
            blocks = Blocks(self)
            index = 0
            while not self._stop.is_set() and blocks.peek():
                while not self._slots.acquire(timeout=0.1):
                    if self._stop.is_set():
                        return
                path = self.folder / f"segment-{index}.jsonl"
                with self._writing(path) as write:
                    blocks.copy_segment(write, self._stop)
                if self._stop.is_set():
                    return
                self._ready.put(path)
                index += 1
        except BaseException as exc:  # noqa: BLE001 - sorted into a user message
            self._fail(exc)
        finally:
            self._ready.put(None)

    @contextmanager
    def _writing(self, path: Path) -> Iterator[Callable[[bytes], object]]:
        """A segment file to write; the server's own trouble with it is a one-line message, without its path."""

        def refuse(exc: OSError) -> DatasetError:
            return DatasetError(
                f"{self.name} could not be imported now, the server cannot write temporary files "
                f"({exc.strerror or type(exc).__name__}): try again later"
            )

        try:
            out = open(path, "wb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise refuse(exc) from None

        def write(block: bytes) -> None:
            try:
                out.write(block)
            except OSError as exc:
                raise refuse(exc) from None

        try:
            yield write
        finally:
            try:
                out.close()
            except OSError as exc:
                raise refuse(exc) from None

    def _fail(self, exc: BaseException) -> None:
        """Keep what went wrong as a user message."""
        if isinstance(exc, DatasetError):
            self.error = exc
        elif isinstance(exc, EOFError):
            self.error = DatasetError(truncated_message(self.name))
        elif isinstance(exc, (zlib.error, gzip.BadGzipFile)):
            self.error = DatasetError(corrupt_message(self.name, exc))
        elif isinstance(exc, OSError):
            if not self._stop.is_set():
                self.error = DatasetError(
                    f"cannot read {self.name} ({exc.strerror or type(exc).__name__}): check the file"
                )
        else:
            raise exc
