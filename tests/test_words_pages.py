"""AppTest, issue 15 items 3, 4 and 6 on the pages: the dropped-names line with its link, words that match
the figure on every page, the fix form's picks, counts named as places or rows, and distinct control labels.

The dataset is a researcher's table of cities without a national figure (``unplaced_table``),
loaded into the session as the Data page loads an upload, with Newport and Bangor left ambiguous.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP
from unplaced_table import LINE, UNPLACED_HIKVISION, UPLOAD_ID, dataset

pytestmark = pytest.mark.usefixtures("app_navigation")

PAGES = [
    "pages/map.py",
    "pages/rankings.py",
    "pages/per_capita.py",
    "pages/compare.py",
    "pages/data.py",
    "pages/about.py",
]
# What a sum of places must never be called (issue 15, item 4), case-insensitive.
FORBIDDEN = ["national total", "uk total", "share of uk", "uk = 100", "uk average", "uk rate", "uk index"]
# Saying there is none, or naming another dataset's published one (Compare), is fine.
ALLOWED = re.compile(r"\b(?:no|without an?|published)\s+national totals?\b")


def with_table(page: str | None = None, **params: str) -> AppTest:
    """The app with the city table uploaded in this session and chosen, on ``page``."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["atlas_uploads"] = {UPLOAD_ID: dataset()}
    at.query_params["dataset"] = UPLOAD_ID
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="f_dataset").value == UPLOAD_ID
    return at


def unescaped(text: str) -> str:
    """Text as the reader sees it (pages escape Markdown with backslashes)."""
    return text.replace("\\", "")


def every_text(at: AppTest) -> list[str]:
    """Everything the page holds, element by element: titles, captions, Markdown, alerts, metric labels, values
    and help, widget labels, options and help, dataframe column labels, chart specs, the map's script."""

    def walk(node):
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                yield from walk(child)
        elif getattr(node, "proto", None) is not None:
            yield " ".join(unescaped(str(node.proto)).split())

    return list(walk(at._tree))


def uk_wording(at: AppTest) -> list[str]:
    found = []
    for text in every_text(at):
        lowered = ALLOWED.sub("", text.lower())
        found += [f"{phrase!r} in {text[:300]!r}" for phrase in FORBIDDEN if phrase in lowered]
    return found


@pytest.mark.parametrize("page", ["pages/map.py", "pages/rankings.py", "pages/per_capita.py"])
def test_pages_showing_totals_say_what_is_not_on_the_map(page: str) -> None:
    at = with_table(page)
    warnings = [unescaped(w.value) for w in at.warning]
    assert f"{LINE} — fix them on the Data page" in warnings, warnings
    links = at.get("page_link")
    assert any(link.proto.label == "Fix the names on the Data page" and link.proto.page == "data" for link in links)


def test_compare_says_which_dataset_has_names_on_no_map() -> None:
    at = with_table("pages/compare.py")
    warnings = [unescaped(w.value) for w in at.warning]
    assert any(
        w.endswith(f"{LINE} — fix them on the Data page") and w.split(":")[0] in ("A (older)", "B (newer)", "A", "B")
        for w in warnings
    ), warnings


def test_the_line_follows_the_vendor() -> None:
    at = with_table("pages/rankings.py", vendor="hikvision")
    assert any(unescaped(w.value).startswith(f"{UNPLACED_HIKVISION:,} networks in 2 names") for w in at.warning)


def test_the_shipped_dataset_has_no_such_line() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not any("not on the map" in w.value for w in at.warning)


@pytest.mark.parametrize("page", PAGES)
def test_no_page_calls_a_sum_of_places_national(page: str) -> None:
    # A chosen place shows the Map's area details (its share and index) too.
    at = with_table(page, place="Leeds", metric="per_1k")
    assert not uk_wording(at), uk_wording(at)


def test_the_map_names_the_total_and_the_details_for_what_they_are() -> None:
    at = with_table("pages/map.py", place="Leeds")
    labels = [m.label for m in at.metric]
    assert "Total of the places counted" in labels and "National total" not in labels
    details = " ".join(unescaped(m.value) for m in at.markdown)
    assert "Share of the places counted" in details and "Index (all places counted = 100)" in details
    per_1k = next(m for m in at.metric if m.label == "Per 1,000 residents")
    assert "the rate across all the places counted" in per_1k.proto.delta


def test_rankings_columns_follow_the_figure() -> None:
    at = with_table("pages/rankings.py")
    columns = str(at.dataframe[0].proto.columns)
    assert "Share of the places counted" in columns and "Index (all places counted = 100)" in columns
    assert "Share of UK total" not in columns and "UK = 100" not in columns


def test_the_shipped_dataset_keeps_its_uk_words() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["place"] = "Manchester"
    at.run()
    assert "National total" in [m.label for m in at.metric]
    assert "Share of UK total" in " ".join(unescaped(m.value) for m in at.markdown)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/rankings.py").run()
    assert "Share of UK total" in str(at.dataframe[0].proto.columns)


# -- the Data page: counts named, picks applied ------------------------------------------


def metrics_shown(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def apply_picks(at: AppTest, picks: dict[str, str]) -> AppTest:
    for name, value in picks.items():
        at.selectbox(key=f"pick_{name}").set_value(value)
    next(b for b in at.get("form_submit_button") if b.label == "Apply my choices").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_match_report_counts_places_names_and_rows() -> None:
    shown = metrics_shown(with_table("pages/data.py"))
    assert shown["Matched"] == ("12 places", "in 24 rows")
    assert shown["Ambiguous"] == ("2 names", "in 4 rows")
    assert shown["National figure"][0] == "none"


def test_newports_first_candidate_and_the_bangor_pick_beside_it_both_apply() -> None:
    at = with_table("pages/data.py")
    newport = at.selectbox(key="pick_Newport")
    assert newport.options[1] == "Newport"  # its first candidate
    apply_picks(at, {"Newport": newport.options[1], "Bangor": "Gwynedd"})
    assert not at.error, [e.value for e in at.error]
    assert metrics_shown(at)["Ambiguous"][0] == "0 names"
    assert metrics_shown(at)["Matched"] == ("14 places", "in 28 rows")
    at.switch_page("pages/map.py").run()
    assert not any("not on the map" in w.value for w in at.warning)


def test_a_refused_pick_is_named_and_the_others_are_applied() -> None:
    """A place typed on the form, or a saved choices file, can name nothing: that one is refused, alone."""
    at = with_table("pages/data.py")
    uploader = next(u for u in at.get("file_uploader") if u.key == "upload_choices")
    uploader.set_value(("choices.csv", b"alias,target\nNewport,Newport\nBangor,Narnia\n", "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [unescaped(e.value) for e in at.error]
    assert len(errors) == 1 and "Narnia" in errors[0] and "the other choice was applied" in errors[0], errors
    assert metrics_shown(at)["Ambiguous"] == ("1 name", "in 2 rows")  # Newport is placed; Bangor waits
    assert at.selectbox(key="pick_Bangor")


# -- item 6: no two sidebar controls share a label ----------------------------------------


def test_the_level_control_is_geography_and_no_two_controls_share_a_label() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    level = at.sidebar.radio(key="f_level")
    assert level.label == "Geography"
    assert list(level.options) == ["Places", "Local authorities", "Regions & nations"]
    labels = [w.label for w in at.sidebar if getattr(w, "label", None)]
    assert "Places" in labels and len(labels) == len(set(labels)), labels


def test_hostile_names_in_the_line_are_shown_as_text() -> None:
    """Unplaced names reach the page as written: Markdown and HTML are escaped, nothing runs."""
    from dataclasses import replace

    from hostile import CORPUS, assert_nothing_ran, new_token, payloads

    from geo.datasets import dataset as datasets

    token = new_token()
    names = [CORPUS["markdown"], CORPUS["html"], payloads(token)["rce_expression"], CORPUS["bidi_override"] + "x"]
    rows = "".join(f'"{name}",{i + 1}\n' for i, name in enumerate(names))
    upload_id = "upload-" + "6" * 16  # its own id: caches are keyed by the id (the app's ids are digests)
    upload = replace(datasets.from_upload(f"place,networks\nLeeds,5\n{rows}".encode(), "hostile.csv"), id=upload_id)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["atlas_uploads"] = {upload_id: upload}
    at.query_params["dataset"] = upload_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    line = next(w.value for w in at.warning if "not on the map" in w.value)
    assert line.startswith("10 networks in 4 names are not on the map")
    assert "\\*\\*bold\\*\\*" in line and "\\[link\\]" in line  # Markdown escaped: printed, not rendered
    assert "\\<script\\>alert" in line  # HTML escaped too
    assert "\u202e" not in line and "u202e" in line
    assert_nothing_ran(token)
