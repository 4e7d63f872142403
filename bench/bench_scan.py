"""Live-count scan against the local fake Shodan (``tests/fake_shodan.py``): wall times.

Times, on this machine, through the real ``shodan`` package and a local HTTP server:

  (a) a whole scan as the command line runs it (2 vendor queries, paced at Shodan's
      1 request/second, the fake's 21 and 12 cities), then summarise and write the folder;
  (b) the same scan with pacing off: the cost of the calls themselves;
  (c) 1,000-city facets per vendor (real GB town names from the gazetteer), pacing off:
      the count calls, resolving 2,000 city names (cold resolver cache, then warm), and writing;
  (d) the bombs a hostile count server throws, each against the code before the hardening
      (``--base``, extracted with ``git archive``) and this checkout, each in a child process
      under a 4 GB address-space cap that reports its CPU-seconds (user + system, from the
      call on), peak RSS and wall time, and how the call ended:

      facets-100k     100,000 city entries for a facet of 1,000 (3.3 MB), counted, resolved and
                      made a dataset as the Data page does
      300MB-string    a 300 MB answer (one long city name), streamed
      300MB-objects   a 300 MB answer of small objects
      near-cap        3.9 MB of tiny objects: the largest answer the cap lets through
      1-byte/s        a 180-byte answer at one byte a second (the first call; the second is normal)
      deep-json       100,000 nested lists

Prints ``name: value unit`` lines only (no assertions). Nothing touches the internet.

    .venv/bin/python bench/bench_scan.py [--repeat 3] [--base 70370aa] [--skip-before] [--no-bombs]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_shodan import MEMBER_KEY, FakeShodan, Reply  # noqa: E402

from geo.names import gazetteer, places
from geo.official import areas
from geo.scan import as_dataset as scan_dataset
from geo.scan import provider as scan
from geo.scan import summary as scan_summary
from geo.scan.shodan_api import ShodanCountProvider  # noqa: E402


class Unpaced(ShodanCountProvider):
    min_interval = 0.0


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def report(name: str, seconds: list[float]) -> None:
    print(f"{name}: best {min(seconds):.3f} s, median {statistics.median(seconds):.3f} s over {len(seconds)} runs")


BASE_REV = "70370aa"  # main before the count path's hardening (issue 14)
MB = 1024 * 1024

# Runs in the child: argv = code root, fake URL, facet size, "summarise" or "count".
CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["SHODAN_API_URL"] = sys.argv[2]
try:  # geo as layer packages
    from geo.official import areas
    from geo.names import places
    from geo.scan import as_dataset as scan_dataset, provider as scan, summary as scan_summary
    from geo.scan.shodan_api import ShodanCountProvider
except ImportError:  # a base from before them: flat modules
    from geo import areas, places, scan, scan_dataset
    from geo.shodan_count import ShodanCountProvider
    scan_summary = scan_dataset
resolver = places.build_resolver(areas.load_areas()) if sys.argv[4] == "summarise" else None
usage = lambda: resource.getrusage(resource.RUSAGE_SELF)
start, rss_before, wall = usage(), usage().ru_maxrss, time.perf_counter()
try:
    result = scan.scan(ShodanCountProvider(os.environ["BENCH_KEY"]), scan.read_queries(), int(sys.argv[3]),
                       sleep=lambda s: None)
    if resolver is not None:
        scan_dataset.as_dataset(scan_summary.summarise(result, resolver), "bench")
    outcome = "accepted"
except BaseException as exc:
    outcome = type(exc).__name__ + ": " + " ".join(str(exc).split())[:150]
end = usage()
print(json.dumps({"outcome": outcome, "wall": time.perf_counter() - wall,
                  "cpu": end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime,
                  "rss_before_mb": rss_before / 1024, "peak_rss_mb": end.ru_maxrss / 1024}))
"""


def bombs() -> dict[str, tuple[list, int, str]]:
    """name -> (replies for the two calls, facet size asked, child mode)."""
    facets = {
        "total": 200_000,
        "matches": [],
        "facets": {"city": [{"value": f"Town {i}", "count": 1} for i in range(100_000)]},
    }

    def long_string():
        yield b'{"total": 1, "facets": {"city": [{"count": 1, "value": "'
        for _ in range(300):
            yield b"x" * MB
        yield b'"}]}}'

    def objects(megabytes: float):
        piece = b'{"count": 0, "value": "a"},' * (MB // 27)

        def pieces():
            yield b'{"total": 1, "facets": {"city": ['
            for _ in range(int(megabytes)):
                yield piece
            yield b'{"count": 0, "value": "b"}]}}'

        return pieces

    def near_cap():
        yield b'{"total": 1, "facets": {"city": [' + b"[]," * int(3.9 * MB / 3) + b"[]]}}"

    small = json.dumps(
        {
            "total": 10,
            "facets": {"city": [{"count": 3, "value": v} for v in ("Leeds", "Manchester", "Birmingham", "Glasgow")]},
        }
    ).encode()
    small = small + b" " * (180 - len(small))
    trickle = [small[i : i + 1] for i in range(len(small))]
    return {
        "facets-100k": ([Reply(200, facets), Reply(200, facets)], 1000, "summarise"),
        "300MB-string": ([Reply(200, long_string)] * 2, 1000, "count"),
        "300MB-objects": ([Reply(200, objects(300))] * 2, 1000, "count"),
        "near-cap": ([Reply(200, near_cap)] * 2, 1000, "count"),
        "1-byte/s": ([Reply(200, lambda: iter(trickle), pace=1.0), Reply(200, small)], 1000, "count"),
        "deep-json": ([Reply(200, b"[" * 100_000 + b"]" * 100_000)] * 2, 1000, "count"),
    }


def run_bombs(fake: FakeShodan, roots: dict[str, Path], cap_gb: float, timeout: float, only: list[str]) -> None:
    def capped() -> None:
        limit = int(cap_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    # The cached areas of this checkout, whichever code runs (the extracted one has no cache).
    env = {
        **os.environ,
        "SHODAN_API_URL": fake.url,
        "BENCH_KEY": MEMBER_KEY,
        "CAMERA_ATLAS_DATA_DIR": os.environ.get("CAMERA_ATLAS_DATA_DIR", str(REPO_ROOT / "data" / "cache")),
    }
    for name, (replies, size, mode) in bombs().items():
        if only and name not in only:
            continue
        for label, root in roots.items():
            fake._script.clear()
            fake.script(*replies)
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(root), fake.url, str(size), mode],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=REPO_ROOT,
                    timeout=timeout,
                    preexec_fn=capped,
                )
                lines = done.stdout.strip().splitlines()
                figures = json.loads(lines[-1]) if lines else {"outcome": done.stderr.strip().splitlines()[-1][:150]}
            except subprocess.TimeoutExpired:
                figures = {"outcome": f"stopped after {timeout:g} s"}
            prefix = f"(d) {name} {label}"
            if "cpu" in figures:
                print(
                    f"{prefix}: cpu {figures['cpu']:.2f} s, peak RSS {figures['peak_rss_mb']:,.0f} MB "
                    f"(before the call {figures['rss_before_mb']:,.0f} MB), wall {figures['wall']:.2f} s",
                    flush=True,
                )
            print(f"# {prefix}: {figures['outcome']}", flush=True)


def extract(rev: str, into: Path) -> Path:
    """The ``geo`` package and the tracked ``data/`` files of ``rev`` (queries, aliases), as a folder to import from."""
    archive = subprocess.run(
        ["git", "archive", rev, "geo", "data"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", default=BASE_REV, help="the commit to measure as 'before'")
    parser.add_argument("--skip-before", action="store_true", help="measure this checkout only")
    parser.add_argument("--no-bombs", action="store_true", help="skip (d)")
    parser.add_argument("--cap-gb", type=float, default=4.0, help="address-space cap of each (d) child")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a (d) child is stopped")
    parser.add_argument(
        "--only", nargs="*", default=[], metavar="BOMB", help="run these (d) bombs only (names as printed)"
    )
    args = parser.parse_args()
    frame = areas.load_areas()
    resolver = places.build_resolver(frame)
    queries = scan.read_queries()
    towns = gazetteer.load_towns(frame).sort_values("population", ascending=False)
    names = list(dict.fromkeys(towns["name"]))[:1000]

    with FakeShodan() as fake, tempfile.TemporaryDirectory() as tmp:
        os.environ["SHODAN_API_URL"] = fake.url

        def whole(provider_class, out: str):
            result = scan.scan(provider_class(MEMBER_KEY), queries)
            summary = scan_summary.summarise(result, resolver)
            scan_dataset.write_dataset(summary, Path(tmp) / out)
            return summary

        paced = [timed(lambda: whole(ShodanCountProvider, "paced"))[0] for _ in range(args.repeat)]
        report("(a) scan as the CLI runs it (2 calls, paced 1/s) + summarise + write", paced)
        unpaced = [timed(lambda: scan.scan(Unpaced(MEMBER_KEY), queries))[0] for _ in range(args.repeat)]
        report("(b) the 2 count calls alone, unpaced", unpaced)

        big = {
            "total": 250_000,
            "matches": [],
            "facets": {"city": [{"value": name, "count": 300 - (i * 299) // 999} for i, name in enumerate(names)]},
        }
        calls, resolve_cold, resolve_warm, writes = [], [], [], []
        for run in range(args.repeat):
            fake.script(Reply(200, big), Reply(200, big))
            seconds, result = timed(lambda: scan.scan(Unpaced(MEMBER_KEY), queries))
            calls.append(seconds)
            fresh = places.build_resolver(frame)  # an empty name cache: every city resolved anew
            seconds, summary = timed(lambda result=result, fresh=fresh: scan_summary.summarise(result, fresh))
            resolve_cold.append(seconds)
            resolve_warm.append(timed(lambda result=result, fresh=fresh: scan_summary.summarise(result, fresh))[0])
            writes.append(
                timed(lambda summary=summary, run=run: scan_dataset.write_dataset(summary, Path(tmp) / f"big-{run}"))[0]
            )
        print(f"(c) facets: {len(names)} cities per vendor; answer {len(str(big)) / 1e3:.0f} kB")
        report("(c) 2 count calls with 1,000-city facets, unpaced", calls)
        report("(c) summarise 2,000 city names (1,000 distinct), cold resolver cache", resolve_cold)
        report("(c) summarise 2,000 city names (1,000 distinct), warm resolver cache", resolve_warm)
        report("(c) write the dataset folder", writes)
        shares = summary.vendors[0]
        print(
            "(c) shares of the total: "
            + ", ".join(f"{s} {shares.share(s):.1%}" for s in (*scan_summary.STATUSES, "remainder"))
        )

        if not args.no_bombs:
            roots = {} if args.skip_before else {"before": extract(args.base, Path(tmp) / "before")}
            run_bombs(fake, {**roots, "after": REPO_ROOT}, args.cap_gb, args.timeout, args.only)


if __name__ == "__main__":
    main()
