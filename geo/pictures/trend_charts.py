"""The Trends page's national line, as an Altair spec: the national figure per vendor over time.

One colour per vendor, one line per unbroken run (``detail`` on the run), so a break in
the series (a change of method, :mod:`geo.figures.count_method`) is a gap between two lines, never
a joining segment. Every point carries its date, source and figure in a tooltip; each run
is named once beside its last point (source and dates), which is what fits however many
counts a collection holds. A dataset without a national figure has no point (not a zero).
Dates are UTC on a time axis: counts months apart sit months apart.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from geo.figures.vocabulary import METRIC_LABELS, VENDOR_LABELS, VENDORS

# Colour-blind safe (ColorBrewer Dark2's orange and teal, and a dark grey for both vendors together).
VENDOR_COLOURS = {"all": "#4d4d4d", "hikvision": "#d95f02", "dahua": "#1b9e77"}
MAX_DATE_TICKS = 8  # more dates than this: the axis chooses its own ticks
LABEL_FONT_SIZE = 11
HEIGHT = 320
_Y_FORMAT = {"networks": ",.0f", "per_1k": ",.3f", "per_km2": ",.3f"}


def national_chart(frame: pd.DataFrame, metric: str) -> alt.LayerChart | None:
    """Lines of the national figure per vendor from a :func:`geo.pictures.trends.tables.national_frame`;
    ``None`` when no dataset has a national figure (nothing to draw)."""
    drawn = frame.dropna(subset=["value"])
    if drawn.empty:
        return None
    # Stated as UTC ("…Z"): a date without an offset would be read in the browser's time zone.
    drawn = drawn.assign(when=drawn["when"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    vendors = [v for v in VENDORS if v in set(drawn["vendor"])]
    colour = alt.Color(
        "vendor_label:N",
        title=None,
        scale=alt.Scale(domain=[VENDOR_LABELS[v] for v in vendors], range=[VENDOR_COLOURS[v] for v in vendors]),
        # One row, no title: three vendors fit across a phone.
        legend=alt.Legend(orient="top", direction="horizontal", columns=len(vendors), labelFontSize=LABEL_FONT_SIZE),
    )
    # Ticks at the counts' own dates while they fit, written in UTC (Streamlit's theme ignores an
    # axis format; a label expression with a constant pattern is kept).
    stamps = sorted({pd.Timestamp(when) for when in drawn["when"]})
    dates = [
        alt.DateTime(year=t.year, month=t.month, date=t.day, hours=t.hour, minutes=t.minute, utc=True) for t in stamps
    ]
    axis = alt.Axis(
        title=None,
        labelExpr="utcFormat(datum.value, '%-d %b %Y')",
        labelOverlap="greedy",
        labelAngle=0,
        labelFlush=True,
        values=dates if len(dates) <= MAX_DATE_TICKS else alt.Undefined,
    )
    x = alt.X("when:T", axis=axis, scale=alt.Scale(type="utc", padding=24))
    # Not from zero: a line shows change, and a count never goes below the axis's nice lower end.
    y = alt.Y(
        "value:Q",
        title=f"{METRIC_LABELS[metric]}, national",
        axis=alt.Axis(format=_Y_FORMAT[metric]),
        scale=alt.Scale(zero=False, nice=True),
    )
    tooltip = [
        alt.Tooltip("vendor_label:N", title="Vendor"),
        alt.Tooltip("date:N", title="Date"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("value:Q", title=METRIC_LABELS[metric], format=_Y_FORMAT[metric]),
    ]
    base = alt.Chart(drawn).encode(x=x, y=y, color=colour)
    lines = base.mark_line(strokeWidth=2).encode(detail="line:N")
    points = base.mark_circle(size=70, opacity=1).encode(tooltip=tooltip)
    named = alt.Chart(drawn[drawn["label"] != ""]).encode(x=x, y=y, text="label:N")
    # A label's lines stack upwards from just above its point ("\n" breaks them; the data holds no code).
    labels = alt.layer(
        *(
            named.mark_text(
                align=side,
                dx=6 if side == "left" else -6,
                dy=-8,
                baseline="bottom",
                lineBreak="\n",
                fontSize=LABEL_FONT_SIZE,
                color="#333",
            ).transform_filter(alt.datum.align == side)
            for side in ("left", "right")
        )
    )
    return cast(alt.LayerChart, alt.layer(lines, points, labels).properties(height=HEIGHT))
