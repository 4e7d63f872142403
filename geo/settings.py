"""Every environment variable the atlas reads, defined once, and where its files live.

Layer: just above :mod:`geo.core`, and it imports nothing else of ``geo``; every module that
needs a setting, the shipped data or the cache asks here.

- :data:`SETTINGS`: each variable as data (:class:`Setting`: name, type, default, unit,
  meaning). ``python -m geo settings`` lists them and the README's settings table is written
  from them (:func:`markdown_table`; a test keeps the two equal).
- :func:`parse` is the one parser: a bad value ("inf", "nan", "-5", "1e400", "twenty", a path
  with a control character) is a one-line :class:`AtlasError` naming the variable, the value
  and the fix. Typed readers: :func:`megabytes`, :func:`count`, :func:`folder`,
  :func:`folders`, :func:`text`.
- :func:`shipped_dir` says where the files the project ships are (``geo/_shipped/`` in an
  installed package, ``data/`` in a checkout); :func:`cache_dir` and :func:`default_scans_dir`
  say where runtime files go (``data/cache/`` and ``data/scans/`` in a checkout, the user's
  cache and data folders otherwise).
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.core.errors import AtlasError

MB = 1024 * 1024  # settings in megabytes are binary megabytes, as every limit message says
QUOTED = 60  # characters of a bad value an error message quotes
APP_FOLDER = "camera-atlas"  # the folder under the user's cache and data folders when installed

Kind = Literal["megabytes", "count", "folder", "folders", "location", "secret", "address"]
KIND_TYPES: dict[str, str] = {
    "megabytes": "number",
    "count": "whole number",
    "folder": "folder",
    "folders": "folders (joined with `:`, `;` on Windows)",
    "location": "folder or URL",
    "secret": "secret text",
    "address": "URL",
}


@dataclass(frozen=True)
class Setting:
    """One environment variable: what it is called, holds and means, and its default.

    ``default`` is the number used when a numeric setting is unset (None for the others,
    whose default ``default_text`` describes); ``maximum`` bounds a number so that no value
    overflows what reads it; ``example`` is what an error message suggests instead.
    """

    name: str
    kind: Kind
    meaning: str
    default_text: str
    unit: str = ""
    default: float | None = None
    maximum: float | None = None
    example: str = ""

    @property
    def type_text(self) -> str:
        """The value's type in words ("whole number", "folder", …)."""
        return KIND_TYPES[self.kind]

    @property
    def secret(self) -> bool:
        """True for a value never to be shown (an API key)."""
        return self.kind == "secret"


# -- the settings ------------------------------------------------------------------------------

GEO_MIRROR = "CAMERA_ATLAS_GEO_MIRROR"
DATA_DIR = "CAMERA_ATLAS_DATA_DIR"
ASSETS_MIRROR = "CAMERA_ATLAS_ASSETS_MIRROR"
SCANS_DIR = "CAMERA_ATLAS_SCANS_DIR"
DATASETS_DIR = "CAMERA_ATLAS_DATASETS_DIR"
MAX_TABLE_MB = "CAMERA_ATLAS_MAX_TABLE_MB"
MAX_TABLE_ROWS = "CAMERA_ATLAS_MAX_TABLE_ROWS"
MAX_TABLE_PLACES = "CAMERA_ATLAS_MAX_TABLE_PLACES"
MAX_SHODAN_MB = "CAMERA_ATLAS_MAX_SHODAN_MB"
MAX_SHODAN_INFLATED_MB = "CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB"
SHODAN_API_KEY = "SHODAN_API_KEY"
SHODAN_API_URL = "SHODAN_API_URL"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        GEO_MIRROR,
        "folder",
        "folder holding the official ONS files (boundaries and population); `--mirror DIR` overrides it",
        "none: the files are downloaded once from the official URLs (geo/SOURCES.md)",
    ),
    Setting(
        DATA_DIR,
        "folder",
        "the cache: prepared official data, the map's scripts and the command line's error log",
        "`data/cache/` in a checkout; installed, `$XDG_CACHE_HOME/camera-atlas` (else `~/.cache/camera-atlas`)",
    ),
    Setting(
        ASSETS_MIRROR,
        "location",
        "a folder holding `leaflet-1.9.4.tgz`, or an npm registry URL, for a machine without the registry",
        "the npm registry (after the cache and the official-files mirror)",
    ),
    Setting(
        SCANS_DIR,
        "folder",
        "the default collection of your dated counts (`scan shodan --into`), listed by the app",
        "`data/scans/` in a checkout; installed, `$XDG_DATA_HOME/camera-atlas/scans` "
        "(else `~/.local/share/camera-atlas/scans`)",
    ),
    Setting(
        DATASETS_DIR,
        "folders",
        "further folders of datasets for the app to list, after the shipped ones and the scans",
        "none",
    ),
    Setting(
        MAX_TABLE_MB,
        "megabytes",
        "the largest table (CSV/XLSX) or saved dataset zip an upload may be",
        "20",
        unit="MB",
        default=20,
        maximum=4096,
        example="50",
    ),
    Setting(
        MAX_TABLE_ROWS,
        "count",
        "the most rows a table may have",
        "200,000",
        unit="rows",
        default=200_000,
        maximum=100_000_000,
        example="500000",
    ),
    Setting(
        MAX_TABLE_PLACES,
        "count",
        "the most distinct places a table may name (also the city names of a Shodan export looked up)",
        "10,000",
        unit="places",
        default=10_000,
        maximum=1_000_000,
        example="20000",
    ),
    Setting(
        MAX_SHODAN_MB,
        "megabytes",
        "the largest Shodan export (as stored, gzip or not) an import may read",
        "200",
        unit="MB",
        default=200,
        maximum=102_400,
        example="500",
    ),
    Setting(
        MAX_SHODAN_INFLATED_MB,
        "megabytes",
        "the most a Shodan export may decompress to",
        "2,048",
        unit="MB",
        default=2048,
        maximum=1_048_576,
        example="4096",
    ),
    Setting(
        SHODAN_API_KEY,
        "secret",
        "your Shodan API key, for `scan shodan` (never printed: listed as set or not set)",
        "none: `scan shodan` says how to set it",
    ),
    Setting(
        SHODAN_API_URL,
        "address",
        "another address for Shodan's API (read by the `shodan` package; the tests point it at a local fake)",
        "https://api.shodan.io",
    ),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    """The :class:`Setting` called ``name`` (a KeyError for a name that is none: a bug)."""
    return BY_NAME[name]


# -- the one parser ----------------------------------------------------------------------------


def raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of variable ``name`` as set (stripped), or None when it is unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def _refuse(s: Setting, value: str, problem: str, fix: str) -> AtlasError:
    shown = "(hidden)" if s.secret else repr(value if len(value) <= QUOTED else value[:QUOTED] + "…")
    return AtlasError(f"{s.name}={shown} {problem}: {fix}, or unset it")


def _number(s: Setting, value: str) -> float | int:
    whole = s.kind == "count"
    wanted = "a whole number above 0" if whole else "a number above 0"
    fix = f"set it to a value such as {s.example} (default {s.default_text}"
    fix += f" {s.unit})" if s.unit else ")"
    text = value.replace("_", "")
    try:
        number = float(text) if text.isascii() else math.nan
    except ValueError:
        number = math.nan
    too_large = number == math.inf and "inf" not in text.lower()  # "1e400", 400 nines: finite as written
    if not too_large and (not (math.isfinite(number) and number > 0) or (whole and not number.is_integer())):
        raise _refuse(s, value, f"is not {wanted}", fix)
    if too_large or (s.maximum is not None and number > s.maximum):
        raise _refuse(s, value, f"is over the largest allowed, {number_text(s.maximum or 0)} {s.unit}".rstrip(), fix)
    if whole:
        return int(number)
    if int(number * MB) < 1:
        raise _refuse(s, value, "is less than one byte", fix)
    return number


def _path(s: Setting, value: str, part: str) -> Path:
    if any(ord(c) < 32 or ord(c) == 127 for c in part):
        raise _refuse(s, value, "holds a control character", "set it to the path of a folder")
    return resolve_path(part)


def parse(s: Setting, value: str) -> float | int | Path | list[Path] | str:
    """``value`` (as set, stripped and not blank) read as setting ``s``: a number of megabytes
    (float) or a count (int), within (0, maximum]; a folder (an absolute :class:`Path`), a
    list of folders, or text. Anything else is a one-line :class:`AtlasError`."""
    if s.kind in ("megabytes", "count"):
        return _number(s, value)
    if s.kind == "folder":
        return _path(s, value, value)
    if s.kind == "folders":
        return [_path(s, value, part.strip()) for part in value.split(os.pathsep) if part.strip()]
    if s.kind in ("location", "address") and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise _refuse(s, value, "holds a control character", "set it to a folder path or a URL")
    return value


def read(name: str, environ: Mapping[str, str] | None = None) -> float | int | Path | list[Path] | str | None:
    """Setting ``name`` as :func:`parse` reads it from the environment; its default (or None) when unset."""
    s = setting(name)
    value = raw(name, environ)
    return parse(s, value) if value is not None else s.default


def megabytes(name: str) -> int:
    """A size setting in bytes (the variable is in binary megabytes)."""
    value = read(name)
    assert isinstance(value, (int, float)), name
    return int(value * MB)


def count(name: str) -> int:
    """A whole-number setting."""
    value = read(name)
    assert isinstance(value, (int, float)), name
    return int(value)


def folder(name: str) -> Path | None:
    """A folder setting as an absolute path, or None when unset."""
    value = read(name)
    assert value is None or isinstance(value, Path), name
    return value


def folders(name: str) -> list[Path]:
    """A setting of several folders (``os.pathsep``-separated), each absolute; [] when unset."""
    value = read(name)
    assert value is None or isinstance(value, list), name
    return value or []


def text(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """A text setting (a key, a folder or URL), stripped; None when unset or blank."""
    value = read(name, environ)
    assert value is None or isinstance(value, str), name
    return value


def default_bytes(name: str) -> int:
    """A size setting's default in bytes."""
    default = setting(name).default
    assert default is not None, name
    return int(default * MB)


def number_text(value: float) -> str:
    """A setting's number as the table and listing write it: '200,000', '0.5', '1,048,576'."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.6g}"


def default_count(name: str) -> int:
    """A whole-number setting's default."""
    default = setting(name).default
    assert default is not None, name
    return int(default)


@functools.lru_cache(maxsize=64)
def resolve_path(value: str) -> Path:
    """``value`` as an absolute path; a relative one is resolved against the current
    directory the first time it is seen, so a later ``chdir`` does not move it."""
    return Path(os.path.abspath(os.path.expanduser(value)))


# -- where the files are -----------------------------------------------------------------------


def checkout_dir() -> Path | None:
    """The source checkout this ``geo`` runs from (editable install or the tree itself), or
    None when it runs from an installed package."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "data" / "place_aliases.csv").is_file() else None


@functools.lru_cache(maxsize=1)
def shipped_dir() -> Path:
    """Where the files the project ships are (datasets/, place_aliases.csv, scan_queries.csv,
    reference/): the package's ``geo/_shipped/`` when installed from a wheel, else the
    checkout's ``data/``. Read-only: nothing is ever written here."""
    packaged = importlib.resources.files("geo").joinpath("_shipped")
    if isinstance(packaged, Path) and (packaged / "place_aliases.csv").is_file():
        return packaged
    checkout = checkout_dir()
    if checkout is not None:
        return checkout / "data"
    raise AtlasError(
        "the files the atlas ships (place aliases, datasets) are missing from this installation: "
        "reinstall uk-camera-atlas (pip install .) from a complete checkout"
    )


def _user_dir(variable: str, fallback: str) -> Path:
    """``$variable/camera-atlas`` (an XDG base folder), else ``~/fallback/camera-atlas``."""
    base = os.environ.get(variable, "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / fallback
    return root / APP_FOLDER


def default_cache_dir() -> Path:
    """The cache when :data:`DATA_DIR` is unset: ``data/cache/`` in a checkout, else the user's cache folder."""
    checkout = checkout_dir()
    return checkout / "data" / "cache" if checkout is not None else _user_dir("XDG_CACHE_HOME", ".cache")


def default_scans_dir() -> Path:
    """The collection of counts when :data:`SCANS_DIR` is unset: ``data/scans/`` in a checkout,
    else ``scans`` in the user's data folder."""
    checkout = checkout_dir()
    if checkout is not None:
        return checkout / "data" / "scans"
    return _user_dir("XDG_DATA_HOME", os.path.join(".local", "share")) / "scans"


def cache_dir() -> Path:
    """Where prepared and downloaded files are cached (created if need be): :data:`DATA_DIR`
    (a relative value resolved against the current directory, once), else :func:`default_cache_dir`."""
    path = folder(DATA_DIR) or default_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path
