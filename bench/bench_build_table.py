"""How long :func:`geo.figures.metrics.build_table` takes for a table of many distinct, mostly
unmatched names, and where the time goes.

An attacker saw 23 s for 20,000 such rows. The table is built directly (no upload limits:
uploads now stop at 10,000 distinct places, ``CAMERA_ATLAS_MAX_TABLE_PLACES``), for 10,000
and 20,000 names; a profile of the larger run splits the time between name resolution
(``match_report`` → ``Resolver.resolve``, and within it the fuzzy suggestions) and the
aggregation in ``geo.figures.metrics``.

Needs prepared areas (``CAMERA_ATLAS_DATA_DIR`` with the cache, as the tests use):

    CAMERA_ATLAS_DATA_DIR=data/cache .venv/bin/python bench/bench_build_table.py
"""

from __future__ import annotations

import cProfile
import pstats
import random
import string
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def names(count: int, rng: random.Random) -> list[str]:
    """Distinct made-up place names ('Qobrexa'): none is a UK place, so nearly all are unmatched."""
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 12))).title())
    return sorted(out)


def main() -> int:
    import pandas as pd

    from geo.datasets import dataset as datasets
    from geo.figures import metrics
    from geo.names import places
    from geo.official import areas

    frame = areas.load_areas()
    rng = random.Random(20220101)
    profile_totals: dict[str, float] = {}
    for count in (10_000, 20_000):
        resolver = places.build_resolver(frame)  # a fresh resolver: its per-name memo starts empty
        chosen = names(count, rng)
        observations = pd.DataFrame(
            {
                "place": chosen,
                "vendor": "all",
                "networks": [rng.randint(0, 500) for _ in chosen],
                "lad_code": None,
                "source": None,
                "date": None,
                "line": range(2, count + 2),
            }
        )
        dataset = datasets.Dataset(id=f"bench{count}", title="bench", observations=observations)
        profiler = cProfile.Profile() if count == 20_000 else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        table = metrics.build_table(dataset, resolver, frame)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        statuses = table.match_report["status"].value_counts().to_dict()
        print(f"build_table, {count:,} distinct names{' (profiled)' if profiler else ''}: {seconds:.2f} s {statuses}")
        if profiler:
            stats = pstats.Stats(profiler)
            for (file, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
                key = f"{Path(file).stem}.{function}"
                if key in (
                    "metrics.build_table",
                    "metrics.match_report",
                    "places.resolve",
                    "places.suggestions_for",
                    "metrics.vendor_rows",
                    "metrics.add_metrics",
                    "units.level_units",
                ):
                    profile_totals[key] = profile_totals.get(key, 0.0) + cumulative
    print("where the time goes (cumulative seconds, profiled run):")
    for key, value in sorted(profile_totals.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<22} {value:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
