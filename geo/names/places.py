"""Resolving place names ("London", "Hull", "Ilford", "Bangor (Gwynedd)", "E08000003") to sets of LAD codes.

Order, first hit wins: explicit GSS code → curated alias (``data/place_aliases.csv``) →
exact or normalised LAD name → GeoNames gazetteer (:mod:`geo.names.gazetteer`: the most populous
exact or alternate-name match, placed in its LAD by point-in-polygon) → fuzzy suggestions
(rapidfuzz, :mod:`geo.names.fuzzy`), which are offered, never applied. Qualifiers are hints: "Bangor, Gwynedd",
"Newport, Wales" or "Richmond (North Yorkshire)" pick, among the places of that name, the one
inside the named LAD, county, region or nation (:mod:`geo.names.qualifiers`). What one name
resolved to is a :class:`geo.names.resolution.Resolution`. A ``lad_code`` given with a name wins unless
the name says otherwise; then the row is reported, not counted.

A name with invisible characters (:func:`geo.core.text.invisible`) would share the key of the
name it imitates ("\\u202eLeeds", "Leeds"): it is unmatched, the visible name suggested, a note
naming the characters; so is a name that normalises to nothing ("???"). Only the user's
choice for exactly that text (:func:`with_choices`) resolves either.

A :class:`Resolver` is shared by every session of the dashboard: its memo is keyed by
exactly what the rules read (the normalised name and its qualifiers; GSS codes are looked
up directly and never memoised), bounded, and guarded by a lock. Fuzzy suggestions, the
costly part, have a memo of their own that a resolver with the user's choices shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from geo.core.memo import Memo
from geo.core.text import invisible, shown, strip_invisible
from geo.names import index as place_index
from geo.names.fuzzy import LIMIT as FUZZY_LIMIT
from geo.names.fuzzy import suggest, suggest_many
from geo.names.gazetteer import Town, TownHit, load_towns, pick_town, town_hits
from geo.names.index import GROUP_LABELS, Entry, read_aliases
from geo.names.keys import canonical_code, name_variants, normalise_name, place_key, split_qualifiers
from geo.names.qualifiers import resolve_qualified
from geo.names.resolution import Resolution
from geo.official import sources


@dataclass(frozen=True)
class Resolver:
    """Resolves names against one areas frame. Build once (:func:`build_resolver`), reuse."""

    lad_names: dict[str, str]
    group_codes: dict[str, tuple[str, ...]]
    by_alias: dict[str, Entry]
    by_lad_name: dict[str, Entry]
    towns: dict[str, tuple[TownHit, ...]]
    scopes: dict[str, tuple[str, ...]]  # qualifier key -> the LADs it names
    fuzzy_choices: list[str]
    fuzzy_targets: list[str]
    memo: Memo = field(default_factory=Memo)  # (normalised name, place key) -> Entry
    # Normalised name -> its fuzzy suggestions. Choices never change them, so a resolver made
    # by with_choices shares this one: applying a choice re-scores nothing.
    suggested: Memo = field(default_factory=Memo)
    # Choices for names no key can stand for (invisible characters, nothing left once
    # normalised): by the exact text, so "???" chosen as York leaves "---" alone.
    exact: dict[str, Entry] = field(default_factory=dict)
    # A suggestion -> the picks it stands for (:meth:`_pickable`). Choices change them ("Bangor"
    # chosen is no longer ambiguous), so unlike ``suggested`` each resolver has its own.
    picks: Memo = field(default_factory=Memo)

    def resolve(self, name: str, lad_code: str | None = None, suggest: bool = True) -> Resolution:
        """Resolve one name; an explicit ``lad_code`` (from the data) wins unless the name contradicts it.

        ``suggest=False``: no fuzzy suggestions, and the shared memo is read but never
        filled, so a flood of one-off names (Shodan cities) evicts nothing.
        """
        raw = "" if name is None else str(name)
        code_text = "" if lad_code is None else str(lad_code).strip()
        if code_text and code_text.lower() not in ("nan", "none", "<na>"):
            return Resolution.from_entry(raw, self._with_code(raw, code_text))
        return Resolution.from_entry(raw, self._by_text(raw, suggest))

    def resolve_many(self, names: Sequence[str], lad_codes: Sequence[str | None] | None = None) -> list[Resolution]:
        """Resolve many names (with their ``lad_code`` when given), suggesting for all the unmatched at once.

        The same answers as :meth:`resolve` one by one, but fuzzy suggestions for every new
        unmatched name are scored in one ``rapidfuzz.process.cdist`` call (on all cores)
        instead of a scan per name: ~10x faster for tables full of typos.
        """
        pending: dict[tuple[str, str], tuple[Entry, str]] = {}
        for raw in dict.fromkeys("" if n is None else str(n) for n in names):
            if raw in self.exact:
                continue
            if invisible(raw):  # reported unmatched; what is suggested is the visible name's resolution
                raw = _visible(raw)
            if canonical_code(raw) is not None:
                continue
            key = (normalise_name(raw), place_key(raw))
            if not key[0] or key in pending or self.memo.get(key) is not None:
                continue
            entry = self._find(raw, key, suggest=False)
            if entry.status == "unmatched" and not entry.suggestions:
                pending[key] = (entry, normalise_name(split_qualifiers(raw)[0]) if "|" in key[1] else key[0])
            else:
                self.memo.put(key, entry)
        targets = [t for t in dict.fromkeys(target for _, target in pending.values()) if self.suggested.get(t) is None]
        scored = suggest_many(targets, self.fuzzy_choices, self.fuzzy_targets) if targets else {}
        for target in targets:
            self.suggested.put(target, scored.get(target, ()))
        for key, (entry, target) in pending.items():
            self.memo.put(key, replace(entry, suggestions=self.suggestions_for(target)))
        codes = [None] * len(names) if lad_codes is None else lad_codes
        return [self.resolve(name, code) for name, code in zip(names, codes)]

    def choose(self, target: str) -> Resolution:
        """How a place the user picked resolves: an offered candidate must never be refused.

        The app offers LAD names, the names of regions and nations, and names it writes itself
        ("Brighton and Hove + Lewes"); each means exactly that area here, even where the same
        text read as data is ambiguous ("Newport" the LAD, not "Newport" the alias for three
        towns). Anything else resolves as :meth:`resolve` reads it.
        """
        raw = str(target)
        if invisible(raw) or canonical_code(raw) is not None:
            return self.resolve(raw)
        parts = [self._named_area(part) for part in raw.split(" + ")]
        if parts and all(parts):
            codes = tuple(sorted({c for entry in parts for c in entry.lad_codes}))  # type: ignore[union-attr]
            name = parts[0].name if len(parts) == 1 else self.display_name(codes)  # type: ignore[union-attr]
            return Resolution(input=raw, status="matched", lad_codes=codes, name=name, method="choice")
        return self.resolve(raw)

    def _named_area(self, text: str) -> Entry | None:
        """The LAD, region or nation whose official name ``text`` is exactly (after normalising), if any."""
        # Qualifiers count ("Newport (Isle of Wight)" is not Newport); loose variants do not ("London").
        key = place_key(text)
        entry = self.by_lad_name.get(normalise_name(text))
        if entry is not None and place_key(str(entry.name)) == key:
            return entry
        for code, label in GROUP_LABELS.items():
            if code in self.group_codes and place_key(label) == key:
                return Entry("matched", self.group_codes[code], label, "code")
        return None

    def display_name(self, codes: Iterable[str]) -> str:
        """A readable name for a set of LAD codes."""
        codes = tuple(sorted(codes))
        for group, members in self.group_codes.items():
            if tuple(sorted(members)) == codes and group in GROUP_LABELS:
                return GROUP_LABELS[group]
        return " + ".join(self.lad_names.get(c, c) for c in codes)

    # -- single rules (geo.names.qualifiers applies them within a qualifier's area) ---
    def by_code(self, code: str) -> Entry | None:
        """The LAD, region, nation or the UK a canonical GSS code names, if any."""
        if code == sources.UK_CODE:
            return Entry("matched", (), "United Kingdom", "code", national=True)
        if code in self.lad_names:
            return Entry("matched", (code,), self.lad_names[code], "code")
        if code in self.group_codes:
            return Entry("matched", self.group_codes[code], GROUP_LABELS.get(code, code), "code")
        return None

    # -- internals -------------------------------------------------------------------
    def _with_code(self, raw: str, code_text: str) -> Entry:
        """A row's ``lad_code``, checked against its name."""
        hidden = invisible(code_text)
        if hidden:
            return Entry(
                "unmatched",
                (),
                None,
                "code",
                note=(
                    f"lad_code '{shown(code_text)}' contains invisible characters {', '.join(hidden)}: type the code without them"
                ),
            )
        code = canonical_code(code_text)
        entry = self.by_code(code) if code else None
        if entry is None:
            return Entry(
                "unmatched", (), None, "code", note=f"unknown GSS code {shown(code_text)}: use a May 2024 LAD code"
            )
        if raw in self.exact:
            return self.exact[raw]  # the user has settled it
        hidden = invisible(raw)
        if hidden:  # the code places the row; the name is not trusted to agree or disagree
            return replace(
                entry, note=f"placed by its lad_code; the name contains invisible characters {', '.join(hidden)}"
            )
        if not raw.strip() or canonical_code(raw):
            return entry
        by_name = self._by_text(raw)
        if by_name.method == "choice":
            return by_name  # the user has settled it
        agrees = (
            by_name.status != "matched"
            or by_name.national
            or entry.national
            or set(by_name.lad_codes) & set(entry.lad_codes)
        )
        if agrees:
            return entry
        return Entry(
            "ambiguous",
            (),
            None,
            "code",
            suggestions=tuple(dict.fromkeys([str(entry.name), str(by_name.name)])),
            candidates=entry.lad_codes + by_name.lad_codes,
            note=f"lad_code {code} is {entry.name} but the name says {by_name.name}: fix the code or the name, or pick one",
        )

    def _by_text(self, raw: str, suggest: bool = True) -> Entry:
        chosen = self.exact.get(raw)
        if chosen is not None:
            return chosen
        hidden = invisible(raw)
        if hidden:
            visible = _visible(raw)
            return place_index.hidden_entry(hidden, self._by_text(visible, suggest) if visible else None, visible)
        code = canonical_code(raw)
        if code is not None:
            return (
                self.by_code(code)
                or self.by_alias.get(code.casefold())
                or Entry("unmatched", (), None, "code", note=f"unknown GSS code {code}: use a May 2024 LAD code")
            )
        key = (normalise_name(raw), place_key(raw))
        if not key[0]:
            return place_index.nothing_entry(raw)
        entry = self.memo.get(key)
        if entry is None:
            entry = self._find(raw, key, suggest)
            if suggest:
                self.memo.put(key, entry)
        return entry

    def _find(self, raw: str, key: tuple[str, str], suggest: bool = True) -> Entry:
        return resolve_qualified(self, raw, key[0], key[1], suggest) if "|" in key[1] else self.lookup(key[0], suggest)

    def lookup(self, key: str, suggest: bool = True) -> Entry:
        """A normalised name without qualifiers: alias, LAD name (or a variant), gazetteer town, else unmatched."""
        for table in (self.by_alias, self.by_lad_name):
            if key in table:
                return table[key]
        for variant in name_variants(key)[1:]:
            if variant in self.by_lad_name:
                return self.by_lad_name[variant]
        town = self.find_town(key)
        if town is not None:
            return town
        return Entry("unmatched", (), None, None, suggestions=self.suggestions_for(key) if suggest else ())

    def find_town(self, key: str, within: set[str] | None = None) -> Entry | None:
        """The gazetteer town called ``key`` (among LADs ``within``, when given), or None."""
        pick = pick_town(self.towns.get(key, ()), within)
        if pick is None:
            return None
        if pick.status == "ambiguous":
            return Entry(
                "ambiguous",
                (),
                None,
                "gazetteer",
                suggestions=tuple(self.lad_names[c] for c in pick.candidates[:5]),
                candidates=pick.candidates,
                note=f"several towns called {pick.town} in different local authorities",
            )
        assert pick.lad_code is not None  # a pick that is not ambiguous names its one LAD
        name = self.lad_names[pick.lad_code]
        town = Town(pick.town, pick.population, pick.lon, pick.lat)
        return Entry(
            "matched",
            (pick.lad_code,),
            name,
            "gazetteer",
            note=f"{pick.town} ({town.population_words}) lies in {name}",
            candidates=pick.candidates,
            town=town,
        )

    def suggestions_for(self, key: str) -> tuple[str, ...]:
        """Fuzzy suggestions for a normalised name, memoised, each one a user can pick."""
        found = self.suggested.get(key)
        if found is None:
            found = suggest(key, self.fuzzy_choices, self.fuzzy_targets)
            self.suggested.put(key, found)
        return self._pickable(found)

    def _pickable(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Suggestions a user can pick: an ambiguous one ("Bangor") becomes one per place it may mean
        ("Bangor (Gwynedd)", "Bangor (Ards and North Down)"), each checked to pick that place."""
        out: list[str] = []
        for name in names:
            picks = self.picks.get(name)
            if picks is None:
                picks = self._picks_for(name)
                self.picks.put(name, picks)
            out += picks
        return tuple(dict.fromkeys(out))[:FUZZY_LIMIT]

    def _picks_for(self, name: str) -> tuple[str, ...]:
        entry = self._by_text(name, suggest=False)
        if entry.status != "ambiguous" or not entry.candidates:
            return (name,)
        picks = []
        for code in entry.candidates:
            lad = self.lad_names[code]
            # "Richmond upon Thames" says which Richmond by itself; "Gwynedd" needs "Bangor (Gwynedd)".
            label = lad if f"{normalise_name(lad)} ".startswith(f"{normalise_name(name)} ") else f"{name} ({lad})"
            picks.append(label if self.choose(label).lad_codes == (code,) else lad)
        return tuple(picks)


def _visible(raw: str) -> str:
    """``raw`` without its invisible characters, spaces collapsed (what the name looks like)."""
    return " ".join(strip_invisible(raw).split())


def build_resolver(
    areas: gpd.GeoDataFrame, aliases: pd.DataFrame | None = None, towns: pd.DataFrame | None = None
) -> Resolver:
    """A resolver over ``areas`` (the LAD frame), curated aliases and the gazetteer."""
    aliases = read_aliases() if aliases is None else aliases
    towns = load_towns(areas) if towns is None else towns
    lad_names = dict(zip(areas["code"], areas["name"]))
    groups = place_index.group_codes(areas)
    alias_entries = place_index.alias_entries(aliases, lad_names, groups)
    lad_entries = place_index.lad_name_entries(lad_names)
    choices = [(n, n) for n in lad_names.values()]
    choices += [(a, a) for a in aliases["alias"]]
    choices += [(t.name, t.name) for t in towns.itertuples(index=False) if t.population >= 5000]
    seen: dict[str, str] = {}
    for label, target in choices:
        seen.setdefault(normalise_name(label), target)
    return Resolver(
        lad_names=lad_names,
        group_codes=groups,
        by_alias=alias_entries,
        by_lad_name=lad_entries,
        towns=town_hits(towns),
        scopes=place_index.scopes(areas, lad_entries, alias_entries),
        fuzzy_choices=list(seen.keys()),
        fuzzy_targets=list(seen.values()),
    )


def with_choices(resolver: Resolver, choices: dict[str, str]) -> Resolver:
    """A copy of ``resolver`` where user choices act as aliases (:func:`geo.names.choices.with_choices`)."""
    from geo.names import choices as place_choices

    return place_choices.with_choices(resolver, choices)
