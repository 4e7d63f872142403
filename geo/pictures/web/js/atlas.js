// The atlas's one namespace in the map's page (window.CameraAtlas) and the geometry decoder.
// Data reaches these functions only as JSON arguments (geo.pictures.web.elements, |data);
// no text of a dataset or a user is ever part of this code.
(function (L) {
    "use strict";
    var atlas = window.CameraAtlas = window.CameraAtlas || {};
    // URL-safe base64 alphabet: no "{", "\\" or "|" (geo.pictures.web.polyline.ALPHABET).
    var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    var FACTOR = 10000;  // geo.pictures.web.polyline.PRECISION = 4

    // One ring of a polyline string (x first), as [[x, y], ...] in degrees.
    atlas.decodeRing = function (text) {
        var points = [], x = 0, y = 0, i = 0, axis = 0;
        while (i < text.length) {
            var value = 0, shift = 0, chunk;
            do {
                chunk = ALPHABET.indexOf(text.charAt(i++));
                value |= (chunk & 0x1f) << shift;
                shift += 5;
            } while (chunk >= 0x20);
            var delta = (value & 1) ? ~(value >> 1) : (value >> 1);
            if (axis === 0) { x += delta; axis = 1; } else { y += delta; axis = 0; points.push([x / FACTOR, y / FACTOR]); }
        }
        return points;
    };

    // Restores `feature.geometry` from the encoded rings `feature.g` of every feature.
    atlas.decodeFeatures = function (data) {
        (data.features || []).forEach(function (feature) {
            if (feature.g && !feature.geometry) {
                feature.geometry = {type: "MultiPolygon", coordinates: feature.g.map(function (rings) { return rings.map(atlas.decodeRing); })};
                delete feature.g;
            }
        });
        return data;
    };

    // Every L.GeoJSON layer decodes what it is given (once per page).
    if (!L.GeoJSON.prototype.cameraAtlasDecodes) {
        var addData = L.GeoJSON.prototype.addData;
        L.GeoJSON.prototype.addData = function (data) { return addData.call(this, atlas.decodeFeatures(data)); };
        L.GeoJSON.prototype.cameraAtlasDecodes = true;
    }
})(window.L);
