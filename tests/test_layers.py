"""The house's one direction: every import inside ``geo`` goes down the layers in ``geo.LAYERS``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import geo
from geo import LAYERS, layer_of

GEO = Path(geo.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(GEO.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``geo`` module ``path`` imports, at any depth (function-level imports included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("geo.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "geo":
                found += [(node.lineno, f"geo.{a.name}") for a in node.names if a.name != "AtlasError"]
            elif node.module.startswith("geo."):
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for p in GEO.rglob("*.py") if p.name != "__init__.py" or p.parent != GEO)


def test_every_module_has_a_layer() -> None:
    for path in MODULES:
        layer_of(_module_name(path))


def test_a_module_outside_every_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="geo.attic.x is in no layer"):
        layer_of("geo.attic.x")


def test_most_specific_entry_places_a_module() -> None:
    assert layer_of("geo.pictures.web.layers")[1] == "geo.pictures.web"
    assert layer_of("geo.pictures.classes")[1] == "geo.pictures"
    assert layer_of("geo.pictures.snapshot")[0] > layer_of("geo.pictures.static.figure")[0]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_only_go_down(path: Path) -> None:
    name = _module_name(path)
    own_layer, own_entry = layer_of(name)
    wrong = []
    for line, target in _imports(path):
        layer, entry = layer_of(target)
        if entry == own_entry:
            continue  # within one package or module
        if layer >= own_layer:
            wrong.append(f"line {line}: {target} ({entry}, layer {layer}) from layer {own_layer}")
    assert not wrong, f"{name} imports up or sideways:\n" + "\n".join(wrong)


def test_every_package_says_what_it_owns() -> None:
    for init in GEO.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.split()) >= 8, f"{init.relative_to(GEO.parent)} needs a docstring saying what it owns"


def test_layers_name_each_package_once() -> None:
    entries = [entry for layer in LAYERS for entry in layer]
    assert len(entries) == len(set(entries))
    packages = {f"geo.{p.parent.relative_to(GEO).as_posix().replace('/', '.')}" for p in GEO.rglob("*/__init__.py")}
    assert packages <= set(entries), f"packages with no layer: {sorted(packages - set(entries))}"
