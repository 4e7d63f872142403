"""geo.shodan.importer: city names without coordinates cost bounded work, stop when the session goes, and are quoted safely.

A made-up export can name a new city on every line; each distinct name is looked up once,
without fuzzy suggestions, at most CAMERA_ATLAS_MAX_TABLE_PLACES of them (those with the most
banners first), and the progress callback, which raises Cancelled once the session has gone,
is called while they are placed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import pytest
from test_shodan import banner

from geo.core.errors import Cancelled
from geo.datasets.limits import MAX_TABLE_PLACES_ENV
from geo.names import places
from geo.names.resolution import Resolution
from geo.shodan import importer
from geo.shodan import tally as shodan_tally


def export(path: Path, cities: list[str]) -> Path:
    """One Hikvision banner in GB per city, no coordinates, each from its own address."""
    lines = [
        json.dumps(banner(f"81.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", at=None, city=city))
        for i, city in enumerate(cities)
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def made_up(count: int) -> list[str]:
    return [f"Qwxz Town {i}" for i in range(count)]


class Counting:
    """A resolver wrapper that counts the names asked for (the resolver itself is frozen)."""

    def __init__(self, resolver: places.Resolver) -> None:
        self.resolver = resolver
        self.asked: list[str] = []

    def resolve(self, name: str, *args, **kwargs) -> Resolution:
        self.asked.append(name)
        return self.resolver.resolve(name, *args, **kwargs)


def test_distinct_cities_are_capped_most_banners_first(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setenv(MAX_TABLE_PLACES_ENV, "3")
    cities = ["Leeds"] * 3 + ["York"] * 2 + made_up(40) + ["Hull"]  # one banner each: ties go by name, Hull first
    counting = Counting(resolver)
    result = importer.ingest(export(tmp_path / "many.json.gz", cities), areas_frame, counting)
    assert counting.asked == ["Leeds", "York", "Hull"]
    placed = dict(zip(result.observations["place"], result.observations["networks"]))
    assert placed == {"Leeds": 3, "York": 2, "Kingston upon Hull, City of": 1}
    note = next(n for n in result.notes if "not looked up" in n)
    assert "40 city names beyond the 3 with the most banners" in note and MAX_TABLE_PLACES_ENV in note
    assert result.skipped["no_location"] == 40


def test_the_cap_can_be_given_and_each_distinct_name_is_asked_once(tmp_path, areas_frame, resolver) -> None:
    cities = ["Leeds", "Leeds", "York", *made_up(20)]
    counting = Counting(resolver)
    result = importer.ingest(export(tmp_path / "x.json.gz", cities), areas_frame, counting, max_cities=30)
    assert sorted(counting.asked) == sorted(dict.fromkeys(cities))
    assert not any("not looked up" in n for n in result.notes)


def test_placing_cities_fills_no_shared_memo_and_scores_no_suggestions(
    tmp_path, areas_frame: gpd.GeoDataFrame, monkeypatch
) -> None:
    fresh = places.build_resolver(areas_frame)
    monkeypatch.setattr(places, "suggest", lambda *a, **k: pytest.fail("fuzzy suggestions scored for a Shodan city"))
    monkeypatch.setattr(
        places, "suggest_many", lambda *a, **k: pytest.fail("fuzzy suggestions scored for a Shodan city")
    )
    importer.ingest(export(tmp_path / "x.json.gz", ["Leeds", *made_up(300)]), areas_frame, fresh)
    assert len(fresh.memo) <= 1  # Leeds at most: one-off names evict nobody else's


def test_the_session_going_stops_placing_promptly(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setattr(shodan_tally, "PROGRESS_EVERY", 50)
    counting = Counting(resolver)
    calls: list[float] = []

    def progress(fraction: float, message: str) -> None:
        calls.append(fraction)
        if counting.asked:  # the session goes once the first city has been looked up
            raise Cancelled()

    with pytest.raises(Cancelled):
        importer.ingest(
            export(tmp_path / "x.json.gz", ["Leeds", *made_up(1_000)]), areas_frame, counting, progress=progress
        )
    assert 0 < len(counting.asked) <= 50
    assert all(a <= b for a, b in zip(calls, calls[1:]))  # fractions still only grow


def test_unplaced_city_names_are_quoted_safely_in_the_notes(tmp_path, areas_frame, resolver) -> None:
    result = importer.ingest(
        export(tmp_path / "x.json.gz", ["Leeds", "\u202eLeeds", "Q" * 5_000]), areas_frame, resolver
    )
    note = next(n for n in result.notes if n.startswith("city names not placed"))
    assert "\u202e" not in note and "\\u202eLeeds" in note
    assert "Q" * 200 not in note  # a long name is cut short
    assert dict(zip(result.observations["place"], result.observations["networks"])) == {"Leeds": 1}
