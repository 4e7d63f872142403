"""The Trends page's frames and chart (geo.pictures.trends.tables, geo.pictures.trend_charts) over four monthly scans and TOP10VPN.

Expected figures are read from the fixture's own counts (trend_scans.COUNTS), never typed in twice.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from trend_scans import COUNTS, MONTHS, write_monthly_scans

from geo.datasets import folders as dataset_folders
from geo.datasets.dataset import Dataset
from geo.datasets.time_order import dated
from geo.figures import history, series_vendors
from geo.figures.vocabulary import VENDOR_LABELS
from geo.pictures.captions import ONS_SHORT
from geo.pictures.trend_charts import national_chart
from geo.pictures.trends import tables
from geo.scan.as_dataset import NATIONAL_PLACE


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory, resolver) -> list[Dataset]:
    folders = write_monthly_scans(tmp_path_factory.mktemp("trend-scans"), resolver)
    return [dataset_folders.load_folder(folder, folder.name) for folder in folders]


@pytest.fixture(scope="module")
def series_of(scans, shipped, resolver, areas_frame):
    """``series_of(vendor, level)``: the series of the four scans and TOP10VPN."""
    made: dict = {}

    def build(vendor: str = "all", level: str = "place", metric: str = "networks") -> history.Series:
        key = (vendor, level, metric)
        if key not in made:
            made[key] = series_vendors.series_for(
                [shipped, *scans], resolver, areas_frame, vendor=vendor, level=level, metric=metric
            )
        return made[key]

    return build


def national(vendor: str, month: int) -> int:
    vendors = ("hikvision", "dahua") if vendor == "all" else (vendor,)
    return sum(COUNTS[v][month][0] for v in vendors)


def city(vendor: str, name: str) -> list[float]:
    return [float(COUNTS[vendor][m][1].get(name, math.nan)) for m in range(len(MONTHS))]


# -- the datasets a vendor's series holds ------------------------------------------------------


def test_counting_leaves_out_datasets_without_the_vendor(scans, shipped) -> None:
    kept, left_out = series_vendors.counting([shipped, *scans], "hikvision")
    assert kept == scans
    assert left_out == [f"{shipped.short_name} does not count Hikvision on its own: left out of this series"]
    assert series_vendors.counting([shipped, *scans], "all") == ([shipped, *scans], [])


# -- the national line ------------------------------------------------------------------------------


def test_national_frame_has_a_row_per_vendor_and_date_and_a_line_per_run(series_of, shipped) -> None:
    by_vendor = {v: series_of(v) for v in ("all", "hikvision", "dahua")}
    frame = tables.national_frame(by_vendor)
    assert frame.groupby("vendor").size().to_dict() == {"all": 5, "hikvision": 4, "dahua": 4}
    for vendor in ("all", "hikvision", "dahua"):
        rows = frame[(frame["vendor"] == vendor) & (frame["dataset"] != shipped.id)]
        assert rows["value"].tolist() == [national(vendor, m) for m in range(4)]
        assert rows["line"].nunique() == 1  # the four scans are one line…
        assert set(rows["vendor_label"]) == {VENDOR_LABELS[vendor]}
    top10 = frame[frame["dataset"] == shipped.id].iloc[0]
    assert top10["vendor"] == "all" and top10["value"] == 277_986
    assert top10["line"] not in set(frame.loc[frame["vendor"] == "all", "line"]) - {top10["line"]}  # …TOP10VPN its own


def test_national_frame_names_each_run_once_beside_its_last_point(series_of, shipped) -> None:
    frame = tables.national_frame({v: series_of(v) for v in ("all", "hikvision", "dahua")})
    labelled = frame[frame["label"] != ""]
    assert len(labelled) == 2  # TOP10VPN, and the run of four scans (in three vendors' lines, named once)
    scans_label = labelled[labelled["dataset"] != shipped.id].iloc[0]
    # On the top line (both vendors together) at the last date, read leftwards from the right edge.
    assert scans_label["vendor"] == "all" and scans_label["when"] == frame["when"].max()
    assert scans_label["align"] == "right"
    label = scans_label["label"]
    assert (
        label.replace("\n", " ")
        == f"{scans_label['source']}, counted 1 Sep 2026 06:00 UTC to counted 1 Dec 2026 06:00 UTC"
    )
    assert max(len(line) for line in label.splitlines()) <= tables.LABEL_CHARS  # fits beside a line on a phone
    top10 = labelled[labelled["dataset"] == shipped.id].iloc[0]
    assert top10["align"] == "left" and top10["label"].replace("\n", " ") == f"{shipped.short_name}, published Nov 2021"


def test_the_last_runs_alone_leave_earlier_methods_out(series_of, shipped) -> None:
    by_vendor = {v: series_of(v) for v in ("all", "hikvision", "dahua")}
    frame = tables.national_frame(by_vendor, last_runs_only=True)
    assert shipped.id not in set(frame["dataset"]) and len(frame) == 12
    assert set(frame["label"]) == {""}  # one run: the page names its source, no label sits on the lines
    assert tables.earlier_methods(by_vendor) == [f"{shipped.short_name} (published Nov 2021)"]
    assert tables.earlier_methods({"hikvision": by_vendor["hikvision"]}) == []


def test_a_dataset_without_a_national_figure_is_not_drawn_and_is_named(scans, resolver, areas_frame) -> None:
    # The October count without its national rows: a sum of places is not a national figure.
    october = scans[1]
    no_total = replace(
        october,
        id="october-no-total",
        observations=october.observations[october.observations["place"] != NATIONAL_PLACE],
    )
    series = series_vendors.series_for([scans[0], no_total, *scans[2:]], resolver, areas_frame)
    frame = tables.national_frame({"all": series})
    assert math.isnan(frame.loc[frame["dataset"] == "october-no-total", "value"].iloc[0])  # nothing, never 0
    assert tables.without_national({"all": series}) == [
        f"{no_total.short_name} (counted 1 Oct 2026 06:00 UTC) publishes no national figure: it is not drawn on the national line "
        "(a sum of its places would not be one, and it is never zero)"
    ]
    chart = national_chart(frame, "networks").to_dict()
    drawn = chart["datasets"][chart["layer"][0]["data"]["name"]]
    assert len(drawn) == 3 and all(row["value"] is not None for row in drawn)


def test_national_chart_draws_each_run_as_its_own_line_with_tooltips(series_of) -> None:
    frame = tables.national_frame({v: series_of(v) for v in ("all", "hikvision", "dahua")})
    spec = national_chart(frame, "networks").to_dict()
    lines, points, labels = spec["layer"]
    assert lines["mark"]["type"] == "line" and lines["encoding"]["detail"]["field"] == "line"
    assert points["mark"]["type"] == "circle"
    assert [t["title"] for t in points["encoding"]["tooltip"]] == ["Vendor", "Date", "Source", "Camera networks"]
    assert points["encoding"]["color"]["scale"]["domain"] == ["Hikvision + Dahua", "Hikvision", "Dahua"]
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "utc"
    rows = spec["datasets"][lines["data"]["name"]]
    # UTC, said so (a date without an offset would be read in the browser's time zone).
    assert all(row["when"].endswith("Z") for row in rows)
    assert set(MONTHS) <= {row["when"][:10] for row in rows}
    assert len(labels["layer"]) == 2  # labels reading right of their point, and left of it


def test_no_national_figure_at_all_gives_no_chart(scans, resolver, areas_frame) -> None:
    stripped = [
        replace(d, id=f"{d.id}-places", observations=d.observations[d.observations["place"] != NATIONAL_PLACE])
        for d in scans[:2]
    ]
    series = series_vendors.series_for(stripped, resolver, areas_frame)
    assert national_chart(tables.national_frame({"all": series}), "networks") is None
    assert (
        "no national figure on counted 1 Sep 2026 06:00 UTC and counted 1 Oct 2026 06:00 UTC"
        in tables.national_line(series)
    )


def test_national_line_reads_the_last_run(series_of) -> None:
    line = tables.national_line(series_of("hikvision"))
    first, last = national("hikvision", 0), national("hikvision", 3)
    pct = (last - first) / first * 100
    assert line == (
        f"Hikvision, camera networks nationally: {first:,} (counted 1 Sep 2026 06:00 UTC) \u2192 {last:,} (counted 1 Dec 2026 06:00 UTC), "
        f"+{pct:.1f}%"
    )


# -- risers and fallers -----------------------------------------------------------------------------


def test_movers_read_the_last_run_and_leave_gaps_out_of_the_sparkline(series_of) -> None:
    rows = tables.movers(series_of("dahua")).set_index("name")
    bristol = city("dahua", "Bristol")  # out of the October top 5: a gap inside the line
    assert math.isnan(bristol[1])
    assert rows.loc["Bristol, City of", "trend"] == [bristol[0], bristol[2], bristol[3]]
    assert rows.loc["Bristol, City of", "gaps"] == 1
    assert rows.loc["Bristol, City of", "change"] == bristol[3] - bristol[0]
    leeds = city("dahua", "Leeds")
    assert rows.loc["Leeds", "trend"] == leeds and rows.loc["Leeds", "gaps"] == 0
    assert rows.loc["Leeds", "change_pct"] == pytest.approx((leeds[3] - leeds[0]) / leeds[0] * 100)
    assert "Sheffield" not in rows.index  # listed in October only: no change to read
    assert list(rows["change"]) == sorted(rows["change"], reverse=True)


def test_movers_leave_out_areas_without_both_ends(series_of) -> None:
    rows = tables.movers(series_of("hikvision"))
    assert "Glasgow City" not in set(rows["name"]) and "Cardiff" not in set(rows["name"])  # one end unknown
    london = city("hikvision", "London")
    assert rows.set_index("name").loc["Greater London", "change"] == london[3] - london[0]


def test_biggest_keeps_the_largest_rises_then_the_largest_falls(series_of) -> None:
    rows = tables.movers(series_of("all", "lad"))
    both = tables.biggest(rows, limit=2)
    risers, fallers = both[both["change"] > 0], both[both["change"] < 0]
    assert list(risers["change"]) == sorted(rows.loc[rows["change"] > 0, "change"], reverse=True)[:2]
    assert list(fallers["change"]) == sorted(rows.loc[rows["change"] < 0, "change"])[:2]
    assert list(both.index) == list(range(len(both)))


def test_pooled_classes_give_every_date_one_scale(series_of) -> None:
    series = series_of("hikvision", "place", "per_1k")
    found = tables.pooled_classes(series, "quantiles", 5)
    values = series.values[~np.isnan(series.values)]
    assert found.bins[-1] >= values.max()
    # A figure seen at one date only (Glasgow, September) still has a class, not "no data".
    glasgow = series.values[list(series.units["name"]).index("Glasgow City"), 0]
    assert found.index_for(glasgow) is not None


def test_point_labels_tell_apart_two_datasets_of_one_date(scans) -> None:
    twin = replace(scans[0], id="twin", source_short="Another count")
    points = tuple(
        history.Point(dataset=d, when=dated(d), national=None, run=0, comparable_with_previous=False)
        for d in (scans[0], twin, scans[1])
    )
    series = history.Series("place", "all", "networks", points, None, np.empty((0, 3)), np.empty((0, 3)))
    assert tables.point_labels(series) == [
        f"counted 1 Sep 2026 06:00 UTC ({scans[0].short_name})",
        "counted 1 Sep 2026 06:00 UTC (Another count)",
        "counted 1 Oct 2026 06:00 UTC",
    ]


def test_attribution_names_each_source_once(series_of, shipped) -> None:
    credit = tables.attribution(series_of("all"))
    assert credit.counts == f"{shipped.short_name}; {series_of('all').points[-1].dataset.short_name}"
    assert ONS_SHORT.split(";")[0] in credit.source_line


def test_breaks_between_two_dates(series_of, shipped) -> None:
    series = series_of("all")
    assert tables.breaks_between(series, 1, 4) == []  # four scans: one line
    (note,) = tables.breaks_between(series, 0, 4)
    assert note.startswith(shipped.short_name) and "not joined into one line" in note
