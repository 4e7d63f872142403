"""What a dataset's figures are set against, in words: the UK, or all the places counted.

A dataset that publishes a national figure (TOP10VPN's 277,986; a Shodan count's UK total)
is compared with the UK: "national total", "share of the UK total", "UK = 100", "the UK
rate". A dataset without one (a researcher's 70 cities) has only the sum of its places, and
calling that "the UK" gives a reporter a wrong number to copy: its words are "total of the
places counted", "share of the places counted", "all places counted = 100", "the rate
across all the places counted". Every page, caption, chart and download takes its words
from :func:`baseline`, so none can say "UK" of a sum of places.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL = "dataset"  # metrics.Table.national_total_source when the dataset publishes a national figure


@dataclass(frozen=True)
class Baseline:
    """The words for the figure rows are compared with (``national``: a published UK figure)."""

    national: bool

    @property
    def name(self) -> str:
        """What the figures are set against, in a sentence: "the UK" / "all the places counted"."""
        return "the UK" if self.national else "all the places counted"

    @property
    def total_label(self) -> str:
        """The total's label: "National total" / "Total of the places counted"."""
        return "National total" if self.national else "Total of the places counted"

    @property
    def share_label(self) -> str:
        """A row's share: "Share of UK total" / "Share of the places counted"."""
        return "Share of UK total" if self.national else "Share of the places counted"

    @property
    def index_label(self) -> str:
        """The index column: "Index (UK = 100)" / "Index (all places counted = 100)"."""
        return "Index (UK = 100)" if self.national else "Index (all places counted = 100)"

    @property
    def average_label(self) -> str:
        """The reference rate's label: "UK average" / "Average of the places counted"."""
        return "UK average" if self.national else "Average of the places counted"

    def rate_phrase(self, metric: str) -> str:
        """The reference in a sentence ("3.5 times …"): "the UK rate" / "the rate across all the places counted"."""
        if not self.national:
            return "the rate across all the places counted"
        return "the UK rate" if metric == "per_1k" else "the UK average"


def baseline(national_total_source: str) -> Baseline:
    """The words for a table whose ``national_total_source`` is given (:class:`geo.figures.metrics.Table`)."""
    return Baseline(national=national_total_source == NATIONAL)
