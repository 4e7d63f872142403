"""AppTest: the Per capita page names its average by what the dataset has (the UK's, or that of all the
places counted), shows a rate the source did not publish as "–", and draws whole area names."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP

pytestmark = pytest.mark.usefixtures("app_navigation")

PAGE = "pages/per_capita.py"
UPLOAD_ID = "upload-000000000000ca01"  # its own id: cached views are keyed by id
# A researcher's table: a sum of places (no national figure), with two of Comparitech's cities
# whose per-square-mile rates were not published (Preston, Leicester) and a long LAD name.
CITIES = (
    b"place,networks\nLondon,44763\nBirmingham,30000\nManchester,20000\nLiverpool,12333\n"
    b"Kingston upon Hull,6100\nPreston,2900\nLeicester,3000\nBournemouth,1500\n"
)
# What only a national figure may be called: never said of a sum of places ("no national total" is fine).
NATIONAL_WORDS = re.compile(r"UK (average|rate|total|= 100)|UK-average|share of (the )?UK|(?<!no )national total", re.I)


def per_capita(upload: bool) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if upload:
        from geo.datasets import dataset as datasets

        table = replace(datasets.from_upload(CITIES, "cities_2025.csv"), id=UPLOAD_ID)
        at.session_state["atlas_uploads"] = {UPLOAD_ID: table}
        at.query_params["dataset"] = UPLOAD_ID
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def page_text(at: AppTest) -> list[str]:
    """Every text the page shows: headings, captions, notes, table headings and help, chart specs."""
    texts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info", "warning") for e in at.get(kind)]
    texts += [frame.proto.columns for frame in at.dataframe]
    texts += [chart.proto.spec for chart in at.get("vega_lite_chart")]
    return [t.replace("\\", "") for t in texts]


def test_a_sum_of_places_is_never_called_the_uks() -> None:
    at = per_capita(upload=True)
    texts = page_text(at)
    said = [m.group(0) for t in texts for m in NATIONAL_WORDS.finditer(t) if "Comparitech, Which of" not in t]
    assert said == [], said
    assert any("Average of the places counted:" in t for t in texts)
    assert "Index against all the places counted" in [s.value for s in at.subheader]
    index = json.loads(at.dataframe[0].proto.columns)["index_uk"]
    assert index["label"] == "Index (all places counted = 100)"
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert all("Average of the places counted" in spec for spec in specs)  # each dashed line's tooltip


def test_a_national_dataset_is_set_against_the_uk() -> None:
    at = per_capita(upload=False)
    texts = page_text(at)
    assert any(t.startswith("Places · TOP10VPN") and "UK average:" in t for t in texts)
    assert json.loads(at.dataframe[0].proto.columns)["index_uk"]["label"] == "Index (UK = 100)"
    assert "Index against the UK" in [s.value for s in at.subheader]


def test_a_rate_not_published_reads_as_a_dash_not_none() -> None:
    at = per_capita(upload=True)
    published = at.dataframe[-1]
    frame = published.value.set_index("place")
    assert {"Preston", "Leicester", "Manchester"} <= set(frame.index)
    assert pd.isna(frame.loc["Preston", "published_per_km2"])  # not published, and the column stays numeric
    assert frame["published_per_km2"].dtype == float
    assert published.proto.placeholder == "\u2013"  # what the grid shows for it (Streamlit's default: "None")
    assert any(c.value.startswith("\u2013: not published by Comparitech") for c in at.caption)


def test_bars_draw_whole_names() -> None:
    at = per_capita(upload=True)
    bars = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    y = bars["layer"][0]["encoding"]["y"]
    assert y["axis"]["labelLimit"] == 0 and y["axis"]["labelOverlap"] is False
