"""The dashboard's selection (dataset, vendor, places, metric, level, classification) and its URL form.

Pure functions: :func:`from_params` reads query parameters (falling back to defaults for
anything missing or invalid, so a mangled URL still opens), :func:`to_params` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from geo.figures.vocabulary import K_RANGE, LEVELS, METRICS, SCHEMES, STYLES, VENDORS, Level, Metric

DEFAULT_DATASET = "top10vpn-2021"
MAX_PLACES = 50  # places a link may choose
MAX_PLACE_CHARS = 120


Choice = TypeVar("Choice", bound=str)


@dataclass(frozen=True)
class Selection:
    """What the user is looking at; every field is a plain value (cache-key friendly)."""

    dataset: str = DEFAULT_DATASET
    vendor: str = "all"
    places: tuple[str, ...] = ()
    metric: Metric = "networks"
    level: Level = "place"
    scheme: str = "quantiles"
    k: int = 5
    # How counts are drawn: None follows the metric (circles for counts, shading for rates),
    # "shaded" shades counts too (:func:`geo.pictures.circles.draws_circles`).
    style: str | None = None


def _one(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _many(params: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = params.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, (list, tuple)) else [value]
    # Bounded: every chosen name is resolved on every rerun.
    return tuple(dict.fromkeys(str(v)[:MAX_PLACE_CHARS] for v in values if str(v).strip()))[:MAX_PLACES]


def from_params(
    params: Mapping[str, object],
    datasets: Sequence[str] = (DEFAULT_DATASET,),
    renamed: Mapping[str, str] | None = None,
) -> Selection:
    """A valid selection from query parameters; unknown values fall back to defaults.

    ``renamed`` maps former dataset ids to current ones, so old links still open.
    """
    default = Selection(dataset=DEFAULT_DATASET if DEFAULT_DATASET in datasets or not datasets else datasets[0])

    def pick(key: str, allowed: Sequence[Choice], fallback: Choice) -> Choice:
        value = _one(params, key)
        return next((a for a in allowed if a == value), fallback)

    try:
        k = int(_one(params, "k") or default.k)
    except ValueError:
        k = default.k
    requested = _one(params, "dataset")
    if requested is not None and renamed and requested in renamed:
        params = {**params, "dataset": renamed[requested]}
    return Selection(
        dataset=pick("dataset", datasets, default.dataset),
        vendor=pick("vendor", VENDORS, default.vendor),
        places=_many(params, "place"),
        metric=pick("metric", METRICS, default.metric),
        level=pick("level", LEVELS, default.level),
        scheme=pick("scheme", SCHEMES, default.scheme),
        k=min(max(k, K_RANGE[0]), K_RANGE[1]),
        style=_one(params, "style") if _one(params, "style") in STYLES else None,
    )


def to_params(selection: Selection) -> dict[str, str | list[str]]:
    """Query parameters for ``selection``; defaults are left out to keep URLs short."""
    default = Selection()
    out: dict[str, str | list[str]] = {}
    for key in ("dataset", "vendor", "metric", "level", "scheme"):
        value = getattr(selection, key)
        if value != getattr(default, key):
            out[key] = value
    if selection.k != default.k:
        out["k"] = str(selection.k)
    if selection.style is not None:
        out["style"] = selection.style
    if selection.places:
        out["place"] = list(selection.places)
    return out
