"""geo.pictures.captions: titles that state the finding, subtitles, footnotes, alt text and attribution."""

from __future__ import annotations

import pytest

from geo.datasets import dataset as datasets
from geo.figures import join, metrics
from geo.official.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION
from geo.pictures import captions
from geo.pictures.classes import classify


@pytest.fixture(scope="module")
def build(shipped, resolver, areas_frame):
    def caption(dataset=shipped, level="place", metric="networks", vendor="all", focus_codes=(), **texts):
        table = metrics.build_table(dataset, resolver, areas_frame, vendor=vendor, level=level, rank_by=metric)
        shapes = join.level_shapes(table, areas_frame)
        classes = classify(shapes.loc[shapes["has_data"], metric], "quantiles", 5)
        focus = table.rows[table.rows["code"].isin(join.selected_units(shapes, focus_codes))] if focus_codes else None
        return captions.caption(table, shapes, dataset, metric, classes, focus, **texts)

    return caption


def test_default_title_states_the_finding_and_the_subtitle_its_figures(build):
    caption = build()
    assert caption.title == "Greater London has the most Hikvision and Dahua camera networks"
    assert caption.subtitle.startswith(
        "Greater London: 61,504 networks, 22% of the UK's 277,986. Internet-exposed camera networks"
    )
    per_1k = build(metric="per_1k")
    assert per_1k.title == "Manchester has the most camera networks per resident"
    assert per_1k.subtitle.startswith("Manchester: 13.1 per 1,000 residents, 3.2 times the UK rate.")
    per_km2 = build(metric="per_km2")
    assert per_km2.title == "Manchester has the most camera networks per km²"
    assert per_km2.subtitle.startswith("Manchester: 64.3 per km²")


def test_title_follows_the_chosen_place(build, resolver):
    liverpool = resolver.resolve("Liverpool").lad_codes
    chosen = build(metric="per_1k", focus_codes=liverpool)
    assert chosen.title == "Liverpool has more camera networks per resident than the UK"
    assert chosen.subtitle.startswith(
        "Liverpool: 9.98 per 1,000 residents, 2.4 times the UK rate, ranked 2nd of 4 places."
    )
    assert build(focus_codes=liverpool).title == "Liverpool ranks 4th of 4 places for camera networks"
    both = resolver.resolve("Liverpool").lad_codes + resolver.resolve("Birmingham").lad_codes
    two = build(focus_codes=both)
    assert two.title == "Birmingham has the most camera networks of those chosen"
    assert "Birmingham: 8,865 networks, 3% of the UK's 277,986, the most of the 2 places chosen" in two.subtitle


def test_title_follows_the_vendor(build, resolver, areas_frame):
    split = datasets.from_upload(
        b"place,vendor,networks\nLeeds,hikvision,50\nLeeds,dahua,30\nYork,dahua,70\n", "split.csv"
    )
    assert build(dataset=split, vendor="dahua").title == "York has the most Dahua camera networks"
    assert build(dataset=split, vendor="dahua").subtitle.startswith("York: 70 networks")
    assert "Dahua only" in build(dataset=split, vendor="dahua").subtitle
    assert "Hikvision" not in build(dataset=split, vendor="dahua").title


def test_partly_covered_leader_says_so(build):
    caption = build(level="region", metric="per_1k")
    assert caption.title.startswith("North West has the most")
    assert "in the areas counted" in caption.subtitle  # the figure's qualifier goes with the figure
    hatched = next(n for n in caption.notes if n.startswith("Partly covered"))
    assert "North West 14%" in hatched and "West Midlands 19%" in hatched


def test_subtitle_names_metric_vendor_geography_and_date(build):
    subtitle = build(level="lad", metric="per_km2").subtitle
    assert "per km²" in subtitle and "by local authority" in subtitle and "Hikvision and Dahua combined" in subtitle
    assert "published November 2021" in subtitle and "scan date not stated" in subtitle


def test_footnotes(build):
    notes = build(level="lad").notes
    assert any("Greater London is one area" in n for n in notes)
    assert any("Not on the map: 195,224 of the 277,986" in n for n in notes)
    assert notes[-1] == "Classes: quantiles; grey: no data."
    assert not any("grey" in n for n in build(level="place").notes)  # every place has data


def test_alt_text_describes_the_map(build):
    alt = build(level="lad", metric="per_1k").alt
    assert alt.startswith(
        "Map of the United Kingdom by local authority showing Hikvision and Dahua camera networks per 1,000 residents"
    )
    assert "36 of 361 local authorities have a figure (Greater London's 33 as one area)" in alt
    assert "Highest: Manchester (13.1)" in alt and "lowest: Greater London (6.94)" in alt
    assert (
        "Manchester has the most camera networks per resident (13.1 per 1,000 residents, 3.2 times the UK rate)." in alt
    )


def test_alt_text_counts_a_borough_drawn_over_its_city_once(build):
    # A Shodan city facet gives "London" and "Croydon": Croydon is drawn on top of Greater London.
    csv = b"place,networks\nLondon,900\nCroydon,40\nLeeds,30\n"
    dataset = datasets.Dataset(id="t", title="t", observations=datasets.parse_observations(csv, "t.csv"))
    alt = build(dataset=dataset, level="lad").alt
    assert "34 of 361 local authorities have a figure (Greater London's 33 as one area)" in alt


def test_titles_write_ons_inverted_names_as_headlines_do(build):
    csv = b"place,networks\nBristol,900\nLeeds,30\n"
    dataset = datasets.Dataset(id="t", title="t", observations=datasets.parse_observations(csv, "t.csv"))
    caption = build(dataset=dataset, level="lad")
    assert caption.title.startswith("Bristol has the most Hikvision and Dahua camera networks")
    assert "Highest: Bristol (900)" in caption.alt


def test_written_texts_replace_the_defaults(build):
    caption = build(title_text="  ", subtitle_text="Mine")
    assert caption.title.startswith("Greater London has the most")  # blank means "write it for me"
    assert caption.subtitle == "Mine"


def test_attribution_builder(shipped):
    credit = captions.attribution(shipped)
    assert credit.counts == "TOP10VPN, via The Mail on Sunday"
    assert credit.source_line.startswith("Source: TOP10VPN, via The Mail on Sunday.")
    assert "Open Government Licence v.3.0" in credit.source_line and "GeoNames" in credit.source_line
    assert credit.full_lines[1:3] == (ONS_ATTRIBUTION, GEONAMES_ATTRIBUTION)
    two = captions.attribution(shipped, shipped)
    assert two.counts.startswith("A: TOP10VPN") and "; B: TOP10VPN" in two.counts
