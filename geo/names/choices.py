"""The user's place choices: which resolve (and which do not, each said in one line), and a resolver that applies them.

A choice maps a name as written in the data to a place the user picked or typed. Picks
are read by :meth:`geo.names.places.Resolver.choose`, so every candidate the app offers resolves;
:func:`split_choices` keeps the choices that resolve apart from those that do not, so one
refused pick never throws the others away (the Data page applies the good ones and names
the refused one).
"""

from __future__ import annotations

from dataclasses import replace

from geo.core.errors import AtlasError
from geo.core.memo import Memo
from geo.core.text import MAX_PLACE_NAME, invisible, shown
from geo.names.index import Entry
from geo.names.keys import canonical_code, normalise_name, place_key, split_qualifiers
from geo.names.places import Resolver
from geo.names.resolution import Resolution


def with_choices(resolver: Resolver, choices: dict[str, str]) -> Resolver:
    """A copy of ``resolver`` where user choices (input name → place or code) act as aliases.

    Each distinct target is resolved once, as a pick (:meth:`Resolver.choose`); one that
    resolves to no place is a one-line AtlasError (:func:`split_choices` keeps the others).
    A name with invisible characters, or one that normalises to nothing, is chosen for by
    its exact text (no other name shares it).
    """
    good, refused = split_choices(resolver, choices)
    if refused:
        raise AtlasError(next(iter(refused.values())))
    extra: dict[str, Entry] = {}
    exact: dict[str, Entry] = {}
    for name, (target, resolved) in good.items():
        entry = Entry(
            "matched",
            resolved.lad_codes,
            resolved.name,
            "choice",
            national=resolved.national,
            note=f"chosen by you: {target}",
            town=resolved.town,  # a town picked is still a town
        )
        if invisible(name) or not normalise_name(name):
            exact[name] = entry
        else:
            extra[place_key(name) if split_qualifiers(name)[1] or canonical_code(name) else normalise_name(name)] = (
                entry
            )
    return replace(
        resolver, by_alias={**resolver.by_alias, **extra}, exact={**resolver.exact, **exact}, memo=Memo(), picks=Memo()
    )


def split_choices(
    resolver: Resolver, choices: dict[str, str]
) -> tuple[dict[str, tuple[str, Resolution]], dict[str, str]]:
    """The choices that resolve to a place (name → (target, resolution)), and those that do not (name →
    the one-line reason), so one refused pick never throws away the others."""
    good: dict[str, tuple[str, Resolution]] = {}
    refused: dict[str, str] = {}
    by_target: dict[str, Resolution] = {}
    for name, target in choices.items():
        name, target = str(name), str(target)
        if len(target) > MAX_PLACE_NAME:  # longer than any place name: not worth resolving
            refused[name] = (
                f"choice for '{shown(name)}' is {len(target):,} characters, over the {MAX_PLACE_NAME}-character limit "
                "for place names: pick a LAD name or code"
            )
            continue
        resolved = by_target.get(target) or by_target.setdefault(target, resolver.choose(target))
        if resolved.status == "matched":
            good[name] = (target, resolved)
        else:
            refused[name] = (
                f"choice for '{shown(name)}' ('{shown(target)}') does not resolve to a place: pick a LAD name or code"
            )
    return good, refused


def refused_line(refused: dict[str, str], applied: int) -> str | None:
    """One line for the choices :func:`split_choices` refused, saying that the others were applied; None if none."""
    if not refused:
        return None
    first = next(iter(refused.values()))
    others = f" (and {len(refused) - 1:,} more refused)" if len(refused) > 1 else ""
    kept = ""
    if applied:
        kept = "; the other choice was applied" if applied == 1 else f"; the other {applied:,} choices were applied"
    return f"{first}{others}{kept}"
