"""UK Camera Atlas geography library.

Pure functions over pandas/GeoPandas frames, importable without Streamlit:
``sources`` (official ONS files), ``areas`` (LAD polygons with population and land area),
``places`` (name resolution), ``datasets`` (observation tables), ``metrics`` (rates and
ranks), ``assets`` (the map's Leaflet files from the npm registry), ``download`` (HTTP with
retries), and the command line in ``__main__``.
"""

from geo.core.errors import AtlasError

__all__ = ["AtlasError"]
