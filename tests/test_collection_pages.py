"""AppTest: the sidebar lists every dataset with its date, newest first (collections and this
session's own); the Data page names unreadable folders and opens several saved zips at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import monthly_scans
import pytest
from atlas_testing import SHIPPED_ID
from monthly_scans import FOLDERS, STARTS
from streamlit.testing.v1 import AppTest
from test_app_pages import APP
from test_data_page import DATA_PAGE, shown_errors

from geo.datasets import folders as dataset_folders

pytestmark = pytest.mark.usefixtures("app_navigation")
TOP10VPN_LABEL = "TOP10VPN, via The Mail on Sunday · published Nov 2021"


def _app(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _scan_label(month: str) -> str:
    start = STARTS[month]
    return f"Shodan count API (results: services, not cameras) · counted {start.day} {start:%b %Y %H:%M} UTC"


@pytest.fixture
def with_collection(monkeypatch: pytest.MonkeyPatch, monthly_collection: Path) -> Path:
    monkeypatch.setenv(dataset_folders.DATASETS_ENV, str(monthly_collection))
    return monthly_collection


def test_the_sidebar_lists_every_scan_with_its_date_newest_first(with_collection: Path) -> None:
    at = _app()
    picker = at.sidebar.selectbox(key="f_dataset")
    newest_first = sorted(STARTS, key=STARTS.__getitem__, reverse=True)
    assert list(picker.options) == [_scan_label(m) for m in newest_first] + [TOP10VPN_LABEL]
    assert picker.value == SHIPPED_ID  # the default dataset stays the default


def test_a_link_to_a_scan_opens_it(with_collection: Path) -> None:
    at = _app("pages/rankings.py", dataset=FOLDERS["2026-11"], vendor="hikvision")
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="f_dataset").value == FOLDERS["2026-11"]
    assert at.query_params["dataset"] in (FOLDERS["2026-11"], [FOLDERS["2026-11"]])
    rows = at.dataframe[0].value
    expected = monthly_scans.facet("2026-11", "hikvision")
    assert dict(zip(rows["name"], rows["networks"]))["Birmingham"] == expected["Birmingham"]


def test_an_unreadable_folder_is_named_on_the_data_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, monthly_collection: Path
) -> None:
    shutil.copytree(monthly_collection / FOLDERS["2026-09"], tmp_path / FOLDERS["2026-09"])
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "datapackage.json").write_bytes(b"{not json")
    monkeypatch.setenv(dataset_folders.DATASETS_ENV, str(tmp_path))
    at = _app(DATA_PAGE)
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert [w for w in warnings if w.startswith("not listed:")] == [
        f"not listed: folder {tmp_path.name}/broken holds an unreadable datapackage.json (not UTF-8 JSON): "
        "save the dataset again from the app (or with scan shodan)"
    ]
    assert len(at.sidebar.selectbox(key="f_dataset").options) == 2  # the good scan and TOP10VPN


def _zip(folder: Path) -> bytes:
    return dataset_folders.to_zip({name: (folder / name).read_bytes() for name in dataset_folders.FILES})


def test_several_saved_zips_open_at_once_and_a_bad_one_is_one_line(monthly_collection: Path) -> None:
    at = _app(DATA_PAGE)
    files = [
        ("september.zip", _zip(monthly_collection / FOLDERS["2026-09"]), "application/zip"),
        ("broken.zip", b"not a zip", "application/zip"),
        ("december.zip", _zip(monthly_collection / FOLDERS["2026-12"]), "application/zip"),
    ]
    next(u for u in at.get("file_uploader") if u.key == "upload_zip").set_value(files)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert shown_errors(at) == ["broken.zip is not a zip archive: upload the .zip the app or scan shodan saved"]
    uploads = at.session_state["atlas_uploads"]
    assert len(uploads) == 2
    opened = {d.date: i for i, d in uploads.items()}
    assert set(opened) == {STARTS["2026-09"].date().isoformat(), STARTS["2026-12"].date().isoformat()}
    picker = at.sidebar.selectbox(key="f_dataset")
    assert picker.value == opened[STARTS["2026-12"].date().isoformat()]  # the last one opened is shown
    assert list(picker.options) == [_scan_label("2026-12"), _scan_label("2026-09"), TOP10VPN_LABEL]

    at.switch_page("pages/compare.py").run()  # the other one is there to compare with
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert list(at.selectbox(key="compare_with").options) == [_scan_label("2026-09"), TOP10VPN_LABEL]


def test_a_listed_folder_whose_observations_cannot_be_read_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, monthly_collection: Path
) -> None:
    shutil.copytree(monthly_collection / FOLDERS["2026-09"], tmp_path / "no-rows")
    (tmp_path / "no-rows" / "observations.csv").unlink()
    monkeypatch.setenv(dataset_folders.DATASETS_ENV, str(tmp_path))
    at = _app(dataset="no-rows")
    assert [e.value.replace("\\", "") for e in at.error] == [
        "folder no-rows has an unreadable datapackage.json or observations file: write it again (e.g. with scan shodan)"
    ]
