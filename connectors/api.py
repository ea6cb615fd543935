"""The connector plugin API: a typed config, a lifecycle, and a context to publish through.

A connector never touches widgets and never raises into the GUI: the console's supervisor runs
its coroutines, catches what they raise, and shows the health state to the operator.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from console.model.alerts import AlertEvent
from console.model.documents import DocumentListing
from console.model.kpi import Indicator, KpiSample
from console.model.sources import AdminUnit, DocumentText, Source

T = TypeVar("T")


class ConnectorConfig(BaseModel):
    """Base of every connector's settings. Field titles, units and bounds drive forms and checks;
    secrets are ``SecretStr`` so they never appear in logs or exports."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    stale_after_s: float = Field(
        60.0, gt=0, le=86400, title="Stale after", json_schema_extra={"unit": "s"},
        description="Health turns 'stale' when no value arrived for this long.",
    )


class ConnectorContext(Protocol):
    """What the console gives a connector. Every method is safe to call from any thread."""

    name: str
    units: tuple[AdminUnit, ...]
    indicators: tuple[Indicator, ...]  # the site's indicators: what a KPI value may be of
    formerly: dict[str, str]  # old unit code -> the unit that took it over
    log: logging.Logger

    def resolve_path(self, path: str) -> Path:
        """A file path from the settings: ``~`` expanded, relative paths taken from the site file's folder."""

    def publish(self, value: DocumentText | DocumentListing) -> None:
        """Hand a text document or a register of papers (the whole list, each time) to the console."""

    def publish_samples(self, samples: list[KpiSample]) -> None:
        """Hand KPI values to the console, a batch at a time (one batch per poll or file)."""

    def set_status(self, text: str) -> None:
        """A line the operator sees next to the connector's health: progress of a long import, or the
        last problem with the data ("report.xlsx row 17: 'abc' is not a number"). "" clears it."""

    def submit_alerts(self, events: list[AlertEvent], on_stored: Callable[[], None] | None = None) -> None:
        """Hand alerts to the console. ``on_stored`` is called (on another thread) once they are on
        disk: the moment to acknowledge receipt to the sender."""

    def reject_payload(self, reason: str) -> None:
        """Count and log (once per reason and minute) a payload that did not fit: an alert, a KPI row."""

    def set_sources(self, sources: list[Source]) -> None: ...


class Connector:
    """Base class. Subclasses set ``Config`` and ``kind`` and override the coroutines.

    Lifecycle, driven by the console on its asyncio loop: ``start`` (connect; raise on failure),
    then ``run`` until cancelled (raise when the backend is lost), then ``stop`` (always called,
    release everything: threads, sockets). After a failure the console calls ``start`` again with
    a growing delay.
    """

    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    kind: ClassVar[str] = "connector"
    _worker: ThreadPoolExecutor | None = None

    def __init__(self, name: str, config: Any, ctx: ConnectorContext) -> None:
        self.name = name
        self.config = config
        self.ctx = ctx

    def declared_sources(self) -> list[Source]:
        """Sources known from the config alone, listed before the connector has started."""
        return []

    async def start(self) -> None:
        """Connect. Raise to report failure; the console retries with backoff."""

    async def run(self) -> None:
        """Produce values until cancelled. Returning or raising means the backend was lost."""

    async def stop(self) -> None:
        """Release everything this connector owns. Called after run ends and on shutdown."""

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (a query, a file, a parse) on this connector's own worker thread, never on
        the loop; the console lets the thread go after ``stop``, so nothing outlives the connector."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix=f"connector-{self.name}")
        return await asyncio.get_running_loop().run_in_executor(self._worker, functools.partial(fn, *args))

    def release(self) -> None:
        """Let the worker thread go (the supervisor calls this after ``stop``)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown(wait=False, cancel_futures=True)
