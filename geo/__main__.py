"""The command line: ``python -m geo fetch | resolve | table`` (also ``camera-atlas``).

Every user error ends in one line on stderr naming the problem and the fix, exit code 2;
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from geo.errors import AtlasError

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line too."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="top10vpn-2022", help="shipped dataset id or a CSV file (default: top10vpn-2022)")
    parser.add_argument("--vendor", default="all", choices=["all", "hikvision", "dahua"])
    parser.add_argument("--level", default="place", choices=["place", "lad", "region"])
    parser.add_argument("--metric", default="networks", choices=["networks", "per_1k", "per_km2"], help="metric to rank by")
    parser.add_argument("--mirror", help="folder with the official ONS files (default: $CAMERA_ATLAS_GEO_MIRROR)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="python -m geo", description="UK Camera Atlas: official UK geography for camera-network counts.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    fetch = commands.add_parser("fetch", help="obtain, validate and cache the official ONS files")
    fetch.add_argument("--mirror", help="folder with the official ONS files (default: $CAMERA_ATLAS_GEO_MIRROR)")

    resolve = commands.add_parser("resolve", help="resolve place names to LAD codes")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--json", action="store_true", help="print JSON (the default output is a text table)")
    resolve.add_argument("--mirror", help="folder with the official ONS files")

    table = commands.add_parser("table", help="metrics per place, LAD or region")
    _add_filters(table)
    out = table.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    return parser


def _context(mirror: str | None):
    from geo import areas, places

    frame = areas.load_areas(mirror)
    return frame, places.build_resolver(frame)


def cmd_fetch(args: argparse.Namespace) -> int:
    from geo import areas, places

    frame, path, origin = areas.fetch(args.mirror)
    places.load_towns(frame, refresh=True)
    by_nation = frame["code"].str[0].value_counts().to_dict()
    print(
        f"ok: {len(frame)} LADs (E {by_nation.get('E', 0)}, W {by_nation.get('W', 0)}, "
        f"S {by_nation.get('S', 0)}, N {by_nation.get('N', 0)}), population {int(frame['population'].sum()):,}, "
        f"from {origin}; cached at {path}"
    )
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    _, resolver = _context(args.mirror)
    results = [resolver.resolve(name).to_dict() for name in args.names]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for r in results:
        target = r["name"] or ", ".join(r["suggestions"]) or "-"
        print(f"{r['input']}\t{r['status']}\t{r['method'] or '-'}\t{target}\t{' '.join(r['lad_codes'])}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    from geo import datasets, exports, metrics

    frame, resolver = _context(args.mirror)
    dataset = datasets.load(args.dataset)
    table = metrics.build_table(dataset, resolver, frame, vendor=args.vendor, level=args.level, rank_by=args.metric)
    if args.json:
        print(json.dumps(table.to_dict(), ensure_ascii=False, indent=2))
    elif args.csv:
        sys.stdout.write(exports.safe_csv(table.rows))
    else:
        print(f"{dataset.title} - vendor {args.vendor}, level {args.level}; national total {table.national_total:,}")
        print(table.rows.drop(columns=["lad_codes"]).to_string(index=False))
        for note in table.notes:
            print(f"note: {note}")
    return 0


COMMANDS = {"fetch": cmd_fetch, "resolve": cmd_resolve, "table": cmd_table}


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


if __name__ == "__main__":
    sys.exit(main())
