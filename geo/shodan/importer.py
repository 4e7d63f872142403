"""Importing a raw Shodan export: distinct camera networks per vendor per local authority (the front door).

Input is what ``shodan download`` writes: JSON lines, one banner per line, usually gzip
compressed (``.json.gz``); plain JSON lines work too. Gzip is recognised by its magic bytes,
never by the file name. :func:`ingest` counts distinct IP addresses per (LAD, vendor) and
returns a :class:`ShodanImport`; :func:`to_csv_bytes` writes its observations.

How a banner is counted (the vendor markers and the fields searched are data, in
:mod:`geo.shodan.rules`; :data:`VENDOR_RULES` is the text the app shows, made from them):

* **Malformed**: a line that is not one JSON object, or an object without ``ip_str``
  (``ipv6`` is accepted in its place), or whose address is not an IP address. Blank lines
  are ignored, not counted.
* **Not UK**: ``location.country_code`` is present and is not ``GB`` (``UK`` is accepted as
  a misspelling). Crown dependencies (``IM``, ``JE``, ``GG``) are not UK here: they have no
  ONS local authority. A banner *without* a country code counts as UK only when its
  coordinates fall inside a UK LAD polygon (no coastal snapping for those); with coordinates
  elsewhere it is "not UK", with no coordinates it is "no location".
* **Vendor** (case-insensitive markers per vendor, :data:`geo.shodan.rules.VENDORS`): when
  ``product`` names exactly one vendor, that vendor. Otherwise the markers are searched in
  every field of :data:`geo.shodan.rules.SEARCHED_FIELDS`: exactly one vendor's markers →
  that vendor; several or none → "vendor not recognised" (the notes say how many were
  ambiguous). The country check comes first when the country is known, so a non-UK
  non-camera banner counts once, as "not UK".
* **Place**: valid coordinates (``location.latitude``/``longitude``; ``0,0`` is GeoIP's
  "unknown", not a place) → the LAD polygon that contains the point; a point outside every
  polygon (sea, estuary, the generalised coastline) snaps to the nearest LAD within
  :data:`COAST_SNAP_METRES`, else "no location". Without coordinates, ``location.city`` is
  resolved with the place resolver and used only when it matches exactly one LAD ("London"
  is 33 LADs, so it places nowhere); else "no location". Each distinct city name is looked
  up once, without fuzzy suggestions; at most ``max_cities`` of them (default
  ``CAMERA_ATLAS_MAX_TABLE_PLACES``, 10,000), those with the most banners first: the banners
  of any further city count as "no location" and a note says how many (an honest export
  names a few thousand places; a made-up one can name a new city on every line).
* **Address**: each address in one spelling (:func:`canonical_ip`): IPv6 compressed and
  lower case, an IPv4-mapped IPv6 address as IPv4, a zero-padded dotted quad
  (``010.000.001.002``) as ``10.0.1.2``.
* **Count**: distinct addresses per (LAD, vendor). An address seen on many ports counts
  once; an address with both a Hikvision and a Dahua banner counts once for each vendor.
  An address counts once nationally and in exactly one LAD per vendor: the LAD where most
  of its banners place it, ties to the lowest LAD code (a note says how many addresses
  were placed in more than one).

The rooms behind this door: :mod:`geo.shodan.source` (limits, gzip or not, sniffing),
:mod:`geo.shodan.stream` (inflating into line-aligned segment files, with the limits),
:mod:`geo.shodan.duckdb_pass` (DuckDB: the rules as SQL, per segment, grouped to distinct keys),
:mod:`geo.shodan.tally` (placing and counting), :mod:`geo.shodan.rules` (the rules as data).
Memory stays bounded by the number of distinct ``(address, place, vendor)`` keys, not by
the file size: the content reaches DuckDB as segment files (DuckDB would keep everything it
read from a pipe until the query ended), one query each, and DuckDB runs with a memory
limit, a thread count and a spill folder in the import's private temporary folder, which
is removed afterwards with the segment files.

``progress(fraction, message)`` may raise (e.g. :class:`geo.core.errors.Cancelled` when the
session that asked has gone): the scan then stops, DuckDB is interrupted, the pump thread
ends, the temporary folder is removed, and the exception propagates.

Refused outright, each with a one-line :class:`DatasetError` naming the file and the fix,
and never a server path: an empty file, one over the size limit (:data:`DEFAULT_MAX_BYTES`,
or ``CAMERA_ATLAS_MAX_SHODAN_MB``), a truncated or damaged gzip file (partial data is not
counted: the user is told to download it again), one that decompresses to more than
:data:`DEFAULT_MAX_INFLATED_BYTES` (or ``CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB``), a line over
:data:`geo.shodan.stream.MAX_LINE_BYTES`, a file that is not JSON lines (CSV, HTML, a JSON
array, a zip or other binary), and one with no usable banner at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd

from geo.names import places
from geo.shodan.duckdb_pass import connect, respell_addresses, scan
from geo.shodan.rules import (
    COAST_SNAP_METRES,
    DAHUA_MARKERS,
    HIKVISION_MARKERS,
    UK_COUNTRY_CODES,
    VENDOR_FIELDS,
    VENDOR_RULES,
    VENDORS,
    canonical_ip,
    vendor_of,
)
from geo.shodan.source import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_INFLATED_BYTES,
    MAX_BYTES_ENV,
    MAX_INFLATED_ENV,
    inflated_limit,
    max_bytes_default,
    max_inflated_default,
    open_source,
    size_text,
)
from geo.shodan.stream import Feed
from geo.shodan.tally import (
    SKIP_REASONS,
    ProgressFn,
    ShodanImport,
    count_networks,
    place_cities,
    place_points,
)

__all__ = [
    "COAST_SNAP_METRES",
    "DAHUA_MARKERS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_INFLATED_BYTES",
    "HIKVISION_MARKERS",
    "MAX_BYTES_ENV",
    "MAX_INFLATED_ENV",
    "SKIP_REASONS",
    "UK_COUNTRY_CODES",
    "VENDORS",
    "VENDOR_FIELDS",
    "VENDOR_RULES",
    "ShodanImport",
    "canonical_ip",
    "ingest",
    "max_bytes_default",
    "max_inflated_default",
    "place_cities",
    "place_points",
    "to_csv_bytes",
    "vendor_of",
]


def ingest(
    source: str | os.PathLike | bytes,
    areas: gpd.GeoDataFrame,
    resolver: places.Resolver,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_inflated: int | None = None,
    progress: ProgressFn | None = None,
    max_cities: int | None = None,
) -> ShodanImport:
    """Count distinct camera networks per vendor per LAD in a Shodan export (path or uploaded bytes).

    ``progress(fraction, message)`` is called from the calling thread with increasing
    fractions from 0 to 1.0 (checking, reading, placing, counting); when it raises (e.g.
    :class:`geo.core.errors.Cancelled`), the import stops promptly, cleans up and re-raises.
    ``max_bytes`` and ``max_inflated`` override the file and decompressed size limits,
    ``max_cities`` the number of distinct city names looked up.
    Raises :class:`DatasetError` with a one-line message naming the file and the fix for a
    file that is missing, empty, too large (packed or unpacked), truncated or damaged, not
    JSON lines, or that holds no usable banner.
    """
    limit = max_bytes_default() if max_bytes is None else int(max_bytes)
    export = open_source(source, filename, limit)
    report = progress or (lambda fraction, message: None)
    report(0.0, f"Checked {export.name} ({size_text(export.size)})")
    max_output, too_big = inflated_limit(
        export.name, limit, max_inflated_default() if max_inflated is None else int(max_inflated)
    )
    report(0.05, f"Reading {export.name}")
    folder = Path(tempfile.mkdtemp(prefix="atlas-shodan-"))
    con = None
    try:
        con = connect(folder)
        scan(con, Feed(export, folder, max_output, too_big), export.name, progress)
        respell_addresses(con)
        return count_networks(con, export.name, areas, resolver, report, max_cities)
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(folder, ignore_errors=True)


def to_csv_bytes(result: ShodanImport) -> bytes:
    """The observations as CSV (``lad_code,place,vendor,networks``), safe to open in a spreadsheet."""
    from geo.datasets.exports import safe_csv

    return safe_csv(result.observations[["lad_code", "place", "vendor", "networks"]]).encode("utf-8")
