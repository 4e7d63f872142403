"""Shodan import under a gzip bomb: peak memory and time, before (a base commit) and after.

Builds, in a temporary folder, a gzip file of one camera banner repeated until it inflates to
``--inflated-mib`` MiB (default 4608, i.e. 4.5 GiB, ~20 MB of gzip). Each measurement runs in
a child process that loads the areas and resolver, then imports the bomb once, or twice at
the same time in two threads (two sessions of one server), and reports its own peak RSS
(``ru_maxrss``) and the wall seconds of the import(s):

  before   ``geo/shodan.py`` as of ``--base`` (default ebc20d2), via ``git show``, imported
           from the temporary folder (it uses this checkout's ``geo.names.places`` and ``geo.core.errors``)
  after    this checkout's ``geo.shodan.importer``, with the default inflated limit (the bomb is refused)
  after, limit raised   the same with CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB above the bomb's size,
           so the whole bomb is read and counted

The "before" runs hold the whole inflated stream in memory (about 5.6 GB for the default bomb,
twice that for two at once); they are skipped when the machine has less memory available than
that needs (see ``--min-free-gib``). Prints ``name: value unit`` lines and one ``#`` line per run
with its outcome; no assertions. Nothing is written into the repository.

    .venv/bin/python bench/bench_shodan_bombs.py [--inflated-mib 4608] [--base ebc20d2] [--skip-before]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

BANNER = {
    "_shodan": {"module": "http", "id": "x", "crawler": "y", "options": {}},
    "hash": 1,
    "os": None,
    "opts": {},
    "port": 80,
    "transport": "tcp",
    "timestamp": "2025-03-01T00:00:00",
    "isp": "British Telecommunications PLC",
    "org": "BT",
    "asn": "AS2856",
    "hostnames": [],
    "domains": [],
    "ip_str": "81.2.3.4",
    "product": "Hikvision IP Camera",
    "data": "HTTP/1.1 200 OK\r\nServer: webserver\r\nContent-Type: text/html\r\n\r\n",
    "location": {"city": "Manchester", "country_code": "GB", "latitude": 53.48, "longitude": -2.24},
}

# The base's imports, where those names live since geo became a package of packages.
OLD_IMPORTS = {
    "from geo import places\n": "from geo.names import places\n",
    "from geo.errors import": "from geo.core.errors import",
    "from geo.exports import": "from geo.datasets.exports import",
}

# Runs in the child: argv = module folder, module name, bomb path, concurrent imports.
CHILD = r"""
import json, os, resource, sys, threading, time, importlib
sys.path[:0] = [sys.argv[1], os.environ["BENCH_REPO_ROOT"]]
from geo.official import areas
from geo.names import places
shodan = importlib.import_module(sys.argv[2])
frame = areas.load_areas()
resolver = places.build_resolver(frame)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcomes = [None] * int(sys.argv[4])

def one(i):
    try:
        outcomes[i] = "ok: " + shodan.ingest(sys.argv[3], frame, resolver).summary()
    except BaseException as exc:
        outcomes[i] = f"{type(exc).__name__}: " + " ".join(str(exc).split())[:200]

start = time.perf_counter()
threads = [threading.Thread(target=one, args=(i,)) for i in range(len(outcomes))]
for t in threads: t.start()
for t in threads: t.join()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "base_mb": base / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "outcomes": outcomes}))
"""


def make_bomb(path: Path, inflated_mib: int) -> int:
    """One banner repeated, gzip: returns the inflated size in bytes."""
    line = (json.dumps(BANNER) + "\n").encode()
    block = line * max(1, (1 << 20) // len(line))
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    total = 0
    with open(path, "wb") as out:
        while total < inflated_mib << 20:
            out.write(packer.compress(block))
            total += len(block)
        out.write(packer.flush())
    return total


def available_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / (1024 * 1024)
    except OSError:
        pass
    return 0.0


def measure(label: str, folder: Path, module: str, bomb: Path, imports: int, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), module, str(bomb), str(imports)],
        capture_output=True,
        text=True,
        env={**env, "BENCH_REPO_ROOT": str(REPO_ROOT)},
        cwd=folder,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        tail = " ".join(done.stderr.strip().splitlines()[-1:]) or f"exit {done.returncode}"
        print(f"# {label}: the child failed ({tail[:300]})", flush=True)
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{label} peak RSS: {result['peak_mb']:,.0f} MB (after loading areas: {result['base_mb']:,.0f} MB)")
    print(f"{label} wall time: {result['seconds']:,.1f} s")
    for i, outcome in enumerate(result["outcomes"], 1):
        print(f"# {label}, import {i}: {outcome}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inflated-mib", type=int, default=4608)
    parser.add_argument("--base", default="ebc20d2", help="commit whose geo/shodan.py is 'before'")
    parser.add_argument("--skip-before", action="store_true")
    parser.add_argument("--min-free-gib", type=float, default=1.5, help="headroom beyond what a 'before' run holds")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if not env.get("CAMERA_ATLAS_GEO_MIRROR") and (REPO_ROOT.parent / "shared" / "geo").is_dir():
        env["CAMERA_ATLAS_GEO_MIRROR"] = str(REPO_ROOT.parent / "shared" / "geo")
    env.pop("CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB", None)

    with tempfile.TemporaryDirectory(prefix="atlas-bench-bombs-") as tmp:
        folder = Path(tmp)
        bomb = folder / "bomb.json.gz"
        start = time.perf_counter()
        inflated = make_bomb(bomb, args.inflated_mib)
        print(
            f"# bench_shodan_bombs: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}, {available_gib():.1f} GiB available"
        )
        print(f"bomb size (gzip): {bomb.stat().st_size / 1e6:,.1f} MB")
        print(f"bomb size (inflated): {inflated / 2**30:,.2f} GiB")
        print(f"build the bomb: {time.perf_counter() - start:,.1f} s", flush=True)

        if not args.skip_before:
            old = subprocess.run(
                ["git", "show", f"{args.base}:geo/shodan.py"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
            ).stdout
            for before, after in OLD_IMPORTS.items():  # its flat geo modules now sit in the layer packages
                old = old.replace(before, after)
            (folder / "shodan_before.py").write_text(old, encoding="utf-8")
            need = inflated / 2**30 * 1.3 + args.min_free_gib
            for imports in (1, 2):
                label = f"before ({args.base}), {imports} import{'s at once' if imports > 1 else ''}"
                if available_gib() < need * imports:
                    print(
                        f"# {label}: skipped, {available_gib():.1f} GiB available, it needs about {need * imports:.1f}"
                    )
                    continue
                measure(label, folder, "shodan_before", bomb, imports, env)

        for imports in (1, 2):
            plural = "s at once" if imports > 1 else ""
            measure(f"after, {imports} import{plural}", folder, "geo.shodan.importer", bomb, imports, env)
            raised = {**env, "CAMERA_ATLAS_MAX_SHODAN_INFLATED_MB": str(args.inflated_mib + 1024)}
            measure(
                f"after, limit raised, {imports} import{plural}", folder, "geo.shodan.importer", bomb, imports, raised
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
