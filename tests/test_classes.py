"""geo.pictures.classes: class breaks, colours and labels shared by both renderers (real mirrored ONS data)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from geo.core.errors import AtlasError
from geo.figures import join, metrics
from geo.figures.vocabulary import LEVELS, METRICS, SCHEME_LABELS
from geo.pictures.classes import Classes, classify
from geo.pictures.palettes import NO_DATA_COLOR, diverging_palette, palette

HEX = re.compile(r"^#[0-9a-f]{6}$")


@pytest.fixture(scope="module")
def areas(areas_frame):
    return areas_frame  # the session's prepared areas (tests/conftest.py)


@pytest.fixture(scope="module")
def dataset(shipped):
    return shipped


@pytest.fixture(scope="module")
def shapes(areas, resolver, dataset):
    """level -> joined shapes."""
    return {
        level: join.level_shapes(metrics.build_table(dataset, resolver, areas, level=level), areas) for level in LEVELS
    }


def values_of(frame, metric):
    return frame.loc[frame["has_data"], metric]


def check_classes(classes: Classes) -> None:
    assert len(classes.bins) == len(classes.colors) == len(classes.labels) >= 1
    assert list(classes.bins) == sorted(classes.bins)
    assert all(HEX.match(c) for c in classes.colors)
    assert len(set(classes.colors)) == len(classes.colors)
    assert NO_DATA_COLOR not in classes.colors
    assert all(label.strip() for label in classes.labels)


# -- classify --------------------------------------------------------------------------------


def test_schemes_are_the_three_documented():
    assert SCHEME_LABELS == {
        "quantiles": "Quantiles",
        "natural_breaks": "Natural breaks (Fisher-Jenks)",
        "equal_interval": "Equal interval",
    }


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
def test_classify_many_values(scheme, areas):
    values = areas["population"] / 1000  # 361 real, distinct rates-like values
    classes = classify(values, scheme, k=5)
    check_classes(classes)
    assert len(classes.bins) == 5
    assert classes.scheme == scheme
    assert math.isclose(classes.bins[-1], float(values.max()))
    # Every value falls in a class and the lowest value in the first.
    assert classes.color_for(float(values.min())) == classes.colors[0]
    assert classes.color_for(float(values.max())) == classes.colors[-1]


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
def test_classify_fewer_distinct_values_than_k(scheme):
    classes = classify([7436, 4957, 8865], scheme, k=5)
    check_classes(classes)
    assert len(classes.bins) == 3
    # Three values, three classes: each value its own colour.
    assert len({classes.color_for(v) for v in (4957, 7436, 8865)}) == 3
    # Counts: whole numbers with thousands separators.
    assert classes.labels[0].startswith("4,957")
    assert classes.labels[-1].endswith("8,865")
    assert all("." not in label for label in classes.labels)


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
def test_classify_shipped_dataset_every_level_and_metric(scheme, shapes):
    for frame in shapes.values():
        for metric in METRICS:
            values = values_of(frame, metric)
            classes = classify(values, scheme, k=5)
            check_classes(classes)
            assert len(classes.bins) <= values.nunique()
            for value in values:
                assert classes.color_for(value) in classes.colors


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
def test_classify_one_value(scheme):
    classes = classify([5.0, 5.0, float("nan")], scheme)
    check_classes(classes)
    assert classes.bins == (5.0,)
    assert classes.labels == ("5",)
    assert classes.color_for(5) == classes.colors[0]


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
@pytest.mark.parametrize("values", [[], [float("nan"), None], np.array([np.nan])])
def test_classify_no_values_gives_no_class(scheme, values):
    classes = classify(values, scheme)
    assert classes.bins == classes.colors == classes.labels == ()
    assert classes.color_for(None) == NO_DATA_COLOR
    assert classes.color_for(5) == NO_DATA_COLOR


@pytest.mark.parametrize("scheme", list(SCHEME_LABELS))
def test_classify_ignores_nan_and_none(scheme):
    clean = classify([1.5, 2.25, 3.0, 10.0, 12.5, 40.0], scheme, k=3)
    dirty = classify([1.5, None, 2.25, float("nan"), 3.0, 10.0, np.nan, 12.5, 40.0], scheme, k=3)
    assert clean == dirty


def test_natural_breaks_is_deterministic(areas):
    values = areas["area_km2"]
    assert classify(values, "natural_breaks", 6) == classify(values, "natural_breaks", 6)


def test_rate_labels_use_decimals_that_tell_breaks_apart():
    classes = classify([0.68, 0.81, 1.47, 1.65, 6.94], "quantiles", k=5)
    assert all("." in label for label in classes.labels)
    # Breaks fall between one class's largest value and the next class's smallest, as short as that allows.
    # 0.68 is under 0.8, 0.81 in 0.8 to under 1.3, … 6.94 in 3.0 and over.
    assert classes.labels == ("under 0.8", "0.8 to under 1.3", "1.3 to under 1.6", "1.6 to under 3.0", "3.0 and over")


def test_zero_is_a_class_colour_not_no_data():
    classes = classify([0, 0, 3, 10, 250], "quantiles", k=4)
    assert classes.color_for(0) == classes.colors[0]
    assert classes.color_for(0) != NO_DATA_COLOR


def test_unknown_scheme_is_a_one_line_atlas_error():
    with pytest.raises(AtlasError) as info:
        classify([1, 2, 3], "jenks-ish")
    message = str(info.value)
    assert "\n" not in message and "quantiles" in message


@pytest.mark.parametrize("k", [0, 10, -1])
def test_bad_k_is_an_atlas_error(k):
    with pytest.raises(AtlasError):
        classify([1, 2, 3], "quantiles", k=k)


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, "n/a", float("inf")])
def test_color_for_missing_is_no_data(missing):
    classes = classify([1, 2, 3, 4, 5])
    assert classes.color_for(missing) == NO_DATA_COLOR


def test_no_data_colour_differs_from_every_palette_colour():
    for k in range(1, 10):
        assert NO_DATA_COLOR not in palette(k)


@pytest.mark.parametrize("k", range(1, 8))
def test_first_class_stands_apart_from_the_page(k):
    # ColorBrewer's palest yellows nearly vanish on white: never the first class the app offers.
    first = palette(k)[0]
    assert first not in ("#ffffb2", "#ffffcc", "#ffeda0")
    red, green, blue = (int(first[i : i + 2], 16) for i in (1, 3, 5))
    assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 235  # visibly darker than white


def test_palette_is_colorbrewer_ylorrd_via_branca():
    from branca.utilities import color_brewer

    assert palette(5) == tuple(color_brewer("YlOrRd", 6)[1:])
    assert diverging_palette(5) == tuple(reversed(color_brewer("PuOr", 5)))


def test_color_for_clips_values_outside_the_breaks():
    classes = classify([10, 20, 30, 40], "equal_interval", k=2)
    assert classes.color_for(-5) == classes.colors[0]
    assert classes.color_for(1e9) == classes.colors[-1]
