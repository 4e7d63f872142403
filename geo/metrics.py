"""Joining observations to areas and computing per-unit metrics.

:func:`match_report` resolves every observation's place; :func:`build_table` aggregates to
places, LADs or regions/nations and adds population, land area, per 1,000 residents,
per km², share of the national total, rank (ties share a rank) and an index against the
UK average (UK = 100).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.datasets import Dataset
from geo.errors import AtlasError
from geo.places import Resolver, with_choices

Level = Literal["place", "lad", "region"]
Metric = Literal["networks", "per_1k", "per_km2"]
LEVELS: tuple[Level, ...] = ("place", "lad", "region")
METRICS: tuple[Metric, ...] = ("networks", "per_1k", "per_km2")
METRIC_LABELS = {
    "networks": "Camera networks",
    "per_1k": "Networks per 1,000 residents",
    "per_km2": "Networks per km²",
}
LEVEL_LABELS = {"place": "Places", "lad": "Local authorities", "region": "Regions & nations"}
VENDOR_LABELS = {"all": "Hikvision + Dahua", "hikvision": "Hikvision", "dahua": "Dahua"}
ROW_COLUMNS = [
    "code", "name", "lad_codes", "networks", "population", "area_km2",
    "per_1k", "per_km2", "share", "index_uk", "rank",
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

    @property
    def mapped_total(self) -> int:
        """Networks attributed to the rows of this level."""
        return int(self.rows["networks"].sum())

    @property
    def unattributed(self) -> int:
        """Networks in the national total that no row of this level accounts for."""
        return max(self.national_total - self.mapped_total, 0)

    def to_dict(self) -> dict:
        """JSON-ready form (the ``table --json`` contract)."""
        rows = self.rows.assign(lad_codes=self.rows["lad_codes"].map(list))
        report = self.match_report.assign(
            lad_codes=self.match_report["lad_codes"].map(list),
            suggestions=self.match_report["suggestions"].map(list),
        )
        return {
            "dataset": self.dataset,
            "vendor": self.vendor,
            "level": self.level,
            "rank_by": self.rank_by,
            "national_total": self.national_total,
            "national_total_source": self.national_total_source,
            "mapped_total": self.mapped_total,
            "unattributed": self.unattributed,
            "rows": _records(rows),
            "match_report": _records(report),
            "notes": list(self.notes),
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Records with NaN as None and numpy scalars as Python numbers."""
    out = []
    for record in frame.to_dict("records"):
        clean = {}
        for key, value in record.items():
            if isinstance(value, (np.integer,)):
                value = int(value)
            elif isinstance(value, (np.floating, float)):
                value = None if np.isnan(value) else float(value)
            clean[key] = value
        out.append(clean)
    return out


def match_report(observations: pd.DataFrame, resolver: Resolver) -> pd.DataFrame:
    """One row per observation with how its place resolved.

    Columns: ``input, vendor, networks, line, status, method, name, lad_codes,
    suggestions, national, note``.
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
        }
    )


def vendor_rows(report: pd.DataFrame, vendor: str, dataset_id: str = "dataset") -> pd.DataFrame:
    """Matched observations for ``vendor``.

    ``all`` sums Hikvision and Dahua where a place is split and otherwise takes its
    combined (``all``) row; a single vendor needs a dataset that splits by vendor.
    """
    if vendor not in VENDOR_LABELS:
        raise AtlasError(f"vendor {vendor!r} is not one of all, hikvision, dahua: pick one of those")
    matched = report[report["status"] == "matched"]
    if vendor != "all":
        if not matched["vendor"].isin(["hikvision", "dahua"]).any():
            raise AtlasError(
                f"dataset {dataset_id} combines Hikvision and Dahua (no vendor split): use vendor all"
            )
        return matched[matched["vendor"] == vendor]
    key = matched["lad_codes"].map(lambda c: " ".join(c)) + matched["national"].map(lambda n: "|uk" if n else "")
    has_split = matched["vendor"].ne("all").groupby(key).transform("any")
    # Where a place has split rows they are the detail; its 'all' row would double count.
    return matched[~(has_split & matched["vendor"].eq("all"))]


def _lad_lookup(areas: pd.DataFrame) -> pd.DataFrame:
    return areas.set_index("code")[["name", "region_code", "population", "area_km2"]]


def _aggregate(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    grouped = rows.groupby(key, sort=False).agg(
        networks=("networks", "sum"), inputs=("input", lambda s: list(dict.fromkeys(s)))
    )
    return grouped.reset_index()


def build_table(
    dataset: Dataset,
    resolver: Resolver,
    areas: gpd.GeoDataFrame,
    vendor: str = "all",
    level: Level = "place",
    rank_by: Metric = "networks",
) -> Table:
    """Aggregate ``dataset`` to ``level`` and compute every metric."""
    if level not in LEVELS:
        raise AtlasError(f"level {level!r} is not one of place, lad, region: pick one of those")
    if rank_by not in METRICS:
        raise AtlasError(f"metric {rank_by!r} is not one of networks, per_1k, per_km2: pick one of those")
    if dataset.choices:
        resolver = with_choices(resolver, dict(dataset.choices))
    report = match_report(dataset.observations, resolver)
    rows = vendor_rows(report, vendor, dataset.id)
    national = rows[rows["national"]]
    places = rows[~rows["national"]]
    notes: list[str] = list(dataset.notes)
    lads = _lad_lookup(areas)

    if len(national):
        national_total, total_source = int(national["networks"].sum()), "dataset"
    else:
        national_total, total_source = int(places["networks"].sum()), "sum of places"

    if level == "place":
        places = places.assign(key=places["lad_codes"].map(lambda c: " ".join(sorted(c))))
        grouped = _aggregate(places, "key")
        grouped["lad_codes"] = grouped["key"].map(lambda k: tuple(k.split()))
        grouped["name"] = [
            _place_name(resolver, codes, inputs) for codes, inputs in zip(grouped["lad_codes"], grouped["inputs"])
        ]
        grouped["code"] = grouped["lad_codes"].map(lambda c: _group_code(resolver, c))
        for inputs, name in zip(grouped["inputs"], grouped["name"]):
            if len(inputs) > 1:
                notes.append(f"{', '.join(inputs)} all resolve to {name}: their counts are summed")
        members = grouped["lad_codes"]
        grouped["population"] = [int(lads.loc[list(c), "population"].sum()) for c in members]
        grouped["area_km2"] = [float(lads.loc[list(c), "area_km2"].sum()) for c in members]
    elif level == "lad":
        single = places[places["lad_codes"].map(len) == 1]
        for _, row in places[places["lad_codes"].map(len) > 1].iterrows():
            notes.append(
                f"{row['name']} ({len(row['lad_codes'])} local authorities, {row['networks']:,} networks) "
                "cannot be split between local authorities: see the place or region level"
            )
        single = single.assign(code=single["lad_codes"].map(lambda c: c[0]))
        grouped = _aggregate(single, "code")
        grouped["lad_codes"] = grouped["code"].map(lambda c: (c,))
        grouped["name"] = grouped["code"].map(lads["name"])
        grouped["population"] = grouped["code"].map(lads["population"]).astype("int64")
        grouped["area_km2"] = grouped["code"].map(lads["area_km2"]).astype(float)
    else:
        region_of = places["lad_codes"].map(lambda c: _single_region(lads, c))
        for (_, row), region in zip(places.iterrows(), region_of):
            if pd.isna(region):
                notes.append(f"{row['name']} spans several regions: left out of the region level")
        inside = places[region_of.notna()].assign(code=region_of[region_of.notna()])
        grouped = _aggregate(inside, "code")
        regions = region_stats(areas)
        grouped["name"] = grouped["code"].map(regions["name"])
        grouped["lad_codes"] = grouped["code"].map(lambda r: tuple(sorted(areas.loc[areas["region_code"] == r, "code"])))
        grouped["population"] = grouped["code"].map(regions["population"]).astype("int64")
        grouped["area_km2"] = grouped["code"].map(regions["area_km2"]).astype(float)

    if places.empty:
        notes.append(
            "no place in this dataset could be mapped: fix the names in the match report on the Data page "
            "(or give each row a lad_code)"
        )
    table = add_metrics(grouped, national_total, int(areas["population"].sum()), rank_by)
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
    )


def add_metrics(grouped: pd.DataFrame, national_total: int, uk_population: int, rank_by: Metric = "networks") -> pd.DataFrame:
    """Add per 1,000, per km², share, UK index and rank to ``code, name, lad_codes, networks, population, area_km2``."""
    out = grouped.copy()
    out["networks"] = out["networks"].astype("int64")
    out["per_1k"] = out["networks"] / out["population"] * 1000
    out["per_km2"] = out["networks"] / out["area_km2"]
    out["share"] = out["networks"] / national_total if national_total else np.nan
    uk_per_1k = national_total / uk_population * 1000 if uk_population else np.nan
    out["index_uk"] = out["per_1k"] / uk_per_1k * 100 if uk_per_1k else np.nan
    out["rank"] = out[rank_by].rank(ascending=False, method="min").astype("int64") if len(out) else pd.Series(dtype="int64")
    out = out.sort_values(["rank", "name"], ignore_index=True)
    return out[ROW_COLUMNS]


def region_stats(areas: pd.DataFrame) -> pd.DataFrame:
    """Name, population and land area per region/nation code (no geometry work)."""
    return areas.groupby("region_code").agg(
        name=("region_name", "first"), population=("population", "sum"), area_km2=("area_km2", "sum")
    )


def uk_average(table: Table, areas: pd.DataFrame) -> dict[str, float]:
    """The national rates a row is compared against: per 1,000 residents and per km²."""
    population = float(areas["population"].sum())
    area = float(areas["area_km2"].sum())
    return {
        "networks": float(table.national_total),
        "per_1k": table.national_total / population * 1000,
        "per_km2": table.national_total / area,
    }


def _single_region(lads: pd.DataFrame, codes: tuple[str, ...]) -> str | None:
    regions = set(lads.loc[list(codes), "region_code"])
    return regions.pop() if len(regions) == 1 else None


def _group_code(resolver: Resolver, codes: tuple[str, ...]) -> str:
    if len(codes) == 1:
        return codes[0]
    for group, members in resolver.group_codes.items():
        if tuple(sorted(members)) == tuple(sorted(codes)):
            return group
    return "+".join(codes)


def _place_name(resolver: Resolver, codes: tuple[str, ...], inputs: list[str]) -> str:
    resolved = resolver.resolve(inputs[0])
    if resolved.status == "matched" and tuple(sorted(resolved.lad_codes)) == tuple(sorted(codes)) and len(codes) > 1:
        # A multi-LAD place keeps the alias's name ("Greater London") rather than a list of boroughs.
        return resolved.name
    return resolver.display_name(codes)
