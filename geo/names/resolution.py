"""The resolver's report on one name: :class:`Resolution`, what the tables, the match report and
``resolve --json`` read, made from the resolver's internal :class:`~geo.names.index.Entry`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from geo.names.gazetteer import Town
from geo.names.index import Entry, Status


@dataclass(frozen=True)
class Resolution:
    """How one input name resolved. ``lad_codes`` is empty unless ``status == 'matched'``."""

    input: str
    status: Status
    lad_codes: tuple[str, ...] = ()
    name: str | None = None
    method: str | None = None
    suggestions: tuple[str, ...] = ()
    national: bool = False
    note: str | None = None
    town: Town | None = None  # a gazetteer match only: its count is the town's, not its whole LAD's

    def to_dict(self) -> dict:
        """JSON-ready form (the ``resolve --json`` contract)."""
        out = asdict(self)
        out["lad_codes"] = list(self.lad_codes)
        out["suggestions"] = list(self.suggestions)
        return out

    @classmethod
    def from_entry(cls, raw: str, entry: Entry) -> Resolution:
        """The report for input ``raw`` that resolved to ``entry``."""
        return cls(input=raw, **{name: getattr(entry, name) for name in _FROM_ENTRY})


# What a Resolution copies from its Entry: all but the input.
_FROM_ENTRY = tuple(f.name for f in fields(Resolution) if f.name != "input")
