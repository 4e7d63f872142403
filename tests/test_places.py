"""geo.names.places: place names to LAD codes, every resolution rule, never a silent fuzzy match."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from atlas_testing import assert_one_line

from geo.core.errors import AtlasError
from geo.names import keys as names
from geo.names import places
from geo.names.gazetteer import load_towns
from geo.names.index import read_aliases
from geo.names.keys import normalise_name, place_key
from geo.names.places import Resolver
from geo.names.resolution import Resolution

LONDON_CODES = tuple(f"E090000{i:02d}" for i in range(1, 34))


def matched(resolver: Resolver, name: str, lad_code: str | None = None) -> Resolution:
    result = resolver.resolve(name, lad_code)
    assert result.status == "matched", result
    return result


# -- explicit GSS codes ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["E08000003", "e08000003", " E08000003 "])
def test_code_as_name(resolver: Resolver, name: str) -> None:
    result = matched(resolver, name)
    assert result.lad_codes == ("E08000003",)
    assert result.name == "Manchester"
    assert result.method == "code"


def test_code_column_wins_over_name(resolver: Resolver) -> None:
    result = matched(resolver, "Somewhere in Manchester", "E08000003")
    assert (result.lad_codes, result.method) == (("E08000003",), "code")
    # An empty or NaN code falls back to the name.
    assert matched(resolver, "Leeds", "").lad_codes == ("E08000035",)
    assert matched(resolver, "Leeds", "nan").lad_codes == ("E08000035",)


def test_region_code_expands_to_its_lads(resolver: Resolver, areas_frame: gpd.GeoDataFrame) -> None:
    london = matched(resolver, "E12000007")
    assert london.lad_codes == LONDON_CODES
    assert london.name == "Greater London"
    north_west = matched(resolver, "Places", "E12000002")
    assert set(north_west.lad_codes) == set(areas_frame.loc[areas_frame["region_code"] == "E12000002", "code"])
    assert len(matched(resolver, "W92000004").lad_codes) == 22
    assert len(matched(resolver, "S92000003").lad_codes) == 32
    assert len(matched(resolver, "N92000002").lad_codes) == 11
    assert len(matched(resolver, "E92000001").lad_codes) == 296


def test_uk_code_is_national(resolver: Resolver) -> None:
    result = matched(resolver, "K02000001")
    assert result.national and result.lad_codes == ()


@pytest.mark.parametrize(("name", "code"), [("E08999999", None), ("Manchester", "E08999999"), ("x", "E07000187")])
def test_unknown_code_unmatched(resolver: Resolver, name: str, code: str | None) -> None:
    result = resolver.resolve(name, code)
    assert result.status == "unmatched"
    assert result.lad_codes == ()
    assert "unknown GSS code" in result.note


# -- curated aliases ---------------------------------------------------------------------


def test_london_is_greater_london(resolver: Resolver) -> None:
    london = matched(resolver, "London")
    assert london.lad_codes == LONDON_CODES
    assert len(london.lad_codes) == 33
    assert london.method == "alias"
    assert london.name == "Greater London"
    assert matched(resolver, "Greater London").lad_codes == LONDON_CODES


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Hull", "E06000010"),
        ("Brighton", "E06000043"),
        ("Hove", "E06000043"),
        ("Bristol", "E06000023"),
        ("Edinburgh", "S12000036"),
        ("Glasgow", "S12000049"),
        ("Aberdeen", "S12000033"),
        ("Dundee", "S12000042"),
        ("Derry", "N09000005"),
        ("Londonderry", "N09000005"),
        ("Derry/Londonderry", "N09000005"),
        ("Bournemouth", "E06000058"),
        ("Poole", "E06000058"),
        ("Newcastle", "E08000021"),
        ("Stoke", "E06000021"),
        ("Southend", "E06000033"),
        ("Durham", "E06000047"),
        ("Ynys Môn", "W06000001"),
    ],
)
def test_aliases(resolver: Resolver, name: str, code: str) -> None:
    result = matched(resolver, name)
    assert result.lad_codes == (code,)
    assert result.method == "alias"


def test_aberdeen_is_not_aberdeenshire(resolver: Resolver) -> None:
    assert matched(resolver, "Aberdeen").lad_codes == ("S12000033",)
    assert matched(resolver, "Aberdeenshire").lad_codes == ("S12000034",)


@pytest.mark.parametrize("name", ["United Kingdom", "UK", "U.K.", "united kingdom"])
def test_national_total(resolver: Resolver, name: str) -> None:
    result = matched(resolver, name)
    assert result.national is True
    assert result.lad_codes == ()
    assert result.name == "United Kingdom"


def test_aliases_file_columns() -> None:
    table = read_aliases()
    assert {"alias", "target", "status", "note"} <= set(table.columns)
    assert set(table["status"]) <= {"matched", "ambiguous", "national"}
    keys = table["alias"].map(place_key)
    assert keys.is_unique, keys[keys.duplicated()].tolist()


def test_alias_to_unknown_code_is_refused(areas_frame: gpd.GeoDataFrame) -> None:
    aliases = pd.DataFrame({"alias": ["Nowhere"], "target": ["E07000187"], "status": ["matched"], "note": [""]})
    towns = pd.DataFrame(
        columns=["geonameid", "name", "alternatenames", "population", "latitude", "longitude", "lad_code"]
    )
    with pytest.raises(AtlasError) as info:
        places.build_resolver(areas_frame, aliases=aliases, towns=towns)
    assert_one_line(info.value, "aliases row 2", "E07000187")


# -- LAD names, exact and normalised -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Manchester", "E08000003"),
        ("MANCHESTER", "E08000003"),
        ("  manchester  ", "E08000003"),
        ("Newcastle-under-Lyme", "E07000195"),
        ("newcastle-under-lyme", "E07000195"),
        ("Newcastle under Lyme", "E07000195"),
        ("St Albans", "E07000240"),
        ("St. Albans", "E07000240"),
        ("Saint Albans", "E07000240"),
        ("St Helens", "E08000013"),
        ("St. Helens", "E08000013"),
        ("Saint Helens", "E08000013"),
        ("Brighton & Hove", "E06000043"),
        ("Brighton and Hove", "E06000043"),
        ("Redcar & Cleveland", "E06000003"),
        ("City of Edinburgh", "S12000036"),
        ("City of London", "E09000001"),
        ("City of Westminster", "E09000033"),
        ("Glasgow City", "S12000049"),
        ("Manchester (UK)", "E08000003"),
        ("Leeds, England", "E08000035"),
        ("Leeds, UK", "E08000035"),
        ("Bristol, City of", "E06000023"),
        ("Kingston upon Hull, City of", "E06000010"),
        ("Herefordshire, County of", "E06000019"),
        ("Orkney", "S12000023"),
        ("Anglesey", "W06000001"),
        ("Na h-Eileanan Siar", "S12000013"),
    ],
)
def test_lad_names(resolver: Resolver, name: str, code: str) -> None:
    result = matched(resolver, name)
    assert result.lad_codes == (code,)
    assert result.method in {"lad_name", "alias"}


def test_exact_lad_name_method(resolver: Resolver) -> None:
    result = matched(resolver, "Croydon")
    assert (result.lad_codes, result.method, result.name) == (("E09000008",), "lad_name", "Croydon")


def test_every_lad_name_resolves_to_itself_or_is_a_known_ambiguity(
    resolver: Resolver, areas_frame: gpd.GeoDataFrame
) -> None:
    ambiguous_by_design = {"Newport"}  # curated: Wales, Isle of Wight or Shropshire
    for code, name in zip(areas_frame["code"], areas_frame["name"]):
        result = resolver.resolve(name)
        if name in ambiguous_by_design:
            assert result.status == "ambiguous"
            continue
        assert result.lad_codes == (code,), (name, result)


# -- gazetteer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ilford", "E09000026"),  # Redbridge
        ("Sutton Coldfield", "E08000025"),  # Birmingham
        ("Romford", "E09000016"),  # Havering
        ("Caerdydd", "W06000015"),  # Cardiff (Welsh name, a GeoNames alternate)
        ("Lerwick", "S12000027"),  # Shetland Islands
        ("Enniskillen", "N09000006"),  # Fermanagh and Omagh
        ("Huddersfield", "E08000034"),  # Kirklees
        ("Stornoway", "S12000013"),  # Na h-Eileanan Siar
    ],
)
def test_gazetteer_towns(resolver: Resolver, name: str, code: str) -> None:
    result = matched(resolver, name)
    assert result.lad_codes == (code,)
    assert result.method == "gazetteer"
    assert result.note and "lies in" in result.note


def test_gazetteer_points_lie_in_their_lad(areas_frame: gpd.GeoDataFrame) -> None:
    towns = load_towns(areas_frame)
    assert set(towns["lad_code"]) <= set(areas_frame["code"])
    assert len(towns) > 3000
    ilford = towns[towns["name"] == "Ilford"]
    assert set(ilford["lad_code"]) == {"E09000026"}


def test_kensington_is_not_silently_liverpool(resolver: Resolver) -> None:
    result = resolver.resolve("Kensington")
    assert result.lad_codes != ("E08000012",)
    assert result.lad_codes == ("E09000020",) or (
        result.status == "ambiguous" and "Kensington and Chelsea" in result.suggestions
    )


# -- ambiguous, unmatched, fuzzy ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Newport", {"Newport", "Isle of Wight", "Telford and Wrekin"}),
        ("Bangor", {"Gwynedd", "Ards and North Down"}),
        ("Richmond", {"Richmond upon Thames", "North Yorkshire"}),
        ("Kingston", {"Kingston upon Thames", "Kingston upon Hull, City of"}),
    ],
)
def test_ambiguous_aliases(resolver: Resolver, name: str, candidates: set[str]) -> None:
    result = resolver.resolve(name)
    assert result.status == "ambiguous"
    assert result.lad_codes == ()
    assert result.name is None
    assert candidates <= set(result.suggestions)
    assert result.note


def test_ambiguous_gazetteer_town(resolver: Resolver) -> None:
    result = resolver.resolve("Stratford")  # Newham (London) or Stratford-on-Avon
    assert result.status == "ambiguous"
    assert result.method == "gazetteer"
    assert result.lad_codes == ()
    assert {"Newham", "Stratford-on-Avon"} <= set(result.suggestions)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Manchestr", "Manchester"), ("Liverpol", "Liverpool"), ("Brimingham", "Birmingham"), ("Lundon", "London")],
)
def test_misspelling_is_suggested_never_matched(resolver: Resolver, name: str, suggestion: str) -> None:
    result = resolver.resolve(name)
    assert result.status == "unmatched"
    assert result.lad_codes == ()
    assert result.method is None
    assert suggestion in result.suggestions
    assert len(result.suggestions) <= 5


def test_nonsense_is_unmatched_without_suggestions(resolver: Resolver) -> None:
    result = resolver.resolve("Xyzzy Qwfp")
    assert (result.status, result.lad_codes, result.suggestions) == ("unmatched", (), ())


@pytest.mark.parametrize("name", ["Jersey", "Guernsey", "Isle of Man", "Paris"])
def test_places_outside_the_uk_are_unmatched(resolver: Resolver, name: str) -> None:
    assert resolver.resolve(name).status == "unmatched"


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name(resolver: Resolver, name: str | None) -> None:
    result = resolver.resolve(name)
    assert result.status == "unmatched"
    assert result.lad_codes == ()
    assert result.note == "empty place name"


@pytest.mark.parametrize("name", ["???", "---", "!!!", "(UK)", ", England", "… ‽ ¿"])
def test_a_name_that_normalises_to_nothing_is_unmatched_with_a_note(resolver: Resolver, name: str) -> None:
    result = resolver.resolve(name)
    assert (result.status, result.lad_codes, result.suggestions) == ("unmatched", (), ())
    assert_one_line(AtlasError(result.note), f"'{name}'", "holds no place name", "type the place's name")


def test_resolve_many_and_to_dict(resolver: Resolver) -> None:
    results = resolver.resolve_many(["Hull", "Ilford", "Newport", "Manchestr"])
    assert [r.status for r in results] == ["matched", "matched", "ambiguous", "unmatched"]
    payload = results[0].to_dict()
    assert {"input", "status", "lad_codes", "name", "method", "suggestions"} <= set(payload)
    assert payload["lad_codes"] == ["E06000010"] and payload["suggestions"] == []
    assert payload["input"] == "Hull"


def test_display_name(resolver: Resolver) -> None:
    assert resolver.display_name(LONDON_CODES) == "Greater London"
    assert resolver.display_name(["E08000003"]) == "Manchester"
    assert resolver.display_name(["E08000012", "E08000003"]) == "Manchester + Liverpool"


# -- user choices ------------------------------------------------------------------------


def test_with_choices_turns_unmatched_into_matched(resolver: Resolver) -> None:
    assert resolver.resolve("Manchestr").status == "unmatched"
    chosen = places.with_choices(resolver, {"Manchestr": "Manchester", "Newport": "W06000022"})
    result = chosen.resolve("Manchestr")
    assert (result.status, result.lad_codes, result.method) == ("matched", ("E08000003",), "choice")
    assert chosen.resolve("newport").lad_codes == ("W06000022",)
    # The original resolver is untouched.
    assert resolver.resolve("Manchestr").status == "unmatched"
    assert resolver.resolve("Newport").status == "ambiguous"


def test_with_choices_refuses_an_unresolvable_target(resolver: Resolver) -> None:
    with pytest.raises(AtlasError) as info:
        places.with_choices(resolver, {"Manchestr": "Manchestr"})
    assert_one_line(info.value, "Manchestr", "pick a LAD name or code")


# -- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Manchester", "manchester"),
        ("  MANCHESTER ", "manchester"),
        ("Manchester (UK)", "manchester"),
        ("Leeds, England", "leeds"),
        ("Leeds, U.K.", "leeds"),
        ("Bristol, City of", "bristol"),
        ("Saint Albans", "st albans"),
        ("St. Albans", "st albans"),
        ("Brighton & Hove", "brighton and hove"),
        ("Newcastle-under-Lyme", "newcastle under lyme"),
        ("Stoke-on-Trent", "stoke on trent"),
        ("King's Lynn", "king s lynn"),
        ("King’s Lynn", "king s lynn"),
        ("Ynys Môn", "ynys mon"),
        ("Na h-Eileanan Siar", "na h eileanan siar"),
        ("Derry/Londonderry", "derry londonderry"),
    ],
)
def test_normalise_name(raw: str, key: str) -> None:
    assert normalise_name(raw) == key


NORMALISE_EXAMPLES = [
    "Manchester (UK)",
    "Leeds, England",
    "Bristol, City of",
    "Saint Helens",
    "St. Helens",
    "Brighton & Hove",
    "Kingston-upon-Hull",
    "  Milton   Keynes ",
    "Ynys Môn",
    "Weston-super-Mare",
    "Derry/Londonderry",
    "King’s Lynn",
    "Leeds (West Yorkshire), UK",
    "uk, ",
    ", uk",
    "a,b,c",
    "((London))",
    "[Bath]",
    "Saint-Saint",
    "İstanbul",
    "ﬁfe",
    "Straße",
    "ÅLAND",
    "x_y-z.w",
    "Newport, Wales",
    "city of, uk",
    "St, UK",
    "Ça va",
    "\t Hull \n",
    "",
    "&&&",
    "Sutton-in-Ashfield",
]


@pytest.mark.parametrize("raw", NORMALISE_EXAMPLES)
def test_normalise_name_idempotent(raw: str) -> None:
    once = normalise_name(raw)
    assert normalise_name(once) == once


# -- real-world spellings ----------------------------------------------------------------

REAL_WORLD = {
    "Stoke": "E06000021",
    "Stoke-on-Trent": "E06000021",
    "Stoke on Trent": "E06000021",
    "Kingston upon Hull": "E06000010",
    "Kingston-upon-Hull": "E06000010",
    "Hull, UK": "E06000010",
    "Newcastle upon Tyne": "E08000021",
    "Newcastle-upon-Tyne": "E08000021",
    "Edinburgh, Scotland": "S12000036",
    "BELFAST": "N09000003",
    "cardiff": "W06000015",
    "Cardiff, Wales": "W06000015",
    "Milton Keynes": "E06000042",
    "Southend-on-Sea": "E06000033",
    "Southend on Sea": "E06000033",
    "St. Albans": "E07000240",
    "Weston-super-Mare": "E06000024",
    "Weston super Mare": "E06000024",
    "Bath": "E06000022",
    "Birmingham, UK": "E08000025",
    "Manchester": "E08000003",
    "Liverpool": "E08000012",
    "Leeds": "E08000035",
    "Sheffield": "E08000019",
    "Glasgow, Scotland": "S12000049",
    "Aberdeen": "S12000033",
    "Inverness": "S12000017",
    "Swansea": "W06000011",
    "Wrexham": "W06000006",
    "Lisburn": "N09000007",
    "Northampton": "E06000062",
    "Huddersfield": "E08000034",
    "West Bromwich": "E08000028",
    "Harrogate": "E06000065",
    "Chester": "E06000050",
    "Basingstoke": "E07000084",
    "Torquay": "E06000027",
    "Truro": "E06000052",
    "Paisley": "S12000038",
    "Kirkcaldy": "S12000047",
    "Newry": "N09000010",
    "Llandudno": "W06000003",
    "Aberystwyth": "W06000008",
    "Stratford-upon-Avon": "E07000221",
    "Bury St Edmunds": "E07000245",
    "King's Lynn": "E07000146",
    "Kings Lynn": "E07000146",
    "Croydon": "E09000008",
    "Westminster": "E09000033",
    "Salford": "E08000006",
}


@pytest.mark.parametrize(("name", "code"), sorted(REAL_WORLD.items()))
def test_real_world_spellings(resolver: Resolver, name: str, code: str) -> None:
    assert matched(resolver, name).lad_codes == (code,)


def test_resolver_memoises_by_key(resolver: Resolver) -> None:
    first = resolver.resolve("Ilford")
    again = resolver.resolve("ILFORD ")
    assert again.lad_codes == first.lad_codes
    assert again.input == "ILFORD "  # the input is echoed as given


@pytest.mark.parametrize(
    ("official", "shown"),
    [
        ("Bristol, City of", "Bristol"),
        ("Kingston upon Hull, City of", "Kingston upon Hull"),
        ("Herefordshire, County of", "Herefordshire"),
        ("Glasgow City", "Glasgow City"),
        ("City of London", "City of London"),
        ("Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch and Poole"),
        ("Armagh City, Banbridge and Craigavon", "Armagh City, Banbridge and Craigavon"),
    ],
)
def test_display_name_uninverts_only_the_ons_tails(official: str, shown: str) -> None:
    assert names.display_name(official) == shown
