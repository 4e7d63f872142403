"""``python -m geo scan shodan --out DIR | --into DIR``: live per-city counts through Shodan's
count API (the key from ``SHODAN_API_KEY``), written as a dataset folder."""

from __future__ import annotations

import argparse

from geo.cli.shared import MIRROR_HELP, Parser, context
from geo.core.errors import AtlasError


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``scan`` subcommand (and its ``shodan`` provider) to ``commands``."""
    scan = commands.add_parser("scan", help="count live through a scanner's API into a dataset folder")
    providers = scan.add_subparsers(dest="provider", required=True, parser_class=Parser)
    shodan_scan = providers.add_parser(
        "shodan", help="per-city Hikvision and Dahua counts from Shodan's count API (key in $SHODAN_API_KEY)"
    )
    where = shodan_scan.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--out",
        metavar="DIR",
        help="dataset folder to write (an earlier scan there is replaced once the new one is complete)",
    )
    where.add_argument(
        "--into",
        metavar="DIR",
        help="collection folder (e.g. data/scans) to add a new folder to, named by the count's UTC time "
        "(DIR/2026-12-01T0600Z); nothing there is replaced",
    )
    shodan_scan.add_argument(
        "--facet-size",
        type=int,
        default=1000,
        metavar="N",
        help="how many of the largest cities to ask for per vendor (default: 1000)",
    )
    shodan_scan.add_argument("--mirror", help=MIRROR_HELP)


def cmd_scan(args: argparse.Namespace) -> int:
    """Count, check and write; everything that can be checked is checked before the first call to the API."""
    from geo.datasets import collection
    from geo.scan import as_dataset, shodan_api
    from geo.scan import provider as scan
    from geo.scan import summary as scan_summary

    if args.facet_size < 1:
        raise AtlasError(f"--facet-size {args.facet_size} is below 1: ask for at least one city (default 1000)")
    if args.facet_size > scan.MAX_FACET_SIZE:
        raise AtlasError(
            f"--facet-size {args.facet_size:,} is above {scan.MAX_FACET_SIZE:,}: ask for at most {scan.MAX_FACET_SIZE:,} cities"
        )
    if args.into is not None:
        collection.check_collection(args.into)
    out = as_dataset.check_out_dir(args.out) if args.out is not None else None
    provider = shodan_api.from_env()
    queries = scan.read_queries()
    _, resolver = context(args.mirror)
    result = scan.scan(
        provider, queries, args.facet_size, progress=lambda fraction, message: print(message, flush=True)
    )
    summary = scan_summary.summarise(result, resolver)
    written = as_dataset.write_dataset(summary, out) if out is not None else as_dataset.write_into(summary, args.into)
    for line in summary.lines():
        print(line)
    print(
        f"wrote {args.out if out is not None else written} ({result.provider} results counted {result.date}, {result.calls} calls)"
    )
    return 0
