"""Sizes of the map's browser assets: what is cached, served and inlined into an HTML export.

Run: ``.venv/bin/python bench/bench_assets.py`` after ``python -m geo fetch`` (or ``make run``).

Prints ``name: value unit`` lines, no assertions: bytes of each cached file, of what the
browser loads from the dashboard's own server, and of the ``<style>``/``<script>`` block an
HTML export gains by inlining them (against folium's CDN ``<link>``/``<script src>`` lines).
"""

from __future__ import annotations

import sys

import folium

from geo.official import assets


def main() -> int:
    problem = assets.missing_message()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    folder = assets.package_dir()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in files:
        print(f"cached {path.relative_to(folder)}: {path.stat().st_size} bytes")
    tarball = folder.parent / assets.LEAFLET.tarball
    print(f"npm tarball {tarball.name}: {tarball.stat().st_size} bytes (kept as the offline copy)")
    loaded = (folder / "leaflet.js").stat().st_size + (folder / "leaflet.css").stat().st_size
    print(f"served to a dashboard page (leaflet.js + leaflet.css): {loaded} bytes")

    inline = assets.inline_html().encode("utf-8")
    scripts, styles = assets.inline_texts()
    print(f"inlined script: {sum(len(t.encode()) for t in scripts)} bytes")
    print(f"inlined stylesheet (3 images as data: URIs): {sum(len(t.encode()) for t in styles)} bytes")
    print(f"inline block in an HTML export: {len(inline)} bytes")

    m = folium.Map(tiles=None)
    default_head = m.get_root().render()
    m = folium.Map(tiles=None)
    m.default_js, m.default_css = [], []
    bare = m.get_root().render()
    print(f"folium's 10 CDN link lines in an HTML export: {len(default_head.encode()) - len(bare.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
