"""DuckDB's pass over a Shodan export: its budget, the scan SQL, progress and cancellation, and the banners table.

:func:`connect` opens an in-memory DuckDB with a memory limit, a thread count and a spill
folder inside the import's private folder. :func:`scan` runs :func:`scan_sql` (``read_json``
with a fixed schema of only the fields the rules read, the rules from
:mod:`geo.shodan.rules` as SQL) once per segment of the :class:`~geo.shodan.stream.Feed`, in
a worker thread, adding each segment's grouped rows to ``banners`` (one row per distinct
``(kind, vendor, ip, cc_known, lat, lon, city)`` per segment, ``n`` banners each, merged
whenever the table outgrows twice its last merge); the calling thread reports progress and,
when the progress callback raises, stops the pump, interrupts DuckDB and lets the exception
propagate. :func:`respell_addresses` puts every address in its one spelling: only the
distinct addresses that are not already plain dotted quads go through Python's
``ipaddress``. A key may repeat (once per segment): whatever reads ``banners`` sums ``n`` or
takes distinct values. DuckDB's error text reaches the user only as
:func:`describe_duckdb_error` words it: no server path, no query text.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geo.core.errors import DatasetError
from geo.shodan.rules import (
    CANONICAL_IPV4,
    UK_COUNTRY_CODES,
    VENDOR_FIELDS,
    VENDOR_KEYS,
    canonical_ip,
    vendor_case_sql,
)
from geo.shodan.source import HOW_TO_EXPORT, size_text
from geo.shodan.stream import Feed

ProgressFn = Callable[[float, str], None]

# DuckDB's own budget: memory limit (it spills to the import's private folder past it) and threads.
DUCKDB_MEMORY_LIMIT = "512MB"
DUCKDB_THREADS = 2
# read_json's maximum_object_size: DuckDB's smallest (its read buffers are twice that, per thread).
DUCKDB_MAX_OBJECT_BYTES = 16 * 1024 * 1024
# The segments' grouped rows are merged once they outgrow twice the last merge (and this many).
COMPACT_ROWS = 1_000_000

# What the scan reads besides the vendor fields (dotted paths into a banner).
READ_FIELDS = ("ip_str", "ipv6", "location.country_code", "location.city", "location.latitude", "location.longitude")


def read_columns(fields: tuple[str, ...] = VENDOR_FIELDS) -> str:
    """read_json's fixed schema: :data:`READ_FIELDS` and ``fields``, nested as structs, every leaf VARCHAR.

    VARCHAR takes a JSON object or array as its JSON text, so markers are found inside them too.
    """
    tree: dict = {}
    for dotted in (*READ_FIELDS, *fields):
        *parents, leaf = dotted.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node.setdefault(leaf, None)

    def kind(node: dict | None) -> str:
        return "VARCHAR" if node is None else "STRUCT(" + ", ".join(f"{k} {kind(v)}" for k, v in node.items()) + ")"

    return "{" + ", ".join(f"'{key}': '{kind(node)}'" for key, node in tree.items()) + "}"


# The grouped rows: one per distinct key and segment, ``n`` banners each.
_KEYS = "kind, vendor, ip, cc_known, lat, lon, city"
_BANNERS_TABLE = (
    "CREATE TEMP TABLE banners (kind VARCHAR, vendor VARCHAR, ip VARCHAR, cc_known BOOLEAN, lat DOUBLE, lon DOUBLE, "
    "city VARCHAR, n BIGINT)"
)


def scan_sql() -> str:
    """One pass over one segment: each banner classified, grouped to distinct keys, added to ``banners``."""
    uk = ", ".join(f"'{c}'" for c in UK_COUNTRY_CODES)
    vendors = ", ".join(f"'{key}'" for key in VENDOR_KEYS)
    usable = f"kind = 'candidate' AND vendor IN ({vendors})"
    has_coords = "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 AND NOT (lat = 0 AND lon = 0)"
    vendor_case = "\n             ".join(vendor_case_sql().splitlines())
    searched = ", ".join(dict.fromkeys(field.split(".")[0] for field in VENDOR_FIELDS))
    # The address is kept for every banner that has one, so that its spelling can be checked afterwards.
    return f"""
INSERT INTO banners
WITH raw AS (
    SELECT
        coalesce(nullif(trim(ip_str), ''), nullif(trim(ipv6), '')) AS ip,
        nullif(upper(trim(location.country_code)), '') AS cc,
        TRY_CAST(location.latitude AS DOUBLE) AS lat,
        TRY_CAST(location.longitude AS DOUBLE) AS lon,
        nullif(trim(location.city), '') AS city,
        {searched}
    FROM read_json($path, columns = {read_columns()}, format = 'newline_delimited', records = true,
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
             {vendor_case}
        END AS vendor
    FROM judged
)
SELECT
    CASE WHEN kind = 'candidate' AND vendor NOT IN ({vendors}) THEN 'vendor_not_recognised' ELSE kind END AS kind,
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


_DUCKDB_PREFIX = re.compile(r"^\s*[A-Z][A-Za-z ]*Error:\s*")
_QUOTED_PATH = re.compile(r"""(["'])[^"']*[/\\][^"']*\1""")
_BARE_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[\w.@~+-]+[/\\])+[\w.@~+-]*")  # two separators at least


def describe_duckdb_error(exc: BaseException) -> str:
    """DuckDB's complaint in plain words, without a server path or the query text."""
    text = str(exc)
    if "maximum_object_size" in text:
        return f"a line is over {size_text(DUCKDB_MAX_OBJECT_BYTES)} long, far longer than any Shodan banner"
    first = next((line for line in text.splitlines() if line.strip()), "")
    first = _DUCKDB_PREFIX.sub("", first.split("LINE 1:")[0])
    first = _BARE_PATH.sub("the file", _QUOTED_PATH.sub("the file", first))
    return " ".join(first.split())[:160] or "the JSON reader failed"


def connect(folder: Path):
    """An in-memory DuckDB with a memory limit, a thread count and its spill folder inside ``folder``."""
    import duckdb

    spill = folder / "spill"
    spill.mkdir()
    return duckdb.connect(
        ":memory:",
        config={
            "preserve_insertion_order": False,
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "threads": max(1, min(DUCKDB_THREADS, os.cpu_count() or 1)),
            "temp_directory": str(spill),
        },
    )


def scan(con, feed: Feed, name: str, progress: ProgressFn | None) -> None:
    """Scan every segment into DuckDB's ``banners`` table, reporting progress from the calling thread.

    The queries run in a worker thread. When ``progress`` raises, the worker is told to stop,
    the running query is interrupted, the pump is stopped, and the exception propagates.
    """
    import duckdb

    con.execute(_BANNERS_TABLE)
    sql = scan_sql()
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
                    con.execute(
                        f"CREATE OR REPLACE TEMP TABLE banners AS SELECT {_KEYS}, sum(n)::BIGINT AS n FROM banners GROUP BY ALL"
                    )
                    rows = compacted = int(con.execute("SELECT count(*) FROM banners").fetchone()[0])
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(exc)

    if feed.direct:
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")

        def fraction() -> float:
            try:
                return con.query_progress() / 100.0
            except Exception:  # noqa: BLE001 - progress is best effort
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
        if isinstance(failure[0], duckdb.OutOfMemoryException):
            raise DatasetError(
                f"{name} could not be imported now, the server is short of memory: try again in a few minutes, "
                "or split the download into smaller files"
            ) from None
        if isinstance(failure[0], duckdb.Error):
            raise DatasetError(
                f"{name} could not be read as JSON lines ({describe_duckdb_error(failure[0])}): {HOW_TO_EXPORT}"
            ) from None
        raise failure[0]
    feed.stop()
    if feed.error is not None:  # damaged or cut short: refuse the partial data
        raise feed.error


def respell_addresses(con) -> None:
    """Every address in ``banners`` in its one spelling; a banner whose address is not one becomes malformed."""
    odd = [
        row[0]
        for row in con.execute(
            "SELECT ip FROM (SELECT DISTINCT ip FROM banners WHERE ip IS NOT NULL) WHERE NOT regexp_full_match(ip, $re)",
            {"re": CANONICAL_IPV4},
        ).fetchall()
    ]
    if not odd:
        return
    spelled = pd.DataFrame({"raw": odd, "ip": [canonical_ip(ip) for ip in odd]}).astype("string")
    con.register("spellings", spelled)
    con.execute("""
        UPDATE banners SET
            kind = CASE WHEN s.ip IS NULL THEN 'malformed' ELSE banners.kind END,
            vendor = CASE WHEN s.ip IS NOT NULL THEN banners.vendor END,
            cc_known = CASE WHEN s.ip IS NOT NULL THEN banners.cc_known END,
            lat = CASE WHEN s.ip IS NOT NULL THEN banners.lat END,
            lon = CASE WHEN s.ip IS NOT NULL THEN banners.lon END,
            city = CASE WHEN s.ip IS NOT NULL THEN banners.city END,
            ip = s.ip
        FROM spellings s
        WHERE banners.ip = s.raw
    """)
    con.unregister("spellings")
