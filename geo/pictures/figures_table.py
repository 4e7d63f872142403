"""The figures a map draws, as a table: the accessible alternative beside every map.

:func:`frame` gives one row per unit with a figure (from :func:`geo.figures.join.table_frame`),
ranked by the metric drawn, with labelled columns: the unit's name, the metric drawn, then
the count, both rates, coverage and rank. Missing stays missing (NaN), never 0; the Map page
shows it through :func:`styled`, the HTML export through :func:`html_table`, both as
"no figure", with numbers formatted as on the map (:func:`geo.pictures.numbers.format_value`).
:func:`append` puts the table after the map of an HTML export (every cell escaped).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from geo.core.text import MAX_PLACE_NAME, one_line
from geo.datasets.dataset import Dataset
from geo.figures.join import table_frame
from geo.figures.view import View
from geo.figures.vocabulary import LEVEL_UNITS, METRIC_SHORT
from geo.pictures.finding import PER_UNITS, counted_words
from geo.pictures.numbers import format_value

if TYPE_CHECKING:  # pandas' Styler needs jinja2 when imported: only the page uses it
    from pandas.io.formats.style import Styler

NO_FIGURE = "no figure"
COUNT, RATES = "networks", ("per_1k", "per_km2")
COVERAGE, RANK = "Coverage", "Rank"
_MAP_DIV = 'class="folium-map"'
_STYLE = (
    "<style>.atlas-figures{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1a1a1a;"
    "max-width:960px;margin:16px auto;padding:0 12px;font-size:14px}"
    ".atlas-figures table{border-collapse:collapse;width:100%}"
    ".atlas-figures caption{text-align:left;font-weight:600;margin-bottom:6px}"
    ".atlas-figures th,.atlas-figures td{padding:4px 8px;border-bottom:1px solid #ccc;text-align:right}"
    ".atlas-figures th[scope=row],.atlas-figures thead th:first-child{text-align:left}</style>"
)


def labels(level: str, count_label: str = "Networks") -> dict[str, str]:
    """Column labels by source column: "Place", "Networks", "Per 1,000 residents", "Per km²", "Coverage", "Rank"."""
    return {
        "name": LEVEL_UNITS[level][0].capitalize(),
        COUNT: count_label,
        **{m: METRIC_SHORT[m] for m in RATES},
        "coverage": COVERAGE,
        "rank": RANK,
    }


def frame(shapes: pd.DataFrame, metric: str, level: str, count_label: str = "Networks") -> pd.DataFrame:
    """The units with a figure, ranked by ``metric`` (highest first; rank 1 = highest, ties share a
    rank), columns labelled by :func:`labels`: name, ``metric``, the other figures, coverage, rank."""
    rows = table_frame(shapes)
    # Names as written (ONS's own), one line: a saved zip can name a place anything.
    rows = rows.assign(
        name=rows["name"].map(lambda n: one_line(n, MAX_PLACE_NAME)),
        rank=rows[metric].rank(ascending=False, method="min"),
    )
    rows = rows.sort_values([metric, "name"], ascending=[False, True], na_position="last")
    order = ["name", metric, *[m for m in (COUNT, *RATES) if m != metric], "coverage", "rank"]
    out = rows[order].rename(columns=labels(level, count_label)).reset_index(drop=True)
    out[RANK] = out[RANK].astype("Int64")
    return out


def missing_units(shapes: pd.DataFrame) -> int:
    """How many units the map draws without a figure (no data, not zero)."""
    return int((~shapes["has_data"].astype(bool)).sum())


def cell(label: str, value: float | int | str | None, level: str, count_label: str = "Networks") -> str:
    """One cell as the map writes it: counts "7,436", rates "13.1", coverage "14%", rank "3"; missing "no figure"."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return NO_FIGURE
    by_label = {v: k for k, v in labels(level, count_label).items()}
    column = by_label.get(label, "name")
    if column == "name":
        return str(value)
    if column == "coverage":
        return f"{float(value):.0%}"
    if column == "rank":
        return f"{int(value):,}"
    return format_value(column, value)


def styled(table: pd.DataFrame, level: str, count_label: str = "Networks") -> Styler:
    """``table`` for display: the numbers as the map writes them, missing as "no figure" (values stay numbers, so columns sort)."""
    formats = {c: (lambda v, c=c: cell(c, v, level, count_label)) for c in table.columns[1:]}
    return table.style.format(formats, na_rep=NO_FIGURE)


def count_label_of(view: View, dataset: Dataset | None) -> str:
    """The count column's label for ``dataset``: "Networks", or a live count's "Shodan results"."""
    figure = counted_words(dataset, view.table.vendor).figure
    return figure[:1].upper() + figure[1:]


def describe(view: View, dataset: Dataset | None) -> str:
    """The table's caption: what the figures are and how many units have none."""
    unit, units = LEVEL_UNITS[view.table.level]
    words = counted_words(dataset, view.table.vendor)
    metric = view.selection.metric
    text = f"The figures on this map: {words.measure}{PER_UNITS[metric]} by {unit}, highest first"
    none = missing_units(view.shapes)
    return text + (
        f". {none:,} other {unit if none == 1 else units} {'has' if none == 1 else 'have'} no figure (no data, not zero)."
        if none
        else "."
    )


def html_table(table: pd.DataFrame, caption: str, level: str, count_label: str = "Networks") -> str:
    """An accessible HTML ``<table>``: a ``<caption>``, column and row headers with ``scope``, every cell escaped."""
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in table.columns)
    body = []
    for values in table.itertuples(index=False):
        name, *rest = values
        cells = "".join(f"<td>{esc(cell(c, v, level, count_label))}</td>" for c, v in zip(table.columns[1:], rest))
        body.append(f'<tr><th scope="row">{esc(str(name))}</th>{cells}</tr>')
    return (
        f'<section class="atlas-figures">{_STYLE}<table><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def append(document: bytes, view: View, dataset: Dataset | None) -> bytes:
    """The HTML export ``document`` with the map's figures as a table after the map (before the
    ``</body>`` that follows the map's element; the document unchanged if it has no map)."""
    text = document.decode("utf-8")
    start = text.find(_MAP_DIV)
    end = text.find("</body>", start) if start >= 0 else -1
    if end < 0:
        return document
    level = view.table.level
    count_label = count_label_of(view, dataset)
    table = frame(view.shapes, view.selection.metric, level, count_label)
    section = html_table(table, describe(view, dataset), level, count_label)
    return (text[:end] + section + text[end:]).encode("utf-8")
