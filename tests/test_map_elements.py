"""geo.pictures.web.elements: no text on a map is ever read as a template, on any path that renders it.

Every map the atlas draws (each level, the HTML export with its title, the change map) is built
with the hostile corpus in every text it carries -- unit names, the source line, the title box,
legend labels, the compared datasets' labels -- then rendered the two ways it is rendered in
use: as a standalone file (``map_html``) and as streamlit-folium renders it for the live page.
No payload may run, every string must arrive literally, and no compiled template may hold any
of it.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import folium
import pytest
from atlas_testing import unjs
from branca.element import Element
from hostile import CORPUS, assert_nothing_ran, everything, new_token
from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

from geo.datasets.dataset import Dataset
from geo.figures import compare, join, metrics
from geo.figures.vocabulary import LEVELS
from geo.pictures import captions
from geo.pictures.captions import Attribution
from geo.pictures.classes import Classes, classify, classify_diverging
from geo.pictures.web import choropleth
from geo.pictures.web import elements as map_elements
from geo.pictures.web.elements import AtlasElement, RawHtml, UnsafeTemplateValue, template, template_json

TOKEN = new_token()
TEXTS = everything(TOKEN)
# Strings that must come out literally (each is placed in the map somewhere; see _hostile_*).
LITERALS = [text for name, text in TEXTS.items() if name != "long"]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Payloads would create their marker in the working directory: make that a fresh folder."""
    monkeypatch.chdir(tmp_path)
    yield
    assert_nothing_ran(TOKEN, tmp_path)


def _hostile_shapes(shapes):
    """``shapes`` with every literal in some unit's name (several to a name when units are few)."""
    frame = shapes.copy()
    rows = list(frame.index[frame["has_data"].astype(bool)]) + list(frame.index[~frame["has_data"].astype(bool)])
    names: dict[object, list[str]] = {}
    for i, text in enumerate(LITERALS):
        names.setdefault(rows[i % len(rows)], []).append(text)
    for row, texts in names.items():
        frame.loc[row, "name"] = " | ".join(texts)
    return frame


def _hostile_classes(classes: Classes) -> Classes:
    labels = tuple(TEXTS["jinja_statement"] if i % 2 else TEXTS["rce_expression"] for i in range(len(classes.labels)))
    return Classes(classes.scheme, classes.bins, classes.colors, labels)


ATTRIBUTION = Attribution(" ".join(TEXTS[k] for k in ("rce_statement", "jinja_open_comment", "html", "formula")))
TITLE_HTML = html.escape(" ".join(TEXTS[k] for k in ("rce_cycler", "jinja_open_expression", "markdown")))


def _rendered_live(parts: choropleth.MapParts) -> str:
    """What st_folium renders of the map and its data layer, in its order of calls."""
    base = parts.base
    base.get_root().render()
    base.render()
    pieces = [_get_html(base), _get_header(base), _get_map_string(base)]
    pieces.append(_get_feature_group_string(parts.layer, base))
    return "\n".join(pieces)


def _compiled_templates(figure) -> list[str]:
    """Source of every template compiled while the figure rendered (branca Elements made from text)."""
    found = []
    for part in (figure.header, figure.html, figure.script):
        for child in part._children.values():
            if type(child) is Element and getattr(child, "_template_str", None):
                found.append(child._template_str)
    return found


# The escapes template_json writes (not a user's own backslashes: those are doubled in JSON).
_OURS = re.compile(r"(?<!\\)((?:\\\\)*)\\u(007b|007d|0025|0023|003c|003e|0026|0027)")


def _decoded(output: str) -> str:
    """``output`` with template_json's escapes read back (as the browser reads them)."""
    return _OURS.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), output)


def _assert_literal(output: str) -> None:
    decoded = _decoded(output)
    for literal in LITERALS:
        expected = json.dumps(html.escape(literal), ensure_ascii=False)[1:-1]  # as a JSON string holds it
        assert expected in decoded, f"{literal!r} not shown literally"
    assert "T 49 X" not in decoded  # {{ 7*7 }} was not evaluated
    assert TOKEN in decoded


@pytest.fixture(scope="module")
def level_shapes(resolver, areas_frame, shipped):
    return {
        level: join.level_shapes(metrics.build_table(shipped, resolver, areas_frame, level=level), areas_frame)
        for level in LEVELS
    }


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("path", ["file", "live"])
def test_no_text_on_a_map_runs(level, path, level_shapes, areas_frame):
    shapes = _hostile_shapes(level_shapes[level])
    classes = _hostile_classes(classify(shapes.loc[shapes["has_data"], "networks"], "quantiles", 4))
    parts = choropleth.build_map(
        shapes,
        "networks",
        classes,
        attribution=ATTRIBUTION,
        context=areas_frame if level == "place" else None,
        title_html=TITLE_HTML if path == "file" else "",
        inline_assets=path == "file",
    )
    output = choropleth.map_html(parts) if path == "file" else _rendered_live(parts)
    _assert_literal(output)
    for source in _compiled_templates(parts.base.get_root()):
        assert TOKEN not in source and "{{ 7*7 }}" not in source


def test_the_change_map_runs_no_text(comparisons_place, areas_frame):
    shapes = _hostile_shapes(compare.comparison_shapes(comparisons_place, areas_frame))
    classes = _hostile_classes(classify_diverging(comparisons_place.both["change"]))
    parts = choropleth.build_change_map(
        shapes,
        classes,
        attribution=ATTRIBUTION,
        context=areas_frame,
        label_a=TEXTS["rce_expression"],
        label_b=TEXTS["jinja_open_comment"],
    )
    for output in (_rendered_live(parts), choropleth.map_html(parts)):
        _assert_literal(output)


@pytest.fixture(scope="module")
def comparisons_place(resolver, areas_frame, shipped):
    import pandas as pd

    later = Dataset(
        id="later",
        title="Later",
        source="later",
        observations=pd.DataFrame(
            {
                "place": ["London", "Manchester", "Leeds"],
                "vendor": "all",
                "networks": [60000, 8000, 900],
                "lad_code": None,
                "source": None,
                "date": None,
                "line": [2, 3, 4],
            }
        ),
    )
    return compare.compare(
        metrics.build_table(shipped, resolver, areas_frame, level="place"),
        metrics.build_table(later, resolver, areas_frame, level="place"),
    )


def test_only_atlas_elements_carry_text(level_shapes, areas_frame):
    """Every element on a built map is the atlas's own, or a folium container that holds no text."""
    shapes = level_shapes["place"]
    parts = choropleth.build_map(
        shapes,
        "per_1k",
        classify(shapes.loc[shapes["has_data"], "per_1k"]),
        attribution=ATTRIBUTION,
        context=areas_frame,
        title_html=TITLE_HTML,
        inline_assets=True,
    )
    allowed = (folium.Map, folium.FeatureGroup, AtlasElement, RawHtml)

    def walk(element):
        yield element
        for child in element._children.values():
            yield from walk(child)

    strangers = {type(e).__name__ for e in walk(parts.whole()) if not isinstance(e, allowed)}
    assert not strangers, f"elements that could carry text outside geo.pictures.web.elements: {strangers}"


# -- the mechanism ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_template_json_is_json_with_no_delimiter(name):
    value = {"text": TEXTS[name], "list": [TEXTS[name], 1.5, None, True], "nested": {"{{": "}}"}}
    encoded = template_json(value)
    assert json.loads(encoded) == value
    for delimiter in ("{{", "{%", "{#", "%}", "#}", "<", ">", "&", "'"):
        assert delimiter not in encoded


def test_template_json_escapes_every_delimiter_inside_strings():
    encoded = template_json(["{{ x }}", "{% y %}", "{# z #}", "</script>", "it's"])
    assert "{" not in encoded and "}" not in encoded and "%" not in encoded and "#" not in encoded
    assert "<" not in encoded and "'" not in encoded
    assert json.loads(encoded) == ["{{ x }}", "{% y %}", "{# z #}", "</script>", "it's"]


def test_a_value_printed_without_the_data_filter_fails_the_build():
    class Careless(AtlasElement):
        _template = template("{% macro script(this, kwargs) %}var t = {{ this.title }};{% endmacro %}")

        def __init__(self, title: str) -> None:
            super().__init__()
            self.title = title

    m = folium.Map(tiles=None)
    Careless("Leeds {{ 7*7 }}").add_to(m)
    with pytest.raises(UnsafeTemplateValue, match=r"\|data"):
        m.get_root().render()


def test_rendered_parts_are_never_compiled_again():
    class Plain(AtlasElement):
        _template = template("{% macro script(this, kwargs) %}var t = {{ this.title|data }};{% endmacro %}")

        def __init__(self, title: str) -> None:
            super().__init__()
            self.title = map_elements.trusted_code(title)  # even trusted text that looks like a template

    m = folium.Map(tiles=None)
    Plain("{{ 7*7 }}").add_to(m)
    out = m.get_root().render()
    assert 'var t = "\\u007b\\u007b 7*7 \\u007d\\u007d";' in out


def test_captions_attribution_reaches_the_map_literally(shipped, resolver, areas_frame, level_shapes):
    """A dataset's own source_short (a saved zip can carry anything) is shown, not run."""
    from dataclasses import replace

    dataset = replace(shipped, source_short=TEXTS["rce_expression"])
    shapes = level_shapes["lad"]
    parts = choropleth.build_map(
        shapes,
        "networks",
        classify(shapes.loc[shapes["has_data"], "networks"]),
        attribution=captions.attribution(dataset),
    )
    out = unjs(_rendered_live(parts))
    assert html.escape(TEXTS["rce_expression"]) in out
    assert not Path(TOKEN).exists() and TOKEN not in os.listdir(".")


def test_an_element_name_must_be_a_javascript_name():
    class Named(AtlasElement):
        _template = template("{% macro script(this, kwargs) %}var x = {{ this.label|name }};{% endmacro %}")

        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    for label, ok in (("map_abc123", True), ("alert(1)", False), ("{{ 7*7 }}", False)):
        m = folium.Map(tiles=None)
        Named(label).add_to(m)
        if ok:
            assert "var x = map_abc123;" in m.get_root().render()
        else:
            with pytest.raises(UnsafeTemplateValue):
                m.get_root().render()


def test_a_bare_identifier_is_not_printable_either():
    """Even a value that looks harmless ("Leeds") must pass |data: raw text never reaches a script."""

    class Bare(AtlasElement):
        _template = template("{% macro script(this, kwargs) %}var x = {{ this.label }};{% endmacro %}")

        def __init__(self) -> None:
            super().__init__()
            self.label = "Leeds"

    m = folium.Map(tiles=None)
    Bare().add_to(m)
    with pytest.raises(UnsafeTemplateValue):
        m.get_root().render()
