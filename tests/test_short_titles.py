"""Short titles (issue 17, item 3): the map's finding in at most ten words, its figures in the subtitle.

Over every metric, level and vendor of the shipped study, a many-place upload without a
national figure, a researcher's split table and a Shodan count, with no place, one and two
chosen; long real names and the hostile corpus as names. Words are counted as a reader
counts them (whitespace-separated).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hostile import CORPUS
from trend_series import FALLING, scan_at
from unplaced_table import dataset as city_table

from geo.core.text import one_line
from geo.datasets import dataset as datasets
from geo.figures import join, metrics
from geo.figures.baseline import baseline
from geo.figures.vocabulary import LEVEL_UNITS
from geo.pictures import captions
from geo.pictures import finding as map_finding
from geo.pictures.classes import classify
from geo.pictures.numbers import format_value

UK_CLAIMS = re.compile(r"\bUK\b|national", re.IGNORECASE)
LEVELS, METRICS, VENDORS = ("place", "lad", "region"), ("networks", "per_1k", "per_km2"), ("all", "hikvision", "dahua")


def words(text: str) -> int:
    return len(text.split())


def make(dataset, resolver, areas, level, metric, vendor="all", chosen=(), rename=None):
    """The caption, table and finding's subject of one selection (``rename``: {name: new name} in the rows)."""
    table = metrics.build_table(dataset, resolver, areas, vendor=vendor, level=level, rank_by=metric)
    if rename:
        table = replace(table, rows=table.rows.assign(name=table.rows["name"].replace(rename)))
    shapes = join.level_shapes(table, areas)
    classes = classify(shapes.loc[shapes["has_data"], metric], "quantiles", 5)
    codes = [c for place in chosen for c in resolver.resolve(place).lad_codes]
    focus = table.rows[table.rows["code"].isin(join.selected_units(shapes, codes))] if chosen else None
    caption = captions.caption(table, shapes, dataset, metric, classes, focus)
    return caption, table, captions.subject(table, metric, focus)


@pytest.fixture(scope="module")
def many_places(areas_frame):
    """70 local authorities by name, as a researcher's upload (no national figure)."""
    names = sorted({"Leeds", "York", *sorted(areas_frame["name"])[::5][:68]})
    body = "".join(f'"{name}",{100 + 7 * i}\n' for i, name in enumerate(names))
    return datasets.from_upload(f"place,networks\n{body}".encode(), "seventy.csv")


@pytest.fixture(scope="module")
def scan(resolver):
    when, cities, totals = FALLING[-1]
    return scan_at(resolver, when, cities, totals)


def check_selection(dataset, resolver, areas, level, metric, vendor, chosen):
    caption, table, about = make(dataset, resolver, areas, level, metric, vendor, chosen)
    where = (dataset.id, level, metric, vendor, chosen)
    assert 0 < words(caption.title) <= map_finding.MAX_TITLE_WORDS, (where, caption.title)
    assert (
        not re.search(r"\d", caption.title.replace(about.name, "") if about else caption.title)
        or "ranks" in caption.title
    ), (where, caption.title)  # figures live in the subtitle (a rank's ordinal excepted)
    if about is not None:
        assert caption.subtitle.startswith(f"{about.name}: {format_value(metric, about.row[metric])}"), (
            where,
            caption.subtitle,
        )
        if about.rank > 1:
            assert f"of {about.of:,} {LEVEL_UNITS[level][1]}" in caption.subtitle
    if not baseline(table.national_total_source).national:
        for text in (caption.title, caption.subtitle):
            assert not UK_CLAIMS.search(text), (where, text)
    return caption


@pytest.mark.parametrize("level", LEVELS)
def test_every_selection_of_the_shipped_study_fits_ten_words(shipped, resolver, areas_frame, level):
    for metric in METRICS:  # the study counts both vendors together: vendor "all" only
        for chosen in ((), ("Liverpool",), ("Liverpool", "Birmingham")):
            caption = check_selection(shipped, resolver, areas_frame, level, metric, "all", chosen)
            assert "networks" in caption.title


@pytest.mark.parametrize("level", LEVELS)
def test_a_many_place_upload_without_a_national_figure(many_places, resolver, areas_frame, level):
    for metric in METRICS:
        for chosen in ((), ("Leeds",), ("Leeds", "York")):
            check_selection(many_places, resolver, areas_frame, level, metric, "all", chosen)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_split_table_without_a_national_figure(resolver, areas_frame, vendor):
    for level in LEVELS:
        for metric in METRICS:
            for chosen in ((), ("Leeds",)):
                check_selection(city_table(), resolver, areas_frame, level, metric, vendor, chosen)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_shodan_count_says_services_not_camera_networks(scan, resolver, areas_frame, vendor):
    for level in LEVELS:
        for metric in METRICS:
            for chosen in ((), ("Manchester",)):
                caption = check_selection(scan, resolver, areas_frame, level, metric, vendor, chosen)
                assert "networks" not in caption.title, caption.title
                assert "services" in caption.subtitle
                for text in (caption.title, caption.subtitle, caption.alt):
                    assert "camera networks" not in text, text
                if metric == "networks":
                    assert "Shodan results" in caption.subtitle


def test_a_single_chosen_city_gets_its_own_finding(many_places, resolver, areas_frame):
    caption, table, about = make(many_places, resolver, areas_frame, "lad", "per_1k", chosen=("Leeds",))
    assert about.chosen == 1 and about.name == "Leeds"
    assert caption.title.startswith("Leeds ")
    ratio = about.row["per_1k"] / table.uk_rates["per_1k"]
    expected = "more" if ratio >= 1.15 else "fewer" if ratio <= 0.85 else "about average"
    assert expected in caption.title and "UK" not in caption.title
    assert "the rate across all the places counted" in caption.subtitle
    count, _, about = make(many_places, resolver, areas_frame, "lad", "networks", chosen=("Leeds",))
    assert count.title.startswith(f"Leeds ranks {map_finding.ordinal(about.rank)}") or about.rank == 1


def test_a_national_figure_is_named_the_uk(shipped, resolver, areas_frame):
    caption, table, _ = make(shipped, resolver, areas_frame, "place", "networks")
    assert f"of the UK's {table.national_total:,}" in caption.subtitle
    rate, _, _ = make(shipped, resolver, areas_frame, "place", "per_1k", chosen=("Liverpool",))
    assert rate.title.endswith("than the UK") and "the UK rate" in rate.subtitle


@pytest.mark.parametrize(
    "name",
    ["Armagh City, Banbridge and Craigavon", "Yorkshire and The Humber", "Dumfries and Galloway", "Na h-Eileanan Siar"],
)
def test_long_real_names_are_kept_whole(shipped, resolver, areas_frame, name):
    for metric in METRICS:
        for chosen in ((), ("Liverpool",), ("Liverpool", "Birmingham")):
            caption, _, about = make(
                shipped,
                resolver,
                areas_frame,
                "place",
                metric,
                chosen=chosen,
                rename={"Liverpool": name, "Greater London": name},
            )
            assert words(caption.title) <= map_finding.MAX_TITLE_WORDS, caption.title
            if about.name == name:
                assert name in caption.title and "…" not in caption.title, caption.title


@pytest.mark.parametrize("key", sorted(CORPUS))
def test_hostile_names_stay_literal_and_within_ten_words(shipped, resolver, areas_frame, key):
    text = CORPUS[key]
    for metric in METRICS:
        for chosen in ((), ("Liverpool",)):
            caption, _, about = make(
                shipped,
                resolver,
                areas_frame,
                "place",
                metric,
                chosen=chosen,
                rename={"Liverpool": text, "Greater London": text},
            )
            assert words(caption.title) <= map_finding.MAX_TITLE_WORDS, caption.title
            assert "\u202e" not in caption.title + caption.subtitle + caption.alt
            shown = one_line(text, map_finding.NAME_CHARS)
            if about.row["name"] == text and words(shown) <= 3:  # a short name is kept whole, as written
                assert shown in caption.title and caption.subtitle.startswith(f"{shown}: ")


def test_a_name_too_long_for_any_wording_is_cut_with_an_ellipsis():
    name = "one two three four five six seven eight nine ten eleven"
    title = map_finding.fit(
        [lambda x: f"{x} has the most camera networks", lambda x: f"{x}: most camera networks"], name
    )
    assert title == "one two three four five six seven…: most camera networks"
    assert words(title) == map_finding.MAX_TITLE_WORDS


def test_ordinals():
    assert [map_finding.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]
