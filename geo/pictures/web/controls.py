"""The interactive map's controls and overlays: legend, tooltip, attribution and title boxes, inlined assets.

Leaflet pieces added by script (so they survive streamlit-folium, which carries only a
map's script over): each element's template is one call into ``window.CameraAtlas``
(``js/controls.js``, :mod:`geo.pictures.web.scripts`). Each is a :class:`geo.pictures.web.elements.AtlasElement`: text reaches it escaped
for HTML (``html.escape`` or an autoescaping Jinja template), and its template takes every
value through ``|data`` (JSON no template engine can read as syntax).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from jinja2 import Environment

from geo.pictures.classes import Classes
from geo.pictures.palettes import BACKGROUND
from geo.pictures.web.elements import AtlasElement, template

# The look is the map's stylesheet (js/controls.js, LEGEND_CSS): a legend sends only its words and swatches.
_LEGEND = Environment(autoescape=True).from_string(
    """<div class="atlas-legend"><div class="atlas-legend-title">{{ title }}</div>
{%- if subtitle %}<div class="atlas-legend-sub">{{ subtitle }}</div>{% endif %}
{%- for item in items %}<div class="atlas-legend-item {{ item.css }}"><span style="background:{{ item.fill }}\
{%- if item.border %};border:{{ item.border }}{% endif %}"></span>{{ item.label }}</div>{% endfor %}
{%- if note %}<div class="atlas-legend-note">{{ note }}</div>{% endif %}</div>"""
)


def item(label: str, fill: str, border: str = "", css: str = "") -> dict:
    """A legend swatch: ``border`` empty for the usual thin grey edge (the map's stylesheet draws it)."""
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
    """Background, attribution and (optionally) a title box, added by script (``CameraAtlas.decorate``).

    Done in script (not in the page's ``<head>``/``<body>``) so it also works inside
    streamlit-folium, which only carries a map's script over. On a narrow map (a phone) the
    attribution folds into an "i" toggle and the legend shrinks, so neither covers the map.
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        CameraAtlas.decorate({{ this._parent.get_name()|name }}, {{ this.options|data }});
        {% endmacro %}
        """
    )

    def __init__(self, attribution: str, title: str = "") -> None:
        super().__init__()
        self._name = "Decorations"
        self.options = {"background": BACKGROUND, "attribution": html.escape(attribution), "title": title}


class LayerFrame(AtlasElement):
    """The data layer's legend (bottom left, replacing the legend of the layer before it) and its
    view: the chosen units (or the UK), with a margin and a zoom cap (``CameraAtlas.frame``).

    ``view`` names the selection the view shows: the map moves only when it differs from the
    one it last fitted (or on its first layer), so a change of metric keeps the reader's zoom."""

    _template = template(
        """
        {% macro script(this, kwargs) %}
        CameraAtlas.frame({{ this._parent._parent.get_name()|name }}, {{ this.options|data }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, bounds: list[list[float]], view: str = "") -> None:
        super().__init__()
        self._name = "LayerFrame"
        self.legend = legend
        self.bounds = bounds
        self.options = {"legend": legend, "bounds": bounds, "view": view}


class Tooltip(AtlasElement):
    """A sticky tooltip: the unit's name, a status line, rows of (label, pre-escaped value), a source line."""

    _template = template(
        """
        {% macro script(this, kwargs) %}
        CameraAtlas.tooltip({{ this._parent.get_name()|name }}, {{ this.options|data }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: Sequence[tuple[str, str]], source: str) -> None:
        super().__init__()
        self._name = "Tooltip"
        self.rows = [html.escape(label) for label, _ in rows]
        self.keys = [key for _, key in rows]
        self.source = html.escape(f"Source: {source}") if source else ""
        self.options = {"rows": self.rows, "keys": self.keys, "source": self.source}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)
