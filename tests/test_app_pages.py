"""AppTest: every page renders and every sidebar control changes the view and the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.usefixtures("app_navigation")
PAGES = ["pages/map.py", "pages/rankings.py", "pages/per_capita.py", "pages/data.py", "pages/about.py"]


def run_app(page: str | None = None, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def param(at: AppTest, key: str) -> list[str]:
    """A URL parameter as a list (AppTest gives single values as plain strings)."""
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(page: str) -> None:
    at = run_app(page)
    assert at.title, f"{page} has no title"
    assert not at.error, [e.value for e in at.error]


def test_map_headline_figures_come_from_the_dataset() -> None:
    at = run_app()
    values = metric_values(at)
    assert values["National total"] == "277,986"
    assert values["In mapped places"] == "82,762"  # London + Birmingham + Manchester + Liverpool
    assert values["Not attributed to a mapped area"] == "195,224"
    labels = [b.label for b in at.get("download_button")]
    assert {"CSV", "GeoJSON"} <= set(labels)
    assert not any(label.startswith("Download PNG") for label in labels)  # nothing drawn before it is asked for


def test_snapshot_is_drawn_on_request_with_its_alt_text() -> None:
    at = run_app(metric="per_1k")
    assert at.text_input[0].value == "Manchester has the most camera networks per resident"
    next(b for b in at.button if b.label == "Create the snapshot").click().run()
    assert not at.exception and not at.error
    assert "Download PNG image" in [b.label for b in at.get("download_button")]
    assert any(m.value.startswith("**Alt text**") for m in at.markdown)
    at.radio(key="snap_format").set_value("svg").run()  # another format: asked for again
    assert "Download SVG" not in [b.label for b in at.get("download_button")]


def test_level_control_changes_view_and_url() -> None:
    at = run_app()
    at.sidebar.radio(key="f_level").set_value("lad").run()
    assert not at.exception
    assert param(at, "level") == ["lad"]
    assert metric_values(at)["In mapped local authorities"] == "82,762"  # London as one unit of its own
    assert any("cannot be split" in i.value for i in at.info)
    at.sidebar.radio(key="f_level").set_value("region").run()
    assert metric_values(at)["In mapped regions and nations"] == "82,762"


def test_metric_control_reranks_and_sets_url() -> None:
    at = run_app("pages/rankings.py")
    frame = at.dataframe[0].value
    assert frame.iloc[0]["name"] == "Greater London"
    at.sidebar.radio(key="f_metric").set_value("per_1k").run()
    assert param(at, "metric") == ["per_1k"]
    frame = at.dataframe[0].value
    assert frame.iloc[0]["name"] == "Manchester"  # 7,436 / 568,996 residents is the highest rate


def test_places_control_filters_rankings_and_sets_url() -> None:
    at = run_app("pages/rankings.py")
    assert len(at.dataframe[0].value) == 4
    at.sidebar.multiselect(key="f_places").set_value(["Manchester", "Liverpool"]).run()
    assert not at.exception
    assert param(at, "place") == ["Manchester", "Liverpool"]
    assert set(at.dataframe[0].value["name"]) == {"Manchester", "Liverpool"}


def test_classification_controls_set_url() -> None:
    at = run_app()
    at.sidebar.selectbox(key="f_scheme").set_value("equal_interval").run()
    at.sidebar.slider(key="f_k").set_value(4).run()
    assert not at.exception
    assert param(at, "scheme") == ["equal_interval"]
    assert param(at, "k") == ["4"]


def test_dataset_and_vendor_controls() -> None:
    at = run_app()
    dataset = at.sidebar.selectbox(key="f_dataset")
    assert dataset.value == "top10vpn-2021"
    vendor = at.sidebar.radio(key="f_vendor")
    assert vendor.value == "all"
    assert vendor.disabled  # combined-only dataset: no vendor split to choose
    assert any("no vendor split" in c.value for c in at.sidebar.caption)


def test_url_reopens_the_same_view() -> None:
    at = run_app("pages/rankings.py", level="region", metric="per_km2", place=["Liverpool"])
    assert at.sidebar.radio(key="f_level").value == "region"
    assert at.sidebar.radio(key="f_metric").value == "per_km2"
    assert at.sidebar.multiselect(key="f_places").value == ["Liverpool"]
    assert list(at.dataframe[0].value["name"]) == ["North West"]


def test_mangled_url_falls_back_to_defaults() -> None:
    at = run_app(level="county", metric="<script>", vendor="sony", k="lots")
    assert at.sidebar.radio(key="f_level").value == "place"
    assert at.sidebar.radio(key="f_metric").value == "networks"
    assert at.sidebar.slider(key="f_k").value == 5


def test_vendor_in_url_on_combined_dataset_is_all() -> None:
    at = run_app(vendor="hikvision")
    assert at.sidebar.radio(key="f_vendor").value == "all"
    assert metric_values(at)["National total"] == "277,986"


def test_per_capita_sets_published_rates_beside_computed() -> None:
    at = run_app("pages/per_capita.py")
    comparison = at.dataframe[-1].value
    manchester = comparison[comparison["place"] == "Manchester"].iloc[0]
    assert manchester["published_per_1k"] == pytest.approx(13.67)
    assert manchester["computed_per_1k"] == pytest.approx(7436 / 568996 * 1000)
    assert any("Why they differ" in c.value for c in at.caption)


def test_data_page_shows_provenance_and_match_report() -> None:
    at = run_app("pages/data.py")
    report = at.dataframe[0].value
    assert len(report) == 5
    assert set(report["status"]) == {"matched"}
    assert metric_values(at)["National figure"] == "1 row"
    assert metric_values(at)["Matched"] == "4 places"


def test_snapshot_follows_the_classification_choice() -> None:
    from pages import loaders

    at = run_app(scheme="equal_interval", k="3", metric="per_1k")
    chosen = at.session_state["atlas_selection"]
    assert (chosen.scheme, chosen.k, chosen.metric) == ("equal_interval", 3, "per_1k")
    shot = loaders.make_snapshot.__wrapped__(chosen, "svg", "", "", "social")
    # The shipped data has four places: five or fewer are labelled with their values, not classed
    # (tests/test_snapshot_sizes.py checks that a classification reaches a map of more units).
    assert not any("Classes:" in note for note in shot.caption.notes)
    assert "equal interval" not in shot.data.decode("utf-8").lower()
    assert 'viewBox="0 0 600 600"' in shot.data.decode("utf-8")  # the size chosen reaches the picture


def test_area_details_follow_the_first_place_chosen() -> None:
    at = run_app(place=["Liverpool", "Manchester"], metric="per_1k")
    names = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**Liverpool**" in names  # chosen first, although Manchester comes first in the data
    assert not any(w for w in at.warning)
    at = run_app(place=["Leeds"])
    assert any("No figure for Leeds" in w.value for w in at.warning)  # offered, but not silently ignored
