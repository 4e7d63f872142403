"""Per-unit metrics with their coverage: networks, rates, share, rank and UK index at each geography level.

:func:`match_dataset` resolves every observation's place once per dataset (its choices
included) into a :class:`Matched`, which every view of that dataset reuses; :func:`build_table` aggregates to
places, local authorities or regions/nations and adds population, land area, per 1,000
residents, per km², share of the national total, rank (ties share a rank) and an index
against the national rate (= 100). A dataset without a national figure is set against the
sum of its places instead (``national_total_source`` "sum of places"; the columns keep their
names ``share`` and ``index_uk``, and :mod:`geo.figures.baseline` gives the words for them).
Networks in names that placed nothing are never silently lost: :attr:`Table.unplaced`.

Coverage: counts summed into a unit they only partly explain (a region from two of its
cities) say so. Each row carries ``covered_population`` (the residents of the LADs its
counts come from) and ``coverage`` (that share of the unit's population, 0–1), and its
rates divide by the covered population and land area only, never by the whole unit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.errors import AtlasError
from geo.core.text import shown, word_list
from geo.datasets.dataset import Dataset
from geo.figures.vocabulary import Level, Metric, check
from geo.names import towns
from geo.names.choices import with_choices
from geo.names.match_summary import Unplaced, unplaced
from geo.names.places import Resolver

NAMES_IN_A_NOTE = 5  # input names a note lists before "and N more"

ROW_COLUMNS = [
    "code",
    "name",
    "lad_codes",
    "networks",
    "population",
    "covered_population",
    "coverage",
    "area_km2",
    "covered_area_km2",
    "per_1k",
    "per_km2",
    "share",
    "index_uk",
    "rank",
    *towns.ROW_COLUMNS,
]


@dataclass(frozen=True)
class Table:
    """A level's metrics plus the context needed to read them honestly."""

    dataset: str
    vendor: str
    level: Level
    rank_by: Metric
    national_total: int
    national_total_source: str  # "dataset" (a published UK figure) or "sum of places"
    rows: pd.DataFrame
    match_report: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    uk_population: int = 0  # residents the national total is set against
    uk_area_km2: float = 0.0

    @property
    def mapped_total(self) -> int:
        """Networks attributed to the rows of this level."""
        return int(self.rows["networks"].sum())

    @property
    def unattributed(self) -> int:
        """Networks in the national total that no row of this level accounts for."""
        return max(self.national_total - self.mapped_total, 0)

    @cached_property
    def unplaced(self) -> Unplaced:
        """This vendor's networks in names that placed nothing (ambiguous, unmatched, conflicting); its
        ``line`` is what every page showing these totals, and the command line, says about them."""
        return unplaced(self.match_report, self.vendor)

    @property
    def uk_rates(self) -> dict[str, float]:
        """The national rates a row is compared against: networks, per 1,000 residents and per km²."""
        return {
            "networks": float(self.national_total),
            "per_1k": self.national_total / self.uk_population * 1000 if self.uk_population else float("nan"),
            "per_km2": self.national_total / self.uk_area_km2 if self.uk_area_km2 else float("nan"),
        }

    def to_dict(self) -> dict:
        """JSON-ready form (the ``table --json`` contract)."""
        return {
            "dataset": self.dataset,
            "vendor": self.vendor,
            "level": self.level,
            "rank_by": self.rank_by,
            "national_total": self.national_total,
            "national_total_source": self.national_total_source,
            "mapped_total": self.mapped_total,
            "unattributed": self.unattributed,
            # Networks in names on no map (ambiguous, unmatched, conflicting); `table` prints its line on stderr.
            "unplaced": {
                "networks": self.unplaced.networks,
                "names": [{"input": name, "reason": reason} for name, reason in self.unplaced.names],
            },
            "rows": records(self.rows),
            "match_report": records(self.match_report),
            "notes": list(self.notes),
        }


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON records (NaN as null, tuples as lists, numpy scalars as numbers) via pandas' own writer."""
    return json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=15))


@dataclass(frozen=True)
class Matched:
    """A dataset's names resolved once: the resolver with the dataset's choices, and the match report.

    Resolving is the costly part of a view (fuzzy suggestions for every unmatched name, and a
    resolver rebuilt from the choices); a vendor, level, metric or place change needs neither
    again. Treat ``report`` as read-only: it may be shared between views and sessions.
    """

    dataset: str  # the dataset id (choices included: a new choice is a new id)
    resolver: Resolver
    report: pd.DataFrame


def match_dataset(dataset: Dataset, resolver: Resolver) -> Matched:
    """Resolve ``dataset``'s places, with its choices, once (see :class:`Matched`)."""
    if dataset.choices:
        resolver = with_choices(resolver, dict(dataset.choices))
    return Matched(dataset=dataset.id, resolver=resolver, report=match_report(dataset.observations, resolver))


def match_report(observations: pd.DataFrame, resolver: Resolver) -> pd.DataFrame:
    """One row per observation with how its place resolved.

    Columns: ``input, vendor, networks, line, status, method, name, lad_codes,
    suggestions, national, note`` and the gazetteer town a name resolved to, if any
    (``town, town_population, town_lon, town_lat``: :func:`geo.names.towns.report_columns`).
    """
    results = resolver.resolve_many(observations["place"].tolist(), observations["lad_code"].tolist())
    return pd.DataFrame(
        {
            "input": observations["place"].tolist(),
            "vendor": observations["vendor"].tolist(),
            "networks": observations["networks"].astype("int64").tolist(),
            "line": observations["line"].tolist(),
            "status": [r.status for r in results],
            "method": [r.method for r in results],
            "name": [r.name for r in results],
            "lad_codes": [r.lad_codes for r in results],
            "suggestions": [r.suggestions for r in results],
            "national": [r.national for r in results],
            "note": [r.note for r in results],
            **towns.report_columns(results),
        }
    )


def vendor_rows(report: pd.DataFrame, vendor: str, dataset_id: str = "dataset") -> pd.DataFrame:
    """Matched observations for ``vendor``.

    ``all`` sums Hikvision and Dahua where a place is split and otherwise takes its
    combined (``all``) row; a single vendor needs a dataset that splits by vendor.
    """
    check("vendor", vendor)
    matched = report[report["status"] == "matched"]
    if vendor != "all":
        if not matched["vendor"].isin(["hikvision", "dahua"]).any():
            raise AtlasError(f"dataset {dataset_id} combines Hikvision and Dahua (no vendor split): use vendor all")
        return matched[matched["vendor"] == vendor]
    key = matched["lad_codes"].map(lambda c: " ".join(sorted(c))) + matched["national"].map(
        lambda n: "|uk" if n else ""
    )
    has_split = matched["vendor"].ne("all").groupby(key).transform("any")
    # Where a place has split rows they are the detail; its 'all' row would double count.
    return matched[~(has_split & matched["vendor"].eq("all"))]


def _by_lad_set(places: pd.DataFrame) -> pd.DataFrame:
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


def build_table(
    dataset: Dataset,
    resolver: Resolver,
    areas: gpd.GeoDataFrame,
    vendor: str = "all",
    level: Level = "place",
    rank_by: Metric = "networks",
    matched: Matched | None = None,
) -> Table:
    """Aggregate ``dataset`` to ``level`` and compute every metric, with coverage.

    ``matched`` is the dataset's names already resolved (:func:`match_dataset`); without it
    (or with another dataset's) they are resolved here.
    """
    check("level", level)
    check("metric", rank_by)
    if matched is None or matched.dataset != dataset.id:
        matched = match_dataset(dataset, resolver)
    resolver, report = matched.resolver, matched.report
    rows = vendor_rows(report, vendor, dataset.id)
    national = rows[rows["national"]]
    places = rows[~rows["national"]]
    notes: list[str] = list(dataset.notes)
    lads = areas.set_index("code")[["name", "region_code", "population", "area_km2"]]
    by_set = _by_lad_set(places)
    for inputs, codes in zip(by_set["inputs"], by_set["lad_codes"]):
        if len(inputs) > 1:
            notes.append(
                f"{listed_names(inputs)} all resolve to {_place_name(resolver, codes, inputs)}: their counts are summed"
            )

    if len(national):
        national_total, total_source = int(national["networks"].sum()), "dataset"
        uk_population, uk_area = int(lads["population"].sum()), float(lads["area_km2"].sum())
    else:
        # A sum of places is set against the residents of those places (a town's own), not the whole UK.
        national_total, total_source = int(places["networks"].sum()), "sum of places"
        cover = towns.covered(by_set, lads)
        uk_population, uk_area = (0 if cover.unknown else cover.population), cover.area_km2
        notes += [note for note in [towns.average_note(cover)] if note]

    if level == "place":
        units = towns.cover_units(_place_units(by_set, resolver, lads), notes)
    elif level == "lad":
        units = towns.cover_units(_lad_units(by_set, resolver, lads, notes), notes)
    else:
        units = _region_units(by_set, areas, lads, notes)
    if by_set.empty:
        notes.append(
            "no place in this dataset could be mapped: fix the names in the match report on the Data page "
            "(or give each row a lad_code)"
        )
    table = add_metrics(units, national_total, uk_population, rank_by)
    return Table(
        dataset=dataset.id,
        vendor=vendor,
        level=level,
        rank_by=rank_by,
        national_total=national_total,
        national_total_source=total_source,
        rows=table,
        match_report=report,
        notes=tuple(notes),
        uk_population=uk_population,
        uk_area_km2=uk_area,
    )


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
    units["name"] = [_place_name(resolver, c, i) for c, i in zip(units["lad_codes"], units["inputs"])]
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


def add_metrics(
    units: pd.DataFrame, national_total: int, uk_population: int, rank_by: Metric = "networks"
) -> pd.DataFrame:
    """Add coverage, rates, share, UK index and rank to ``code, name, lad_codes, networks, population,
    covered_population, area_km2, covered_area_km2`` (and :data:`geo.names.towns.ROW_COLUMNS`, else NaN). Rates
    use the covered residents and land only; a unit that covers nobody, or residents not known
    (:data:`geo.names.towns.UNKNOWN`, a town GeoNames gives no population), has no rate (NaN), never 0."""
    out = units.reindex(columns=[*units.columns, *(c for c in towns.ROW_COLUMNS if c not in units.columns)])
    # Units a count covers whole (places, LADs) need not say so.
    if "covered_population" not in out.columns:
        out["covered_population"] = out["population"]
    if "covered_area_km2" not in out.columns:
        out["covered_area_km2"] = out["area_km2"]
    if out.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="object" if c in ("code", "name", "lad_codes", "town") else "float64")
                for c in ROW_COLUMNS
            }
        )
    out["networks"] = out["networks"].astype("int64")
    unknown = out.get(towns.UNKNOWN, pd.Series(False, index=out.index)).astype(bool)
    covered_pop = out["covered_population"].astype(float).where((out["covered_population"] > 0) & ~unknown)
    covered_area = out["covered_area_km2"].astype(float).where(out["covered_area_km2"] > 0)
    out["coverage"] = (out["covered_population"] / out["population"]).clip(upper=1.0)
    out["per_1k"] = out["networks"] / covered_pop * 1000
    out["per_km2"] = out["networks"] / covered_area
    out["share"] = out["networks"] / national_total if national_total else np.nan
    uk_per_1k = national_total / uk_population * 1000 if uk_population else np.nan
    out["index_uk"] = out["per_1k"] / uk_per_1k * 100 if uk_per_1k else np.nan
    return _ranked_rows(out, rank_by)[ROW_COLUMNS]


def _ranked_rows(rows: pd.DataFrame, rank_by: Metric) -> pd.DataFrame:
    """``rows`` ranked by ``rank_by`` (ties share a rank; no figure, no rank) and ordered by rank, then name."""
    out = rows.assign(rank=rows[rank_by].rank(ascending=False, method="min").astype("Int64"))
    return out.sort_values(["rank", "name"], ignore_index=True, na_position="last")


def ranked(table: Table, rank_by: Metric) -> Table:
    """``table`` ranked by ``rank_by``: the same figures, ranked and ordered again, without building it again
    (the rank is the only column a metric changes)."""
    check("metric", rank_by)
    if table.rank_by == rank_by:
        return table
    return replace(table, rank_by=rank_by, rows=_ranked_rows(table.rows, rank_by)[ROW_COLUMNS])


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


def _place_name(resolver: Resolver, codes: tuple[str, ...], inputs: list[str]) -> str:
    resolved = resolver.resolve(inputs[0])
    if resolved.status == "matched" and tuple(sorted(resolved.lad_codes)) == tuple(sorted(codes)) and len(codes) > 1:
        # A multi-LAD place keeps the alias's name ("Greater London") rather than a list of boroughs.
        return str(resolved.name)
    return resolver.display_name(codes)
