"""Series over dated datasets: each unit's value at each date, the national figure per date, and change.

:func:`build_series` takes datasets with their tables (one level, one vendor, as
:func:`geo.figures.metrics.build_table` builds them) and puts them in date order
(:func:`geo.datasets.time_order.dated`). Two neighbouring datasets continue one line only when they
count the same thing the same way (:mod:`geo.figures.count_method`); otherwise the series breaks,
and a *run* is a stretch without a break. Change is read over the last run only: last
minus first, absolute and in percent, and step by step inside a run, never across a break.

Missing is not zero: a unit a dataset does not list has no value at that date (NaN, ``null``
in JSON), and the series says why ("not in that count's top 8 cities"). A unit whose counts
cover a different share of its residents at two dates of the last run (a region that gained
a city) is marked, because its change mixes real change with a change of coverage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from geo.core.errors import AtlasError
from geo.datasets.dataset import Dataset
from geo.datasets.time_order import Dated, date_words, dated
from geo.figures.count_method import break_reason
from geo.figures.metrics import Table
from geo.figures.units import listed_names
from geo.figures.vocabulary import LEVEL_UNITS, Metric, check

_STATED = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d", "time": "%Y-%m-%dT%H:%MZ"}
_PRECISIONS = ("year", "month", "day", "time")


@dataclass(frozen=True)
class Point:
    """One dataset in a series: when, its national figure in the series' metric, and its line."""

    dataset: Dataset
    when: Dated
    national: float | None  # the published national figure in the series' metric; None without one
    run: int  # which unbroken stretch it belongs to (0, 1, …)
    comparable_with_previous: bool  # False for the first point and after a break
    break_note: str = ""  # why it does not continue the previous point's line ("" when it does or is first)
    top_n: int | None = None  # a live count's facet size: the most cities it lists per vendor

    @property
    def stated(self) -> str:
        """The date as stated, to its precision: "2026-12-01T06:00Z", "2021-11"."""
        return self.when.when.strftime(_STATED[self.when.precision])

    @property
    def label(self) -> str:
        """The date in words, with its kind: "counted 1 Dec 2026", "published Nov 2021"."""
        return date_words(self.dataset)

    @property
    def gap_words(self) -> str:
        """Why a unit has no value at this date: "not in that count's top 8 cities" (unknown, not zero)."""
        return f"not in that count's top {self.top_n:,} cities" if self.top_n else "not listed in that dataset"

    def to_dict(self) -> dict:
        """JSON-ready form (the ``history --json`` ``series`` entry)."""
        return {
            "dataset": self.dataset.id,
            "title": self.dataset.title,
            "source": self.dataset.short_name,
            "date": self.stated,
            "date_kind": self.when.kind,
            "national": _number(self.national),
            "comparable_with_previous": self.comparable_with_previous,
            "run": self.run,
            "break": self.break_note or None,
        }


@dataclass(frozen=True)
class Series:
    """Datasets in date order at one level, vendor and metric.

    ``values`` and ``coverage`` are units × points arrays (NaN: no figure at that date);
    ``units`` has one row per unit listed at any date (``code, name, lad_codes``), in the order
    of the arrays. ``notes``: what a reader must know (breaks, gaps, coverage changes).
    """

    level: str
    vendor: str
    metric: str
    points: tuple[Point, ...]
    units: pd.DataFrame
    values: np.ndarray
    coverage: np.ndarray
    notes: tuple[str, ...] = ()
    # Per unit: True where a part of its figure (one vendor's count) covers other places at the
    # two ends of the last run, though the whole's coverage did not move (geo.vendor_gaps).
    mixed: np.ndarray | None = None

    @property
    def last_run(self) -> tuple[int, int]:
        """First and last point index of the last unbroken run."""
        last = len(self.points) - 1
        first = max(i for i, p in enumerate(self.points) if not p.comparable_with_previous)
        return first, last

    @property
    def comparable(self) -> bool:
        """True when the last run holds at least two datasets: there is a change to read."""
        first, last = self.last_run
        return last > first

    @cached_property
    def change(self) -> np.ndarray:
        """Per unit: last minus first over the last run (NaN where either end has no figure)."""
        first, last = self.last_run
        return self.values[:, last] - self.values[:, first]

    @cached_property
    def change_pct(self) -> np.ndarray:
        """:attr:`change` as a percent of the first value (NaN where it is 0 or missing)."""
        first, _ = self.last_run
        start = self.values[:, first]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(start > 0, self.change / start * 100, np.nan)

    @cached_property
    def same_coverage(self) -> np.ndarray:
        """Per unit: True when its counts cover the same share of residents at both ends of the last run."""
        first, last = self.last_run
        same = np.isclose(self.coverage[:, first], self.coverage[:, last], rtol=0, atol=1e-9)
        return same if self.mixed is None else same & ~self.mixed

    @property
    def national_change(self) -> tuple[float | None, float | None]:
        """The national figure's change over the last run, absolute and percent (None without both ends)."""
        first, last = self.last_run
        a, b = self.points[first].national, self.points[last].national
        if a is None or b is None or first == last:
            return None, None
        return b - a, ((b - a) / a * 100 if a else None)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """One row per unit (largest latest value first): ``code, name, lad_codes``, each point's
        value (columns named by :meth:`column_names`), ``change, change_pct, same_coverage``."""
        frame = self.units.copy()
        for name, column in zip(self.column_names(), self.values.T):
            frame[name] = column
        frame["change"], frame["change_pct"], frame["same_coverage"] = self.change, self.change_pct, self.same_coverage
        return frame

    def column_names(self) -> list[str]:
        """One column name per point: its stated date ("2026-12-01T06:00Z"), with the dataset id when two share one."""
        stated = [p.stated for p in self.points]
        return [s if stated.count(s) == 1 else f"{s} {p.dataset.id}" for s, p in zip(stated, self.points)]

    def to_dict(self) -> dict:
        """JSON-ready form (the ``history --json`` contract): ``series`` in date order, ``rows``
        with one value per series entry (null where a unit has no figure), ``notes``."""
        rows = []
        for i, unit in enumerate(self.units.itertuples(index=False)):
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "lad_codes": list(unit.lad_codes),
                    "values": [_number(v) for v in self.values[i]],
                    "coverage": [_number(c) for c in self.coverage[i]],
                    "change": _number(self.change[i]),
                    "change_pct": _number(self.change_pct[i]),
                    "same_coverage": bool(self.same_coverage[i]),
                }
            )
        return {
            "level": self.level,
            "vendor": self.vendor,
            "metric": self.metric,
            "series": [p.to_dict() for p in self.points],
            "rows": rows,
            "notes": list(self.notes),
        }

    def csv_frame(self) -> pd.DataFrame:
        """:attr:`rows` for a CSV download: LAD codes joined by spaces (pass it through
        :func:`geo.datasets.exports.safe_csv`)."""
        return self.rows.assign(lad_codes=self.rows["lad_codes"].map(" ".join))


def _number(value: float | None) -> float | int | None:
    """A JSON number: None for NaN/None, an int for a whole float."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else value


def order_datasets(datasets: Sequence[Dataset]) -> tuple[list[tuple[Dataset, Dated]], list[str]]:
    """``datasets`` in date order with their dates, and one line per dataset left out (no date).

    Two datasets of the same period (at the coarser of their precisions) keep the order given,
    with a note: neither is known to be the older.
    """
    kept: list[tuple[Dataset, Dated]] = []
    left_out: list[str] = []
    for dataset in datasets:
        when = dated(dataset)
        if when is None:
            left_out.append(
                f"{dataset.short_name} has no date, so it has no place in time: give it the date of its count"
            )
        else:
            kept.append((dataset, when))
    kept.sort(key=lambda item: item[1].when)
    return kept, left_out


def _same_period(a: Dated, b: Dated) -> bool:
    coarser = min(a.precision, b.precision, key=_PRECISIONS.index)
    return a.key(coarser) == b.key(coarser)


def _national(table: Table, metric: str) -> float | None:
    if table.national_total_source != "dataset":
        return None  # a sum of places is not a national figure
    value = table.uk_rates[metric]
    return None if math.isnan(value) else value


def _top_n(dataset: Dataset) -> int | None:
    scan = (dataset.package or {}).get("scan")
    size = scan.get("facet_size") if isinstance(scan, dict) else None
    return int(size) if isinstance(size, int) and size > 0 else None


def unit_key(level: str, rows: pd.DataFrame) -> pd.Series:
    """What identifies a unit across datasets: its sorted LAD codes for places ("Manchester" and
    "City of Manchester" are one place), its GSS code for LADs and regions."""
    if level == "place":
        return rows["lad_codes"].map(lambda codes: " ".join(sorted(codes)))
    return rows["code"].astype(str)


def build_series(
    entries: Sequence[tuple[Dataset, Table]], metric: Metric = "networks", left_out: Sequence[str] = ()
) -> Series:
    """The series of ``entries`` (each dataset with its table; all of one level and vendor) in date order.

    ``left_out``: one line per dataset the caller kept out (kept in the notes). Raises a
    one-line :class:`AtlasError` for fewer than two dated datasets, the same dataset twice, or
    tables of different levels or vendors.
    """
    check("metric", metric)
    ids = [dataset.id for dataset, _ in entries]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise AtlasError(f"dataset {repeated[0]} is given twice: name each dataset once")
    levels = {table.level for _, table in entries}
    vendors = {table.vendor for _, table in entries}
    if len(levels) > 1 or len(vendors) > 1:
        raise AtlasError(
            "the datasets' tables differ in level or vendor: build every table at one level for one vendor"
        )
    tables = {dataset.id: table for dataset, table in entries}
    ordered, undated = order_datasets([dataset for dataset, _ in entries])
    left_out = [*left_out, *undated]
    if len(ordered) < 2:
        why = f" ({'; '.join(left_out)})" if left_out else ""
        raise AtlasError(
            f"a series needs at least two dated datasets and has {len(ordered)}{why}: add more counts (scan shodan --into DIR)"
        )
    level = levels.pop()
    notes = list(left_out)

    points: list[Point] = []
    run = 0
    for i, (dataset, when) in enumerate(ordered):
        reason = break_reason(ordered[i - 1][0], dataset) if i else ""
        if i and _same_period(ordered[i - 1][1], when):
            notes.append(
                f"{ordered[i - 1][0].short_name} ({date_words(ordered[i - 1][0])}) and {dataset.short_name} "
                f"({date_words(dataset)}) are from the same period: which is the older is not known"
            )
        if reason:
            run += 1
            notes.append(f"The line breaks before {date_words(dataset)}: {reason}")
        points.append(
            Point(
                dataset=dataset,
                when=when,
                national=_national(tables[dataset.id], metric),
                run=run,
                comparable_with_previous=bool(i) and not reason,
                break_note=reason,
                top_n=_top_n(dataset),
            )
        )

    units, values, coverage = _matrix(level, [tables[p.dataset.id] for p in points], metric)
    series = Series(
        level=level,
        vendor=vendors.pop(),
        metric=metric,
        points=tuple(points),
        units=units,
        values=values,
        coverage=coverage,
    )
    notes += _gap_notes(series) + _coverage_notes(series)
    return Series(
        level=series.level,
        vendor=series.vendor,
        metric=metric,
        points=series.points,
        units=units,
        values=values,
        coverage=coverage,
        notes=tuple(notes),
    )


def _matrix(level: str, tables: list[Table], metric: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Units (latest name) and their units × points values and coverage, NaN where a table lacks a unit."""
    long = pd.concat(
        [
            t.rows[["code", "name", "lad_codes", metric, "coverage"]].assign(
                point=i, key=unit_key(level, t.rows).to_numpy()
            )
            for i, t in enumerate(tables)
        ],
        ignore_index=True,
    )
    if long.empty:
        empty = np.empty((0, len(tables)))
        return pd.DataFrame(columns=["code", "name", "lad_codes"]), empty, empty.copy()
    units = long.drop_duplicates("key", keep="last").set_index("key")[["code", "name", "lad_codes"]]
    values = long.pivot_table(index="key", columns="point", values=metric, aggfunc="first", dropna=False)
    cover = long.pivot_table(index="key", columns="point", values="coverage", aggfunc="first", dropna=False)
    columns = range(len(tables))
    values = values.reindex(index=units.index, columns=columns).to_numpy(dtype=float)
    cover = cover.reindex(index=units.index, columns=columns).to_numpy(dtype=float)
    # Largest latest figure first (a unit without one after those with one), then by name.
    latest = pd.DataFrame(values).ffill(axis=1).iloc[:, -1].to_numpy() if len(tables) else np.zeros(len(units))
    order = np.lexsort((units["name"].astype(str).to_numpy(), -np.nan_to_num(latest, nan=-np.inf)))
    units = units.iloc[order].reset_index(drop=True)
    units["lad_codes"] = units["lad_codes"].map(tuple)
    return units, values[order], cover[order]


def _gap_notes(series: Series) -> list[str]:
    """One line per date at which units listed at some other date have no figure (unknown, never zero)."""
    one, many = LEVEL_UNITS[series.level]
    notes = []
    for i, point in enumerate(series.points):
        missing = series.units["name"][np.isnan(series.values[:, i])].astype(str).tolist()
        if missing:
            noun = one if len(missing) == 1 else many
            notes.append(
                f"{date_words(point.dataset)}: {len(missing):,} {noun} with a figure at another date "
                f"{'has' if len(missing) == 1 else 'have'} none here ({listed_names(missing)}): "
                f"{point.gap_words}, so unknown, not zero"
            )
    return notes


def _coverage_notes(series: Series) -> list[str]:
    """Units whose counts cover a different share of their residents at the two ends of the last run."""
    if not series.comparable:
        return []
    first, last = series.last_run
    ends = series.coverage[:, [first, last]]
    moved = ~series.same_coverage & ~np.isnan(ends).any(axis=1)
    names = series.units["name"][moved].astype(str).tolist()
    if not names:
        return []
    return [
        f"{listed_names(names)}: the counts cover a different share of residents in {date_words(series.points[first].dataset)} "
        f"and {date_words(series.points[last].dataset)} (more or fewer places counted), so "
        f"{'its' if len(names) == 1 else 'their'} change mixes real change with a change of coverage"
    ]
