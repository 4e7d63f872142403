"""Run every ``bench_*.py`` in this folder in turn, each in its own interpreter.

Benchmarks only print figures; nothing asserts a time. The exit code is non-zero only when a
benchmark script itself fails (crashes), so CI can still tell a broken script from a slow one.

    .venv/bin/python bench/run_all.py            # all of them
    .venv/bin/python bench/run_all.py core       # only bench_core.py (names containing "core")
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(word in s.stem for word in argv)]
    if not scripts:
        print(f"no bench_*.py scripts in {HERE} match {argv or 'anything'}", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: exit {done.returncode}, {time.perf_counter() - start:.1f} s wall\n", flush=True)
        if done.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
