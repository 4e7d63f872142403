"""Place names: normalising, the gazetteer, aliases and the resolver from a name to LAD codes.

Owns: :mod:`~geo.names.keys` (comparison keys, qualifiers, GSS codes), :mod:`~geo.names.gazetteer`,
:mod:`~geo.names.index` (aliases, LAD names, groups), :mod:`~geo.names.places` (the resolver),
:mod:`~geo.names.qualifiers` (names with qualifiers), :mod:`~geo.names.resolution` (what one name resolved to),
:mod:`~geo.names.choices` (the user's choices), :mod:`~geo.names.fuzzy` (suggestions),
:mod:`~geo.names.towns` (a town inside a larger area), :mod:`~geo.names.match_summary`.
May import: ``geo.core``, ``geo.settings``, ``geo.official``.
"""
