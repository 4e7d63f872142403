"""The Map page's heading and metric labels, and the Rankings and Per capita labels, say what the dataset
counts: a study's camera networks, a Shodan count's services (Shodan results), never "camera networks"
for a count of services (geo.pictures.finding.counted_words)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP
from trend_series import scan_at

from geo.figures.vocabulary import METRIC_LABELS, METRICS, VENDOR_PHRASES
from geo.pictures.finding import counted_words

pytestmark = pytest.mark.usefixtures("app_navigation")

SCAN_ID = "upload-0000000000c0a7ed"  # its own id: cached views are keyed by id
CITIES = {"hikvision": {"London": 900, "Manchester": 300, "Leeds": 120}, "dahua": {"London": 400, "Leeds": 80}}
TOTALS = {"hikvision": 2100, "dahua": 900}


@pytest.fixture(scope="module")
def count(resolver):
    return replace(scan_at(resolver, "2026-11-02T06:00", CITIES, TOTALS), id=SCAN_ID)


def open_page(page: str | None, dataset=None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if dataset is not None:
        at.session_state["atlas_uploads"] = {dataset.id: dataset}
        at.query_params["dataset"] = dataset.id
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_a_study_keeps_its_words() -> None:
    words = counted_words(None, "all")
    assert words.heading == f"{VENDOR_PHRASES['all']} camera networks in the UK"
    assert [words.metric_label(m) for m in METRICS] == [METRIC_LABELS[m] for m in METRICS]
    assert words.metric_words("networks") == "camera networks"


@pytest.mark.parametrize("vendor", ["all", "hikvision", "dahua"])
def test_a_count_says_results_never_camera_networks(count, vendor) -> None:
    words = counted_words(count, vendor)
    assert words.heading == f"Internet-exposed {VENDOR_PHRASES[vendor]} services in the UK"
    labels = [words.metric_label(m) for m in METRICS]
    assert labels == ["Shodan results", "Shodan results per 1,000 residents", "Shodan results per km²"]
    assert not any("network" in text.lower() for text in [words.heading, *labels])
    assert words.metric_words("per_km2") == "Shodan results per km²"


def test_the_map_page_of_a_study_says_camera_networks() -> None:
    at = open_page(None, place="Manchester")
    assert at.title[0].value == f"{VENDOR_PHRASES['all']} camera networks in the UK"
    assert METRIC_LABELS["networks"] in [m.label for m in at.metric]


def test_the_map_page_of_a_count_says_shodan_results(count) -> None:
    at = open_page(None, count, place="Leeds", vendor="hikvision")
    assert at.title[0].value == "Internet-exposed Hikvision services in the UK"
    labels = [m.label for m in at.metric]
    assert "Shodan results" in labels  # the chosen area's count
    assert not any("network" in label.lower() for label in labels)
    assert at.caption[0].value.startswith("Shodan results · Places")
    total = next(m for m in at.metric if m.label == "National total")
    assert total.proto.help.startswith("Shodan results in the UK")


def test_rankings_and_per_capita_of_a_count_say_shodan_results(count) -> None:
    at = open_page("pages/rankings.py", count)
    assert at.caption[0].value.startswith("Ranked by Shodan results (change the metric")
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["networks"]["label"] == "Shodan results"
    assert columns["rank"]["help"] == "By Shodan results; ties share a rank"
    assert "Shodan results" in at.get("vega_lite_chart")[0].proto.spec
    at = open_page("pages/per_capita.py", count)
    specs = " ".join(chart.proto.spec for chart in at.get("vega_lite_chart"))
    assert "Shodan results per 1,000 residents" in specs and "Networks per 1,000 residents" not in specs
    caption = next(c.value for c in at.caption if "per 1,000 residents" in c.value)
    assert "Shodan results per 1,000 residents" in caption and "networks" not in caption.lower()
