"""The static map (matplotlib): a snapshot a newsroom prints as is, laid out per size preset.

May import: ``geo.pictures``' shared modules and the layers below; never ``web``, ``snapshot`` or ``trends``.
"""
