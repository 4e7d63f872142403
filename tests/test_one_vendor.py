"""A table that counted one vendor is that vendor's dataset everywhere: sidebar, Map title, Data page, CLI."""

from __future__ import annotations

import csv
import io

import pytest
from test_data_page import button, data_page, upload

import geo.cli.main as cli
from geo.names import places
from geo.official import areas

pytestmark = pytest.mark.usefixtures("app_navigation")

HIK_ONLY = b"City,Hikvision networks\nLeeds,50\nYork,7\nManchester,30\n"


def test_the_pages_name_the_one_vendor_loaded() -> None:
    at = data_page()
    upload(at, "upload_table", "hik.csv", HIK_ONLY)
    button(at, "Load this table").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    radio = at.sidebar.radio(key="f_vendor")
    assert radio.value == "hikvision" and radio.disabled
    assert any("counts Hikvision only" in c.value for c in at.sidebar.caption)
    tables = " ".join(frame.value.to_string() for frame in [*at.dataframe, *at.table])
    assert "Hikvision only" in tables  # the provenance facts
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert at.title[0].value == "Hikvision camera networks in the UK"


@pytest.fixture
def fast_cli(monkeypatch):
    frame = areas.load_areas()
    monkeypatch.setattr(cli, "_context", lambda mirror: (frame, places.build_resolver(frame)))
    return cli.main


def test_the_cli_refuses_a_vendor_the_table_did_not_count(fast_cli, tmp_path, capsys) -> None:
    table = tmp_path / "hik.csv"
    table.write_bytes(HIK_ONLY)
    assert fast_cli(["table", "--dataset", str(table), "--vendor", "dahua", "--json"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "counts hikvision only, not dahua: use --vendor hikvision" in line


def test_the_cli_csv_carries_source_and_date(fast_cli, tmp_path, capsys) -> None:
    table = tmp_path / "hik.csv"
    table.write_bytes(HIK_ONLY)
    code = fast_cli(["table", "--dataset", str(table), "--source", "My scan", "--date", "2025-03", "--csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["source"] for r in rows} == {"My scan"} and {r["date"] for r in rows} == {"counted March 2025"}
