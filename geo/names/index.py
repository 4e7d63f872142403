"""The lookup tables a place resolver reads: curated aliases, LAD names, groups of LADs and qualifier scopes.

Built once from the areas frame and ``data/place_aliases.csv`` by :func:`geo.names.places.build_resolver`;
each table maps a normalised key (see :mod:`geo.names.keys`) to an :class:`Entry`, a resolution
target independent of how the input was spelt. :func:`hidden_entry` and :func:`nothing_entry`
are the answers for names the resolver will not look up: one with invisible characters, one
that normalises to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from geo import settings
from geo.core.errors import AtlasError
from geo.core.text import shown
from geo.names.gazetteer import Town
from geo.names.keys import name_variants, normalise_name, place_key, split_qualifiers
from geo.official import sources

ALIASES_PATH = settings.shipped_dir() / "place_aliases.csv"

Status = Literal["matched", "ambiguous", "unmatched"]


@dataclass(frozen=True)
class Entry:
    """A resolution target independent of the input spelling."""

    status: Status
    lad_codes: tuple[str, ...]
    name: str | None
    method: str | None
    suggestions: tuple[str, ...] = ()
    national: bool = False
    note: str | None = None
    candidates: tuple[str, ...] = ()  # LAD codes an ambiguous name may mean
    town: Town | None = None  # a gazetteer match only: its count is the town's, not its LAD's


# Names for groups of LADs: official region and nation names, except that the London
# region is "Greater London" when it stands for the place London.
GROUP_LABELS = {**sources.REGION_NAMES, **sources.NATION_CODES, "E12000007": "Greater London"}


def read_aliases(path: Path | str = ALIASES_PATH) -> pd.DataFrame:
    """The curated aliases table: ``alias, target, status, note``."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"alias", "target", "status"} - set(table.columns)
    if missing:
        raise AtlasError(f"aliases file {path} lacks column(s) {', '.join(sorted(missing))}: add them")
    return table


def group_codes(areas: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for column in ("region_code", "nation_code", "county_code"):
        if column not in areas.columns:
            continue
        for code, members in areas.dropna(subset=[column]).groupby(column)["code"]:
            groups[str(code)] = tuple(sorted(members))
    return groups


def alias_entries(
    aliases: pd.DataFrame, lad_names: dict[str, str], groups: dict[str, tuple[str, ...]]
) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for row_number, row in enumerate(aliases.itertuples(index=False), start=2):
        targets = row.target.split()
        codes: list[str] = []
        national = False
        for target in targets:
            if target == sources.UK_CODE:
                national = True
            elif target in lad_names:
                codes.append(target)
            elif target in groups:
                codes.extend(groups[target])
            else:
                raise AtlasError(
                    f"aliases row {row_number}: unknown code {target}; use LAD, region or nation GSS codes"
                )
        note = getattr(row, "note", "") or None
        if row.status == "national" or national:
            entry = Entry("matched", (), "United Kingdom", "alias", national=True, note=note)
        elif row.status == "ambiguous":
            entry = Entry(
                "ambiguous",
                (),
                None,
                "alias",
                suggestions=tuple(lad_names[c] for c in codes),
                note=note,
                candidates=tuple(codes),
            )
        else:
            name = GROUP_LABELS.get(targets[0]) if len(targets) == 1 and targets[0] in groups else None
            entry = Entry(
                "matched",
                tuple(sorted(set(codes))),
                name or " + ".join(lad_names[c] for c in codes),
                "alias",
                note=note,
            )
        # Qualified aliases ("Newport (Shropshire)") are keyed with their qualifier.
        entries[place_key(row.alias) if split_qualifiers(row.alias)[1] else normalise_name(row.alias)] = entry
    return entries


def lad_name_entries(lad_names: dict[str, str]) -> dict[str, Entry]:
    exact: dict[str, Entry] = {}
    loose: dict[str, list[str]] = defaultdict(list)
    for code, name in lad_names.items():
        variants = name_variants(normalise_name(name))
        exact[variants[0]] = Entry("matched", (code,), name, "lad_name")
        for variant in variants[1:]:
            loose[variant].append(code)
    for variant, codes in loose.items():
        # A loose key never overrides an exact LAD name and must point at one LAD only.
        if variant not in exact and len(codes) == 1:
            exact[variant] = Entry("matched", (codes[0],), lad_names[codes[0]], "lad_name")
    return exact


def scopes(
    areas: pd.DataFrame, lad_entries: dict[str, Entry], alias_entries: dict[str, Entry]
) -> dict[str, tuple[str, ...]]:
    """What a qualifier can name: a nation, region, county, LAD or curated area."""
    scopes: dict[str, tuple[str, ...]] = {}
    for key, entry in {**alias_entries, **lad_entries}.items():
        if entry.status == "matched" and not entry.national and "|" not in key:
            scopes[key] = entry.lad_codes
    for code_column, name_column in (
        ("county_code", "county_name"),
        ("region_code", "region_name"),
        ("nation_code", "nation_name"),
    ):
        if name_column not in areas.columns:
            continue
        for name, members in areas.dropna(subset=[code_column]).groupby(name_column)["code"]:
            scopes[normalise_name(name)] = tuple(sorted(members))
    return scopes


def hidden_entry(hidden: list[str], cleaned: Entry | None, cleaned_text: str) -> Entry:
    """A name with invisible characters (``hidden``, as ``U+XXXX``): unmatched, never resolved silently.

    Its key would be the visible name's ("\\u202eLeeds" normalises to "leeds"), so it would
    pass for a name it does not look like. The name without them (``cleaned_text``, resolved as
    ``cleaned``) is the suggestion when it matches; otherwise its own suggestions are.
    """
    one = len(hidden) == 1
    note = (
        f"contains {'an invisible character' if one else 'invisible characters'} {', '.join(hidden)}: "
        f"type the name without {'it' if one else 'them'}"
    )
    if cleaned is None:
        suggestions: tuple[str, ...] = ()
    elif cleaned.status == "matched":
        suggestions = (cleaned_text,)
    else:
        suggestions = cleaned.suggestions
    return Entry("unmatched", (), None, None, suggestions=suggestions, note=note)


def nothing_entry(raw: str) -> Entry:
    """A name that normalises to nothing ("???", "---", "(UK)"): unmatched, with a note saying why."""
    if not raw.strip():
        return Entry("unmatched", (), None, None, note="empty place name")
    return Entry(
        "unmatched",
        (),
        None,
        None,
        note=f"'{shown(raw)}' holds no place name, only punctuation, symbols or a qualifier: type the place's name",
    )
