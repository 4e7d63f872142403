"""Map elements whose data can never be read as template text: the one way text reaches a folium map.

Why this exists: branca renders an element's macros with Jinja, then hands the *output* to
the figure as ``branca.element.Element(output)``, whose constructor compiles that output as a
new, unsandboxed ``jinja2.Template`` (``MacroElement.render`` in branca/element.py;
``Figure.render`` renders it). Whatever a template wrote out that looks like ``{{ … }}``,
``{% … %}`` or ``{# … #}`` -- a title, a file name, a place, a dataset's source -- is then
evaluated with the server's rights, and an unbalanced ``{#`` breaks the page.
streamlit-folium renders the whole figure on every rerun of a page with a map, so the live
map is exposed as well as the HTML export. geopandas' ``explore()`` wraps ``{{`` in its
properties in ``{% raw %}`` for the same reason
(https://github.com/geopandas/geopandas/issues/2657).

Every element of the atlas's maps that carries text is an :class:`AtlasElement`. Two locks:

1. Its rendered parts reach the figure as :class:`RawHtml`, text that is never compiled again,
   whatever it holds.
2. Its template sees values only through the ``|data`` filter (:func:`template_json`): JSON in
   which ``{``, ``}``, ``%`` and ``#`` (and ``<``, ``>``, ``&``, ``'``) inside strings are
   ``\\uXXXX`` escapes, so a renderer that does compile the output again (streamlit-folium
   renders the header twice; a future folium may do more) finds no delimiter in data either.
   The templates' environment enforces it: an expression that prints anything but ``|data``
   output, an element's JavaScript name through ``|name``, or trusted code
   (:func:`trusted_code`) raises :class:`UnsafeTemplateValue` when the map is built, so a new
   element cannot forget it.

The folium elements left on a map (``Map``, ``FeatureGroup``) carry constant text only;
``tests/test_map_elements.py`` builds every map with the hostile corpus and checks that no
other kind of element is on it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Environment, StrictUndefined, Template

# Inside JSON strings: the characters that open a Jinja delimiter, and those that end a
# <script> or an HTML attribute, as JavaScript \u escapes (the browser reads the same text).
_ESCAPED = {ord(ch): f"\\u{ord(ch):04x}" for ch in "{}%#<>&'"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class TemplateSafe(str):
    """Text an :class:`AtlasElement` template may print as it is: ``|data`` output or trusted code."""


class UnsafeTemplateValue(TypeError):
    """A template tried to print a value that did not pass through ``|data`` (a programming error)."""


def template_json(value: Any) -> TemplateSafe:
    """``value`` as JSON (a JavaScript literal) that no template engine can read as syntax.

    Structural braces stay (``{"a":1}`` is never a Jinja delimiter: a key is always quoted);
    within strings the delimiter and markup characters become ``\\uXXXX`` escapes. NaN and
    infinities are refused (they are not JSON).
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return TemplateSafe(_JSON_STRING.sub(lambda match: match.group(0).translate(_ESCAPED), text))


def trusted_code(code: str) -> TemplateSafe:
    """Code written in this project (never user text), printed into a template as it is."""
    return TemplateSafe(code)


def element_name(name: str) -> TemplateSafe:
    """An element's JavaScript variable name (``get_name()``), checked to be an identifier."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UnsafeTemplateValue(f"{str(name)[:40]!r} is not a JavaScript name: pass data through |data")
    return TemplateSafe(name)


def _only_safe(value: Any) -> Any:
    """The environment's ``finalize``: every printed value must have passed ``|data`` or ``|name`` (or be trusted code)."""
    if isinstance(value, TemplateSafe):
        return value
    raise UnsafeTemplateValue(
        f"a map template printed {type(value).__name__} {str(value)[:40]!r}: pass it through |data"
    )


ENVIRONMENT = Environment(finalize=_only_safe, undefined=StrictUndefined, autoescape=False)
ENVIRONMENT.filters["data"] = template_json
ENVIRONMENT.filters["name"] = element_name


def template(source: str) -> Template:
    """A template for an :class:`AtlasElement` (``|data`` for values, ``|name`` for element names; nothing else prints)."""
    return ENVIRONMENT.from_string(source)


class RawHtml(Element):
    """Rendered as the text it holds: never compiled as a template (Leaflet's own source, rendered parts)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


class AtlasElement(MacroElement):
    """A MacroElement whose rendered header, html and script are handed on as :class:`RawHtml`.

    Subclasses set ``_template = template(...)`` with ``header``/``html``/``script`` macros,
    as for any branca MacroElement.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # a MacroElement renders into its Figure and returns nothing; branca types Element.render's str
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("an AtlasElement is rendered inside a Figure: add it to a map first")
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(RawHtml(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
