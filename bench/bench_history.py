"""Change over time at scale: 36 monthly Shodan counts × 1,000 cities, series at LAD level.

The issue's target (issue 16): the series at LAD level built in at most 1 s warm, in under
1 GB, beside a plain pandas pivot of the same figures. The counts are made here, no server:
each month a :class:`geo.scan.provider.ScanResult` whose two vendors list their 1,000 largest cities
(real UK place names the resolver matches: LAD names and GeoNames towns), counts drifting
month to month (seeded), so cities drop in and out of the top 1,000. Each is summarised
(:func:`geo.scan.summary.summarise`) and read back as a dataset (``as_dataset``), dated monthly
from 2024-01-01T06:00Z.

Prints ``name: value unit`` lines:

* ``cold_series_for``: :func:`geo.figures.series_vendors.series_for` with a fresh resolver: every
  dataset's names resolved and its table built, then the series; split into its parts
  (``cold_resolve``: the names; ``cold_tables``: the tables from resolved names);
* ``warm_build_series``: the way the app does it, tables already built and cached per
  dataset: :func:`geo.figures.history.build_series` alone (median), against the 1 s target;
* ``warm_series_for``: ``series_for`` again with the resolver's memo warm (tables rebuilt);
* ``pandas_pivot``: the reference, a plain ``pivot`` of the same per-LAD figures (long frame
  dataset × LAD code → wide), and the ratio of the two;
* ``peak_traced_build_series`` (tracemalloc: what building the series allocates) and ``peak_rss``
  (this process's maximum resident set: areas, resolver, the datasets, their tables and the
  series, cold and warm), against 1 GB;
* ``cli_history``: ``python -m geo history --collection DIR --level lad --json`` over the 36
  folders, wall time and the child's peak RSS (information: it loads boundaries and builds
  the resolver too).

Never asserts a time. Needs the prepared areas (``make data``):

    CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_history.py [--months 36] [--cities 1000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for folder in (REPO_ROOT, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from timing import show  # noqa: E402

from geo.figures import history, metrics, series_vendors
from geo.names import gazetteer, places
from geo.official import areas
from geo.scan import as_dataset as scan_dataset
from geo.scan import provider as scan
from geo.scan import summary as scan_summary

START = datetime(2024, 1, 1, 6, 0, tzinfo=timezone.utc)
TARGET_SECONDS = 1.0
TARGET_BYTES = 1024**3
MB = 1024 * 1024
T = TypeVar("T")
POOL_FACTOR = 1.3  # names in the pool per listed city: the rest wait below the top N


# ``python -m geo`` that reports its peak RSS on the way out. /proc's VmHWM, not getrusage: a child's
# ru_maxrss keeps the RSS of the process it was forked from, so it would report this bench's.
CLI_CHILD = """
import re, runpy, sys
sys.argv = ["geo", *sys.argv[1:]]
try:
    runpy.run_module("geo", run_name="__main__", alter_sys=True)
finally:
    status = open("/proc/self/status").read()
    print(re.search(r"VmHWM:.*", status).group(0), file=sys.stderr)
"""


def month(i: int) -> datetime:
    """The first of the i-th month after January 2024, 06:00 UTC."""
    year, index = divmod(i, 12)
    return START.replace(year=START.year + year, month=index + 1)


def place_pool(frame, resolver: places.Resolver, size: int) -> list[str]:
    """``size`` real UK place names the resolver matches to a place (never the whole country): LAD
    names, then the most populous GeoNames towns. Several towns in one LAD are several cities
    summed there, as in a real count."""
    towns = gazetteer.load_towns(frame).sort_values("population", ascending=False)
    candidates = list(dict.fromkeys([*frame["name"], *towns["name"]]))
    pool: list[str] = []
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        for name, found in zip(batch, resolver.resolve_many(batch)):
            if found.status != "matched" or found.national or not found.lad_codes:
                continue
            pool.append(name)
            if len(pool) == size:
                return pool
    raise SystemExit(f"only {len(pool)} matching place names found, {size} needed")


def monthly_results(pool: list[str], months: int, cities: int, rng: random.Random) -> list[scan.ScanResult]:
    """Each month's scan: per vendor its ``cities`` largest of the pool, counts drifting (a
    random walk per city and vendor, one vendor falling slowly)."""
    queries = {q.vendor: q for q in scan.read_queries()}
    base = {v: np.array([rng.lognormvariate(3.0, 1.2) for _ in pool]) for v in queries}
    drift = {v: np.zeros(len(pool)) for v in queries}
    trend = {"hikvision": -0.01, "dahua": 0.005}
    out = []
    for i in range(months):
        counts = []
        for vendor, query in queries.items():
            drift[vendor] += np.array([rng.gauss(trend.get(vendor, 0.0), 0.15) for _ in pool])
            values = np.maximum(1, np.round(base[vendor] * np.exp(drift[vendor]))).astype(int)
            top = np.argsort(-values, kind="stable")[:cities]
            listed = tuple((pool[j], int(values[j])) for j in top)
            total = int(sum(values) * 1.25)
            counts.append(
                scan.VendorCount(
                    vendor=vendor, query=f"{query.query} country:GB", note=query.note, total=total, cities=listed
                )
            )
        when = month(i)
        out.append(
            scan.ScanResult(
                provider="Shodan",
                provider_version="shodan 1.31.0",
                source="Shodan count API (/shodan/host/count)",
                source_url="https://developer.shodan.io/api",
                country="GB",
                facet="city",
                facet_size=cities,
                started_at=when,
                finished_at=when + timedelta(seconds=3),
                vendors=tuple(counts),
                calls=2,
            )
        )
    return out


def folder_name(result: scan.ScanResult) -> str:
    return result.started_at.strftime("%Y-%m-%dT%H%MZ")


def lad_pivot(tables: list[metrics.Table], ids: list[str]) -> pd.DataFrame:
    """The reference: the same per-LAD figures as a long frame (dataset, code, networks) pivoted wide."""
    long = pd.concat([t.rows[["code", "networks"]].assign(dataset=i) for i, t in zip(ids, tables)], ignore_index=True)
    return long.pivot(index="code", columns="dataset", values="networks")


def check_same(series: history.Series, pivot: pd.DataFrame) -> None:
    """The series' values are the pivot's, unit by unit (the bench measures the right thing)."""
    got = pd.DataFrame(series.values, index=series.units["code"], columns=[p.dataset.id for p in series.points])
    want = pivot.reindex(index=got.index, columns=got.columns)
    if not np.allclose(got.to_numpy(), want.to_numpy(dtype=float), equal_nan=True):
        raise SystemExit("the series and the pivot disagree: the bench compares different figures")
    if len(got) != len(pivot):
        raise SystemExit(f"the series has {len(got)} units, the pivot {len(pivot)}")


def measured(func: Callable[[], T], repeat: int = 0) -> tuple[float, float, T]:
    """Wall and CPU seconds (this process, all its threads) of one call, or the medians of
    ``repeat`` calls after a warm-up call; and the last result. CPU time says what the work
    costs when the machine is busy with other things (wall time then includes waiting)."""
    result = func() if repeat else None
    walls, cpus = [], []
    for _ in range(max(repeat, 1)):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result  # type: ignore[return-value]


def rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--cities", type=int, default=1000, help="cities per vendor per count (the facet size)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each warm step (median)")
    parser.add_argument("--skip-cli", action="store_true", help="leave out the command-line run")
    args = parser.parse_args()
    wall = time.perf_counter()

    frame = areas.load_areas()
    towns = gazetteer.load_towns(frame)
    setup_resolver = places.build_resolver(frame, towns=towns)
    rng = random.Random(16)
    pool = place_pool(frame, setup_resolver, int(args.cities * POOL_FACTOR))
    results = monthly_results(pool, args.months, args.cities, rng)
    start = time.perf_counter()
    summaries = [scan_summary.summarise(r, setup_resolver) for r in results]
    datasets = [scan_dataset.as_dataset(summary, folder_name(r)) for summary, r in zip(summaries, results)]
    show(
        "datasets",
        f"{len(datasets)} counts x {args.cities:,} cities per vendor "
        f"({len(pool):,} names in the pool, {sum(len(d.observations) for d in datasets):,} rows)",
    )
    show("setup_summarise_and_read", time.perf_counter() - start, "s")

    # (a) cold: a fresh resolver (empty memo), every name resolved, every table built.
    resolver = places.build_resolver(frame, towns=towns)
    wall_s, cpu_s, cold = measured(lambda: series_vendors.series_for(datasets, resolver, frame, level="lad"))
    show("cold_series_for", wall_s, f"s (cpu {cpu_s:.3f} s)")
    resolver = places.build_resolver(frame, towns=towns)
    wall_s, cpu_s, matched = measured(lambda: [metrics.match_dataset(d, resolver) for d in datasets])
    show("cold_resolve", wall_s, f"s (cpu {cpu_s:.3f} s; names of {len(datasets)} datasets, fresh resolver)")
    wall_s, cpu_s, tables = measured(
        lambda: [metrics.build_table(d, resolver, frame, level="lad", matched=m) for d, m in zip(datasets, matched)]
    )
    show("cold_tables", wall_s, f"s (cpu {cpu_s:.3f} s; LAD tables from resolved names)")

    # (b) warm: tables cached per dataset (as load_view caches them), only the series built.
    entries = list(zip(datasets, tables))
    warm_s, warm_cpu, series = measured(lambda: history.build_series(entries, "networks"), args.repeat)
    show(
        "warm_build_series",
        warm_s,
        f"s (cpu {warm_cpu:.3f} s; median of {args.repeat}; target <= {TARGET_SECONDS:g} s)",
    )
    wall_s, cpu_s, _ = measured(lambda: series_vendors.series_for(datasets, resolver, frame, level="lad"))
    show("warm_series_for", wall_s, f"s (cpu {cpu_s:.3f} s; resolver memo warm, tables rebuilt)")
    show(
        "series_shape",
        f"{len(series.units):,} units x {len(series.points)} dates, "
        f"{int(np.isnan(series.values).sum()):,} gaps, {len(series.notes)} notes",
    )

    # (c) the reference: the same per-LAD figures pivoted by plain pandas.
    ids = [d.id for d in datasets]
    pivot_s, pivot_cpu, pivot = measured(lambda: lad_pivot(tables, ids), args.repeat)
    check_same(series, pivot)
    check_same(cold, pivot)
    show(
        "pandas_pivot",
        pivot_s,
        f"s (cpu {pivot_cpu:.3f} s; median of {args.repeat}; long dataset x LAD code -> wide, same figures)",
    )
    show("build_series_over_pivot", warm_s / pivot_s, f"x (cpu {warm_cpu / pivot_cpu:.1f} x)")

    # (d) memory: what building the series allocates (tracemalloc; a cold series_for traced takes
    # minutes), and the peak RSS of this whole process: areas, resolver, 36 datasets, their tables, series.
    del cold
    gc.collect()
    tracemalloc.start()
    history.build_series(entries, "networks")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    show(
        "peak_traced_build_series",
        peak / MB,
        f"MB (tracemalloc, from cached tables; target < {TARGET_BYTES // MB:,} MB)",
    )
    show("peak_rss", rss_bytes() / MB, f"MB (whole bench process; target < {TARGET_BYTES // MB:,} MB)")

    if not args.skip_cli:
        with tempfile.TemporaryDirectory() as work:
            collection = Path(work) / "scans"
            collection.mkdir()
            for summary, result in zip(summaries, results):
                scan_dataset.write_dataset(summary, collection / folder_name(result))
            start = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CLI_CHILD,
                    "history",
                    "--collection",
                    str(collection),
                    "--level",
                    "lad",
                    "--json",
                ],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                env=os.environ.copy(),
            )
            seconds = time.perf_counter() - start
        peak = re.search(r"VmHWM:\s+(\d+) kB", done.stderr)
        if done.returncode != 0:
            show("cli_history", f"failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
        else:
            out = json.loads(done.stdout)
            show(
                "cli_history",
                seconds,
                f"s wall ({len(out['series'])} dates, {len(out['rows']):,} rows, "
                f"{len(done.stdout) / MB:.1f} MB of JSON)",
            )
            show("cli_peak_rss", int(peak.group(1)) / 1024 if peak else "unknown", "MB (the command's process)")
    show("bench_wall", time.perf_counter() - wall, "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
