"""Runs each connector on the asyncio loop: health states, retries with backoff, isolation.

A connector that raises at start or run is logged once, shown as retrying with the next try's
delay, and started again; when it comes back it is logged once as recovered. One that cannot even
be loaded is shown as failed. Nothing a connector does can stop the console.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from connectors.api import Connector
from connectors.registry import Registry
from console.bus import Bus
from console.messages import ConnectorHealthChanged, SamplesReceived, SourcesChanged, ValueReceived
from console.model.alerts import AlertEvent
from console.model.documents import DocumentListing
from console.model.kpi import Indicator, KpiSample
from console.model.sources import AdminUnit, DocumentText, Source
from console.retry import backoff_delay

log = logging.getLogger(__name__)


class AlertSink(Protocol):
    def submit(self, events: list[AlertEvent], on_stored: Callable[[], None] | None = None) -> None: ...

    def reject(self, connector: str, reason: str) -> None: ...


class _Context:
    """The console side of ConnectorContext. Thread-safe: the bus hops to the GUI thread."""

    def __init__(self, name: str, bus: Bus, units: tuple[AdminUnit, ...], alerts: AlertSink | None,
                 indicators: tuple[Indicator, ...] = (), formerly: Mapping[str, str] | None = None,
                 on_status: Callable[[str], None] | None = None, site_dir: Path | None = None) -> None:
        self.name = name
        self.site_dir = site_dir or Path.cwd()
        self.indicators = indicators
        self.formerly = dict(formerly or {})
        self._on_status = on_status
        self._alerts = alerts
        self.rejected = 0
        self._reject_logged: dict[str, float] = {}
        self.units = units
        self.log = logging.getLogger(f"connectors.{name}")
        self._bus = bus
        self.last_activity = 0.0

    def publish(self, value: DocumentText | DocumentListing) -> None:
        self.last_activity = time.time()
        self._bus.publish(ValueReceived(value))

    def publish_samples(self, samples: list[KpiSample]) -> None:
        self.last_activity = time.time()
        if samples:
            self._bus.publish(SamplesReceived(self.name, tuple(samples)))

    def resolve_path(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.site_dir / p

    def set_status(self, text: str) -> None:
        if self._on_status is not None:
            self._on_status(text)

    def submit_alerts(self, events: list[AlertEvent], on_stored: Callable[[], None] | None = None) -> None:
        self.last_activity = time.time()
        if self._alerts is None:
            return
        self._alerts.submit(events, on_stored)

    def reject_payload(self, reason: str) -> None:
        self.rejected += 1
        if self._alerts is not None:
            self._alerts.reject(self.name, reason)
        now = time.time()
        # A backend that sends garbage all day must not flood the log: one line a minute per kind of
        # problem (the field it names, numbers left out), with the running count.
        kind = re.sub(r"\d+", "", reason.split(":", 1)[0])[:60]
        if now - self._reject_logged.get(kind, 0.0) > 60:
            if len(self._reject_logged) > 64:
                self._reject_logged.clear()
            self._reject_logged[kind] = now
            self.log.warning("rejected a payload (%d so far): %s", self.rejected, reason)

    def set_sources(self, sources: list[Source]) -> None:
        self._bus.publish(SourcesChanged(self.name, tuple(sources)))


@dataclass
class _Runner:
    name: str
    kind: str
    connector: Connector | None
    ctx: _Context | None
    state: str = "starting"
    last_ok: float | None = None
    last_error: str = ""
    attempt: int = 0
    next_retry_s: float | None = None
    task: asyncio.Task | None = None
    stale_after_s: float = 60.0
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Supervisor:
    """Owner of every connector's task. Thread: the GUI thread (qasync loop)."""

    def __init__(
        self,
        bus: Bus,
        registry: Registry,
        specs: list[tuple[str, str, bool]],  # (name, type, enabled)
        configs: Mapping[str, Any],
        units: tuple[AdminUnit, ...] = (),
        retry_base_s: float = 1.0,
        alerts: AlertSink | None = None,
        retry_cap_s: float = 60.0,
        indicators: tuple[Indicator, ...] = (),
        formerly: Mapping[str, str] | None = None,
        site_dir: Path | None = None,
    ) -> None:
        self.bus = bus
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.runners: dict[str, _Runner] = {}
        self._watchdog: asyncio.Task | None = None
        for name, type_name, enabled in specs:
            if not enabled:
                continue
            cls = registry.types.get(type_name)
            if cls is None:
                reason = registry.broken.get(type_name, f"connector type {type_name!r} is not installed")
                self.runners[name] = _Runner(name, type_name, None, None, state="failed",
                                             last_error=f"plugin failed to load: {reason}")
                continue
            ctx = _Context(name, bus, units, alerts, indicators, formerly,
                           on_status=functools.partial(self._status_from_thread, name), site_dir=site_dir)
            try:
                connector = cls(name, configs[name], ctx)
                declared = connector.declared_sources()
            except Exception as exc:
                log.exception("connector %r could not be created", name)
                self.runners[name] = _Runner(name, type_name, None, None, state="failed",
                                             last_error=f"{type(exc).__name__}: {exc}")
                continue
            runner = _Runner(name, cls.kind or type_name, connector, ctx)
            runner.stale_after_s = float(getattr(configs[name], "stale_after_s", 60.0))
            self.runners[name] = runner
            if declared:
                ctx.set_sources(declared)

    def start(self) -> None:
        for runner in self.runners.values():
            self._publish(runner)
            if runner.connector is not None:
                runner.task = asyncio.ensure_future(self._supervise(runner))
        self._watchdog = asyncio.ensure_future(self._watch_stale())

    async def stop(self) -> None:
        tasks = [r.task for r in self.runners.values() if r.task is not None]
        if self._watchdog is not None:
            tasks.append(self._watchdog)
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    def _publish(self, r: _Runner) -> None:
        self.bus.publish(ConnectorHealthChanged(r.name, r.kind, r.state, r.last_ok, r.last_error, r.attempt,
                                                r.next_retry_s, r.detail))

    def _status_from_thread(self, name: str, text: str) -> None:
        # Connectors may report from their own threads: hop to the loop before touching the runner.
        def apply() -> None:
            r = self.runners.get(name)
            if r is not None and r.detail != text:
                r.detail = text
                self._publish(r)

        self.bus.post(apply)

    def _set(self, r: _Runner, state: str, error: str = "") -> None:
        r.state = state
        if error:
            r.last_error = error
        self._publish(r)

    async def _supervise(self, r: _Runner) -> None:
        assert r.connector is not None
        while True:
            failed = False
            try:
                self._set(r, "starting")
                await r.connector.start()
                if r.attempt:
                    log.info("connector %r recovered after %d failed attempts", r.name, r.attempt)
                r.attempt = 0
                r.next_retry_s = None
                r.last_ok = time.time()
                self._set(r, "ok")
                await r.connector.run()
                error = "the backend closed the connection"
                failed = True
            except asyncio.CancelledError:
                await self._stop_connector(r)
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                failed = True
            if failed:
                await self._stop_connector(r)
                r.attempt += 1
                if r.attempt == 1:
                    # Once per outage: a connector that keeps failing does not flood the log.
                    log.warning("connector %r failed: %s; retrying with backoff", r.name, error)
                r.next_retry_s = backoff_delay(r.attempt, self.retry_base_s, self.retry_cap_s)
                self._set(r, "retrying", error)
                await asyncio.sleep(r.next_retry_s)

    async def _stop_connector(self, r: _Runner) -> None:
        assert r.connector is not None
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
            # arrives as stop() finishes, and the console would never finish closing.
            async with asyncio.timeout(5):
                await r.connector.stop()
        except Exception:
            log.exception("connector %r failed to stop cleanly", r.name)
        r.connector.release()

    async def _watch_stale(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.time()
            for r in self.runners.values():
                if r.ctx is None or r.state not in ("ok", "stale"):
                    continue
                if r.ctx.last_activity:
                    r.last_ok = max(r.last_ok or 0.0, r.ctx.last_activity)
                quiet = now - (r.last_ok or now)
                if r.state == "ok" and quiet > r.stale_after_s:
                    self._set(r, "stale")
                elif r.state == "stale" and quiet <= r.stale_after_s:
                    self._set(r, "ok")
