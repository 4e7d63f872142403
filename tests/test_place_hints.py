"""Qualifiers as hints, GSS codes as written, lad_code against the name, and the shared memo."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pandas as pd
import pytest

from geo.names import places
from geo.names.keys import canonical_code, place_key, split_qualifiers
from geo.names.places import Resolver


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Bangor (Gwynedd)", "W06000002"),
        ("Bangor, Gwynedd", "W06000002"),
        ("Bangor (Ards and North Down)", "N09000011"),
        ("Bangor (County Down)", "N09000011"),
        ("Newport, Wales", "W06000022"),
        ("Newport (Isle of Wight)", "E06000046"),
        ("Newport, Shropshire", "E06000020"),
        ("Richmond (North Yorkshire)", "E06000065"),
        ("Richmond, London", "E09000027"),
        ("Kingston (Greater London)", "E09000021"),
        ("Leeds (West Yorkshire), UK", "E08000035"),
        ("Sevenoaks, Kent", "E07000111"),
        ("London (Camden)", "E09000007"),
        ("Armagh City, Banbridge and Craigavon", "N09000002"),
    ],
)
def test_qualifier_picks_the_place_inside_it(resolver: Resolver, raw: str, code: str) -> None:
    result = resolver.resolve(raw)
    assert result.status == "matched", result
    assert result.lad_codes == (code,)


def test_qualifier_that_excludes_the_place_is_reported(resolver: Resolver) -> None:
    result = resolver.resolve("Leeds, Scotland")
    assert result.status == "unmatched"
    assert "Leeds" in result.suggestions
    assert "no place called Leeds in Scotland" in result.note


def test_unknown_qualifier_keeps_the_name_and_says_so(resolver: Resolver) -> None:
    result = resolver.resolve("Manchester (Planet Zog)")
    assert result.status == "matched" and result.lad_codes == ("E08000003",)
    assert "Planet Zog" in result.note


def test_whole_uk_qualifier_narrows_nothing(resolver: Resolver) -> None:
    assert resolver.resolve("Manchester (UK)").lad_codes == ("E08000003",)
    assert resolver.resolve("Bangor, UK").status == "ambiguous"


def test_split_qualifiers_and_keys() -> None:
    assert split_qualifiers("Bangor (Gwynedd)") == ("Bangor", ("Gwynedd",))
    assert split_qualifiers("Bristol, City of") == ("Bristol", ())
    assert place_key("Bangor (Gwynedd)") != place_key("Bangor (Ards and North Down)")
    assert place_key("Bangor (Gwynedd)") == place_key("bangor, GWYNEDD")
    assert place_key(" LEEDS ") == place_key("Leeds")
    assert place_key("E08000035.") == place_key("e08000035")


@pytest.mark.parametrize("raw", ["E06000001", "e06000001", " E06000001.", "E06000001!", "(E06000001)"])
def test_codes_as_people_write_them(raw: str) -> None:
    assert canonical_code(raw) == "E06000001"


@pytest.mark.parametrize("raw", ["E0600001", "X06000001", "Hartlepool", "E06000001x"])
def test_not_codes(raw: str) -> None:
    assert canonical_code(raw) is None


def test_lad_code_that_contradicts_the_name_is_reported(resolver: Resolver) -> None:
    result = resolver.resolve("Birmingham", "E08000035")
    assert result.status == "ambiguous"
    assert set(result.suggestions) == {"Leeds", "Birmingham"}
    assert "E08000035" in result.note and "Birmingham" in result.note


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ilford", "E09000026"),
        ("London", "E09000007"),
        ("", "E08000035"),
        ("Manchestr", "E08000003"),
        ("Bangor", "W06000002"),
    ],
)
def test_lad_code_that_agrees_or_decides_wins(resolver: Resolver, name: str, code: str) -> None:
    result = resolver.resolve(name, code)
    assert result.status == "matched" and result.lad_codes == (code,)


def test_lad_code_written_loosely(resolver: Resolver) -> None:
    assert resolver.resolve("Leeds", " e08000035. ").lad_codes == ("E08000035",)


def test_users_choice_settles_a_contradiction(resolver: Resolver) -> None:
    chosen = places.with_choices(resolver, {"Birmingham": "Leeds"})
    assert chosen.resolve("Birmingham", "E08000035").lad_codes == ("E08000035",)


def test_choice_for_a_qualified_name_does_not_touch_the_bare_name(resolver: Resolver) -> None:
    chosen = places.with_choices(resolver, {"Bangor (somewhere)": "Gwynedd"})
    assert chosen.resolve("Bangor (somewhere)").lad_codes == ("W06000002",)
    assert chosen.resolve("Bangor").status == "ambiguous"


def test_one_lookup_never_changes_another(areas_frame: gpd.GeoDataFrame) -> None:
    # Regression: the shared memo was keyed by the normalised name while the code rule read
    # the raw text, so '/?place=E06000001.' made every later 'E06000001' "not found".
    fresh = places.build_resolver(areas_frame)
    for spelling in ("E06000001.", "e06000003!", "E08000035."):
        fresh.resolve(spelling)
    assert fresh.resolve("E06000001").lad_codes == ("E06000001",)
    assert fresh.resolve("E06000003").lad_codes == ("E06000003",)
    assert fresh.resolve("e08000035").lad_codes == ("E08000035",)
    fresh.resolve("Bangor (Gwynedd)")
    assert fresh.resolve("Bangor").status == "ambiguous"
    assert fresh.resolve("Bangor (Ards and North Down)").lad_codes == ("N09000011",)


def test_memo_is_bounded(areas_frame: gpd.GeoDataFrame) -> None:
    fresh = places.build_resolver(areas_frame)
    fresh.memo.size = 50
    for i in range(200):
        fresh.resolve(f"Nowhere {i}")
    assert len(fresh.memo) == 50
    assert fresh.resolve("Leeds").lad_codes == ("E08000035",)


def test_concurrent_sessions_get_the_same_answers(areas_frame: gpd.GeoDataFrame) -> None:
    fresh = places.build_resolver(areas_frame)
    names = ["Leeds", "E06000001.", "Bangor (Gwynedd)", "Manchestr", "Bangor", "Ilford", "e06000003!"] * 40
    reference = places.build_resolver(areas_frame)
    expected = [reference.resolve(n) for n in names]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(fresh.resolve, names))
    assert got == expected


def test_counties_come_from_the_ons_table(areas_frame: gpd.GeoDataFrame) -> None:
    kent = areas_frame[areas_frame["county_name"] == "Kent"]
    assert len(kent) == 12 and "Sevenoaks" in set(kent["name"])
    manchester = areas_frame.set_index("code").loc["E08000003"]
    assert manchester["county_name"] == "Greater Manchester"
    assert pd.isna(areas_frame.set_index("code").loc["E06000023", "county_code"])  # a unitary authority
    assert areas_frame["county_code"].notna().sum() == 200  # 164 + 36 two-tier districts


def test_resolve_many_equals_one_by_one(areas_frame: gpd.GeoDataFrame) -> None:
    names = [
        "Manchestr",
        "Leeds",
        "Lverpool",
        "qwzx",
        "Bangor",
        "Bangor (Nowhere)",
        "Sheffeld, England",
        "E06000001.",
        "",
    ]
    codes = [None, "E08000035", None, None, "W06000002", None, None, None, "E08000003"]
    one = places.build_resolver(areas_frame)
    many = places.build_resolver(areas_frame)
    assert many.resolve_many(names, codes) == [one.resolve(n, c) for n, c in zip(names, codes)]
    assert many.resolve("Manchestr").suggestions[0] == "Manchester"
