"""Official data: obtaining and validating the ONS files, the areas frame, the map's browser assets.

Owns: :mod:`~geo.official.download` (HTTP with retries), :mod:`~geo.official.sources`
(the mirror, the cache, validation by content), :mod:`~geo.official.areas` (LADs with
population, land area and region), :mod:`~geo.official.assets` (Leaflet from the npm registry).
May import: ``geo.core``, ``geo.settings``.
"""
