"""AppTest: uploading a table, mapping its columns, fixing names, and refusing bad files without losing data."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, metric_values

pytestmark = pytest.mark.usefixtures("app_navigation")

DATA_PAGE = "pages/data.py"


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(DATA_PAGE)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, key: str, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    next(u for u in at.get("file_uploader") if u.key == key).set_value((name, data, mime))
    return at.run()


def shown_errors(at: AppTest) -> list[str]:
    """Error texts as the user reads them (the page escapes Markdown with backslashes)."""
    return [e.value.replace("\\", "") for e in at.error]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_upload_with_other_headers_drives_every_page() -> None:
    at = data_page()
    upload(at, "upload_table", "scan.csv", b"City,Count,Brand\nLeeds,50,Hikvision\nLeeds,30,Dahua\nYork,7,Dahua\n")
    assert not at.exception and not at.error
    assert at.selectbox(key="map_place").value == "City"
    assert at.selectbox(key="map_networks").value == "Count"
    assert at.selectbox(key="map_vendor").value == "Brand"
    button(at, "Load this table").click().run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="f_dataset").value.startswith("upload-")
    assert not at.sidebar.radio(key="f_vendor").disabled  # this table splits vendors
    at.switch_page("pages/rankings.py").run()
    rows = at.dataframe[0].value
    assert dict(zip(rows["name"], rows["networks"])) == {"Leeds": 80, "York": 7}
    at.sidebar.radio(key="f_vendor").set_value("dahua").run()
    rows = at.dataframe[0].value
    assert dict(zip(rows["name"], rows["networks"])) == {"Leeds": 30, "York": 7}


def test_a_table_keeps_its_per_row_source_and_date() -> None:
    at = data_page()
    upload(
        at,
        "upload_table",
        "dated.csv",
        b"City,Count,source,Scan date\nLeeds,50,Shodan,2026-11-28\nYork,7,Censys,2026-11-29\n",
    )
    assert at.selectbox(key="map_source").value == "source" and at.selectbox(key="map_date").value == "Scan date"
    button(at, "Load this table").click().run()
    assert not at.exception and not at.error
    loaded = at.session_state["atlas_uploads"][at.sidebar.selectbox(key="f_dataset").value]
    assert list(loaded.observations["source"]) == ["Shodan", "Censys"]
    assert list(loaded.observations["date"]) == ["2026-11-28", "2026-11-29"]


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"place,networks\n", "header but no rows"),
        ("neg.csv", b"place,networks\nLeeds,-4\n", "line 2: networks '-4' is negative"),
        ("frac.csv", b"place,networks\nLeeds,2.5\n", "fractional"),
        ("dup.csv", b"place,networks\nLeeds,2\nLeeds,3\n", "lines 2 and 3"),
        ("bin.csv", b"\x00\x01\x02binary", "binary file"),
    ],
)
def test_bad_table_is_refused_and_current_dataset_stays(name: str, data: bytes, needle: str) -> None:
    at = data_page()
    upload(at, "upload_table", name, data)
    messages = shown_errors(at)
    if not messages:  # the file reads but fails validation when loaded
        button(at, "Load this table").click().run()
        messages = shown_errors(at)
    assert not at.exception
    assert any(needle in m and name in m for m in messages), messages
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"
    assert metric_values(at)["National figure"] == "1 row"


def test_fixing_an_unmatched_name_changes_the_data() -> None:
    at = data_page()
    upload(at, "upload_table", "typo.csv", b"place,networks\nManchestr,40\nLeeds,5\n")
    button(at, "Load this table").click().run()
    assert metric_values(at)["Unmatched"] == "1 name"
    pick = at.selectbox(key="pick_Manchestr")
    assert "Manchester" in pick.options[:3]  # the suggestion comes first
    pick.set_value("Manchester")
    next(b for b in at.get("form_submit_button") if b.label == "Apply my choices").click().run()
    assert not at.exception and not at.error
    assert metric_values(at)["Unmatched"] == "0 names"
    assert at.sidebar.selectbox(key="f_dataset").value.split("~")[0].startswith("upload-")
    at.switch_page("pages/rankings.py").run()
    assert dict(zip(at.dataframe[0].value["name"], at.dataframe[0].value["networks"])) == {"Manchester": 40, "Leeds": 5}


def test_saved_choices_apply_again() -> None:
    at = data_page()
    upload(at, "upload_table", "typo.csv", b"place,networks\nManchestr,40\n")
    button(at, "Load this table").click().run()
    upload(at, "upload_choices", "choices.csv", b"alias,target\nManchestr,E08000003\n")
    assert not at.exception and not at.error
    assert metric_values(at)["Unmatched"] == "0 names"


def test_another_session_does_not_see_an_upload() -> None:
    first = data_page()
    upload(first, "upload_table", "mine.csv", b"place,networks\nLeeds,5\n")
    button(first, "Load this table").click().run()
    upload_id = first.sidebar.selectbox(key="f_dataset").value
    assert upload_id.startswith("upload-")
    second = AppTest.from_file(APP, default_timeout=120)
    second.query_params["dataset"] = upload_id  # even with the id in a shared URL
    second.run()
    assert second.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"
    assert len(second.sidebar.selectbox(key="f_dataset").options) == 1  # only the shipped dataset


def _banner(ip: str, product: str, lat: float | None, lon: float | None, country: str = "GB", city: str = "") -> str:
    import json

    location = {"country_code": country, "city": city, "latitude": lat, "longitude": lon}
    return json.dumps({"ip_str": ip, "port": 80, "product": product, "location": location, "data": "HTTP/1.1 200 OK"})


def test_shodan_export_import_drives_the_pages() -> None:
    import gzip

    lines = [
        _banner("10.0.0.1", "Hikvision IP Camera", 53.4808, -2.2426),  # Manchester
        _banner("10.0.0.1", "Hikvision IP Camera", 53.4808, -2.2426),  # same IP again: counted once
        _banner("10.0.0.2", "Dahua DVR", 53.4808, -2.2426),
        _banner("10.0.0.3", "Dahua DVR", None, None, city="Leeds"),
        _banner("10.0.0.4", "Hikvision IP Camera", 48.85, 2.35, country="FR"),  # not UK
        "{not json",
    ]
    data = gzip.compress("\n".join(lines).encode())
    at = data_page()
    upload(at, "upload_shodan", "scan.json.gz", data, "application/gzip")
    button(at, "Import the export").click().run()
    assert not at.exception and not shown_errors(at)
    summary = at.success[0].value.replace("\\", "")
    # 4 banners count (one IP twice), making 3 networks: distinct IPs per place and vendor.
    assert "6 banners read, 4 used" in summary and "not uk 1" in summary and "malformed 1" in summary
    at.switch_page("pages/rankings.py").run()
    rows = at.dataframe[0].value
    assert dict(zip(rows["name"], rows["networks"])) == {"Manchester": 2, "Leeds": 1}


def test_truncated_shodan_export_is_refused_and_data_kept() -> None:
    import gzip

    data = gzip.compress(("\n".join(_banner(f"10.0.1.{i}", "Dahua DVR", 53.48, -2.24) for i in range(200))).encode())
    at = data_page()
    upload(at, "upload_shodan", "cut.json.gz", data[: len(data) // 2], "application/gzip")
    button(at, "Import the export").click().run()
    assert not at.exception
    assert any("cut.json.gz" in m for m in shown_errors(at)), shown_errors(at)
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"


def test_the_fix_form_writes_invisible_characters_out() -> None:
    """A bidi override in a name would reverse the words of its label: it is written as \\u202e."""
    at = data_page()
    upload(at, "upload_table", "bidi.csv", "place,networks\nLeeds,5\n\u202eYork,3\n".encode())
    button(at, "Load this table").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    labels = [s.label for s in at.selectbox if "networks)" in s.label]
    assert labels and all("\u202e" not in label for label in labels)
    assert any("u202eYork" in label for label in labels)
