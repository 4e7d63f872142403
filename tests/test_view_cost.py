"""A dataset's names are resolved once per dataset (its choices included), never again on a view change.

Resolving is what a view of a table full of long unmatched names costs (fuzzy suggestions
for each, and a resolver rebuilt from the user's choices); a change of vendor, metric, level
or places needs none of it.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP
from test_data_page import button, upload

from geo.datasets import dataset as datasets
from geo.figures import metrics
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names import places

TABLE = (
    "place,vendor,networks\n"
    "Leeds,hikvision,40\n"
    "York,dahua,9\n"
    "Manchestr,hikvision,5\n"
    + "".join(f"Qwxz Unheard Of Hamlet Beyond The Map Number {i},dahua,{i + 1}\n" for i in range(30))
).encode()


def table_dataset(choices: dict[str, str] | None = None) -> datasets.Dataset:
    dataset = datasets.Dataset(id="names", title="names", observations=datasets.parse_observations(TABLE, "names.csv"))
    return datasets.with_choices(dataset, choices) if choices else dataset


class Spy:
    """Counts calls to what resolving a dataset costs: resolve_many, with_choices and fuzzy scoring."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for owner, name in (
            (places.Resolver, "resolve_many"),
            (metrics, "with_choices"),
            (places, "suggest_many"),
            (places, "suggest"),
        ):
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


SELECTIONS = [
    Selection(dataset="names"),
    Selection(dataset="names", metric="per_1k"),
    Selection(dataset="names", level="lad"),
    Selection(dataset="names", level="region", vendor="hikvision"),
    Selection(dataset="names", places=("Leeds", "York")),
]


def test_views_of_a_matched_dataset_resolve_nothing_again(
    resolver: places.Resolver, areas_frame: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = table_dataset({"Manchestr": "Manchester"})
    matched = metrics.match_dataset(dataset, resolver)
    spy = Spy(monkeypatch)
    views = [build_view(dataset, resolver, areas_frame, s, matched=matched) for s in SELECTIONS]
    assert spy.calls == []
    assert views[0].table.match_report is matched.report
    assert "Manchester" in set(views[0].table.rows["name"])  # the choice applies
    assert views[-1].selected_units and not views[-1].unknown_places
    fresh = build_view(dataset, resolver, areas_frame, SELECTIONS[2])  # without it: resolved here, same answer
    assert fresh.table.rows.equals(views[2].table.rows)


def test_a_choice_scores_no_suggestion_again(areas_frame: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = places.build_resolver(areas_frame)
    names = table_dataset().observations["place"].tolist()
    before = fresh.resolve_many(names)
    spy = Spy(monkeypatch)
    chosen = places.with_choices(fresh, {"Manchestr": "Manchester"})
    after = chosen.resolve_many(names)
    assert "suggest_many" not in spy.calls and "suggest" not in spy.calls
    assert after[2].lad_codes == ("E08000003",)
    assert [r.suggestions for r in after[3:]] == [r.suggestions for r in before[3:]]


@pytest.mark.usefixtures("app_navigation")
def test_sidebar_changes_in_the_app_resolve_nothing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    upload(at, "upload_table", "names.csv", TABLE)
    button(at, "Load this table").click().run()
    at.switch_page("pages/map.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    spy = Spy(monkeypatch)
    for change in (
        lambda: at.sidebar.radio(key="f_metric").set_value("per_1k"),
        lambda: at.sidebar.radio(key="f_level").set_value("lad"),
        lambda: at.sidebar.radio(key="f_vendor").set_value("hikvision"),
        lambda: at.sidebar.multiselect(key="f_places").set_value(["Leeds"]),
        lambda: at.sidebar.radio(key="f_level").set_value("region"),
    ):
        change()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert spy.calls == []
    at.switch_page("pages/rankings.py").run()
    assert spy.calls == [] and not at.exception
