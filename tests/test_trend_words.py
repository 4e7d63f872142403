"""geo.pictures.trends.words (and geo.pictures.trends.dates): the finding as a title of at most ten words, the subtitle's
figures, alt text, footnotes and the source line of a trend chart, over series built from real
(in-memory) dated datasets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from atlas_testing import assert_one_line
from hostile import CORPUS
from trend_series import FALLING, monthly_scans, scan_at, upload_at

from geo.core.errors import AtlasError
from geo.core.text import one_line
from geo.datasets.time_order import Dated
from geo.figures.series_vendors import series_for
from geo.pictures.numbers import format_value, signed
from geo.pictures.trends import caption as trend_caption
from geo.pictures.trends import words as trend_words
from geo.pictures.trends.dates import date_range, short_date, since_words

VENDOR_WORDS = {"all": "Hikvision and Dahua", "hikvision": "Hikvision", "dahua": "Dahua"}


@pytest.fixture(scope="module")
def falling(resolver):
    return monthly_scans(resolver, FALLING)


@pytest.fixture(scope="module")
def pair(resolver):
    """Two counts with chosen national totals (Hikvision, Dahua) at chosen dates."""

    def build(start: tuple[int, int], end: tuple[int, int], when=("2026-09-01T06:00:00", "2026-12-01T06:00:00")):
        cities = {"hikvision": {"Manchester": 10}, "dahua": {"Leeds": 5}}
        return [scan_at(resolver, w, cities, {"hikvision": h, "dahua": d}) for w, (h, d) in zip(when, (start, end))]

    return build


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("start", "end", "long", "short"),
    [
        (100, 125, "rose by a quarter", "rose 25%"),
        (150, 100, "fell by a third", "fell 33%"),
        (100, 193, "nearly doubled", "rose 93%"),
        (100, 200, "doubled", "rose 100%"),
        (100, 300, "tripled", "rose 200%"),
        (100, 250, "rose 2.5-fold", "rose 150%"),
        (1000, 500, "halved", "fell 50%"),
        (100, 25, "fell by three-quarters", "fell 75%"),
        (100, 112, "rose 12%", "rose 12%"),
        (1000, 1019, "barely changed", "barely changed"),
        (1000, 980, "barely changed", "barely changed"),
        (100, 97, "fell 3%", "fell 3%"),
        (0, 0, "stayed at zero", "stayed at zero"),
        (0, 40, "rose from zero to 40", "rose from zero to 40"),
    ],
)
def test_change_words(start, end, long, short):
    assert trend_words.change_words(start, end) == (long, short)


def _dated(text: str, precision: str, kind: str = "counted") -> Dated:
    return Dated(kind, datetime.fromisoformat(text).replace(tzinfo=timezone.utc), precision)


def test_dates_read_to_their_precision():
    sep, dec = _dated("2026-09-01", "day"), _dated("2026-12-01", "day")
    assert since_words(sep, dec) == "since September"
    assert since_words(_dated("2025-09-01", "day"), dec) == "since September 2025"
    assert since_words(_dated("2021-11-01", "month", "published"), dec) == "since November 2021"
    assert since_words(_dated("2021-01-01", "year"), dec) == "since 2021"
    assert since_words(_dated("2026-12-01T06:00", "time"), _dated("2026-12-15T06:00", "time")) == "since 1 December"
    assert date_range(sep, dec) == "counted 1 Sep to 1 Dec 2026"
    assert date_range(_dated("2021-11-01", "month", "published"), dec) == "Nov 2021 (published) to 1 Dec 2026 (counted)"
    assert (
        date_range(_dated("2026-12-01T06:00", "time"), _dated("2026-12-01T18:30", "time"))
        == "counted 1 Dec 2026, 06:00 to 18:30 UTC"
    )
    assert short_date(_dated("2021-11-01", "month")) == "Nov 2021" and short_date(sep, year=False) == "1 Sep"


@pytest.mark.parametrize("vendor", ["all", "hikvision", "dahua"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((3000, 1500), (4000, 1625)),  # rising
        ((3000, 1500), (2000, 1000)),  # falling by a third
        ((3000, 1500), (3010, 1500)),  # flat
        ((3000, 1500), (6000, 3000)),  # doubling
        ((3000, 1500), (1500, 750)),  # halving
        ((3000, 1500), (3360, 1680)),  # +12%
    ],
)
def test_national_finding_is_at_most_ten_words_and_states_the_change(pair, resolver, areas_frame, vendor, start, end):
    series = series_for(pair(start, end), resolver, areas_frame, vendor=vendor)
    title = trend_words.finding(series)
    assert words(title) <= trend_words.MAX_TITLE_WORDS, title
    assert VENDOR_WORDS[vendor] in title
    assert "services" in title and "networks" not in title  # a Shodan result is a service, not a network
    assert "UK" in title  # the scans publish a national figure at both ends
    a, b = series.points[0].national, series.points[-1].national
    assert any(w in title for w in trend_words.change_words(a, b)), title
    assert title.endswith("since September") or "since" not in title


@pytest.mark.parametrize("metric", ["per_1k", "per_km2"])
@pytest.mark.parametrize("level", ["lad", "region"])
def test_rates_and_levels_stay_within_ten_words(falling, resolver, areas_frame, metric, level):
    series = series_for(falling, resolver, areas_frame, vendor="all", level=level, metric=metric)
    for focus in [None, *series.units["code"]]:
        assert words(trend_words.finding(series, focus)) <= 10


def test_a_year_apart_names_the_year(pair, resolver, areas_frame):
    series = series_for(
        pair((3000, 1500), (2000, 1000), ("2025-09-01T06:00:00", "2026-01-05T06:00:00")),
        resolver,
        areas_frame,
        vendor="hikvision",
    )
    assert trend_words.finding(series) == "Hikvision services in the UK fell 33% since September 2025"


def test_focus_names_the_area_and_its_own_change(falling, resolver, areas_frame):
    series = series_for(falling, resolver, areas_frame, vendor="hikvision")
    manchester = series.units.index[series.units["name"] == "Manchester"][0]
    start, end = series.values[manchester, 0], series.values[manchester, -1]
    title = trend_words.finding(series, focus=series.units["code"][manchester])
    assert title.startswith("Internet-exposed Hikvision services in Manchester ")
    assert any(w in title for w in trend_words.change_words(start, end)) and title.endswith("since September")
    sub = trend_caption.subtitle(series, focus=series.units["code"][manchester])
    assert sub.startswith(
        f"Manchester: {start:,.0f} to {end:,.0f} Shodan results ({signed((end - start) / start * 100, 0)}%)"
    )
    with pytest.raises(AtlasError) as err:
        trend_words.finding(series, focus="E99999999")
    assert_one_line(err.value, "E99999999", "pick one of its areas")


def test_subtitle_gives_the_national_figures_and_dates(falling, resolver, areas_frame):
    series = series_for(falling, resolver, areas_frame, vendor="all")
    a, b = series.points[0].national, series.points[-1].national
    assert trend_caption.subtitle(series) == (
        f"National: {a:,.0f} to {b:,.0f} Shodan results ({signed((b - a) / a * 100, 0)}%), counted 1 Sep to 1 Dec 2026."
    )


def test_a_break_is_never_read_as_a_change(shipped, falling, resolver, areas_frame):
    two = series_for([shipped, falling[0]], resolver, areas_frame, vendor="all")
    assert not two.comparable
    title = trend_words.finding(two)
    assert title == "Two Hikvision and Dahua counts, made differently: not comparable"
    assert not any(w in title for w in ("rose", "fell", "since", "changed"))
    sub = trend_caption.subtitle(two)
    assert f"{shipped.short_name}, published Nov 2021" in sub and "not comparable" in sub
    # A query change after three comparable counts: the latest starts a new line, with nothing to compare.
    changed = scan_at(
        resolver,
        "2027-01-01T06:00:00",
        {"hikvision": {"Leeds": 3}},
        {"hikvision": 10, "dahua": 5},
        queries={"hikvision": "product:Hikvision,HIKVISION country:GB"},
    )
    latest = series_for([*falling, changed], resolver, areas_frame, vendor="all")
    assert not latest.comparable and words(trend_words.finding(latest)) <= 10
    assert trend_words.finding(latest) == "Latest Hikvision and Dahua count made differently: nothing to compare"


def test_the_last_run_is_read_over_a_break(shipped, falling, resolver, areas_frame):
    series = series_for([shipped, *falling], resolver, areas_frame, vendor="all")
    first, last = series.last_run
    assert first == 1
    a, b = series.points[first].national, series.points[last].national
    assert f"{format_value('networks', a)} to {format_value('networks', b)} Shodan results" in trend_caption.subtitle(
        series
    )
    alt = trend_caption.alt_text(series)
    assert alt.startswith("Line chart of the national figure of Hikvision and Dahua networks then Shodan results")
    assert "breaks once" in alt


def test_without_a_national_figure_the_largest_mover_leads_and_uk_is_never_said(resolver, areas_frame):
    tables = [
        upload_at("2026-09", {"Leeds": 100, "Manchester": 300, "Bristol": 50}),
        upload_at("2026-12", {"Leeds": 90, "Manchester": 150, "Bristol": 55}),
    ]
    series = series_for(tables, resolver, areas_frame)
    assert all(p.national is None for p in series.points)
    title = trend_words.finding(series)
    assert title == "Hikvision and Dahua networks in Manchester halved since September"
    assert "UK" not in title and "National" not in trend_caption.subtitle(series)
    assert "UK" not in trend_caption.alt_text(series, units=list(series.units["code"]))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_names_stay_literal_and_within_ten_words(resolver, areas_frame, name):
    text = CORPUS[name]
    tables = [
        upload_at("2026-09", {"Leeds": 100, "Manchester": 300}, source=one_line(text, 200) or "x"),
        upload_at("2026-12", {"Leeds": 90, "Manchester": 150}, source=one_line(text, 200) or "x"),
    ]
    series = series_for(tables, resolver, areas_frame)
    units = series.units.copy()
    units.loc[units["name"] == "Manchester", "name"] = text  # a saved zip can name an area anything
    hostile = replace(series, units=units)
    title = trend_words.finding(hostile)
    assert words(title) <= 10, title
    assert len(title) <= 160
    shown_name = one_line(text, trend_words.NAME_CHARS)
    if words(shown_name) <= 3:  # a short name is kept whole
        assert shown_name in title
    source = trend_caption.attribution(hostile).source_line
    assert one_line(text, 200) in source or one_line(text, 200) == ""
    for note in trend_caption.footnotes(hostile):
        assert "\n" not in note and "\u202e" not in note


def test_footnotes_keep_breaks_and_sum_gaps_up(shipped, falling, resolver, areas_frame):
    series = series_for([shipped, *falling], resolver, areas_frame, vendor="all")
    notes = trend_caption.footnotes(series)
    (broken,) = [n for n in notes if "breaks before" in n]
    assert "counted 1 Sep 2026" in broken
    assert "Time is to scale within each line, not across a break." in notes
    (gaps,) = [n for n in notes if n.startswith("Gaps are unknowns, not zeros")]
    assert "not in that count's top 8 cities" in gaps and "not listed in that dataset" in gaps
    per_date = [n for n in series.notes if "so unknown, not zero" in n]
    assert len(per_date) >= 2 and not set(per_date) & set(notes)  # the per-date lines are summed up in one
    assert not any(n.startswith("Gaps") for n in trend_caption.footnotes(series, units=()))  # the national line alone
    assert len(notes) <= trend_caption.MAX_NOTES


def test_source_line_names_every_source_and_date(shipped, falling, resolver, areas_frame):
    series = series_for([shipped, *falling], resolver, areas_frame, vendor="all")
    credit = trend_caption.attribution(series)
    assert credit.source_line.startswith(f"Source: {shipped.source_short}, published Nov 2021; ")
    assert f"{falling[0].source_short}, counted 1 Sep, 1 Oct, 1 Nov and 1 Dec 2026" in credit.source_line
    assert "Office for National Statistics" in credit.source_line and "GeoNames" in credit.source_line
    assert credit.credit_line == "Chart: UK Camera Atlas"


def test_user_title_replaces_the_finding_literally(falling, resolver, areas_frame):
    series = series_for(falling, resolver, areas_frame)
    caption = trend_caption.caption(series, title_text=CORPUS["mathtext"], subtitle_text=CORPUS["jinja_expression"])
    assert caption.title == CORPUS["mathtext"] and caption.subtitle == CORPUS["jinja_expression"]


def test_counts_dated_to_the_minute_read_the_same(falling, resolver, areas_frame):
    """Scans may be dated by their ``counted_at`` (time precision): the words do not change."""
    by_day = series_for(falling, resolver, areas_frame, vendor="hikvision")
    timed = [replace(d, date=d.package["scan"]["counted_at"]) for d in falling]
    by_minute = series_for(timed, resolver, areas_frame, vendor="hikvision")
    assert {p.when.precision for p in by_minute.points} == {"time"}
    assert trend_words.finding(by_minute) == trend_words.finding(by_day)
    assert trend_caption.subtitle(by_minute) == trend_caption.subtitle(by_day)
    same_day = [replace(timed[0], id="a"), replace(timed[1], id="b", date="2026-09-01T18:30:00Z")]
    twice = series_for(same_day, resolver, areas_frame, vendor="hikvision")
    assert trend_caption.subtitle(twice).endswith("counted 1 Sep 2026, 06:00 to 18:30 UTC.")
    assert trend_words.finding(twice).endswith("since 06:00 UTC") or "since" not in trend_words.finding(twice)
