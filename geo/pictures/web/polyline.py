"""Compact polygon geometry for the web map: rings as encoded polylines, decoded in the browser.

A GeoJSON coordinate pair such as ``[-1.2345,54.1234],`` costs about 18 bytes; the same
point as a quantised, delta- and zigzag-encoded polyline (Google's polyline algorithm, with
a template-safe alphabet) costs about 4. :func:`encode_geometries` turns (multi)polygons into nested lists of such
strings, and ``CameraAtlas.decodeFeatures`` (``js/atlas.js``, the same alphabet and precision)
restores standard GeoJSON geometries in the browser before Leaflet sees them.
"""

from __future__ import annotations

import functools

import numpy as np
import shapely

PRECISION = 4  # decimals kept: 1e-4 degrees, about 11 m, the grid of geo.official.areas.web_geometry
_FACTOR = 10**PRECISION
# Google's algorithm writes 6-bit chunks as chr(63 + chunk), which includes "{", "\\" and "|":
# those break out of folium's templates (its rendered scripts are parsed by Jinja again) and
# need escaping in JSON. The URL-safe base64 alphabet has none of them.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


_CODES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_MAX_CHUNKS = 8  # 5 bits each: enough for any delta of a coordinate in degrees x 10^4


def _encode_values(values: np.ndarray) -> str:
    """Zigzag, then 5-bit chunks lowest first with a continuation bit, for every value at once (numpy)."""
    zigzag = (values << 1) ^ (values >> 63)
    shifts = 5 * np.arange(_MAX_CHUNKS, dtype=np.int64)
    rest = zigzag[:, None] >> shifts  # (n, chunks)
    more = np.zeros_like(rest, dtype=bool)
    more[:, :-1] = rest[:, 1:] > 0
    keep = more.copy()
    keep[:, 0] = True
    keep[:, 1:] |= more[:, :-1]
    codes = (rest & 0x1F) | (more.astype(np.int64) << 5)
    return _CODES[codes[keep]].tobytes().decode("ascii")


def encode_ring(xy: np.ndarray) -> str:
    """One ring (n x 2 array of x, y) as a polyline string, x first."""
    quantised = np.round(np.asarray(xy, dtype=float) * _FACTOR).astype(np.int64)
    deltas = np.diff(quantised, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return _encode_values(deltas.ravel())


def encode_geometries(geometries: np.ndarray) -> list[list[list[str]]]:
    """Polygons or multipolygons as ``[[exterior, hole, …], …]`` polyline strings each (empty for none).

    Encodings are remembered by each geometry's WKB (bounded): a filter change redraws the
    same shapes, so they are snapped and encoded once, not on every rerun of every session.
    """
    return [[list(rings) for rings in _encoded(wkb)] if wkb is not None else [] for wkb in shapely.to_wkb(geometries)]


@functools.lru_cache(maxsize=4096)
def _encoded(wkb: bytes) -> tuple[tuple[str, ...], ...]:
    geometry = shapely.set_precision(shapely.from_wkb(wkb), 10.0**-PRECISION)  # the grid the encoding keeps
    polygons: list[tuple[str, ...]] = []
    for part in shapely.get_parts(shapely.get_parts(geometry)):
        if part.geom_type == "Polygon" and not part.is_empty:
            polygons.append(tuple(encode_ring(shapely.get_coordinates(r)) for r in (part.exterior, *part.interiors)))
    return tuple(polygons)
