"""The Per capita page's charts, as Altair specs: rate bars against the average rate, and
population against networks on log scales.

Both stay readable however many areas a dataset maps: a full Shodan count colours hundreds
of local authorities, so the bars show the highest rates only (and say how many there are
in all), and the scatter names only the largest areas. A bar's label is the area's whole
name, wrapped onto lines ("Kingston upon Hull," / "City of"), never cut short. The average
is named by :mod:`geo.figures.baseline`: the UK's only when the dataset publishes a national figure.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import altair as alt
import pandas as pd

from geo.figures.baseline import Baseline

BAR_COLOUR = "#fd8d3c"
POINT_COLOUR = "#bd0026"
AVERAGE_COLOUR = "#333"
MAX_BARS = 20
MAX_LABELS = 8
LABEL_CHARS = 28  # characters per line of a bar's label (about 150 px at 11 px: leaves the bars room on a phone)
LABEL_FONT_SIZE, LABEL_LINE_HEIGHT = 11, 11
BAR_STEP = 26  # pixels per bar of one-line labels; a wrapped label gets a line more, and space to tell it from the next
# Pixels of the chart's height under the bars (the x axis's labels and title): Streamlit fits
# the whole chart, axes included, into its height.
AXIS_ROOM = 56


@dataclass(frozen=True)
class Bars:
    """A bar chart of one rate and how many areas it leaves out."""

    chart: alt.LayerChart
    shown: int
    total: int

    @property
    def note(self) -> str:
        """One line for under the chart when it shows only part of the areas ("" when all)."""
        if self.shown == self.total:
            return ""
        return f"The {self.shown} highest of {self.total:,} areas; Rankings lists them all."


def wrapped(name: object, width: int = LABEL_CHARS) -> str:
    """``name`` on lines of at most ``width`` characters, broken at spaces (a longer word is split),
    joined by newlines: the whole name, every character kept but the spaces it breaks at."""
    text = " ".join(str(name).split())
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def rate_bars(
    rows: pd.DataFrame, column: str, title: str, average: float, *, words: Baseline, limit: int = MAX_BARS
) -> Bars:
    """Bars of ``column`` for the ``limit`` areas with the highest values, with the average
    (``words.average_label``: the UK's, or that of all the places counted) as a dashed rule.

    Rows without a value (no covered residents or land) are left out, never drawn as 0.
    Labels are whole names on up to a few lines: the axis neither cuts (Streamlit's theme
    cuts at 100 px) nor drops labels that would touch.
    """
    rated = rows.dropna(subset=[column])
    top = rated.nlargest(limit, column)[["name", column]]
    top = top.assign(label=[wrapped(name) for name in top["name"]])
    lines = max((label.count("\n") + 1 for label in top["label"]), default=1)
    axis = alt.Axis(
        labelExpr="split(datum.label, '\\n')",  # one label line per array item (the data holds no code)
        labelLimit=0,
        labelOverlap=False,
        labelFontSize=LABEL_FONT_SIZE,
        labelLineHeight=LABEL_LINE_HEIGHT,
        labelBaseline="middle",
    )
    bars = (
        alt.Chart(top)
        .mark_bar(color=BAR_COLOUR)
        .encode(
            x=alt.X(f"{column}:Q", title=title),
            y=alt.Y("label:N", sort="-x", title=None, axis=axis),
            tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip(f"{column}:Q", title=title, format=".2f")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"average": [average]}))
        .mark_rule(color=AVERAGE_COLOUR, strokeDash=[4, 3])
        .encode(x="average:Q", tooltip=[alt.Tooltip("average:Q", title=words.average_label, format=".2f")])
    )
    step = BAR_STEP if lines == 1 else LABEL_LINE_HEIGHT * lines + 12
    chart = (bars + rule).properties(height=max(160, step * len(top) + AXIS_ROOM))
    return Bars(chart, len(top), len(rated))


def population_scatter(
    rows: pd.DataFrame, average_per_1k: float, *, words: Baseline, labels: int = MAX_LABELS
) -> alt.LayerChart | None:
    """Networks against residents on log scales, with the average rate as a dashed line
    (``words``: the UK rate, or the rate across all the places counted).

    Log scales spread the cities that a linear axis crowds into a corner beside London, and
    keep the rate line straight (networks = rate × residents is a line on log-log axes).
    Only the ``labels`` areas with the most networks are named (all others in the tooltip),
    to the left of their dot on the plot's right third so no name runs off the plot. Areas
    with no networks cannot sit on a log scale and are left out; ``None`` when none is left.
    """
    # An area only partly covered by the counts is placed by the residents counted, as its rate is.
    points_data = rows.assign(population=rows["covered_population"])
    points_data = points_data.loc[
        (points_data["networks"] > 0) & (points_data["population"] > 0), ["name", "population", "networks", "per_1k"]
    ]
    if points_data.empty:
        return None
    named = points_data.nlargest(labels, "networks")
    low, high = float(points_data["population"].min()), float(points_data["population"].max())
    if low == high:  # one area: the line still needs a length
        low, high = low / 2, high * 2
    line = pd.DataFrame({"population": [low, high]})
    line["networks"] = line["population"] * average_per_1k / 1000
    line["rate"] = average_per_1k
    x = alt.X(
        "population:Q",
        title="Residents counted (mid-2022, log scale)",
        scale=alt.Scale(type="log", nice=False, padding=16),
    )
    y = alt.Y("networks:Q", title="Camera networks (log scale)", scale=alt.Scale(type="log", nice=False, padding=16))
    points = (
        alt.Chart(points_data)
        .mark_circle(size=90, color=POINT_COLOUR, opacity=0.85)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("name:N", title="Area"),
                alt.Tooltip("population:Q", title="Residents counted", format=","),
                alt.Tooltip("networks:Q", title="Networks", format=","),
                alt.Tooltip("per_1k:Q", title="Per 1,000", format=".2f"),
            ],
        )
    )
    # On a log axis "the right third" is a third of the way in log space.
    split = low * (high / low) ** (2 / 3)
    text = alt.Chart(named).encode(x=x, y=y, text="name:N")
    names = alt.layer(
        text.mark_text(align="left", dx=7, fontSize=11).transform_filter(alt.datum.population <= split),
        text.mark_text(align="right", dx=-7, fontSize=11).transform_filter(alt.datum.population > split),
    )
    average = (
        alt.Chart(line)
        .mark_line(color=AVERAGE_COLOUR, strokeDash=[4, 3])
        .encode(x=x, y=y, tooltip=[alt.Tooltip("rate:Q", title=f"{words.average_label}, per 1,000", format=".2f")])
    )
    return (average + points + names).properties(height=380)
