// Geometry once, figures per selection. A map's units (their encoded rings, codes and names) are
// drawn once by its base (CameraAtlas.units); each data layer only repaints them by position
// (CameraAtlas.paint: a style and tooltip figures per unit), draws its circles at the units'
// points, and leaves the reader's view alone unless it asks for another (CameraAtlas.frame).
(function (L, atlas) {
    "use strict";
    // Leaflet's own path defaults: each style is laid over them, so nothing of a unit's last style lingers.
    var DEFAULTS = {stroke: true, color: "#3388ff", weight: 3, opacity: 1, dashArray: null, fill: true, fillColor: null, fillOpacity: 0.2};
    var HIDDEN = L.extend({}, DEFAULTS, {stroke: false, fill: false});  // a unit the current layer does not show
    atlas.unitData = atlas.unitData || {};

    // Called by a units file (static/camera-atlas-units/<key>.js): the units' FeatureCollection.
    atlas.addUnits = function (key, data) { atlas.unitData[key] = data; };

    function setInteractive(unit, on) {
        unit.options.interactive = on;
        if (unit._path) { L.DomUtil[on ? "addClass" : "removeClass"](unit._path, "leaflet-interactive"); }
    }

    // The base's units layer: every unit drawn hidden until a layer paints it; one tooltip and
    // one highlight for all, reading what the current layer put in each unit's properties.
    atlas.units = function (map, key, data) {
        var source = data || atlas.unitData[key];
        if (!source) { throw new Error("CameraAtlas: the units " + key + " are not loaded"); }
        var state = map.cameraAtlas = map.cameraAtlas || {};
        var list = [];
        var layer = L.geoJson(null, {
            style: function () { return HIDDEN; },
            onEachFeature: function (feature, unit) {
                list.push(unit);
                unit.cameraAtlasStyle = HIDDEN;
                unit.on("mouseover", function () {
                    if (state.paint && state.paint.highlight && unit.options.interactive) { unit.setStyle(state.paint.highlight); }
                });
                unit.on("mouseout", function () { unit.setStyle(unit.cameraAtlasStyle); });
            }
        });
        layer.addData({type: "FeatureCollection", features: source.features.map(function (f) {
            return {type: "Feature", properties: {code: f.c, name: f.n}, geometry: null, g: f.g, p: f.p};
        })});
        layer.addTo(map);
        list.forEach(function (unit) { setInteractive(unit, false); });
        layer.bindTooltip(atlas.unitTip(state), {sticky: true, opacity: 0.95});
        state.units = list;
        state.unitsLayer = layer;
        return layer;
    };

    // The tooltip of a painted unit, as the current layer words it (a hidden unit never answers the pointer).
    atlas.unitTip = function (state) {
        return function (unit) {
            var tip = state.paint && state.paint.tooltip;
            return tip ? atlas.tooltipHtml(unit.feature.properties, tip.rows, tip.keys, tip.source) : "";
        };
    };

    // Where unit i's figures sit in the layer's lists: with options.rows (a few units differ from
    // options.default), the row that names it, or -1 for a default unit; without, i itself.
    function rowOf(options) {
        if (!options.rows) { return function (i) { return i; }; }
        var rows = {};
        options.rows.forEach(function (position, row) { rows[position] = row; });
        return function (i) { return Object.prototype.hasOwnProperty.call(rows, i) ? rows[i] : -1; };
    }

    // A unit's properties for the tooltip and the click: its code and name, and the layer's figures.
    function properties(feature, options, row) {
        var p = {code: feature.properties.code, name: feature.properties.name};
        var status = row < 0 ? options["default"].status : options.status[row];
        var noData = row < 0 ? options["default"].noData : options.noData[row];
        if (row >= 0) {
            Object.keys(options.columns).forEach(function (key) {
                var value = options.columns[key][row];
                if (typeof value === "string") { p[key] = value; }  // 0: the unit has no such figure
            });
        }
        if (status) { p.s = options.statusTexts[status - 1]; }
        if (noData) { p.nd = 1; }
        return p;
    }

    // Paints the map's units for one data layer (geo.pictures.web.units.sparse_figures): per unit,
    // k indexes options.styles (-1: not shown), columns[key] (0: none), status (an index into
    // options.statusTexts, 0: none) and noData give its tooltip;
    // options.extra holds units the base lacks (indexed after its own), drawn in `group`.
    atlas.paint = function (group, map, options) {
        var state = map.cameraAtlas;
        var units = state.units.slice();
        if (options.extra && options.extra.features.length) {
            L.geoJson(options.extra, {
                style: function () { return HIDDEN; },
                onEachFeature: function (feature, unit) {
                    units.push(unit);
                    unit.on("mouseover", function () { if (options.highlight && unit.options.interactive) { unit.setStyle(options.highlight); } });
                    unit.on("mouseout", function () { unit.setStyle(unit.cameraAtlasStyle); });
                }
            }).bindTooltip(atlas.unitTip(state), {sticky: true, opacity: 0.95}).addTo(group);
        }
        state.paint = options;
        state.painted = units;
        state.paints = (state.paints || 0) + 1;  // how many layers this map has shown (tests and benches wait on it)
        var row = rowOf(options);
        var looks = options.styles.map(function (style) { return JSON.stringify(style); });
        units.forEach(function (unit, i) {
            var at = row(i);
            var k = at < 0 ? options["default"].k : options.k[at];
            var shown = k !== undefined && k !== null && k >= 0;
            unit.feature.properties = properties(unit.feature, options, at);
            // Only a unit whose look changes is restyled: a new metric on a map of a few cities
            // recolours those few, not every path of the level.
            var look = shown ? looks[k] : "";
            if (unit.cameraAtlasLook !== look) {
                unit.cameraAtlasLook = look;
                unit.cameraAtlasStyle = shown ? L.extend({}, DEFAULTS, options.styles[k]) : HIDDEN;
                unit.setStyle(unit.cameraAtlasStyle);
            }
            if (unit.options.interactive !== (shown && options.interactive)) { setInteractive(unit, shown && options.interactive); }
        });
        options.front.forEach(function (i) { if (units[i]) { units[i].bringToFront(); } });
        return group;
    };

    // Circles at the painted units' points: data.i unit positions (largest first), data.r radii in px,
    // data.k styles, data.c a town dot's colour (or null), data.at a point other than the unit's own.
    atlas.unitCircles = function (group, map, options, data) {
        var units = map.cameraAtlas.painted;
        var features = [];
        data.i.forEach(function (i, n) {
            var unit = units[i];
            var at = (data.at && data.at[n]) || (unit && unit.feature.p);
            if (!unit || !at) { return; }
            // A town's dot answers nothing (the area under it does): it carries no properties.
            var feature = {type: "Feature", properties: data.k[n] === 2 ? {} : unit.feature.properties,
                geometry: {type: "Point", coordinates: at},
                r: data.r[n], k: data.k[n]};
            if (data.c && data.c[n]) { feature.c = data.c[n]; }
            features.push(feature);
        });
        var layer = atlas.circles(group, options, {type: "FeatureCollection", features: features});
        if (options.tooltip) { atlas.tooltip(layer, options.tooltip); }
        return layer;
    };
})(window.L, window.CameraAtlas);
