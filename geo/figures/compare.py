"""Comparing two datasets at one geography level: change per unit, absolute and percent.

:func:`compare` matches the rows of two :class:`geo.figures.metrics.Table` objects (same level,
same vendor) and gives each unit its networks in A and in B, the change ``B - A`` and the
percent change. A unit that only one dataset lists is kept and marked (``only_a`` /
``only_b``): it is listed, never dropped, and never treated as zero in the other dataset
(a source that names only its top cities says nothing about the rest).
:func:`comparison_shapes` puts the comparison onto the shapes of its level for a map.

:func:`geo.datasets.time_order.time_order` decides which dataset is A and which B (the older is A);
:func:`headline` and :func:`csv_frame` write the comparison in those words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.errors import AtlasError
from geo.datasets.dataset import Dataset
from geo.datasets.time_order import TimeOrder, date_words
from geo.figures.join import UnitShapes, members, merged_units
from geo.figures.metrics import Table
from geo.figures.vocabulary import VENDOR_LABELS
from geo.official.areas import regions

IN_BOTH, ONLY_A, ONLY_B, IN_NEITHER = "both", "only_a", "only_b", "neither"
ROW_COLUMNS = [
    "code",
    "name",
    "lad_codes",
    "networks_a",
    "networks_b",
    "change",
    "pct_change",
    "listed",
    "per_1k_a",
    "per_1k_b",
    "same_coverage",
]
ONLY_COLUMNS = ["code", "name", "lad_codes"]


@dataclass(frozen=True)
class Comparison:
    """Two tables of one level side by side.

    ``rows``: one row per unit in either table, with ``networks_a``/``networks_b`` (NaN
    where a dataset does not list the unit), ``change`` (``b - a``; NaN unless in both),
    ``pct_change`` (percent of A; NaN where A is 0 or missing) and ``listed`` (``both``,
    ``only_a`` or ``only_b``). Units in both come first, largest increase first.
    ``only_a``/``only_b``: the units only one dataset lists (``code, name, lad_codes`` and
    that dataset's ``networks_a`` or ``networks_b``), largest first.
    """

    level: str
    dataset_a: str
    dataset_b: str
    vendor: str
    rows: pd.DataFrame
    only_a: pd.DataFrame
    only_b: pd.DataFrame
    national_a: int | None  # published national totals, only when both datasets have one
    national_b: int | None
    notes: tuple[str, ...] = field(default=())

    @property
    def has_national(self) -> bool:
        """True when both datasets publish a national total (so the totals can be compared)."""
        return self.national_a is not None and self.national_b is not None

    @property
    def national_change(self) -> int | None:
        """National total of B minus that of A (None unless both publish one)."""
        if self.national_a is None or self.national_b is None:
            return None
        return self.national_b - self.national_a

    @property
    def national_pct_change(self) -> float:
        """National change as a percent of A's total (NaN when A's total is 0 or either is missing)."""
        return pct_change(self.national_a, self.national_b)

    @property
    def both(self) -> pd.DataFrame:
        """The rows listed by both datasets (the ones with a change)."""
        return self.rows[self.rows["listed"] == IN_BOTH]

    @property
    def shared(self) -> pd.DataFrame:
        """The units both datasets list over the same places (like with like)."""
        return self.both[self.both["same_coverage"]]

    @property
    def shared_a(self) -> int:
        """Networks in A over :attr:`shared`."""
        return int(self.shared["networks_a"].sum())

    @property
    def shared_b(self) -> int:
        """Networks in B over :attr:`shared`."""
        return int(self.shared["networks_b"].sum())

    @property
    def shared_change(self) -> int:
        """B minus A over :attr:`shared`: like with like."""
        return self.shared_b - self.shared_a

    @property
    def shared_pct_change(self) -> float:
        """:attr:`shared_change` as a percent of A (NaN when A is 0)."""
        return pct_change(self.shared_a, self.shared_b)


def common_vendor(vendor: str, a: Dataset, b: Dataset) -> tuple[str, str | None]:
    """The vendor both datasets can be compared for, and why it is not ``vendor`` when it is not.

    A single vendor needs both datasets split by vendor; otherwise both are compared for
    Hikvision and Dahua together (never one vendor's count against a combined one).
    """
    if vendor == "all" or (a.splits_vendors and b.splits_vendors):
        return vendor, None
    lacking = b.title if a.splits_vendors else a.title
    return "all", (
        f"{lacking} counts Hikvision and Dahua together (no vendor split), so both datasets are compared for "
        f"{VENDOR_LABELS['all']}, not {VENDOR_LABELS[vendor]} alone."
    )


def pct_change(a: float | None, b: float | None) -> float:
    """``(b - a) / a`` in percent; NaN when ``a`` is 0 or either value is missing."""
    if a is None or b is None or pd.isna(a) or pd.isna(b) or a == 0:
        return math.nan
    return (float(b) - float(a)) / float(a) * 100


# -- time order ---------------------------------------------------------------------------


def headline(order: TimeOrder, a: int, b: int) -> str:
    """ "TOP10VPN, published Nov 2021: 82,762 → your scan, counted Mar 2025: 107,096, +29.4%"
    (A's figure then B's: older → newer), with the caveat when there is no time order."""
    pct = pct_change(a, b)
    change = "" if math.isnan(pct) else f", {'+' if pct > 0 else ''}{pct:,.1f}%".replace("-", "\u2212")
    caveat = f" ({order.caveat})" if order.caveat else ""
    return (
        f"{order.a.short_name}, {date_words(order.a)}: {a:,} → "
        f"{order.b.short_name}, {date_words(order.b)}: {b:,}{change}{caveat}"
    )


def csv_frame(comparison: Comparison, order: TimeOrder) -> pd.DataFrame:
    """The comparison's rows as a download: columns named by role ("networks_older",
    "change_newer_minus_older"; "_a"/"_b" without a time order), each dataset named with its date."""
    a, b = ("older", "newer") if order.in_time_order else ("a", "b")
    rows = comparison.rows.assign(
        listed=comparison.rows["listed"].map({IN_BOTH: "both", ONLY_A: f"only_{a}", ONLY_B: f"only_{b}"})
    )
    return rows.rename(
        columns={
            "networks_a": f"networks_{a}",
            "networks_b": f"networks_{b}",
            "change": f"change_{b}_minus_{a}",
            "pct_change": f"pct_change_from_{a}",
            "per_1k_a": f"per_1k_{a}",
            "per_1k_b": f"per_1k_{b}",
        }
    ).assign(
        **{
            f"dataset_{a}": f"{order.a.short_name}, {date_words(order.a)}",
            f"dataset_{b}": f"{order.b.short_name}, {date_words(order.b)}",
        }
    )


def _key(level: str, rows: pd.DataFrame) -> pd.Series:
    """What identifies a unit: the sorted LAD-code set for places, the GSS code otherwise."""
    if level == "place":
        return rows["lad_codes"].map(lambda codes: " ".join(sorted(codes)))
    return rows["code"].astype(str)


def _side(table: Table, suffix: str) -> pd.DataFrame:
    rows = table.rows
    return pd.DataFrame(
        {
            "key": _key(table.level, rows).to_numpy(),
            f"code_{suffix}": rows["code"].to_numpy(),
            f"name_{suffix}": rows["name"].to_numpy(),
            f"lad_codes_{suffix}": rows["lad_codes"].map(tuple).to_numpy(),
            f"networks_{suffix}": rows["networks"].astype("int64").to_numpy(),
            f"per_1k_{suffix}": rows["per_1k"].astype(float).to_numpy(),
            f"covered_{suffix}": rows["covered_population"].astype(float).to_numpy(),
        }
    )


def compare(table_a: Table, table_b: Table) -> Comparison:
    """Match the units of ``table_a`` and ``table_b`` and compute the change from A to B.

    Both tables must be of the same level and vendor (:class:`AtlasError` otherwise).
    Places match on their sorted set of LAD codes ("Manchester" in one dataset and
    "City of Manchester" in another are one place); LADs and regions on their code.
    """
    if table_a.level != table_b.level:
        raise AtlasError(
            f"cannot compare a {table_a.level} table with a {table_b.level} table: build both at the same level"
        )
    if table_a.vendor != table_b.vendor:
        raise AtlasError(
            f"cannot compare vendor {table_a.vendor} with vendor {table_b.vendor}: build both for the same vendor "
            "(use all when one dataset has no vendor split)"
        )
    a, b = _side(table_a, "a"), _side(table_b, "b")
    merged = a.merge(b, on="key", how="outer", indicator=True, sort=False)
    status = merged["_merge"].map({"both": IN_BOTH, "left_only": ONLY_A, "right_only": ONLY_B}).astype(str)
    rows = pd.DataFrame(
        {
            "code": merged["code_a"].where(merged["code_a"].notna(), merged["code_b"]),
            "name": merged["name_a"].where(merged["name_a"].notna(), merged["name_b"]),
            "lad_codes": merged["lad_codes_a"].where(merged["lad_codes_a"].notna(), merged["lad_codes_b"]),
            "networks_a": merged["networks_a"].astype("Int64"),
            "networks_b": merged["networks_b"].astype("Int64"),
            "listed": status,
            "per_1k_a": merged["per_1k_a"].astype(float),
            "per_1k_b": merged["per_1k_b"].astype(float),
            # A region both list may rest on different places in each: then its change mixes
            # real change with wider or narrower coverage, and it is left out of the shared totals.
            "same_coverage": (merged["covered_a"] == merged["covered_b"]) & status.eq(IN_BOTH).to_numpy(),
        }
    )
    a_values = rows["networks_a"].astype("Float64").astype(float)
    b_values = rows["networks_b"].astype("Float64").astype(float)
    rows["change"] = (b_values - a_values).astype("Int64")  # <NA> unless listed by both
    rows["pct_change"] = np.where(a_values > 0, (b_values - a_values) / a_values.where(a_values > 0) * 100, np.nan)
    order = {IN_BOTH: 0, ONLY_A: 1, ONLY_B: 2}
    rows = rows.assign(
        _group=rows["listed"].map(order),
        _size=(-rows["change"].astype("Float64"))
        .fillna(-rows["networks_a"].astype("Float64"))
        .fillna(-rows["networks_b"].astype("Float64"))
        .astype(float),
    )
    rows = rows.sort_values(["_group", "_size", "name"], ignore_index=True)[ROW_COLUMNS]

    only_a = rows.loc[rows["listed"] == ONLY_A, ONLY_COLUMNS + ["networks_a"]].reset_index(drop=True)
    only_b = rows.loc[rows["listed"] == ONLY_B, ONLY_COLUMNS + ["networks_b"]].reset_index(drop=True)
    only_b = only_b.sort_values(["networks_b", "name"], ascending=[False, True], ignore_index=True)
    both_national = table_a.national_total_source == "dataset" and table_b.national_total_source == "dataset"
    # A sum of places is not a national total: never set one against the other.
    national_a, national_b = (
        (int(table_a.national_total), int(table_b.national_total)) if both_national else (None, None)
    )
    return Comparison(
        level=table_a.level,
        dataset_a=table_a.dataset,
        dataset_b=table_b.dataset,
        vendor=table_a.vendor,
        rows=rows,
        only_a=only_a,
        only_b=only_b,
        national_a=national_a,
        national_b=national_b,
        notes=tuple(_notes(table_a, table_b, only_a, only_b)),
    )


def _notes(table_a: Table, table_b: Table, only_a: pd.DataFrame, only_b: pd.DataFrame) -> list[str]:
    """What a reader must know to read the comparison honestly."""
    notes = []
    if table_a.national_total_source != table_b.national_total_source or table_a.national_total_source != "dataset":
        notes.append(
            f"No national totals are compared: A's is the {_source_label(table_a)}, B's the {_source_label(table_b)}; "
            "the change is given over the areas both datasets list"
        )
    if table_a.level == "region":
        rows_a, rows_b = table_a.rows.set_index("code"), table_b.rows.set_index("code")
        for code in sorted(set(rows_a.index) & set(rows_b.index)):
            a, b = rows_a.loc[code], rows_b.loc[code]
            if a["covered_population"] != b["covered_population"]:
                notes.append(
                    f"{a['name']}: A's counts cover {a['coverage']:.0%} of its residents, B's {b['coverage']:.0%}; "
                    "its change mixes real change with different coverage, so it is left out of the shared totals"
                )
    if table_a.level == "place":
        for _, row_a in only_a.iterrows():
            codes = set(row_a["lad_codes"])
            overlapping = [row_b["name"] for _, row_b in only_b.iterrows() if codes & set(row_b["lad_codes"])]
            if overlapping:
                notes.append(
                    f"{row_a['name']} (only in A) overlaps {', '.join(overlapping)} (only in B): the places "
                    "cover different areas, so neither change can be read from this table"
                )
    return notes


def _source_label(table: Table) -> str:
    return "published national total" if table.national_total_source == "dataset" else "sum of its places"


def comparison_shapes(
    comparison: Comparison, areas: gpd.GeoDataFrame, unit_shapes: UnitShapes | None = None
) -> gpd.GeoDataFrame:
    """The comparison on the shapes of its level, with ``has_data`` (listed by both).

    ``lad``: all 361 LADs (a place over several LADs, such as Greater London, as one merged
    unit in their place); ``region``: the 9 English regions and 3 other nations; units
    neither dataset lists have ``listed`` = ``neither``. ``place``: one (dissolved) shape
    per compared place. ``unit_shapes`` (over ``areas``) keeps each union of LADs once made.
    """
    rows = comparison.rows
    if comparison.level == "place":
        shaped = merged_units(rows[ROW_COLUMNS], areas, unit_shapes)
    else:
        # At LAD level a place over several LADs (Greater London) is one unit in place of its LADs.
        multi = rows[rows["lad_codes"].map(len) > 1] if comparison.level == "lad" else rows.iloc[0:0]
        single = rows.drop(index=multi.index)
        hidden = {c for codes in multi["lad_codes"] for c in codes} - set(single["code"])
        base = (
            areas.loc[~areas["code"].isin(hidden)]
            if comparison.level == "lad"
            else (unit_shapes.regions() if unit_shapes else regions(areas))
        )
        joined = base[["code", "name", "geometry"]].merge(single.drop(columns=["name"]), on="code", how="left")
        joined["listed"] = joined["listed"].fillna(IN_NEITHER)
        joined["lad_codes"] = [
            codes if isinstance(codes, tuple) else members(areas, comparison.level, code)
            for code, codes in zip(joined["code"], joined["lad_codes"])
        ]
        shaped = gpd.GeoDataFrame(joined[ROW_COLUMNS + ["geometry"]], geometry="geometry", crs=areas.crs)
        if len(multi):
            shaped = gpd.GeoDataFrame(
                pd.concat([merged_units(multi[ROW_COLUMNS], areas, unit_shapes), shaped], ignore_index=True),
                crs=areas.crs,
            )
    shaped["has_data"] = shaped["listed"] == IN_BOTH
    return shaped[ROW_COLUMNS + ["has_data", "geometry"]]
