// The map's layers: polygons of encoded geometry, and circle markers (counts, towns' dots).
(function (L, atlas) {
    "use strict";

    // Polygons of a FeatureCollection; feature.k indexes options.styles (one style per distinct style).
    atlas.shapes = function (parent, options, data) {
        var styles = options.styles, highlight = options.highlight;
        var layer = L.geoJson(null, {
            interactive: options.interactive,
            style: function (feature) { return styles[feature.k || 0]; },
            onEachFeature: function (feature, unit) {
                if (!highlight) { return; }
                unit.on("mouseover", function (event) { event.target.setStyle(highlight); });
                unit.on("mouseout", function (event) { layer.resetStyle(event.target); });
            }
        });
        layer.addData(data);
        return layer.addTo(parent);
    };

    // Circle markers of a FeatureCollection of points: feature.r the radius in px, feature.k the style
    // (0: plain, 1: a chosen unit, 2: a town's dot), feature.c a town dot's colour.
    atlas.circles = function (parent, options, data) {
        var styles = options.styles, highlight = options.highlight;
        var narrow = window.matchMedia && window.matchMedia(options.narrow).matches;
        var scale = narrow ? options.narrowScale : 1, least = options.least;
        // A town's dot has its class colour (feature.c); a count's circle the one circle colour.
        var own = function (feature) { return L.extend({}, styles[feature.k || 0], feature.c ? {fillColor: feature.c} : {}); };
        var layer = L.geoJson(null, {
            pointToLayer: function (feature, latlng) {
                var radius = Math.max(feature.r * scale, Math.min(feature.r, least));
                return L.circleMarker(latlng, L.extend({}, own(feature), {radius: radius}));
            },
            onEachFeature: function (feature, unit) {
                if (feature.k === 2) { return; }  // a town's dot: the area under it answers the pointer
                unit.on("mouseover", function (event) { event.target.setStyle(highlight); });
                unit.on("mouseout", function (event) { event.target.setStyle(own(feature)); });
            }
        });
        layer.addData(data);
        return layer.addTo(parent);
    };
})(window.L, window.CameraAtlas);
