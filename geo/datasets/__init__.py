"""Datasets: reading users' tables and workbooks safely, the Dataset type, dataset folders and zips.

Owns: :mod:`~geo.datasets.tables`, :mod:`~geo.datasets.workbooks`, :mod:`~geo.datasets.columns`,
:mod:`~geo.datasets.counts`, :mod:`~geo.datasets.observations`, :mod:`~geo.datasets.dataset`
(the :class:`~geo.datasets.dataset.Dataset` type), :mod:`~geo.datasets.folders` and
:mod:`~geo.datasets.package_schema` (``datapackage.json``), :mod:`~geo.datasets.collection`
(dated counts), :mod:`~geo.datasets.time_order`, :mod:`~geo.datasets.exports` (safe CSV),
:mod:`~geo.datasets.limits`.
May import: ``geo.core``, ``geo.settings``, ``geo.official``, ``geo.names``.
"""
