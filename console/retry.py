"""Capped exponential backoff with jitter, for reconnecting (connectors, streams) without a thundering herd."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1 = first retry): base * 2^(attempt-1), capped,
    then scaled by a random factor in [0.5, 1.0] so many clients do not retry in step."""
    raw = min(cap, base * (2 ** max(0, attempt - 1)))
    r = (rng or random).random()
    return raw * (0.5 + 0.5 * r)
