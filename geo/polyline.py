"""Compact polygon geometry for the web map: rings as encoded polylines, decoded in the browser.

A GeoJSON coordinate pair such as ``[-1.2345,54.1234],`` costs about 18 bytes; the same
point as a quantised, delta- and zigzag-encoded polyline (Google's polyline algorithm, with
a template-safe alphabet) costs about 4. :func:`encode_geometry` turns a (multi)polygon into nested lists of such
strings, and :data:`DECODER_JS` defines ``atlasDecodeFeatures`` which restores standard
GeoJSON geometries in the browser before Leaflet sees them.
"""

from __future__ import annotations

import numpy as np
import shapely

PRECISION = 4  # decimals kept: 1e-4 degrees, about 11 m, the grid of geo.areas.web_geometry
_FACTOR = 10**PRECISION
# Google's algorithm writes 6-bit chunks as chr(63 + chunk), which includes "{", "\\" and "|":
# those break out of folium's templates (its rendered scripts are parsed by Jinja again) and
# need escaping in JSON. The URL-safe base64 alphabet has none of them.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _encode_values(values: np.ndarray) -> str:
    out: list[str] = []
    for value in values.tolist():
        value = ~(value << 1) if value < 0 else value << 1
        while value >= 0x20:
            out.append(ALPHABET[0x20 | (value & 0x1F)])
            value >>= 5
        out.append(ALPHABET[value])
    return "".join(out)


def encode_ring(xy: np.ndarray) -> str:
    """One ring (n x 2 array of x, y) as a polyline string, x first."""
    quantised = np.round(np.asarray(xy, dtype=float) * _FACTOR).astype(np.int64)
    deltas = np.diff(quantised, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return _encode_values(deltas.ravel())


def encode_geometry(geometry: shapely.Geometry | None) -> list[list[str]]:
    """A polygon or multipolygon as ``[[exterior, hole, …], …]`` polyline strings (empty when none)."""
    if geometry is None or geometry.is_empty:
        return []
    polygons = []
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
            polygons.append([encode_ring(shapely.get_coordinates(r)) for r in rings])
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            polygons.extend(encode_geometry(part))
    return polygons


# Restores `feature.geometry` from `feature.g` for every feature added to an L.GeoJSON layer.
DECODER_JS = """
var atlasAlphabet = "%(alphabet)s";
function atlasDecodeRing(text) {
    var points = [], x = 0, y = 0, i = 0, axis = 0;
    while (i < text.length) {
        var value = 0, shift = 0, chunk;
        do {
            chunk = atlasAlphabet.indexOf(text.charAt(i++));
            value |= (chunk & 0x1f) << shift;
            shift += 5;
        } while (chunk >= 0x20);
        var delta = (value & 1) ? ~(value >> 1) : (value >> 1);
        if (axis === 0) { x += delta; axis = 1; } else { y += delta; axis = 0; points.push([x / %(factor)d, y / %(factor)d]); }
    }
    return points;
}
function atlasDecodeFeatures(data) {
    (data.features || []).forEach(function (feature) {
        if (feature.g && !feature.geometry) {
            feature.geometry = {type: "MultiPolygon", coordinates: feature.g.map(function (rings) { return rings.map(atlasDecodeRing); })};
            delete feature.g;
        }
    });
    return data;
}
if (!L.GeoJSON.prototype.atlasDecodes) {
    var atlasAddData = L.GeoJSON.prototype.addData;
    L.GeoJSON.prototype.addData = function (data) { return atlasAddData.call(this, atlasDecodeFeatures(data)); };
    L.GeoJSON.prototype.atlasDecodes = true;
}
""" % {"factor": _FACTOR, "alphabet": ALPHABET}
