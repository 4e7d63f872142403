"""UK Camera Atlas: the library behind the dashboard and the command line, importable without Streamlit.

A package of packages, one layer each. A module imports only from layers listed before its
own (siblings on one line do not import each other); ``tests/test_layers.py`` holds every
import to this:

``core``            the one-line error, user text as data, Markdown escaping, a bounded memo
``settings``        every environment variable and limit, defined once
``official``        the ONS files (mirror, download, validation), the areas frame, Leaflet
``names``           place names to LAD codes: keys, gazetteer, aliases, the resolver, towns
``datasets``        users' tables and workbooks read safely, the Dataset type, folders, zips
``shodan``, ``scan``  a raw Shodan export through DuckDB; live counts through a provider's API
``figures``         vocabulary, metrics with coverage, joins, compare, history, the selection
``pictures``        classes and palettes, captions, the ten-word finding, circles, figure tables
``pictures.web``, ``pictures.static``  the interactive map (folium); the static map (matplotlib)
``pictures.snapshot``  the front door for every file a map is saved as
``pictures.trends``    the Trends page's tables and the trend snapshot
``cli``             ``python -m geo`` (:mod:`geo.__main__` hands over to :mod:`geo.cli.main`)
"""

from geo.core.errors import AtlasError

__all__ = ["AtlasError", "LAYERS", "layer_of"]

# Bottom to top. An entry names packages or modules; a module belongs to the most specific
# entry that contains it, so ``geo.pictures.web.layers`` is in ``geo.pictures.web`` and
# ``geo.pictures.classes`` in ``geo.pictures``.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("geo.core",),
    ("geo.settings",),
    ("geo.official",),
    ("geo.names",),
    ("geo.datasets",),
    ("geo.shodan", "geo.scan"),
    ("geo.figures",),
    ("geo.pictures",),
    ("geo.pictures.web", "geo.pictures.static"),
    ("geo.pictures.snapshot",),
    ("geo.pictures.trends",),
    ("geo.cli",),
    ("geo.__main__",),
)


def layer_of(module: str) -> tuple[int, str]:
    """The layer ``module`` (a dotted name under ``geo``) sits in, and the entry that placed it.

    Raises ``ValueError`` for a module no entry contains, so a new package must be given a place.
    """
    best: tuple[int, str] | None = None
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            if module == entry or module.startswith(entry + "."):
                if best is None or len(entry) > len(best[1]):
                    best = (index, entry)
    if best is None:
        raise ValueError(f"{module} is in no layer of geo.LAYERS")
    return best
