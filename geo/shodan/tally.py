"""Placing and counting a Shodan import: banners to local authorities, one per address and vendor, and what was skipped.

Works on DuckDB's ``banners`` table (see :mod:`geo.shodan.duckdb_pass`; a key may repeat, so every
query sums ``n`` or takes distinct values). Only the distinct points go through GeoPandas
(:func:`place_points`: the LAD containing the point, else the nearest within
:data:`~geo.shodan.rules.COAST_SNAP_METRES`) and only the distinct city names through the
place resolver (:func:`place_cities`: used when they name exactly one LAD; each distinct name
once, at most :func:`geo.datasets.limits.max_table_places` of them, those with the most banners first,
and the progress callback is called as it goes, so a session that has gone stops it). Then each
address counts once per vendor, in one LAD: the one where most of its banners are, ties to
the lowest code. :func:`count_networks` returns the :class:`ShodanImport`: the counts, the
banners read, used and skipped by reason, and notes on anything the user should know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.core.errors import DatasetError
from geo.core.text import MAX_PLACE_NAME, shown
from geo.datasets.limits import MAX_TABLE_PLACES_ENV, max_table_places
from geo.names import places
from geo.shodan.rules import COAST_SNAP_METRES, VENDORS, all_of, several
from geo.shodan.source import HOW_TO_EXPORT

SKIP_REASONS = ("not_uk", "no_location", "vendor_not_recognised", "malformed")
ProgressFn = Callable[[float, str], None]
PROGRESS_EVERY = 500  # city names between progress calls (each call may cancel the import)


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


# -- placing ------------------------------------------------------------------------------------


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


def place_cities(
    cities: list[str],
    resolver: places.Resolver,
    progress: ProgressFn | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> tuple[pd.DataFrame, dict[str, str]]:
    """LAD of each city name when it resolves to exactly one LAD: ``(city, lad_code)`` rows, and why others did not.

    Only the status matters here, so no fuzzy suggestions are scored and the resolver's shared
    memo is not filled. ``progress(fraction, message)`` is called every :data:`PROGRESS_EVERY`
    names with fractions within ``span``; when it raises (:class:`geo.core.errors.Cancelled`), so
    does this.
    """
    placed, why = [], {}
    low, high = span
    for done, city in enumerate(cities):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(
                low + (high - low) * done / max(len(cities), 1), f"Placing city names: {done:,} of {len(cities):,}"
            )
        if len(city) > MAX_PLACE_NAME:  # no place is called that: not worth the lookup
            why[city] = "unmatched"
            continue
        result = resolver.resolve(city, suggest=False)
        if result.status == "matched" and not result.national and len(result.lad_codes) == 1:
            placed.append((city, result.lad_codes[0]))
        elif result.status == "matched":
            why[city] = "the whole UK" if result.national else f"{len(result.lad_codes)} local authorities"
        else:
            why[city] = result.status
    return pd.DataFrame(placed, columns=["city", "lad_code"], dtype=object), why


# -- counting -----------------------------------------------------------------------------------


def count_networks(
    con,
    name: str,
    areas: gpd.GeoDataFrame,
    resolver: places.Resolver,
    report: ProgressFn,
    max_cities: int | None = None,
) -> ShodanImport:
    """From DuckDB's ``banners`` table: place, count one LAD per address and vendor, tally and explain.

    At most ``max_cities`` distinct city names (default :func:`geo.datasets.limits.max_table_places`)
    are looked up, those with the most banners first; the banners of the rest are "no
    location", and a note says so. ``report`` may raise to cancel.
    """
    by_kind = dict(con.execute("SELECT kind, sum(n)::BIGINT FROM banners GROUP BY kind").fetchall())
    records = int(sum(by_kind.values()))
    if records == 0:
        raise DatasetError(f"{name} is empty: {HOW_TO_EXPORT}")
    if by_kind.get("malformed", 0) == records:
        raise DatasetError(
            f"{name} holds no Shodan banners (no line is a JSON object with an IP address in ip_str): {HOW_TO_EXPORT}"
        )
    skipped = {reason: int(by_kind.get(reason, 0)) for reason in SKIP_REASONS}
    notes: list[str] = []

    points = con.execute("SELECT DISTINCT lat, lon FROM banners WHERE kind = 'candidate' AND lat IS NOT NULL").df()
    report(0.75, f"Placing {len(points):,} distinct locations in local authorities")
    placed_points = place_points(points, areas)
    by_city = con.execute("""
        SELECT city, sum(n)::BIGINT AS n FROM banners
        WHERE kind = 'candidate' AND lat IS NULL AND cc_known AND city IS NOT NULL
        GROUP BY city ORDER BY n DESC, city
    """).fetchall()
    # A made-up export can hold a city per banner; honest ones name a few thousand places.
    limit = max_table_places() if max_cities is None else int(max_cities)
    cities, beyond = [city for city, _ in by_city[:limit]], by_city[limit:]
    report(0.8, f"Placing {len(cities):,} distinct city names in local authorities")
    placed_cities, unplaced_why = place_cities(cities, resolver, report, span=(0.8, 0.9))

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
    used, outside_no_country, no_location, city_placed, snapped, no_country = (int(v or 0) for v in tally)
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
    ambiguous = int(
        con.execute(
            "SELECT coalesce(sum(n), 0)::BIGINT FROM banners WHERE kind = 'vendor_not_recognised' AND vendor = 'ambiguous'"
        ).fetchone()[0]
    )

    if used == 0:
        skips = ", ".join(f"{reason.replace('_', ' ')} {skipped[reason]:,}" for reason in SKIP_REASONS)
        raise DatasetError(
            f"{name} has {records:,} banners but none is a UK {all_of([v.label for v in VENDORS], 'or')} camera with a usable location "
            f"({skips}): export a UK camera query, e.g. shodan download cams 'country:GB hikvision'"
        )
    lad_names = dict(zip(areas["code"], areas["name"]))
    observations = pd.DataFrame(
        {
            "lad_code": counts["lad_code"].astype(str),
            "place": counts["lad_code"].map(lad_names).astype(str),
            "vendor": counts["vendor"].astype(str),
            "networks": counts["networks"].astype("int64"),
        }
    )

    if beyond:
        notes.append(
            f"{len(beyond):,} city names beyond the {limit:,} with the most banners were not looked up, so their "
            f"{sum(n for _, n in beyond):,} banners without coordinates count as no location: "
            f"raise {MAX_TABLE_PLACES_ENV} to look up more"
        )
    if city_placed:
        notes.append(f"{city_placed:,} banners placed by city name (no coordinates)")
    if snapped:
        notes.append(
            f"{snapped:,} banners just off the coast placed in the nearest local authority (within {COAST_SNAP_METRES / 1000:g} km)"
        )
    if no_country:
        notes.append(
            f"{no_country:,} banners without a country code counted as UK because their coordinates lie in a UK local authority"
        )
    if unplaced_cities:
        listed = ", ".join(
            f"{shown(city)} ({unplaced_why.get(city, 'not looked up')}, {n:,} banners)" for city, n in unplaced_cities
        )
        notes.append(f"city names not placed (no coordinates): {listed}")
    if split:
        were = "address was" if split == 1 else "addresses were"
        notes.append(
            f"{split:,} {were} placed in more than one local authority; each counted once, where most of its banners are"
        )
    if ambiguous:
        notes.append(f"{ambiguous:,} banners matched {several()} markers and were skipped as not recognised")
    if skipped["malformed"]:
        notes.append(
            f"{skipped['malformed']:,} lines were not Shodan banners (not JSON, or no valid ip_str) and were skipped"
        )
    report(1.0, f"Done: {used:,} of {records:,} banners counted")
    return ShodanImport(observations=observations, records_read=records, skipped=skipped, used=used, notes=tuple(notes))
