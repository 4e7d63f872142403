"""Shodan import throughput: DuckDB scan vs a plain Python loop vs merely decompressing.

Generates a synthetic `shodan download` export (``make_shodan_export``: 200,000 banners with
about 1 KB of ``data`` each, gzip) in a temporary folder, then times on the same file:

  (a) decompress only: ``gzip.open`` read in 1 MB chunks (the floor);
  (b) plain Python: ``gzip.open`` + ``json.loads`` per line + the same vendor and location
      rules (:func:`geo.shodan.importer.vendor_of`) + distinct counting, placing the distinct points
      and cities with the same GeoPandas join and resolver at the end;
  (c) :func:`geo.shodan.importer.ingest`.

Prints ``name: value unit`` lines only (no assertions). Target: (c) at least 3x faster than
(b) and close to (a). The export is written to a temp folder, never into the repo.

    .venv/bin/python bench/bench_shodan.py [--banners 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

T = TypeVar("T")


def cpu_seconds() -> float:
    """CPU time of this process, all threads (DuckDB's included), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@dataclass
class Timing:
    best: float  # wall seconds
    median: float
    cpu: float  # CPU seconds of the best run (less sensitive to other load on the machine)


def best(fn: Callable[[], T], repeat: int) -> tuple[Timing, T]:
    runs, result = [], None
    for _ in range(repeat):
        cpu = cpu_seconds()
        seconds, result = timed(fn)
        runs.append((seconds, cpu_seconds() - cpu))
    fastest = min(runs)
    return Timing(fastest[0], statistics.median(r[0] for r in runs), min(r[1] for r in runs)), result  # type: ignore[return-value]


def decompress_only(path: Path) -> int:
    total = 0
    with gzip.open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
    return total


def mean_data_size(path: Path, count: int) -> float:
    sizes = []
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            try:
                sizes.append(len(json.loads(line).get("data", "")))
            except (ValueError, AttributeError):
                continue
            if len(sizes) >= count:
                break
    return sum(sizes) / max(len(sizes), 1)


def python_loop(path: Path, areas, resolver) -> dict[tuple[str, str], int]:
    """A faithful plain-Python version of geo.shodan.importer.ingest: same rules, same placement, same counting."""
    import pandas as pd

    from geo.shodan import importer as shodan

    uk = set(shodan.UK_COUNTRY_CODES)
    keep: dict[tuple, int] = {}  # distinct (ip, cc_known, lat, lon, city, vendor) -> banners
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as stream:
        for line in stream:
            if not line.strip():
                continue
            try:
                banner = json.loads(line)
            except ValueError:
                continue  # malformed
            if not isinstance(banner, dict):
                continue
            ip = banner.get("ip_str") or banner.get("ipv6")
            if not ip:
                continue
            location = banner.get("location") if isinstance(banner.get("location"), dict) else {}
            cc = (location.get("country_code") or "").strip().upper() or None
            if cc is not None and cc not in uk:
                continue  # not UK
            vendor = shodan.vendor_of(banner)
            if vendor is None:
                continue  # vendor not recognised
            try:
                lat, lon = float(location.get("latitude")), float(location.get("longitude"))
            except (TypeError, ValueError):
                lat = lon = None
            if lat is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
                lat = lon = None
            city = (location.get("city") or "").strip() or None
            key = (str(ip).strip(), cc is not None, lat, lon, city, vendor)
            keep[key] = keep.get(key, 0) + 1
    points = pd.DataFrame(sorted({(k[2], k[3]) for k in keep if k[2] is not None}), columns=["lat", "lon"])
    placed = shodan.place_points(points, areas)
    by_point = {(row.lat, row.lon): (row.lad_code, row.how) for row in placed.itertuples(index=False)}
    cities, _ = shodan.place_cities(sorted({k[4] for k in keep if k[2] is None and k[1] and k[4]}), resolver)
    by_city = dict(zip(cities["city"], cities["lad_code"]))
    spelling = {ip: shodan.canonical_ip(ip) for ip in {k[0] for k in keep}}  # one spelling per address
    banners_at: dict[tuple[str, str], dict[str, int]] = {}  # (address, vendor) -> LAD -> banners
    for (ip, cc_known, lat, lon, city, vendor), n in keep.items():
        if spelling[ip] is None:
            continue  # malformed
        if lat is not None:
            lad, how = by_point[(lat, lon)]
            lad = lad if (cc_known or how == "inside") else None
        else:
            lad = by_city.get(city) if cc_known else None
        if lad is not None:
            at = banners_at.setdefault((spelling[ip], vendor), {})
            at[lad] = at.get(lad, 0) + n
    networks: dict[tuple[str, str], int] = {}
    for (_ip, vendor), at in banners_at.items():  # one LAD per address and vendor: most banners, then lowest code
        lad = min(at, key=lambda code: (-at[code], code))
        networks[(lad, vendor)] = networks.get((lad, vendor), 0) + 1
    return networks


def report(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:,.3f} {unit}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--banners", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and (c); (b) runs once per 3")
    parser.add_argument("--export", type=Path, help="time this existing export instead of generating one")
    args = parser.parse_args(argv)
    mirror = os.environ.get("CAMERA_ATLAS_GEO_MIRROR")
    if not mirror and (REPO_ROOT.parent / "shared" / "geo").is_dir():
        os.environ["CAMERA_ATLAS_GEO_MIRROR"] = str(REPO_ROOT.parent / "shared" / "geo")

    import duckdb
    from make_shodan_export import ExportStats, make_export

    from geo.names import places
    from geo.official import areas as areas_module
    from geo.shodan import importer as shodan

    frame = areas_module.load_areas()
    resolver = places.build_resolver(frame)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-shodan-") as tmp:
        if args.export:
            path = args.export
            lines_in_file = sum(1 for _ in gzip.open(path))
            gen_s, stats = 0.0, ExportStats(path, banners=lines_in_file, bytes_written=path.stat().st_size)
        else:
            path = Path(tmp) / "export.json.gz"
            gen_s, stats = timed(lambda: make_export(path, frame, args.banners))
        raw_bytes = decompress_only(path)
        print(
            f"# bench_shodan: python {sys.version.split()[0]}, duckdb {duckdb.__version__}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}; export in {tmp}"
        )
        if args.export:
            print(f"# export: {path} (given), {stats.banners:,} lines")
        else:
            print(
                f"# export: {stats.banners:,} banners + {stats.malformed} malformed lines, {stats.distinct_ips:,} distinct IPs, "
                f"vendors {stats.by_vendor}, locations {stats.by_location}"
            )
        report("generate export", gen_s, "s")
        report("export size (gzip)", stats.bytes_written / 1e6, "MB")
        report("export size (decompressed)", raw_bytes / 1e6, "MB")
        report("mean banner size", raw_bytes / (stats.banners + stats.malformed), "bytes")
        report("mean size of the data field (first 2,000 banners)", mean_data_size(path, 2000), "bytes")
        lines = stats.banners + stats.malformed

        load_before = os.getloadavg()[0]
        a, _ = best(lambda: decompress_only(path), args.repeat)
        limit = path.stat().st_size + 1
        c, result = best(lambda: shodan.ingest(path, frame, resolver, max_bytes=limit), args.repeat)
        b, python_counts = best(lambda: python_loop(path, frame, resolver), max(1, args.repeat // 3))

        ingest_counts = {(r.lad_code, r.vendor): int(r.networks) for r in result.observations.itertuples(index=False)}
        print(f"# ingest: {result.summary()}")
        print(
            f"# python loop and ingest agree on every (LAD, vendor) count: {'yes' if python_counts == ingest_counts else 'NO'}"
        )
        print(
            f"# load average {load_before:.1f} before the timings, {os.getloadavg()[0]:.1f} after "
            f"({os.cpu_count()} CPUs): wall times above ~1 load per CPU are noisy; CPU seconds less so"
        )
        for label, timing in (
            ("(a) decompress only (gzip.open, 1 MB reads)", a),
            ("(b) python json.loads loop", b),
            ("(c) geo.shodan.importer.ingest (DuckDB)", c),
        ):
            report(f"{label} best", timing.best, "s")
            report(f"{label} median", timing.median, "s")
            report(f"{label} CPU (all threads)", timing.cpu, "s")
            report(f"{label} throughput", lines / timing.best, "banners/s")
            report(f"{label} throughput (decompressed)", raw_bytes / 1e6 / timing.best, "MB/s")
        report("speed-up (c) vs (b), best wall times", b.best / c.best, "x (target >= 3)")
        report("speed-up (c) vs (b), CPU seconds", b.cpu / c.cpu, "x")
        report("cost (c) vs (a), best wall times", c.best / a.best, "x the decompression floor (target: close to 1)")

        plain = Path(tmp) / "export.jsonl"
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        p, _ = best(lambda: shodan.ingest(plain, frame, resolver, max_bytes=plain.stat().st_size + 1), args.repeat)
        report("(c') geo.shodan.importer.ingest on the same export uncompressed, best", p.best, "s")
        report("(c') CPU (all threads)", p.cpu, "s")
        report("(c') throughput", lines / p.best, "banners/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
