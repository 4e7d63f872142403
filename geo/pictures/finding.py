"""A map's finding in at most ten words, and the words for what a dataset counts.

:func:`counted_words` says what one count of a dataset is: a study's or a table's camera
*networks*, a live count's Shodan *results* (services, :mod:`geo.figures.count_method`), so no map
title calls a Shodan result a camera network. :func:`fit` picks the longest wording of a
finding that stays within :data:`MAX_TITLE_WORDS` words; :func:`ordinal` writes a rank.

How a place name counts: as its own words (whitespace-separated, as a reader counts them),
after :func:`title_name` has made it one line of at most :data:`NAME_CHARS` characters. The
wordings shrink first (vendor, then the qualifiers); only when even the shortest wording
with the whole name passes ten words is the name cut, to the words left, an ellipsis marking
the cut ("Armagh City, Banbridge …"). A name is data: it is never parsed, only measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geo.core.text import one_line
from geo.datasets.dataset import Dataset
from geo.figures.count_method import SCAN_UNIT, count_method
from geo.figures.vocabulary import METRIC_LABELS, VENDOR_PHRASES
from geo.names.keys import display_name

MAX_TITLE_WORDS = 10
NAME_CHARS = 60  # the longest UK place name is 58 letters; a saved zip can name a place anything
PER_WORDS = {"networks": "", "per_1k": " per resident", "per_km2": " per km²"}
PER_UNITS = {"networks": "", "per_1k": " per 1,000 residents", "per_km2": " per km²"}

Wording = Callable[[str], str]  # a finding with the place name left to fill in


@dataclass(frozen=True)
class Counted:
    """What one count of a dataset is, in the words each text needs."""

    nouns: tuple[str, ...]  # for titles, longest first: "Hikvision and Dahua camera networks", "camera networks"
    measure: str  # for the subtitle, after "Internet-exposed": "camera networks", "services (Shodan results)"
    figure: str  # after a count: "networks", "Shodan results"
    scan: bool  # True for a live count of a scanner's results

    @property
    def heading(self) -> str:
        """A page's heading: "Hikvision and Dahua camera networks in the UK", or a count's
        "Internet-exposed Hikvision and Dahua services in the UK"."""
        noun = self.nouns[0]
        return f"{noun[:1].upper()}{noun[1:]} in the UK"

    def metric_label(self, metric: str) -> str:
        """A metric's label: a study's :data:`~geo.figures.vocabulary.METRIC_LABELS` ("Camera networks",
        "Networks per 1,000 residents"), a count's "Shodan results", "Shodan results per 1,000 residents"."""
        if not self.scan:
            return METRIC_LABELS[metric]
        return f"{self.figure[:1].upper()}{self.figure[1:]}{PER_UNITS[metric]}"

    def metric_words(self, metric: str) -> str:
        """:meth:`metric_label` inside a sentence: "camera networks", "Shodan results per km²" (a name keeps its capital)."""
        label = self.metric_label(metric)
        return label if self.scan else label.lower()


def counted_words(dataset: Dataset | None, vendor: str) -> Counted:
    """The words for ``dataset``'s counts of ``vendor`` (None: a study's camera networks)."""
    phrase = VENDOR_PHRASES[vendor]
    method = count_method(dataset) if dataset is not None else None
    if method is not None and method.unit == SCAN_UNIT:
        provider = one_line(method.provider, 40) or "scanner"
        return Counted(
            nouns=(f"internet-exposed {phrase} services", f"{phrase} services", "exposed services"),
            measure=f"services ({provider} results)",
            figure=f"{provider} results",
            scan=True,
        )
    return Counted(
        nouns=(f"{phrase} camera networks", "camera networks"), measure="camera networks", figure="networks", scan=False
    )


def title_name(name: object) -> str:
    """A unit's name as a title writes it: ONS's "Bristol, City of" as "Bristol", one line, bounded."""
    return one_line(display_name(str(name)), NAME_CHARS)


def words(text: str) -> int:
    """Words as a reader counts them (whitespace-separated)."""
    return len(text.split())


def fit(wordings: Sequence[Wording], name: str) -> str:
    """The first of ``wordings`` (longest first) that, with ``name``, has at most MAX_TITLE_WORDS words;
    when none does, the last with ``name`` cut to the words left (at least one), an ellipsis marking the cut."""
    for wording in wordings:
        text = wording(name)
        if words(text) <= MAX_TITLE_WORDS:
            return text
    shortest = wordings[-1]
    room = max(MAX_TITLE_WORDS - (words(shortest("X")) - 1), 1)
    return shortest(" ".join(name.split()[:room]) + "…")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"
