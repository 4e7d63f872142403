"""Live counts through a scanner's count API: the provider interface and the scan loop.

A *provider* (:class:`CountProvider`) answers one question: how many results does a query
have, and how are they spread over one facet (``city``)? :func:`scan` asks it once per
vendor query, paced and with retries, and returns a :class:`ScanResult`; nothing here knows
which scanner answered. Shodan's provider lives in :mod:`geo.scan.shodan_api`; another scanner
(Censys, ZoomEye) is another class with the same members. Resolving the city names is
:mod:`geo.scan.summary`; writing the dataset folder :mod:`geo.scan.as_dataset`.

The queries are the reviewed file ``data/scan_queries.csv`` (``vendor, query, note``), exactly
one per vendor, and the scan appends ``country:GB``. Shodan ANDs separate terms and filters and
ORs the comma-separated values of one filter (``port:22,80``, ``city:"San Diego,Austin"``), so
a vendor's markers are values of one ``product:`` filter: a service matching several values is
still one result. Markers in other fields (``http.title:``, ``http.html:``) cannot be ORed
with it in the same query, and a second query for the same vendor would count the services
both match twice, so they are left out (:func:`parse_queries` refuses a second query per vendor).

An answer is checked against what was asked before anything is done with it
(:func:`check_count`): at most ``facet_size`` facet entries, facet counts that add up to no
more than the total, and city names that can be places (no invisible or control characters,
at most :data:`geo.core.text.MAX_PLACE_NAME` characters, not only punctuation). A server that
breaks that contract is refused in one line rather than trusted in part: what it got wrong
once says nothing good about the rest of its answer.

Work stops when the session that asked has gone: ``progress`` (called after each query and
before each retry's wait) and ``sleep`` (every wait between calls) may raise
(:class:`geo.core.errors.Cancelled`); a page passes a ``sleep`` that waits in short slices and
checks the session between them.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from geo import settings
from geo.core.errors import SourceError
from geo.core.text import MAX_PLACE_NAME, invisible, shown
from geo.names.keys import normalise_name

QUERIES_PATH = settings.shipped_dir() / "scan_queries.csv"
SCAN_VENDORS = ("hikvision", "dahua")
DEFAULT_FACET_SIZE = 1000
MAX_FACET_SIZE = 10_000  # cities per vendor; more than the UK's GeoIP city names, and what a dataset may hold
DEFAULT_RETRIES = 3  # after the first attempt: four calls in all
DEFAULT_BACKOFF = 2.0  # seconds before the first retry; doubles each time
MAX_WAIT = 60.0  # no single wait is longer than this

ProgressFn = Callable[[float, str], None]


class ScanError(SourceError):
    """A count could not be made; ``str(err)`` is one line naming the problem and the fix."""


class TransientError(ScanError):
    """A failure worth retrying (rate limit, overloaded server): :func:`scan` retries it.

    ``problem`` and ``fix`` are kept apart so the give-up message can say how often it tried.
    """

    def __init__(self, problem: str, fix: str, retry_after: float | None = None) -> None:
        super().__init__(f"{problem}: {fix}")
        self.problem = problem
        self.fix = fix
        self.retry_after = retry_after


@dataclass(frozen=True)
class CountResult:
    """One count: the query's ``total`` and, per faceted field, ``(value, count)`` pairs, largest first."""

    total: int
    facets: dict[str, tuple[tuple[str, int], ...]]


class CountProvider(Protocol):
    """What :func:`scan` needs from a scanner's count API.

    ``count`` raises :class:`ScanError` (one line, never the key) when it cannot answer, and
    :class:`TransientError` when trying again later may help.
    """

    name: str  # shown to people: "Shodan"
    version: str  # the client library (or API) and its version, recorded in the dataset: "shodan 1.31.0"
    min_interval: float  # seconds to leave between two calls (Shodan: 1 request a second)
    source: str  # what answered, for the dataset's sources: "Shodan count API (/shodan/host/count)"
    source_url: str  # the API's documentation
    server_fix: str  # what to check when answers are malformed: "check that SHODAN_API_URL ..."

    def count(self, query: str, facet: str, size: int) -> CountResult:
        """Total results of ``query`` and its ``size`` largest ``facet`` values (at most ``size``)."""
        ...


@dataclass(frozen=True)
class ScanQuery:
    """One reviewed query: the vendor it counts, the query text (without the country) and what it matches."""

    vendor: str
    query: str
    note: str


@dataclass(frozen=True)
class VendorCount:
    """One vendor's answer: national total and per-city counts as the provider named them."""

    vendor: str
    query: str  # exactly as sent, country filter included
    note: str
    total: int
    cities: tuple[tuple[str, int], ...]
    no_city: int = 0  # facet entries with an empty name: results without a city

    @property
    def facet_sum(self) -> int:
        """Results the city facets attribute to a named city."""
        return sum(count for _, count in self.cities)

    @property
    def remainder(self) -> int:
        """Results no city facet attributes: beyond the top N cities, or without a city."""
        return max(self.total - self.facet_sum, 0)


@dataclass(frozen=True)
class ScanResult:
    """A whole scan: who answered, when, how, and each vendor's counts."""

    provider: str
    provider_version: str
    source: str
    source_url: str
    country: str
    facet: str
    facet_size: int
    started_at: datetime  # UTC
    finished_at: datetime  # UTC
    vendors: tuple[VendorCount, ...]
    calls: int = 0  # count calls made, retries included
    notes: tuple[str, ...] = field(default=())  # what the scan wants recorded with the dataset

    @property
    def date(self) -> str:
        """UTC date of the count, ``YYYY-MM-DD``."""
        return self.started_at.date().isoformat()


def read_queries(path: Path | str = QUERIES_PATH) -> list[ScanQuery]:
    """The reviewed vendor queries; one per vendor, each with a note on what it matches."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScanError(
            f"cannot read the scan queries file {Path(path).name} ({exc.strerror}): restore it from the project"
        ) from None
    return parse_queries(text, Path(path).name)


def parse_queries(text: str, filename: str = "scan_queries.csv") -> list[ScanQuery]:
    """Validate a queries table: columns ``vendor, query, note``; vendors from :data:`SCAN_VENDORS`, each once."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"vendor", "query", "note"} <= set(rows[0]):
        raise ScanError(f"{filename} needs columns vendor, query, note and one row per vendor: fix the file")
    queries: list[ScanQuery] = []
    for line, row in enumerate(rows, start=2):
        vendor = (row["vendor"] or "").strip().lower()
        query = " ".join((row["query"] or "").split())
        if vendor not in SCAN_VENDORS:
            raise ScanError(
                f"{filename} line {line}: vendor {vendor!r} is not one of {', '.join(SCAN_VENDORS)}: fix it"
            )
        if any(q.vendor == vendor for q in queries):
            raise ScanError(
                f"{filename} line {line}: a second query for {vendor} would count its results twice: "
                "OR the markers in the vendor's one query"
            )
        if not query:
            raise ScanError(f"{filename} line {line}: the query for {vendor} is empty: write one")
        if "country:" in query.lower():
            raise ScanError(f"{filename} line {line}: leave country: out of the query: the scan adds it")
        queries.append(ScanQuery(vendor, query, " ".join((row["note"] or "").split())))
    return queries


def scan(
    provider: CountProvider,
    queries: Sequence[ScanQuery],
    facet_size: int = DEFAULT_FACET_SIZE,
    progress: ProgressFn | None = None,
    *,
    country: str = "GB",
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ScanResult:
    """Count each query in ``country`` with a ``city`` facet of ``facet_size``; one call per query.

    Calls are at least ``provider.min_interval`` seconds apart. A :class:`TransientError` is
    retried up to ``retries`` times, waiting ``backoff``, then twice, four times as long (or
    what the provider asked for), then raised as a :class:`ScanError` saying how often it
    tried. ``progress(fraction, message)`` gets one line per finished query, and one per wait
    before a retry. Either ``progress`` or ``sleep`` may raise (e.g.
    :class:`geo.core.errors.Cancelled`) to stop the scan. ``sleep`` and ``clock`` are injectable
    (for tests, and for a page that stops waiting when its session has gone).

    Raises :class:`ScanError` on the first failure, and for an answer that breaks the contract
    (:func:`check_count`): a scan is all vendors or nothing.
    """
    if not queries:
        raise ScanError("no scan queries: add one row per vendor to data/scan_queries.csv")
    if facet_size < 1:
        raise ScanError(f"facet size {facet_size} is below 1: ask for at least one city (default {DEFAULT_FACET_SIZE})")
    if facet_size > MAX_FACET_SIZE:
        raise ScanError(
            f"facet size {facet_size:,} is above {MAX_FACET_SIZE:,}: ask for at most {MAX_FACET_SIZE:,} cities per vendor"
        )
    report = progress or (lambda fraction, message: None)
    pacer = _Pacer(provider.min_interval, sleep, clock)
    started = datetime.now(timezone.utc)
    counts: list[VendorCount] = []
    calls = 0
    for index, query in enumerate(queries):
        sent = f"{query.query} country:{country}"
        attempt = 0
        while True:
            pacer.wait()
            calls += 1
            try:
                result = provider.count(sent, "city", facet_size)
                pacer.mark()
                break
            except TransientError as err:
                pacer.mark()
                attempt += 1
                if attempt > retries:
                    raise ScanError(f"{err.problem} ({attempt} attempts for {query.vendor}): {err.fix}") from None
                delay = min(err.retry_after or backoff * 2 ** (attempt - 1), MAX_WAIT)
                report(
                    index / len(queries),
                    f"{provider.name}: {err.problem}; retry {attempt} of {retries} for {query.vendor} in {delay:g} s",
                )
                pacer.hold(delay)
        cities = check_count(result, "city", facet_size, provider)
        named = tuple((name, count) for name, count in cities if name)
        no_city = sum(count for name, count in cities if not name)
        count = VendorCount(query.vendor, sent, query.note, result.total, named, no_city)
        counts.append(count)
        report(
            (index + 1) / len(queries),
            f"[{index + 1}/{len(queries)}] {query.vendor}: {count.total:,} results, "
            f"{len(named):,} cities hold {count.facet_sum:,}, {count.remainder:,} not attributed to a city",
        )
    return ScanResult(
        provider=provider.name,
        provider_version=provider.version,
        source=provider.source,
        source_url=provider.source_url,
        country=country,
        facet="city",
        facet_size=facet_size,
        started_at=started,
        finished_at=datetime.now(timezone.utc),
        vendors=tuple(counts),
        calls=calls,
    )


def check_count(result: CountResult, facet: str, size: int, provider: CountProvider) -> list[tuple[str, int]]:
    """``result``'s ``facet`` entries, names stripped, once the answer is known to keep the contract.

    Refused as malformed, in one line: more entries than the ``size`` asked for; entries
    whose counts add up to more than the total (a share above 100 %); a name with invisible
    or control characters (a bidi override would reverse the words of every line quoting
    it), longer than :data:`geo.core.text.MAX_PLACE_NAME`, or of punctuation only. An empty name
    is the facet's "no city" entry.
    """

    def malformed(what: str) -> ScanError:
        fix = getattr(provider, "server_fix", "") or f"report it to {provider.name}"
        return ScanError(f"{provider.name}'s answer is malformed ({what}): try again later; if it persists, {fix}")

    entries = result.facets.get(facet, ())
    if len(entries) > size:
        raise malformed(f"{len(entries):,} {facet} entries, more than the {size:,} asked for")
    held = sum(count for _, count in entries)
    if held > result.total:
        raise malformed(f"the {facet} counts add up to {held:,}, more than the total of {result.total:,}")
    checked: list[tuple[str, int]] = []
    for raw, count in entries:
        name = str(raw).strip(" ")
        hidden = invisible(name) + [f"U+{ord(ch):04X}" for ch in dict.fromkeys(name) if ch in "\t\n\r\x0b\x0c"]
        if hidden:
            raise malformed(f"{facet} '{shown(name)}' holds invisible or control characters ({', '.join(hidden)})")
        if len(name) > MAX_PLACE_NAME:
            raise malformed(f"{facet} '{shown(name)}' is {len(name):,} characters long, more than {MAX_PLACE_NAME}")
        if name and not normalise_name(name):
            raise malformed(f"{facet} '{shown(name)}' has no letters or digits")
        checked.append((name, int(count)))
    return checked


class _Pacer:
    """Leaves ``interval`` seconds between the end of one call and the start of the next (as the
    ``shodan`` package does), and holds the next call back longer after a failure."""

    def __init__(self, interval: float, sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self.interval, self.sleep, self.clock = max(float(interval), 0.0), sleep, clock
        self.next_at: float | None = None

    def wait(self) -> None:
        if self.next_at is not None:
            remaining = self.next_at - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def mark(self) -> None:
        self.next_at = self.clock() + self.interval

    def hold(self, seconds: float) -> None:
        self.next_at = max(self.next_at or 0.0, self.clock() + seconds)
