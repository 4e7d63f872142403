"""Pictures: classification and palettes, the words around a map, the interactive and static maps, snapshots.

The shared parts sit here: :mod:`~geo.pictures.classes` (class breaks and their labels),
:mod:`~geo.pictures.palettes` (colours), :mod:`~geo.pictures.numbers` (number formats),
:mod:`~geo.pictures.captions`, :mod:`~geo.pictures.finding` (a ten-word title),
:mod:`~geo.pictures.circles` (the rules both renderers draw counts by), :mod:`~geo.pictures.figures_table`, and the pages' Altair specs
(:mod:`~geo.pictures.rate_charts`, :mod:`~geo.pictures.trend_charts`). Above them:
:mod:`geo.pictures.web` (folium/Leaflet) and :mod:`geo.pictures.static` (matplotlib), then
:mod:`~geo.pictures.snapshot`, the front door for every file format, then
:mod:`geo.pictures.trends` (the trend snapshot).
May import: every layer below it, never ``geo.cli``.
"""
