"""KpiBook: every indicator's values per unit, what the tiles read, and threshold crossings. No Qt.

Values are kept per (indicator, unit) in growing numpy arrays (time, value), so a chart of 100,000
points is a slice, not a copy of Python objects. Thread: whoever owns it (the GUI thread in the
console); it never blocks and does no I/O.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from console.model.alerts import AlertEvent, Severity
from console.model.kpi import Indicator, KpiSample, Status, UnitTree
from console.model.sources import Quality

# Samples that arrive more than this far in the future are a backend's clock gone wrong.
FUTURE_SLACK_S = 300.0


class Series:
    """Times and values of one indicator for one unit, sorted by time."""

    def __init__(self, max_points: int) -> None:
        self.max_points = max_points
        self._t = np.empty(256, dtype=np.float64)
        self._v = np.empty(256, dtype=np.float64)
        self.n = 0
        self.quality = Quality.GOOD

    @property
    def times(self) -> np.ndarray:
        return self._t[: self.n]

    @property
    def values(self) -> np.ndarray:
        return self._v[: self.n]

    def add(self, t: float, v: float) -> None:
        n = self.n
        if n and t <= self._t[n - 1]:
            i = int(np.searchsorted(self._t[:n], t))
            if i < n and self._t[i] == t:
                self._v[i] = v  # a corrected value for the same time replaces the old one
                return
            self._grow(n + 1)
            self._t[i + 1: n + 1] = self._t[i:n]
            self._v[i + 1: n + 1] = self._v[i:n]
            self._t[i], self._v[i] = t, v
        else:
            self._grow(n + 1)
            self._t[n], self._v[n] = t, v
        self.n = n + 1
        if self.n > self.max_points:
            # Forget the oldest quarter at once, so trimming is rare and cheap on average.
            keep = self.max_points * 3 // 4
            self._t[:keep] = self._t[self.n - keep: self.n]
            self._v[:keep] = self._v[self.n - keep: self.n]
            self.n = keep

    def _grow(self, need: int) -> None:
        if need <= len(self._t):
            return
        size = max(need, len(self._t) * 2)
        for name in ("_t", "_v"):
            old = getattr(self, name)
            new = np.empty(size, dtype=np.float64)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def index_at(self, at: float | None) -> int:
        """Index of the newest sample at or before ``at`` (None: the newest); -1 when there is none."""
        if at is None:
            return self.n - 1
        return int(np.searchsorted(self._t[: self.n], at, side="right")) - 1

    def window(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        lo = int(np.searchsorted(self._t[: self.n], t0, side="left"))
        hi = int(np.searchsorted(self._t[: self.n], t1, side="right"))
        return self._t[lo:hi], self._v[lo:hi]


@dataclass(frozen=True)
class Reading:
    """What a card or bar shows for one unit: the value, its time, the previous one, its status."""

    value: float
    time: float
    quality: Quality
    status: Status
    previous: float | None = None
    rolled_up: int = 0  # computed from this many children (0: the unit's own value)

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous


def _default_title(ind: Indicator, unit_name: str, status: Status, value: float) -> str:
    level = "critical" if status == Status.CRITICAL else "warning"
    return f"{ind.name}: {value:g} {ind.unit_label} ({level} threshold) - {unit_name}"


class KpiBook:
    def __init__(self, indicators: Iterable[Indicator], units: UnitTree, max_points: int = 200_000,
                 source: str = "kpi",
                 title: Callable[[Indicator, str, Status, float], str] = _default_title) -> None:
        self.indicators = {i.id: i for i in indicators}
        self.units = units
        self.max_points = max_points
        self.source = source  # the alert source name for threshold alerts
        self.title = title
        self._series: dict[tuple[str, str], Series] = {}
        self._alerting: dict[tuple[str, str], Status] = {}
        self.versions: dict[str, int] = {}  # per indicator, bumps on every change
        self.last_received: dict[str, float] = {}  # per indicator: when a value last came in

    # -- writing --------------------------------------------------------------------------
    def ingest(self, samples: Iterable[KpiSample], now: float | None = None) -> tuple[list[str], list[AlertEvent]]:
        """Add samples. Returns the problems (one line each, saying which value and why) and the
        threshold alerts to raise or clear: one per crossing, never one per sample."""
        now = time.time() if now is None else now
        problems: list[str] = []
        touched: dict[tuple[str, str], None] = {}
        for s in samples:
            ind = self.indicators.get(s.indicator)
            if ind is None:
                problems.append(f"unknown indicator {s.indicator!r} (known: {', '.join(sorted(self.indicators))})")
                continue
            unit = self.units.resolve(s.unit)
            if unit is None:
                problems.append(f"{s.indicator}: unknown unit code {s.unit!r}")
                continue
            if not math.isfinite(s.value) or not math.isfinite(s.time):
                problems.append(f"{s.indicator}/{unit}: value {s.value!r} at {s.time!r} is not a finite number")
                continue
            if s.time > now + FUTURE_SLACK_S:
                problems.append(f"{s.indicator}/{unit}: time {s.time:.0f} is in the future (clock wrong?)")
                continue
            key = (ind.id, unit)
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = Series(self.max_points)
            if unit != s.unit and series.n and series.times[-1] == s.time and ind.rollup == "sum":
                # Two former units reporting the same period under the new one: their values add up.
                series.add(s.time, float(series.values[-1]) + s.value)
            else:
                series.add(s.time, s.value)
            series.quality = s.quality
            touched[key] = None
            self.versions[ind.id] = self.versions.get(ind.id, 0) + 1
            self.last_received[ind.id] = now
        return problems, self._crossings(touched, now)

    def _crossings(self, touched: Iterable[tuple[str, str]], now: float) -> list[AlertEvent]:
        events = []
        for ind_id, unit in touched:
            ind = self.indicators[ind_id]
            series = self._series[(ind_id, unit)]
            value = float(series.values[-1])
            status = ind.status(value)
            before = self._alerting.get((ind_id, unit), Status.OK)
            if status == before:
                continue
            self._alerting[(ind_id, unit)] = status
            key = f"{ind_id}@{unit}"
            unit_name = self.units.name(unit)
            when = float(series.times[-1])
            severity = Severity.CRITICAL if status == Status.CRITICAL else Severity.MAJOR
            events.append(AlertEvent(
                self.source, key, severity, ind.domain, self.title(ind, unit_name, status, value),
                unit=unit, location=unit_name, source_time=when, received_time=now,
                clear=status == Status.OK))
        return events

    # -- reading --------------------------------------------------------------------------
    def series(self, indicator: str, unit: str) -> Series | None:
        return self._series.get((indicator, unit))

    def has_data(self, indicator: str) -> bool:
        return any(k[0] == indicator for k in self._series)

    def reading(self, indicator: str, unit: str, at: float | None = None) -> Reading | None:
        """The unit's latest value (at or before ``at``, for a frozen briefing), or its children's
        rollup when it has none of its own."""
        ind = self.indicators.get(indicator)
        if ind is None:
            return None
        series = self._series.get((indicator, unit))
        if series is not None and series.n:
            i = series.index_at(at)
            if i >= 0:
                value, t = float(series.values[i]), float(series.times[i])
                return Reading(value, t, series.quality, ind.status(value), self._previous(ind, series, i))
        if not ind.rollup:
            return None
        kids = [r for code in self.units.children(unit) if (r := self.reading(indicator, code, at)) is not None]
        if not kids:
            return None
        values = [r.value for r in kids]
        value = sum(values) if ind.rollup == "sum" else sum(values) / len(values)
        prev_values = [r.previous for r in kids if r.previous is not None]
        previous = None
        if len(prev_values) == len(kids):
            previous = sum(prev_values) if ind.rollup == "sum" else sum(prev_values) / len(prev_values)
        quality = Quality.GOOD if all(r.quality == Quality.GOOD for r in kids) else Quality.UNCERTAIN
        return Reading(value, min(r.time for r in kids), quality, ind.status(value), previous, len(kids))

    @staticmethod
    def _previous(ind: Indicator, series: Series, i: int) -> float | None:
        """The value to compare with: the previous period's, or for live samples the one an hour before."""
        if ind.period != "live":
            return float(series.values[i - 1]) if i >= 1 else None
        j = series.index_at(float(series.times[i]) - 3600.0)
        return float(series.values[j]) if j >= 0 and j != i else (float(series.values[0]) if i > 0 else None)

    def children_readings(self, indicator: str, unit: str, at: float | None = None) -> list[tuple[str, Reading | None]]:
        return [(code, self.reading(indicator, code, at)) for code in self.units.children(unit)]

    def status_of(self, indicator: str, unit: str) -> Status:
        return self._alerting.get((indicator, unit), Status.OK)
