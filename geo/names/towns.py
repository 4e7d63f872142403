"""Counts that come from a town inside a larger area: the residents they cover, the town's point, and the words.

A GeoIP city that only the GeoNames gazetteer places (Inverness, in Highland) counts that
town, not the council around it. So a unit (a place or a LAD) whose inputs are all towns
covers the towns' GeoNames residents, capped at the unit's own, not its whole population:
its ``coverage`` is below 1 and its rate per 1,000 uses the towns' residents. A town whose
population GeoNames does not know (0) leaves the rate unknown, never divided by the whole
council. The land a town covers is not known either, so such a unit has no rate per km²
(NaN), and a note says so rather than inventing an area. One input that is the area itself
(its name, a curated alias, its GSS code) makes the unit whole again: "Highland" and
"Inverness" together cover Highland.

:func:`report_columns` are the match report's town columns; :func:`set_towns` groups them per
set of LADs; :func:`cover_units` applies them to place and LAD units; :func:`covered` sums
what a group of sets covers (a region, or every place of a dataset without a national figure).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.core.text import word_list
from geo.names.gazetteer import Town

if TYPE_CHECKING:
    from geo.names.resolution import Resolution

# The columns a table row carries about its town(s): the names, and the point of the largest (WGS84).
ROW_COLUMNS = ["town", "town_lon", "town_lat"]
SEPARATOR = " + "  # between the names of several towns in ``town`` (a town may be "Heath and Reach")
# Units whose covered residents are not known (a town of unknown population): rates are NaN.
UNKNOWN = "residents_unknown"


def report_columns(results: Sequence[Resolution]) -> dict[str, list | pd.Series]:
    """The match report's town columns for ``results``: ``town, town_population, town_lon, town_lat``
    (None or NaN where a name is not a gazetteer town)."""
    towns = [r.town for r in results]
    return {
        "town": [t.name if t else None for t in towns],
        # Whole numbers or None (object: pages blank missing cells with "", which Int64 refuses).
        "town_population": pd.Series([t.population if t else None for t in towns], dtype="object"),
        "town_lon": [t.lon if t else np.nan for t in towns],
        "town_lat": [t.lat if t else np.nan for t in towns],
    }


def towns_of(report: pd.DataFrame) -> list[Town | None]:
    """Each match-report row's town (None where its name is not a town)."""
    if "town" not in report.columns:
        return [None] * len(report)
    return [
        None if name is None or pd.isna(name) else Town(str(name), int(population), float(lon), float(lat))
        for name, population, lon, lat in zip(
            report["town"], report["town_population"], report["town_lon"], report["town_lat"]
        )
    ]


def set_towns(places: pd.DataFrame, key: Iterable[str]) -> dict[str, tuple[tuple[Town, ...], bool]]:
    """Per value of ``key`` (a set of LADs, one per row of ``places``): the distinct towns its rows name
    (most populous first), and whether any row names the area itself, not a town (``whole``)."""
    found: dict[str, set[Town]] = {}
    whole: dict[str, bool] = {}
    for k, town in zip(key, towns_of(places)):  # plain loops: a pandas groupby-lambda costs ~0.1 s a table
        found.setdefault(k, set())
        whole[k] = whole.get(k, False) or town is None
        if town is not None:
            found[k].add(town)
    return {k: (tuple(sorted(v, key=lambda t: (-t.population, t.name))), whole[k]) for k, v in found.items()}


@dataclass(frozen=True)
class Cover:
    """What a unit's counts cover: the residents known (``unknown``: some town's population is not
    known, so its rate is not either) and the land (NaN when it holds a town's count: a town's land
    is not known)."""

    population: int
    area_km2: float
    unknown: bool = False
    towns: tuple[Town, ...] = ()  # the towns counted (outside any LAD counted whole)


def town_cover(towns: Sequence[Town], population: int) -> Cover:
    """What the ``towns`` of one unit of ``population`` residents cover: their residents, summed and capped."""
    known = min(sum(max(t.population, 0) for t in towns), int(population))
    return Cover(known, np.nan, unknown=any(t.population <= 0 for t in towns), towns=tuple(towns))


def cover_units(units: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Place or LAD ``units`` (with ``towns`` and ``whole`` from :func:`set_towns`) with what their
    towns cover: ``covered_population``, ``covered_area_km2``, :data:`ROW_COLUMNS` and
    :data:`UNKNOWN`; a note per unit counted from towns only is added to ``notes``."""
    out = units.copy()
    town: list[str | None] = []
    lon, lat, unknown = np.full(len(out), np.nan), np.full(len(out), np.nan), np.zeros(len(out), dtype=bool)
    covered_population = out["covered_population"].astype("int64").to_numpy().copy()
    covered_area = out["covered_area_km2"].astype(float).to_numpy().copy()
    for i, (name, population, towns, whole) in enumerate(
        zip(out["name"], out["population"], out["towns"], out["whole"])
    ):
        if whole or not towns:
            town.append(None)
            continue
        cover = town_cover(towns, population)
        covered_population[i], covered_area[i], unknown[i] = cover.population, cover.area_km2, cover.unknown
        town.append(SEPARATOR.join(t.name for t in towns))
        lon[i], lat[i] = towns[0].lon, towns[0].lat
        notes.append(town_note(str(name), int(population), towns, cover))
    out["covered_population"], out["covered_area_km2"] = covered_population, covered_area
    out["town"], out["town_lon"], out["town_lat"], out[UNKNOWN] = town, lon, lat, unknown
    return out.drop(columns=["towns", "whole"])


def covered(sets: pd.DataFrame, lads: pd.DataFrame) -> Cover:
    """What the counts of several sets of LADs cover together (``lad_codes``, ``towns``, ``whole``):
    the residents and land of the LADs counted whole, plus the residents of towns in any other LAD.

    A town's land is not known, so any town outside the LADs counted whole leaves the land NaN; a
    town of unknown population leaves the residents unknown (``unknown``; the residents known are kept).
    """
    # Plain dicts, not .loc or get_indexer: those cost ~2 ms a call on this string index.
    residents, land = dict(zip(lads.index, lads["population"])), dict(zip(lads.index, lads["area_km2"]))
    whole = sorted({c for codes, w in zip(sets["lad_codes"], sets["whole"]) if w for c in codes})
    # numpy's sum, in code order: the very figure summing those LADs' rows gives (float sums depend on it).
    population, area = (
        int(sum(residents[c] for c in whole)),
        float(np.array([land[c] for c in whole], dtype=float).sum()),
    )
    unknown, counted, found = False, set(whole), []
    for codes, towns, w in zip(sets["lad_codes"], sets["towns"], sets["whole"]):
        if w or not towns or set(codes) <= counted:
            continue  # counted whole already (a town inside a place counted whole)
        cover = town_cover(towns, int(sum(residents[c] for c in codes)))
        population, area, unknown = population + cover.population, np.nan, unknown or cover.unknown
        found += towns
    return Cover(population, area, unknown, tuple(found))


def town_names(town: object) -> list[str]:
    """The town names in a row's ``town`` value; none when the row is not counted from towns (None, NaN, "")."""
    return town.split(SEPARATOR) if isinstance(town, str) and town else []


def town_words(town: object) -> str | None:
    """What a row's ``town`` value says: "the town of Inverness", "the towns of Inverness and Fort William";
    None when the row is not counted from towns."""
    names = town_names(town)
    return f"the town{'s' if len(names) > 1 else ''} of {word_list(names)}" if names else None


def town_line(town: object, unit: str, has_rate: bool) -> str | None:
    """One sentence for a row counted from towns ("The count is for the town of Inverness, not all of
    Highland; its rate uses the town's residents"); None for a row that is not."""
    words = town_words(town)
    if words is None:
        return None
    its = "the towns'" if words.startswith("the towns") else "the town's"
    rate = f"its rate uses {its} residents" if has_rate else f"{its} residents are not known, so it has no rate"
    return f"The count is for {words}, not all of {unit}; {rate}"


def town_note(unit: str, population: int, towns: Sequence[Town], cover: Cover) -> str:
    """The note for a unit counted from ``towns`` only: what the count is for, and what its rates use."""
    one = len(towns) == 1
    if one:
        what = f"the count is for the town of {towns[0].name} ({towns[0].population_words} in GeoNames)"
    else:
        what = (
            f"the count is for the towns of {word_list(f'{t.name} ({t.population_words})' for t in towns)} in GeoNames"
        )
    its = "the town's" if one else "the towns'"
    if cover.unknown:
        rate = f"{its} residents are not known, so it has no rate"
    elif cover.population >= population:
        rate = f"GeoNames gives {'it' if one else 'them'} at least {unit}'s own residents, so its rate uses those"
    else:
        rate = f"its rate per 1,000 uses {its} residents; it has no rate per km², as {its} land area is not known"
    return f"{word_list(t.name for t in towns)}: {what}, not all of {unit} ({population:,} residents); {rate}"


def region_note(unit: str, inputs: str, share: float, cover: Cover) -> str:
    """The note for a region partly covered, when some of its counts come from towns only."""
    towns = f"the town{'s' if len(cover.towns) > 1 else ''} of {word_list(t.name for t in cover.towns)}"
    if cover.unknown:
        unknown = word_list(t.name for t in cover.towns if t.population <= 0)
        return (
            f"{unit}: the counts come from {inputs} only, {towns} among them; GeoNames gives no population for "
            f"{unknown}, so the residents counted, and its rate, are not known"
        )
    return (
        f"{unit}: the counts come from {inputs} only ({share:.0%} of its residents, counting {towns} by "
        "GeoNames' population); its rate per 1,000 uses those residents; it has no rate per km², as a town's land "
        "area is not known"
    )


def average_note(cover: Cover) -> str | None:
    """For a dataset without a national figure: why the rate across all its places is not known, if it is not."""
    if not cover.unknown:
        return None
    unknown = word_list(t.name for t in cover.towns if t.population <= 0)
    return f"the rate across all the places counted is not known: GeoNames gives no population for {unknown}"
