"""geo.figures.metrics and geo.figures.join: rates, shares, ranks and levels on the real areas frame."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from atlas_testing import (
    GREATER_LONDON_POPULATION,
    LONDON_NETWORKS,
    MAPPED_NETWORKS,
    UK_NETWORKS,
    UK_POPULATION,
    assert_one_line,
)

from geo.core.errors import AtlasError
from geo.datasets import dataset as datasets
from geo.figures import join, metrics
from geo.names.places import Resolver

UK_PER_1K = UK_NETWORKS / UK_POPULATION * 1000
SPLIT_CSV = b"""place,vendor,networks
United Kingdom,hikvision,1000
United Kingdom,dahua,600
United Kingdom,all,1600
Manchester,hikvision,100
Manchester,dahua,50
Manchester,all,150
Leeds,hikvision,30
Leeds,dahua,20
Bristol,all,70
Newport,dahua,5
Manchestr,hikvision,9
"""


def dataset_from(csv: bytes, dataset_id: str = "synthetic") -> datasets.Dataset:
    observations = datasets.parse_observations(csv, f"{dataset_id}.csv")
    return datasets.Dataset(id=dataset_id, title=dataset_id, observations=observations)


@pytest.fixture(scope="module")
def place_table(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> metrics.Table:
    return metrics.build_table(shipped, resolver, areas_frame)


@pytest.fixture(scope="module")
def split() -> datasets.Dataset:
    return dataset_from(SPLIT_CSV, "split")


def row(table: metrics.Table, name: str) -> pd.Series:
    rows = table.rows[table.rows["name"] == name]
    assert len(rows) == 1, (name, table.rows["name"].tolist())
    return rows.iloc[0]


# -- the shipped dataset, place level ----------------------------------------------------


def test_place_rows_and_rank(place_table: metrics.Table) -> None:
    assert list(place_table.rows.columns) == metrics.ROW_COLUMNS
    assert list(place_table.rows["name"]) == ["Greater London", "Birmingham", "Manchester", "Liverpool"]
    assert list(place_table.rows["networks"]) == [LONDON_NETWORKS, 8865, 7436, 4957]
    assert list(place_table.rows["rank"]) == [1, 2, 3, 4]
    assert (place_table.dataset, place_table.vendor, place_table.level) == ("top10vpn-2021", "all", "place")


def test_national_and_mapped_totals(place_table: metrics.Table) -> None:
    assert place_table.national_total == UK_NETWORKS
    assert place_table.national_total_source == "dataset"
    assert place_table.mapped_total == MAPPED_NETWORKS
    assert place_table.unattributed == UK_NETWORKS - MAPPED_NETWORKS


def test_london_rates(place_table: metrics.Table, areas_frame: gpd.GeoDataFrame) -> None:
    london = row(place_table, "Greater London")
    boroughs = areas_frame[areas_frame["code"].str.startswith("E09")]
    assert london["code"] == "E12000007"
    assert len(london["lad_codes"]) == 33
    assert london["population"] == boroughs["population"].sum() == GREATER_LONDON_POPULATION
    assert london["area_km2"] == pytest.approx(boroughs["area_km2"].sum())
    assert london["per_1k"] == pytest.approx(LONDON_NETWORKS / GREATER_LONDON_POPULATION * 1000)
    assert london["per_km2"] == pytest.approx(LONDON_NETWORKS / boroughs["area_km2"].sum())
    assert london["share"] == pytest.approx(LONDON_NETWORKS / UK_NETWORKS)
    assert london["index_uk"] == pytest.approx(london["per_1k"] / UK_PER_1K * 100)


@pytest.mark.parametrize(
    ("name", "code", "networks"),
    [("Birmingham", "E08000025", 8865), ("Manchester", "E08000003", 7436), ("Liverpool", "E08000012", 4957)],
)
def test_city_rates(
    place_table: metrics.Table, areas_frame: gpd.GeoDataFrame, name: str, code: str, networks: int
) -> None:
    lad = areas_frame.set_index("code").loc[code]
    city = row(place_table, name)
    assert city["lad_codes"] == (code,)
    assert city["population"] == lad["population"]
    assert city["area_km2"] == lad["area_km2"]
    assert city["per_1k"] == pytest.approx(networks / lad["population"] * 1000)
    assert city["per_km2"] == pytest.approx(networks / lad["area_km2"])
    assert city["share"] == pytest.approx(networks / UK_NETWORKS)
    assert city["index_uk"] == pytest.approx(networks / lad["population"] * 1000 / UK_PER_1K * 100)


def test_manchester_known_values(place_table: metrics.Table) -> None:
    manchester = row(place_table, "Manchester")
    assert manchester["per_1k"] == pytest.approx(7436 / 568_996 * 1000)
    assert manchester["per_km2"] == pytest.approx(7436 / 115.6485)


def test_rank_by_per_1k(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, rank_by="per_1k")
    assert table.rank_by == "per_1k"
    assert list(table.rows["name"]) == ["Manchester", "Liverpool", "Birmingham", "Greater London"]
    assert list(table.rows["rank"]) == [1, 2, 3, 4]
    by_km2 = metrics.build_table(shipped, resolver, areas_frame, rank_by="per_km2")
    assert by_km2.rows["name"].iloc[0] == "Manchester"


def test_uk_average(place_table: metrics.Table, areas_frame: gpd.GeoDataFrame) -> None:
    average = place_table.uk_rates
    assert average["networks"] == UK_NETWORKS
    assert average["per_1k"] == pytest.approx(UK_PER_1K)
    assert average["per_km2"] == pytest.approx(UK_NETWORKS / areas_frame["area_km2"].sum())


def test_to_dict_is_json(place_table: metrics.Table) -> None:
    payload = json.loads(json.dumps(place_table.to_dict()))
    assert payload["national_total"] == UK_NETWORKS
    assert payload["mapped_total"] == MAPPED_NETWORKS
    assert payload["rows"][0]["name"] == "Greater London"
    assert len(payload["rows"][0]["lad_codes"]) == 33
    assert len(payload["match_report"]) == 5
    assert payload["match_report"][0]["national"] is True


def test_match_report(place_table: metrics.Table) -> None:
    report = place_table.match_report
    assert list(report["input"]) == ["United Kingdom", "London", "Birmingham", "Manchester", "Liverpool"]
    assert set(report["status"]) == {"matched"}
    assert list(report["method"]) == ["alias", "alias", "lad_name", "lad_name", "lad_name"]
    assert list(report["line"]) == [2, 3, 4, 5, 6]


# -- ties --------------------------------------------------------------------------------


def test_ties_share_a_rank() -> None:
    grouped = pd.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "name": ["Alpha", "Bravo", "Charlie", "Delta"],
            "lad_codes": [("A",), ("B",), ("C",), ("D",)],
            "networks": [10, 30, 10, 5],
            "population": [1000, 1000, 2000, 500],
            "area_km2": [1.0, 2.0, 4.0, 1.0],
        }
    )
    out = metrics.add_metrics(grouped, national_total=100, uk_population=10_000)
    assert list(out["name"]) == ["Bravo", "Alpha", "Charlie", "Delta"]
    assert list(out["rank"]) == [1, 2, 2, 4]
    by_rate = metrics.add_metrics(grouped, 100, 10_000, rank_by="per_1k")
    # per 1,000: Bravo 30, Alpha 10, Delta 10, Charlie 5
    assert list(by_rate["name"]) == ["Bravo", "Alpha", "Delta", "Charlie"]
    assert list(by_rate["rank"]) == [1, 2, 2, 4]
    assert list(out["share"]) == [0.3, 0.1, 0.1, 0.05]
    assert out.loc[out["name"] == "Alpha", "index_uk"].iloc[0] == pytest.approx(100.0)


def test_zero_national_total_gives_no_share() -> None:
    grouped = pd.DataFrame(
        {
            "code": ["A"],
            "name": ["Alpha"],
            "lad_codes": [("A",)],
            "networks": [0],
            "population": [10],
            "area_km2": [1.0],
        }
    )
    out = metrics.add_metrics(grouped, 0, 100)
    assert out["share"].isna().all()
    assert out["rank"].tolist() == [1]


# -- levels ------------------------------------------------------------------------------


def test_lad_level_keeps_london_as_one_unit(
    shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="lad")
    assert list(table.rows["code"]) == ["E12000007", "E08000025", "E08000003", "E08000012"]
    london = row(table, "Greater London")
    assert london["networks"] == LONDON_NETWORKS and len(london["lad_codes"]) == 33 and london["coverage"] == 1
    assert table.mapped_total == MAPPED_NETWORKS
    assert table.national_total == UK_NETWORKS
    assert any(
        "Greater London" in note and "drawn as one area" in note and "cannot be split" in note for note in table.notes
    )


@pytest.mark.parametrize(
    ("csv", "tail"),
    [
        (b"place,networks\nLondon,900\nCroydon,40\n", "; Croydon also has a figure of its own"),
        (
            b"place,networks\nLondon,900\nCroydon,40\nIlford,9\n",
            "; Croydon and Redbridge also have figures of their own",
        ),
    ],
)
def test_the_london_note_names_the_boroughs_with_their_own_figure(
    csv: bytes, tail: str, resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    table = metrics.build_table(dataset_from(csv), resolver, areas_frame, level="lad")
    note = next(n for n in table.notes if n.startswith("Greater London"))
    assert note.endswith(tail)


def test_region_level(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="region")
    assert list(table.rows["name"]) == ["London", "North West", "West Midlands"]
    north_west = row(table, "North West")
    assert north_west["networks"] == 7436 + 4957 == 12_393
    assert north_west["population"] == areas_frame.loc[areas_frame["region_code"] == "E12000002", "population"].sum()
    assert north_west["code"] == "E12000002"
    assert row(table, "London")["population"] == GREATER_LONDON_POPULATION
    assert table.mapped_total == MAPPED_NETWORKS


def test_bad_level_and_metric(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    with pytest.raises(AtlasError) as info:
        metrics.build_table(shipped, resolver, areas_frame, level="county")  # type: ignore[arg-type]
    assert_one_line(info.value, "'county'", "place, lad, region")
    with pytest.raises(AtlasError) as info:
        metrics.build_table(shipped, resolver, areas_frame, rank_by="cameras")  # type: ignore[arg-type]
    assert_one_line(info.value, "'cameras'")


def test_multi_lad_place_sums_population_and_area(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(
        dataset_from(b"place,networks\nWales,300\nLondon,100\nSalford,7\n"), resolver, areas_frame
    )
    wales = row(table, "Wales")
    welsh = areas_frame[areas_frame["code"].str.startswith("W")]
    assert len(wales["lad_codes"]) == 22
    assert wales["population"] == welsh["population"].sum() == 3_131_640
    assert wales["area_km2"] == pytest.approx(welsh["area_km2"].sum())
    assert wales["per_1k"] == pytest.approx(300 / 3_131_640 * 1000)
    assert table.national_total == 407 and table.national_total_source == "sum of places"


def test_several_names_for_one_place_are_summed_with_a_note(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(dataset_from(b"place,networks\nHull,5\nKingston upon Hull,3\n"), resolver, areas_frame)
    assert len(table.rows) == 1
    assert table.rows["networks"].iloc[0] == 8
    assert any("summed" in note for note in table.notes)


def test_notes_quote_input_names_as_text_and_only_a_few(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    # Built directly: whatever the table reader lets through, a note must not print it raw.
    spellings = ["\u202eLeeds", "Leeds", "LEEDS", "leeds.", "Leeds, England", "Leeds (UK)", "Leeds, UK", " leeds "]
    observations = pd.DataFrame(
        {
            "place": spellings,
            "vendor": "all",
            "networks": 1,
            "lad_code": None,
            "line": range(2, 2 + len(spellings)),
        }
    )
    dataset = datasets.Dataset(id="spellings", title="spellings", observations=observations)
    dataset = datasets.with_choices(dataset, {"\u202eLeeds": "Leeds"})
    table = metrics.build_table(dataset, resolver, areas_frame)
    assert table.rows["networks"].tolist() == [len(spellings)]
    note = next(n for n in table.notes if "all resolve to Leeds" in n)
    assert "\u202e" not in note and note.startswith("\\u202eLeeds, Leeds")
    assert "and 3 more" in note


def test_unmatched_and_ambiguous_stay_in_the_report(
    split: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    table = metrics.build_table(split, resolver, areas_frame)
    report = table.match_report.set_index("input")
    assert report.loc["Newport", "status"] == "ambiguous"
    assert report.loc["Manchestr", "status"] == "unmatched"
    assert "Manchester" in report.loc["Manchestr", "suggestions"]
    assert set(table.rows["name"]) == {"Manchester", "Leeds", "Bristol, City of"}


def test_place_spanning_regions_is_noted(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(
        dataset_from(b"place,networks\nEngland,7\nLeeds,3\n"), resolver, areas_frame, level="region"
    )
    assert list(table.rows["name"]) == ["Yorkshire and The Humber"]
    assert any("England" in note and "spans several regions" in note for note in table.notes)


def test_place_spanning_regions_is_left_out(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(
        dataset_from(b"place,networks\nEngland,7\nLeeds,3\n"), resolver, areas_frame, level="region"
    )
    assert list(table.rows["name"]) == ["Yorkshire and The Humber"]
    assert table.mapped_total == 3


# -- vendors -----------------------------------------------------------------------------


def test_vendor_filter_on_combined_dataset(
    shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    for vendor in ("hikvision", "dahua"):
        with pytest.raises(AtlasError) as info:
            metrics.build_table(shipped, resolver, areas_frame, vendor=vendor)
        assert_one_line(info.value, "top10vpn-2021", "combines Hikvision and Dahua", "use vendor all")


def test_unknown_vendor(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    with pytest.raises(AtlasError) as info:
        metrics.build_table(shipped, resolver, areas_frame, vendor="axis")
    assert_one_line(info.value, "'axis'")


def test_split_dataset_vendor_all_sums_without_double_counting(
    split: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    assert split.splits_vendors and split.vendors == ("all", "hikvision", "dahua")
    table = metrics.build_table(split, resolver, areas_frame, vendor="all")
    networks = dict(zip(table.rows["name"], table.rows["networks"]))
    # Manchester: 100 + 50 (its 'all' row of 150 is not added again); Leeds: 30 + 20; Bristol: its 'all' row.
    assert networks == {"Manchester": 150, "Leeds": 50, "Bristol, City of": 70}
    assert table.national_total == 1600
    assert table.mapped_total == 270


@pytest.mark.parametrize(
    ("vendor", "expected", "national"),
    [("hikvision", {"Manchester": 100, "Leeds": 30}, 1000), ("dahua", {"Manchester": 50, "Leeds": 20}, 600)],
)
def test_split_dataset_single_vendor(
    split: datasets.Dataset,
    resolver: Resolver,
    areas_frame: gpd.GeoDataFrame,
    vendor: str,
    expected: dict,
    national: int,
) -> None:
    table = metrics.build_table(split, resolver, areas_frame, vendor=vendor)
    assert dict(zip(table.rows["name"], table.rows["networks"])) == expected
    assert table.national_total == national
    assert table.rows["share"].iloc[0] == pytest.approx(expected["Manchester"] / national)


def test_split_dataset_region_level(split: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(split, resolver, areas_frame, vendor="all", level="region")
    assert dict(zip(table.rows["name"], table.rows["networks"])) == {
        "North West": 150,
        "South West": 70,
        "Yorkshire and The Humber": 50,
    }


# -- join --------------------------------------------------------------------------------


def test_level_shapes_lad(shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="lad")
    shapes = join.level_shapes(table, areas_frame)
    assert len(shapes) == 361 - 33 + 1  # Greater London drawn once, with its own figure
    assert shapes.crs.to_epsg() == 4326
    assert int(shapes["has_data"].sum()) == 4
    with_data = shapes[shapes["has_data"]]
    assert set(with_data["code"]) == {"E12000007", "E08000025", "E08000003", "E08000012"}
    assert shapes.loc[~shapes["has_data"], "networks"].isna().all()  # no data is not zero
    assert not set(shapes["code"]) & set(resolver.resolve("London").lad_codes)  # no grey boroughs under it
    frame = join.table_frame(shapes)
    assert len(frame) == 4 and "geometry" not in frame.columns


def test_level_shapes_region_and_place(
    shipped: datasets.Dataset, resolver: Resolver, areas_frame: gpd.GeoDataFrame, place_table: metrics.Table
) -> None:
    regions = join.level_shapes(metrics.build_table(shipped, resolver, areas_frame, level="region"), areas_frame)
    assert len(regions) == 12 and int(regions["has_data"].sum()) == 3
    shapes = join.level_shapes(place_table, areas_frame)
    assert len(shapes) == 4 and shapes["has_data"].all()
    assert shapes.geometry.is_valid.all()
    payload = json.loads(join.geojson(shapes))
    assert len(payload["features"]) == 4
    assert payload["features"][0]["properties"]["name"] == "Greater London"


# -- coverage ----------------------------------------------------------------------------


def test_region_rates_use_only_the_covered_residents(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    table = metrics.build_table(dataset_from(b"place,networks\nLeeds,900\n"), resolver, areas_frame, level="region")
    yorkshire = row(table, "Yorkshire and The Humber")
    leeds = areas_frame.set_index("code").loc["E08000035"]
    region_population = areas_frame.loc[areas_frame["region_code"] == "E12000003", "population"].sum()
    assert yorkshire["covered_population"] == leeds["population"]
    assert yorkshire["population"] == region_population
    assert yorkshire["coverage"] == pytest.approx(leeds["population"] / region_population)
    assert yorkshire["per_1k"] == pytest.approx(900 / leeds["population"] * 1000)  # not the whole region's
    assert yorkshire["per_km2"] == pytest.approx(900 / leeds["area_km2"])
    assert any("Leeds only" in note and "not the whole region" in note for note in table.notes)


def test_shipped_north_west_is_manchester_and_liverpool_residents_only(shipped, resolver, areas_frame) -> None:
    table = metrics.build_table(shipped, resolver, areas_frame, level="region")
    north_west = row(table, "North West")
    covered = areas_frame.set_index("code").loc[["E08000003", "E08000012"], "population"].sum()
    assert north_west["covered_population"] == covered
    assert north_west["per_1k"] == pytest.approx(12_393 / covered * 1000)  # 11.6, not the 1.65 of the whole region
    assert north_west["coverage"] < 0.2 and row(table, "London")["coverage"] == 1


def test_uk_average_of_a_sum_of_places_uses_the_places_residents(resolver, areas_frame) -> None:
    table = metrics.build_table(dataset_from(b"place,networks\nLeeds,900\nYork,100\n"), resolver, areas_frame)
    covered = areas_frame.set_index("code").loc[["E08000035", "E06000014"], "population"].sum()
    assert table.national_total_source == "sum of places"
    assert table.uk_rates["per_1k"] == pytest.approx(1000 / covered * 1000)


@pytest.mark.parametrize("level", ["place", "lad", "region"])
def test_json_rows_carry_coverage_at_every_level(shipped, resolver, areas_frame, level) -> None:
    payload = json.loads(json.dumps(metrics.build_table(shipped, resolver, areas_frame, level=level).to_dict()))
    for record in payload["rows"]:
        assert 0 < record["coverage"] <= 1
        assert record["covered_population"] <= record["population"]
        if level != "region":
            assert record["coverage"] == 1 and record["covered_population"] == record["population"]


def test_a_unit_covering_nobody_has_no_rate() -> None:
    grouped = pd.DataFrame(
        {
            "code": ["A"],
            "name": ["Alpha"],
            "lad_codes": [("A",)],
            "networks": [5],
            "population": [1000],
            "covered_population": [0],
            "area_km2": [2.0],
            "covered_area_km2": [0.0],
        }
    )
    out = metrics.add_metrics(grouped, 100, 10_000)
    assert out["per_1k"].isna().all() and out["per_km2"].isna().all()


def test_unit_sums_equal_summing_each_units_lads_by_loc(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    # build_table sums residents and land area through array positions (fast); each unit's figures
    # must be exactly what summing its LADs' rows with .loc gives, at every level.
    names = [*list(areas_frame["name"])[::3], "London", "Wales", "Greater Manchester", "Bangor, Gwynedd"]
    csv = "place,networks\n" + "".join(f'"{name}",{i + 1}\n' for i, name in enumerate(names))
    lads = areas_frame.set_index("code")
    tables = {
        level: metrics.build_table(dataset_from(csv.encode()), resolver, areas_frame, level=level)
        for level in ("place", "lad", "region")
    }
    for level in ("place", "lad"):
        rows = tables[level].rows
        assert rows["lad_codes"].map(len).max() == 33  # London is one unit of 33 LADs
        for row in rows.itertuples(index=False):
            part = lads.loc[list(row.lad_codes)]
            assert row.population == row.covered_population == part["population"].sum()
            assert row.area_km2 == row.covered_area_km2 == part["area_km2"].sum()
    # A region covers the LADs of the place units lying wholly inside it.
    inside: dict[str, set[str]] = {}
    for codes in tables["place"].rows["lad_codes"]:
        regions = set(lads.loc[list(codes), "region_code"])
        if len(regions) == 1:
            inside.setdefault(regions.pop(), set()).update(codes)
    regions = tables["region"].rows.set_index("code")
    assert set(regions.index) == set(inside)
    for code, covered in inside.items():
        part = lads.loc[sorted(covered)]
        assert regions.loc[code, "covered_population"] == part["population"].sum()
        assert regions.loc[code, "covered_area_km2"] == part["area_km2"].sum()
        assert regions.loc[code, "population"] == lads.loc[lads["region_code"] == code, "population"].sum()
