"""Camera tours as data: steps with dwell times, and where a running tour stands."""

from __future__ import annotations

from dataclasses import dataclass

TOUR_PREFIX = "tour/"


@dataclass(frozen=True)
class TourStep:
    camera: str  # source id
    dwell_s: float


@dataclass(frozen=True)
class Tour:
    name: str
    steps: tuple[TourStep, ...]

    @property
    def source_id(self) -> str:
        return TOUR_PREFIX + self.name


@dataclass(frozen=True)
class TourPosition:
    """What a tour tile shows right now."""

    tour: str
    camera: str | None  # source id, None while no camera has delivered yet
    step: int  # 0-based index into the steps
    steps: int
    paused: bool
    remaining_s: float
    skipped: tuple[str, ...]  # cameras skipped on the last advance (offline)
