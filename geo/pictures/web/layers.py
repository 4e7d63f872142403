"""The map's polygons: a layer of units, each with its own style, drawn by Leaflet's ``L.geoJson``.

:class:`Shapes` replaces ``folium.GeoJson`` on the atlas's maps. folium's element puts the
features' properties (place names, figures) into a template that is compiled a second time
(:mod:`geo.pictures.web.elements` explains why that runs text as code); this one is an
:class:`geo.pictures.web.elements.AtlasElement`, so its data travels as ``|data`` JSON and its output
is never compiled again. Geometry arrives as encoded rings (:mod:`geo.pictures.web.polyline`) that the
decoder of ``js/atlas.js`` (:mod:`geo.pictures.web.scripts`) restores in the browser; the layer is
drawn by ``CameraAtlas.shapes`` (``js/layers.js``).

Styles are kept once per distinct style (``feature.k`` indexes them), as folium does, so a
map of 329 units sends a few dozen style objects, not 329.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.pictures.web.elements import AtlasElement, template


class Shapes(AtlasElement):
    """Polygons of a FeatureCollection, each styled by ``styles[i]`` for feature ``i``.

    ``data``: a FeatureCollection whose features carry ``id`` (their position, as text) and
    encoded geometry ``g``; ``styles``: one Leaflet path style per feature, in order (or
    ``style`` for all); ``highlight``: the style while the pointer is over a unit (None: not
    interactive); the layer is added to its parent (a map or a feature group). A
    :class:`geo.pictures.web.controls.Tooltip` added as a child binds to it.
    """

    _template = template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name()|name }} = CameraAtlas.shapes(
            {{ this._parent.get_name()|name }}, {{ this.options|data }}, {{ this.data|data }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict,
        styles: Sequence[dict] | None = None,
        *,
        style: dict | None = None,
        highlight: dict | None = None,
    ) -> None:
        super().__init__()
        self._name = "Shapes"
        features = list(data.get("features", []))
        if styles is not None and len(styles) != len(features):
            raise ValueError(f"{len(styles)} styles for {len(features)} features: give one style per feature")
        table: list[dict] = []
        index: dict[str, int] = {}
        keyed = []
        for i, feature in enumerate(features):
            chosen = styles[i] if styles is not None else (style or {})
            key = repr(sorted(chosen.items()))
            if key not in index:
                index[key] = len(table)
                table.append(dict(chosen))
            keyed.append({**feature, "k": index[key]})
        self.data = {**data, "features": keyed}
        self.style_table = table or [dict(style or {})]
        self.highlight = highlight
        self.interactive = highlight is not None
        self.options = {"styles": self.style_table, "highlight": highlight, "interactive": self.interactive}

    def style_of(self, feature: dict) -> dict:
        """The style ``feature`` (one of ``self.data["features"]``) is drawn with."""
        return self.style_table[int(feature.get("k", 0))]
