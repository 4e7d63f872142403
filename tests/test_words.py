"""Words that match the figure (issue 15, item 4): a dataset without a national figure has its captions,
footnotes, alt text and command-line header in "all the places counted" words, never the UK's."""

from __future__ import annotations

import pytest
from unplaced_table import dataset

from geo.datasets import dataset as datasets
from geo.figures import join, metrics
from geo.pictures import captions
from geo.pictures.classes import classify

FORBIDDEN = ("national total", "uk total", "share of uk", "uk = 100", "uk average", "uk rate", "uk index", "uk's")


def caption(table: metrics.Table, areas, ds, metric: str) -> captions.Caption:
    shapes = join.level_shapes(table, areas)
    classes = classify(shapes.loc[shapes["has_data"], metric], "quantiles", 5)
    return captions.caption(table, shapes, ds, metric, classes)


def texts(c: captions.Caption) -> list[str]:
    return [c.title, c.subtitle, c.alt, *c.notes]


@pytest.fixture(scope="module")
def spanning():
    """The city table with Bangor chosen as both its places (Wales and Northern Ireland): a count no region
    holds whole, so the region map accounts for less than the places' total."""
    return datasets.with_choices(dataset(), {"Bangor": "Gwynedd + Ards and North Down"})


@pytest.mark.parametrize("level", ["place", "lad", "region"])
@pytest.mark.parametrize("metric", ["networks", "per_1k", "per_km2"])
def test_no_caption_calls_a_sum_of_places_national(spanning, resolver, areas_frame, level: str, metric: str) -> None:
    table = metrics.build_table(spanning, resolver, areas_frame, level=level, rank_by=metric)
    assert table.national_total_source != "dataset"
    for text in texts(caption(table, areas_frame, spanning, metric)):
        assert not [p for p in FORBIDDEN if p in text.lower()], text


def test_the_remainder_footnote_says_all_the_places_counted(spanning, resolver, areas_frame) -> None:
    table = metrics.build_table(spanning, resolver, areas_frame, level="region")
    assert table.unattributed == 1_300  # Bangor's networks, in two nations
    notes = caption(table, areas_frame, spanning, "networks").notes
    assert (
        f"Not on the map: {table.unattributed:,} of the {table.national_total:,} networks counted are in places "
        "no region or nation holds whole."
    ) in notes


def test_a_national_dataset_keeps_its_uk_footnote(shipped, resolver, areas_frame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame)
    notes = caption(table, areas_frame, shipped, "networks").notes
    # The static map's footnote is the interactive map's legend line: one sentence for both.
    assert (
        f"Not on the map: 195,224 of the {table.national_total:,} networks in the UK total have no place in this dataset."
        in notes
    )


def test_the_picture_says_what_is_not_on_it(resolver, areas_frame) -> None:
    table = metrics.build_table(dataset(), resolver, areas_frame)
    notes = caption(table, areas_frame, dataset(), "networks").notes
    assert (
        "Not on the map: 6,090 networks in 2 names that could not be placed (ambiguous, unmatched or conflicting)."
        in notes
    )
