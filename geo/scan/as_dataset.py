"""A scan's cities resolved to local authorities, and the scan written as a dataset folder.

:func:`summarise` resolves every city name of a :class:`geo.scan.provider.ScanResult` with the
project's resolver (each distinct name once, in batches, with a progress call between
batches that may stop the work when the session has gone; no more names than a dataset may
hold) and accounts for each vendor's total: the shares held by resolved,
ambiguous and unmatched cities, and the remainder no city facet attributes. The country is
known (the scan filters on it) but a city facet carries only a name, so an ambiguous UK name
("Newport": Wales, Isle of Wight or Shropshire) stays ambiguous; a ``region`` facet would not
help, because facets are counted separately and do not say which region a city's results
are in (that would take one call per region).

:func:`write_dataset` writes the folder in the shipped datasets' format
(``observations.csv`` + Frictionless ``datapackage.json`` with a ``scan`` section),
atomically: into a hidden sibling folder first, then renamed into place. An existing folder is
replaced only after the new one is complete, and only if it holds an earlier scan (or
nothing); any other folder is refused. :func:`write_into` adds a new dated folder to a
collection instead, never replacing one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.core.errors import AtlasError
from geo.core.text import shown
from geo.datasets import dataset as datasets
from geo.datasets import folders as dataset_folders
from geo.datasets.exports import neutralised
from geo.datasets.limits import MAX_TABLE_PLACES_ENV, max_table_places
from geo.names.keys import normalise_name
from geo.names.places import Resolver
from geo.names.resolution import Resolution
from geo.scan.provider import ProgressFn, ScanError, ScanResult, VendorCount

NATIONAL_PLACE = "United Kingdom"  # the resolver's name for the national total
FILES = ("observations.csv", "datapackage.json")
STATUSES = ("resolved", "ambiguous", "unmatched")
RESOLVE_BATCH = 250  # city names resolved between two progress calls (a batch takes well under a second)


@dataclass(frozen=True)
class VendorSummary:
    """How one vendor's total is accounted for: ``results`` and ``cities`` per status, and the remainder."""

    vendor: str
    query: str
    total: int
    remainder: int
    cities: dict[str, int]  # status → number of city names
    results: dict[str, int]  # status → results those cities hold

    def share(self, status: str) -> float:
        """Share of the total held by ``status`` (``resolved``, ``ambiguous``, ``unmatched`` or ``remainder``)."""
        held = self.remainder if status == "remainder" else self.results[status]
        return held / self.total if self.total else 0.0

    def to_dict(self) -> dict:
        """JSON-ready form, as recorded in ``datapackage.json``."""
        out: dict = {
            "total": self.total,
            "city_facets": sum(self.cities.values()),
            "facet_sum": sum(self.results.values()),
            "remainder": self.remainder,
            "remainder_share": round(self.share("remainder"), 6),
        }
        for status in STATUSES:
            out[status] = {
                "cities": self.cities[status],
                "results": self.results[status],
                "share": round(self.share(status), 6),
            }
        return out

    def line(self) -> str:
        """One summary line for people."""
        parts = ", ".join(
            f"{status} {self.cities[status]:,} {'city' if self.cities[status] == 1 else 'cities'} "
            f"{self.results[status]:,} ({self.share(status):.1%})"
            for status in STATUSES
        )
        return (
            f"{self.vendor}: total {self.total:,}; {parts}; remainder {self.remainder:,} "
            f"({self.share('remainder'):.1%}) beyond the top cities or without a city"
        )


@dataclass(frozen=True)
class ScanSummary:
    """A scan with its cities resolved: ``cities`` has one row per vendor and city name."""

    result: ScanResult
    vendors: tuple[VendorSummary, ...]
    cities: pd.DataFrame  # vendor, place, networks, status, lad_codes, name, method, suggestions, note
    notes: tuple[str, ...] = ()

    def problems(self) -> pd.DataFrame:
        """The ambiguous and unmatched cities, largest first (what the user may want to fix)."""
        rows = self.cities[self.cities["status"].isin(["ambiguous", "unmatched"])]
        order = {v.vendor: i for i, v in enumerate(self.vendors)}
        rows = rows.assign(_order=rows["vendor"].map(order))
        return (
            rows.sort_values(["_order", "networks"], ascending=[True, False])
            .drop(columns="_order")
            .reset_index(drop=True)
        )

    def lines(self) -> list[str]:
        """The summary for people: one line per vendor, then each problem city."""
        out = [v.line() for v in self.vendors]
        for row in self.problems().itertuples(index=False):
            options = "; ".join(row.suggestions)
            hint = (
                f"one of {options}"
                if row.status == "ambiguous"
                else (f"did you mean {options}?" if options else "no suggestion")
            )
            out.append(f"  {row.vendor} {row.status}: {row.place} ({row.networks:,}): {hint}")
        out.extend(f"note: {note}" for note in (*self.result.notes, *self.notes))
        return out


def summarise(result: ScanResult, resolver: Resolver, progress: ProgressFn | None = None) -> ScanSummary:
    """Resolve every city of ``result`` and account for each vendor's total.

    Each distinct name is resolved once (a city both vendors name costs one look-up), in
    batches of :data:`RESOLVE_BATCH`; ``progress(fraction, message)`` is called before each
    batch and may raise (:class:`geo.core.errors.Cancelled`) to stop. A scan naming more distinct
    cities than a dataset may hold is refused before any is resolved.
    """
    report = progress or (lambda fraction, message: None)
    notes: list[str] = []
    merged = {count.vendor: _merged_cities(count, notes) for count in result.vendors}
    distinct = list(dict.fromkeys(place for cities in merged.values() for place, _ in cities))
    limit = max_table_places() - 1  # the dataset's national row is a place too
    if len(distinct) > limit:
        raise ScanError(
            f"the count names {len(distinct):,} distinct cities, more than the {limit:,} a dataset may hold: "
            f"ask for fewer cities per vendor (or raise {MAX_TABLE_PLACES_ENV})"
        )
    found = _resolve(distinct, resolver, report)
    rows: list[dict] = []
    summaries = []
    for count in result.vendors:
        cities_by_status = dict.fromkeys(STATUSES, 0)
        results_by_status = dict.fromkeys(STATUSES, 0)
        for place, networks in merged[count.vendor]:
            resolution = found[place]
            status = {"matched": "resolved"}.get(resolution.status, resolution.status)
            note = resolution.note
            if resolution.status == "matched" and resolution.national:
                # A "city" naming the whole country is not a place: kept out of the dataset.
                status, note = "national", "names the whole country, not a place: left out of the dataset"
                notes.append(f"{count.vendor}: city '{shown(place)}' ({networks:,}) names the whole country: left out")
            else:
                cities_by_status[status] += 1
                results_by_status[status] += networks
            rows.append(
                {
                    "vendor": count.vendor,
                    "place": place,
                    "networks": networks,
                    "status": status,
                    "lad_codes": resolution.lad_codes,
                    "name": resolution.name,
                    "method": resolution.method,
                    "suggestions": resolution.suggestions,
                    "note": note,
                }
            )
        summaries.append(
            VendorSummary(
                count.vendor,
                count.query,
                count.total,
                remainder=max(count.total - sum(results_by_status.values()), 0),
                cities=cities_by_status,
                results=results_by_status,
            )
        )
    columns = ["vendor", "place", "networks", "status", "lad_codes", "name", "method", "suggestions", "note"]
    return ScanSummary(result, tuple(summaries), pd.DataFrame(rows, columns=columns), tuple(notes))


def _resolve(names: list[str], resolver: Resolver, report: ProgressFn) -> dict[str, Resolution]:
    """Each name resolved once, a batch at a time, with a progress call (a chance to stop) before each batch."""
    found: dict[str, Resolution] = {}
    for start in range(0, len(names), RESOLVE_BATCH):
        report(start / len(names), f"resolving cities: {start:,} of {len(names):,}")
        batch = names[start : start + RESOLVE_BATCH]
        found.update(zip(batch, resolver.resolve_many(batch)))
    return found


def _merged_cities(count: VendorCount, notes: list[str]) -> list[tuple[str, int]]:
    """City facets, with names that differ only in case or punctuation summed under the first one."""
    merged: dict[str, list] = {}
    for place, networks in count.cities:
        key = normalise_name(place)
        if key in merged:
            notes.append(
                f"{count.vendor}: cities '{shown(merged[key][0])}' and '{shown(place)}' are one name: counts summed"
            )
            merged[key][1] += networks
        else:
            merged[key] = [place, networks]
    return [(place, networks) for place, networks in merged.values()]


def observations(summary: ScanSummary) -> pd.DataFrame:
    """The dataset table: per vendor a national row (Shodan's total), then one row per city.

    ``lad_code`` is set when the city resolves to exactly one LAD, else empty (the loader
    resolves the name again: "London" is the 33 London LADs).
    """
    source = f"{summary.result.provider} count API"
    date = summary.result.date
    rows = []
    for vendor in summary.vendors:
        rows.append((NATIONAL_PLACE, vendor.vendor, vendor.total, ""))
        cities = summary.cities[(summary.cities["vendor"] == vendor.vendor) & (summary.cities["status"] != "national")]
        for city in cities.itertuples(index=False):
            code = city.lad_codes[0] if city.status == "resolved" and len(city.lad_codes) == 1 else ""
            rows.append((city.place, vendor.vendor, int(city.networks), code))
    table = pd.DataFrame(rows, columns=["place", "vendor", "networks", "lad_code"])
    return table.assign(source=source, date=date)


def package_name(name: str) -> str:
    """A Frictionless package name (lower case, digits, ``-._``) from a folder name."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return cleaned or "scan"


def datapackage(summary: ScanSummary, name: str) -> dict:
    """The Frictionless descriptor: provenance, method notes and the ``scan`` record."""
    result = summary.result
    where = "the UK" if result.country == "GB" else f"country {result.country}"
    counted_at = result.started_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "profile": "tabular-data-package",
        "name": package_name(name),
        "title": f"{result.provider} count: Hikvision and Dahua results in {where} by city, {result.date}",
        "description": (
            f"Per-city counts of {result.provider} results (services: IP address and port) matching a Hikvision "
            f"query and a Dahua query in country:{result.country}, from {result.provider}'s count API on "
            f"{result.date} (UTC), with each vendor's national total."
        ),
        "date": result.date,
        "source_short": f"{result.provider} count API (results: services, not cameras)",
        "vendors": "split",
        "method_notes": [
            f"Unit: {result.provider} results, i.e. services (one IP address and port each) matching the vendor's query. "
            "Not cameras, and not distinct IP addresses: a device answering on several ports counts once per port, "
            "and one address can front many cameras. Not comparable one-to-one with TOP10VPN or Comparitech, "
            "which counted camera networks (distinct IP addresses).",
            f"Places are the GeoIP city names of {result.provider}'s city facet (the {result.facet_size:,} largest per "
            "vendor), resolved to local authorities by the project's resolver; 'London' means Greater London. "
            "lad_code is filled where a city resolves to exactly one local authority.",
            f"The {NATIONAL_PLACE} rows are {result.provider}'s total for each query: the national figure. "
            "The remainder (results beyond the largest cities, or without a city) is part of it but of no place.",
            "One query per vendor (see scan.queries), so a result counts once per vendor; a result matching both "
            "vendors' queries would count for both, so Hikvision + Dahua can count it twice.",
            *result.notes,
            *summary.notes,
        ],
        "sources": [{"title": f"{result.source}, queried with the user's own API key", "path": result.source_url}],
        "licenses": [
            {
                "name": "other-provider-terms",
                "title": f"Aggregate counts obtained under the key holder's {result.provider} account terms; "
                "no banner data is included",
            }
        ],
        "scan": {
            "provider": result.provider,
            "client": result.provider_version,
            "counted_at": counted_at,
            "finished_at": result.finished_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "country": result.country,
            "facet": result.facet,
            "facet_size": result.facet_size,
            "calls": result.calls,
            "queries": [{"vendor": v.vendor, "query": v.query, "note": v.note} for v in result.vendors],
            "vendors": {v.vendor: v.to_dict() for v in summary.vendors},
        },
        "resources": [_resource(result.provider)],
    }


def _resource(provider: str) -> dict:
    """The observations resource: the same fields as the shipped datasets."""
    return {
        "name": "observations",
        "path": "observations.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {
                    "name": "place",
                    "type": "string",
                    "description": f"City as {provider} names it (GeoIP), or {NATIONAL_PLACE} for the national total",
                },
                {"name": "vendor", "type": "string", "constraints": {"enum": ["hikvision", "dahua"]}},
                {
                    "name": "networks",
                    "type": "integer",
                    "constraints": {"minimum": 0},
                    "description": f"{provider} results (services), not distinct IP addresses",
                },
                {
                    "name": "lad_code",
                    "type": "string",
                    "description": "GSS LAD code when the city resolves to exactly one LAD",
                },
                {"name": "source", "type": "string"},
                {"name": "date", "type": "string", "description": "UTC date of the count"},
            ]
        },
    }


def dataset_files(summary: ScanSummary, name: str) -> dict[str, bytes]:
    """The folder's files as bytes: ``observations.csv`` and ``datapackage.json``."""
    buffer = io.StringIO()
    # Comma CSV with every text cell quoted (dataset_folders reads it as comma CSV, never guessing),
    # formula-looking city names neutralised as in every file a user may open in a spreadsheet
    # (dataset_folders.from_package restores them).
    neutralised(observations(summary)).to_csv(buffer, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    package = json.dumps(datapackage(summary, name), ensure_ascii=False, indent=2) + "\n"
    return {"observations.csv": buffer.getvalue().encode("utf-8"), "datapackage.json": package.encode("utf-8")}


def as_dataset(summary: ScanSummary, dataset_id: str) -> datasets.Dataset:
    """The scan as an in-memory :class:`geo.datasets.dataset.Dataset` (for a page, without writing a folder)."""
    files = dataset_files(summary, dataset_id)
    return dataset_folders.from_package(
        json.loads(files["datapackage.json"]), files["observations.csv"], dataset_id, "the scan"
    )


def check_out_dir(out: Path | str) -> Path:
    """``out`` if a scan may be written there: a new folder in an existing one, or an earlier scan's folder."""
    path = Path(out)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AtlasError(f"folder {parent} does not exist: create it or choose another output folder")
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink():
            raise AtlasError(f"{out} is not a folder: choose a new folder name for the scan")
        entries = {p.name for p in path.iterdir()}
        if entries and not (entries <= set(FILES) and _is_scan(path / "datapackage.json")):
            raise AtlasError(
                f"{out} holds files that are not an earlier scan: choose a new folder name (only a scan folder is replaced)"
            )
    return path


def _is_scan(package_path: Path) -> bool:
    try:
        return "scan" in json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def write_dataset(summary: ScanSummary, out: Path | str, name: str | None = None) -> Path:
    """Write the scan as a dataset folder at ``out``, all or nothing; returns the folder.

    The files go into a hidden sibling folder, which is renamed to ``out`` once complete. An
    earlier scan at ``out`` is moved aside first and deleted only after the rename succeeds
    (it is put back if the rename fails). A failure leaves no partial folder behind.
    """
    path = check_out_dir(out)
    files = dataset_files(summary, name or path.resolve().name)
    parent = path.parent if str(path.parent) else Path(".")
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=parent))
    old: Path | None = None
    try:
        for filename, data in files.items():
            with open(staging / filename, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=parent))
            os.replace(path, old)
        os.replace(staging, path)
    except OSError as exc:
        raise AtlasError(
            f"cannot write {out} ({exc.strerror or type(exc).__name__}): check the path and permissions"
        ) from None
    finally:
        if old is not None:
            if path.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:  # the new folder did not arrive: put the earlier scan back
                os.replace(old, path)
        shutil.rmtree(staging, ignore_errors=True)
    return path


def write_into(summary: ScanSummary, into: Path | str) -> Path:
    """Write the scan as a new dated folder in the collection ``into`` (:func:`geo.datasets.collection.reserve_folder`:
    ``into/2026-12-01T0600Z``), never over an existing one; returns the folder. On failure no folder is left."""
    from geo.datasets.collection import reserve_folder

    path = reserve_folder(into, summary.result.started_at)
    try:
        return write_dataset(summary, path)
    except BaseException:
        if path.is_dir() and not any(path.iterdir()):  # the reservation, still empty
            path.rmdir()
        raise
