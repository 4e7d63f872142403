"""geo.figures.compare and the change map in geo.pictures.web.choropleth (synthetic datasets on real mirrored ONS data)."""

from __future__ import annotations

import math
from dataclasses import replace

import folium
import numpy as np
import pandas as pd
import pytest
from atlas_testing import (
    HOSTILE,
    HOSTILE_ATTRIBUTION,
    QUOTES,
    assert_map_escapes_hostile_strings,
    assert_one_line,
    unjs,
)

from geo.core.errors import AtlasError
from geo.datasets import dataset as datasets
from geo.datasets import time_order
from geo.datasets.time_order import time_order as order_of
from geo.figures import compare, join, metrics, vocabulary
from geo.official.areas import merge_lads
from geo.pictures import numbers, palettes
from geo.pictures.captions import Attribution
from geo.pictures.classes import Classes, classify_diverging
from geo.pictures.palettes import NO_DATA_COLOR
from geo.pictures.web.choropleth import build_change_map, map_html
from geo.pictures.web.layers import Shapes

# A: a published national total, Greater London, and a place with zero networks.
CSV_A = b"""place,networks
United Kingdom,1000
Greater London,300
Manchester,100
Leeds,0
Liverpool,50
"""
# B: no national total; Manchester given by its code under another name; Cardiff only here.
CSV_B = b"""place,networks,lad_code
Manchester City Council,150,E08000003
Leeds,20,
Liverpool,50,
Cardiff,40,
"""


def make_dataset(dataset_id: str, data: bytes) -> datasets.Dataset:
    return datasets.Dataset(
        id=dataset_id, title=f"Dataset {dataset_id}", observations=datasets.parse_observations(data)
    )


@pytest.fixture(scope="module")
def pair():
    return make_dataset("a", CSV_A), make_dataset("b", CSV_B)


@pytest.fixture(scope="module")
def comparisons(pair, resolver, areas_frame):
    """level -> Comparison of A with B."""
    a, b = pair
    return {
        level: compare.compare(
            metrics.build_table(a, resolver, areas_frame, level=level),
            metrics.build_table(b, resolver, areas_frame, level=level),
        )
        for level in vocabulary.LEVELS
    }


def row(comparison: compare.Comparison, name: str) -> pd.Series:
    rows = comparison.rows[comparison.rows["name"] == name]
    assert len(rows) == 1, f"{name} not exactly once in {list(comparison.rows['name'])}"
    return rows.iloc[0]


# -- compare() -----------------------------------------------------------------------------


def test_place_level_rows_and_membership(comparisons):
    c = comparisons["place"]
    assert list(c.rows.columns) == compare.ROW_COLUMNS
    assert (c.level, c.dataset_a, c.dataset_b, c.vendor) == ("place", "a", "b", "all")
    status = dict(zip(c.rows["name"], c.rows["listed"]))
    assert status == {
        "Manchester": "both",
        "Leeds": "both",
        "Liverpool": "both",
        "Greater London": "only_a",
        "Cardiff": "only_b",
    }
    # Units in both first, then only in A, then only in B: nothing is dropped.
    assert list(c.rows["listed"]) == ["both", "both", "both", "only_a", "only_b"]


def test_places_match_on_their_lad_codes_not_their_names(comparisons):
    manchester = row(comparisons["place"], "Manchester")
    assert manchester["listed"] == "both"
    assert manchester["lad_codes"] == ("E08000003",)


def test_change_and_percent_change(comparisons):
    c = comparisons["place"]
    manchester = row(c, "Manchester")
    assert (manchester["networks_a"], manchester["networks_b"]) == (100, 150)
    assert manchester["change"] == 50
    assert manchester["pct_change"] == pytest.approx(50.0)
    assert manchester["per_1k_a"] == pytest.approx(100 / 568_996 * 1000)
    assert manchester["per_1k_b"] == pytest.approx(150 / 568_996 * 1000)
    liverpool = row(c, "Liverpool")
    assert liverpool["change"] == 0
    assert liverpool["pct_change"] == 0.0
    # Largest increase first among the units in both.
    assert list(c.both["name"]) == ["Manchester", "Leeds", "Liverpool"]


def test_zero_in_a_has_a_change_but_no_percent(comparisons):
    leeds = row(comparisons["place"], "Leeds")
    assert (leeds["networks_a"], leeds["networks_b"], leeds["change"]) == (0, 20, 20)
    assert math.isnan(leeds["pct_change"])


def test_missing_in_one_dataset_is_listed_not_zero(comparisons):
    c = comparisons["place"]
    cardiff = row(c, "Cardiff")
    assert pd.isna(cardiff["networks_a"]) and cardiff["networks_b"] == 40
    assert pd.isna(cardiff["change"]) and math.isnan(cardiff["pct_change"])
    london = row(c, "Greater London")
    assert london["networks_a"] == 300 and pd.isna(london["networks_b"]) and pd.isna(london["change"])
    assert list(c.only_a["name"]) == ["Greater London"]
    assert list(c.only_a["networks_a"]) == [300]
    assert list(c.only_b["name"]) == ["Cardiff"]
    assert list(c.only_b["networks_b"]) == [40]
    assert {"name", "networks_a"} <= set(c.only_a.columns)
    assert {"name", "networks_b"} <= set(c.only_b.columns)


def test_a_sum_of_places_is_never_set_against_a_national_total(comparisons):
    c = comparisons["place"]
    # A publishes a UK total (1,000); B only sums its places (260): no national change at all.
    assert not c.has_national
    assert (c.national_a, c.national_b, c.national_change) == (None, None, None)
    assert any("No national totals are compared" in note for note in c.notes)
    # Like with like: the areas both datasets list.
    both = c.both
    assert (c.shared_a, c.shared_b) == (int(both["networks_a"].sum()), int(both["networks_b"].sum()))
    assert c.shared_change == c.shared_b - c.shared_a


def test_national_totals_compared_when_both_publish_one(resolver, areas_frame):
    a = make_dataset("a", b"place,networks\nUnited Kingdom,1000\nLeeds,100\n")
    b = make_dataset("b", b"place,networks\nUnited Kingdom,1200\nLeeds,150\nYork,30\n")
    c = compare.compare(*(metrics.build_table(d, resolver, areas_frame) for d in (a, b)))
    assert c.has_national and (c.national_a, c.national_b, c.national_change) == (1000, 1200, 200)
    assert c.national_pct_change == pytest.approx(20.0)
    assert (c.shared_a, c.shared_b, c.shared_change) == (100, 150, 50)


def test_lad_level_matches_on_codes(comparisons):
    c = comparisons["lad"]
    status = dict(zip(c.rows["code"], c.rows["listed"]))
    # Greater London cannot be split into LADs: it is one unit of its own, listed by A only.
    assert status == {
        "E08000003": "both",
        "E08000035": "both",
        "E08000012": "both",
        "W06000015": "only_b",
        "E12000007": "only_a",
    }
    assert list(c.only_a["name"]) == ["Greater London"]


def test_region_level_sums_places_per_region(comparisons):
    c = comparisons["region"]
    north_west = row(c, "North West")
    assert (north_west["networks_a"], north_west["networks_b"], north_west["change"]) == (150, 200, 50)
    assert row(c, "London")["listed"] == "only_a"
    assert row(c, "Wales")["listed"] == "only_b"
    assert math.isnan(row(c, "Yorkshire and The Humber")["pct_change"])  # Leeds: 0 in A


def test_level_mismatch_is_a_one_line_atlas_error(pair, resolver, areas_frame):
    a, b = pair
    with pytest.raises(AtlasError) as err:
        compare.compare(
            metrics.build_table(a, resolver, areas_frame, level="place"),
            metrics.build_table(b, resolver, areas_frame, level="lad"),
        )
    assert_one_line(err.value, "place", "lad", "same level")


def test_vendor_mismatch_is_an_atlas_error(resolver, areas_frame):
    split = make_dataset("s", b"place,vendor,networks\nLeeds,hikvision,5\nLeeds,dahua,7\n")
    with pytest.raises(AtlasError) as err:
        compare.compare(
            metrics.build_table(split, resolver, areas_frame, vendor="hikvision"),
            metrics.build_table(split, resolver, areas_frame, vendor="all"),
        )
    assert_one_line(err.value, "vendor", "same vendor")


def test_overlapping_places_only_in_one_dataset_get_a_note(resolver, areas_frame):
    a = make_dataset("a", b"place,networks\nLondon,300\n")
    b = make_dataset("b", b"place,networks\nCroydon,12\n")
    c = compare.compare(metrics.build_table(a, resolver, areas_frame), metrics.build_table(b, resolver, areas_frame))
    assert list(c.rows["listed"]) == ["only_a", "only_b"]
    assert any("Greater London" in note and "Croydon" in note for note in c.notes)


def test_same_dataset_compares_to_no_change(pair, resolver, areas_frame):
    a, _ = pair
    table = metrics.build_table(a, resolver, areas_frame)
    c = compare.compare(table, table)
    assert set(c.rows["listed"]) == {"both"}
    assert (c.rows["change"] == 0).all()
    assert c.only_a.empty and c.only_b.empty and c.notes == ()


# -- comparison_shapes() ---------------------------------------------------------------------


def test_place_shapes_one_per_compared_place(comparisons, areas_frame):
    shapes = compare.comparison_shapes(comparisons["place"], areas_frame)
    assert len(shapes) == 5
    assert list(shapes.columns) == compare.ROW_COLUMNS + ["has_data", "geometry"]
    assert dict(zip(shapes["name"], shapes["has_data"])) == {
        "Manchester": True,
        "Leeds": True,
        "Liverpool": True,
        "Greater London": False,
        "Cardiff": False,
    }
    london = shapes[shapes["name"] == "Greater London"].geometry.iloc[0]
    codes = tuple(areas_frame.loc[areas_frame["code"].str.startswith("E09"), "code"])
    # The place is its 33 boroughs merged (hairline slits between boroughs closed).
    assert london.area == pytest.approx(merge_lads(areas_frame, codes).area, rel=1e-6)
    lads = areas_frame[areas_frame["code"].isin(codes)].geometry.union_all()
    assert lads.difference(london).area <= 1e-6 * lads.area


def test_lad_and_region_shapes_cover_every_unit(comparisons, areas_frame):
    lads = compare.comparison_shapes(comparisons["lad"], areas_frame)
    assert len(lads) == 361 - 33 + 1  # Greater London (A) is one unit in place of its boroughs
    assert lads["listed"].value_counts().to_dict() == {"neither": 324, "both": 3, "only_b": 1, "only_a": 1}
    assert int(lads["has_data"].sum()) == 3
    london = lads[lads["code"] == "E12000007"].iloc[0]
    assert len(london["lad_codes"]) == 33
    assert all(codes == (code,) for code, codes in zip(lads["code"], lads["lad_codes"]) if code != "E12000007")
    regions = compare.comparison_shapes(comparisons["region"], areas_frame)
    assert len(regions) == 12
    assert regions.loc[regions["name"] == "Scotland", "listed"].item() == "neither"
    assert len(regions.loc[regions["name"] == "London", "lad_codes"].item()) == 33


# -- classify_diverging() --------------------------------------------------------------------


def test_diverging_breaks_are_symmetric_around_zero():
    classes = classify_diverging([-100, -20, 0, 5, 60, np.nan, None], k=5)
    assert classes.scheme == "diverging"
    assert classes.bins == pytest.approx((-60, -20, 20, 60, 100))
    k = len(classes.colors)
    for j in range(k - 1):
        assert classes.bins[j] == -classes.bins[k - 2 - j]  # exactly mirrored
    assert classes.bins[-1] == 100  # the largest absolute change
    for value in (1, 19, 35, 75, 100):
        assert classes.index_for(value) + classes.index_for(-value) == k - 1
    assert classes.color_for(0) == palettes.NO_CHANGE_COLOR


@pytest.mark.parametrize("k", [3, 5, 7, 9])
def test_diverging_colours_are_puor_mirrored_around_the_neutral(k):
    classes = classify_diverging([-7, 3, 12], k=k)
    assert len(classes.colors) == len(classes.bins) == len(classes.labels) == k
    assert classes.colors[k // 2] == palettes.NO_CHANGE_COLOR
    assert classes.colors == palettes.diverging_palette(k)
    assert classes.color_for(-12).startswith("#") and classes.color_for(-12) != classes.color_for(12)
    assert classes.color_for(-12) == classes.colors[0] and classes.color_for(12) == classes.colors[-1]
    # Purple for fewer networks, orange for more (ColorBrewer PuOr).
    assert classes.colors[0] in ("#998ec3", "#5e3c99", "#542788")
    assert classes.colors[-1] in ("#f1a340", "#e66101", "#b35806")
    assert NO_DATA_COLOR not in classes.colors


def test_diverging_labels_carry_signs():
    classes = classify_diverging([-100, 100], k=5)
    assert classes.labels[0] == "\u2212100 \u2013 \u221260"
    assert classes.labels[-1] == "+61 \u2013 +100"
    assert "0" in classes.labels[2] or "\u221219" in classes.labels[2]
    rates = classify_diverging([-0.5, 0.25], k=3)
    assert rates.labels[-1].startswith("+") and rates.labels[0].startswith("\u2212")


def test_diverging_edge_cases():
    assert classify_diverging([]).labels == ("no values",)
    assert classify_diverging([np.nan, None]).labels == ("no values",)
    zero = classify_diverging([0, 0])
    assert zero.colors == (palettes.NO_CHANGE_COLOR,) and zero.color_for(0) == palettes.NO_CHANGE_COLOR
    assert classify_diverging(pd.Series([5, -5], dtype="Int64")).bins[-1] == 5
    assert classify_diverging(pd.array([pd.NA, 4], dtype="Int64")).bins[-1] == 4


@pytest.mark.parametrize("k", [2, 4, 1, 11, 5.0, True])
def test_even_or_bad_k_is_a_one_line_atlas_error(k):
    with pytest.raises(AtlasError) as err:
        classify_diverging([1, -1], k=k)
    assert_one_line(err.value)


def test_change_formats():
    assert numbers.format_change(1200) == "+1,200"
    assert numbers.format_change(-300) == "\u2212300"
    assert numbers.format_change(0) == "0"
    assert numbers.format_change(pd.NA) == "\u2013"
    assert numbers.format_pct_change(12.345) == "+12.3%"
    assert numbers.format_pct_change(float("nan")) == "\u2013"


# -- build_change_map() ------------------------------------------------------------------------


def change_layer(parts) -> Shapes:
    layers = [child for child in parts.layer._children.values() if isinstance(child, Shapes)]
    return layers[-1]


def properties_by_name(m: folium.Map) -> dict[str, dict]:
    return {f["properties"]["name"]: f["properties"] for f in change_layer(m).data["features"]}


def test_change_map_tooltips_and_styles(comparisons, areas_frame):
    c = comparisons["place"]
    shapes = compare.comparison_shapes(c, areas_frame)
    classes = classify_diverging(c.both["change"])
    m = build_change_map(shapes, classes, context=areas_frame, attribution=Attribution("test"))
    props = properties_by_name(m)
    assert (props["Manchester"]["a"], props["Manchester"]["b"]) == ("100", "150")
    assert (props["Manchester"]["c"], props["Manchester"]["p"]) == ("+50", "+50.0%")
    assert props["Leeds"]["p"] == "n/a (A is 0)"
    assert props["Cardiff"]["a"] == "not listed" and props["Cardiff"]["c"] == "\u2013"
    assert props["Cardiff"]["s"].startswith("Only in B")
    assert props["Greater London"]["s"].startswith("Only in A")
    html = unjs(map_html(m))
    for label in ("Networks in A", "Networks in B", "% change", "Only in A", "Only in B", "Change in camera networks"):
        assert label in html
    # Styles: change colours for units in both, distinct greys for the others.
    layer = change_layer(m)
    fills = {f["properties"]["name"]: layer.style_of(f)["fillColor"] for f in layer.data["features"]}
    assert fills["Manchester"] == classes.colors[-1]
    assert fills["Liverpool"] == classes.color_for(0)
    assert fills["Greater London"] != fills["Cardiff"]
    assert not {fills["Greater London"], fills["Cardiff"]} & set(palettes.diverging_palette(5))


def test_change_map_lad_level_leaves_units_in_neither_unfilled(comparisons, areas_frame):
    c = comparisons["lad"]
    shapes = compare.comparison_shapes(c, areas_frame)
    m = build_change_map(shapes, classify_diverging(c.both["change"]), attribution=Attribution("test"))
    layer = change_layer(m)
    assert len(layer.data["features"]) == 329
    styles = {f["properties"]["code"]: layer.style_of(f) for f in layer.data["features"]}
    assert styles["E06000001"]["fillOpacity"] == 0
    assert "dashArray" in styles["W06000015"]
    assert "In neither dataset" in unjs(map_html(m))


def test_change_map_selected_units_are_outlined(comparisons, areas_frame):
    c = comparisons["place"]
    shapes = compare.comparison_shapes(c, areas_frame)
    m = build_change_map(
        shapes, classify_diverging(c.both["change"]), selected=["W06000015"], attribution=Attribution("test")
    )
    layer = change_layer(m)
    cardiff = next(f for f in layer.data["features"] if f["properties"]["code"] == "W06000015")
    style = layer.style_of(cardiff)
    assert style["color"] == palettes.SELECTED_EDGE and "dashArray" not in style


def test_change_map_escapes_hostile_strings(comparisons, areas_frame):
    c = comparisons["lad"]
    frame = compare.comparison_shapes(c, areas_frame)
    kinds = frame["listed"].astype(str)
    frame.loc[frame.index[kinds == "both"][0], "name"] = HOSTILE
    frame.loc[frame.index[kinds == "both"][1], "name"] = QUOTES
    frame.loc[frame.index[kinds == "only_b"][0], "name"] = HOSTILE + "-onlyb"
    frame.loc[frame.index[kinds == "neither"][0], "name"] = HOSTILE + "-neither"
    base = classify_diverging(c.both["change"])
    classes = Classes(base.scheme, base.bins, base.colors, (HOSTILE, QUOTES) + base.labels[2:])
    m = build_change_map(
        frame, classes, attribution=Attribution(HOSTILE_ATTRIBUTION + " " + QUOTES), label_a=HOSTILE, label_b=QUOTES
    )
    html = map_html(m)
    text = assert_map_escapes_hostile_strings(html)  # text: what reaches innerHTML in the browser
    # The dataset labels in tooltip labels, status lines and legend.
    assert "Networks in &lt;script&gt;" in text
    assert "not listed in &lt;script&gt;" in text
    assert "Only in Tom &amp; Jerry&#x27;s" in text
    assert html.count("<script") == html.count("</script>")


def test_change_map_wants_comparison_shapes(resolver, areas_frame):
    table = metrics.build_table(make_dataset("a", CSV_A), resolver, areas_frame)
    with pytest.raises(AtlasError) as err:
        build_change_map(join.level_shapes(table, areas_frame), classify_diverging([1]), attribution=Attribution("t"))
    assert_one_line(err.value, "comparison_shapes")


def test_a_region_counted_from_different_places_is_not_set_against_itself(resolver, areas_frame):
    a = make_dataset("a", b"place,networks\nManchester,300\n")
    b = make_dataset("b", b"place,networks\nManchester,300\nLiverpool,200\nBolton,100\nLeeds,50\n")
    c = compare.compare(*(metrics.build_table(d, resolver, areas_frame, level="region") for d in (a, b)))
    north_west = c.rows.set_index("name").loc["North West"]
    assert north_west["listed"] == "both" and not north_west["same_coverage"]
    assert (c.shared_a, c.shared_b, c.shared_change) == (0, 0, 0)  # nothing alike to compare
    assert any(
        note.startswith("North West: A's counts cover") and "left out of the shared totals" in note for note in c.notes
    )
    same = compare.compare(*(metrics.build_table(d, resolver, areas_frame, level="region") for d in (a, a)))
    assert same.rows["same_coverage"].all() and same.shared_a == 300


# -- time order ----------------------------------------------------------------------------


def dated(
    dataset_id: str, *, date: str = "not stated", published: str | None = None, short: str | None = None
) -> datasets.Dataset:
    observations = datasets.parse_observations(CSV_B)
    return datasets.Dataset(
        id=dataset_id,
        title=f"Dataset {dataset_id}",
        observations=observations,
        date=date,
        published=published,
        source_short=short,
    )


STUDY = dated("study", published="2021-11", short="TOP10VPN")  # published November 2021, no count date
SCAN = dated("scan", date="2025-03", short="your scan")


def test_the_older_dataset_is_a_whichever_was_chosen_first():
    chosen_newer = order_of(SCAN, STUDY)  # the sidebar holds the 2025 scan
    assert (chosen_newer.a.id, chosen_newer.b.id, chosen_newer.kind, chosen_newer.swapped) == (
        "study",
        "scan",
        time_order.IN_TIME_ORDER,
        True,
    )
    chosen_older = order_of(STUDY, SCAN)
    assert (chosen_older.a.id, chosen_older.b.id, chosen_older.swapped) == ("study", "scan", False)
    assert (chosen_newer.label_a, chosen_newer.label_b, chosen_newer.arrow) == (
        "A (older)",
        "B (newer)",
        "older → newer",
    )
    assert chosen_newer.change_label == "Change (newer \u2212 older)"
    assert chosen_newer.note == (
        "In time order: A is the older (TOP10VPN, published Nov 2021), B the newer (your scan, counted Mar 2025); "
        "every change is newer minus older"
    )


def test_the_headline_reads_older_to_newer():
    order = order_of(SCAN, STUDY)
    assert compare.headline(order, 82_762, 107_096) == (
        "TOP10VPN, published Nov 2021: 82,762 → your scan, counted Mar 2025: 107,096, +29.4%"
    )
    fell = order_of(dated("new", date="2026-11-28", short="B"), dated("old", date="2025-01-02", short="A"))
    assert compare.headline(fell, 200, 150) == "A, counted 2 Jan 2025: 200 → B, counted 28 Nov 2026: 150, \u221225.0%"
    assert compare.headline(fell, 0, 150) == "A, counted 2 Jan 2025: 0 → B, counted 28 Nov 2026: 150"  # no % of 0


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        (dict(date="not stated"), dict(published="2021-11"), time_order.DATES_UNKNOWN),
        (dict(date="late 2021"), dict(date="not stated"), time_order.DATES_UNKNOWN),
        (dict(date="2021-11-20"), dict(published="2021-11"), time_order.SAME_PERIOD),  # a month says no day
        (dict(date="2025"), dict(date="2025-06-30"), time_order.SAME_PERIOD),
        (dict(date="2026-12-01"), dict(date="2026-12-01"), time_order.SAME_PERIOD),
        (dict(date="2021-12-01"), dict(published="2021-11"), time_order.IN_TIME_ORDER),
    ],
)
def test_no_time_order_is_claimed_without_one(first, second, kind):
    chosen, other = dated("chosen", **first), dated("other", **second)
    order = order_of(chosen, other)
    assert order.kind == kind
    if kind != time_order.IN_TIME_ORDER:
        assert (order.a.id, order.b.id, order.swapped) == ("chosen", "other", False)  # the order as chosen
        assert (order.label_a, order.label_b, order.arrow) == ("A", "B", "A → B as chosen")
        assert order.change_label == "Change (B \u2212 A)"
        assert "\n" not in order.note and "older" not in order.note.split(":")[0]
        assert compare.headline(order, 10, 5).endswith(f"({order.caveat})")
    else:
        assert (order.a.id, order.b.id, order.swapped) == ("other", "chosen", True)


def test_unknown_and_equal_dates_say_so_in_one_line():
    unknown = order_of(dated("upload", short="your table"), STUDY)
    assert unknown.caveat == "dates unknown: A → B as chosen"
    assert unknown.note.startswith(
        "Dates unknown: A → B as chosen (A: your table, date not stated; B: TOP10VPN, published Nov 2021)"
    )
    assert "with A undated" in unknown.note
    same = order_of(dated("x", date="2021-11-28"), STUDY)
    assert same.caveat == "same date: A → B as chosen"
    assert same.note.startswith("Same date: A (Dataset x, counted 28 Nov 2021) and B (TOP10VPN, published Nov 2021)")


def test_times_are_ordered_in_utc():
    morning = dated("utc", date="2026-12-01T06:00Z")
    earlier = dated("cest", date="2026-12-01T07:00+0200")  # 05:00 UTC
    assert order_of(morning, earlier).a.id == "cest"


def test_change_is_newer_minus_older_when_the_newer_is_chosen_first(resolver, areas_frame):
    """The sidebar holds the newer dataset: the comparison is still built older → newer."""
    old = replace(make_dataset("old", CSV_A), date="2021-11")
    new = replace(make_dataset("new", CSV_B), date="2025-03-14")
    order = order_of(new, old)
    c = compare.compare(*(metrics.build_table(d, resolver, areas_frame, level="place") for d in (order.a, order.b)))
    manchester = row(c, "Manchester")
    assert (manchester["networks_a"], manchester["networks_b"], manchester["change"]) == (100, 150, 50)
    frame = compare.csv_frame(c, order)
    assert {"networks_older", "networks_newer", "change_newer_minus_older", "pct_change_from_older"} <= set(
        frame.columns
    )
    assert "networks_a" not in frame.columns
    assert set(frame["dataset_older"]) == {"Dataset old, counted Nov 2021"}
    assert set(frame["dataset_newer"]) == {"Dataset new, counted 14 Mar 2025"}
    assert set(frame["listed"]) == {"both", "only_older", "only_newer"}
    undated = compare.csv_frame(c, order_of(make_dataset("x", CSV_A), old))
    assert {"networks_a", "networks_b", "change_b_minus_a"} <= set(undated.columns)


def test_hostile_dataset_names_stay_one_line_in_the_headline():
    from hostile import CORPUS

    for name, text in CORPUS.items():
        order = order_of(dated("a", date="2020", short=text), dated("b", date="2021", short=text[::-1]))
        line = compare.headline(order, 1, 2)
        assert "\n" not in line and "\u202e" not in line and "\u200b" not in line, name
        assert "\n" not in order.note, name
