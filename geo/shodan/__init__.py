"""A raw Shodan export, imported: distinct camera networks per vendor per local authority, through DuckDB.

Owns: :mod:`~geo.shodan.importer` (the front door), :mod:`~geo.shodan.source` (size limits,
sniffing), :mod:`~geo.shodan.stream` (inflating into segments), :mod:`~geo.shodan.duckdb_pass`
(the SQL pass), :mod:`~geo.shodan.rules` (what a banner is), :mod:`~geo.shodan.tally` (placing
and counting). Not the live count API: that is :mod:`geo.scan`.
May import: ``geo.core``, ``geo.settings``, ``geo.official``, ``geo.names``, ``geo.datasets``.
"""
