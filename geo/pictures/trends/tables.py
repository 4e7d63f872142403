"""What the Trends page shows of a series, as frames: the national line per vendor, the movers, the classes.

:func:`national_frame` puts the national figure of each vendor's series (:mod:`geo.figures.history`)
into one long frame for a line chart: one row per vendor and date, a ``line`` per unbroken
run (so a break is never joined), and ``value`` NaN where a dataset publishes no national
figure (drawn as nothing, never as zero; :func:`without_national` says which).
:func:`movers` is one row per area with a change over the last run, with its values over
that run for a sparkline; :func:`biggest` keeps the largest rises and falls.
:func:`pooled_classes` classifies every value of a series at once, so one colour means one
value at every date of a time slider.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.core.text import MAX_SOURCE, one_line
from geo.datasets.time_order import date_words
from geo.figures.history import Series
from geo.figures.vocabulary import METRIC_LABELS, VENDOR_LABELS, VENDORS
from geo.pictures.captions import Attribution
from geo.pictures.classes import Classes, classify
from geo.pictures.numbers import format_value
from geo.pictures.rate_charts import wrapped

NATIONAL_COLUMNS = [
    "vendor",
    "vendor_label",
    "when",
    "date",
    "stated",
    "source",
    "dataset",
    "value",
    "run",
    "line",
    "label",
    "align",
]
MOVER_COLUMNS = [
    "code",
    "name",
    "trend",
    "first",
    "last",
    "change",
    "change_pct",
    "gaps",
    "same_coverage",
]
BIGGEST = 10  # risers and fallers each
LABEL_CHARS = 30  # characters per line of a line's label: about 170 px, room beside the line on a phone


def national_frame(series_by_vendor: Mapping[str, Series], last_runs_only: bool = False) -> pd.DataFrame:
    """The national figure of each vendor's series, one row per vendor and point (``NATIONAL_COLUMNS``).

    ``when`` is the dataset's date (UTC, naive); ``date`` its words ("counted 1 Sep 2026");
    ``source`` the dataset's short name; ``value`` the national figure in the series' metric
    (NaN without one); ``line`` names the vendor's unbroken run ("hikvision 1"), so a chart
    draws each run as its own line. With several runs, ``label`` is set on one point per run
    (its last, on the line with the highest figure there): the run's source and dates, on
    lines of a few words (it must fit beside a line on a phone); ``align`` says which way it
    reads ("right" in the later half of the time axis, so it stays inside the chart).
    ``last_runs_only``: each vendor's last unbroken run alone (counts made another way left out).
    """
    rows = []
    for vendor in (v for v in VENDORS if v in series_by_vendor):
        series = series_by_vendor[vendor]
        first = series.last_run[0] if last_runs_only else 0
        for point in series.points[first:]:
            when = pd.Timestamp(point.when.when)
            rows.append(
                {
                    "vendor": vendor,
                    "vendor_label": VENDOR_LABELS[vendor],
                    "when": when.tz_convert(None) if when.tzinfo else when,  # UTC
                    "date": point.label,
                    "stated": point.stated,
                    "source": point.dataset.short_name,
                    "dataset": point.dataset.id,
                    "value": math.nan if point.national is None else float(point.national),
                    "run": point.run,
                    "line": f"{vendor} {point.run}",
                    "label": "",
                    "align": "left",
                }
            )
    frame = pd.DataFrame(rows, columns=NATIONAL_COLUMNS)
    if frame.empty:
        return frame
    frame["when"] = pd.to_datetime(frame["when"])
    drawn = frame.dropna(subset=["value"])
    if drawn.empty:
        return frame
    low, high = drawn["when"].min(), drawn["when"].max()
    middle = low + (high - low) / 2
    # One label per run of datasets (the same run in every vendor's line): at its last date, on the top line.
    # One run alone needs none (the page names its source): a label would only sit on the lines.
    members = drawn.groupby("line")["dataset"].transform(lambda ids: "\x00".join(sorted(ids)))
    if members.nunique() < 2:
        return frame
    for _, run in drawn.groupby(members, sort=False):
        last = run[run["when"] == run["when"].max()]
        top = last["value"].idxmax()
        first_date, last_date = run.loc[run["when"].idxmin(), "date"], frame.loc[top, "date"]
        dates = first_date if first_date == last_date else f"{first_date} to {last_date}"
        frame.loc[top, "label"] = wrapped(f"{frame.loc[top, 'source']}, {dates}", LABEL_CHARS)
        frame.loc[top, "align"] = "right" if frame.loc[top, "when"] > middle or high == low else "left"
    return frame


def earlier_methods(series_by_vendor: Mapping[str, Series]) -> list[str]:
    """The datasets before each vendor's last unbroken run, as "TOP10VPN (published Nov 2021)": counted another way."""
    names: dict[str, str] = {}
    for series in series_by_vendor.values():
        for point in series.points[: series.last_run[0]]:
            names.setdefault(point.dataset.id, f"{point.dataset.short_name} ({point.label})")
    return list(names.values())


def without_national(series_by_vendor: Mapping[str, Series], last_runs_only: bool = False) -> list[str]:
    """One line per dataset of the series that publishes no national figure (so it is not drawn)."""
    seen: dict[str, str] = {}
    for series in series_by_vendor.values():
        for point in series.points[series.last_run[0] if last_runs_only else 0 :]:
            if point.national is None and point.dataset.id not in seen:
                seen[point.dataset.id] = (
                    f"{point.dataset.short_name} ({point.label}) publishes no national figure: "
                    "it is not drawn on the national line (a sum of its places would not be one, and it is never zero)"
                )
    return list(seen.values())


def _finite(values: np.ndarray) -> list[float]:
    return [float(v) for v in values if not math.isnan(v)]


def movers(series: Series) -> pd.DataFrame:
    """One row per area with a change over the series' last run (``MOVER_COLUMNS``), largest rise first.

    ``trend``: the area's values over the last run, for a sparkline; a date without a figure
    is left out of it (a sparkline cannot draw a gap, and a gap is not zero), and ``gaps``
    counts those dates. ``first``/``last``: the values at the run's two ends; ``change``
    and ``change_pct`` as :class:`geo.figures.history.Series` reads them. An area without a figure
    at either end has no change and is left out.
    """
    first, last = series.last_run
    run = series.values[:, first : last + 1]
    frame = pd.DataFrame(
        {
            "code": series.units["code"].to_numpy(),
            "name": series.units["name"].to_numpy(),
            "trend": [_finite(row) for row in run],
            "first": series.values[:, first],
            "last": series.values[:, last],
            "change": series.change,
            "change_pct": series.change_pct,
            "gaps": np.isnan(run).sum(axis=1).astype(int),
            "same_coverage": series.same_coverage,
        },
        columns=MOVER_COLUMNS,
    )
    frame = frame[frame["change"].notna()]
    return frame.sort_values(["change", "name"], ascending=[False, True], ignore_index=True)


def biggest(rows: pd.DataFrame, limit: int = BIGGEST) -> pd.DataFrame:
    """The ``limit`` largest rises (largest first), then the ``limit`` largest falls (largest first), of :func:`movers` rows."""
    risers = rows[rows["change"] > 0].nlargest(limit, "change")
    fallers = rows[rows["change"] < 0].nsmallest(limit, "change")
    return pd.concat([risers, fallers], ignore_index=True)


def pooled_classes(series: Series, scheme: str, k: int) -> Classes:
    """Classes over every figure of ``series`` at every date: one colour means one value on each date's map."""
    values = series.values[~np.isnan(series.values)]
    return classify(values, scheme, k)


def breaks_between(series: Series, start: int, end: int) -> list[str]:
    """Why points ``start`` and ``end`` (indices, ``start < end``) are not on one line: each break between them."""
    return [p.break_note for p in series.points[start + 1 : end + 1] if p.break_note]


def point_labels(series: Series) -> list[str]:
    """Each point's date in words, with its source where two points would read alike."""
    labels = [date_words(p.dataset) for p in series.points]
    return [
        label if labels.count(label) == 1 else f"{label} ({p.dataset.short_name})"
        for label, p in zip(labels, series.points)
    ]


def national_line(series: Series) -> str:
    """The national figure's change over the last run in one line: "Hikvision + Dahua, national camera
    networks: 8,000 (counted 1 Sep 2026) → 7,350 (counted 1 Dec 2026), −8.1%"; without a national
    figure at both ends, says so (the areas' own changes still read)."""
    first, last = series.last_run
    a, b = series.points[first], series.points[last]
    what = f"{VENDOR_LABELS[series.vendor]}, {METRIC_LABELS[series.metric].lower()} nationally"
    change, pct = series.national_change
    if change is None or a.national is None or b.national is None:
        missing = [p.label for p in (a, b) if p.national is None]
        return (
            f"{what}: no national figure {'on ' + ' and '.join(missing) if missing else 'at both ends'}, "
            f"so the change from {a.label} to {b.label} is read area by area"
        )
    shown_pct = "" if pct is None else f", {pct:+.1f}%".replace("-", "\u2212")
    return (
        f"{what}: {format_value(series.metric, a.national)} ({a.label}) \u2192 "
        f"{format_value(series.metric, b.national)} ({b.label}){shown_pct}"
    )


def attribution(series: Series) -> Attribution:
    """The attribution of every dataset of ``series``: each source named once, in date order."""
    names = list(dict.fromkeys(one_line(p.dataset.source_short or p.dataset.source, MAX_SOURCE) for p in series.points))
    return Attribution("; ".join(names))
