"""Names with qualifiers ("Bangor, Gwynedd", "Newport, Wales", "Richmond (North Yorkshire)").

Qualifiers are hints: among the places of that name, they pick the one inside the named LAD,
county, region or nation (:func:`resolve_qualified`). A qualifier that names no area is said in
the note, never silently dropped. The resolver (:class:`geo.names.places.Resolver`) sends here
every name whose key carries qualifiers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from geo.names.index import Entry
from geo.names.keys import WHOLE_UK, canonical_code, normalise_name, split_qualifiers
from geo.official import sources

if TYPE_CHECKING:
    from geo.names.places import Resolver


def resolve_qualified(resolver: Resolver, raw: str, full_key: str, key: str, suggest: bool = True) -> Entry:
    """A name with qualifiers: the place of that name inside the area they name."""
    head, qualifiers = split_qualifiers(raw)
    if key in resolver.by_alias:  # curated, qualifier included ("Newport (Shropshire)")
        return resolver.by_alias[key]
    head_key = normalise_name(head)
    if full_key != head_key:  # a comma that belongs to a name ("Armagh City, Banbridge and Craigavon")
        for table in (resolver.by_alias, resolver.by_lad_name):
            if full_key in table:
                return table[full_key]
    scope, unknown = _scope(resolver, qualifiers)
    found = [resolver.lookup(k, suggest=False) for k in dict.fromkeys((full_key, head_key))]  # the head last
    unknown_note = f"qualifier {', '.join(unknown)} not recognised" if unknown else None
    if scope is None:
        best = next((e for e in found if e.status == "matched"), found[-1])
        if best.status == "unmatched" and suggest:
            best = replace(best, suggestions=resolver.suggestions_for(head_key))
        return replace(best, note="; ".join(n for n in (best.note, unknown_note) if n) or None)
    where = " and ".join(q for q in qualifiers if q not in unknown)
    for entry in found:
        if entry.status == "matched" and not entry.national:
            inside = tuple(c for c in entry.lad_codes if c in scope)
            if inside == entry.lad_codes:
                return entry
            if inside:
                return Entry("matched", inside, resolver.display_name(inside), "qualifier", note=f"{head} in {where}")
    candidates: list[str] = []
    for entry in found:
        candidates += entry.candidates or entry.lad_codes
    in_scope = [c for c in dict.fromkeys(candidates) if c in scope]
    if len(in_scope) == 1:
        code = in_scope[0]
        return Entry(
            "matched",
            (code,),
            resolver.lad_names[code],
            "qualifier",
            note=f"{head} in {where}: {resolver.lad_names[code]}",
        )
    town = resolver.find_town(head_key, within=scope)
    if town is not None and town.status == "matched":
        return replace(town, method="qualifier", note=f"{head} in {where}: {town.note}")
    options = in_scope or (list(town.candidates) if town is not None else [])
    if options:
        return Entry(
            "ambiguous",
            (),
            None,
            "qualifier",
            suggestions=tuple(resolver.lad_names[c] for c in options[:5]),
            candidates=tuple(options),
            note=f"several places called {head} in {where}",
        )
    elsewhere = tuple(dict.fromkeys(resolver.lad_names[c] for c in candidates))[:5]
    return Entry(
        "unmatched",
        (),
        None,
        "qualifier",
        suggestions=elsewhere or (resolver.suggestions_for(head_key) if suggest else ()),
        note=f"no place called {head} in {where}: check the name and the qualifier",
    )


def _scope(resolver: Resolver, qualifiers: tuple[str, ...]) -> tuple[set[str] | None, list[str]]:
    """The LADs the qualifiers name together (None: no limit), and the ones not recognised."""
    scope: set[str] | None = None
    unknown: list[str] = []
    for qualifier in qualifiers:
        code = canonical_code(qualifier)
        key = normalise_name(qualifier)
        if key in WHOLE_UK or code == sources.UK_CODE:
            continue
        members = resolver.scopes.get(key) or (entry.lad_codes if code and (entry := resolver.by_code(code)) else None)
        if not members:
            unknown.append(qualifier)
            continue
        scope = set(members) if scope is None else scope & set(members)
    return scope, unknown
