"""Published reference rates (Comparitech 2022) set beside the rates computed here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import settings
from geo.names.places import Resolver

REFERENCE_PATH = settings.shipped_dir() / "reference" / "comparitech-2022-rates.csv"
KM2_PER_SQUARE_MILE = 2.589988110336
NOT_PUBLISHED = "\u2013"  # how a rate the source did not publish is shown (an en dash, never "None")


def load_reference_rates(path: Path | str = REFERENCE_PATH) -> pd.DataFrame:
    """Published per-1,000 and per-square-mile rates, with per km² converted."""
    table = pd.read_csv(path)
    table["per_km2"] = table["per_sq_mile"] / KM2_PER_SQUARE_MILE
    return table


def compare_rates(rows: pd.DataFrame, reference: pd.DataFrame, resolver: Resolver) -> pd.DataFrame:
    """Computed vs published rates for places present in both (matched on LAD codes).

    ``rows`` is a place-level metrics table. Columns: ``place, computed_per_1k,
    published_per_1k, computed_per_km2, published_per_km2, source``; a rate the source did
    not publish (Preston's per square mile) is NaN, never None, so the column stays numeric.
    """
    by_codes = {tuple(sorted(c)): r for c, r in zip(rows["lad_codes"], rows.itertuples(index=False))}
    out = []
    for ref in reference.itertuples(index=False):
        resolved = resolver.resolve(ref.place)
        row = by_codes.get(tuple(sorted(resolved.lad_codes))) if resolved.status == "matched" else None
        if row is None:
            continue
        out.append(
            {
                "place": row.name,
                "computed_per_1k": row.per_1k,
                "published_per_1k": ref.per_1k,
                "computed_per_km2": row.per_km2,
                "published_per_km2": ref.per_km2,
                "source": ref.source,
            }
        )
    rates = ["computed_per_1k", "published_per_1k", "computed_per_km2", "published_per_km2"]
    table = pd.DataFrame(out, columns=["place", *rates, "source"])
    return table.astype({column: float for column in rates})
