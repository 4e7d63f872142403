"""What every layer uses: the one-line user error, user text as data, Markdown escaping, a bounded memo.

Owns: :mod:`~geo.core.errors`, :mod:`~geo.core.text`, :mod:`~geo.core.markup`,
:mod:`~geo.core.memo`. Imports nothing from ``geo``.
"""
