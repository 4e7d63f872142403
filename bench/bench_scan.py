"""Live-count scan against the local fake Shodan (``tests/fake_shodan.py``): wall times.

Times, on this machine, through the real ``shodan`` package and a local HTTP server:

  (a) a whole scan as the command line runs it (2 vendor queries, paced at Shodan's
      1 request/second, the fake's 21 and 12 cities), then summarise and write the folder;
  (b) the same scan with pacing off: the cost of the calls themselves;
  (c) 1,000-city facets per vendor (real GB town names from the gazetteer), pacing off:
      the count calls, resolving 2,000 city names (cold resolver cache, then warm), and writing.

Prints ``name: value unit`` lines only (no assertions). Nothing touches the internet.

    .venv/bin/python bench/bench_scan.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_shodan import MEMBER_KEY, FakeShodan, Reply  # noqa: E402

from geo import areas, places, scan, scan_dataset  # noqa: E402
from geo.shodan_count import ShodanCountProvider  # noqa: E402


class Unpaced(ShodanCountProvider):
    min_interval = 0.0


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def report(name: str, seconds: list[float]) -> None:
    print(f"{name}: best {min(seconds):.3f} s, median {statistics.median(seconds):.3f} s over {len(seconds)} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = areas.load_areas()
    resolver = places.build_resolver(frame)
    queries = scan.read_queries()
    towns = places.load_towns(frame).sort_values("population", ascending=False)
    names = list(dict.fromkeys(towns["name"]))[:1000]

    with FakeShodan() as fake, tempfile.TemporaryDirectory() as tmp:
        os.environ["SHODAN_API_URL"] = fake.url

        def whole(provider_class, out: str):
            result = scan.scan(provider_class(MEMBER_KEY), queries)
            summary = scan_dataset.summarise(result, resolver)
            scan_dataset.write_dataset(summary, Path(tmp) / out)
            return summary

        paced = [timed(lambda: whole(ShodanCountProvider, "paced"))[0] for _ in range(args.repeat)]
        report("(a) scan as the CLI runs it (2 calls, paced 1/s) + summarise + write", paced)
        unpaced = [timed(lambda: scan.scan(Unpaced(MEMBER_KEY), queries))[0] for _ in range(args.repeat)]
        report("(b) the 2 count calls alone, unpaced", unpaced)

        big = {"total": 250_000, "matches": [], "facets": {"city": [
            {"value": name, "count": 300 - (i * 299) // 999} for i, name in enumerate(names)]}}
        calls, resolve_cold, resolve_warm, writes = [], [], [], []
        for run in range(args.repeat):
            fake.script(Reply(200, big), Reply(200, big))
            seconds, result = timed(lambda: scan.scan(Unpaced(MEMBER_KEY), queries))
            calls.append(seconds)
            fresh = places.build_resolver(frame)  # an empty name cache: every city resolved anew
            seconds, summary = timed(lambda: scan_dataset.summarise(result, fresh))
            resolve_cold.append(seconds)
            resolve_warm.append(timed(lambda: scan_dataset.summarise(result, fresh))[0])
            writes.append(timed(lambda: scan_dataset.write_dataset(summary, Path(tmp) / f"big-{run}"))[0])
        print(f"(c) facets: {len(names)} cities per vendor; answer {len(str(big)) / 1e3:.0f} kB")
        report("(c) 2 count calls with 1,000-city facets, unpaced", calls)
        report("(c) summarise 2,000 city names (1,000 distinct), cold resolver cache", resolve_cold)
        report("(c) summarise 2,000 city names (1,000 distinct), warm resolver cache", resolve_warm)
        report("(c) write the dataset folder", writes)
        shares = summary.vendors[0]
        print("(c) shares of the total: " + ", ".join(
            f"{s} {shares.share(s):.1%}" for s in (*scan_dataset.STATUSES, "remainder")))


if __name__ == "__main__":
    main()
