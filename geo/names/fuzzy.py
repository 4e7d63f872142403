"""Fuzzy suggestions for a place name that matched nothing: near misses offered, never applied.

Scored with rapidfuzz against the resolver's choice keys (LAD names, aliases and larger
towns, normalised): :func:`suggest` for one key, :func:`suggest_many` for many at once.
QRatio first (about 15x faster than WRatio over ~2,000 choices, and it ranks misspellings as
well); WRatio only for keys QRatio finds nothing for (it also catches partial and reordered
names such as "Leeds cty").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 80
LIMIT = 5
# One core for scoring a large upload's names (rapidfuzz releases the GIL): the other stays free
# for every other session on the server (bench/bench_neighbours.py measures both choices).
FUZZY_WORKERS = 1


def _targets(indices: Iterable[int], targets: Sequence[str], limit: int) -> tuple[str, ...]:
    found: list[str] = []
    for index in indices:
        target = targets[int(index)]
        if target not in found:
            found.append(target)
    return tuple(found[:limit])


def suggest(key: str, choices: Sequence[str], targets: Sequence[str], limit: int = LIMIT) -> tuple[str, ...]:
    """Up to ``limit`` targets whose choice key is close to ``key``, best first."""
    hits = process.extract(key, choices, scorer=fuzz.QRatio, limit=limit * 3, score_cutoff=FUZZY_CUTOFF)
    if not hits:
        hits = process.extract(key, choices, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=FUZZY_CUTOFF)
    return _targets((index for _, _, index in hits), targets, limit)


def suggest_many(
    keys: list[str], choices: Sequence[str], targets: Sequence[str], limit: int = LIMIT, chunk: int = 2000
) -> dict[str, tuple[str, ...]]:
    """:func:`suggest` for many keys, scored in bulk (``rapidfuzz.process.cdist``; same order: score, then choice order).

    Keys without a suggestion are left out of the answer.
    """
    out: dict[str, tuple[str, ...]] = {}
    for scorer in (fuzz.QRatio, fuzz.WRatio):  # WRatio only for keys QRatio finds nothing for
        keys = [k for k in keys if k not in out]
        for start in range(0, len(keys), chunk):
            batch = keys[start : start + chunk]
            scores = process.cdist(
                batch, choices, scorer=scorer, score_cutoff=FUZZY_CUTOFF, dtype=np.uint8, workers=FUZZY_WORKERS
            )
            for key, row in zip(batch, scores):
                hits = np.flatnonzero(row)
                if hits.size:
                    ranked = hits[np.argsort(-row[hits].astype(int), kind="stable")][: limit * 3]
                    out[key] = _targets(ranked, targets, limit)
    return out
