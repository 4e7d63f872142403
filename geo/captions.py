"""The words around a map: title (the finding), subtitle, footnotes, alt text, and the one attribution builder.

:func:`attribution` names the counts' source and the official data's licences once, for
every output (the interactive map, the snapshots, the app's captions). :func:`caption`
writes a map's texts from its table and shapes: a title that states the finding and
follows vendor, metric and chosen places; a subtitle with metric, vendor, geography and
the data's date; footnotes for coverage, the unattributed remainder and the classes; and
alt text describing what the map shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from geo.baseline import baseline
from geo.classes import Classes, format_value
from geo.datasets import Dataset
from geo.match_summary import counted
from geo.metrics import NAMES_IN_A_NOTE, Table
from geo.names import display_name
from geo.sources import GEONAMES_ATTRIBUTION, ONS_ATTRIBUTION
from geo.text import MAX_SOURCE, MAX_SUBTITLE, MAX_TITLE, MAX_URL, one_line
from geo.towns import town_names, town_words
from geo.vocabulary import LEVEL_UNITS, VENDOR_PHRASES, check

APP_NAME = "UK Camera Atlas"
# The official lines, as licensed (geo/SOURCES.md), in the compact form a map footer takes.
ONS_SHORT = (
    "Boundaries and population: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "contains OS data © Crown copyright and database right 2024; contains NRS and NISRA data © Crown copyright 2024"
)
GEONAMES_SHORT = "Place names: GeoNames, CC BY 4.0"
_METRIC_PHRASES = {
    "networks": "camera networks",
    "per_1k": "camera networks per 1,000 residents",
    "per_km2": "camera networks per km²",
}


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


def title(table: Table, metric: str, focus: pd.DataFrame | None = None) -> str:
    """The finding: which unit leads and by how much (among the chosen places when there are some)."""
    check("metric", metric)
    vendor = VENDOR_PHRASES[table.vendor]
    rows = (focus if focus is not None and len(focus) else table.rows).dropna(subset=[metric])
    if rows.empty:
        return f"No {vendor} camera networks could be mapped from this dataset"
    top = rows.sort_values([metric, "name"], ascending=[False, True]).iloc[0]
    value = format_value(metric, top[metric])
    if metric == "networks":
        share = top["networks"] / table.national_total if table.national_total else float("nan")
        context = (
            f", {share:.0%} of the UK's {table.national_total:,}"
            if baseline(table.national_total_source).national and share < 1 else ""
        )
        unit = ""
    else:
        unit = " per 1,000 residents" if metric == "per_1k" else " per km²"
        partial = " in the areas counted" if top["coverage"] < 1 else ""
        against = baseline(table.national_total_source).rate_phrase(metric)  # "the UK rate" only with a national figure
        context = partial + _ratio_phrase(top[metric], table.uk_rates[metric], against)
    if len(rows) == 1:
        return f"{display_name(top['name'])}: {value} {vendor} camera networks{unit}{context}"
    lead = {"networks": "the most", "per_1k": "the most", "per_km2": "the densest"}[metric]
    per = " per resident" if metric == "per_1k" else ""
    among = f" of the {len(rows)} places chosen" if focus is not None and len(focus) else ""
    return f"{display_name(top['name'])} has {lead} {vendor} camera networks{per}{among}: {value}{unit}{context}"


def subtitle(table: Table, dataset: Dataset, metric: str) -> str:
    """Metric, vendor, geography and the data's date, as one sentence."""
    unit = LEVEL_UNITS[table.level][0]
    vendor = "Hikvision and Dahua combined" if table.vendor == "all" else f"{VENDOR_PHRASES[table.vendor]} only"
    return (
        f"Internet-exposed {_METRIC_PHRASES[metric]}, by {unit}. {vendor}. "
        f"{_named(dataset)}."
    )


def footnotes(table: Table, shapes: pd.DataFrame, classes: Classes) -> tuple[str, ...]:
    """What a reader must know: coverage, places drawn unsplit, the remainder, the classes."""
    notes: list[str] = []
    partial = shapes[shapes["has_data"] & (shapes["coverage"] < 1)]
    # A count from a town inside the area (geo.towns) says whose it is, not a share of residents.
    from_town = partial[[bool(town_names(t)) for t in partial.get("town", pd.Series(None, index=partial.index))]]
    if len(from_town):
        unknown = " (none where GeoNames gives no population)" if from_town["per_1k"].isna().any() else ""
        if len(from_town) == 1:
            lead = f"{from_town['name'].iloc[0]}: the count is for {town_words(from_town['town'].iloc[0])}, not the whole area"
        else:
            listed = [f"{name} ({', '.join(town_names(town))})" for name, town in zip(from_town["name"], from_town["town"])]
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
        if baseline(table.national_total_source).national:
            where, rest = "in the UK total", "not attributed to any place"
        else:  # a sum of places: only places this level cannot draw (spanning regions) are left over
            where, rest = "in all the places counted", f"in places no {LEVEL_UNITS[table.level][0]} holds whole"
        notes.append(f"The map accounts for {table.mapped_total:,} of the {table.national_total:,} networks {where}; the rest are {rest}.")
    off = table.unplaced
    if off:
        notes.append(
            f"Not on the map: {counted(off.networks, 'network')} in {counted(len(off.names), 'name')} "
            "that could not be placed (ambiguous, unmatched or conflicting)."
        )
    no_data = "grey: no data" if (~shapes["has_data"]).any() else ""
    classes_note = f"Classes: {classes.scheme_label.lower()}" if len(classes.colors) > 1 else ""
    tail = "; ".join(p for p in (classes_note, no_data) if p)
    if tail:
        notes.append(tail[0].upper() + tail[1:] + ".")
    return tuple(notes)


def alt_text(table: Table, shapes: pd.DataFrame, dataset: Dataset, metric: str) -> str:
    """A sentence or two for screen readers: what the map shows, its extremes and its gaps."""
    unit_one, units = LEVEL_UNITS[table.level]
    with_data = shapes[shapes["has_data"]].dropna(subset=[metric])
    text = (
        f"Map of the United Kingdom by {unit_one} showing {VENDOR_PHRASES[table.vendor]} {_METRIC_PHRASES[metric]} "
        f"({_named(dataset)})."
    )
    if with_data.empty:
        return text + " No area has a figure."
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
        text += "".join(f" ({name}'s {len(codes)} as one area)" for name, codes in zip(merged["name"], merged["lad_codes"]))
        text += "; the rest are shaded as no data." if counted < every else "."
    else:
        text += f" {len(with_data)} of {len(shapes)} {units} have a figure"
        text += "; the rest are shaded as no data." if len(with_data) < len(shapes) else "."
    text += f" Highest: {display_name(top['name'])} ({format_value(metric, top[metric])})"
    text += f"; lowest: {display_name(low['name'])} ({format_value(metric, low[metric])})." if len(ranked) > 1 else "."
    partial = with_data[with_data["coverage"] < 1]
    if len(partial):
        parts = ", ".join(f"{n} {c:.0%}" for n, c in zip(partial["name"], partial["coverage"]))
        text += f" The counts cover only part of the residents of {parts}."
    return text


def caption(table: Table, shapes: pd.DataFrame, dataset: Dataset, metric: str, classes: Classes,
            focus: pd.DataFrame | None = None, title_text: str | None = None, subtitle_text: str | None = None) -> Caption:
    """All texts of a map; ``title_text``/``subtitle_text`` replace the written ones when given.

    Every text is one line without invisible characters (:func:`geo.text.one_line`), cut at
    its bound: the callers refuse longer ones from users (:func:`geo.snapshot.make`).
    """
    credit = attribution(dataset)
    # Words follow what was loaded: "all" over a Hikvision-only table is written "Hikvision".
    table = replace(table, vendor=dataset.shown_vendor(table.vendor))
    given_title, given_subtitle = one_line(title_text, MAX_TITLE), one_line(subtitle_text, MAX_SUBTITLE)
    return Caption(
        title=given_title or one_line(title(table, metric, focus), 2 * MAX_TITLE),
        subtitle=given_subtitle or one_line(subtitle(table, dataset, metric), 2 * MAX_SUBTITLE),
        notes=footnotes(table, shapes, classes),
        source=credit.source_line,
        credit=credit.credit_line,
        alt=alt_text(table, shapes, dataset, metric),
    )

