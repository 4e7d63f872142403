"""What a level's units hold before any rate: counts summed per unit, residents, land and coverage.

A dataset's matched observations are summed per set of LAD codes (:func:`by_lad_set`); :func:`level_units`
turns those sets into a level's units (places, local authorities, regions and nations), each with its
population and land area, and the residents and land its counts actually cover: a region counted from
two of its cities covers only their residents (``covered_population``), a council counted from one
town inside it only the town's (:mod:`geo.names.towns`). Every unit the counts explain only partly adds a
note saying so. Rates, shares and ranks over these units are :mod:`geo.figures.metrics`'.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from geo.core.text import shown, word_list
from geo.figures.vocabulary import Level
from geo.names import towns
from geo.names.places import Resolver

NAMES_IN_A_NOTE = 5  # input names a note lists before "and N more"


def lad_frame(areas: pd.DataFrame) -> pd.DataFrame:
    """Each LAD's name, region, residents and land area, indexed by its code (what units are summed from)."""
    return areas.set_index("code")[["name", "region_code", "population", "area_km2"]]


def by_lad_set(places: pd.DataFrame) -> pd.DataFrame:
    """Observations summed per set of LAD codes: ``lad_codes, networks, inputs, towns, whole`` (:func:`geo.names.towns.set_towns`)."""
    key = places["lad_codes"].map(lambda c: " ".join(sorted(c)))
    grouped = (
        places.assign(key=key)
        .groupby("key", sort=False)
        .agg(networks=("networks", "sum"), inputs=("input", lambda s: list(dict.fromkeys(s))))
        .reset_index()
    )
    found = towns.set_towns(places, key)
    grouped["towns"], grouped["whole"] = [found[k][0] for k in grouped["key"]], [found[k][1] for k in grouped["key"]]
    grouped["lad_codes"] = grouped["key"].map(lambda k: tuple(k.split()))
    return grouped.drop(columns=["key"])


def level_units(
    by_set: pd.DataFrame, level: Level, resolver: Resolver, areas: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    """The units of ``level`` from the sums per set of LADs (:func:`by_lad_set`): ``code, name, lad_codes,
    networks, population, covered_population, area_km2, covered_area_km2`` and the towns' columns;
    notes on units the counts explain only partly, or cannot split, go to ``notes``."""
    lads = lad_frame(areas)
    if level == "place":
        return towns.cover_units(_place_units(by_set, resolver, lads), notes)
    if level == "lad":
        return towns.cover_units(_lad_units(by_set, resolver, lads, notes), notes)
    return _region_units(by_set, areas, lads, notes)


def summed_notes(by_set: pd.DataFrame, resolver: Resolver) -> list[str]:
    """A note for each set of LADs that several input names resolve to (their counts are summed)."""
    return [
        f"{listed_names(inputs)} all resolve to {place_name(resolver, codes, inputs)}: their counts are summed"
        for inputs, codes in zip(by_set["inputs"], by_set["lad_codes"])
        if len(inputs) > 1
    ]


def _sums(lads: pd.DataFrame, code_sets: Iterable[tuple[str, ...]]) -> list[tuple[int, float]]:
    """Residents and land area of each set of LAD codes (summed in the set's order, as ``lads.loc`` would).

    Positions into plain arrays rather than ``lads.loc`` per set: on the string index that
    costs ~2 ms a set, ~0.7 s for a table of 360 units, and a series builds one table per date.
    """
    position = {code: i for i, code in enumerate(lads.index)}
    population = lads["population"].to_numpy()
    area = lads["area_km2"].to_numpy(dtype=float)
    out = []
    for codes in code_sets:
        at = [position[c] for c in codes]
        out.append((int(population[at].sum()), float(area[at].sum())))
    return out


def _place_units(by_set: pd.DataFrame, resolver: Resolver, lads: pd.DataFrame) -> pd.DataFrame:
    units = by_set.copy()
    units["name"] = [place_name(resolver, c, i) for c, i in zip(units["lad_codes"], units["inputs"])]
    units["code"] = units["lad_codes"].map(lambda c: _group_code(resolver, c))
    sums = _sums(lads, units["lad_codes"])
    units["population"] = units["covered_population"] = [p for p, _ in sums]
    units["area_km2"] = units["covered_area_km2"] = [a for _, a in sums]
    return units


def _lad_units(by_set: pd.DataFrame, resolver: Resolver, lads: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """One unit per LAD with its own count; a place over several LADs stays one unit (its count cannot be split)."""
    units = _place_units(by_set, resolver, lads)
    single = units["lad_codes"].map(len) == 1
    units.loc[single, "name"] = units.loc[single, "code"].map(lads["name"])
    own = {c[0] for c in units.loc[single, "lad_codes"]}
    for _, row in units[~single].iterrows():
        inside = [lads.loc[c, "name"] for c in row["lad_codes"] if c in own]
        also = ""
        if inside:
            also = f"; {word_list(inside)} also " + (
                "has a figure of its own" if len(inside) == 1 else "have figures of their own"
            )
        notes.append(
            f"{row['name']} ({len(row['lad_codes'])} local authorities, {int(row['networks']):,} networks) is drawn as "
            f"one area: its count cannot be split between its local authorities{also}"
        )
    return units


def _region_units(by_set: pd.DataFrame, areas: pd.DataFrame, lads: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Counts summed into regions and nations, with the share of residents they cover."""
    region_of_lad = dict(zip(lads.index, lads["region_code"]))
    region_of = by_set["lad_codes"].map(lambda c: _single_region(region_of_lad, c))
    for inputs, region in zip(by_set["inputs"], region_of):
        if pd.isna(region):
            notes.append(f"{listed_names(inputs, ' + ')} spans several regions: left out of the region level")
    inside = by_set[region_of.notna()].assign(code=region_of[region_of.notna()])
    stats = region_stats(areas)
    grouped = (
        inside.groupby("code", sort=False)
        .agg(
            networks=("networks", "sum"),
            inputs=("inputs", lambda s: [i for inputs in s for i in inputs]),
        )
        .reset_index()
    )
    # What the counts cover: the LADs named whole, and the residents of towns elsewhere (geo.names.towns).
    covers = {code: towns.covered(sets, lads) for code, sets in inside.groupby("code", sort=False)}
    grouped["name"] = grouped["code"].map(stats["name"])
    grouped["lad_codes"] = grouped["code"].map(lambda r: tuple(sorted(areas.loc[areas["region_code"] == r, "code"])))
    grouped["population"] = grouped["code"].map(stats["population"]).astype("int64")
    grouped["area_km2"] = grouped["code"].map(stats["area_km2"]).astype(float)
    grouped["covered_population"] = [covers[c].population for c in grouped["code"]]
    grouped["covered_area_km2"] = [covers[c].area_km2 for c in grouped["code"]]
    grouped[towns.UNKNOWN] = [covers[c].unknown for c in grouped["code"]]
    for row in grouped.itertuples(index=False):
        share = row.covered_population / row.population
        if covers[row.code].towns:
            notes.append(towns.region_note(row.name, listed_names(row.inputs), share, covers[row.code]))
        elif row.covered_population < row.population:
            notes.append(
                f"{row.name}: the counts come from {listed_names(row.inputs)} only ({share:.0%} of its residents); "
                "its rates use those residents and that land area, not the whole region"
            )
    return grouped


def region_stats(areas: pd.DataFrame) -> pd.DataFrame:
    """Name, population and land area per region/nation code (no geometry work)."""
    return areas.groupby("region_code").agg(
        name=("region_name", "first"), population=("population", "sum"), area_km2=("area_km2", "sum")
    )


def _single_region(region_of_lad: dict[str, str], codes: tuple[str, ...]) -> str | None:
    regions = {region_of_lad[c] for c in codes}
    return regions.pop() if len(regions) == 1 else None


def _group_code(resolver: Resolver, codes: tuple[str, ...]) -> str:
    if len(codes) == 1:
        return codes[0]
    for group, members in resolver.group_codes.items():
        if tuple(sorted(members)) == tuple(sorted(codes)):
            return group
    return "+".join(codes)


def listed_names(inputs: list[str], joiner: str = ", ") -> str:
    """Input names as a note quotes them: each via shown() (invisible characters written out, cut
    short), the first few only."""
    listed = joiner.join(shown(name) for name in inputs[:NAMES_IN_A_NOTE])
    more = len(inputs) - NAMES_IN_A_NOTE
    return f"{listed} and {more:,} more" if more > 0 else listed


def place_name(resolver: Resolver, codes: tuple[str, ...], inputs: list[str]) -> str:
    resolved = resolver.resolve(inputs[0])
    if resolved.status == "matched" and tuple(sorted(resolved.lad_codes)) == tuple(sorted(codes)) and len(codes) > 1:
        # A multi-LAD place keeps the alias's name ("Greater London") rather than a list of boroughs.
        return str(resolved.name)
    return resolver.display_name(codes)
