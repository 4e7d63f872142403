// The map's boxes (legend, title, sources), its tooltip and the view a data layer asks for.
(function (L, atlas) {
    "use strict";
    // The legend's look, once per map rather than in every legend a data layer sends.
    var LEGEND_CSS = ".atlas-legend { background: rgba(255,255,255,0.94); padding: 6px 9px; max-width: 230px;"
        + " font: 12px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif; color: #222;"
        + " border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }"
        + " .atlas-legend-title { font-weight: 600; margin-bottom: 2px; }"
        + " .atlas-legend-sub { color: #555; font-size: 11px; margin-bottom: 4px; }"
        + " .atlas-legend-item > span { display: inline-block; width: 18px; height: 12px; margin-right: 6px;"
        + " vertical-align: -1px; box-sizing: border-box; border: 1px solid #8a8a8a; }"
        + " .atlas-legend-note { color: #444; font-size: 11px; margin-top: 4px; max-width: 230px; }";
    var NARROW_CSS = LEGEND_CSS + " path.leaflet-interactive:focus { outline: none; }"
        + ".atlas-credit-toggle { display: none; }"
        + "@media (max-width: 600px) { .atlas-credit-text { display: none; } .atlas-credit-open .atlas-credit-text { display: inline; }"
        + " .atlas-credit-toggle { display: inline; cursor: pointer; font-weight: 600; padding: 0 4px; }"
        + " .atlas-credit-open { max-width: 92% !important; position: relative; z-index: 1001; }"
        + " .atlas-legend { font-size: 10px !important; line-height: 1.3 !important; max-width: 132px !important; padding: 4px 6px !important; }"
        + " .atlas-legend span { width: 12px !important; height: 9px !important; margin-right: 4px !important; } }";

    // A box of (already escaped) HTML in a corner of the map that does not pass clicks through.
    atlas.box = function (map, position, className, content) {
        var box = L.control({position: position});
        box.onAdd = function () {
            var div = L.DomUtil.create("div", className);
            div.innerHTML = content;
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        return box.addTo(map);
    };

    // Background, the phone rules, the sources (escaped HTML; folded into an "i" on a phone), a title box.
    atlas.decorate = function (map, options) {
        map.getContainer().style.background = options.background;
        var css = document.createElement("style");
        css.textContent = NARROW_CSS;
        document.head.appendChild(css);
        if (map.attributionControl) {
            map.attributionControl.setPrefix(false);
            map.attributionControl.addAttribution(
                '<span class="atlas-credit-toggle" title="Sources">i</span><span class="atlas-credit-text">'
                + options.attribution + "</span>");
            var credit = map.attributionControl.getContainer();
            credit.style.maxWidth = "62%";
            credit.style.whiteSpace = "normal";
            credit.style.fontSize = "10px";
            credit.style.lineHeight = "1.3";
            credit.addEventListener("click", function (event) {
                if (event.target.className === "atlas-credit-toggle") { credit.classList.toggle("atlas-credit-open"); }
            });
        }
        if (options.title) { atlas.box(map, "topright", "atlas-title-control", options.title); }
    };

    // The tooltip's HTML for a unit's properties `p` (values already escaped for HTML).
    atlas.tooltipHtml = function (p, rows, keys, source) {
        var html = "<div class=\"atlas-tooltip\" style=\"font-size:12px;line-height:1.4\"><b>" + p.name + "</b>";
        if (p.s) { html += "<div style=\"color:#555;max-width:260px;white-space:normal\">" + p.s + "</div>"; }
        if (!p.nd) {
            html += "<table style=\"margin-top:2px\">";
            for (var i = 0; i < keys.length; i++) {
                if (p[keys[i]] === undefined) { continue; }
                html += "<tr><td style=\"padding-right:8px;color:#555\">" + rows[i] + "</td><td style=\"text-align:right\">" + p[keys[i]] + "</td></tr>";
            }
            html += "</table>";
        }
        if (source) {
            html += "<div style=\"color:#666;font-size:10px;max-width:260px;white-space:normal;margin-top:3px\">" + source + "</div>";
        }
        return html + "</div>";
    };

    // A sticky tooltip on `layer` (areas or circles) built from each feature's properties.
    atlas.tooltip = function (layer, options) {
        return layer.bindTooltip(function (unit) {
            return atlas.tooltipHtml(unit.feature.properties, options.rows, options.keys, options.source);
        }, {sticky: true, opacity: 0.95});
    };

    // The legend (bottom left, replacing the one before it).
    atlas.legend = function (map, legend) {
        if (atlas.legendBox) { map.removeControl(atlas.legendBox); }
        atlas.legendBox = atlas.box(map, "bottomleft", "atlas-legend-control", legend);
        return atlas.legendBox;
    };

    // Fit `bounds` with a margin and a zoom cap, keeping the shapes clear of the boxes in the
    // corners (legend and scale bar, sources, title): each box is avoided by a margin beside it or
    // above/below it, and of those choices the one leaving the largest map wins (on a phone,
    // mostly above/below). Not animated: a second fit during a running zoom animation is undone
    // when that animation ends. Inside streamlit-folium leaflet.css may still be loading, so the
    // corners are measured once laid out (absolutely positioned); until then a plain margin.
    atlas.fit = function (map, corners_bounds) {
        var bounds = L.latLngBounds(corners_bounds), m = 24, tries = 0;
        map.fitBounds(bounds, {padding: [m, m], maxZoom: 10, animate: false});
        // A reader who has already started moving the map keeps the view they made.
        atlas.touched = false;
        if (!map.cameraAtlasWatched) {
            map.cameraAtlasWatched = true;
            ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (name) {
                L.DomEvent.on(map.getContainer(), name, function () { atlas.touched = true; });
            });
        }
        (function clearCorners() {
            if (atlas.touched) { return; }
            var container = map.getContainer();
            var corners = [["bottom", "left"], ["bottom", "right"], ["top", "right"]].map(function (c) {
                return {edge: c[0], side: c[1], el: container.querySelector(".leaflet-" + c[0] + ".leaflet-" + c[1])};
            }).filter(function (c) { return c.el; });
            if (corners.some(function (c) { return getComputedStyle(c.el).position !== "absolute"; })) {
                if (++tries < 30) { setTimeout(clearCorners, 100); }
                return;
            }
            var frame = container.getBoundingClientRect();
            corners.forEach(function (c) {
                var box = c.el.getBoundingClientRect();
                c.width = box.width ? (c.side === "left" ? box.right - frame.left : frame.right - box.left) : 0;
                c.height = box.height ? (c.edge === "top" ? box.bottom - frame.top : frame.bottom - box.top) : 0;
            });
            var best = null;
            for (var mask = 0; mask < (1 << corners.length); mask++) {
                var pad = {left: m, right: m, top: m, bottom: m};
                corners.forEach(function (c, i) {
                    if (mask & (1 << i)) { pad[c.side] = Math.max(pad[c.side], m + c.width); }
                    else { pad[c.edge] = Math.max(pad[c.edge], m + c.height); }
                });
                var room = map.getSize().subtract([pad.left + pad.right, pad.top + pad.bottom]);
                if (room.x < 50 || room.y < 50) { continue; }  // no map left beside the boxes
                var zoom = map.getBoundsZoom(bounds, false, L.point(pad.left + pad.right, pad.top + pad.bottom));
                if (isFinite(zoom) && (!best || zoom > best.zoom)) { best = {zoom: zoom, pad: pad}; }
            }
            if (!best) { return; }  // a map too small for its boxes keeps the plain margin
            map.fitBounds(bounds, {paddingTopLeft: [best.pad.left, best.pad.top],
                paddingBottomRight: [best.pad.right, best.pad.bottom], maxZoom: 10, animate: false});
        })();
    };

    // A data layer's legend and view: the map moves only for a selection other than the one it
    // last fitted (options.view), so a new metric keeps the view the reader made.
    atlas.frame = function (map, options) {
        atlas.legend(map, options.legend);
        var state = map.cameraAtlas = map.cameraAtlas || {};
        if (state.view === options.view) { return; }
        state.view = options.view;
        atlas.fit(map, options.bounds);
    };
})(window.L, window.CameraAtlas);
