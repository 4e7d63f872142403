"""Figures: the vocabulary, metrics with coverage, joins to shapes, comparisons and series over time.

Owns: :mod:`~geo.figures.vocabulary`, :mod:`~geo.figures.units` (counts per unit, with coverage),
:mod:`~geo.figures.metrics` (rates and ranks), :mod:`~geo.figures.join`,
:mod:`~geo.figures.compare`, :mod:`~geo.figures.history`, :mod:`~geo.figures.count_method`,
:mod:`~geo.figures.series_vendors`, :mod:`~geo.figures.baseline`, :mod:`~geo.figures.reference`,
:mod:`~geo.figures.published` (the published figures the pages quote),
:mod:`~geo.figures.selection` (the dashboard's selection and its URL) and
:mod:`~geo.figures.view` (everything a page shows for one selection).
May import: every layer below it (``core``, ``settings``, ``official``, ``names``, ``datasets``).
"""
