"""Names that do not show what they are: invisible characters and names that normalise to nothing.

A name with a bidi override, a zero-width character or a control would share the key of the
name it imitates; it must never resolve silently. A name of punctuation only must never share
an entry with another.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from atlas_testing import assert_one_line

from geo.core.errors import AtlasError
from geo.names import places
from geo.names.places import Resolver

LEEDS = "E08000035"

HIDDEN = {
    "\u202eLeeds": "U+202E",  # right-to-left override
    "Leeds\u202c": "U+202C",  # pop directional formatting
    "\u2066Leeds\u2069": "U+2066, U+2069",  # isolates
    "Lee\u200bds": "U+200B",  # zero-width space
    "Lee\u200dds": "U+200D",  # zero-width joiner (unmatched before too: keep the suggestion)
    "\ufeffLeeds": "U+FEFF",  # byte order mark
    "Le\u00adeds": "U+00AD",  # soft hyphen
    "Leeds\x00": "U+0000",
    "\x1bLeeds": "U+001B",
}


@pytest.mark.parametrize(("name", "labels"), sorted(HIDDEN.items()))
def test_a_name_with_invisible_characters_never_resolves_silently(resolver: Resolver, name: str, labels: str) -> None:
    result = resolver.resolve(name)
    assert (result.status, result.lad_codes) == ("unmatched", ())
    assert result.suggestions == ("Leeds",)  # the name as it looks, offered, not applied
    message = assert_one_line(AtlasError(result.note), labels, "type the name without")
    assert "invisible" in message
    assert result.input == name  # the input is echoed as given


@pytest.mark.parametrize("code", ["\u202eE08000035", "E08000035\u200b", "\u2066e08000035\u2069"])
def test_a_code_with_invisible_characters_is_not_a_code(resolver: Resolver, code: str) -> None:
    result = resolver.resolve(code)
    assert result.status == "unmatched" and result.suggestions == (code.strip("\u202e\u200b\u2066\u2069"),)
    assert "invisible" in result.note


def test_the_visible_name_is_suggested_even_when_it_is_ambiguous(resolver: Resolver) -> None:
    result = resolver.resolve("\u202eNewport")
    assert result.status == "unmatched"
    assert "Newport" in result.suggestions and "U+202E" in result.note


def test_a_lad_code_with_invisible_characters_places_nothing(resolver: Resolver) -> None:
    result = resolver.resolve("Leeds", "\u202e" + LEEDS)
    assert result.status == "unmatched"
    message = assert_one_line(AtlasError(result.note), "lad_code", "U+202E", "type the code without")
    assert "\u202e" not in message and "\\u202e" in message  # quoted as text, never raw


def test_a_lad_code_places_a_row_whose_name_hides_characters_and_says_so(resolver: Resolver) -> None:
    result = resolver.resolve("\u202eLeeds", LEEDS)
    assert (result.status, result.lad_codes) == ("matched", (LEEDS,))
    assert "U+202E" in result.note


def test_resolve_many_agrees_with_resolve(areas_frame: gpd.GeoDataFrame) -> None:
    names = [*HIDDEN, "\u202eManchestr", "???", "---", "Leeds", "\u202eNewport"]
    many = places.build_resolver(areas_frame).resolve_many(names)
    one = places.build_resolver(areas_frame)
    assert many == [one.resolve(n) for n in names]
    assert many[names.index("\u202eManchestr")].suggestions[0] == "Manchester"


def test_a_choice_for_a_hidden_name_is_for_that_text_only(resolver: Resolver) -> None:
    chosen = places.with_choices(resolver, {"\u202eLeeds": "York"})
    assert chosen.resolve("\u202eLeeds").lad_codes == ("E06000014",)
    assert chosen.resolve("\u202eLeeds").method == "choice"
    assert chosen.resolve("Leeds").lad_codes == (LEEDS,)  # the name it imitates is untouched
    assert chosen.resolve("\u202eLeeds", LEEDS).method == "choice"  # the user settled it


def test_names_of_punctuation_only_never_share_an_entry(resolver: Resolver) -> None:
    chosen = places.with_choices(resolver, {"???": "York", "!!!": "Leeds"})
    assert chosen.resolve("???").lad_codes == ("E06000014",)
    assert chosen.resolve("!!!").lad_codes == (LEEDS,)
    assert chosen.resolve("---").status == "unmatched"


def test_a_choice_naming_a_hidden_target_is_refused_quoting_it_safely(resolver: Resolver) -> None:
    with pytest.raises(AtlasError) as info:
        places.with_choices(resolver, {"Manchestr": "\u202eManchester"})
    message = assert_one_line(info.value, "does not resolve", "pick a LAD name or code")
    assert "\u202e" not in message and "\\u202eManchester" in message


def test_a_flood_of_quiet_lookups_leaves_the_shared_memo_alone(areas_frame: gpd.GeoDataFrame) -> None:
    fresh = places.build_resolver(areas_frame)
    fresh.resolve("Manchestr")
    before = len(fresh.memo)
    results = [fresh.resolve(f"Nowhere {i}", suggest=False) for i in range(300)]
    assert {r.status for r in results} == {"unmatched"} and not any(r.suggestions for r in results)
    assert len(fresh.memo) == before
    assert fresh.resolve("Manchestr", suggest=False).suggestions[0] == "Manchester"  # what is known is still read
    assert fresh.resolve("Nowhere 1").status == "unmatched"


def test_the_cli_quotes_invisible_characters_in_resolve_and_place_messages(capsys) -> None:
    """Text mode and --place errors write a bidi override out (\\u202e), never raw."""
    import geo.cli.main as cli

    assert cli.main(["resolve", "\u202eLeeds"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202eLeeds" in out and "U+202E" in out
    assert cli.main(["snapshot", "--place", "\u202eLeeds", "--out", "never.png"]) == 2
    err = capsys.readouterr().err
    assert "\u202e" not in err and "\\u202eLeeds" in err and len(err.strip().splitlines()) == 1
