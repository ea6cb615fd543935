"""What the KPI connector tests share: a small site, and a real Supervisor on a plain asyncio loop that
records the samples and health messages the bus delivered."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from connectors.registry import Registry
from connectors.reports import ReportsConnector
from connectors.rest import RestConnector
from connectors.sql import SqlConnector
from console.bus import Bus
from console.messages import ConnectorHealthChanged, SamplesReceived
from console.model.kpi import Indicator, KpiSample
from console.model.sources import AdminUnit
from console.supervisor import Supervisor

T = TypeVar("T")

INDICATORS = (
    Indicator("aqi", "Chỉ số chất lượng không khí", "Air quality index", "AQI", "environment"),
    Indicator("water_loss", "Tỷ lệ thất thoát nước", "Water loss", "%", "utilities", decimals=1),
    Indicator("revenue", "Thu ngân sách", "Budget revenue", "tỷ đồng", "finance", higher_is_better=True),
)
UNITS = (
    AdminUnit("NB", "Ninh Bình", "province"),
    AdminUnit("HL", "Phường Hoa Lư", "ward", "NB"),
    AdminUnit("TT", "Phường Tam Điệp", "ward", "NB"),
    AdminUnit("YM", "Xã Yên Mô", "commune", "NB"),
)
# Communes merged into Yên Mô: departments still report under the old codes.
FORMERLY = {"YM-CU": "YM", "YT": "YM"}

# Threads the KPI connectors start: none may outlive the test.
OWN_THREADS = ("reports-", "asyncio_")


class KpiEnv:
    """One loop, bus and supervisor per test. The bus delivers on the loop's thread, as in the console."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.bus = Bus(post=lambda fn: self.loop.call_soon_threadsafe(fn))
        self.registry = Registry()
        self.registry.register("sql", SqlConnector)
        self.registry.register("rest", RestConnector)
        self.registry.register("reports", ReportsConnector)
        self.health: list[ConnectorHealthChanged] = []
        self.batches: list[SamplesReceived] = []
        self.bus.subscribe(ConnectorHealthChanged, self.health.append)
        self.bus.subscribe(SamplesReceived, self.batches.append)
        self.supervisor: Supervisor | None = None
        self._threads_before = {t.ident for t in threading.enumerate()}

    # -- driving the loop --------------------------------------------------------------------
    def run_until_complete(self, aw: Awaitable[T]) -> T:
        # tests/conftest.py may keep a qasync loop marked as running for the session: step it aside.
        outer = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            return self.loop.run_until_complete(aw)
        finally:
            asyncio.events._set_running_loop(outer)

    def start(self, name: str, kind: str, config: Any, **kwargs: Any) -> Supervisor:
        kwargs.setdefault("retry_base_s", 0.05)
        kwargs.setdefault("retry_cap_s", 0.2)
        kwargs.setdefault("indicators", INDICATORS)
        kwargs.setdefault("formerly", FORMERLY)
        sup = Supervisor(self.bus, self.registry, [(name, kind, True)], {name: config}, UNITS, **kwargs)
        self.supervisor = sup

        async def go() -> None:
            sup.start()

        self.run_until_complete(go())
        return sup

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        async def poll() -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {what or predicate}; "
                                         f"health: {self.health[-3:]}")
                await asyncio.sleep(0.01)

        self.run_until_complete(poll())

    def idle(self, seconds: float) -> None:
        """Let the connectors run for a while (to see that nothing more arrives)."""
        self.run_until_complete(asyncio.sleep(seconds))

    # -- what the bus delivered ---------------------------------------------------------------
    def samples(self, name: str | None = None) -> list[KpiSample]:
        return [s for b in self.batches if name is None or b.connector == name for s in b.samples]

    def last(self, name: str) -> ConnectorHealthChanged:
        return [h for h in self.health if h.connector == name][-1]

    def states(self, name: str) -> list[str]:
        out: list[str] = []
        for h in self.health:
            if h.connector == name and (not out or out[-1] != h.state):
                out.append(h.state)
        return out

    def details(self, name: str) -> list[str]:
        """Every status line the connector showed, in order, repeats left out."""
        out: list[str] = []
        for h in self.health:
            if h.connector == name and (not out or out[-1] != h.detail):
                out.append(h.detail)
        return out

    def texts(self, name: str) -> list[str]:
        """Everything the operator could read about the connector: errors and status lines."""
        return [t for h in self.health if h.connector == name for t in (h.last_error, h.detail) if t]

    def rejected(self, name: str) -> int:
        assert self.supervisor is not None
        ctx = self.supervisor.runners[name].ctx
        return ctx.rejected if ctx is not None else 0

    # -- the end ------------------------------------------------------------------------------
    def stop(self) -> None:
        if self.supervisor is not None:
            self.run_until_complete(asyncio.wait_for(self.supervisor.stop(), 10))
            self.supervisor = None

    def close(self) -> None:
        try:
            self.stop()
            left = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            assert left == [], f"tasks left running: {left}"
            self.run_until_complete(self.loop.shutdown_default_executor())
            deadline = time.monotonic() + 5
            while self._leftover_threads() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not self._leftover_threads(), f"threads left running: {self._leftover_threads()}"
        finally:
            self.loop.close()

    def _leftover_threads(self) -> list[str]:
        return [t.name for t in threading.enumerate()
                if t.ident not in self._threads_before and t.is_alive() and t.name.startswith(OWN_THREADS)]


def ticker(gaps: list[float]) -> Callable[[], Awaitable[None]]:
    """A coroutine that sleeps 20 ms at a time and records how late each wake-up was: a blocked
    loop shows as a large gap."""

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    return tick
