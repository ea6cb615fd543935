"""DemoConnector: a living province for a newcomer and for tests, with the real data shapes."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import deque

from pydantic import Field

from connectors.api import Connector, ConnectorConfig
from connectors.demo import clips
from connectors.demo.catalog import ALERT_TEMPLATES, CAMERAS, DOCUMENTS, INDICATORS
from console.model.alerts import AlertEvent, Severity
from console.model.sources import DocumentText, KpiValue, Quality, Source, SourceKind, StreamSpec


class DemoConfig(ConnectorConfig):
    kpi_every_s: float = Field(2.0, gt=0, le=3600, title="KPI update interval", json_schema_extra={"unit": "s"})
    alert_every_s: float = Field(6.0, gt=0, le=3600, title="Mean time between alerts",
                                 json_schema_extra={"unit": "s"})
    seed: int = Field(1, title="Random seed")


class DemoConnector(Connector):
    Config = DemoConfig
    kind = "demo"

    def __init__(self, name: str, config: DemoConfig, ctx) -> None:
        super().__init__(name, config, ctx)
        self.config: DemoConfig = config
        self._rng = random.Random(config.seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._series: dict[str, deque[float]] = {}
        units = list(ctx.units)
        self._top = [u for u in units if not u.parent]
        self._leaves = [u for u in units if u.parent]
        self._names = {u.code: u.name for u in units}

    def sid(self, local: str) -> str:
        return f"{self.name}/{local}"

    def declared_sources(self) -> list[Source]:
        return self._cameras(clips.clips_ready(len(CAMERAS))) + self._others()

    def _others(self) -> list[Source]:
        out = []
        for ind in INDICATORS:
            for u in self._top + self._leaves:
                out.append(Source(self.sid(f"kpi-{ind.id}-{u.code}"), SourceKind.KPI, f"{ind.name} - {u.name}",
                                  self.name, u.code, (), ind.unit_label))
        for did, title, _lines in DOCUMENTS:
            out.append(Source(self.sid(f"doc-{did}"), SourceKind.DOCUMENT, title, self.name))
        return out

    async def start(self) -> None:
        self._stop.clear()
        if not clips.clips_ready(len(CAMERAS)):
            # Seconds of encoding, once per machine: off the loop, the wall shows "connecting" meanwhile.
            self._thread = threading.Thread(target=self._make_clips, name=f"{self.name}-clips", daemon=True)
            self._thread.start()
        now = time.time()
        for did, title, lines in DOCUMENTS:
            self.ctx.publish(DocumentText(self.sid(f"doc-{did}"), title, lines, now))
        # A first round of values and a few alerts so the wall is never empty.
        for _ in range(24):
            self._publish_kpis(now, history_only=True)
        self._publish_kpis(now)
        for _ in range(4):
            self._publish_alert(now)

    async def run(self) -> None:
        next_kpi = time.monotonic() + self.config.kpi_every_s
        next_alert = time.monotonic() + self._rng.expovariate(1 / self.config.alert_every_s)
        while True:
            now = time.monotonic()
            if now >= next_kpi:
                self._publish_kpis(time.time())
                next_kpi = now + self.config.kpi_every_s
            if now >= next_alert:
                self._publish_alert(time.time())
                next_alert = now + self._rng.expovariate(1 / self.config.alert_every_s)
            await asyncio.sleep(max(0.05, min(next_kpi, next_alert) - time.monotonic()))

    async def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            # Wait without blocking the loop and without borrowing an executor thread.
            deadline = time.monotonic() + 60
            while self._thread.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            self._thread = None

    # -- values ---------------------------------------------------------------------------
    def _publish_kpis(self, now: float, history_only: bool = False) -> None:
        for ind in INDICATORS:
            for u in self._top + self._leaves:
                sid = self.sid(f"kpi-{ind.id}-{u.code}")
                series = self._series.setdefault(sid, deque(maxlen=48))
                prev = series[-1] if series else ind.base + self._rng.uniform(-ind.spread, ind.spread) / 2
                drift = (ind.base - prev) * 0.1 + self._rng.gauss(0, ind.spread * 0.12)
                value = max(0.0, round(prev + drift, ind.decimals))
                series.append(value)
                if history_only:
                    continue
                worse_up = not ind.higher_is_better
                status = "ok"
                if (value >= ind.critical) if worse_up else (value <= ind.critical):
                    status = "critical"
                elif (value >= ind.warning) if worse_up else (value <= ind.warning):
                    status = "warning"
                self.ctx.publish(KpiValue(sid, value, ind.unit_label, now, Quality.GOOD, status, tuple(series)))

    def _publish_alert(self, now: float) -> None:
        domain, severity, template = self._rng.choice(ALERT_TEMPLATES)
        cam = self._rng.choice(CAMERAS)
        place = f"{cam.location} ({self._names.get(cam.unit, cam.unit)})"
        # Keys repeat now and then (the same camera, the same kind of event): the queue counts them.
        key = f"{domain}-{cam.id}-{self._rng.randrange(6)}"
        deadline = now + 4 * 3600 if domain == "citizen_report" else None
        self.ctx.submit_alerts([AlertEvent(self.name, key, Severity[severity.upper()], domain,
                                           template.format(place=place), unit=cam.unit, location=cam.location,
                                           cameras=(self.sid(cam.id),), source_time=now, received_time=now,
                                           deadline=deadline)])

    # -- cameras: clips made on first run (own thread), then played as looped live streams --------
    def _cameras(self, playable: bool) -> list[Source]:
        out = []
        for i, c in enumerate(CAMERAS):
            main = sub = None
            if playable:
                main = StreamSpec(str(clips.clip_path(i, "main")), "file")
                sub = StreamSpec(str(clips.clip_path(i, "sub")), "file")
            out.append(Source(self.sid(c.id), SourceKind.CAMERA, c.name, self.name, c.unit, c.tags, c.location,
                              main, sub))
        return out

    def _make_clips(self) -> None:
        try:
            clips.ensure_clips(len(CAMERAS), self._stop)
        except Exception:
            self.ctx.log.exception("could not make the demo camera clips")
            return
        if not self._stop.is_set():
            self.ctx.set_sources(self._cameras(True) + self._others())
