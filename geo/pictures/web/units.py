"""Geometry once, figures per selection: a level's units drawn by the map's base, repainted by each data layer.

A map's units (encoded rings, :mod:`geo.pictures.web.polyline`; code; name; the point a circle
sits on) are a :class:`UnitGeometry`, built once per frame of shapes (remembered by content)
and named by a digest of what it holds. The base map draws them (:class:`Units`): in the
dashboard from a file published beside the map's scripts (:func:`publish`,
``static/camera-atlas-units/<key>.js``: fetched once by the browser, never again over the
websocket), in an HTML export inline. A data layer then sends only figures by position
(:class:`UnitFigures`: a style and the tooltip pieces per unit; :class:`UnitCircles`: radii at
the units' points), so a change of metric, vendor, classes, style or places costs a few
kilobytes, and the map stays mounted with the reader's view.

The unit data reach the page only as JSON (:func:`geo.pictures.web.elements.template_json`):
in a template through ``|data``, in a units file as the one argument of a constant call.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.pictures.circles import visual_centre
from geo.pictures.web.circle_markers import Circles
from geo.pictures.web.elements import AtlasElement, template, template_json
from geo.pictures.web.layers import Shapes
from geo.pictures.web.polyline import encode_geometries

FOLDER = "camera-atlas-units"  # under static/, beside Leaflet and the map's scripts
# Shared by every session, so bounded: the files used least recently go first. A unit set is a
# level of the shipped data or a dataset someone opened at place level (at most ~1 MB each).
MAX_FILES = 64
HIGHLIGHT = {"weight": 2.5, "color": "#000000", "fillOpacity": 0.95}


@dataclass(frozen=True)
class UnitGeometry:
    """A frame's units for the browser: ``features`` as ``{c: code, n: name (escaped), g: rings, p: [x, y]}``.

    ``key`` is a digest of the features (the same shapes always give the same key, so the
    base map, and the browser's copy, stay the same while only figures change).
    """

    key: str
    features: tuple[dict, ...]
    index: dict[str, int] = field(repr=False)

    def payload(self) -> dict:
        return {"features": list(self.features)}

    def centres(self, codes: Sequence[object]) -> np.ndarray:
        """Each code's circle point (the visual centre found once, with the units) as ``(x, y)`` rows; NaN
        for a code it lacks."""
        out = np.full((len(codes), 2), np.nan)
        for row, code in enumerate(codes):
            at = self.index.get(str(code))
            point = self.features[at]["p"] if at is not None else None
            if point is not None:
                out[row] = point
        return out

    def script(self) -> str:
        """The units file: one call of ``CameraAtlas.addUnits`` with the units as JSON."""
        return f"CameraAtlas.addUnits({template_json(self.key)}, {template_json(self.payload())});\n"


def unit_features(frame: gpd.GeoDataFrame) -> list[dict]:
    """Each row of ``frame`` (WGS84, with code and name) that has geometry, as a unit of :class:`UnitGeometry`."""
    encoded = encode_geometries(np.asarray(frame.geometry.values))
    features = []
    for code, name, geometry, rings in zip(frame["code"], frame["name"], frame.geometry.to_numpy(), encoded):
        if not rings:
            continue
        x, y = visual_centre(geometry)
        point = [round(float(x), 5), round(float(y), 5)] if np.isfinite(x) and np.isfinite(y) else None
        features.append({"c": str(code), "n": html.escape(str(name), quote=True), "g": rings, "p": point})
    return features


def unit_geometry(frame: gpd.GeoDataFrame) -> UnitGeometry:
    """The units of ``frame`` (WGS84, one row per unit), built once per distinct content."""
    wkb = shapely.to_wkb(np.asarray(frame.geometry.values))
    digest = hashlib.sha256()
    for code, name, blob in zip(frame["code"], frame["name"], wkb):
        digest.update(f"{code}\0{name}\0".encode())
        digest.update(blob if blob is not None else b"-")
    return _geometry(digest.hexdigest(), frame)


_GEOMETRIES: dict[str, UnitGeometry] = {}
_KEEP = 16  # distinct unit sets remembered (levels times datasets seen lately)
_LOCK = threading.Lock()  # every session's script thread builds maps


def _geometry(content: str, frame: gpd.GeoDataFrame) -> UnitGeometry:
    with _LOCK:
        found = _GEOMETRIES.get(content)
    if found is None:
        features = unit_features(frame)
        key = hashlib.sha256(template_json(features).encode("utf-8")).hexdigest()[:20]
        found = UnitGeometry(key, tuple(features), {f["c"]: i for i, f in enumerate(features)})
        with _LOCK:
            if len(_GEOMETRIES) >= _KEEP:
                _GEOMETRIES.pop(next(iter(_GEOMETRIES)))
            _GEOMETRIES[content] = found
    return found


def publish(geometry: UnitGeometry, static_dir: str | os.PathLike[str], url_base: str) -> str:
    """Write ``geometry``'s units file into ``static_dir`` (once) and return its URL under ``url_base``."""
    _publish(str(Path(static_dir).resolve()), geometry)
    return f"{url_base.rstrip('/')}/{FOLDER}/{geometry.key}.js"


@functools.lru_cache(maxsize=64)
def _publish_key(static_dir: str, key: str) -> Path:
    return Path(static_dir) / FOLDER / f"{key}.js"


def _publish(static_dir: str, geometry: UnitGeometry) -> None:
    out = _publish_key(static_dir, geometry.key)
    if out.is_file():
        try:
            os.utime(out)  # used now: the last to be pruned
            return
        except OSError:  # pruned by another session a moment ago: write it again
            pass
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(geometry.script(), encoding="utf-8")
    tmp.replace(out)  # atomic: sessions publishing at once write the same bytes
    prune(out.parent, keep=out)


def prune(folder: Path, keep: Path, limit: int = MAX_FILES) -> list[Path]:
    """Remove the least recently used units files past ``limit`` from ``folder`` (never ``keep``); the removed.

    A page that needs a removed file again publishes it again when its map is built.
    """
    files = []
    for path in folder.glob("*.js"):
        try:
            files.append((path.stat().st_mtime_ns, path))
        except OSError:  # removed meanwhile
            continue
    removed = []
    for _, path in sorted(files, reverse=True)[limit:]:
        if path != keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class Units(AtlasElement):
    """The base map's units (``CameraAtlas.units``), hidden until a data layer paints them.

    ``inline``: the units travel in the map's own script (a standalone file); otherwise the
    page has loaded their file (:func:`publish`) before the map's script runs.
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name()|name }} = CameraAtlas.units(
            {{ this._parent.get_name()|name }}, {{ this.key|data }}, {{ this.inline|data }});
        {% endmacro %}
        """
    )

    def __init__(self, geometry: UnitGeometry, inline: bool) -> None:
        super().__init__()
        self._name = "Units"
        self.key = geometry.key
        self.inline = geometry.payload() if inline else None


class UnitFigures(Shapes):
    """A data layer's figures for the base's units: ``CameraAtlas.paint``.

    Built like a :class:`geo.pictures.web.layers.Shapes` of the view's units (``data``: features
    with ``properties`` and encoded ``g``; ``styles``: one per feature; ``style_of`` answers as
    there), but it sends only each unit's style index (by its position in ``geometry``), its
    tooltip pieces as columns, the units the base lacks (``extra``, with their geometry), and
    which to draw on top (``front``: codes).
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name()|name }} = CameraAtlas.paint({{ this._parent.get_name()|name }},
            {{ this._parent._parent.get_name()|name }}, {{ this.payload|data }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict,
        styles: Sequence[dict],
        geometry: UnitGeometry,
        *,
        tooltip: dict,
        keys: Sequence[str],
        highlight: dict | None = None,
        front: Sequence[str] = (),
    ) -> None:
        super().__init__(data, styles, highlight=highlight)
        self._name = "UnitFigures"
        self.positions = positions(geometry, [f["properties"]["code"] for f in self.data["features"]])
        count = len(geometry.features) + sum(1 for p in self.positions if p >= len(geometry.features))
        k = [-1] * count
        # Columns aligned with the units: a figure's text, or 0 where the unit has none (0 is never a
        # text: 2 bytes instead of "null,"); statuses as an index into their few distinct texts.
        columns: dict[str, list] = {key: [0] * count for key in keys}
        texts: list[str] = []
        status = [0] * count
        no_data = [0] * count
        extra = []
        for feature, position in zip(self.data["features"], self.positions):
            props = feature["properties"]
            k[position] = feature["k"]
            for key in keys:
                if props.get(key) is not None:
                    columns[key][position] = props[key]
            if props.get("s"):
                if props["s"] not in texts:
                    texts.append(props["s"])
                status[position] = texts.index(props["s"]) + 1
            if props.get("nd"):
                no_data[position] = 1
            if position >= len(geometry.features):
                extra.append(
                    {
                        "type": "Feature",
                        "properties": {"code": props["code"], "name": props["name"]},
                        "geometry": None,
                        "g": feature["g"],
                    }
                )
        chosen = {str(c) for c in front}
        self.payload = {
            "styles": self.style_table,
            **sparse_figures(k, columns, status, no_data),
            "statusTexts": texts,
            **({"extra": {"type": "FeatureCollection", "features": extra}} if extra else {}),
            "front": [p for f, p in zip(self.data["features"], self.positions) if f["properties"]["code"] in chosen],
            "interactive": highlight is not None,
            "highlight": highlight,
            "tooltip": tooltip,
        }

    def unit(self, position: int) -> dict:
        """The unit at ``position`` as the browser reads it from the payload (:func:`unit_figures`)."""
        return unit_figures(self.payload, position)


def sparse_figures(k: list[int], columns: dict[str, list], status: list[int], no_data: list[int]) -> dict:
    """Each unit's style index, tooltip columns, status and no-data flag, as :class:`UnitFigures` sends them.

    A map of a few cities has figures for a few dozen of its hundreds of units; the rest are
    alike (no data, the same style). Those are sent once, as ``default``; the others by position
    (``rows``), with ``k``, ``columns``, ``status`` and ``noData`` aligned with ``rows``. When most
    units differ from the default, the lists are sent whole, aligned with the units (no ``rows``).
    """
    whole = {"k": k, "columns": columns, "status": status, "noData": no_data}
    carries = [any(column[i] for column in columns.values()) for i in range(len(k))]
    looks = list(zip(k, status, no_data))
    plain = [look for look, figures in zip(looks, carries) if not figures]
    if not plain:
        return whole
    common = max(set(plain), key=plain.count)
    rows = [i for i, (look, figures) in enumerate(zip(looks, carries)) if figures or look != common]
    if 2 * len(rows) > len(k):
        return whole
    return {
        "default": {"k": common[0], "status": common[1], "noData": common[2]},
        "rows": rows,
        "k": [k[i] for i in rows],
        "columns": {key: [column[i] for i in rows] for key, column in columns.items()},
        "status": [status[i] for i in rows],
        "noData": [no_data[i] for i in rows],
    }


def unit_figures(payload: dict, position: int) -> dict:
    """The unit at ``position`` of a :func:`sparse_figures` payload: ``k``, ``columns`` (key: text or 0),
    ``status`` and ``noData``, as ``CameraAtlas.paint`` (units.js) reads them."""
    rows = payload.get("rows")
    row = position if rows is None else (rows.index(position) if position in rows else -1)
    if row < 0:
        default = payload["default"]
        return {**default, "columns": {key: 0 for key in payload["columns"]}}
    return {
        "k": payload["k"][row],
        "columns": {key: column[row] for key, column in payload["columns"].items()},
        "status": payload["status"][row],
        "noData": payload["noData"][row],
    }


def positions(geometry: UnitGeometry, codes: Sequence[str]) -> list[int]:
    """Each code's position among the base's units; codes it lacks are numbered after them, in order."""
    out, extra = [], len(geometry.features)
    for code in codes:
        found = geometry.index.get(str(code))
        if found is None:
            found, extra = extra, extra + 1
        out.append(found)
    return out


class UnitCircles(Circles):
    """Circle markers at the painted units' points (``CameraAtlas.unitCircles``): built like a
    :class:`geo.pictures.web.circle_markers.Circles` (``data`` as there, ``style_of`` too), sent as
    each circle's unit position, radius, style and (a town's dot) colour, with a point only where
    it differs from the unit's own (a count from a town sits on the town)."""

    _template = template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name()|name }} = CameraAtlas.unitCircles({{ this._parent.get_name()|name }},
            {{ this._parent._parent.get_name()|name }}, {{ this.options|data }}, {{ this.compact|data }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, figures: UnitFigures, geometry: UnitGeometry, tooltip: dict | None) -> None:
        super().__init__(data)
        self._name = "UnitCircles"
        where = {f["properties"]["code"]: p for f, p in zip(figures.data["features"], figures.positions)}
        points = {f["c"]: f["p"] for f in geometry.features}
        self.options = {**self.options, "tooltip": tooltip}
        compact: dict[str, list] = {"i": [], "r": [], "k": [], "c": [], "at": []}
        for feature in self.data["features"]:
            code = feature["properties"].get("code") if feature["properties"] else None
            if code is None:  # a town's dot carries no properties: its unit comes with it
                code = feature.get("code")
            compact["i"].append(where.get(code, -1))
            compact["r"].append(feature["r"])
            compact["k"].append(feature["k"])
            compact["c"].append(feature.get("c"))
            at = feature["geometry"]["coordinates"]
            own = points.get(code)
            same = own is not None and abs(own[0] - at[0]) < 1e-4 and abs(own[1] - at[1]) < 1e-4
            compact["at"].append(None if same else at)
        if not any(compact["c"]):
            compact.pop("c")
        if not any(compact["at"]):
            compact.pop("at")
        self.compact = compact
