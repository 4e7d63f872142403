"""Core benchmarks: official data preparation, name resolution and table building.

Prints one line per figure, ``name: value unit (target …)``. Nothing here asserts a time;
compare the figures with their targets by eye (or in CI logs).

Runs entirely in a temporary ``CAMERA_ATLAS_DATA_DIR`` so the dev cache is never touched.
Official files come from ``CAMERA_ATLAS_GEO_MIRROR`` (default: ``../shared/geo`` beside the
repo when it exists; otherwise the ONS URLs are downloaded, which makes the cold figure a
network figure).

    .venv/bin/python bench/bench_core.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(fn: Callable[[], T], repeat: int = 5) -> tuple[float, float, T]:
    """(best, median) seconds over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        seconds, result = timed(fn)
        times.append(seconds)
    return min(times), statistics.median(times), result  # type: ignore[return-value]


def report(name: str, value: float, unit: str, target: str) -> None:
    print(f"{name}: {value:.3f} {unit} ({target})", flush=True)


def realistic_names(
    lad_names: list[str], towns: list[str], aliases: list[str], count: int, rng: random.Random
) -> list[tuple[str, str]]:
    """A mix like real datasets, as ``(kind, name)``: LAD names, aliases, gazetteer towns,
    decorated names ("Leeds, UK") and misspellings ("Manchestr", 10 %)."""

    def misspell(name: str) -> str:
        if len(name) < 5:
            return name + "x"
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1 :]  # drop one letter: "Manchestr"

    def decorate(name: str) -> str:
        return rng.choice(
            [f"{name}, UK", f"{name} (England)", name.upper(), f"  {name.lower()} ", f"{name}, United Kingdom"]
        )

    makers = [
        (0.35, "lad", lambda: rng.choice(lad_names)),
        (0.10, "alias", lambda: rng.choice(aliases)),
        (0.30, "town", lambda: rng.choice(towns)),
        (0.15, "decorated", lambda: decorate(rng.choice(lad_names + towns))),
        (0.10, "misspelt", lambda: misspell(rng.choice(lad_names + towns))),
    ]
    weights = [w for w, _, _ in makers]
    out = []
    for _ in range(count):
        _, kind, make = rng.choices(makers, weights)[0]
        out.append((kind, make()))
    return out


def main() -> int:
    mirror = os.environ.get("CAMERA_ATLAS_GEO_MIRROR")
    if not mirror and (REPO_ROOT.parent / "shared" / "geo").is_dir():
        mirror = str(REPO_ROOT.parent / "shared" / "geo")
        os.environ["CAMERA_ATLAS_GEO_MIRROR"] = mirror
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as data_dir:
        os.environ["CAMERA_ATLAS_DATA_DIR"] = data_dir
        print(
            f"# bench_core: python {sys.version.split()[0]}, mirror {mirror or '(none: download)'}, data dir {data_dir}"
        )

        seconds, _ = timed(lambda: __import__("geo.figures.metrics"))
        report("import geo (areas, places, datasets, metrics)", seconds, "s", "no target")
        from geo.datasets import dataset as datasets
        from geo.figures import metrics
        from geo.names import gazetteer, index, places
        from geo.names.keys import normalise_name
        from geo.official import areas

        # Cold: validate + prepare the official files, then place the gazetteer in LADs.
        fetch_s, (frame, _, origin) = timed(lambda: areas.fetch(mirror))
        towns_s, towns = timed(lambda: gazetteer.load_towns(frame, refresh=True))
        report(f"cold fetch+prepare areas ({origin})", fetch_s, "s", "no target; once per install")
        report(
            "cold gazetteer refresh (gazetteer.load_towns refresh=True)", towns_s, "s", "no target; once per install"
        )
        report("cold total (what `python -m geo fetch` does)", fetch_s + towns_s, "s", "no target")

        # Warm: the prepared GeoParquet.
        best, median, frame = best_of(areas.load_areas, repeat=7)
        report("warm load prepared areas (median of 7)", median, "s", "target < 0.5 s")
        report("warm load prepared areas (best of 7)", best, "s", "target < 0.5 s")

        best, median, resolver = best_of(lambda: places.build_resolver(frame), repeat=5)
        report("build resolver warm (median of 5)", median, "s", "no target; once per session")

        rng = random.Random(20220101)
        lad_names = list(frame["name"])
        town_names = list(towns.loc[towns["population"] >= 5000, "name"])
        alias_names = list(index.read_aliases()["alias"])
        pairs = realistic_names(lad_names, town_names, alias_names, 10_000, rng)
        names = [name for _, name in pairs]
        distinct = len({normalise_name(n) for n in names})
        misspelt = {normalise_name(n) for kind, n in pairs if kind == "misspelt"}
        # "Warm": the resolver is built and its tables loaded; its per-name memo starts empty.
        fresh_s, results = timed(lambda: resolver.resolve_many(names))
        again_s, _ = timed(lambda: resolver.resolve_many(names))
        statuses = {s: sum(r.status == s for r in results) for s in ("matched", "ambiguous", "unmatched")}
        print(f"# 10,000 names, {distinct} distinct keys ({len(misspelt)} misspelt): {statuses}")
        report("resolve 10,000 names warm (resolver built, memo empty)", fresh_s, "s", "target < 1 s")
        report("resolve 10,000 names again (memoised)", again_s, "s", "target < 1 s")
        clean = [name for kind, name in pairs if kind != "misspelt"]
        no_typos = places.build_resolver(frame)
        clean_s, _ = timed(lambda: no_typos.resolve_many(clean))
        report(f"resolve the {len(clean):,} names without misspellings (memo empty)", clean_s, "s", "no target")
        per_typo = (fresh_s - clean_s) / max(len(misspelt), 1) * 1000
        report("fuzzy suggestions, per distinct misspelt name (estimate)", per_typo, "ms", "no target")

        # A 400-place table: distinct resolvable names, 250 LAD names and 150 gazetteer towns.
        chosen: list[str] = []
        seen: set[str] = set()
        for pool, quota in (
            (rng.sample(lad_names, len(lad_names)), 250),
            (rng.sample(sorted(set(town_names)), len(set(town_names))), 400),
        ):
            for name in pool:
                key = normalise_name(name)
                if len(chosen) >= quota:
                    break
                if key in seen or resolver.resolve(name).status != "matched":
                    continue
                seen.add(key)
                chosen.append(name)
        lines = ["place,vendor,networks"] + [f'"{n}",all,{rng.randint(0, 20_000)}' for n in chosen]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        parse_s, observations = timed(lambda: datasets.parse_observations(data, "bench400.csv"))
        report(f"parse {len(chosen)}-place CSV (datasets.parse_observations)", parse_s, "s", "no target")
        dataset = datasets.Dataset(id="bench400", title="bench", observations=observations)
        for level in ("place", "lad", "region"):
            best, median, table = best_of(
                lambda level=level: metrics.build_table(dataset, resolver, frame, level=level), repeat=3
            )
            report(
                f"build {len(chosen)}-place table, level {level} ({len(table.rows)} rows, median of 3)",
                median,
                "s",
                "no target",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
