"""The shape of a dataset's ``datapackage.json``: every field the atlas reads, its type and its
bounds, written once as data (:data:`SCHEMA`), and the one checker (:func:`checked_package`).

A saved-dataset zip is uploaded by anyone, so its descriptor is user text: a field of the wrong
type (``"sources": 5``), nested 100,000 deep, or 15 MB long must be refused in one line that
names the field and the fix, before anything is drawn, never surface as a TypeError or a
RecursionError. Text is made safe where it is read: one-line fields lose invisible characters
and collapse their whitespace (:func:`geo.core.text.one_line`), the description keeps its line
breaks; place names (``place_choices``) stay exactly as written, because they must equal the
names in ``observations.csv``. Fields the atlas does not read (``scan``, ``profile``, a
resource's ``schema``, custom properties) are carried unread, bounded only by the file's size
and nesting depth.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from geo.core.errors import DatasetError
from geo.core.text import (
    MAX_DATASET_TITLE,
    MAX_DATE,
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_NOTES,
    MAX_PLACE_NAME,
    MAX_SOURCE,
    MAX_URL,
    one_line,
    strip_invisible,
)
from geo.datasets.limits import MAX_CHOICES, format_size

# A descriptor is a few KB; 10,000 place choices of long names make it about 2 MB.
MAX_PACKAGE_BYTES = 4 * 1024 * 1024
# The deepest honest descriptor (a resource's schema constraints) nests 6 deep.
MAX_DEPTH = 20
MAX_SOURCES = 10  # sources (and licences) listed in one descriptor
MAX_IDS = 20  # former ids of one dataset
_FIX = "save the dataset again from the app (or with scan shodan)"


@dataclass(frozen=True)
class Text:
    """A string of at most ``limit`` characters.

    ``kind``: ``"line"`` (invisible characters removed, whitespace collapsed), ``"text"``
    (invisible characters removed, line breaks kept) or ``"literal"`` (kept as written).
    """

    limit: int
    kind: str = "line"


@dataclass(frozen=True)
class Items:
    """A list of at most ``limit`` entries (at least ``minimum``), each of shape ``item``."""

    item: Spec
    limit: int
    minimum: int = 0


@dataclass(frozen=True)
class Record:
    """An object whose known ``fields`` have these shapes (others are carried unread); ``required`` keys must be present."""

    fields: dict[str, Spec]
    required: tuple[str, ...] = field(default=())


Spec = Text | Items | Record

_PAIR = Items(Text(MAX_PLACE_NAME, "literal"), limit=2, minimum=2)  # [name as written, place or GSS code]

SCHEMA = Record(
    {
        "name": Text(MAX_DATASET_TITLE),
        "title": Text(MAX_DATASET_TITLE),
        "description": Text(MAX_DESCRIPTION, "text"),
        "date": Text(MAX_DATE),
        "published": Text(MAX_DATE),
        "source_short": Text(MAX_SOURCE),
        "vendors": Text(MAX_DATE),
        "method_notes": Items(Text(MAX_NOTE), MAX_NOTES),
        "sources": Items(Record({"title": Text(MAX_SOURCE), "path": Text(MAX_URL)}), MAX_SOURCES),
        "licenses": Items(
            Record({"name": Text(MAX_SOURCE), "title": Text(MAX_SOURCE), "path": Text(MAX_URL)}), MAX_SOURCES
        ),
        "place_choices": Items(_PAIR, MAX_CHOICES),
        "former_ids": Items(Text(MAX_DATASET_TITLE), MAX_IDS),
        "resources": Items(Record({"name": Text(MAX_DATASET_TITLE), "path": Text(MAX_URL)}), MAX_SOURCES, minimum=1),
    },
    required=("resources",),
)

_SHAPES = {Text: "text in quotes", Items: "a list [...]", Record: "an object {...}"}


def parse_package(data: bytes, where: str, fields: Collection[str] | None = None) -> dict[str, Any]:
    """The checked descriptor in ``data`` (the bytes of a ``datapackage.json``); see :func:`checked_package`.

    ``fields``: check and keep only these top-level fields (and ``resources``), for a reader that
    needs a few of them often (a listing of forty folders on every page run).
    """
    if len(data) > MAX_PACKAGE_BYTES:
        raise DatasetError(
            f"{where}: datapackage.json is {format_size(len(data), round_up=True)}, over the "
            f"{format_size(MAX_PACKAGE_BYTES)} limit: shorten its description and notes, or {_FIX}"
        )
    try:
        package = json.loads(data.decode("utf-8"))
    except RecursionError:
        # The C decoder recurses once per '[' or '{': 100,000 of them exhaust the stack.
        raise _too_deep(where) from None
    except (ValueError, UnicodeDecodeError):
        raise DatasetError(f"{where} holds an unreadable datapackage.json (not UTF-8 JSON): {_FIX}") from None
    if fields is not None and isinstance(package, dict):
        package = {key: package[key] for key in (*fields, "resources") if key in package}
    return checked_package(package, where)


def checked_package(package: object, where: str) -> dict[str, Any]:
    """``package`` with every field of :data:`SCHEMA` checked and its text made safe; :class:`DatasetError` if not.

    Known fields whose value is ``null`` count as absent (and are dropped). ``where`` names
    the file in messages ("saved.zip", "folder scan").
    """
    _check_depth(package, where)
    return _check(package, SCHEMA, "", where)


def _check_depth(value: object, where: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (iteratively: the check itself must not recurse)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(where)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _too_deep(where: str) -> DatasetError:
    return DatasetError(f"{where}: datapackage.json nests lists or objects more than {MAX_DEPTH} deep: {_FIX}")


def _check(value: object, spec: Spec, path: str, where: str) -> Any:
    if isinstance(spec, Text):
        if not isinstance(value, str):
            raise _wrong_type(where, path, spec, value)
        if len(value) > spec.limit:
            raise DatasetError(
                f"{where}: datapackage.json field {path} is {len(value):,} characters, over the "
                f"{spec.limit:,}-character limit: shorten it"
            )
        if spec.kind == "line":
            return one_line(value, spec.limit)
        return strip_invisible(value) if spec.kind == "text" else value
    if isinstance(spec, Items):
        if not isinstance(value, list):
            raise _wrong_type(where, path, spec, value)
        if len(value) > spec.limit:
            raise DatasetError(
                f"{where}: datapackage.json field {path} has {len(value):,} entries, over the limit of "
                f"{spec.limit:,}: keep at most {spec.limit:,}"
            )
        if not value and spec.minimum:
            raise DatasetError(f"{where} has no {path} in its datapackage.json: {_FIX}")
        if len(value) < spec.minimum:
            raise DatasetError(
                f"{where}: datapackage.json field {path} has {len(value)} entries, needs {spec.minimum}: {_FIX}"
            )
        return [_check(item, spec.item, f"{path}[{i}]", where) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        raise _wrong_type(where, path, spec, value)
    for key in spec.required:
        if value.get(key) is None:
            raise DatasetError(f"{where} has no {_join(path, key)} in its datapackage.json: {_FIX}")
    checked = {}
    for key, item in value.items():
        if key in spec.fields:
            if item is not None:
                checked[key] = _check(item, spec.fields[key], _join(path, key), where)
        else:
            checked[key] = item  # not read by the atlas: carried as it is
    return checked


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _wrong_type(where: str, name: str, spec: Spec, value: object) -> DatasetError:
    found = {str: "text", list: "a list", dict: "an object", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )
    subject = f"datapackage.json field {name}" if name else "datapackage.json"
    return DatasetError(
        f"{where}: {subject} is {found}, not {_SHAPES[type(spec)]}: write it as {_SHAPES[type(spec)]}, or {_FIX}"
    )
