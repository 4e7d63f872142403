"""What a dataset counts and how: two datasets belong to one line over time only when they agree.

A Shodan count (``scan`` section in its ``datapackage.json``) counts Shodan *results*
(services: IP address and port) for its vendor queries; TOP10VPN counted camera *networks*
(distinct IP addresses) its own way; an uploaded table counts whatever its source counted. A
change between two of them mixes real change with a change of method, so
:func:`break_reason` says, in one line, why two neighbouring datasets of a series are not
joined ("TOP10VPN … counted camera networks; Shodan count API counts Shodan results").
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.datasets.dataset import Dataset

SCAN_UNIT = "results"  # a scan's unit: Shodan results (services), not cameras and not distinct IPs


@dataclass(frozen=True)
class CountMethod:
    """Who counted (``provider``), what one count is (``unit``) and with which queries (``queries``:
    ``(vendor, query)`` pairs, empty when the source did not publish them)."""

    provider: str
    unit: str
    queries: tuple[tuple[str, str], ...] = ()

    @property
    def what(self) -> str:
        """What one count is, in words: "Shodan results (services)", "networks"."""
        return f"{self.provider} results (services)" if self.unit == SCAN_UNIT else self.unit


def count_method(dataset: Dataset) -> CountMethod:
    """The :class:`CountMethod` of ``dataset``: a live count's provider and queries, else its source."""
    scan = (dataset.package or {}).get("scan")
    if isinstance(scan, dict) and scan.get("provider"):
        queries = tuple(
            sorted(
                (str(q.get("vendor", "")), " ".join(str(q.get("query", "")).split()))
                for q in scan.get("queries", [])
                if isinstance(q, dict)
            )
        )
        return CountMethod(provider=str(scan["provider"]), unit=SCAN_UNIT, queries=queries)
    # A study or a user's table: its source's own "networks" (one source, one method).
    return CountMethod(provider=dataset.short_name, unit="networks")


def break_reason(previous: Dataset, current: Dataset) -> str:
    """Why ``current`` does not continue ``previous``'s line, in one line; "" when it does."""
    before, after = count_method(previous), count_method(current)
    if before == after:
        return ""
    if before.provider == after.provider and before.unit == after.unit:
        old, new = dict(before.queries), dict(after.queries)
        changed = " and ".join(v for v in sorted(old.keys() | new.keys()) if old.get(v) != new.get(v))
        return f"{current.short_name}: the {changed} query changed, so its counts start a new line"
    return f"{before.provider} counted {before.what}; {after.provider} counts {after.what}: not joined into one line"
