"""``python -m geo history``: each unit's value per date over dated datasets, with change, breaks and gaps.

Each DATASET is a dataset id, a dataset folder or a saved zip; ``--collection DIR`` adds every
dataset folder in DIR (a folder ``scan shodan --into DIR`` fills month after month). Bad input
(fewer than two datasets, one named twice, an unreadable folder) is one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from geo.core.errors import AtlasError
from geo.core.text import shown
from geo.figures.vocabulary import LEVELS, METRIC_SHORT, METRICS, VENDORS


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``history`` subcommand to ``commands``."""
    history = commands.add_parser("history", help="each area's value per date over dated datasets, with change")
    history.add_argument("datasets", nargs="*", metavar="DATASET", help="a dataset id, a dataset folder or a saved zip")
    history.add_argument(
        "--collection",
        action="append",
        default=[],
        metavar="DIR",
        help="add every dataset folder in DIR (e.g. the folder scan shodan --into fills)",
    )
    history.add_argument("--level", default="place", choices=LEVELS)
    history.add_argument("--vendor", default="all", choices=VENDORS)
    history.add_argument("--metric", default="networks", choices=METRICS)
    history.add_argument("--mirror", help="folder with the official ONS files (default: $CAMERA_ATLAS_GEO_MIRROR)")
    out = history.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV, one column per date")


def collection_folders(folder: str) -> list[Path]:
    """The dataset folders in ``folder`` by name, as the app lists a collection (a scan still being
    written is none: :func:`geo.datasets.folders.folders`); one line if it is no folder."""
    from geo.datasets import folders as dataset_folders

    path = Path(folder)
    if not path.is_dir():
        raise AtlasError(
            f"--collection {shown(folder)} is not a folder: name the folder that holds the dataset folders"
        )
    return list(dataset_folders.folders([path]).values())


def load_all(specs: list[str], collections: list[str]):
    """The datasets named, then those of each collection; one line for a dataset named twice."""
    from geo.datasets import folders as dataset_folders

    named = [*specs, *(str(p) for folder in collections for p in collection_folders(folder))]
    seen: dict[str, str] = {}
    loaded = []
    for spec in named:
        path = Path(spec)
        key = str(path.resolve()) if path.exists() else dataset_folders.current_id(spec)
        if key in seen:
            raise AtlasError(f"{shown(spec)} is given twice (as {shown(seen[key])}): name each dataset once")
        seen[key] = spec
        dataset = dataset_folders.load(spec)
        if path.is_file():  # every saved zip opens as "upload-zip": name it by its file
            dataset = replace(dataset, id=path.stem)
        elif path.is_dir():
            dataset = replace(dataset, id=path.name)
        loaded.append(dataset)
    return loaded


def cmd_history(args: argparse.Namespace) -> int:
    """Print the series as a text table, JSON or CSV."""
    from geo.datasets import exports
    from geo.figures import series_vendors
    from geo.names import places
    from geo.official import areas

    if len(args.datasets) + len(args.collection) == 0:
        raise AtlasError("history needs datasets: name two or more (ids, folders, saved zips) or a --collection DIR")
    datasets = load_all(args.datasets, args.collection)
    if len(datasets) < 2:
        raise AtlasError(
            f"a series needs at least two datasets and {len(datasets)} is given: add more counts or folders"
        )
    frame = areas.load_areas(args.mirror)
    series = series_vendors.series_for(
        datasets, places.build_resolver(frame), frame, vendor=args.vendor, level=args.level, metric=args.metric
    )
    if args.json:
        print(json.dumps(series.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        for note in series.notes:  # on stderr: stdout stays one CSV
            print(f"note: {note}", file=sys.stderr)
        sys.stdout.write(exports.safe_csv(series.csv_frame()))
        return 0
    print(f"{METRIC_SHORT[args.metric]}, {args.vendor}, level {args.level}, over {len(series.points)} datasets:")
    for point in series.points:
        national = "no national figure" if point.national is None else f"national {point.national:,.6g}"
        joined = "continues the line" if point.comparable_with_previous else "starts a line"
        print(f"  {point.stated}  {shown(point.dataset.short_name, 80)} ({national}; {joined})")
    table = series.rows.drop(columns=["lad_codes", "same_coverage"])
    print(table.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:,.6g}"))
    for note in series.notes:
        print(f"note: {note}")
    return 0
