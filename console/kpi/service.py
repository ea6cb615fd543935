"""KpiService: takes connectors' KPI values into the book, raises threshold alerts, lists indicators.

Thread: GUI thread (the bus delivers there). Values from a backend that do not fit (unknown
indicator or unit, a broken number) are counted and logged once a minute per kind, never raised.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from console.bus import Bus
from console.kpi.book import KpiBook
from console.messages import SamplesReceived, SourcesChanged
from console.model.alerts import AlertEvent
from console.model.kpi import KPI_PREFIX, Indicator, Status, UnitTree
from console.model.sources import Source, SourceKind
from console.store import Store

log = logging.getLogger(__name__)


class AlertSubmitter(Protocol):
    def submit(self, events: list[AlertEvent], on_stored: Callable[[], None] | None = None) -> None: ...


class KpiService:
    def __init__(self, bus: Bus, store: Store, indicators: Iterable[Indicator], units: UnitTree,
                 alerts: AlertSubmitter | None = None,
                 title: Callable[[Indicator, str, Status, float], str] | None = None,
                 max_points: int = 200_000) -> None:
        self.bus = bus
        self.book = KpiBook(indicators, units, max_points=max_points)
        if title is not None:
            self.book.title = title
        self.units = units
        self.alerts = alerts
        self.providers = store.kpi_providers  # indicator -> the connector that last sent values for it
        store.kpi_book, store.kpi_units = self.book, units
        self.problems: dict[str, int] = {}  # connector -> values refused so far
        self._logged: dict[str, float] = {}
        bus.subscribe(SamplesReceived, self._on_samples)

    def publish_sources(self) -> None:
        self.bus.publish(SourcesChanged("kpi", tuple(
            Source(KPI_PREFIX + ind.id, SourceKind.KPI, ind.name, "kpi", unit=self.units.default_scope(),
                   tags=(ind.domain,), detail=ind.unit_label)
            for ind in self.book.indicators.values())))

    def _on_samples(self, msg: SamplesReceived) -> None:
        problems, events = self.book.ingest(msg.samples)
        for s in msg.samples:
            if s.indicator in self.book.indicators:
                self.providers[s.indicator] = msg.connector
        if problems:
            self.problems[msg.connector] = self.problems.get(msg.connector, 0) + len(problems)
            now = time.time()
            kind = re.sub(r"\d+", "", problems[0].split(":", 1)[0])[:60]
            if now - self._logged.get(kind, 0.0) > 60:
                self._logged[kind] = now
                log.warning("connector %r: %d values refused (%d so far), e.g. %s", msg.connector, len(problems),
                            self.problems[msg.connector], problems[0])
        if events and self.alerts is not None:
            self.alerts.submit(events)
