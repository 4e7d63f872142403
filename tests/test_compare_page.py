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
    assert values["National total, older → newer"] == "277,986 → 1,900"
    assert [m.delta for m in at.metric if m.label == "National total, older → newer"] == ["\u2212276,086 (-99.3%)"]
    # Like with like: the areas both datasets list (Manchester only).
    assert values["Over the 1 area both list, older → newer"] == "7,436 → 150"
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
    # Both vendors, not Hikvision's 1,000; and in time order: TOP10VPN (2021) is A, the 2026 fixture B.
    assert values["National total, older → newer"] == "277,986 → 1,900"


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


# -- time order: a dated upload against the 2021 study ----------------------------------------

# A researcher's 2025 count: London lower than TOP10VPN's 61,504, the other three cities higher.
DATED_TABLE = (
    b"place,networks,source,date\n"
    b"London,44763,My Shodan scan,2025-03-14\nBirmingham,30000,My Shodan scan,2025-03-14\n"
    b"Manchester,20000,My Shodan scan,2025-03-14\nLiverpool,12333,My Shodan scan,2025-03-14\n"
    b"Leeds,5100,My Shodan scan,2025-03-14\nBristol,4200,My Shodan scan,2025-03-14\n"
)
UPLOAD_ID = "upload-0123456789abcdef"


def with_dated_upload(date: str) -> AppTest:
    """The table as the Data page keeps an upload (``datasets.from_upload``, with the date the page
    asks for), in this session's uploads and chosen in the sidebar: it is the sidebar's dataset."""
    from dataclasses import replace

    from geo.datasets import dataset as datasets

    upload = replace(datasets.from_upload(DATED_TABLE, "city_counts_2025.csv"), id=UPLOAD_ID, date=date)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["atlas_uploads"] = {UPLOAD_ID: upload}
    at.query_params["dataset"] = UPLOAD_ID
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="f_dataset").value == UPLOAD_ID  # the sidebar holds the upload
    assert at.selectbox(key="compare_with").value == "top10vpn-2021"
    return at


def headline(at: AppTest) -> str:
    lines = [m.value.replace("\\", "") for m in at.markdown if "→" in m.value]
    assert len(lines) == 1, lines
    return lines[0].strip("*")


def test_a_2025_upload_against_the_2021_study_reads_older_to_newer() -> None:
    at = with_dated_upload("2025-03-14")
    # Whatever the label says, the figure reads from 2021 to 2025 (today: "107,096 → 82,762").
    shared = {m.label: m.value for m in at.metric if m.label.startswith("Over the 4 areas both list")}
    assert list(shared.values()) == ["82,762 → 107,096"], shared
    both = at.dataframe[0].value.set_index("name")
    london = both.loc["Greater London"]
    # Change is newer minus older: London fell from 61,504 (2021) to 44,763 (2025), not +37.4%.
    assert (london["networks_a"], london["networks_b"], london["change"]) == (61504, 44763, 44763 - 61504)
    assert london["pct_change"] == pytest.approx((44763 - 61504) / 61504 * 100)
    line = headline(at)
    assert line.startswith("TOP10VPN, via The Mail on Sunday, published Nov 2021: 82,762 → "), line
    assert line.endswith(", counted 14 Mar 2025: 107,096, +29.4%"), line
    assert list(shared) == ["Over the 4 areas both list, older → newer"]
    assert "National total, older → newer" not in metric_values(at)  # the upload has no national figure
    assert any(c.value.replace("\\", "").startswith("In time order: A is the older") for c in at.caption)
    assert any("A (older)" in c.value and "B (newer)" in c.value for c in at.caption)


def test_an_undated_upload_keeps_the_chosen_order_and_says_so() -> None:
    at = with_dated_upload("not stated")
    line = headline(at)
    name = at.session_state["atlas_uploads"][UPLOAD_ID].short_name  # its source, else its title
    assert line.startswith(f"{name}, date not stated: 107,096 → TOP10VPN"), line
    assert line.endswith("(dates unknown: A → B as chosen)"), line
    assert metric_values(at)["Over the 4 areas both list, A → B as chosen"] == "107,096 → 82,762"
    notes = [i.value.replace("\\", "") for i in at.info if "Dates unknown" in i.value.replace("\\", "")]
    assert len(notes) == 1 and "\n" not in notes[0] and "A is undated" not in notes[0], notes
    assert notes[0].startswith("Dates unknown: A → B as chosen")
    assert not any("older" in c.value for c in at.caption)  # no time order claimed


def test_an_upload_from_the_same_month_is_not_put_in_order() -> None:
    at = with_dated_upload("2021-11-20")  # TOP10VPN says only "November 2021"
    assert headline(at).endswith("(same date: A → B as chosen)")
    assert any(i.value.replace("\\", "").startswith("Same date:") for i in at.info)
