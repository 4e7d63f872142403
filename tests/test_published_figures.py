"""Published figures live in one data file (data/reference/published-figures.csv): the reader takes a
dataset's figure from the dataset, refuses a bad row in one line, and the About and Per capita pages
show what the file says (and something else when the file says something else)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP

from geo.core.errors import DatasetError
from geo.datasets import dataset as datasets
from geo.datasets import folders
from geo.figures import published
from geo.figures.published import published_figures

pytestmark = pytest.mark.usefixtures("app_navigation")

HEADER = ",".join(published.COLUMNS)
# Figures no source published: if a page shows them, it read them from the file.
OTHER_FILE = (
    f"{HEADER}\n"
    "top10vpn-uk,Study A,123457,,United Kingdom,Study A report,2019-03,https://example.org/a,,\n"
    "comparitech-uk,Study B,9876543,,United Kingdom,Study B report,2020-07,https://example.org/b,,\n"
    "comparitech-50-cities,Study C,4321,at least,the 7 test towns,Study C report,2018-02,https://example.org/c,,\n"
)


def page_text(at: AppTest) -> str:
    """Every text a page shows, Markdown escapes (and the word joiners that break autolinks) undone."""
    kinds = ("title", "subheader", "caption", "markdown", "info", "warning")
    return "\n".join(e.value for kind in kinds for e in at.get(kind)).replace("\\", "").replace("\u2060", "")


def run_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_every_figure_has_its_source_date_and_link() -> None:
    figures = published_figures()
    assert {"top10vpn-uk", "comparitech-uk", "comparitech-50-cities"} <= set(figures)
    for figure in figures.values():
        assert figure.figure > 0 and figure.by and figure.source and figure.place
        assert datasets.parse_when(figure.published) is not None, figure  # a real month, not "not stated"
        assert figure.url and figure.url.startswith("https://"), figure


def test_a_datasets_figure_is_read_from_the_dataset_not_repeated() -> None:
    raw = pd.read_csv(published.PUBLISHED_PATH, dtype=str, keep_default_na=False).set_index("key")
    row = raw.loc["top10vpn-uk"]
    assert row["dataset"] and not row["figure"] and not row["published"]  # nothing typed twice
    shipped = folders.load_shipped(row["dataset"])
    figure = published_figures()["top10vpn-uk"]
    national = shipped.observations[shipped.observations["place"] == row["place"]]
    assert figure.figure == int(national["networks"].sum())
    assert (figure.published, figure.url) == (shipped.published, shipped.url)


def test_the_figure_follows_the_dataset(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\nstudy,Someone,,,United Kingdom,,,,my-study,\n", encoding="utf-8")
    observations = pd.DataFrame(
        {"place": ["United Kingdom", "Leeds"], "vendor": ["all", "all"], "networks": [4242, 17]}
    )
    study = datasets.Dataset(
        id="my-study", title="t", observations=observations, published="2024-05", source_short="Someone's report"
    )
    figure = published_figures(path, load=lambda _id: study)["study"]
    assert (figure.text, figure.when, figure.source) == ("4,242", "May 2024", "Someone's report")


@pytest.mark.parametrize(
    "row, problem",
    [
        ("x,A,12.5k,,UK,S,2020-01,https://e.org,,", "figure '12.5k' is not a whole number"),
        ("x,A,,,Nowhere,,,,top10vpn-2021,", "has no row for 'Nowhere'"),
    ],
)
def test_a_bad_row_is_one_line_naming_it(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        published_figures(path)
    assert problem in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith("figures.csv, x:")


def test_about_and_per_capita_show_the_files_figures() -> None:
    figures = published_figures()
    about = page_text(run_page("pages/about.py"))
    for key in ("top10vpn-uk", "comparitech-uk"):
        assert figures[key].text in about and figures[key].when in about
    for figure in figures.values():  # each with its source and link
        assert (
            f"{figure.text} networks, {figure.place}: {figure.source}, published {figure.when} ({figure.url})" in about
        )
    cities = figures["comparitech-50-cities"]
    per_capita = page_text(run_page("pages/per_capita.py"))
    assert f"({cities.text} networks in {cities.place}, published {cities.when})" in per_capita


def test_the_pages_change_when_the_file_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = published_figures()
    path = tmp_path / "published-figures.csv"
    path.write_text(OTHER_FILE, encoding="utf-8")
    monkeypatch.setattr(published, "PUBLISHED_PATH", path)
    about = page_text(run_page("pages/about.py"))
    assert "Study A counted 123,457 UK networks (published March 2019)" in about
    assert "Study B counted 9,876,543 in July 2020" in about
    assert before["comparitech-uk"].text not in about and before["top10vpn-uk"].text not in about
    per_capita = page_text(run_page("pages/per_capita.py"))
    assert "Study C ran its own Shodan scan (at least 4,321 networks in the 7 test towns, published February 2018)" in (
        per_capita
    )
    assert before["comparitech-50-cities"].text not in per_capita
