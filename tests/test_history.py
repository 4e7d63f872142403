"""geo.history and geo.count_method: series over dated counts, exact at each level, with gaps and breaks."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from geo import count_method, history
from geo.errors import AtlasError
from history_months import LADS, MONTHS, QUERIES, TOP_N, month_dataset, total

MONTH_KEYS = list(MONTHS)


@pytest.fixture(scope="module")
def months(resolver) -> list:
    return [month_dataset(m, resolver) for m in MONTH_KEYS]


def both(month: str, city: str) -> int | None:
    """Hikvision + Dahua for ``city`` in ``month`` (None when neither lists it)."""
    counts = [MONTHS[month][v].get(city) for v in ("hikvision", "dahua")]
    return None if all(c is None for c in counts) else sum(c or 0 for c in counts)


def row(series: history.Series, code: str) -> np.ndarray:
    index = series.units.index[series.units["code"] == code]
    assert len(index) == 1, f"{code} is not one unit of the series"
    return series.values[index[0]]


def expected(city: str, vendor: str = "all") -> list[float]:
    values = []
    for month in MONTH_KEYS:
        value = both(month, city) if vendor == "all" else MONTHS[month][vendor].get(city)
        values.append(math.nan if value is None else float(value))
    return values


def test_series_at_lad_level_holds_each_months_count_in_date_order(months, resolver, areas_frame) -> None:
    shuffled = months[:]
    random.Random(4).shuffle(shuffled)
    series = history.series_for(shuffled, resolver, areas_frame, level="lad")
    assert [p.dataset.id for p in series.points] == [m.id for m in months]
    for city, code in LADS.items():
        np.testing.assert_array_equal(row(series, code), expected(city))
    np.testing.assert_array_equal(row(series, "E12000007"), expected("London"))  # Greater London stays one unit
    assert [p.national for p in series.points] == [total(m, "hikvision") + total(m, "dahua") for m in MONTH_KEYS]
    assert all(p.comparable_with_previous for p in series.points[1:]) and not series.points[0].comparable_with_previous


def test_a_city_below_the_top_n_is_a_gap_never_zero(months, resolver, areas_frame) -> None:
    series = history.series_for(months, resolver, areas_frame, level="place")
    bristol = row(series, LADS["Bristol"])
    assert math.isnan(bristol[2]) and bristol[3] == expected("Bristol")[3]
    data = series.to_dict()
    entry = next(r for r in data["rows"] if r["code"] == LADS["Bristol"])
    assert entry["values"][2] is None
    sheffield = next(r for r in data["rows"] if r["code"] == LADS["Sheffield"])
    assert sheffield["values"][:2] == [None, None]
    assert sheffield["change"] is None and sheffield["change_pct"] is None  # first end missing
    gap = [n for n in series.notes if "Bristol" in n and "Nov" in n]
    assert gap and f"top {TOP_N} cities" in gap[0] and "not zero" in gap[0]


def test_change_is_last_minus_first_and_steps_stay_inside_the_run(months, resolver, areas_frame) -> None:
    series = history.series_for(months, resolver, areas_frame, vendor="dahua", level="lad")
    first, last = MONTH_KEYS[0], MONTH_KEYS[-1]
    index = int(series.units.index[series.units["code"] == LADS["Manchester"]][0])
    a, b = MONTHS[first]["dahua"]["Manchester"], MONTHS[last]["dahua"]["Manchester"]
    assert series.change[index] == b - a
    assert series.change_pct[index] == pytest.approx((b - a) / a * 100)
    steps = series.steps()[index]
    assert math.isnan(steps[0])
    assert list(steps[1:]) == [MONTHS[m]["dahua"]["Manchester"] - MONTHS[p]["dahua"]["Manchester"]
                               for p, m in zip(MONTH_KEYS, MONTH_KEYS[1:])]
    assert series.national_change[0] == total(last, "dahua") - total(first, "dahua")


def test_rates_use_each_units_residents(months, resolver, areas_frame) -> None:
    series = history.series_for(months, resolver, areas_frame, vendor="hikvision", level="lad", metric="per_1k")
    population = int(areas_frame.set_index("code").loc[LADS["Leeds"], "population"])
    np.testing.assert_allclose(row(series, LADS["Leeds"]), [c / population * 1000 for c in expected("Leeds", "hikvision")])
    uk = int(areas_frame["population"].sum())
    assert series.points[0].national == pytest.approx(total(MONTH_KEYS[0], "hikvision") / uk * 1000)


def test_region_whose_counted_places_change_says_so(months, resolver, areas_frame) -> None:
    series = history.series_for(months, resolver, areas_frame, level="region")
    yorkshire = "E12000003"
    values = row(series, yorkshire)
    assert list(values) == [both(m, "Leeds") + (both(m, "Sheffield") or 0) for m in MONTH_KEYS]
    index = int(series.units.index[series.units["code"] == yorkshire][0])
    assert not series.same_coverage[index]
    assert any("Yorkshire and The Humber" in n and "change of coverage" in n for n in series.notes)
    london = int(series.units.index[series.units["code"] == "E12000007"][0])
    assert series.same_coverage[london]


def test_top10vpn_and_the_scans_are_not_one_line(months, shipped, resolver, areas_frame) -> None:
    series = history.series_for([*months, shipped], resolver, areas_frame, level="place")
    assert series.points[0].dataset.id == shipped.id
    assert [p.run for p in series.points] == [0, 1, 1, 1, 1]
    assert [p.comparable_with_previous for p in series.points] == [False, False, True, True, True]
    assert "TOP10VPN" in series.points[1].break_note and "Shodan results" in series.points[1].break_note
    assert series.last_run == (1, 4)
    manchester = int(series.units.index[series.units["code"] == LADS["Manchester"]][0])
    assert series.change[manchester] == both(MONTH_KEYS[-1], "Manchester") - both(MONTH_KEYS[0], "Manchester")
    assert series.values[manchester][0] == 7436  # TOP10VPN's published Manchester figure, kept beside as reference
    assert any(n.startswith("The line breaks before") for n in series.notes)


def test_a_changed_query_breaks_the_line(months, resolver) -> None:
    changed = month_dataset(MONTH_KEYS[1], resolver, {**QUERIES, "dahua": 'product:"Dahua"'})
    reason = count_method.break_reason(months[0], changed)
    assert "dahua query changed" in reason
    assert count_method.break_reason(months[0], months[1]) == ""


def test_a_combined_count_is_left_out_of_a_one_vendor_series(months, shipped, resolver, areas_frame) -> None:
    series = history.series_for([shipped, *months], resolver, areas_frame, vendor="hikvision")
    assert shipped.id not in [p.dataset.id for p in series.points]
    assert any("does not count Hikvision on its own" in n for n in series.notes)


def test_bad_input_is_one_line(months, shipped, resolver, areas_frame) -> None:
    with pytest.raises(AtlasError, match="at least two dated datasets"):
        history.series_for(months[:1], resolver, areas_frame)
    with pytest.raises(AtlasError, match="given twice"):
        history.series_for([months[0], months[0]], resolver, areas_frame)
    with pytest.raises(AtlasError, match="at least two dated datasets and has 1"):
        history.series_for([shipped, months[0]], resolver, areas_frame, vendor="dahua")


def test_json_contract(months, resolver, areas_frame) -> None:
    data = json.loads(json.dumps(history.series_for(months, resolver, areas_frame, level="lad").to_dict()))
    assert [s["date"] for s in data["series"]] == MONTH_KEYS
    assert {"dataset", "date", "national", "comparable_with_previous"} <= set(data["series"][0])
    assert all(len(r["values"]) == len(MONTH_KEYS) for r in data["rows"])
    assert {"code", "name", "lad_codes", "values", "change", "change_pct"} <= set(data["rows"][0])
    assert isinstance(data["notes"], list)
