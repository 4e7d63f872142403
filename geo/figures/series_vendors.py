"""Series for a vendor as every caller builds them: Hikvision + Dahua honest where one vendor's count of a place is missing.

A count that lists each vendor's top N cities can list a city for Dahua but not for Hikvision
(below Hikvision's top N). Summed, that month's "Hikvision + Dahua" for the city is Dahua's
figure alone, and read against a month where both vendors listed it, it shows a fall that is
only a gap. :func:`with_vendor_gaps` makes such a cell unknown (NaN, with a note) in the
combined series: a unit's combined figure stands at a date only when every vendor that counts
it at some date of the series counts it there too. A unit one vendor never lists (a town only
Hikvision's top N reaches) keeps its figure: it is the same sum at every date. It also marks a
unit whose vendors' own counts cover other places at the two ends of the last run (a region
where Hikvision's count lost a city that Dahua's still lists), though the combined coverage
did not move. :func:`series_for` builds a series from datasets with all of this applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import geopandas as gpd
import numpy as np

from geo.core.errors import AtlasError
from geo.datasets.dataset import Dataset
from geo.datasets.time_order import date_words
from geo.figures.history import Series, build_series, unit_key
from geo.figures.metrics import build_table
from geo.figures.units import listed_names
from geo.figures.vocabulary import VENDOR_LABELS, Level, Metric, check
from geo.names.places import Resolver

SPLIT_VENDORS = ("hikvision", "dahua")


def with_vendor_gaps(combined: Series, parts: Mapping[str, Series]) -> Series:
    """``combined`` (vendor "all") with each cell that rests on a missing vendor count made
    unknown, and :attr:`~geo.figures.history.Series.same_coverage` false where a vendor's own coverage
    moved; ``parts`` are the same datasets' one-vendor series ("hikvision", "dahua")."""
    values = combined.values.copy()
    mixed = np.zeros(len(combined.units), dtype=bool) if combined.mixed is None else combined.mixed.copy()
    keys = unit_key(combined.level, combined.units).to_numpy()
    notes: list[str] = []
    for vendor, part in parts.items():
        position = {key: i for i, key in enumerate(unit_key(part.level, part.units))}
        rows = np.array([position.get(key, -1) for key in keys], dtype=int)
        known = rows >= 0
        listed = np.zeros((len(keys), len(part.points)), dtype=bool)
        listed[known] = ~np.isnan(part.values[rows[known]])
        ever = listed.any(axis=1)
        column = {point.dataset.id: j for j, point in enumerate(part.points)}
        for i, point in enumerate(combined.points):
            j = column.get(point.dataset.id)
            if j is None:
                continue  # a dataset without this vendor's own count (a combined study): nothing to check
            hole = ever & ~listed[:, j] & ~np.isnan(values[:, i])
            if hole.any():
                values[hole, i] = np.nan
                names = combined.units["name"][hole].astype(str).tolist()
                notes.append(
                    f"{date_words(point.dataset)}: {listed_names(names)} {'has' if len(names) == 1 else 'have'} no "
                    f"{VENDOR_LABELS[vendor]} figure ({point.gap_words}), so {'its' if len(names) == 1 else 'their'} "
                    f"{VENDOR_LABELS['all']} total there is unknown, not the other vendor's alone"
                )
        if part.comparable and combined.comparable:
            moved = np.zeros(len(keys), dtype=bool)
            moved[known] = ~part.same_coverage[rows[known]]
            first, last = part.last_run
            ends = part.coverage[:, [first, last]]
            moved[known] &= ~np.isnan(ends[rows[known]]).any(axis=1)
            newly = moved & ~mixed & combined.same_coverage
            if newly.any():
                names = combined.units["name"][newly].astype(str).tolist()
                notes.append(
                    f"{listed_names(names)}: {VENDOR_LABELS[vendor]}'s counts cover other places at the start and the end, so "
                    f"the {VENDOR_LABELS['all']} change mixes real change with a change of coverage"
                )
            mixed |= moved
    return replace(combined, values=values, mixed=mixed, notes=(*combined.notes, *notes))


def series_for(
    datasets: Sequence[Dataset],
    resolver: Resolver,
    areas: gpd.GeoDataFrame,
    vendor: str = "all",
    level: Level = "place",
    metric: Metric = "networks",
) -> Series:
    """The series of ``datasets`` for ``vendor`` at ``level``, each table built here
    (:func:`geo.figures.metrics.build_table`); for "all", with :func:`with_vendor_gaps` applied from
    the datasets' own vendor counts. A dataset that did not count ``vendor`` (a combined count
    in a Hikvision series) is left out with a note, never read as that vendor's figure."""
    check("level", level)

    def one(chosen: str) -> Series:
        counted, left_out = counting(datasets, chosen)
        entries = [(d, build_table(d, resolver, areas, vendor=chosen, level=level)) for d in counted]
        return build_series(entries, metric, left_out)

    return honest(one, vendor)


def honest(series_of: Callable[[str], Series], vendor: str) -> Series:
    """``series_of(vendor)``; for "all", with the vendor gaps of ``series_of("hikvision")`` and
    ``series_of("dahua")`` applied (a vendor with fewer than two datasets of its own is skipped)."""
    series = series_of(vendor)
    if vendor != "all":
        return series
    parts = {}
    for one in SPLIT_VENDORS:
        try:
            parts[one] = series_of(one)
        except AtlasError:
            continue  # fewer than two datasets count this vendor on its own: nothing to check against
    return with_vendor_gaps(series, parts)


def counting(datasets: Sequence[Dataset], vendor: str) -> tuple[list[Dataset], list[str]]:
    """The datasets that count ``vendor`` on its own, and one line per dataset left out."""
    check("vendor", vendor)
    kept, left_out = [], []
    for dataset in datasets:
        if vendor != "all" and vendor not in dataset.vendors:
            left_out.append(
                f"{dataset.short_name} does not count {VENDOR_LABELS[vendor]} on its own: left out of this series"
            )
        else:
            kept.append(dataset)
    return kept, left_out
