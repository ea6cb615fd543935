"""DemoConnector: a living province for a newcomer and for tests, with the real data shapes."""

from __future__ import annotations

import asyncio
import datetime
import random
import threading
import time
from pathlib import Path

from pydantic import Field

from connectors.api import Connector, ConnectorConfig
from connectors.demo import clips, kpi_data
from connectors.demo.catalog import ALERT_TEMPLATES, CAMERAS, DOCUMENTS, REGISTER
from console.model.alerts import AlertEvent, Severity
from console.model.documents import DocumentItem, DocumentListing
from console.model.sources import DocumentText, Source, SourceKind, StreamSpec


class DemoConfig(ConnectorConfig):
    kpi_every_s: float = Field(2.0, gt=0, le=3600, title="KPI update interval", json_schema_extra={"unit": "s"})
    kpi_db: str = Field("", title="KPI database the demo keeps alive",
                        description="Built when missing; new readings appended every KPI interval. "
                                    "Relative to the site file's folder. Empty: no KPI values.")
    alert_every_s: float = Field(6.0, gt=0, le=3600, title="Mean time between alerts",
                                 json_schema_extra={"unit": "s"})
    seed: int = Field(1, title="Random seed")
    documents_dir: str = Field("", title="Folder of the register's files",
                               description="The demo's register of papers links its files here (relative to "
                                           "the site file's folder). Empty: no register.")


class DemoConnector(Connector):
    Config = DemoConfig
    kind = "demo"

    def __init__(self, name: str, config: DemoConfig, ctx) -> None:
        super().__init__(name, config, ctx)
        self.config: DemoConfig = config
        self._rng = random.Random(config.seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._kpi_db = ctx.resolve_path(config.kpi_db) if config.kpi_db else None
        self._appender = kpi_data.LiveAppender(self._kpi_db) if self._kpi_db else None
        units = list(ctx.units)
        self._names = {u.code: u.name for u in units}

    def sid(self, local: str) -> str:
        return f"{self.name}/{local}"

    def declared_sources(self) -> list[Source]:
        return self._cameras(clips.clips_ready(len(CAMERAS))) + self._others()

    def _others(self) -> list[Source]:
        out = []
        for did, title, _lines in DOCUMENTS:
            out.append(Source(self.sid(f"doc-{did}"), SourceKind.DOCUMENT, title, self.name))
        if self.config.documents_dir:
            out.append(Source(self.sid("van-ban"), SourceKind.DOCUMENT_LIST, "Văn bản đến/đi", self.name))
            for item in self._register():
                if item.file:
                    out.append(Source(self.sid(item.id), SourceKind.DOCUMENT, f"{item.number} {item.summary}",
                                      self.name, detail=Path(item.file).suffix[1:].upper(), file=item.file))
        return out

    def _register(self) -> list[DocumentItem]:
        """The register as a document-management system would list it, newest first."""
        folder = self.ctx.resolve_path(self.config.documents_dir)
        today = datetime.date.today()
        items = []
        for iid, number, direction, age, issuer, summary, due, done, file in REGISTER:
            deadline = (today + datetime.timedelta(days=due)).isoformat() if due is not None else ""
            items.append(DocumentItem(iid, number, direction,
                                      (today - datetime.timedelta(days=age)).isoformat(), issuer, summary, deadline,
                                      done, file=str(folder / file) if file and (folder / file).exists() else ""))
        return sorted(items, key=lambda i: i.date, reverse=True)

    async def start(self) -> None:
        self._stop.clear()
        if not clips.clips_ready(len(CAMERAS)):
            # Seconds of encoding, once per machine: off the loop, the wall shows "connecting" meanwhile.
            self._thread = threading.Thread(target=self._make_clips, name=f"{self.name}-clips", daemon=True)
            self._thread.start()
        now = time.time()
        for did, title, lines in DOCUMENTS:
            self.ctx.publish(DocumentText(self.sid(f"doc-{did}"), title, lines, now))
        if self.config.documents_dir:
            self.ctx.publish(DocumentListing(self.sid("van-ban"), tuple(self._register()), now))
        if self._kpi_db is not None and not kpi_data.is_current(self._kpi_db):
            # The backend's database, built on first run (about a second): off the loop.
            n = await self.in_thread(kpi_data.build, self._kpi_db)
            self.ctx.log.info("built the demo KPI database %s (%d values)", self._kpi_db, n)
        # A few alerts so the queue is never empty; none critical, so the wall starts calm (criticals
        # come later, at random, as in a real shift).
        for _ in range(4):
            self._publish_alert(now, calm=True)

    async def run(self) -> None:
        next_kpi = time.monotonic() + self.config.kpi_every_s
        next_alert = time.monotonic() + self._rng.expovariate(1 / self.config.alert_every_s)
        while True:
            now = time.monotonic()
            if now >= next_kpi:
                if self._appender is not None:
                    await self.in_thread(self._appender.append)
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
    def _publish_alert(self, now: float, calm: bool = False) -> None:
        templates = [t for t in ALERT_TEMPLATES if not calm or t[1] != "critical"]
        domain, severity, template = self._rng.choice(templates)
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
