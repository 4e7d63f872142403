"""The interactive map's controls and overlays: legend, tooltip, attribution and title boxes, inlined assets.

Leaflet pieces added by script (so they survive streamlit-folium, which carries only a
map's script over). Each is a :class:`geo.pictures.web.elements.AtlasElement`: text reaches it escaped
for HTML (``html.escape`` or an autoescaping Jinja template), and its template takes every
value through ``|data`` (JSON no template engine can read as syntax).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from jinja2 import Environment

from geo.pictures.classes import Classes
from geo.pictures.palettes import BACKGROUND
from geo.pictures.web.elements import AtlasElement, template, trusted_code
from geo.pictures.web.polyline import DECODER_JS

_LEGEND = Environment(autoescape=True).from_string(
    """<div class="atlas-legend" style="background:rgba(255,255,255,0.94);padding:6px 9px;max-width:230px;\
font:12px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#222;border-radius:4px;\
box-shadow:0 1px 4px rgba(0,0,0,0.3)"><div class="atlas-legend-title" style="font-weight:600;margin-bottom:2px">{{ title }}</div>
{%- if subtitle %}<div style="color:#555;font-size:11px;margin-bottom:4px">{{ subtitle }}</div>{% endif %}
{%- for item in items %}<div class="atlas-legend-item {{ item.css }}"><span style="display:inline-block;width:18px;\
height:12px;margin-right:6px;vertical-align:-1px;box-sizing:border-box;background:{{ item.fill }};\
border:{{ item.border }}"></span>{{ item.label }}</div>{% endfor %}
{%- if note %}<div class="atlas-legend-note" style="color:#444;font-size:11px;margin-top:4px">{{ note }}</div>{% endif %}</div>"""
)


def item(label: str, fill: str, border: str = "1px solid #8a8a8a", css: str = "") -> dict:
    return {"label": label, "fill": fill, "border": border, "css": css}


def legend_html(
    title: str,
    subtitle: str,
    classes: Classes,
    extras: Sequence[dict] = (),
    descending: bool = False,
    note: str = "",
) -> str:
    """The legend as an HTML fragment (autoescaped): the classes, then ``extras`` swatches, then a ``note`` line."""
    pairs = list(zip(classes.colors, classes.labels))
    items = [item(label, color) for color, label in (reversed(pairs) if descending else pairs)]
    return _LEGEND.render(title=title, subtitle=subtitle, items=[*items, *extras], note=note)


class Decorations(AtlasElement):
    """Geometry decoder, background, attribution and (optionally) a title box, added by script.

    Done in script (not in the page's ``<head>``/``<body>``) so it also works inside
    streamlit-folium, which only carries a map's script over. It also defines
    ``atlasBox``, which the data layer's legend uses. On a narrow map (a phone) the
    attribution folds into an "i" toggle and the legend shrinks, so neither covers the map.
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        {{ this.decoder }}
        // A box of (already escaped) HTML in a corner of the map that does not pass clicks through.
        window.atlasBox = function (map, position, className, content) {
            var box = L.control({position: position});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", className);
                div.innerHTML = content;
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            return box.addTo(map);
        };
        (function (map) {
            map.getContainer().style.background = {{ this.background|data }};
            var css = document.createElement("style");
            css.textContent = "path.leaflet-interactive:focus { outline: none; }"
                + ".atlas-credit-toggle { display: none; }"
                + "@media (max-width: 600px) { .atlas-credit-text { display: none; } .atlas-credit-open .atlas-credit-text { display: inline; }"
                + " .atlas-credit-toggle { display: inline; cursor: pointer; font-weight: 600; padding: 0 4px; }"
                + " .atlas-credit-open { max-width: 92% !important; position: relative; z-index: 1001; }"
                + " .atlas-legend { font-size: 10px !important; line-height: 1.3 !important; max-width: 132px !important; padding: 4px 6px !important; }"
                + " .atlas-legend span { width: 12px !important; height: 9px !important; margin-right: 4px !important; } }";
            document.head.appendChild(css);
            if (map.attributionControl) {
                map.attributionControl.setPrefix(false);
                map.attributionControl.addAttribution(
                    '<span class="atlas-credit-toggle" title="Sources">i</span><span class="atlas-credit-text">'
                    + {{ this.attribution|data }} + "</span>");
                var credit = map.attributionControl.getContainer();
                credit.style.maxWidth = "62%";
                credit.style.whiteSpace = "normal";
                credit.style.fontSize = "10px";
                credit.style.lineHeight = "1.3";
                credit.addEventListener("click", function (event) {
                    if (event.target.className === "atlas-credit-toggle") { credit.classList.toggle("atlas-credit-open"); }
                });
            }
            {%- if this.title %}
            window.atlasBox(map, "topright", "atlas-title-control", {{ this.title|data }});
            {%- endif %}
        })({{ this._parent.get_name()|name }});
        {% endmacro %}
        """
    )

    def __init__(self, attribution: str, title: str = "") -> None:
        super().__init__()
        self._name = "AtlasDecorations"
        self.decoder = trusted_code(DECODER_JS)
        self.background = BACKGROUND
        self.attribution = html.escape(attribution)
        self.title = title


class LayerFrame(AtlasElement):
    """The data layer's legend (bottom left, replacing the legend of the layer before it) and its
    view: the chosen units (or the UK), with a margin and a zoom cap."""

    _template = template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            if (window.atlasLegend) { map.removeControl(window.atlasLegend); }
            window.atlasLegend = window.atlasBox(map, "bottomleft", "atlas-legend-control", {{ this.legend|data }});
            // Keep the shapes clear of the boxes in the corners (legend and scale bar, sources,
            // title): each box is avoided by a margin beside it or above/below it, and of those
            // choices the one leaving the largest map wins (on a phone, mostly above/below).
            // Not animated: a second fit during a running zoom animation is undone when that
            // animation ends. Inside streamlit-folium leaflet.css may still be loading, so the
            // corners are measured once laid out (absolutely positioned); until then a plain margin.
            var bounds = L.latLngBounds({{ this.bounds|data }}), m = 24, tries = 0;
            map.fitBounds(bounds, {padding: [m, m], maxZoom: 10, animate: false});
            // A reader who has already started moving the map keeps the view they made.
            window.atlasTouched = false;
            if (!window.atlasTouchWatch) {
                window.atlasTouchWatch = true;
                ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (name) {
                    L.DomEvent.on(map.getContainer(), name, function () { window.atlasTouched = true; });
                });
            }
            (function clearCorners() {
                if (window.atlasTouched) { return; }
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
        })({{ this._parent._parent.get_name()|name }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "AtlasLayerFrame"
        self.legend = legend
        self.bounds = bounds


class Tooltip(AtlasElement):
    """A sticky tooltip: the unit's name, a status line, rows of (label, pre-escaped value), a source line."""

    _template = template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name()|name }}.bindTooltip(function (layer) {
            var p = layer.feature.properties, rows = {{ this.rows|data }}, keys = {{ this.keys|data }};
            var html = "<div class=\\"atlas-tooltip\\" style=\\"font-size:12px;line-height:1.4\\"><b>" + p.name + "</b>";
            if (p.s) { html += "<div style=\\"color:#555;max-width:260px;white-space:normal\\">" + p.s + "</div>"; }
            if (!p.nd) {
                html += "<table style=\\"margin-top:2px\\">";
                for (var i = 0; i < keys.length; i++) {
                    if (p[keys[i]] === undefined) { continue; }
                    html += "<tr><td style=\\"padding-right:8px;color:#555\\">" + rows[i] + "</td><td style=\\"text-align:right\\">" + p[keys[i]] + "</td></tr>";
                }
                html += "</table>";
            }
            if ({{ this.source|data }}) {
                html += "<div style=\\"color:#666;font-size:10px;max-width:260px;white-space:normal;margin-top:3px\\">" + {{ this.source|data }} + "</div>";
            }
            return html + "</div>";
        }, {sticky: true, opacity: 0.95});
        {% endmacro %}
        """
    )

    def __init__(self, rows: Sequence[tuple[str, str]], source: str) -> None:
        super().__init__()
        self._name = "AtlasTooltip"
        self.rows = [html.escape(label) for label, _ in rows]
        self.keys = [key for _, key in rows]
        self.source = html.escape(f"Source: {source}") if source else ""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)
