"""Picking any candidate the app offers resolves, and a refused pick never throws the others away (issue 15, item 3).

The Data page's fix form offers, for each name that placed nothing, its candidates or
suggestions first and then every LAD name; a pick goes through ``place_choices.split_choices``
(the form's apply path) and ``places.with_choices`` (every view of the dataset). The sidebar's
places filter offers the same LAD names.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from atlas_testing import assert_one_line

from geo.core.errors import AtlasError
from geo.figures.view import resolve_selection
from geo.names import choices as place_choices
from geo.names import places
from geo.names.gazetteer import pick_town
from geo.names.index import read_aliases
from geo.names.places import Resolver

AMBIGUOUS_ALIASES = list(read_aliases().query("status == 'ambiguous'")["alias"])


def code_of(areas: gpd.GeoDataFrame) -> dict[str, str]:
    return dict(zip(areas["name"], areas["code"]))


def assert_every_offer_resolves(resolver: Resolver, name: str, offered: tuple[str, ...], codes: dict[str, str]) -> None:
    """Each offered candidate, picked for ``name`` on the apply path, places ``name`` (at that LAD when it is a LAD name)."""
    assert offered, f"nothing offered for {name!r}"
    places_meant = set()
    for candidate in offered:
        good, refused = place_choices.split_choices(resolver, {name: candidate})
        assert not refused, refused
        resolved = places.with_choices(resolver, {name: candidate}).resolve(name)
        assert resolved.status == "matched" and resolved.method == "choice", (name, candidate, resolved)
        if candidate in codes:
            assert resolved.lad_codes == (codes[candidate],), (name, candidate, resolved)
        places_meant.add(resolved.lad_codes)
    assert len(places_meant) == len(offered), f"two candidates for {name!r} mean the same place: {offered}"


def test_the_csv_has_the_ambiguous_aliases_the_issue_names() -> None:
    assert {"Newport", "Bangor"} <= set(AMBIGUOUS_ALIASES)


@pytest.mark.parametrize("alias", AMBIGUOUS_ALIASES)
def test_every_candidate_of_every_ambiguous_alias_resolves(resolver: Resolver, areas_frame, alias: str) -> None:
    result = resolver.resolve(alias)
    assert result.status == "ambiguous"
    assert_every_offer_resolves(resolver, alias, result.suggestions, code_of(areas_frame))


def test_newports_first_candidate_is_newport_in_wales(resolver: Resolver) -> None:
    """The issue's case: "Newport" picked from Newport's own list was refused ("does not resolve to a place")."""
    first = resolver.resolve("Newport").suggestions[0]
    assert first == "Newport"
    chosen = places.with_choices(resolver, {"Newport": first, "Bangor": "Gwynedd"})
    assert chosen.resolve("Newport").lad_codes == ("W06000022",)
    assert chosen.resolve("Bangor").lad_codes == ("W06000002",)


def test_every_candidate_of_every_ambiguous_gazetteer_town_resolves(resolver: Resolver, areas_frame) -> None:
    codes = code_of(areas_frame)
    towns = [
        key for key, hits in resolver.towns.items() if (pick := pick_town(hits, None)) and pick.status == "ambiguous"
    ]
    assert len(towns) > 100
    checked = 0
    for town in towns:
        result = resolver.resolve(town)
        if result.status == "ambiguous":  # an alias or LAD name of that spelling wins over the gazetteer
            assert_every_offer_resolves(resolver, town, result.suggestions, codes)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("typo", "head"), [("Bangr", "Bangor"), ("Newprt", "Newport"), ("Richmnd", "Richmond"), ("Kingstn", "Kingston")]
)
def test_a_near_miss_of_an_ambiguous_name_offers_each_place_it_may_mean(
    resolver: Resolver, areas_frame, typo: str, head: str
) -> None:
    """ "Bangr" was offered "Bangor" alone (preselected on the fix form), itself ambiguous and so refused."""
    result = resolver.resolve(typo)
    assert result.status == "unmatched"
    assert len([s for s in result.suggestions if s.startswith(head)]) >= 2
    assert_every_offer_resolves(resolver, typo, result.suggestions, code_of(areas_frame))


def test_bangr_offers_bangor_in_gwynedd_and_in_county_down(resolver: Resolver) -> None:
    assert resolver.resolve("Bangr").suggestions == ("Bangor (Gwynedd)", "Bangor (Ards and North Down)")


def test_a_name_with_an_invisible_character_offers_candidates_that_resolve(resolver: Resolver, areas_frame) -> None:
    for name in ("\u202eNewport", "Bang\u200bor"):
        result = resolver.resolve(name)
        assert result.status == "unmatched"
        assert_every_offer_resolves(resolver, name, result.suggestions, code_of(areas_frame))


def test_both_candidates_of_a_conflicting_code_resolve(resolver: Resolver) -> None:
    """A lad_code that says Leeds beside the name "London": both readings are offered, and both resolve."""
    result = resolver.resolve_many(["London"], ["E08000035"])[0]
    assert result.status == "ambiguous" and result.method == "code"
    assert set(result.suggestions) == {"Leeds", "Greater London"}
    assert_every_offer_resolves(resolver, "London", result.suggestions, {"Leeds": "E08000035"})


def test_every_lad_name_the_fix_form_lists_resolves_to_itself(resolver: Resolver, areas_frame) -> None:
    names = dict(zip(areas_frame["name"], areas_frame["code"]))
    good, refused = place_choices.split_choices(resolver, {f"row {i}": name for i, name in enumerate(names)})
    assert not refused
    assert {target: chosen.lad_codes for target, chosen in good.values()} == {
        name: (code,) for name, code in names.items()
    }


def test_a_qualified_pick_is_not_read_as_its_head(resolver: Resolver) -> None:
    """ "Newport (Isle of Wight)" is Newport on the Isle of Wight, not the LAD Newport."""
    assert resolver.choose("Newport (Isle of Wight)").lad_codes == ("E06000046",)
    assert resolver.choose("London").name == "Greater London"  # a loose LAD variant ("City of London") is not a pick


def test_the_sidebar_places_filter_accepts_every_lad_name_it_offers(resolver: Resolver, areas_frame) -> None:
    names = tuple(areas_frame["name"])
    codes, unknown = resolve_selection(names, resolver)
    assert unknown == ()
    assert "W06000022" in codes


def test_a_refused_choice_keeps_the_others(resolver: Resolver) -> None:
    picks = {"Newport": "Newport", "Bangor": "Narnia", "Manchestr": "Manchester"}
    good, refused = place_choices.split_choices(resolver, picks)
    assert set(good) == {"Newport", "Manchestr"} and set(refused) == {"Bangor"}
    line = place_choices.refused_line(refused, len(good))
    assert_one_line(
        AtlasError(line), "Bangor", "Narnia", "does not resolve to a place", "the other 2 choices were applied"
    )
    assert place_choices.refused_line({}, 3) is None


def test_a_pick_longer_than_any_place_name_is_refused_alone(resolver: Resolver) -> None:
    good, refused = place_choices.split_choices(resolver, {"Leeds": "x" * 5_000, "York": "York"})
    assert set(good) == {"York"}
    assert_one_line(AtlasError(refused["Leeds"]), "5,000 characters", "100-character")


def test_with_choices_still_refuses_what_resolves_to_nothing(resolver: Resolver) -> None:
    with pytest.raises(AtlasError) as err:
        places.with_choices(resolver, {"Manchestr": "Manchestr", "Leeds": "Leeds"})
    assert_one_line(err.value, "Manchestr", "does not resolve to a place")


def test_a_resolver_with_choices_does_not_change_what_the_shared_one_offers(areas_frame) -> None:
    """Suggestions expanded by a resolver where "Bangor" is chosen (so not ambiguous) never reach another."""
    fresh = places.build_resolver(areas_frame)
    chosen = places.with_choices(fresh, {"Bangor": "Gwynedd"})
    assert chosen.resolve("Bangr").suggestions == ("Bangor",)  # in that dataset "Bangor" is a place
    assert fresh.resolve("Bangr").suggestions == ("Bangor (Gwynedd)", "Bangor (Ards and North Down)")
