"""AppTest: the researcher's 70-city table (one column per vendor) through the Data page's mapper,
its source and date fields, and onto the Map page's subtitle, snapshot, CSV and the saved zip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit.elements.widgets.button as button_module
from streamlit.testing.v1 import AppTest
from test_data_page import button, data_page, shown_errors, upload

from geo.datasets import exports
from geo.datasets import folders as dataset_folders
from geo.pictures import snapshot

pytestmark = pytest.mark.usefixtures("app_navigation")

TABLE = Path(__file__).resolve().parent / "fixtures" / "city_counts_2025-03.csv"
SOURCE = "Shodan search by J. Doe"


def loaded(at: AppTest):
    return at.session_state["atlas_uploads"][at.sidebar.selectbox(key="f_dataset").value]


def captions_text(at: AppTest) -> str:
    return " ".join(c.value.replace("\\", "") for c in at.caption)


@pytest.fixture
def spies(monkeypatch):
    """What the pages hand to the real exporters (each still runs): CSV frames, snapshots, zipped files; and
    the downloads made on request (file name → what Streamlit calls when the button is pressed)."""
    seen: dict[str, list] = {"figures": [], "snapshots": [], "zips": [], "on_request": []}
    figures, make, to_zip = exports.figures_for_download, snapshot.make, dataset_folders.to_zip
    marshall = button_module.marshall_file

    def figures_spy(frame, source, date):
        seen["figures"].append(figures(frame, source, date))
        return seen["figures"][-1]

    def make_spy(*args, **kwargs):
        seen["snapshots"].append(make(*args, **kwargs))
        return seen["snapshots"][-1]

    def zip_spy(files):
        seen["zips"].append(files)
        return to_zip(files)

    def marshall_spy(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        if callable(data):
            seen["on_request"].append((file_name, data))
        return marshall(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(exports, "figures_for_download", figures_spy)
    monkeypatch.setattr(button_module, "marshall_file", marshall_spy)
    monkeypatch.setattr(snapshot, "make", make_spy)
    monkeypatch.setattr(dataset_folders, "to_zip", zip_spy)
    return seen


def test_the_wide_table_loads_in_one_step_with_its_source_and_date_everywhere(spies) -> None:
    at = data_page()
    upload(at, "upload_table", TABLE.name, TABLE.read_bytes())
    assert not at.exception and not at.error
    assert at.radio(key="map_layout").value == "wide"
    assert (
        at.selectbox(key="map_place").value,
        at.selectbox(key="map_hikvision").value,
        at.selectbox(key="map_dahua").value,
    ) == ("city", "hikvision", "dahua")
    assert "Column `other` not used." in captions_text(at)  # said before loading
    assert at.text_input(key="upload_source").value == "" and at.text_input(key="upload_date").value == "2025-03"
    at.text_input(key="upload_source").set_value(SOURCE)
    at.text_input(key="upload_date").set_value("2025-03-14")
    button(at, "Load this table").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)

    dataset = loaded(at)
    assert dataset.vendors == ("hikvision", "dahua") and len(dataset.observations) == 140
    assert (dataset.source, dataset.source_short, dataset.date) == (SOURCE, SOURCE, "2025-03-14")
    notes = [i.value.replace("\\", "") for i in at.info]
    assert "column `other` not used" in notes and any(n.startswith("read as one column per vendor") for n in notes)
    assert not at.sidebar.radio(key="f_vendor").disabled
    zipped = spies["zips"][-1]  # the Data page's "Save this dataset (zip)"
    package = json.loads(zipped["datapackage.json"])
    assert package["date"] == "2025-03-14" and package["source_short"] == SOURCE

    at.switch_page("pages/map.py").run()
    assert not at.exception and not at.error
    subtitle = next(t for t in at.text_input if t.label == "Subtitle").value
    assert f"{SOURCE}, counted 14 March 2025" in subtitle
    assert spies["figures"] == []  # the Map page's CSV is made when asked for, not on every run
    csv_download = [data for name, data in spies["on_request"] if name.endswith(".csv")][-1]  # this run's
    assert csv_download().startswith("code,name,")  # the button pressed
    figures = spies["figures"][-1]  # the Map page's CSV download
    assert set(figures["source"]) == {SOURCE} and set(figures["date"]) == {"counted 14 March 2025"}
    at.radio(key="snap_format").set_value("svg").run()
    next(b for b in at.button if b.label == "Create the snapshot").click().run()
    assert not at.exception and not at.error
    shot = spies["snapshots"][-1]
    assert shot.file_name.startswith("uk-camera-atlas_city-counts-2025-03-csv_2025-03-14_all_place_networks")
    assert f"Source: {SOURCE}." in shot.caption.source
    assert any(
        f"{SOURCE}, counted 14 March 2025" in m.value.replace("\\", "") for m in at.markdown if "Alt text" in m.value
    )


def test_a_date_that_is_not_one_is_refused_beside_the_button_and_nothing_changes() -> None:
    at = data_page()
    upload(at, "upload_table", TABLE.name, TABLE.read_bytes())
    at.text_input(key="upload_date").set_value("March 2025")
    button(at, "Load this table").click().run()
    assert not at.exception
    assert any("'March 2025' is not a date" in m and "2025-03-01 or 2025-03" in m for m in shown_errors(at))
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"


def test_source_and_date_columns_prefill_the_fields() -> None:
    at = data_page()
    upload(
        at,
        "upload_table",
        "counts.csv",
        b"Town,HIK,Dahua Technology,source,date\nLeeds,5,3,Shodan,2025-02-27\nYork,2,1,Shodan,2025-02-27\n",
    )
    assert at.radio(key="map_layout").value == "wide"
    assert (
        at.text_input(key="upload_source").value == "Shodan" and at.text_input(key="upload_date").value == "2025-02-27"
    )
    button(at, "Load this table").click().run()
    assert not at.exception and not shown_errors(at)
    assert (loaded(at).source, loaded(at).date) == ("Shodan", "2025-02-27")


def test_the_one_column_per_vendor_mode_is_chosen_by_hand() -> None:
    at = data_page()
    upload(at, "upload_table", "mine.csv", b"Where,A,B,Notes\nLeeds,5,3,x\nYork,2,1,y\n")
    assert at.radio(key="map_layout").value == "long"  # nothing says which column is whose
    at.radio(key="map_layout").set_value("wide").run()
    at.selectbox(key="map_place").set_value("Where")
    at.selectbox(key="map_hikvision").set_value("A").run()
    assert "Columns `B`, `Notes` not used." in captions_text(at)
    button(at, "Load this table").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)
    dataset = loaded(at)
    assert dataset.vendors == ("hikvision",)  # a Hikvision dataset: only its column was loaded
    assert "columns `B`, `Notes` not used" in dataset.notes
    at.switch_page("pages/map.py").run()
    subtitle = next(t for t in at.text_input if t.label == "Subtitle").value
    assert "Hikvision only" in subtitle and "Dahua" not in subtitle


def test_the_wide_mode_needs_a_vendor_column() -> None:
    at = data_page()
    upload(at, "upload_table", TABLE.name, TABLE.read_bytes())
    at.selectbox(key="map_hikvision").set_value("(none)")
    at.selectbox(key="map_dahua").set_value("(none)").run()
    button(at, "Load this table").click().run()
    assert any("no vendor column chosen" in m for m in shown_errors(at))
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"


def test_the_long_mode_labels_a_vendors_column_as_that_vendor() -> None:
    at = data_page()
    upload(at, "upload_table", TABLE.name, TABLE.read_bytes())
    at.radio(key="map_layout").set_value("long").run()
    at.selectbox(key="map_place").set_value("city")
    at.selectbox(key="map_networks").set_value("hikvision").run()
    button(at, "Load this table").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)
    dataset = loaded(at)
    assert dataset.vendors == ("hikvision",)
    assert "columns `dahua`, `other` not used" in dataset.notes  # never dropped without a word


def test_a_long_named_shodan_export_still_imports() -> None:
    """Its source line names the file, bounded: a source is at most 200 characters."""
    import gzip

    from test_data_page import _banner

    at = data_page()
    name = "x" * 230 + ".json.gz"
    upload(
        at,
        "upload_shodan",
        name,
        gzip.compress(_banner("10.0.0.2", "Dahua DVR", 53.4808, -2.2426).encode()),
        "application/gzip",
    )
    button(at, "Import the export").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)
    assert loaded(at).source.startswith("Shodan export xxx") and len(loaded(at).source) <= 200


def test_the_70_city_table_names_what_is_not_on_the_map_and_compares_older_to_newer() -> None:
    """The researcher's table as loaded: Newport and Bangor left ambiguous are said, not dropped;
    Compare reads TOP10VPN (2021) → this table (2025) whichever the sidebar holds."""
    at = data_page()
    upload(at, "upload_table", TABLE.name, TABLE.read_bytes())
    at.text_input(key="upload_source").set_value(SOURCE)
    button(at, "Load this table").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)
    at.switch_page("pages/map.py").run()
    warnings = [w.value.replace("\\", "") for w in at.warning]
    line = next(w for w in warnings if "not on the map" in w)
    assert "Newport" in line and "Bangor" in line and "fix them on the Data page" in line
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    heads = [m.value.replace("\\", "").strip("*") for m in at.markdown if "→" in m.value]
    assert len(heads) == 1 and heads[0].startswith("TOP10VPN"), heads  # the 2021 study first: older → newer
    assert f"{SOURCE}, counted Mar 2025" in heads[0]
