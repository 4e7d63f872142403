"""AppTest: the Compare page (the shipped TOP10VPN figures against the synthetic vendor-split fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "pages/compare.py"
FIXTURE_DATASETS = ROOT / "tests" / "fixtures" / "datasets"
DATASETS_ENV = "CAMERA_ATLAS_DATASETS_DIR"
pytestmark = pytest.mark.usefixtures("app_navigation")


@pytest.fixture
def fixture_datasets(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATASETS_ENV, str(FIXTURE_DATASETS))
    return FIXTURE_DATASETS


def run_compare(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def headings(at: AppTest) -> list[str]:
    return [h.value for h in at.subheader]


def only_lists(at: AppTest) -> dict[str, str]:
    """'Only in A'/'Only in B' -> the markdown list under it."""
    lists = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(lists) == 2, lists
    return {"A": lists[0], "B": lists[1]}


def test_compares_top10vpn_with_the_synthetic_dataset(fixture_datasets: Path) -> None:
    at = run_compare()
    assert at.title[0].value == "Compare datasets"
    chooser = at.selectbox(key="compare_with")
    assert chooser.value == "synthetic-split"
    assert "top10vpn-2021" not in chooser.options  # dataset A is never offered as B
    values = metric_values(at)
    assert values["National total, A → B"] == "277,986 → 1,900"
    assert [m.delta for m in at.metric if m.label == "National total, A → B"] == ["\u2212276,086 (-99.3%)"]
    # Like with like: the areas both datasets list (Manchester only).
    assert values["Over the 1 area both list, A → B"] == "7,436 → 150"
    assert [m.delta for m in at.metric if m.label.startswith("Over the 1 area")] == ["\u22127,286 (-98.0%)"]

    both = at.dataframe[0].value
    assert list(both["name"]) == ["Manchester"]
    manchester = both.iloc[0]
    assert (manchester["networks_a"], manchester["networks_b"], manchester["change"]) == (7436, 150, -7286)
    assert manchester["pct_change"] == pytest.approx((150 - 7436) / 7436 * 100)

    assert {"In both (1)", "Only in A (3)", "Only in B (3)"} <= set(headings(at))
    lists = only_lists(at)
    assert lists["A"].splitlines() == ["- Greater London: 61,504", "- Birmingham: 8,865", "- Liverpool: 4,957"]
    assert lists["B"].splitlines() == ["- Leeds: 110", "- Glasgow City: 80", "- Cardiff: 65"]
    assert any("75,326 networks, not listed in B" in c.value for c in at.caption)

    assert any("different methods" in w.value and "dates" in w.value for w in at.warning)
    assert "Download comparison (CSV)" in [b.label for b in at.get("download_button")]


def test_lad_level_notes_what_cannot_be_compared(fixture_datasets: Path) -> None:
    at = run_compare(level="lad")
    assert list(at.dataframe[0].value["name"]) == ["Manchester"]
    lists = only_lists(at)
    assert "- Greater London: 61,504" in lists["A"]  # one unit: London is not split into boroughs…
    assert any("Greater London" in c.value and "cannot be split" in c.value for c in at.caption)  # …and says so
    assert "- Leeds: 110" in lists["B"]


def test_region_level(fixture_datasets: Path) -> None:
    at = run_compare(level="region")
    both = at.dataframe[0].value
    north_west = both[both["name"] == "North West"].iloc[0]
    assert (north_west["networks_a"], north_west["networks_b"]) == (7436 + 4957, 150)
    assert "- Scotland: 80" in only_lists(at)["B"]


def test_vendor_split_falls_back_to_all_when_one_dataset_lacks_it(fixture_datasets: Path) -> None:
    at = run_compare(dataset="synthetic-split", vendor="hikvision")
    assert at.sidebar.radio(key="f_vendor").value == "hikvision"
    assert at.selectbox(key="compare_with").value == "top10vpn-2021"
    assert any("no vendor split" in i.value and "Hikvision + Dahua" in i.value.replace("\\", "") for i in at.info)
    values = metric_values(at)
    assert values["National total, A → B"] == "1,900 → 277,986"  # both vendors, not Hikvision's 1,000


def test_without_a_second_dataset_the_page_points_to_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATASETS_ENV, raising=False)
    at = run_compare()
    assert any("Upload your own scan on the Data page" in i.value for i in at.info)
    assert not at.dataframe
    assert not at.metric


def test_chosen_places_and_even_class_counts_are_handled(fixture_datasets: Path) -> None:
    at = run_compare(place="Manchester", k="4")  # 4 classes become 5: one is centred on no change
    assert at.sidebar.multiselect(key="f_places").value == ["Manchester"]
    assert list(at.dataframe[0].value["name"]) == ["Manchester"]
