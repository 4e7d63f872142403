"""geo.figures.baseline: a sum of places is never called the UK."""

from __future__ import annotations

import pytest

from geo.figures.baseline import baseline


def test_a_published_national_figure_is_the_uk() -> None:
    words = baseline("dataset")
    assert words.national and words.name == "the UK"
    assert (words.total_label, words.share_label, words.index_label, words.average_label) == (
        "National total",
        "Share of UK total",
        "Index (UK = 100)",
        "UK average",
    )
    assert words.rate_phrase("per_1k") == "the UK rate" and words.rate_phrase("per_km2") == "the UK average"


@pytest.mark.parametrize("metric", ["networks", "per_1k", "per_km2"])
def test_a_sum_of_places_never_says_uk(metric: str) -> None:
    words = baseline("sum of places")
    texts = [
        words.name,
        words.total_label,
        words.share_label,
        words.index_label,
        words.average_label,
        words.rate_phrase(metric),
    ]
    assert not any("UK" in text or "national" in text.lower() for text in texts), texts
    assert words.name == "all the places counted"
