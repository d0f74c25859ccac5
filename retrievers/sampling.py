"""One seeded draw for every sample the project takes of a list (dev questions to ask, rows a
teacher labels): the same seed picks the same items in every run, and they come back in the
list's own order, so a sample of a file reads like the file."""

from __future__ import annotations

import random


def seeded_indexes(total: int, count: int, seed: int) -> list[int]:
    """`count` of the indexes 0 … total − 1 (all of them when count ≥ total), drawn with `seed`,
    ascending."""
    return sorted(random.Random(seed).sample(range(total), min(count, total)))
