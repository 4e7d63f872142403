"""geo.figures.history, geo.figures.series_vendors and geo.figures.count_method: series over dated counts, exact at each level, with gaps and breaks.

Expected figures come from the counts in ``monthly_scans`` (what each month's count API answered).
"""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from monthly_scans import DROPS_OUT, FACET_SIZE, STARTS, TOTALS, facet, scan_result

from geo.core.errors import AtlasError
from geo.figures import count_method, history, series_vendors
from geo.scan import as_dataset
from geo.scan import summary as scan_summary

MONTHS = list(STARTS)
NAN = math.nan


@pytest.fixture(scope="module")
def months(resolver) -> list:
    return [as_dataset.as_dataset(scan_summary.summarise(scan_result(m), resolver), f"scan-{m}") for m in MONTHS]


@pytest.fixture(scope="module")
def code(resolver):
    def lad(city: str) -> str:
        codes = resolver.resolve(city).lad_codes
        assert len(codes) == 1, city
        return codes[0]

    return lad


def counted(city: str, vendor: str) -> list[float]:
    """What each month's count says of ``city`` for ``vendor`` (NaN: not in its top N)."""
    return [float(facet(m, vendor)[city]) if city in facet(m, vendor) else NAN for m in MONTHS]


def summed(city: str) -> list[float]:
    return [h + d for h, d in zip(counted(city, "hikvision"), counted(city, "dahua"))]


def row(series: history.Series, code: str) -> np.ndarray:
    index = series.units.index[series.units["code"] == code]
    assert len(index) == 1, f"{code} is not one unit of the series"
    return series.values[index[0]]


def index_of(series: history.Series, code: str) -> int:
    return int(series.units.index[series.units["code"] == code][0])


def test_series_at_lad_level_holds_each_months_count_in_date_order(months, resolver, areas_frame, code) -> None:
    shuffled = months[:]
    random.Random(4).shuffle(shuffled)
    series = series_vendors.series_for(shuffled, resolver, areas_frame, vendor="hikvision", level="lad")
    assert [p.dataset.id for p in series.points] == [m.id for m in months]
    for city in ("Manchester", "Leeds", "Nottingham", "Norwich", "Inverness"):
        np.testing.assert_array_equal(row(series, code(city)), counted(city, "hikvision"))
    np.testing.assert_array_equal(
        row(series, "E12000007"), counted("London", "hikvision")
    )  # Greater London is one unit
    assert [p.national for p in series.points] == [TOTALS[m]["hikvision"] for m in MONTHS]
    assert [p.comparable_with_previous for p in series.points] == [False, True, True, True]


def test_a_city_below_the_top_n_is_a_gap_never_zero(months, resolver, areas_frame, code) -> None:
    vendor, city, gone = DROPS_OUT
    series = series_vendors.series_for(months, resolver, areas_frame, vendor=vendor, level="place")
    values = row(series, code(city))
    first_gone = MONTHS.index(gone)
    assert np.isnan(values[first_gone:]).all() and not np.isnan(values[:first_gone]).any()
    entry = next(r for r in series.to_dict()["rows"] if r["code"] == code(city))
    assert entry["values"][first_gone:] == [None] * (len(MONTHS) - first_gone)
    assert entry["change"] is None and entry["change_pct"] is None  # the last end is unknown
    norwich = next(r for r in series.to_dict()["rows"] if r["code"] == code("Norwich"))
    assert norwich["values"][0] is None and norwich["change"] is None  # the first end is unknown
    assert any(city in n and f"top {FACET_SIZE} cities" in n and "not zero" in n for n in series.notes)


def test_hikvision_and_dahua_together_never_read_one_vendors_gap_as_a_fall(months, resolver, areas_frame, code) -> None:
    series = series_vendors.series_for(months, resolver, areas_frame, vendor="all", level="lad")
    np.testing.assert_array_equal(row(series, code("Manchester")), summed("Manchester"))
    # Nottingham leaves Hikvision's top N while Dahua still lists it: the total is unknown, not Dahua's alone.
    first_gone = MONTHS.index(DROPS_OUT[2])
    nottingham = row(series, code("Nottingham"))
    assert np.isnan(nottingham[first_gone:]).all()
    np.testing.assert_array_equal(nottingham[:first_gone], summed("Nottingham")[:first_gone])
    # Only Hikvision ever lists Inverness: the same sum every month.
    np.testing.assert_array_equal(row(series, code("Inverness")), counted("Inverness", "hikvision"))
    assert any("Nottingham" in n and "no Hikvision figure" in n for n in series.notes)


def test_change_is_last_minus_first(months, resolver, areas_frame, code) -> None:
    series = series_vendors.series_for(months, resolver, areas_frame, vendor="dahua", level="lad")
    manchester = counted("Manchester", "dahua")
    i = index_of(series, code("Manchester"))
    assert series.change[i] == manchester[-1] - manchester[0]
    assert series.change_pct[i] == pytest.approx((manchester[-1] - manchester[0]) / manchester[0] * 100)
    assert series.national_change[0] == TOTALS[MONTHS[-1]]["dahua"] - TOTALS[MONTHS[0]]["dahua"]


def test_rates_use_each_units_residents(months, resolver, areas_frame, code) -> None:
    series = series_vendors.series_for(months, resolver, areas_frame, vendor="hikvision", level="lad", metric="per_1k")
    population = int(areas_frame.set_index("code").loc[code("Leeds"), "population"])
    np.testing.assert_allclose(
        row(series, code("Leeds")), [c / population * 1000 for c in counted("Leeds", "hikvision")]
    )
    uk = int(areas_frame["population"].sum())
    assert series.points[0].national == pytest.approx(TOTALS[MONTHS[0]]["hikvision"] / uk * 1000)


def test_a_region_whose_counted_places_change_says_so(resolver, areas_frame) -> None:
    # Nine cities a month: Leicester is in Hikvision's top 9 throughout, Nottingham falls out of it in November.
    months = [
        as_dataset.as_dataset(scan_summary.summarise(scan_result(m, size=9), resolver), f"top9-{m}") for m in MONTHS
    ]
    top9 = [facet(m, "hikvision", 9) for m in MONTHS]
    assert all("Leicester" in f for f in top9) and "Nottingham" not in top9[-1]
    east_midlands = "E12000004"
    hikvision = series_vendors.series_for(months, resolver, areas_frame, vendor="hikvision", level="region")
    np.testing.assert_array_equal(
        row(hikvision, east_midlands), [f["Leicester"] + f.get("Nottingham", 0) for f in top9]
    )
    assert not hikvision.same_coverage[index_of(hikvision, east_midlands)]
    assert any("East Midlands" in n and "change of coverage" in n for n in hikvision.notes)
    # Together the two vendors still list Nottingham (Dahua), but Hikvision's part lost it: not like with like either.
    both = series_vendors.series_for(months, resolver, areas_frame, vendor="all", level="region")
    assert not both.same_coverage[index_of(both, east_midlands)]
    assert any("East Midlands" in n and "Hikvision's counts cover other places" in n for n in both.notes)
    assert both.same_coverage[index_of(both, "E12000007")]  # London: the same place every month


def test_top10vpn_and_the_scans_are_not_one_line(months, shipped, resolver, areas_frame, code) -> None:
    series = series_vendors.series_for([*months, shipped], resolver, areas_frame, level="place")
    assert series.points[0].dataset.id == shipped.id
    assert [p.run for p in series.points] == [0, 1, 1, 1, 1]
    assert [p.comparable_with_previous for p in series.points] == [False, False, True, True, True]
    assert "TOP10VPN" in series.points[1].break_note and "Shodan results" in series.points[1].break_note
    assert series.last_run == (1, 4)
    manchester = summed("Manchester")
    i = index_of(series, code("Manchester"))
    assert series.change[i] == manchester[-1] - manchester[0]  # over the scans only
    assert series.values[i][0] == 7436  # TOP10VPN's published figure stays beside them, on a line of its own
    assert any(n.startswith("The line breaks before") for n in series.notes)


def test_a_changed_query_breaks_the_line(months, resolver) -> None:
    result = scan_result(MONTHS[1])
    changed = result.__class__(
        **{
            **result.__dict__,
            "vendors": (
                result.vendors[0],
                result.vendors[1].__class__(**{**result.vendors[1].__dict__, "query": 'product:"Dahua" country:GB'}),
            ),
        }
    )
    dataset = as_dataset.as_dataset(scan_summary.summarise(changed, resolver), "changed")
    assert "dahua query changed" in count_method.break_reason(months[0], dataset)
    assert count_method.break_reason(months[0], months[1]) == ""


def test_a_combined_count_is_left_out_of_a_one_vendor_series(months, shipped, resolver, areas_frame) -> None:
    series = series_vendors.series_for([shipped, *months], resolver, areas_frame, vendor="hikvision")
    assert shipped.id not in [p.dataset.id for p in series.points]
    assert any("does not count Hikvision on its own" in n for n in series.notes)


def test_bad_input_is_one_line(months, shipped, resolver, areas_frame) -> None:
    with pytest.raises(AtlasError, match="at least two dated datasets"):
        series_vendors.series_for(months[:1], resolver, areas_frame)
    with pytest.raises(AtlasError, match="given twice"):
        series_vendors.series_for([months[0], months[0]], resolver, areas_frame)
    with pytest.raises(AtlasError, match="at least two dated datasets and has 1"):
        series_vendors.series_for([shipped, months[0]], resolver, areas_frame, vendor="dahua")


def test_json_contract(months, resolver, areas_frame) -> None:
    data = json.loads(json.dumps(series_vendors.series_for(months, resolver, areas_frame, level="lad").to_dict()))
    assert [s["date"] for s in data["series"]] == [STARTS[m].strftime("%Y-%m-%dT%H:%MZ") for m in MONTHS]
    assert {"dataset", "date", "national", "comparable_with_previous"} <= set(data["series"][0])
    assert all(len(r["values"]) == len(MONTHS) for r in data["rows"])
    assert {"code", "name", "lad_codes", "values", "change", "change_pct"} <= set(data["rows"][0])
    assert isinstance(data["notes"], list)
