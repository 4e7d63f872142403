"""A level's table: rates, share, rank and UK index per unit, over the units of :mod:`geo.figures.units`.

:func:`match_dataset` resolves every observation's place once per dataset (its choices
included) into a :class:`Matched`, which every view of that dataset reuses; :func:`build_table` sums the
matched counts into places, local authorities or regions/nations (:func:`geo.figures.units.level_units`:
population, land area and coverage) and adds per 1,000 residents, per km², share of the national total,
rank (ties share a rank) and an index against the national rate (= 100). A dataset without a national
figure is set against the sum of its places instead (``national_total_source`` "sum of places"; the
columns keep their names ``share`` and ``index_uk``, and :mod:`geo.figures.baseline` gives the words for
them). Networks in names that placed nothing are never silently lost: :attr:`Table.unplaced`.
:func:`ranked` ranks a built table by another metric without building it again.

Coverage: each row carries ``covered_population`` (the residents of the LADs its counts come from) and
``coverage`` (that share of the unit's population, 0–1), and its rates divide by the covered population
and land area only, never by the whole unit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.errors import AtlasError
from geo.datasets.dataset import Dataset
from geo.figures import units
from geo.figures.vocabulary import Level, Metric, check
from geo.names import towns
from geo.names.choices import with_choices
from geo.names.match_summary import Unplaced, unplaced
from geo.names.places import Resolver

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
    lads = units.lad_frame(areas)
    by_set = units.by_lad_set(places)
    notes += units.summed_notes(by_set, resolver)

    if len(national):
        national_total, total_source = int(national["networks"].sum()), "dataset"
        uk_population, uk_area = int(lads["population"].sum()), float(lads["area_km2"].sum())
    else:
        # A sum of places is set against the residents of those places (a town's own), not the whole UK.
        national_total, total_source = int(places["networks"].sum()), "sum of places"
        cover = towns.covered(by_set, lads)
        uk_population, uk_area = (0 if cover.unknown else cover.population), cover.area_km2
        notes += [note for note in [towns.average_note(cover)] if note]

    level_rows = units.level_units(by_set, level, resolver, areas, notes)
    if by_set.empty:
        notes.append(
            "no place in this dataset could be mapped: fix the names in the match report on the Data page "
            "(or give each row a lad_code)"
        )
    table = add_metrics(level_rows, national_total, uk_population, rank_by)
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
