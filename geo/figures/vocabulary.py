"""The atlas's vocabulary: geography levels, metrics, vendors and classification schemes, with their labels.

Defined once here and checked by one validator (:func:`check`); the command line, the
sidebar, the tables and both map renderers all read these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from geo.core.errors import AtlasError

Level = Literal["place", "lad", "region"]
Metric = Literal["networks", "per_1k", "per_km2"]
Vendor = Literal["all", "hikvision", "dahua"]
Scheme = Literal["quantiles", "natural_breaks", "equal_interval"]

LEVEL_LABELS: dict[str, str] = {"place": "Places", "lad": "Local authorities", "region": "Regions & nations"}
# The unit a level counts, in the singular and plural, for sentences ("3 of 12 regions").
LEVEL_UNITS: dict[str, tuple[str, str]] = {
    "place": ("place", "places"),
    "lad": ("local authority", "local authorities"),
    "region": ("region or nation", "regions and nations"),
}
METRIC_LABELS: dict[str, str] = {
    "networks": "Camera networks",
    "per_1k": "Networks per 1,000 residents",
    "per_km2": "Networks per km²",
}
# Short forms for table columns and tooltips.
METRIC_SHORT: dict[str, str] = {"networks": "Networks", "per_1k": "Per 1,000 residents", "per_km2": "Per km²"}
VENDOR_LABELS: dict[str, str] = {"all": "Hikvision + Dahua", "hikvision": "Hikvision", "dahua": "Dahua"}
# The vendor as it reads in a sentence ("Hikvision and Dahua camera networks").
VENDOR_PHRASES: dict[str, str] = {"all": "Hikvision and Dahua", "hikvision": "Hikvision", "dahua": "Dahua"}
SCHEME_LABELS: dict[str, str] = {
    "quantiles": "Quantiles",
    "natural_breaks": "Natural breaks (Fisher-Jenks)",
    "equal_interval": "Equal interval",
}

LEVELS: tuple[Level, ...] = ("place", "lad", "region")
METRICS: tuple[Metric, ...] = ("networks", "per_1k", "per_km2")
VENDORS: tuple[Vendor, ...] = ("all", "hikvision", "dahua")
SCHEMES: tuple[Scheme, ...] = ("quantiles", "natural_breaks", "equal_interval")
# How counts are drawn (:func:`geo.pictures.circles.draws_circles`); rates are always shaded.
STYLES: tuple[str, ...] = ("circles", "shaded")
STYLE_LABELS: dict[str, str] = {"circles": "Circles (area ∝ count)", "shaded": "Shaded areas"}
K_RANGE = (3, 7)  # classes a user may choose
MAX_CLASSES = 9  # the most any palette offers

_KINDS: Mapping[str, tuple[str, ...]] = {
    "level": LEVELS,
    "metric": METRICS,
    "vendor": VENDORS,
    "scheme": SCHEMES,
}


def check(kind: str, value: object) -> str:
    """``value`` if it is a known ``kind`` (level, metric, vendor or scheme); else a one-line AtlasError."""
    allowed = _KINDS[kind]
    if value not in allowed:
        raise AtlasError(f"{kind} {value!r} is not one of {', '.join(allowed)}: pick one of those")
    return str(value)


def check_classes(k: object, low: int = 1, high: int = MAX_CLASSES) -> int:
    """``k`` if it is a whole number of classes in ``[low, high]``; else a one-line AtlasError."""
    if isinstance(k, bool) or not isinstance(k, int) and not hasattr(k, "__index__"):
        raise AtlasError(f"number of classes {k!r} is not between {low} and {high}: pick a whole number in that range")
    value = int(k)
    if not low <= value <= high:
        raise AtlasError(f"number of classes {k!r} is not between {low} and {high}: pick a whole number in that range")
    return value
