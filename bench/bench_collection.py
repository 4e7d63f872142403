"""How long listing a collection of dated counts takes: what the sidebar does on every rerun.

Forty monthly scan folders (written as ``scan shodan --into`` writes them, from the test
fixture's months with their start times moved month by month) sit in one collection beside
the shipped dataset. Timed, median of 50 warm calls:

- ``listing_cold``: the first :func:`geo.datasets.collection.listing` (reads each ``datapackage.json``, never the
  observations); ``listing``: later calls (each folder remembered by its file's size and time: a ``stat``);
- ``sidebar_run``: what one sidebar run asks of the folders: the listing, ``former_ids()`` (URL
  seeding) and ``current_id()`` (loading the chosen dataset);
- ``load_all_40`` (for scale): loading every folder whole, as the sidebar did before to title each option.

Needs prepared areas (the resolver names the fixture's cities):

    CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_collection.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

FOLDERS = 40


def main() -> int:
    import monthly_scans
    from timing import show, timed

    from geo.datasets import collection
    from geo.datasets import folders as dataset_folders
    from geo.names import places
    from geo.official import areas
    from geo.scan import as_dataset
    from geo.scan import summary as scan_summary

    resolver = places.build_resolver(areas.load_areas())
    months = list(monthly_scans.STARTS)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "scans"
        root.mkdir()
        for n in range(FOLDERS):
            result = monthly_scans.scan_result(months[n % len(months)])
            start = result.started_at + timedelta(days=31 * (n // len(months)) * len(months))
            result = replace(result, started_at=start, finished_at=start + timedelta(seconds=3))
            as_dataset.write_into(scan_summary.summarise(result, resolver), root)
        roots = [dataset_folders.DATASETS_DIR, root]
        start = time.perf_counter()
        collection.listing(roots)
        show(f"listing_{FOLDERS}_folders_cold", (time.perf_counter() - start) * 1000, "ms")
        seconds, found = timed(lambda: collection.listing(roots), repeat=50)
        assert len(found.ids) == FOLDERS + 1 and not found.skipped  # type: ignore[attr-defined]
        show(f"listing_{FOLDERS}_folders", seconds * 1000, "ms")

        def sidebar_run() -> None:
            collection.listing()
            dataset_folders.former_ids()
            dataset_folders.current_id(found.ids[0])  # type: ignore[attr-defined]

        os.environ[dataset_folders.DATASETS_ENV] = str(root)
        seconds, _ = timed(sidebar_run, repeat=50)
        show(f"sidebar_run_{FOLDERS}_folders", seconds * 1000, "ms")
        seconds, _ = timed(lambda: [dataset_folders.load_folder(p) for p in sorted(root.iterdir())], repeat=5)
        show(f"load_all_{FOLDERS}_folders_whole", seconds * 1000, "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
