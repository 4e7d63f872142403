"""What the upload bounds save: the cost of the heaviest tables and choices files a visitor can
upload, from the upload to two views of the map table, in CPU-seconds.

* 10,000 distinct 200-character nonsense place names (the attack: 45 CPU-s of fuzzy matching
  and 12–13 s per view change). Names longer than ``geo.core.text.MAX_PLACE_NAME`` are now refused
  at table read, so this stops at the first such line.
* 10,000 distinct 100-character names: the worst table still accepted.
* 600,000 place choices in a saved zip's ``place_choices`` (the attack: ~11 CPU-s on every view),
  and a choices CSV of 200,000 rows (the table row limit, which was all that bounded it).
  Both are now refused above ``geo.datasets.limits.MAX_CHOICES`` (10,000), the worst still accepted.

Run it on the code before a change and after (``git worktree add /tmp/old <commit>``, then
``python /tmp/old/bench/bench_upload_bounds.py``: it imports ``geo`` from its own checkout).
Needs prepared areas (as the tests: ``CAMERA_ATLAS_DATA_DIR`` with the cache, or ``make data``).
"""

from __future__ import annotations

import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def nonsense(count: int, length: int, rng: random.Random) -> list[str]:
    """Distinct made-up names of ``length`` letters and spaces: none is a UK place."""
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(string.ascii_lowercase + "  ") for _ in range(length)).strip().title()[:length])
    return sorted(out)


def cpu(label: str, func: Callable[[], object]) -> object:
    """Run ``func`` once; print its CPU and wall seconds (or the one-line refusal it raised)."""
    from geo.core.errors import AtlasError

    wall, start = time.perf_counter(), time.process_time()
    try:
        result = func()
    except AtlasError as err:
        result, outcome = None, f"refused: {str(err)[:110]}"
    else:
        outcome = "accepted"
    print(
        f"  {label:<44} {time.process_time() - start:7.2f} CPU-s {time.perf_counter() - wall:7.2f} s wall  {outcome}",
        flush=True,
    )
    return result


def table_upload(names: list[str], label: str, areas, resolver) -> None:
    from geo.datasets import dataset as datasets
    from geo.figures import metrics

    rows = "".join(f"{name},{i % 500}\n" for i, name in enumerate(names))
    data = f"place,networks\n{rows}".encode()
    print(f"{label} ({len(data) / 1024:,.0f} KB):")
    dataset = cpu("read the upload (from_upload)", lambda: datasets.from_upload(data, "names.csv"))
    if dataset is None:
        return
    cpu("first view (build_table, place level)", lambda: metrics.build_table(dataset, resolver, areas))
    cpu(
        "view change (build_table, region level)", lambda: metrics.build_table(dataset, resolver, areas, level="region")
    )


def choices_upload(count: int, areas, resolver) -> None:
    from geo.datasets import dataset as datasets
    from geo.figures import metrics
    from geo.names import places

    targets = sorted(areas["code"])  # GSS codes: every one resolves
    rows = "".join(f"name {i},{targets[i % len(targets)]}\n" for i in range(count))
    data = f"alias,target\n{rows}".encode()
    print(f"choices file of {count:,} entries ({len(data) / 1024:,.0f} KB):")
    choices = cpu("read the file (read_choices)", lambda: datasets.read_choices(data, "choices.csv"))
    if choices is None:
        return
    cpu("check the choices (places.with_choices)", lambda: places.with_choices(resolver, choices))
    base = datasets.from_upload(b"place,networks\nLeeds,5\nYork,3\n", "t.csv")
    dataset = cpu("add them to a dataset (with_choices)", lambda: datasets.with_choices(base, choices))
    if dataset is not None:
        cpu("every view (build_table)", lambda: metrics.build_table(dataset, resolver, areas))


def zip_choices(count: int, areas, resolver) -> None:
    import io
    import json
    import zipfile

    from geo.datasets import folders
    from geo.figures import metrics

    targets = sorted(areas["code"])  # GSS codes: every one resolves
    package = {
        "resources": [{"path": "observations.csv"}],
        "place_choices": [[f"name {i}", targets[i % len(targets)]] for i in range(count)],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("observations.csv", "place,networks\nLeeds,5\nYork,3\n")
        archive.writestr("datapackage.json", json.dumps(package))
    data = buffer.getvalue()
    print(f"saved zip with {count:,} place choices ({len(data) / 1024:,.0f} KB):")
    dataset = cpu("open the zip (from_zip)", lambda: folders.from_zip(data, "saved.zip"))
    if dataset is not None:
        cpu("every view (build_table)", lambda: metrics.build_table(dataset, resolver, areas))


def main() -> int:
    from geo.names import places
    from geo.official import areas as area_data

    frame = area_data.load_areas()
    rng = random.Random(14)
    table_upload(nonsense(10_000, 200, rng), "10,000 distinct 200-character names", frame, places.build_resolver(frame))
    table_upload(nonsense(10_000, 100, rng), "10,000 distinct 100-character names", frame, places.build_resolver(frame))
    zip_choices(600_000, frame, places.build_resolver(frame))
    zip_choices(10_000, frame, places.build_resolver(frame))
    choices_upload(200_000, frame, places.build_resolver(frame))
    choices_upload(10_000, frame, places.build_resolver(frame))
    return 0


if __name__ == "__main__":
    sys.exit(main())
