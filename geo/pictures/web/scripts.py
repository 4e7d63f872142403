"""The map's own JavaScript (``geo/pictures/web/js/*.js``, package data): served beside Leaflet or inlined.

The scripts define one namespace in the map's page, ``window.CameraAtlas`` (the geometry
decoder, the boxes, tooltip and view of :mod:`geo.pictures.web.controls`, the layers of
:mod:`geo.pictures.web.layers` and :mod:`geo.pictures.web.circle_markers`); the elements'
templates only call it with ``|data`` JSON arguments (:mod:`geo.pictures.web.elements`).

- :func:`publish` writes them, joined in load order into one file (:data:`BUNDLE`: the map's
  iframe loads its scripts one after another, so each file is a round trip before the map
  draws), into a Streamlit ``static/`` folder, in a folder named by their content (a new version
  is a new URL, never a stale cached copy), and returns its URL on the app's own server, as
  :func:`geo.official.assets.publish` does for Leaflet;
- :func:`inline_html` gives them as ``<script>`` elements for a self-contained HTML export.
"""

from __future__ import annotations

import functools
import hashlib
import os
import uuid
from importlib import resources
from pathlib import Path

from geo.core.errors import SourceError
from geo.official import assets

# In load order: atlas.js makes the namespace the others fill.
FILES = ("atlas.js", "controls.js", "layers.js", "units.js")
NAMESPACE = "CameraAtlas"
BUNDLE = "camera-atlas.js"  # the served file: every script of FILES, in order


@functools.cache
def texts() -> tuple[str, ...]:
    """The scripts' texts, in load order."""
    folder = resources.files("geo.pictures.web") / "js"
    return tuple((folder / name).read_text(encoding="utf-8") for name in FILES)


def folder() -> str:
    """The folder under ``static/`` that holds this version of the scripts: ``camera-atlas-<digest>``."""
    digest = hashlib.sha256("\0".join(texts()).encode("utf-8")).hexdigest()[:12]
    return f"camera-atlas-{digest}"


def bundle() -> str:
    """The served file's text: each script of :data:`FILES` in load order, headed by its name."""
    return "".join(f"// ---- {name} ----\n{text.rstrip()}\n" for name, text in zip(FILES, texts()))


def served_urls(url_base: str = assets.URL_BASE) -> list[str]:
    """The scripts' URL under ``url_base`` (one file, :data:`BUNDLE`), where :func:`publish` puts it."""
    base = url_base.rstrip("/")
    return [f"{base}/{folder()}/{BUNDLE}"]


def publish(static_dir: str | os.PathLike[str], url_base: str = assets.URL_BASE) -> list[str]:
    """Write the scripts' file into ``static_dir`` (when not there yet) and return its URL (:func:`served_urls`)."""
    _publish(str(Path(static_dir).resolve()), folder())
    return served_urls(url_base)


@functools.lru_cache(maxsize=8)
def _publish(static_dir: str, name: str) -> None:
    out = Path(static_dir) / name / BUNDLE
    text = bundle()
    if out.is_file() and out.read_text(encoding="utf-8") == text:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)  # atomic: sessions publishing at once write the same bytes


def inline_html() -> str:
    """``<script>`` elements holding the scripts, for a self-contained page (after Leaflet's)."""
    parts = []
    for name, text in zip(FILES, texts()):
        if "</script" in text.lower():  # would end the element early
            raise SourceError(f"{name} contains </script>: it cannot go into an HTML export as it is")
        parts.append(f"<script>\n{text}\n</script>")
    return "\n".join(parts)
