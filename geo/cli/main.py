"""The command line: ``python -m geo fetch | resolve | table | snapshot | ingest shodan | scan shodan | history
| settings`` (also ``camera-atlas``). ``scan``, ``history`` and ``settings`` live in their own modules.

Every user error ends in one line on stderr naming the problem and the fix, exit code 2;
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.cli import history as history_cli
from geo.cli import scan as scan_cli
from geo.cli import settings_list
from geo.cli.shared import EXIT_USER_ERROR, MIRROR_HELP, Parser, progress, write_file
from geo.cli.shared import context as _context  # looked up at each call: tests put prepared areas here
from geo.core.errors import AtlasError
from geo.core.text import shown
from geo.figures.selection import DEFAULT_DATASET
from geo.figures.vocabulary import LEVELS, METRICS, SCHEMES, STYLES, VENDORS
from geo.pictures.static.sizes import SIZES


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        default=DEFAULT_DATASET,
        help=f"shipped dataset id, a dataset folder (observations.csv + datapackage.json) or a CSV/XLSX file (default: {DEFAULT_DATASET})",
    )
    parser.add_argument("--vendor", default="all", choices=VENDORS)
    parser.add_argument("--level", default="place", choices=LEVELS)
    parser.add_argument("--metric", default="networks", choices=METRICS, help="metric to rank by")
    parser.add_argument("--mirror", help=MIRROR_HELP)
    parser.add_argument(
        "--source",
        metavar="S",
        help="a table file's source, in a few words (default: its source column, else 'uploaded file NAME')",
    )
    parser.add_argument(
        "--date",
        metavar="D",
        help="a table file's date, e.g. 2025-03-01 or 2025-03 (default: its date column, else its file name's date)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = Parser(
        prog="python -m geo", description="UK Camera Atlas: official UK geography for camera-network counts."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    fetch = commands.add_parser(
        "fetch", help="obtain, validate and cache the official ONS files and the map's scripts (Leaflet)"
    )
    fetch.add_argument("--mirror", help=MIRROR_HELP)
    fetch.add_argument(
        "--missing",
        action="store_true",
        help="only obtain what is not cached yet (quick when everything is; `make` uses it)",
    )

    resolve = commands.add_parser("resolve", help="resolve place names to LAD codes")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--json", action="store_true", help="print JSON (the default output is a text table)")
    resolve.add_argument("--mirror", help="folder with the official ONS files")

    table = commands.add_parser("table", help="metrics per place, LAD or region")
    _add_filters(table)
    out = table.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")

    snapshot = commands.add_parser("snapshot", help="write a map: .png, .svg, .pdf (static) or .html (interactive)")
    _add_filters(snapshot)
    for action in snapshot._actions:
        if action.dest == "metric":
            action.help = "metric to map (and rank by)"
    snapshot.add_argument("--scheme", default="quantiles", choices=SCHEMES, help="class breaks (default: quantiles)")
    snapshot.add_argument("--classes", type=int, default=5, metavar="K", help="number of classes, 1 to 9 (default: 5)")
    snapshot.add_argument(
        "--place",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="highlight these places and zoom to them",
    )
    snapshot.add_argument(
        "--style",
        choices=STYLES,
        default=None,
        help="draw counts as circles (area ∝ count) or shaded areas (default: circles for counts, shading for rates)",
    )
    snapshot.add_argument(
        "--size",
        choices=SIZES,
        default=None,
        help="lay the static map out for an article (600 px wide), social (1200 x 1200) or print "
        "(1800 px wide; the default)",
    )
    snapshot.add_argument(
        "--width",
        type=int,
        default=None,
        metavar="PX",
        help="PNG width in pixels without --size (article layout under 1200 px, print from 1200); "
        "with --size it must be that size's own width",
    )
    snapshot.add_argument("--title", help="the map's title (default: the finding, written from the data)")
    snapshot.add_argument("--subtitle", help="the line under the title (default: metric, vendor, geography and date)")
    snapshot.add_argument(
        "--out", required=True, metavar="FILE", help="output file ending in .png, .svg, .pdf or .html"
    )

    ingest = commands.add_parser("ingest", help="turn a raw scan export into an observations CSV")
    sources = ingest.add_subparsers(dest="source", required=True, parser_class=Parser)
    shodan = sources.add_parser(
        "shodan", help="a `shodan download` export (.json.gz or JSON lines): distinct IPs per vendor per LAD"
    )
    shodan.add_argument("file", metavar="FILE", help="the export (gzip detected from its content)")
    shodan.add_argument(
        "--out", required=True, metavar="FILE", help="observations CSV to write (lad_code,place,vendor,networks)"
    )
    shodan.add_argument("--mirror", help=MIRROR_HELP)

    scan_cli.add_parser(commands)
    history_cli.add_parser(commands)
    settings_list.add_parser(commands)
    return parser


def cmd_fetch(args: argparse.Namespace) -> int:
    from geo import settings
    from geo.names import gazetteer
    from geo.official import areas, assets

    cached = areas.read_cache() if args.missing else None
    if cached is not None:
        if not (settings.cache_dir() / gazetteer.TOWNS_CACHE_NAME).is_file():
            gazetteer.load_towns(cached, refresh=True)
        print(f"ok: official data already cached at {areas.cache_path()}", flush=True)
    else:
        _fetch_official(args.mirror)
    for line in assets.fetch(args.mirror, progress=progress):
        print(f"ok: {line}")
    return 0


def _fetch_official(mirror: str | None) -> None:
    from geo.names import gazetteer
    from geo.official import areas

    frame, path, origin = areas.fetch(mirror, progress=progress)
    gazetteer.load_towns(frame, refresh=True)
    by_nation = frame["code"].str[0].value_counts().to_dict()
    print(
        f"ok: {len(frame)} LADs (E {by_nation.get('E', 0)}, W {by_nation.get('W', 0)}, "
        f"S {by_nation.get('S', 0)}, N {by_nation.get('N', 0)}), population {int(frame['population'].sum()):,}, "
        f"from {origin}; cached at {path}",
        flush=True,
    )


def cmd_resolve(args: argparse.Namespace) -> int:
    _, resolver = _context(args.mirror)
    results = [resolver.resolve(name).to_dict() for name in args.names]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for r in results:  # text mode: the input as a message quotes it (invisible characters written out)
        target = r["name"] or ", ".join(r["suggestions"]) or "-"
        note = f"\t{shown(r['note'], 200)}" if r.get("note") else ""
        print(
            f"{shown(r['input'], 200)}\t{r['status']}\t{r['method'] or '-'}\t{shown(target, 200)}\t{' '.join(r['lad_codes'])}{note}"
        )
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    from geo.datasets import exports, folders
    from geo.figures import metrics
    from geo.figures.baseline import baseline
    from geo.pictures import captions

    frame, resolver = _context(args.mirror)
    dataset = _with_vendor(folders.load(args.dataset, source=args.source, date=args.date), args.vendor)
    table = metrics.build_table(dataset, resolver, frame, vendor=args.vendor, level=args.level, rank_by=args.metric)
    if table.unplaced:  # what every page says of networks on no map; on stderr, so stdout stays JSON/CSV
        print(table.unplaced.line, file=sys.stderr)
    if args.json:
        print(json.dumps(table.to_dict(), ensure_ascii=False, indent=2))
    elif args.csv:
        # Every row carries the counts' source and date, as the app's CSV does (figures unrounded).
        credit = captions.attribution(dataset)
        sys.stdout.write(exports.safe_csv(table.rows.assign(source=credit.counts, date=dataset.date_label)))
    else:
        total = baseline(
            table.national_total_source
        ).total_label.lower()  # "national total" only with a national figure
        print(
            f"{dataset.title} - vendor {dataset.shown_vendor(args.vendor)}, level {args.level}; {total} {table.national_total:,}"
        )
        print(table.rows.drop(columns=["lad_codes"]).to_string(index=False))
        for note in table.notes:
            print(f"note: {note}")
    return 0


def _with_vendor(dataset, vendor: str):
    """``dataset``, unless ``vendor`` is one it did not count (a Dahua map of a Hikvision-only table): one line."""
    only = dataset.shown_vendor("all")
    if only != "all" and vendor not in ("all", only):
        raise AtlasError(f"{shown(dataset.title)} counts {only} only, not {vendor}: use --vendor {only} (or all)")
    return dataset


SNAPSHOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".html": "html"}


def _snapshot_target(out: str) -> tuple[Path, str]:
    """The output path and its format, checked before any work is done."""
    path = Path(out)
    fmt = SNAPSHOT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AtlasError(
            f"cannot tell the format of {out!r} from its extension: "
            f"name the file with one of {', '.join(SNAPSHOT_FORMATS)}"
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AtlasError(f"folder {folder} does not exist: create it or choose another --out")
    return path, fmt


def _place_lad_codes(resolver, names: Sequence[str]) -> list[str]:
    """LAD codes of ``--place`` names; unmatched or ambiguous names are errors with suggestions."""
    codes: list[str] = []
    for name in names:
        result = resolver.resolve(name)
        quoted = f"'{shown(name)}'"
        if result.status == "matched" and result.national:
            raise AtlasError(f"--place {quoted} is the whole UK: leave out --place to map the whole UK")
        if result.status == "matched":
            codes.extend(result.lad_codes)
        elif result.status == "ambiguous":
            options = ", ".join(result.suggestions) or "a local authority"
            raise AtlasError(f"--place {quoted} is ambiguous: name one of {options} (or give its GSS code)")
        else:
            why = f" ({shown(result.note, 160)})" if result.note else ""
            hint = (
                f"did you mean {', '.join(result.suggestions)}?"
                if result.suggestions
                else "check the spelling or give a LAD GSS code"
            )
            raise AtlasError(f"--place {quoted} not found{why}: {hint}")
    return codes


def cmd_snapshot(args: argparse.Namespace) -> int:
    path, fmt = _snapshot_target(args.out)  # before any slow import or load

    from geo.datasets import folders
    from geo.figures.selection import Selection
    from geo.figures.view import build_view
    from geo.pictures import snapshot

    frame, resolver = _context(args.mirror)
    dataset = _with_vendor(folders.load(args.dataset, source=args.source, date=args.date), args.vendor)
    _place_lad_codes(resolver, args.place)  # unknown or ambiguous names: one line with suggestions
    chosen = Selection(
        dataset=dataset.id,
        vendor=args.vendor,
        places=tuple(args.place),
        metric=args.metric,
        level=args.level,
        scheme=args.scheme,
        k=args.classes,
        style=args.style,
    )
    view = build_view(dataset, resolver, frame, chosen)
    if view.table.unplaced:  # as `table` and every page say it
        print(view.table.unplaced.line, file=sys.stderr)
    if view.places_without_data:
        units = ", ".join(view.table.rows["name"].astype(str)) or "none"
        raise AtlasError(
            f"{', '.join(view.places_without_data)} has no figure in dataset {dataset.id} at level {args.level} "
            f"(it has: {units}): pick one of those, or use --level lad or --level region"
        )
    result = snapshot.make(
        view,
        dataset,
        frame,
        fmt=fmt,
        scheme=args.scheme,
        k=args.classes,
        title=args.title,
        subtitle=args.subtitle,
        width_px=args.width,
        style=args.style,
        size=args.size,
    )
    write_file(path, result.data)
    print(f"wrote {args.out} ({len(result.data)} bytes): {result.caption.title}")
    print(f"alt text: {result.caption.alt}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from geo.shodan import importer as shodan

    out = Path(args.out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise AtlasError(f"folder {folder} does not exist: create it or choose another --out")
    source = Path(args.file)
    if not source.is_file():
        raise AtlasError(f"file {args.file} not found: check the path of the Shodan export")
    frame, resolver = _context(args.mirror)
    result = shodan.ingest(source, frame, resolver, filename=source.name)
    data = shodan.to_csv_bytes(result)
    write_file(out, data)
    print(f"wrote {args.out}: {result.summary()}")
    return 0


COMMANDS = {
    "fetch": cmd_fetch,
    "resolve": cmd_resolve,
    "table": cmd_table,
    "snapshot": cmd_snapshot,
    "ingest": cmd_ingest,
    "scan": scan_cli.cmd_scan,
    "history": history_cli.cmd_history,
    "settings": settings_list.cmd_settings,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:  # a bug: one line for the user, the traceback to a log file
        where = _log_unexpected()
        print(
            f"error: unexpected failure in {args.command}: the details are in {where}; please report it",
            file=sys.stderr,
        )
        return 1


def _log_unexpected() -> str:
    """Append the exception being handled, with its traceback, to the command line's error log."""
    import traceback

    from geo import settings

    try:
        path = settings.cache_dir() / "logs" / "cli-errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(traceback.format_exc() + "\n")
        return str(path)
    except (OSError, AtlasError):
        return "standard error (the log file could not be written)"


if __name__ == "__main__":
    sys.exit(main())
