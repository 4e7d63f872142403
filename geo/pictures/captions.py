"""The words around a map: title (the finding), subtitle, footnotes, alt text, and the one attribution builder.

:func:`attribution` names the counts' source and the official data's licences once, for
every output (the interactive map, the snapshots, the app's captions). :func:`caption`
writes a map's texts from its table and shapes: a title that states the finding in at most
ten words (:mod:`geo.pictures.finding`) and follows vendor, metric, chosen places and what the
dataset counts; a subtitle with the finding's figures and comparison, then metric, vendor,
geography and the data's date; footnotes for coverage, the unattributed remainder and the
classes; and alt text describing what the map shows and its finding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from geo.core.text import MAX_SOURCE, MAX_SUBTITLE, MAX_TITLE, MAX_URL, one_line
from geo.datasets.dataset import Dataset
from geo.figures.baseline import baseline
from geo.figures.metrics import Table
from geo.figures.units import NAMES_IN_A_NOTE
from geo.figures.vocabulary import LEVEL_UNITS, VENDOR_PHRASES, check
from geo.names.match_summary import counted
from geo.names.towns import town_names, town_words
from geo.official.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION
from geo.pictures.classes import Classes
from geo.pictures.finding import PER_UNITS, PER_WORDS, counted_words, fit, ordinal, title_name
from geo.pictures.numbers import format_value

APP_NAME = "UK Camera Atlas"
# The official lines, as licensed (geo/SOURCES.md), in the compact form a map footer takes.
ONS_SHORT = (
    "Boundaries and population: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "contains OS data © Crown copyright and database right 2024; contains NRS and NISRA data © Crown copyright 2024"
)
GEONAMES_SHORT = "Place names: GeoNames, CC BY 4.0"


@dataclass(frozen=True)
class Attribution:
    """Where the counts come from, and the official data's licence lines."""

    counts: str  # the counts' source, in a few words
    url: str | None = None

    @property
    def source_line(self) -> str:
        """One line for a map footer: counts, then boundaries, population and place names."""
        return f"Source: {self.counts}. {ONS_SHORT}. {GEONAMES_SHORT}."

    credit_line: str = f"Map: {APP_NAME}"  # who made the map

    @property
    def full_lines(self) -> tuple[str, ...]:
        """The complete attribution, line by line (the official lines verbatim)."""
        counts = f"Counts: {self.counts}" + (f" ({self.url})" if self.url else "") + "."
        return (counts, ONS_ATTRIBUTION, GEONAMES_ATTRIBUTION, self.credit_line)

    @property
    def text(self) -> str:
        """The complete attribution as one paragraph."""
        return " ".join(self.full_lines)


def attribution(*datasets: Dataset) -> Attribution:
    """The attribution for maps of one dataset, or of two (a comparison: "A: …; B: …")."""
    names = [_source_of(d) for d in datasets]
    if len(names) == 1:
        return Attribution(names[0], one_line(datasets[0].url, MAX_URL) if datasets[0].url else None)
    return Attribution("; ".join(f"{label}: {name}" for label, name in zip("AB", names)))


def _source_of(dataset: Dataset) -> str:
    """The dataset's source in a few words, as one bounded line (a saved zip can carry anything)."""
    return one_line(dataset.source_short or dataset.source, MAX_SOURCE)


def _named(dataset: Dataset) -> str:
    """The dataset as a caption names it: its short source, else its title; with its date."""
    return f"{dataset.short_name}, {one_line(dataset.date_label, MAX_SOURCE)}"


@dataclass(frozen=True)
class Caption:
    """Everything written on or beside a map."""

    title: str
    subtitle: str
    notes: tuple[str, ...]
    source: str
    credit: str
    alt: str


def _ratio_phrase(value: float, reference: float, what: str) -> str:
    if not reference or pd.isna(value) or pd.isna(reference):
        return ""
    ratio = value / reference
    if ratio >= 1.15:
        return f", {ratio:.1f} times {what}"
    if ratio <= 0.85:
        return f", {1 - ratio:.0%} below {what}"
    return f", about {what}"


@dataclass(frozen=True)
class Subject:
    """What a map's finding is about: one unit's row, its rank by the metric among the ``of``
    units with a figure, and how many places were chosen (0: none)."""

    row: pd.Series
    rank: int
    of: int
    chosen: int

    @property
    def name(self) -> str:
        """The unit's name as titles write it: the town's for a town's figure ("Perth", not "Perth and Kinross")."""
        town = self.row.get("town")
        named = town if isinstance(town, str) and town.strip() else self.row["name"]
        return title_name(named) or "Unnamed area"


def subject(table: Table, metric: str, focus: pd.DataFrame | None = None) -> Subject | None:
    """The unit the finding is about: the leader among the chosen places (``focus``, rows of
    ``table``) when some have a figure, else the leader of all; None when no unit has a figure."""
    every = table.rows.dropna(subset=[metric])
    if every.empty:
        return None
    chosen = focus.dropna(subset=[metric]) if focus is not None and len(focus) else every.iloc[0:0]
    pool = chosen if len(chosen) else every
    top = pool.sort_values([metric, "name"], ascending=[False, True]).iloc[0]
    rank = 1 + int((every[metric] > top[metric]).sum())
    return Subject(row=top, rank=rank, of=len(every), chosen=len(chosen))


def _reference(table: Table, metric: str) -> float | None:
    """The rate a unit's rate is compared with (the UK's, or across all places counted); None for counts."""
    value = table.uk_rates[metric] if metric != "networks" else float("nan")
    return None if pd.isna(value) or not value else float(value)


def title(table: Table, metric: str, focus: pd.DataFrame | None = None, dataset: Dataset | None = None) -> str:
    """The finding in at most ten words, active, without figures (they are in :func:`subtitle`):
    "Manchester has the most camera networks per resident".

    About the leader (among the chosen places when several are chosen); a single chosen place
    gets its own finding: "leads", "has more … than the UK" (a rate, with a national figure;
    "than average" without one) or its rank. The words follow what ``dataset`` counts (a live
    count's "services", never "camera networks") and fit :func:`geo.pictures.finding.fit`.
    """
    check("metric", metric)
    nouns = counted_words(dataset, table.vendor).nouns
    about = subject(table, metric, focus)
    if about is None:
        nothing = [lambda _, n=n: f"No {n} could be mapped from this dataset" for n in nouns]
        return fit(nothing, "")
    per = PER_WORDS[metric]
    reference = _reference(table, metric)
    national = baseline(table.national_total_source).national
    lead = [lambda x, n=n: f"{x} has the most {n}{per}" for n in nouns] + [lambda x: f"{x}: most {nouns[-1]}{per}"]
    if about.chosen > 1:
        wordings = [lambda x, n=n: f"{x} has the most {n}{per} of those chosen" for n in nouns]
        return fit(wordings + lead, about.name)
    if about.of > 1 and about.rank == 1:
        return fit(lead, about.name)
    if reference is not None and (national or about.of > 1):
        ratio = about.row[metric] / reference
        against = "the UK" if national else "average"
        side = "above" if ratio >= 1.15 else "below" if ratio <= 0.85 else "about"
        if side != "about":
            more = "more" if side == "above" else "fewer"
            wordings = [lambda x, n=n: f"{x} has {more} {n}{per} than {against}" for n in nouns]
        else:
            wordings = [lambda x, n=n: f"{x} is about average for {n}{per}" for n in nouns]
        short = ("the UK rate" if metric == "per_1k" else "the UK average") if national else "average"
        return fit(wordings + [lambda x: f"{x} is {side} {short}"], about.name)
    if about.of == 1:
        only = [lambda x, n=n: f"Only {x} has a figure for {n}{per}" for n in nouns]
        return fit(only + [lambda x: f"Only {x} has a figure"], about.name)
    units, place = LEVEL_UNITS[table.level][1], ordinal(about.rank)
    wordings = [lambda x, n=n: f"{x} ranks {place} of {about.of:,} {units} for {n}{per}" for n in nouns]
    wordings += [lambda x, n=n: f"{x} ranks {place} for {n}{per}" for n in nouns]
    return fit(wordings + [lambda x: f"{x} ranks {place} of {about.of:,}"], about.name)


def figures(table: Table, metric: str, about: Subject, dataset: Dataset | None = None) -> str:
    """The finding's figures and comparison, without the name: "13.1 per 1,000 residents, 3.2 times
    the UK rate", "61,504 networks, 22% of the UK's 277,986", "9.98 per km², ranked 3rd of 4 places"."""
    row, value = about.row, format_value(metric, about.row[metric])
    words = baseline(table.national_total_source)
    if metric == "networks":
        text = f"{value} {counted_words(dataset, table.vendor).figure}"
        share = row["networks"] / table.national_total if table.national_total else float("nan")
        if share < 1:  # NaN compares false
            where = "the UK's" if words.national else "the"
            tail = "" if words.national else " in all the places counted"
            text += f", {share:.0%} of {where} {table.national_total:,}{tail}"
    else:
        text = value + PER_UNITS[metric] + (" in the areas counted" if row["coverage"] < 1 else "")
        if words.national or about.of > 1:  # one place set against itself says nothing
            text += _ratio_phrase(row[metric], table.uk_rates[metric], words.rate_phrase(metric))
    if about.chosen > 1:
        text += f", the most of the {about.chosen} places chosen"
    if about.rank > 1:
        text += f", ranked {ordinal(about.rank)} of {about.of:,} {LEVEL_UNITS[table.level][1]}"
    return text


def subtitle(table: Table, dataset: Dataset, metric: str, focus: pd.DataFrame | None = None) -> str:
    """The finding's figures, then the measure, vendor, geography and the data's date:
    "Manchester: 13.1 per 1,000 residents, 3.2 times the UK rate. Internet-exposed camera networks
    per 1,000 residents, by place. Hikvision and Dahua combined. TOP10VPN, …, published November 2021."."""
    unit = LEVEL_UNITS[table.level][0]
    vendor = "Hikvision and Dahua combined" if table.vendor == "all" else f"{VENDOR_PHRASES[table.vendor]} only"
    measure = counted_words(dataset, table.vendor).measure
    text = f"Internet-exposed {measure}{PER_UNITS[metric]}, by {unit}. {vendor}. {_named(dataset)}."
    about = subject(table, metric, focus)
    return f"{about.name}: {figures(table, metric, about, dataset)}. {text}" if about is not None else text


def off_map_note(table: Table) -> str:
    """One line for the map's legend when part of the total is on no map (the four-city study's 195,224 of
    277,986 networks): "" when the map holds it all. Words from :func:`geo.figures.baseline.baseline`."""
    if table.unattributed <= 0:
        return ""
    if baseline(table.national_total_source).national:
        where = f"of the {table.national_total:,} networks in the UK total have no place in this dataset"
    else:  # a sum of places: what is left over sits in places no unit of this level holds whole
        where = f"of the {table.national_total:,} networks counted are in places no {LEVEL_UNITS[table.level][0]} holds whole"
    return f"Not on the map: {table.unattributed:,} {where}."


def footnotes(table: Table, shapes: pd.DataFrame, classes: Classes, circles: bool = False) -> tuple[str, ...]:
    """What a reader must know: coverage, places drawn unsplit, the remainder, the classes."""
    notes: list[str] = []
    partial = shapes[shapes["has_data"] & (shapes["coverage"] < 1)]
    # A count from a town inside the area (geo.names.towns) says whose it is, not a share of residents.
    from_town = partial[[bool(town_names(t)) for t in partial.get("town", pd.Series(None, index=partial.index))]]
    if len(from_town):
        unknown = " (none where GeoNames gives no population)" if from_town["per_1k"].isna().any() else ""
        if len(from_town) == 1:
            lead = f"{from_town['name'].iloc[0]}: the count is for {town_words(from_town['town'].iloc[0])}, not the whole area"
        else:
            listed = [
                f"{name} ({', '.join(town_names(town))})" for name, town in zip(from_town["name"], from_town["town"])
            ]
            more = f" and {len(listed) - NAMES_IN_A_NOTE:,} more" if len(listed) > NAMES_IN_A_NOTE else ""
            lead = f"The counts are for towns, not whole areas: {', '.join(listed[:NAMES_IN_A_NOTE])}{more}"
        whose = "the town's" if len(from_town) == 1 else "each town's"
        notes.append(f"{lead}; rates there use {whose} residents in GeoNames{unknown}, and there is no rate per km².")
        partial = partial.drop(index=from_town.index)
    if len(partial):
        parts = ", ".join(f"{n} {c:.0%}" for n, c in zip(partial["name"], partial["coverage"]))
        notes.append(
            f"Partly covered: the counts cover only part of the area's residents ({parts}); "
            "rates there use the residents and land of the places counted."
        )
    if table.level == "lad":
        merged = shapes[shapes["has_data"] & (shapes["lad_codes"].map(len) > 1)]
        for name, codes in zip(merged["name"], merged["lad_codes"]):
            notes.append(f"{name} is one area: its count is not split between its {len(codes)} local authorities.")
    if table.unattributed > 0:
        notes.append(off_map_note(table))
    off = table.unplaced
    if off:
        notes.append(
            f"Not on the map: {counted(off.networks, 'network')} in {counted(len(off.names), 'name')} "
            "that could not be placed (ambiguous, unmatched or conflicting)."
        )
    no_data = "grey: no data" if (~shapes["has_data"]).any() else ""
    # A circles map has no classes: its circles' areas carry the counts.
    classes_note = f"Classes: {classes.scheme_label.lower()}" if len(classes.colors) > 1 and not circles else ""
    tail = "; ".join(p for p in (classes_note, no_data) if p)
    if tail:
        notes.append(tail[0].upper() + tail[1:] + ".")
    return tuple(notes)


def alt_text(
    table: Table, shapes: pd.DataFrame, dataset: Dataset, metric: str, focus: pd.DataFrame | None = None
) -> str:
    """A few sentences for screen readers: what the map shows, the finding with its figures, the extremes and the gaps."""
    unit_one, units = LEVEL_UNITS[table.level]
    with_data = shapes[shapes["has_data"]].dropna(subset=[metric])
    measure = counted_words(dataset, table.vendor).measure
    text = (
        f"Map of the United Kingdom by {unit_one} showing {VENDOR_PHRASES[table.vendor]} {measure}{PER_UNITS[metric]} "
        f"({_named(dataset)})."
    )
    if with_data.empty:
        return text + " No area has a figure."
    about = subject(table, metric, focus)
    if about is not None:
        text += f" {title(table, metric, focus, dataset)} ({figures(table, metric, about, dataset)})."
    ranked = with_data.sort_values([metric, "name"], ascending=[False, True])
    top, low = ranked.iloc[0], ranked.iloc[-1]
    if table.level == "place":
        verb = "has" if len(with_data) == 1 else "have"
        noun = unit_one if len(with_data) == 1 else units
        text += f" {len(with_data)} {noun} {verb} a figure; the rest of the UK is outlined, with none."
    elif table.level == "lad":
        # Distinct LADs: a borough with its own figure is drawn on top of its merged city too.
        counted = len(set().union(*with_data["lad_codes"].map(set)))
        every = len(set().union(*shapes["lad_codes"].map(set)))
        merged = with_data[with_data["lad_codes"].map(len) > 1]
        text += f" {counted} of {every} local authorities have a figure"
        text += "".join(
            f" ({name}'s {len(codes)} as one area)" for name, codes in zip(merged["name"], merged["lad_codes"])
        )
        text += "; the rest are shaded as no data." if counted < every else "."
    else:
        text += f" {len(with_data)} of {len(shapes)} {units} have a figure"
        text += "; the rest are shaded as no data." if len(with_data) < len(shapes) else "."
    text += f" Highest: {title_name(top['name'])} ({format_value(metric, top[metric])})"
    text += f"; lowest: {title_name(low['name'])} ({format_value(metric, low[metric])})." if len(ranked) > 1 else "."
    partial = with_data[with_data["coverage"] < 1]
    if len(partial):
        parts = ", ".join(f"{n} {c:.0%}" for n, c in zip(partial["name"], partial["coverage"]))
        text += f" The counts cover only part of the residents of {parts}."
    return text


def caption(
    table: Table,
    shapes: pd.DataFrame,
    dataset: Dataset,
    metric: str,
    classes: Classes,
    focus: pd.DataFrame | None = None,
    title_text: str | None = None,
    subtitle_text: str | None = None,
    circles: bool = False,
) -> Caption:
    """All texts of a map; ``title_text``/``subtitle_text`` replace the written ones when given; ``circles``:
    the map draws the counts as circles (no classes to name).

    Every text is one line without invisible characters (:func:`geo.core.text.one_line`), cut at
    its bound: the callers refuse longer ones from users (:func:`geo.pictures.snapshot.make`).
    """
    credit = attribution(dataset)
    # Words follow what was loaded: "all" over a Hikvision-only table is written "Hikvision".
    table = replace(table, vendor=dataset.shown_vendor(table.vendor))
    given_title, given_subtitle = one_line(title_text, MAX_TITLE), one_line(subtitle_text, MAX_SUBTITLE)
    return Caption(
        title=given_title or one_line(title(table, metric, focus, dataset), 2 * MAX_TITLE),
        subtitle=given_subtitle or one_line(subtitle(table, dataset, metric, focus), 2 * MAX_SUBTITLE),
        notes=footnotes(table, shapes, classes, circles),
        source=credit.source_line,
        credit=credit.credit_line,
        alt=alt_text(table, shapes, dataset, metric, focus),
    )
