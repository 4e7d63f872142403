"""``python -m geo settings [--json | --markdown]``: every setting with its value, the value in
force, its default and meaning. A secret is shown only as set or not set. ``--markdown`` prints
the README's settings table (a test keeps the README equal to it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping

from geo import settings
from geo.cli.shared import EXIT_USER_ERROR
from geo.core.errors import AtlasError

NOT_SET = "(not set)"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``settings`` subcommand to ``commands``."""
    listing = commands.add_parser(
        "settings", help="every environment variable the atlas reads: value, default and meaning"
    )
    out = listing.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--markdown", action="store_true", help="print the README's table of the settings")


def _in_force(s: settings.Setting, value: object) -> str:
    """What the atlas uses for ``s`` given its parsed ``value`` (None: unset), in words."""
    if s.secret:
        return "set" if value is not None else NOT_SET
    if s.kind in ("megabytes", "count"):
        assert isinstance(value, (int, float))
        return f"{settings.number_text(value)} {s.unit}"
    if value is None and s.name == settings.DATA_DIR:
        return str(settings.default_cache_dir())
    if value is None and s.name == settings.SCANS_DIR:
        return str(settings.default_scans_dir())
    if isinstance(value, list):
        return " ".join(str(v) for v in value) or "(none)"
    return str(value) if value is not None else s.default_text


def describe(s: settings.Setting, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """One setting for the listing: name, type, unit, whether set, value as set (a secret's
    only as "set"), value in force, default, meaning, and the problem with a bad value (else None)."""
    value = settings.raw(s.name, environ)
    shown_value = ("set" if value is not None else None) if s.secret else value
    problem = None
    in_force = None
    try:
        in_force = _in_force(s, settings.parse(s, value) if value is not None else s.default)
    except AtlasError as err:
        problem = str(err)
    return {
        "name": s.name,
        "type": s.type_text,
        "unit": s.unit or None,
        "set": value is not None,
        "value": shown_value,
        "in_force": in_force,
        "default": s.default_text,
        "meaning": s.meaning,
        "problem": problem,
    }


def markdown_table() -> str:
    """The README's table of :data:`geo.settings.SETTINGS`: variable, type, unit, default, meaning."""
    lines = ["| Variable | Type | Unit | Default | Meaning |", "|---|---|---|---|---|"]
    for s in settings.SETTINGS:
        unit = f"{s.unit} (up to {settings.number_text(s.maximum)})" if s.maximum is not None else s.unit or "-"
        cells = (f"`{s.name}`", s.type_text, unit, s.default_text, s.meaning)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def cmd_settings(args: argparse.Namespace) -> int:
    """Print the listing; a bad value is listed with its problem, then is the one-line error (exit 2)."""
    if args.markdown:
        sys.stdout.write(markdown_table())
        return 0
    rows = [describe(s) for s in settings.SETTINGS]
    if args.json:
        print(json.dumps({"settings": rows}, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            value = NOT_SET if row["value"] is None else row["value"]
            now = f"refused: {row['problem']}" if row["problem"] else f"in force: {row['in_force']}"
            unit = f" ({row['unit']})" if row["unit"] else ""
            print(f"{row['name']} = {value}")
            print(f"    {row['meaning']}")
            print(f"    {row['type']}{unit}; default {row['default']}; {now}")
    problems = [str(row["problem"]) for row in rows if row["problem"]]
    if problems:
        print(f"error: {problems[0]}", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0
