"""Streaming a Shodan export's content to DuckDB: inflating, limits on the way, and line-aligned segments through named pipes.

DuckDB's own gzip reader neither verifies the CRC nor reports damage in the middle of a
stream (it stops early, silently), so gzip is inflated here with zlib (which checks every
member's CRC and length) in a background thread and written to FIFOs that DuckDB reads as
plain JSON lines; zlib releases the GIL, so inflating runs beside DuckDB's parsing. DuckDB
keeps whatever it reads from a pipe until its query ends, so the content goes in segments of
about :data:`SEGMENT_BYTES`, cut at line ends, one FIFO and one query each: memory stays
bounded whatever the inflated size. On the way the decompressed size and the line length
are bounded, and the compressed bytes consumed give the progress fraction.
"""

from __future__ import annotations

import gzip
import os
import queue
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.errors import DatasetError
from geo.shodan_source import (
    HOW_TO_EXPORT,
    Source,
    corrupt_message,
    size_text,
    truncated_message,
)

try:
    import fcntl
except ImportError:  # Windows: no named pipes either (see Feed)
    fcntl = None  # type: ignore[assignment]

# A banner is a few KB (a few hundred with a screenshot); a longer line is not one.
MAX_LINE_BYTES = 16 * 1024 * 1024
# Stream decompressed content to DuckDB through named pipes (else via temporary files).
USE_FIFO = True
PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size
# DuckDB holds all it reads from a pipe until the query ends: one query per segment this size.
SEGMENT_BYTES = 64 * 1024 * 1024  # two of DuckDB's read buffers: one is read while one is parsed


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
                    head, rest = block[: end + 1], block[end + 1:]
                    self._check(head)
                    write(head)
                    if rest:  # checked and counted when it is written
                        self._pending = rest
                    return
            self._check(block)
            write(block)
            written += len(block)


class Feed:
    """An export's content for DuckDB as a sequence of segment paths (:meth:`segments`).

    Gzip or uploaded bytes: a background thread (the pump) inflates and writes each segment
    to its own FIFO (one per segment, so a reader never sees the next segment's bytes);
    uploaded bytes are never copied to disk. A plain file on disk is one segment, read by
    DuckDB directly (seekable, so DuckDB holds nothing). Without ``os.mkfifo`` (Windows),
    each segment is written to a temporary file first. Problems the user can fix end up in
    :attr:`error` as a :class:`DatasetError`.
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
        self.fifo = USE_FIFO and hasattr(os, "mkfifo") and not self.direct
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._opening: Path | None = None  # the FIFO the pump is opening or writing

    # -- the segments, in order
    def segments(self) -> Iterator[Path]:
        """The paths DuckDB reads, one at a time; each is deleted once the next is asked for."""
        if self.direct:
            yield self.source.path  # type: ignore[misc]
            return
        if self.fifo:
            if self._thread is None:
                self._thread = threading.Thread(target=self._pump, name="shodan-inflate", daemon=True)
                self._thread.start()
            while (path := self._queue.get()) is not None:
                yield path
                path.unlink(missing_ok=True)
            return
        blocks = Blocks(self)
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
        if self.source.data is not None:
            view = memoryview(self.source.data)
            for start in range(0, len(view), self.CHUNK):
                if self._stop.is_set():
                    return
                yield view[start:start + self.CHUNK]
            return
        with open(self.source.path, "rb") as stream:  # type: ignore[arg-type]
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
        try:
            blocks = Blocks(self)
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
            self.error = DatasetError(truncated_message(self.name))
        elif isinstance(exc, (zlib.error, gzip.BadGzipFile)):
            self.error = DatasetError(corrupt_message(self.name, exc))
        elif isinstance(exc, BrokenPipeError):
            pass  # DuckDB stopped reading; its own error (if any) is reported
        elif isinstance(exc, OSError):
            if not self._stop.is_set():
                self.error = DatasetError(f"cannot read {self.name} ({exc.strerror or type(exc).__name__}): check the file")
        else:
            raise exc
