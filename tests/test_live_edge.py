"""How far behind live a stream is read (decoder.Lateness), on made-up clocks: what decides when a decoder skips
ahead to live and what delay a tile shows. A console runs for weeks against cameras whose clocks drift; it must
never take that drift for a decoder falling behind, and still catch a real backlog within seconds."""

from __future__ import annotations

import random

from console.media.decoder import CATCH_UP_AFTER_S, Lateness


def stream(seconds: float, fps: float = 25.0, clock_rate: float = 1.0, read_rate: float = 1.0,
           jitter_s: float = 0.0, seed: int = 1):
    """(wall clock, stream clock) of each packet: the camera's clock runs ``clock_rate`` times ours, the decoder
    reads ``read_rate`` times as fast as packets come (under 1: falling behind), arrival jitter up to ``jitter_s``."""
    rnd = random.Random(seed)
    n = int(seconds * fps)
    for i in range(n):
        sent = i / fps
        yield 1e9 + sent / read_rate + rnd.uniform(0, jitter_s), 5000.0 + sent * clock_rate


def worst(samples, lateness: Lateness, after_s: float = 0.0) -> float:
    first = None
    worst_seen = 0.0
    for now, t in samples:
        first = now if first is None else first
        behind = lateness.behind(now, t)
        if now - first >= after_s:
            worst_seen = max(worst_seen, behind)
    return worst_seen


def test_a_camera_clock_100_ppm_slow_is_not_taken_for_a_backlog_in_a_week() -> None:
    # One packet a second is enough to follow a drift: 7 days of a camera 100 ppm slow (60 s behind by then).
    assert worst(stream(7 * 86400, fps=1.0, clock_rate=1 - 100e-6), Lateness()) < 0.01
    assert worst(stream(7 * 86400, fps=1.0, clock_rate=1 + 100e-6), Lateness()) < 0.01  # and a fast one


def test_a_decoder_at_90_percent_of_real_time_is_caught_within_seconds() -> None:
    lateness = Lateness()
    for now, t in stream(30, read_rate=0.9):
        if lateness.behind(now, t) > CATCH_UP_AFTER_S:
            break
    else:
        raise AssertionError("never fell CATCH_UP_AFTER_S behind")
    assert now - 1e9 < 12  # 0.1 s more behind every second: about 10 s (+ the drift allowance)


def test_arrival_jitter_is_not_a_delay() -> None:
    assert worst(stream(600, jitter_s=0.03), Lateness(), after_s=1) < 0.05


def test_a_jump_of_the_cameras_clock_moves_the_reference() -> None:
    lateness = Lateness()
    for now, t in stream(10):
        lateness.behind(now, t)
    # The camera re-syncs its clock: its time stamps jump 10 s back (the packets look 10 s late) or ahead.
    assert lateness.behind(now + 0.04, t - 10.0 + 0.04) < 0.01
    assert lateness.behind(now + 0.08, t + 0.08) < 0.01
    # Pictures before and after a skip to live differ by a second: for the delay shown that is no jump.
    shown = Lateness(jump_s=None)
    shown.behind(0.0, 0.0)
    assert abs(shown.behind(10.0, 9.0) - 1.0) < 0.02
    assert shown.behind(10.04, 10.04) < 0.02
