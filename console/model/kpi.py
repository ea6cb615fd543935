"""Indicators, samples, the administrative-unit tree and what a KPI tile shows. No Qt.

A KPI tile's reference is a plain string, so a preset or a briefing scene can recall exactly what a
tile showed: ``kpi/aqi?unit=w-hoalu&view=bars&range=24h`` (indicator, unit scope, view, time range).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import parse_qsl, quote, urlencode

from console.model.sources import AdminUnit, Quality

KPI_PREFIX = "kpi/"


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


PERIODS = ("live", "hour", "day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Indicator:
    """What is measured, how to read it and when it is bad.

    ``higher_is_better`` decides which way the thresholds point; ``rollup`` how a unit without values
    of its own is computed from its children ("sum", "mean", or "" for never)."""

    id: str
    name: str  # Vietnamese, as operators read it first
    name_en: str = ""
    unit_label: str = ""
    domain: str = "other"
    higher_is_better: bool = False
    target: float | None = None
    warning: float | None = None
    critical: float | None = None
    decimals: int = 0
    period: str = "live"  # live samples, or one value per hour/day/.../year
    stale_after_s: float = 600.0
    rollup: str = ""

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def status(self, value: float) -> Status:
        def beyond(limit: float | None) -> bool:
            if limit is None or math.isnan(value):
                return False
            return value <= limit if self.higher_is_better else value >= limit

        if beyond(self.critical):
            return Status.CRITICAL
        if beyond(self.warning):
            return Status.WARNING
        return Status.OK

    def better(self, delta: float) -> bool | None:
        """Whether a change of ``delta`` is good news (None: no change)."""
        if abs(delta) < 10 ** -(self.decimals + 1):
            return None
        return (delta > 0) == self.higher_is_better


@dataclass(frozen=True)
class KpiSample:
    """One value of one indicator for one unit. ``time``: when the backend measured it (or the end of
    the period it sums up), epoch seconds."""

    indicator: str
    unit: str
    time: float
    value: float
    quality: Quality = Quality.GOOD


class UnitTree:
    """The site's administrative units, any depth, with the codes units had before a merger.

    ``formerly`` maps an old code to the unit that took it over, so a department that still reports
    under the old commune's code lands on the new one."""

    def __init__(self, units: Iterable[AdminUnit], formerly: dict[str, str] | None = None) -> None:
        self.units = {u.code: u for u in units}
        self.formerly = dict(formerly or {})
        self._children: dict[str, list[str]] = {}
        for u in self.units.values():
            self._children.setdefault(u.parent, []).append(u.code)

    def resolve(self, code: str) -> str | None:
        if code in self.units:
            return code
        new = self.formerly.get(code)
        return new if new in self.units else None

    def roots(self) -> list[str]:
        return list(self._children.get("", []))

    def children(self, code: str) -> list[str]:
        return list(self._children.get(code, []))

    def name(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.name if unit else code

    def path(self, code: str) -> list[str]:
        """From the top unit down to ``code`` (the breadcrumb)."""
        out: list[str] = []
        seen: set[str] = set()
        while code and code in self.units and code not in seen:
            seen.add(code)
            out.append(code)
            code = self.units[code].parent
        return out[::-1]

    def default_scope(self) -> str:
        roots = self.roots()
        return roots[0] if roots else ""


VIEWS = ("card", "chart", "bars", "table")
RANGES = {"1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400, "1y": 365 * 86400}


class KpiRefError(ValueError):
    pass


@dataclass(frozen=True)
class KpiRef:
    """What one KPI tile shows: indicator, the unit in scope, the view and the time range."""

    indicator: str
    unit: str = ""  # "" : the site's top unit
    view: str = "card"
    range: str = "24h"

    @property
    def source_id(self) -> str:
        return KPI_PREFIX + self.indicator

    @property
    def range_s(self) -> float:
        return float(RANGES.get(self.range, 86400))

    def text(self) -> str:
        query = {k: v for k, v in (("unit", self.unit), ("view", self.view), ("range", self.range))
                 if v and not (k == "view" and v == "card") and not (k == "range" and v == "24h")}
        tail = "?" + urlencode(query, quote_via=quote) if query else ""
        return self.source_id + tail

    def with_(self, **changes: str) -> KpiRef:
        return replace(self, **changes)

    @classmethod
    @functools.lru_cache(maxsize=1024)
    def parse(cls, ref: str) -> KpiRef:
        """Parse a tile reference. Cached: every view asks for every KPI tile 50 times a second, and a
        wall shows a handful of references (a bad one raises each time, it is not cached)."""
        if not ref.startswith(KPI_PREFIX):
            raise KpiRefError(f"{ref!r} is not a KPI tile (it must start with {KPI_PREFIX!r})")
        head, _, query = ref[len(KPI_PREFIX):].partition("?")
        if not head:
            raise KpiRefError(f"{ref!r} names no indicator")
        args = dict(parse_qsl(query, keep_blank_values=True))
        unknown = set(args) - {"unit", "view", "range"}
        if unknown:
            raise KpiRefError(f"{ref!r}: unknown setting {sorted(unknown)[0]!r} (known: unit, view, range)")
        view = args.get("view") or "card"
        if view not in VIEWS:
            raise KpiRefError(f"{ref!r}: view {view!r} is not one of {', '.join(VIEWS)}")
        rng = args.get("range") or "24h"
        if rng not in RANGES:
            raise KpiRefError(f"{ref!r}: range {rng!r} is not one of {', '.join(RANGES)}")
        return cls(head, args.get("unit", ""), view, rng)


def is_kpi_ref(ref: str | None) -> bool:
    return bool(ref) and ref.startswith(KPI_PREFIX)  # type: ignore[union-attr]


def base_source_id(ref: str) -> str:
    """The source a tile reference names (a KPI tile's settings after ``?`` left out)."""
    return ref.partition("?")[0]
