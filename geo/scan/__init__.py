"""Live counts through a provider's count API (Shodan with the user's own key), written as dated datasets.

Owns: :mod:`~geo.scan.provider` (the provider interface and the scan loop), :mod:`~geo.scan.http`
(bounded HTTP), :mod:`~geo.scan.shodan_api` (Shodan's ``/shodan/host/count``),
:mod:`~geo.scan.key_scrub` (keys out of text and logs), :mod:`~geo.scan.summary` (the cities resolved),
:mod:`~geo.scan.as_dataset` (the dataset and its folder).
May import: ``geo.core``, ``geo.settings``, ``geo.official``, ``geo.names``, ``geo.datasets``.
"""
