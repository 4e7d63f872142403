"""Published figures the pages quote (TOP10VPN's UK total, Comparitech's), read from one data file.

``data/reference/published-figures.csv`` holds one row per figure with who counted it, the
figure ("more than" when the source said so), the place it covers, the source, when it was
published and a link. A figure that is already a shipped dataset's (TOP10VPN's 277,986 is
``top10vpn-2021``'s United Kingdom row) names that dataset instead of repeating it: its
figure, source, date and link are read from the dataset, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import settings
from geo.core.errors import DatasetError
from geo.datasets import folders
from geo.datasets.dataset import Dataset, readable_date

PUBLISHED_PATH = settings.shipped_dir() / "reference" / "published-figures.csv"
COLUMNS = ("key", "by", "figure", "qualifier", "place", "source", "published", "url", "dataset", "note")


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure with its provenance."""

    key: str  # how pages ask for it: "top10vpn-uk", "comparitech-uk", "comparitech-50-cities"
    by: str  # who counted: "TOP10VPN"
    figure: int
    qualifier: str  # "" or how the source bounded it: "more than"
    place: str  # what it covers: "United Kingdom", "the 50 largest UK cities"
    source: str  # the publication
    published: str  # when, ISO month ("2021-11")
    url: str | None
    note: str

    @property
    def text(self) -> str:
        """The figure as the source put it: "277,986", "more than 165,000"."""
        return f"{self.qualifier} {self.figure:,}".strip()

    @property
    def when(self) -> str:
        """When it was published, in words: "November 2021" ("date not stated" if unknown)."""
        return readable_date(self.published) or "date not stated"


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value).strip()


def _from_dataset(row: dict[str, str], dataset: Dataset, where: str) -> PublishedFigure:
    """A row naming a dataset: the figure is the sum of that dataset's combined counts for the row's place."""
    obs = dataset.observations
    rows = obs[obs["place"] == row["place"]]
    combined = rows[rows["vendor"] == "all"]
    chosen = combined if len(combined) else rows
    if chosen.empty:
        raise DatasetError(
            f"{where}: dataset {dataset.id!r} has no row for {row['place']!r}: fix the place or the dataset"
        )
    return PublishedFigure(
        key=row["key"],
        by=row["by"],
        figure=int(chosen["networks"].sum()),
        qualifier=row["qualifier"],
        place=row["place"],
        source=dataset.source_short or dataset.source,
        published=dataset.published or dataset.date,
        url=dataset.url,
        note=row["note"],
    )


def published_figures(
    path: Path | str | None = None, load: Callable[[str], Dataset] = folders.load_shipped
) -> dict[str, PublishedFigure]:
    """Every published figure in ``path`` (default :data:`PUBLISHED_PATH`) by key, a dataset's read with ``load``."""
    path = Path(path or PUBLISHED_PATH)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DatasetError(f"{path.name} has no column {', '.join(missing)}: add it (columns: {', '.join(COLUMNS)})")
    out: dict[str, PublishedFigure] = {}
    for record in table.to_dict("records"):
        row = {c: _text(record[c]) for c in COLUMNS}
        where = f"{path.name}, {row['key'] or 'a row without a key'}"
        if row["dataset"]:
            out[row["key"]] = _from_dataset(row, load(row["dataset"]), where)
            continue
        try:
            figure = int(row["figure"].replace(",", ""))
        except ValueError:
            raise DatasetError(f"{where}: figure {row['figure']!r} is not a whole number: write it as digits") from None
        out[row["key"]] = PublishedFigure(
            key=row["key"],
            by=row["by"],
            figure=figure,
            qualifier=row["qualifier"],
            place=row["place"],
            source=row["source"],
            published=row["published"],
            url=row["url"] or None,
            note=row["note"],
        )
    return out
