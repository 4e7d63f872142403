"""Benchmark the static snapshot (geo.pictures.static.figure): draw + save per view and format, against the previous renderer.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_snapshot.py [--repeat N] [--old REV]``

Prints ``name: value unit`` lines, no assertions. Times are the median of ``--repeat`` runs
(wall clock, and the process's CPU time, steadier on a shared machine) after one warm-up run (imports, font registration and font caches are not counted). The
reference is ``geo/static_map.py`` as it was at ``--old`` (git), loaded from a temporary
file with the same inputs; it is skipped when git or that revision is not at hand.
Also writes the PNGs of the three reference views (and the old renderer's) to
``artifacts/snapshots/`` for a person to look at.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geo.datasets import folders
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names import places
from geo.official import areas as areas_mod
from geo.pictures import captions
from geo.pictures.classes import classify
from geo.pictures.static import figure as static_map
from geo.pictures.static import image_files

OLD_REVISION = "0f8ef24"  # the quick port of the first drawing, before the redesign
# The reference's imports, where those names live since geo became a package of packages.
OLD_IMPORTS = {
    "from geo.captions import": "from geo.pictures.captions import",
    "from geo.classes import CONTEXT_EDGE, DATA_EDGE, NO_DATA_COLOR, NO_DATA_LABEL, SELECTED_EDGE, Classes": (
        "from geo.pictures.classes import NO_DATA_LABEL, Classes\n"
        "from geo.pictures.palettes import CONTEXT_EDGE, DATA_EDGE, NO_DATA_COLOR, SELECTED_EDGE"
    ),
    "from geo.vocabulary import": "from geo.figures.vocabulary import",
}
VIEWS = {
    "default": {},
    "manchester": {"places": ("Manchester",), "metric": "per_1k"},
    "region": {"level": "region", "metric": "per_1k"},
    "lad": {"level": "lad", "metric": "per_1k"},
}
WIDTH_PX = 1800


CPU_TIMES: list[float] = []  # the CPU seconds of the last timed() call (the machine is shared: wall time wobbles)


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall seconds of ``repeat`` calls after a warm-up call, and the last result."""
    result = func()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_TIMES[:] = [statistics.median(cpu)]
    return statistics.median(times), result


def old_renderer(revision: str) -> ModuleType | None:
    """``geo/static_map.py`` at ``revision``, imported under another name; None without git."""
    try:
        source = subprocess.run(
            ["git", "show", f"{revision}:geo/static_map.py"], cwd=REPO, capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for before, after in OLD_IMPORTS.items():  # its flat geo modules now sit in the layer packages
        source = source.replace(before, after)
    path = Path(tempfile.mkdtemp()) / "old_static_map.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_static_map", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--old", default=OLD_REVISION, help="git revision of the reference renderer")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # mapclassify's "Numba not installed"

    areas = areas_mod.load_areas()
    resolver = places.build_resolver(areas)
    dataset = folders.load("top10vpn-2021")
    old = old_renderer(args.old)
    out = REPO / "artifacts" / "snapshots"
    out.mkdir(parents=True, exist_ok=True)
    for name, choice in VIEWS.items():
        view = build_view(dataset, resolver, areas, Selection(dataset=dataset.id, **choice))
        metric, shapes = view.selection.metric, view.shapes
        classes = classify(shapes.loc[shapes["has_data"].astype(bool), metric], "quantiles", 5)
        focus = view.focus_rows if view.selection.places else None
        caption = captions.caption(view.table, shapes, dataset, metric, classes, focus)
        context = areas if view.table.level == "place" else None
        # (draws the page, saves it): the old renderer did both in one module
        renderers = {"new": (static_map.figure, image_files.save)} | (
            {"old": (old.figure, old.save)} if old is not None else {}
        )
        seconds: dict[str, float] = {}
        for label, (figure, save) in renderers.items():
            inputs = (shapes, metric, classes, caption, context, view.selected_units)

            def draw(figure: Callable = figure, inputs: tuple = inputs) -> object:
                shapes_, metric_, classes_, caption_, context_, selected_ = inputs
                return figure(shapes_, metric_, classes_, caption_, context=context_, selected=selected_)

            def render(fmt: str, save: Callable = save, draw: Callable = draw, caption: object = caption) -> bytes:
                return save(draw(), fmt, WIDTH_PX, alt=caption.alt, title=caption.title)

            seconds[label], data = timed(lambda: render("png"), args.repeat)
            print(f"{name}_{label}_png_{WIDTH_PX}px: {seconds[label]:.3f} s wall, {CPU_TIMES[0]:.3f} s cpu")
            print(f"{name}_{label}_png_bytes: {len(data)} bytes")
            draw_seconds, _ = timed(draw, args.repeat)
            print(f"{name}_{label}_figure_only: {draw_seconds:.3f} s wall, {CPU_TIMES[0]:.3f} s cpu")
            (out / f"{name}{'' if label == 'new' else '-old'}.png").write_bytes(data)
            if label == "new":
                for fmt in ("svg", "pdf"):
                    fmt_seconds, fmt_data = timed(lambda fmt=fmt: render(fmt), args.repeat)
                    print(
                        f"{name}_{label}_{fmt}: {fmt_seconds:.3f} s wall, {CPU_TIMES[0]:.3f} s cpu, {len(fmt_data)} bytes"
                    )
        if "old" in seconds:
            print(f"{name}_ratio_new_over_old: {seconds['new'] / seconds['old']:.2f} x")
    print(f"wrote: {out.relative_to(REPO)}/*.png")


if __name__ == "__main__":
    main()
